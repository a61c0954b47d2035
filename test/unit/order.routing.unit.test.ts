import { describe, expect, it } from 'vitest';
import type { Bucket, BucketMove, OrderCommand, OrderEvent, ReservationHeld } from '../../src/domain/order/index.js';
import { deriveStatus } from '../../src/domain/order/index.js';
import { deciderSpec } from '../support/deciderSpec.js';
import {
  NOW,
  allocatedFulfillment,
  cancelOrder,
  draft,
  ful,
  heldLines,
  lineDraft,
  orderDecider,
  orderHeld,
  orderPlaced,
  routeOrder,
  rsv,
  skuLines,
  orderOf,
  bucketsOf,
} from '../support/orderFixtures.js';

const spec = deciderSpec(orderDecider);

// The default draft: l1 × 3 (SKU-l1), l2 × 2 (SKU-l2). Ids derive from the order id without `ord_`
// (ful(n), and rsv(n, line) for fulfillment n's reservation of the line at 1-based position `line`).
const fLines = skuLines;
const route = routeOrder;

const releaseAllocation = (reason: string, nodeIds?: readonly string[]): OrderCommand => ({
  type: 'ReleaseAllocation',
  reason,
  now: NOW,
  ...(nodeIds ? { nodeIds } : {}),
});

const move = (lineId: string, from: Bucket, to: Bucket, quantity: number): BucketMove => ({ lineId, from, to, quantity });

const reservation = (n: number, nodeId: string, line: number, quantity: number): ReservationHeld => ({
  reservationId: rsv(n, line),
  fulfillmentId: ful(n),
  nodeId,
  lineId: `l${line}`,
  sku: `SKU-l${line}`,
  quantity,
});

const release = (n: number, nodeId: string, line: number, quantity: number) => ({
  reservationId: rsv(n, line),
  nodeId,
  sku: `SKU-l${line}`,
  quantity,
});



// Events reused as history by later cases; each is first proven to be what the decider emits.

/** Everything at node_a. */
const routedAllAtA: OrderEvent = {
  type: 'OrderRouted',
  data: {
    decisionId: 'dec_1',
    rulesetVersion: 4,
    fulfillments: [{ fulfillmentId: ful(1), nodeId: 'node_a', lines: fLines([['l1', 3], ['l2', 2]]) }],
    reservations: [reservation(1, 'node_a', 1, 3), reservation(1, 'node_a', 2, 2)],
    backorders: [],
    moves: [move('l1', 'unallocated', 'allocated', 3), move('l2', 'unallocated', 'allocated', 2)],
  },
};

/** l1 × 2 at node_a; l1 × 1 and l2 × 2 at node_b. */
const routedSplit: OrderEvent = {
  type: 'OrderRouted',
  data: {
    decisionId: 'dec_1',
    rulesetVersion: 4,
    fulfillments: [
      { fulfillmentId: ful(1), nodeId: 'node_a', lines: fLines([['l1', 2]]) },
      { fulfillmentId: ful(2), nodeId: 'node_b', lines: fLines([['l1', 1], ['l2', 2]]) },
    ],
    reservations: [reservation(1, 'node_a', 1, 2), reservation(2, 'node_b', 1, 1), reservation(2, 'node_b', 2, 2)],
    backorders: [],
    moves: [move('l1', 'unallocated', 'allocated', 3), move('l2', 'unallocated', 'allocated', 2)],
  },
};

/** l1 × 1 at node_a; the other l1 × 2 and all of l2 backordered for the reasons the decision gives. */
const routedPartial: OrderEvent = {
  type: 'OrderRouted',
  data: {
    decisionId: 'dec_1',
    rulesetVersion: 4,
    fulfillments: [{ fulfillmentId: ful(1), nodeId: 'node_a', lines: fLines([['l1', 1]]) }],
    reservations: [reservation(1, 'node_a', 1, 1)],
    backorders: [
      { lineId: 'l1', sku: 'SKU-l1', quantity: 2, reason: 'insufficient_inventory' },
      { lineId: 'l2', sku: 'SKU-l2', quantity: 2, reason: 'no_eligible_node' },
    ],
    moves: [
      move('l1', 'unallocated', 'allocated', 1),
      move('l1', 'unallocated', 'backordered', 2),
      move('l2', 'unallocated', 'backordered', 2),
    ],
  },
};

