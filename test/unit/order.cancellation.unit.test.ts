import { describe, expect, it } from 'vitest';
import type { OrderEvent } from '../../src/domain/order/index.js';
import { deriveStatus, fold } from '../../src/domain/order/index.js';
import { deciderSpec } from '../support/deciderSpec.js';
import {
  CANNOT_CANCEL,
  CAN_CANCEL,
  NOW,
  WHOLE_ONLY,
  bucketsOf,
  cancelAtNodes,
  cancelOrder,
  conflictDetected,
  decided,
  factAcknowledged,
  factCancellation,
  factShipped,
  ful,
  orderDecider,
  orderOf,
  orderPlaced,
  recordFact,
  releaseFulfillments,
  releasedAtA,
  routeOrder,
  rsv,
  withdrawFulfillment,
} from '../support/orderFixtures.js';

const spec = deciderSpec(orderDecider);

type Lines = readonly (readonly [lineId: string, quantity: number])[];
const withSku = (lines: Lines) => lines.map(([lineId, quantity]) => ({ lineId, sku: `SKU-${lineId}`, quantity }));

const requested = (
  fulfillmentId: string,
  nodeId: string,
  lines: Lines,
  mode: 'node' | 'manual',
  exceptionId?: string,
  reason = 'customer_request',
): OrderEvent => ({
  type: 'CancellationRequested',
  data: { fulfillmentId, nodeId, lines: withSku(lines), reason, mode, at: NOW, ...(exceptionId ? { exceptionId } : {}) },
});

/** The node cancelled these units of ful(n): released → cancelled, their reservations (line position = lineId digit) released. */
const fulfillmentCancelled = (n: number, nodeId: string, lines: Lines, reason = 'customer_request'): OrderEvent => ({
  type: 'FulfillmentCancelled',
  data: {
    fulfillmentId: ful(n),
    nodeId,
    lines: withSku(lines),
    reason,
    moves: lines.map(([lineId, quantity]) => ({ lineId, from: 'released', to: 'cancelled', quantity })),
    releases: lines.map(([lineId, quantity]) => ({ reservationId: rsv(n, Number(lineId.slice(1))), nodeId, sku: `SKU-${lineId}`, quantity })),
    at: NOW,
  },
});

const ALL: Lines = [
  ['l1', 3],
  ['l2', 2],
];

describe('CancelOrder after release', () => {
  it('asks a node that can cancel: nothing moves until it answers, the fulfillment shows cancel_requested', () => {
    const state = spec.given(releasedAtA()).when(cancelAtNodes({ node_a: CAN_CANCEL })).then([requested(ful(1), 'node_a', ALL, 'node')]);
    const order = orderOf(state);
    expect(order.fulfillments[0]).toMatchObject({
      status: 'cancel_requested',
      cancelRequest: { lines: [{ lineId: 'l1', quantity: 3 }, { lineId: 'l2', quantity: 2 }], reason: 'customer_request', requestedAt: NOW, mode: 'node' },
    });
    expect(order.lines.map((l) => [l.buckets.released, l.buckets.cancelled])).toEqual([
      [3, 0],
      [2, 0],
    ]);
    expect(order.reservations).toHaveLength(2);
    expect(order.cancelReason).toBe('customer_request');
    expect(order.exceptions).toEqual([]);
    expect(deriveStatus(order)).toBe('released');
  });

  it('asks a node that cancels only whole fulfillments when the whole fulfillment is cancelled', () => {
    spec.given(releasedAtA()).when(cancelAtNodes({ node_a: WHOLE_ONLY })).then([requested(ful(1), 'node_a', ALL, 'node')]);
  });

  it('hands a part a node cannot cancel in part to a human, with an exception', () => {
    const state = spec
      .given(releasedAtA())
      .when(cancelAtNodes({ node_a: WHOLE_ONLY }, [{ lineId: 'l2', quantity: 1 }]))
      .then([requested(ful(1), 'node_a', [['l2', 1]], 'manual', 'exc_cancel-1')]);
    expect(orderOf(state).exceptions).toEqual([{ exceptionId: 'exc_cancel-1', type: 'cancellation_unsupported', fulfillmentId: ful(1) }]);
    expect(orderOf(state).fulfillments[0]?.cancelRequest?.mode).toBe('manual');
  });

  it.each([
    ['cannot cancel', { node_a: CANNOT_CANCEL }],
    ['is not known to be able to', {}],
  ])('hands the units of a node that %s to a human', (_, nodes) => {
    spec.given(releasedAtA()).when(cancelAtNodes(nodes)).then([requested(ful(1), 'node_a', ALL, 'manual', 'exc_cancel-1')]);
  });

  it('without capabilities or an exception id, asks a human under an id derived from the fulfillment', () => {
    spec.given(releasedAtA()).when(cancelOrder('customer_request')).then([requested(ful(1), 'node_a', ALL, 'manual', `exc_${ful(1).slice(4)}-cancel-1`)]);
  });

  it('asks the partial quantity of a node that can cancel in part', () => {
    spec
      .given(releasedAtA())
      .when(cancelAtNodes({ node_a: CAN_CANCEL }, [{ lineId: 'l1', quantity: 2 }]))
      .then([requested(ful(1), 'node_a', [['l1', 2]], 'node')]);
  });

  it('cancels unreleased units at once and asks for released ones, newest fulfillment first, one request per fulfillment', () => {
    // l1: 2 at node_a (released), 1 at node_b (released); l2: 2 at node_c (allocated, not released).
    const given = decided(
      [orderPlaced()],
      routeOrder([['node_a', [['l1', 2]]], ['node_b', [['l1', 1]]], ['node_c', [['l2', 2]]]]),
      releaseFulfillments([ful(1), ful(2)]),
    );
    const state = spec
      .given(given)
      .when(cancelAtNodes({ node_a: CAN_CANCEL, node_b: CANNOT_CANCEL }, [{ lineId: 'l1', quantity: 2 }, { lineId: 'l2', quantity: 2 }], 'fraud'))
      .then([
        {
          type: 'OrderCancelled',
          data: {
            reason: 'fraud',
            scope: 'lines',
            moves: [{ lineId: 'l2', from: 'allocated', to: 'cancelled', quantity: 2 }],
            releases: [{ reservationId: rsv(3, 2), nodeId: 'node_c', sku: 'SKU-l2', quantity: 2 }],
          },
        },
        requested(ful(2), 'node_b', [['l1', 1]], 'manual', 'exc_cancel-1', 'fraud'),
        requested(ful(1), 'node_a', [['l1', 1]], 'node', undefined, 'fraud'),
      ]);
    expect(orderOf(state).fulfillments.map((f) => f.status)).toEqual(['cancel_requested', 'cancel_requested', 'cancelled']);
  });

  it('numbers the exceptions of several fulfillments handed to a human', () => {
    const split = decided([orderPlaced()], routeOrder([['node_a', [['l1', 3]]], ['node_b', [['l2', 2]]]]), releaseFulfillments());
    spec
      .given(split)
      .when(cancelAtNodes({}))
      .then([requested(ful(1), 'node_a', [['l1', 3]], 'manual', 'exc_cancel-1'), requested(ful(2), 'node_b', [['l2', 2]], 'manual', 'exc_cancel-2')]);
  });

  it('asks again only for what is not already being cancelled, and the requests add up', () => {
    const once = decided(releasedAtA(), cancelAtNodes({ node_a: CAN_CANCEL }, [{ lineId: 'l1', quantity: 1 }]));
    const twice = spec
      .given(once)
      .when(cancelAtNodes({ node_a: CAN_CANCEL }, [{ lineId: 'l1', quantity: 1 }]))
      .then([requested(ful(1), 'node_a', [['l1', 1]], 'node')]);
    expect(orderOf(twice).fulfillments[0]?.cancelRequest?.lines).toEqual([{ lineId: 'l1', quantity: 2 }]);
    // Two of three are being cancelled: one is left to ask for.
    spec
      .givenState(twice)
      .when(cancelAtNodes({ node_a: CAN_CANCEL }, [{ lineId: 'l1', quantity: 2 }]))
      .thenFails('illegal_transition', /line l1: 2 requested but only 1 can be cancelled/);
    // The node's answer covers both requests.
    spec
      .givenState(twice)
      .when(recordFact(factCancellation(ful(1), 'cancelled')))
      .then([fulfillmentCancelled(1, 'node_a', [['l1', 2]])]);
  });

  it('keeps the earliest request time and the node’s answer awaited when requests add up', () => {
    const manualFirst = decided(releasedAtA(), cancelAtNodes({ node_a: WHOLE_ONLY }, [{ lineId: 'l1', quantity: 1 }]));
    const state = spec
      .given(manualFirst)
      .when({ ...cancelAtNodes({ node_a: WHOLE_ONLY }), now: '2025-03-01T11:00:00.000Z' })
      .then([{ ...requested(ful(1), 'node_a', [['l1', 2], ['l2', 2]], 'node'), data: { ...requested(ful(1), 'node_a', [['l1', 2], ['l2', 2]], 'node').data, at: '2025-03-01T11:00:00.000Z' } } as OrderEvent]);
    expect(orderOf(state).fulfillments[0]?.cancelRequest).toEqual({
      lines: [{ lineId: 'l1', quantity: 3 }, { lineId: 'l2', quantity: 2 }],
      reason: 'customer_request',
      requestedAt: NOW,
      mode: 'node',
    });
  });
});