const partialRoute = route(
  [['node_a', [['l1', 1]]]],
  [
    ['l1', 2, 'insufficient_inventory'],
    ['l2', 2, 'no_eligible_node'],
  ],
);

/** node_a gives back its l1 × 2 of the split. */
const releasedSplitA: OrderEvent = {
  type: 'AllocationReleased',
  data: {
    reason: 'node_rejected',
    nodeIds: ['node_a'],
    moves: [move('l1', 'allocated', 'unallocated', 2)],
    releases: [release(1, 'node_a', 1, 2)],
  },
};

describe('RouteOrder', () => {
  it('routes the whole order to one node: one fulfillment, a reservation per line, everything allocated', () => {
    const state = spec
      .given([orderPlaced()])
      .when(route([['node_a', [['l1', 3], ['l2', 2]]]]))
      .then([routedAllAtA]);
    const order = orderOf(state);
    expect(order.fulfillments).toEqual([allocatedFulfillment(ful(1), 'node_a', 'allocated', [['l1', 3], ['l2', 2]])]);
    expect(order.reservations).toEqual([reservation(1, 'node_a', 1, 3), reservation(1, 'node_a', 2, 2)]);
    expect(order.lines.map((l) => l.buckets.allocated)).toEqual([3, 2]);
    expect(order.lastDecision).toEqual({ decisionId: 'dec_1', rulesetVersion: 4 });
    expect(deriveStatus(order)).toBe('allocated');
  });

  it('splits across two nodes: one fulfillment per node, numbered in decision order', () => {
    const state = spec
      .given([orderPlaced()])
      .when(
        route([
          ['node_a', [['l1', 2]]],
          ['node_b', [['l1', 1], ['l2', 2]]],
        ]),
      )
      .then([routedSplit]);
    const order = orderOf(state);
    expect(order.fulfillments.map((f) => [f.id, f.nodeId, f.status])).toEqual([
      [ful(1), 'node_a', 'allocated'],
      [ful(2), 'node_b', 'allocated'],
    ]);
    expect(order.reservations.map((r) => r.reservationId)).toEqual([rsv(1, 1), rsv(2, 1), rsv(2, 2)]);
    expect(deriveStatus(order)).toBe('allocated');
  });

  it('routes part and backorders the rest, with the reason the decision gives per line', () => {
    const state = spec.given([orderPlaced()]).when(partialRoute).then([routedPartial]);
    expect(bucketsOf(state, 'l1')).toMatchObject({ unallocated: 0, allocated: 1, backordered: 2 });
    expect(bucketsOf(state, 'l2')).toMatchObject({ unallocated: 0, allocated: 0, backordered: 2 });
    expect(orderOf(state).reservations).toEqual([reservation(1, 'node_a', 1, 1)]);
    expect(deriveStatus(orderOf(state))).toBe('backordered');
  });

  it('backorders with no_stock when the decision names no reason for the line', () => {
    spec
      .given([orderPlaced()])
      .when(route([['node_a', [['l2', 2]]]]))
      .then([
        {
          type: 'OrderRouted',
          data: {
            decisionId: 'dec_1',
            rulesetVersion: 4,
            fulfillments: [{ fulfillmentId: ful(1), nodeId: 'node_a', lines: fLines([['l2', 2]]) }],
            reservations: [reservation(1, 'node_a', 2, 2)],
            backorders: [{ lineId: 'l1', sku: 'SKU-l1', quantity: 3, reason: 'no_stock' }],
            moves: [move('l1', 'unallocated', 'backordered', 3), move('l2', 'unallocated', 'allocated', 2)],
          },
        },
      ]);
  });

  it('backorders everything when no node is assigned, creating no fulfillment', () => {
    const state = spec
      .given([orderPlaced()])
      .when(route([], [['l1', 3, 'no_eligible_node']], 'dec_9'))
      .then([
        {
          type: 'OrderRouted',
          data: {
            decisionId: 'dec_9',
            rulesetVersion: 4,
            fulfillments: [],
            reservations: [],
            backorders: [
              { lineId: 'l1', sku: 'SKU-l1', quantity: 3, reason: 'no_eligible_node' },
              { lineId: 'l2', sku: 'SKU-l2', quantity: 2, reason: 'no_stock' },
            ],
            moves: [move('l1', 'unallocated', 'backordered', 3), move('l2', 'unallocated', 'backordered', 2)],
          },
        },
      ]);
    expect(orderOf(state).fulfillments).toEqual([]);
    expect(deriveStatus(orderOf(state))).toBe('backordered');
  });

  it('later routes backordered quantity: backordered → allocated, in a new fulfillment numbered on', () => {
    const state = spec
      .given([orderPlaced(), routedPartial])
      .when(route([['node_b', [['l1', 2], ['l2', 2]]]], [], 'dec_2'))
      .then([
        {
          type: 'OrderRouted',
          data: {
            decisionId: 'dec_2',
            rulesetVersion: 4,
            fulfillments: [{ fulfillmentId: ful(2), nodeId: 'node_b', lines: fLines([['l1', 2], ['l2', 2]]) }],
            reservations: [reservation(2, 'node_b', 1, 2), reservation(2, 'node_b', 2, 2)],
            backorders: [],
            moves: [move('l1', 'backordered', 'allocated', 2), move('l2', 'backordered', 'allocated', 2)],
          },
        },
      ]);
    const order = orderOf(state);
    expect(order.lines.map((l) => [l.buckets.allocated, l.buckets.backordered])).toEqual([
      [3, 0],
      [2, 0],
    ]);
    expect(order.reservations.map((r) => r.reservationId)).toEqual([rsv(1, 1), rsv(2, 1), rsv(2, 2)]);
    expect(order.lastDecision).toEqual({ decisionId: 'dec_2', rulesetVersion: 4 });
    expect(deriveStatus(order)).toBe('allocated');
  });

  it('re-routes part of the backorder and leaves the rest backordered without reporting it again', () => {
    const state = spec
      .given([orderPlaced(), routedPartial])
      .when(route([['node_b', [['l2', 1]]]], [], 'dec_2'))
      .then([
        {
          type: 'OrderRouted',
          data: {
            decisionId: 'dec_2',
            rulesetVersion: 4,
            fulfillments: [{ fulfillmentId: ful(2), nodeId: 'node_b', lines: fLines([['l2', 1]]) }],
            reservations: [reservation(2, 'node_b', 2, 1)],
            backorders: [],
            moves: [move('l2', 'backordered', 'allocated', 1)],
          },
        },
      ]);
    expect(bucketsOf(state, 'l2')).toMatchObject({ allocated: 1, backordered: 1 });
  });

  it('takes unallocated before backordered when a line holds both', () => {
    // l1: 1 allocated at node_a and 2 backordered; node_a gives its unit back, so l1 is 1 unallocated + 2 backordered.
    const givenEvents: OrderEvent[] = [
      orderPlaced(),
      routedPartial,
      {
        type: 'AllocationReleased',
        data: { reason: 'node_rejected', nodeIds: ['node_a'], moves: [move('l1', 'allocated', 'unallocated', 1)], releases: [release(1, 'node_a', 1, 1)] },
      },
    ];
    const state = spec
      .given(givenEvents)
      .when(route([['node_c', [['l1', 2]]]], [], 'dec_3'))
      .then([
        {
          type: 'OrderRouted',
          data: {
            decisionId: 'dec_3',
            rulesetVersion: 4,
            fulfillments: [{ fulfillmentId: ful(2), nodeId: 'node_c', lines: fLines([['l1', 2]]) }],
            reservations: [reservation(2, 'node_c', 1, 2)],
            backorders: [],
            moves: [move('l1', 'unallocated', 'allocated', 1), move('l1', 'backordered', 'allocated', 1)],
          },
        },
      ]);
    expect(bucketsOf(state, 'l1')).toMatchObject({ unallocated: 0, allocated: 2, backordered: 1 });
  });

  it('routes an order on hold (the lifecycle accepts RouteOrder wherever it accepts a cancellation)', () => {
    spec
      .given([orderPlaced(), orderHeld('manual')])
      .when(route([['node_a', [['l1', 3], ['l2', 2]]]]))
      .then([routedAllAtA]);
  });

  it('refuses over-assignment across nodes as validation_failed, naming the line', () => {
    const error = spec
      .given([orderPlaced()])
      .when(
        route([
          ['node_a', [['l1', 2]]],
          ['node_b', [['l1', 2]]],
        ]),
      )
      .thenFails('validation_failed');
    expect(error.errors).toEqual([{ path: 'decision.assignments', message: 'line l1: 4 assigned but only 3 routable' }]);
  });

  it('refuses to assign more than is still routable after an earlier route', () => {
    const error = spec
      .given([orderPlaced(), routedPartial])
      .when(route([['node_b', [['l1', 3]]]]))
      .thenFails('validation_failed');
    expect(error.errors).toEqual([{ path: 'decision.assignments', message: 'line l1: 3 assigned but only 2 routable' }]);
  });

  it('refuses a sku that does not match the line as validation_failed with its path', () => {
    const command = route([['node_a', [['l1', 1]]]]);
    if (command.type !== 'RouteOrder') throw new Error('not a route');
    const wrongSku: OrderCommand = {
      ...command,
      decision: {
        ...command.decision,
        assignments: [{ nodeId: 'node_a', lines: [...fLines([['l1', 1]]), { lineId: 'l2', sku: 'SKU-l1', quantity: 1 }] }],
      },
    };
    const error = spec.given([orderPlaced()]).when(wrongSku).thenFails('validation_failed');
    expect(error.errors).toEqual([{ path: 'decision.assignments[0].lines[1]', message: 'no line l2 with sku SKU-l1' }]);
  });

  it('refuses an unknown lineId as validation_failed with its path', () => {
    const error = spec
      .given([orderPlaced()])
      .when(route([['node_a', [['l1', 1]]], ['node_b', [['l9', 1]]]]))
      .thenFails('validation_failed');
    expect(error.errors).toEqual([{ path: 'decision.assignments[1].lines[0]', message: 'no line l9 with sku SKU-l9' }]);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses an assigned quantity of %s as validation_failed', (quantity) => {
    const error = spec
      .given([orderPlaced()])
      .when(route([['node_a', [['l1', quantity]]]]))
      .thenFails('validation_failed');
    expect(error.errors).toEqual([{ path: 'decision.assignments[0].lines[0]', message: 'quantity must be a whole number ≥ 1' }]);
  });

  it('refuses the same line twice in one assignment rather than reserve it under one id twice', () => {
    const error = spec
      .given([orderPlaced()])
      .when(route([['node_a', [['l1', 1], ['l1', 1]]]]))
      .thenFails('validation_failed');
    expect(error.errors).toEqual([{ path: 'decision.assignments[0].lines[1]', message: 'duplicate lineId l1 in one assignment' }]);
  });

  it('accepts the same line at two different nodes', () => {
    const state = spec
      .given([orderPlaced()])
      .when(route([['node_a', [['l1', 1]]], ['node_b', [['l1', 1]]]]))
      .then([
        {
          type: 'OrderRouted',
          data: {
            decisionId: 'dec_1',
            rulesetVersion: 4,
            fulfillments: [
              { fulfillmentId: ful(1), nodeId: 'node_a', lines: fLines([['l1', 1]]) },
              { fulfillmentId: ful(2), nodeId: 'node_b', lines: fLines([['l1', 1]]) },
            ],
            reservations: [reservation(1, 'node_a', 1, 1), reservation(2, 'node_b', 1, 1)],
            backorders: [
              { lineId: 'l1', sku: 'SKU-l1', quantity: 1, reason: 'no_stock' },
              { lineId: 'l2', sku: 'SKU-l2', quantity: 2, reason: 'no_stock' },
            ],
            moves: [
              move('l1', 'unallocated', 'allocated', 2),
              move('l1', 'unallocated', 'backordered', 1),
              move('l2', 'unallocated', 'backordered', 2),
            ],
          },
        },
      ]);
    expect(bucketsOf(state, 'l1')).toMatchObject({ allocated: 2, backordered: 1 });
  });

  it('refuses when nothing is left to route', () => {
    spec.given([orderPlaced(), routedAllAtA]).when(route([])).thenFails('illegal_transition', /nothing is left to route/);
  });

  it('refuses to route a fully backordered order with no assignment: nothing would move', () => {
    const allBackordered: OrderEvent = {
      type: 'OrderRouted',
      data: {
        decisionId: 'dec_1',
        rulesetVersion: 4,
        fulfillments: [],
        reservations: [],
        backorders: [
          { lineId: 'l1', sku: 'SKU-l1', quantity: 3, reason: 'no_stock' },
          { lineId: 'l2', sku: 'SKU-l2', quantity: 2, reason: 'no_stock' },
        ],
        moves: [move('l1', 'unallocated', 'backordered', 3), move('l2', 'unallocated', 'backordered', 2)],
      },
    };
    spec.given([orderPlaced(), allBackordered]).when(route([], [['l1', 3, 'no_stock']])).thenFails('illegal_transition', /nothing is left to route/);
  });

  it('refuses an assignment when the order is fully allocated: the decision does not fit', () => {
    const error = spec.given([orderPlaced(), routedAllAtA]).when(route([['node_b', [['l2', 1]]]])).thenFails('validation_failed');
    expect(error.errors).toEqual([{ path: 'decision.assignments', message: 'line l2: 1 assigned but only 0 routable' }]);
  });
});

describe('ReleaseAllocation', () => {
  it('releases one node: its units go back to unallocated, its reservations are released, its fulfillment cancelled', () => {
    const state = spec.given([orderPlaced(), routedSplit]).when(releaseAllocation('node_rejected', ['node_a'])).then([releasedSplitA]);
    const order = orderOf(state);
    expect(bucketsOf(state, 'l1')).toMatchObject({ unallocated: 2, allocated: 1 });
    expect(order.reservations).toEqual([reservation(2, 'node_b', 1, 1), reservation(2, 'node_b', 2, 2)]);
    expect(order.fulfillments).toEqual([
      allocatedFulfillment(ful(1), 'node_a', 'cancelled', []),
      allocatedFulfillment(ful(2), 'node_b', 'allocated', [['l1', 1], ['l2', 2]]),
    ]);
    expect(deriveStatus(order)).toBe('created');
  });

  it('then routes the released units elsewhere, with fulfillment ids continuing after the cancelled one', () => {
    const state = spec
      .given([orderPlaced(), routedSplit, releasedSplitA])
      .when(route([['node_c', [['l1', 2]]]], [], 'dec_2'))
      .then([
        {
          type: 'OrderRouted',
          data: {
            decisionId: 'dec_2',
            rulesetVersion: 4,
            fulfillments: [{ fulfillmentId: ful(3), nodeId: 'node_c', lines: fLines([['l1', 2]]) }],
            reservations: [reservation(3, 'node_c', 1, 2)],
            backorders: [],
            moves: [move('l1', 'unallocated', 'allocated', 2)],
          },
        },
      ]);
    expect(orderOf(state).fulfillments.map((f) => [f.id, f.status])).toEqual([
      [ful(1), 'cancelled'],
      [ful(2), 'allocated'],
      [ful(3), 'allocated'],
    ]);
    expect(deriveStatus(orderOf(state))).toBe('allocated');
  });

  it('releases everything when no node is named, then a re-route numbers on from ful_…-2', () => {
    const releasedAll: OrderEvent = {
      type: 'AllocationReleased',
      data: {
        reason: 'node_closed',
        nodeIds: ['node_a'],
        moves: [move('l1', 'allocated', 'unallocated', 3), move('l2', 'allocated', 'unallocated', 2)],
        releases: [release(1, 'node_a', 1, 3), release(1, 'node_a', 2, 2)],
      },
    };
    const released = spec.given([orderPlaced(), routedAllAtA]).when(releaseAllocation('node_closed')).then([releasedAll]);
    expect(orderOf(released).reservations).toEqual([]);
    expect(orderOf(released).lines.map((l) => l.buckets.unallocated)).toEqual([3, 2]);
    expect(deriveStatus(orderOf(released))).toBe('created');

    spec
      .given([orderPlaced(), routedAllAtA, releasedAll])
      .when(route([['node_b', [['l1', 3], ['l2', 2]]]], [], 'dec_2'))
      .then([
        {
          type: 'OrderRouted',
          data: {
            decisionId: 'dec_2',
            rulesetVersion: 4,
            fulfillments: [{ fulfillmentId: ful(2), nodeId: 'node_b', lines: fLines([['l1', 3], ['l2', 2]]) }],
            reservations: [reservation(2, 'node_b', 1, 3), reservation(2, 'node_b', 2, 2)],
            backorders: [],
            moves: [move('l1', 'unallocated', 'allocated', 3), move('l2', 'unallocated', 'allocated', 2)],
          },
        },
      ]);
  });

  it('names only the nodes that held something, sorted', () => {
    spec
      .given([orderPlaced(), routedSplit])
      .when(releaseAllocation('node_closed', ['node_z', 'node_b', 'node_a']))
      .then([
        {
          type: 'AllocationReleased',
          data: {
            reason: 'node_closed',
            nodeIds: ['node_a', 'node_b'],
            moves: [move('l1', 'allocated', 'unallocated', 3), move('l2', 'allocated', 'unallocated', 2)],
            releases: [release(1, 'node_a', 1, 2), release(2, 'node_b', 1, 1), release(2, 'node_b', 2, 2)],
          },
        },
      ]);
  });

  it('refuses when nothing is allocated', () => {
    spec.given([orderPlaced()]).when(releaseAllocation('node_rejected')).thenFails('illegal_transition', /nothing is allocated/);
  });

  it('refuses when nothing is allocated at the named nodes', () => {
    spec
      .given([orderPlaced(), routedAllAtA])
      .when(releaseAllocation('node_rejected', ['node_b']))
      .thenFails('illegal_transition', /nothing is allocated at node_b/);
  });

  it('refuses a second release of the same node', () => {
    spec
      .given([orderPlaced(), routedSplit, releasedSplitA])
      .when(releaseAllocation('node_rejected', ['node_a']))
      .thenFails('illegal_transition', /nothing is allocated at node_a/);
  });
});