describe('fulfillment.cancellation_result', () => {
  const asked = decided(releasedAtA(), cancelAtNodes({ node_a: CAN_CANCEL }));

  it('cancelled: the units asked for are cancelled and their reservations released', () => {
    const state = spec.given(asked).when(recordFact(factCancellation(ful(1), 'cancelled'))).then([fulfillmentCancelled(1, 'node_a', ALL)]);
    const order = orderOf(state);
    expect(order.lines.map((l) => l.buckets.cancelled)).toEqual([3, 2]);
    expect(order.reservations).toEqual([]);
    expect(order.fulfillments[0]).toMatchObject({ status: 'cancelled', lines: [] });
    expect(order.fulfillments[0]?.cancelRequest).toBeUndefined();
    expect(deriveStatus(order)).toBe('cancelled');
  });

  it('cancelled with lines: what the node says it cancelled, the rest stays with it', () => {
    const state = spec
      .given(asked)
      .when(recordFact(factCancellation(ful(1), 'cancelled', [['l2', 2]])))
      .then([fulfillmentCancelled(1, 'node_a', [['l2', 2]])]);
    expect(bucketsOf(state, 'l1')).toMatchObject({ released: 3, cancelled: 0 });
    expect(orderOf(state).fulfillments[0]).toMatchObject({ status: 'released', lines: [{ lineId: 'l1', quantity: 3 }] });
    expect(orderOf(state).fulfillments[0]?.cancelRequest).toBeUndefined();
    // Released outranks a partial cancellation in the derived status.
    expect(deriveStatus(orderOf(state))).toBe('released');
  });

  it('cancelled for a partial request: only that part', () => {
    const part = decided(releasedAtA(), cancelAtNodes({ node_a: CAN_CANCEL }, [{ lineId: 'l1', quantity: 1 }]));
    const state = spec.given(part).when(recordFact(factCancellation(ful(1), 'cancelled'))).then([fulfillmentCancelled(1, 'node_a', [['l1', 1]])]);
    expect(orderOf(state).fulfillments[0]).toMatchObject({ status: 'released', lines: [{ lineId: 'l1', quantity: 2 }, { lineId: 'l2', quantity: 2 }] });
  });

  it('cancelled, reported by a human for a request the node could not take', () => {
    const manual = decided(releasedAtA(), cancelAtNodes({ node_a: CANNOT_CANCEL }));
    spec.given(manual).when(recordFact(factCancellation(ful(1), 'cancelled'))).then([fulfillmentCancelled(1, 'node_a', ALL)]);
  });

  it('refused: the units stay with the node and the request is closed', () => {
    const state = spec
      .given(asked)
      .when(recordFact(factCancellation(ful(1), 'refused', undefined, 'already_picked')))
      .then([{ type: 'CancellationRefused', data: { fulfillmentId: ful(1), nodeId: 'node_a', reason: 'already_picked' } }]);
    expect(orderOf(state).fulfillments[0]?.status).toBe('released');
    expect(orderOf(state).fulfillments[0]?.cancelRequest).toBeUndefined();
    expect(bucketsOf(state, 'l1')).toMatchObject({ released: 3, cancelled: 0 });
    // The units can be asked for again.
    spec.givenState(state).when(cancelAtNodes({ node_a: CAN_CANCEL })).then([requested(ful(1), 'node_a', ALL, 'node')]);
  });

  it('refused without a reason says so', () => {
    spec.given(asked).when(recordFact(factCancellation(ful(1), 'refused'))).then([{ type: 'CancellationRefused', data: { fulfillmentId: ful(1), nodeId: 'node_a', reason: 'refused' } }]);
  });

  it('cancelled after part already shipped: what is left is cancelled, the shipped part is a conflict', () => {
    const shippedOne = decided(asked, recordFact(factShipped(ful(1), 'shp_1', [['l1', 1]])));
    const fact = factCancellation(ful(1), 'cancelled');
    const state = spec
      .given(shippedOne)
      .when(recordFact(fact))
      .then([
        fulfillmentCancelled(1, 'node_a', [['l1', 2], ['l2', 2]]),
        conflictDetected(
          'unexpected_cancellation_result',
          fact,
          true,
          ['resync', 'escalate'],
          ful(1),
          `node_a reports 1 unit(s) of ${ful(1)} cancelled that had already shipped or were not asked`,
        ),
      ]);
    expect(bucketsOf(state, 'l1')).toMatchObject({ shipped: 1, cancelled: 2, released: 0 });
    expect(orderOf(state).fulfillments[0]?.status).toBe('shipped');
  });

  it('cancelled after everything shipped: refused for it, and a conflict that applies nothing', () => {
    const allShipped = decided(asked, recordFact(factShipped(ful(1), 'shp_1', ALL)));
    const fact = factCancellation(ful(1), 'cancelled');
    const state = spec
      .given(allShipped)
      .when(recordFact(fact))
      .then([
        { type: 'CancellationRefused', data: { fulfillmentId: ful(1), nodeId: 'node_a', reason: 'nothing left open to cancel' } },
        conflictDetected('unexpected_cancellation_result', fact, false, ['resync', 'escalate'], ful(1)),
      ]);
    expect(orderOf(state).lines.map((l) => l.buckets.shipped)).toEqual([3, 2]);
  });

  it('cancelled with no request asked: a conflict that applies nothing (the node may not ship them)', () => {
    const fact = factCancellation(ful(1), 'cancelled');
    const state = spec
      .given(releasedAtA())
      .when(recordFact(fact))
      .then([
        conflictDetected(
          'unexpected_cancellation_result',
          fact,
          false,
          ['resync', 'cancel', 'escalate'],
          ful(1),
          `node_a reports ${ful(1)} cancelled, but no cancellation was asked: its units may not ship`,
        ),
      ]);
    expect(bucketsOf(state, 'l1')).toMatchObject({ released: 3 });
  });

  it('refused with no request asked, or either answer repeated once the fulfillment is done: nothing', () => {
    spec.given(releasedAtA()).when(recordFact(factCancellation(ful(1), 'refused'))).then([]);
    const cancelled = decided(asked, recordFact(factCancellation(ful(1), 'cancelled')));
    spec.given(cancelled).when(recordFact(factCancellation(ful(1), 'cancelled'))).then([]);
    spec.given(cancelled).when(recordFact(factCancellation(ful(1), 'refused'))).then([]);
    const refused = decided(asked, recordFact(factCancellation(ful(1), 'refused')));
    spec.given(refused).when(recordFact(factCancellation(ful(1), 'refused'))).then([]);
  });
});