describe('CancelOrder after routing', () => {
  it('cancels the whole order: every reservation released (newest first per line), every fulfillment cancelled', () => {
    const state = spec
      .given([orderPlaced(), routedSplit])
      .when(cancelOrder('customer_request'))
      .then([
        {
          type: 'OrderCancelled',
          data: {
            reason: 'customer_request',
            scope: 'order',
            moves: [move('l1', 'allocated', 'cancelled', 3), move('l2', 'allocated', 'cancelled', 2)],
            releases: [release(2, 'node_b', 1, 1), release(1, 'node_a', 1, 2), release(2, 'node_b', 2, 2)],
          },
        },
      ]);
    const order = orderOf(state);
    expect(order.reservations).toEqual([]);
    expect(order.fulfillments.map((f) => [f.id, f.status, f.lines])).toEqual([
      [ful(1), 'cancelled', []],
      [ful(2), 'cancelled', []],
    ]);
    expect(deriveStatus(order)).toBe('cancelled');
  });

  it('cancels a partly routed order: backordered units need no release, the allocated ones do', () => {
    const state = spec
      .given([orderPlaced(), routedPartial])
      .when(cancelOrder('r'))
      .then([
        {
          type: 'OrderCancelled',
          data: {
            reason: 'r',
            scope: 'order',
            moves: [
              move('l1', 'backordered', 'cancelled', 2),
              move('l1', 'allocated', 'cancelled', 1),
              move('l2', 'backordered', 'cancelled', 2),
            ],
            releases: [release(1, 'node_a', 1, 1)],
          },
        },
      ]);
    expect(orderOf(state).reservations).toEqual([]);
    expect(orderOf(state).fulfillments.map((f) => f.status)).toEqual(['cancelled']);
  });

  it('partial cancel takes backordered before allocated and releases only the allocated part', () => {
    const state = spec
      .given([orderPlaced(), routedPartial])
      .when(cancelOrder('r', [{ lineId: 'l1', quantity: 3 }]))
      .then([
        {
          type: 'OrderCancelled',
          data: {
            reason: 'r',
            scope: 'lines',
            moves: [move('l1', 'backordered', 'cancelled', 2), move('l1', 'allocated', 'cancelled', 1)],
            releases: [release(1, 'node_a', 1, 1)],
          },
        },
      ]);
    expect(orderOf(state).fulfillments).toEqual([allocatedFulfillment(ful(1), 'node_a', 'cancelled', [])]);
    expect(bucketsOf(state, 'l2')).toMatchObject({ backordered: 2 });
  });

  it('partial cancel of backordered units only releases nothing', () => {
    const state = spec
      .given([orderPlaced(), routedPartial])
      .when(cancelOrder('r', [{ lineId: 'l1', quantity: 2 }]))
      .then([
        {
          type: 'OrderCancelled',
          data: { reason: 'r', scope: 'lines', moves: [move('l1', 'backordered', 'cancelled', 2)] },
        },
      ]);
    expect(orderOf(state).reservations).toEqual([reservation(1, 'node_a', 1, 1)]);
  });

  it('partial cancel takes unallocated before allocated and releases nothing', () => {
    // After node_a's release, l1 is 2 unallocated + 1 allocated at node_b.
    const state = spec
      .given([orderPlaced(), routedSplit, releasedSplitA])
      .when(cancelOrder('r', [{ lineId: 'l1', quantity: 2 }]))
      .then([
        {
          type: 'OrderCancelled',
          data: { reason: 'r', scope: 'lines', moves: [move('l1', 'unallocated', 'cancelled', 2)] },
        },
      ]);
    expect(orderOf(state).reservations).toEqual([reservation(2, 'node_b', 1, 1), reservation(2, 'node_b', 2, 2)]);
  });

  it('partial cancel of allocated units releases the newest reservation first', () => {
    const state = spec
      .given([orderPlaced(), routedSplit])
      .when(cancelOrder('r', [{ lineId: 'l1', quantity: 1 }]))
      .then([
        {
          type: 'OrderCancelled',
          data: {
            reason: 'r',
            scope: 'lines',
            moves: [move('l1', 'allocated', 'cancelled', 1)],
            releases: [release(2, 'node_b', 1, 1)],
          },
        },
      ]);
    const order = orderOf(state);
    expect(order.reservations).toEqual([reservation(1, 'node_a', 1, 2), reservation(2, 'node_b', 2, 2)]);
    // node_b's fulfillment keeps its l2 and stays live; node_a's is untouched.
    expect(order.fulfillments).toEqual([
      allocatedFulfillment(ful(1), 'node_a', 'allocated', [['l1', 2]]),
      allocatedFulfillment(ful(2), 'node_b', 'allocated', [['l2', 2]]),
    ]);
    expect(deriveStatus(order)).toBe('partially_cancelled');
  });

  it('partial cancel shrinks a reservation and its fulfillment line when it takes only part of it', () => {
    const state = spec
      .given([orderPlaced(), routedAllAtA])
      .when(cancelOrder('r', [{ lineId: 'l1', quantity: 1 }]))
      .then([
        {
          type: 'OrderCancelled',
          data: { reason: 'r', scope: 'lines', moves: [move('l1', 'allocated', 'cancelled', 1)], releases: [release(1, 'node_a', 1, 1)] },
        },
      ]);
    const order = orderOf(state);
    expect(order.reservations).toEqual([reservation(1, 'node_a', 1, 2), reservation(1, 'node_a', 2, 2)]);
    expect(order.fulfillments).toEqual([allocatedFulfillment(ful(1), 'node_a', 'allocated', [['l1', 2], ['l2', 2]])]);
  });

  it('releases across two reservations of a line when one is not enough', () => {
    const bigger = draft({ lines: [lineDraft('l1', 4)] });
    const routed: OrderEvent = {
      type: 'OrderRouted',
      data: {
        decisionId: 'dec_1',
        rulesetVersion: 4,
        fulfillments: [
          { fulfillmentId: ful(1), nodeId: 'node_a', lines: fLines([['l1', 2]]) },
          { fulfillmentId: ful(2), nodeId: 'node_b', lines: fLines([['l1', 2]]) },
        ],
        reservations: [reservation(1, 'node_a', 1, 2), reservation(2, 'node_b', 1, 2)],
        backorders: [],
        moves: [move('l1', 'unallocated', 'allocated', 4)],
      },
    };
    spec
      .given([orderPlaced(bigger)])
      .when(route([['node_a', [['l1', 2]]], ['node_b', [['l1', 2]]]]))
      .then([routed]);
    const state = spec
      .given([orderPlaced(bigger), routed])
      .when(cancelOrder('r', [{ lineId: 'l1', quantity: 3 }]))
      .then([
        {
          type: 'OrderCancelled',
          data: {
            reason: 'r',
            scope: 'lines',
            moves: [move('l1', 'allocated', 'cancelled', 3)],
            releases: [release(2, 'node_b', 1, 2), release(1, 'node_a', 1, 1)],
          },
        },
      ]);
    expect(orderOf(state).reservations).toEqual([reservation(1, 'node_a', 1, 1)]);
    expect(orderOf(state).fulfillments.map((f) => [f.id, f.status, f.lines])).toEqual([
      [ful(1), 'allocated', heldLines([['l1', 1]])],
      [ful(2), 'cancelled', []],
    ]);
  });
});