describe('a fulfillment handed back while its cancellation is awaited', () => {
  // One l1 asked to be cancelled at node_a; two l1 and two l2 remain the node's.
  const asked = decided(releasedAtA(), cancelAtNodes({ node_a: CAN_CANCEL }, [{ lineId: 'l1', quantity: 1 }]));
  const handBack = (reason: string, withdrawn: boolean): OrderEvent => ({
    type: 'FulfillmentRejected',
    data: {
      fulfillmentId: ful(1),
      nodeId: 'node_a',
      reason,
      ...(withdrawn ? { withdrawn: true } : {}),
      moves: [
        { lineId: 'l1', from: 'released', to: 'cancelled', quantity: 1 },
        { lineId: 'l1', from: 'released', to: 'unallocated', quantity: 2 },
        { lineId: 'l2', from: 'released', to: 'unallocated', quantity: 2 },
      ],
      releases: [
        { reservationId: rsv(1, 1), nodeId: 'node_a', sku: 'SKU-l1', quantity: 3 },
        { reservationId: rsv(1, 2), nodeId: 'node_a', sku: 'SKU-l2', quantity: 2 },
      ],
      at: NOW,
    },
  });

  it('rejected by the node: the units asked for are cancelled, not routed again', () => {
    const state = spec.given(asked).when(recordFact(factAcknowledged(ful(1), false, 'no_stock'))).then([handBack('no_stock', false)]);
    expect(orderOf(state).lines.map((l) => [l.buckets.unallocated, l.buckets.cancelled])).toEqual([
      [2, 1],
      [2, 0],
    ]);
    expect(orderOf(state).fulfillments[0]).toMatchObject({ status: 'rejected', lines: [] });
    expect(orderOf(state).fulfillments[0]?.cancelRequest).toBeUndefined();
    // The node's late answer to the cancellation changes nothing.
    spec.givenState(state).when(recordFact(factCancellation(ful(1), 'cancelled'))).then([]);
  });

  it('withdrawn: the same', () => {
    const state = spec.given(asked).when(withdrawFulfillment(ful(1), 'operator')).then([handBack('operator', true)]);
    expect(bucketsOf(state, 'l1')).toMatchObject({ unallocated: 2, cancelled: 1, released: 0 });
  });

  it('rejected whole after the whole was asked: everything is cancelled', () => {
    const all = decided(releasedAtA(), cancelAtNodes({ node_a: CAN_CANCEL }));
    const state = fold(decided(all, recordFact(factAcknowledged(ful(1), false))));
    expect(orderOf(state).lines.map((l) => [l.buckets.unallocated, l.buckets.cancelled])).toEqual([
      [0, 3],
      [0, 2],
    ]);
    expect(deriveStatus(orderOf(state))).toBe('cancelled');
  });
});