describe('a cancelled order after routing', () => {
  const cancelledAfterRouting: OrderEvent = {
    type: 'OrderCancelled',
    data: {
      reason: 'customer_request',
      scope: 'order',
      moves: [move('l1', 'allocated', 'cancelled', 3), move('l2', 'allocated', 'cancelled', 2)],
      releases: [release(1, 'node_a', 1, 3), release(1, 'node_a', 2, 2)],
    },
  };
  const history = [orderPlaced(), routedAllAtA, cancelledAfterRouting];

  it('is what the decider emits for the whole-order cancel', () => {
    spec.given([orderPlaced(), routedAllAtA]).when(cancelOrder('customer_request')).then([cancelledAfterRouting]);
  });

  it.each<[string, OrderCommand]>([
    ['RouteOrder', route([['node_a', [['l1', 1]]]])],
    ['ReleaseAllocation', releaseAllocation('node_rejected')],
    ['CancelOrder', cancelOrder('again')],
  ])('refuses %s by the lifecycle', (type, command) => {
    spec
      .given(history)
      .when(command)
      .thenFails('illegal_transition', new RegExp(`^a cancelled order does not accept ${type}$`));
  });
});

describe('an absent order', () => {
  it.each<[string, OrderCommand]>([
    ['RouteOrder', route([['node_a', [['l1', 1]]]])],
    ['ReleaseAllocation', releaseAllocation('node_rejected')],
  ])('refuses %s as not_found', (_, command) => {
    spec.given([]).when(command).thenFails('not_found');
  });
});
