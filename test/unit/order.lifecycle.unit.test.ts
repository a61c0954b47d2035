import { describe, expect, it } from 'vitest';
import type { OrderCommand, OrderEvent, OrderState } from '../../src/domain/order/index.js';
import { deriveStatus, fold } from '../../src/domain/order/index.js';
import { deciderSpec } from '../support/deciderSpec.js';
import {
  cancelOrder,
  NOW,
  ORDER_VALUE,
  ROUTE_ALL_AT_A,
  authorizeReturn,
  cancelAtNodes,
  CAN_CANCEL,
  closeOrder,
  conflictDetected,
  decided,
  gatewayPlaced,
  factAcknowledged,
  factCancellation,
  factDelivered,
  factReturnReceived,
  factShipped,
  ful,
  heldLines,
  holdReleased,
  orderDecider,
  orderHeld,
  orderPlaced,
  paymentAuthorized,
  recordFact,
  releaseFulfillments,
  releaseHold,
  releasedAtA,
  ret,
  routeOrder,
  rsv,
  settlePayments,
  withdrawFulfillment,
  orderOf,
  bucketsOf,
} from '../support/orderFixtures.js';

const spec = deciderSpec(orderDecider);

const fulfillmentOf = (state: OrderState, id: string) => orderOf(state).fulfillments.find((f) => f.id === id)!;

const released = (fulfillmentId: string, nodeId: string, lines: readonly (readonly [string, number])[], at = NOW): OrderEvent => ({
  type: 'FulfillmentReleased',
  data: { fulfillmentId, nodeId, moves: lines.map(([lineId, quantity]) => ({ lineId, from: 'allocated', to: 'released', quantity })), at },
});

/** ful(1) at node_a holding l1 × 3 and l2 × 2, handed back: every unit to unallocated, both reservations released. */
const rejectedAtA = (reason: string, withdrawn: boolean): OrderEvent => ({
  type: 'FulfillmentRejected',
  data: {
    fulfillmentId: ful(1),
    nodeId: 'node_a',
    reason,
    ...(withdrawn ? { withdrawn: true } : {}),
    moves: [
      { lineId: 'l1', from: 'released', to: 'unallocated', quantity: 3 },
      { lineId: 'l2', from: 'released', to: 'unallocated', quantity: 2 },
    ],
    releases: [
      { reservationId: rsv(1, 1), nodeId: 'node_a', sku: 'SKU-l1', quantity: 3 },
      { reservationId: rsv(1, 2), nodeId: 'node_a', sku: 'SKU-l2', quantity: 2 },
    ],
    at: NOW,
  },
});

describe('ReleaseFulfillments', () => {
  const routed = decided([orderPlaced()], ROUTE_ALL_AT_A);

  it('hands every allocated fulfillment to its node: units move to released, reservations stay held', () => {
    const state = spec.given(routed).when(releaseFulfillments()).then([released(ful(1), 'node_a', [['l1', 3], ['l2', 2]])]);
    const order = orderOf(state);
    expect(order.fulfillments).toEqual([
      {
        id: ful(1), nodeId: 'node_a', stage: 'released', status: 'released', releasedAt: NOW, lines: heldLines([['l1', 3], ['l2', 2]]), shipments: [],
        // What the node was given, kept for reconciliation after lines are cancelled or handed back.
        releasedLines: heldLines([['l1', 3], ['l2', 2]]),
      },
    ]);
    expect(order.lines.map((l) => [l.buckets.allocated, l.buckets.released])).toEqual([
      [0, 3],
      [0, 2],
    ]);
    expect(order.reservations.map((r) => [r.reservationId, r.quantity])).toEqual([
      [rsv(1, 1), 3],
      [rsv(1, 2), 2],
    ]);
    expect(deriveStatus(order)).toBe('released');
  });

  it('releases only the fulfillments named, and the order shows partially_released', () => {
    const split = decided([orderPlaced()], routeOrder([['node_a', [['l1', 3]]], ['node_b', [['l2', 2]]]]));
    const state = spec.given(split).when(releaseFulfillments([ful(2)])).then([released(ful(2), 'node_b', [['l2', 2]])]);
    expect(orderOf(state).fulfillments.map((f) => f.status)).toEqual(['allocated', 'released']);
    expect(deriveStatus(orderOf(state))).toBe('partially_released');
  });

  it('releases what is left of a partly cancelled fulfillment, and skips one cancelled whole', () => {
    const split = decided(
      [orderPlaced()],
      routeOrder([['node_a', [['l1', 3]]], ['node_b', [['l2', 2]]]]),
      cancelAtNodes({}, [
        { lineId: 'l1', quantity: 1 },
        { lineId: 'l2', quantity: 2 },
      ]),
    );
    expect(orderOf(fold(split)).fulfillments.map((f) => f.status)).toEqual(['allocated', 'cancelled']);
    spec.given(split).when(releaseFulfillments()).then([released(ful(1), 'node_a', [['l1', 2]])]);
  });

  it('refuses when nothing is allocated and waiting, e.g. a second time', () => {
    spec.given(releasedAtA()).when(releaseFulfillments()).thenFails('illegal_transition', /nothing is allocated and waiting to be released/);
    spec.given([orderPlaced()]).when(releaseFulfillments()).thenFails('illegal_transition', /nothing is allocated/);
  });

  it('is blocked by any hold, and goes ahead once the hold is released', () => {
    const held = [...routed, orderHeld('fraud'), orderHeld('address')];
    spec.given(held).when(releaseFulfillments()).thenFails('illegal_transition', /cannot release: the order is on hold \(fraud, address\)/);
    const unheld = decided(held, releaseHold('fraud'), releaseHold('address'));
    spec.given(unheld).when(releaseFulfillments()).then([released(ful(1), 'node_a', [['l1', 3], ['l2', 2]])]);
  });

  it('under channel payments needs no authorization', () => {
    expect(orderOf(fold(routed)).payment.authorized).toBe(0);
    spec.given(routed).when(releaseFulfillments()).then([released(ful(1), 'node_a', [['l1', 3], ['l2', 2]])]);
  });

  it('under gateway payments waits for an authorization that covers the order', () => {
    const routedGateway = decided([gatewayPlaced()], ROUTE_ALL_AT_A);
    spec
      .given(routedGateway)
      .when(releaseFulfillments())
      .thenFails('illegal_transition', new RegExp(`payment authorized for 0, the order needs ${ORDER_VALUE}`));
    spec
      .given([...routedGateway, paymentAuthorized('auth_1', ORDER_VALUE - 1)])
      .when(releaseFulfillments())
      .thenFails('illegal_transition', new RegExp(`payment authorized for ${ORDER_VALUE - 1}, the order needs ${ORDER_VALUE}`));
    spec
      .given([...routedGateway, paymentAuthorized('auth_1', ORDER_VALUE)])
      .when(releaseFulfillments())
      .then([released(ful(1), 'node_a', [['l1', 3], ['l2', 2]])]);
  });

  it('under gateway payments counts only the live value once part is cancelled', () => {
    const given = decided([gatewayPlaced()], ROUTE_ALL_AT_A, cancelAtNodes({}, [{ lineId: 'l2', quantity: 2 }]));
    spec
      .given([...given, paymentAuthorized('auth_1', 3 * 1999)])
      .when(releaseFulfillments())
      .then([released(ful(1), 'node_a', [['l1', 3]])]);
  });
});

describe('fulfillment.acknowledged', () => {
  it('acknowledges a released fulfillment', () => {
    const state = spec
      .given(releasedAtA())
      .when(recordFact(factAcknowledged(ful(1))))
      .then([{ type: 'FulfillmentAcknowledged', data: { fulfillmentId: ful(1), at: NOW } }]);
    expect(fulfillmentOf(state, ful(1))).toMatchObject({ stage: 'acknowledged', status: 'acknowledged', acknowledgedAt: NOW });
  });

  it('decides nothing for an acknowledgement already recorded, or one after the node moved on', () => {
    const acked = decided(releasedAtA(), recordFact(factAcknowledged(ful(1))));
    spec.given(acked).when(recordFact(factAcknowledged(ful(1)))).then([]);
    const picked = decided(acked, recordFact({ type: 'fulfillment.progress', fulfillmentId: ful(1), stage: 'picked' }));
    spec.given(picked).when(recordFact(factAcknowledged(ful(1)))).then([]);
  });

  it('records an answer for a fulfillment never released to the node as a conflict that applies nothing', () => {
    const fact = factAcknowledged(ful(1));
    spec
      .given(decided([orderPlaced()], ROUTE_ALL_AT_A))
      .when(recordFact(fact))
      .then([conflictDetected('activity_after_cancel', fact, false, ['resync', 'resolve'], ful(1), `node_a answered for ${ful(1)}, which was never released to it`)]);
  });

  it('a rejection hands the units back to be routed again: unallocated, reservations released, fulfillment rejected', () => {
    const state = spec
      .given(releasedAtA())
      .when(recordFact(factAcknowledged(ful(1), false, 'no_stock')))
      .then([rejectedAtA('no_stock', false)]);
    const order = orderOf(state);
    expect(order.lines.map((l) => [l.buckets.unallocated, l.buckets.released])).toEqual([
      [3, 0],
      [2, 0],
    ]);
    expect(order.reservations).toEqual([]);
    expect(fulfillmentOf(state, ful(1))).toMatchObject({ status: 'rejected', rejected: 'no_stock', lines: [] });
    expect(deriveStatus(order)).toBe('created');
    // The units route again: the next fulfillment is numbered on.
    spec
      .givenState(state)
      .when(routeOrder([['node_b', [['l1', 3], ['l2', 2]]]], [], 'dec_2'))
      .then([
        expect.objectContaining({
          type: 'OrderRouted',
          data: expect.objectContaining({ fulfillments: [expect.objectContaining({ fulfillmentId: ful(2), nodeId: 'node_b' })] }),
        }) as OrderEvent,
      ]);
  });

  it('a rejection after acknowledgement, before anything shipped, still hands the units back; the reason defaults', () => {
    const acked = decided(releasedAtA(), recordFact(factAcknowledged(ful(1))));
    spec.given(acked).when(recordFact(factAcknowledged(ful(1), false))).then([rejectedAtA('rejected', false)]);
  });

  it('a rejection after part has shipped is a conflict that applies nothing: the node has the goods', () => {
    const given = decided(releasedAtA(), recordFact(factShipped(ful(1), 'shp_1', [['l1', 1]])));
    const fact = factAcknowledged(ful(1), false, 'damaged');
    const state = spec
      .given(given)
      .when(recordFact(fact))
      .then([conflictDetected('activity_after_cancel', fact, false, ['resync', 'escalate'], ful(1))]);
    expect(bucketsOf(state, 'l1')).toMatchObject({ released: 2, shipped: 1, unallocated: 0 });
    expect(orderOf(state).exceptions).toEqual([{ exceptionId: 'exc_fact', type: 'activity_after_cancel', fulfillmentId: ful(1) }]);
  });

  it('decides nothing for a rejection repeated, or a rejection of a fulfillment already cancelled', () => {
    const rejected = decided(releasedAtA(), recordFact(factAcknowledged(ful(1), false, 'no_stock')));
    spec.given(rejected).when(recordFact(factAcknowledged(ful(1), false, 'no_stock'))).then([]);
    const cancelled = decided(releasedAtA(), cancelAtNodes({ node_a: CAN_CANCEL }), recordFact(factCancellation(ful(1), 'cancelled')));
    spec.given(cancelled).when(recordFact(factAcknowledged(ful(1), false))).then([]);
  });

  it.each([
    ['rejected', () => decided(releasedAtA(), recordFact(factAcknowledged(ful(1), false, 'no_stock')))],
    ['withdrawn', () => decided(releasedAtA(), withdrawFulfillment(ful(1)))],
  ])('a late acceptance of a fulfillment %s is a conflict: the node may still ship what went elsewhere', (_, history) => {
    const fact = factAcknowledged(ful(1));
    const state = spec
      .given(history())
      .when(recordFact(fact))
      .then([
        conflictDetected(
          'activity_after_cancel',
          fact,
          false,
          ['cancel', 'resync', 'resolve'],
          ful(1),
          `node_a acknowledged ${ful(1)}, which is rejected and re-routed: the node may still ship it`,
        ),
      ]);
    expect(bucketsOf(state, 'l1')).toMatchObject({ unallocated: 3, released: 0 });
  });

  it('a late acceptance of a fulfillment the node itself confirmed cancelled says nothing new (its later word wins)', () => {
    const cancelled = decided(releasedAtA(), cancelAtNodes({ node_a: CAN_CANCEL }), recordFact(factCancellation(ful(1), 'cancelled')));
    spec.given(cancelled).when(recordFact(factAcknowledged(ful(1)))).then([]);
  });

  it('a late acceptance of a fulfillment cancelled before release (the node never had it) is a conflict', () => {
    const cancelled = decided([orderPlaced()], ROUTE_ALL_AT_A, cancelOrder());
    const fact = factAcknowledged(ful(1));
    spec
      .given(cancelled)
      .when(recordFact(fact))
      .then([conflictDetected('activity_after_cancel', fact, false, ['cancel', 'resync', 'resolve'], ful(1), expect.stringMatching(/which is cancelled/))]);
  });
});

describe('fulfillment.progress', () => {
  const acked = decided(releasedAtA(), recordFact(factAcknowledged(ful(1))));
  const progress = (stage: 'picked' | 'packed' | 'ready_for_pickup', at = NOW): OrderCommand =>
    recordFact({ type: 'fulfillment.progress', fulfillmentId: ful(1), stage }, 'exc_fact', at);

  it('records each stage the node reports, and when a pickup became ready', () => {
    const picked = spec
      .given(acked)
      .when(progress('picked'))
      .then([{ type: 'FulfillmentProgressed', data: { fulfillmentId: ful(1), stage: 'picked', at: NOW } }]);
    expect(fulfillmentOf(picked, ful(1)).status).toBe('picked');
    const later = '2025-03-01T12:00:00.000Z';
    const ready = spec
      .givenState(picked)
      .when(progress('ready_for_pickup', later))
      .then([{ type: 'FulfillmentProgressed', data: { fulfillmentId: ful(1), stage: 'ready_for_pickup', at: later } }]);
    expect(fulfillmentOf(ready, ful(1))).toMatchObject({ stage: 'ready_for_pickup', status: 'ready_for_pickup', readyAt: later });
  });

  it('takes progress before any acknowledgement (the node moved on)', () => {
    spec
      .given(releasedAtA())
      .when(progress('packed'))
      .then([{ type: 'FulfillmentProgressed', data: { fulfillmentId: ful(1), stage: 'packed', at: NOW } }]);
  });

  it('decides nothing for the same stage again', () => {
    spec.given(decided(acked, progress('packed'))).when(progress('packed')).then([]);
  });

  it('decides nothing for an earlier stage reported late or again: the stage never goes back', () => {
    const packed = decided(acked, progress('picked'), progress('packed'));
    spec.given(packed).when(progress('picked')).then([]);
    const ready = decided(packed, progress('ready_for_pickup'));
    spec.given(ready).when(progress('packed')).then([]);
    spec.given(ready).when(progress('picked')).then([]);
  });

  it('decides nothing for progress reported once everything shipped', () => {
    spec.given(decided(acked, recordFact(factShipped(ful(1), 'shp_1', [['l1', 3], ['l2', 2]])))).when(progress('packed')).then([]);
  });

  it('records progress on a rejected fulfillment as a conflict that applies nothing', () => {
    const fact = { type: 'fulfillment.progress' as const, fulfillmentId: ful(1), stage: 'picked' as const };
    spec
      .given(decided(releasedAtA(), recordFact(factAcknowledged(ful(1), false))))
      .when(recordFact(fact))
      .then([conflictDetected('activity_after_cancel', fact, false, ['cancel', 'resync', 'resolve'], ful(1))]);
  });
});

describe('WithdrawFulfillment', () => {
  it('takes back a released fulfillment the node has not acknowledged: units to unallocated, reservations released', () => {
    const state = spec.given(releasedAtA()).when(withdrawFulfillment(ful(1), 'ack_sla_breached')).then([rejectedAtA('ack_sla_breached', true)]);
    expect(fulfillmentOf(state, ful(1))).toMatchObject({ status: 'rejected', rejected: 'ack_sla_breached', lines: [] });
    expect(orderOf(state).reservations).toEqual([]);
    expect(deriveStatus(orderOf(state))).toBe('created');
  });

  it('takes back an acknowledged fulfillment too (an operator re-routes away from the node), nothing having shipped', () => {
    const state = spec
      .given(decided(releasedAtA(), recordFact(factAcknowledged(ful(1)))))
      .when(withdrawFulfillment(ful(1), 'ack_sla_breached'))
      .then([rejectedAtA('ack_sla_breached', true)]);
    expect(fulfillmentOf(state, ful(1))).toMatchObject({ status: 'rejected' });
  });

  it.each<[string, () => OrderEvent[]]>([
    ['allocated', () => decided([orderPlaced()], ROUTE_ALL_AT_A)],
    ['partially shipped', () => decided(releasedAtA(), recordFact(factShipped(ful(1), 'shp_1', [['l1', 1]])))],
    ['already withdrawn', () => decided(releasedAtA(), withdrawFulfillment(ful(1)))],
  ])('refuses a fulfillment that is %s', (_, history) => {
    spec.given(history()).when(withdrawFulfillment(ful(1))).thenFails('illegal_transition', /only a released fulfillment nothing of which has shipped can be withdrawn/);
  });

  it('refuses an unknown fulfillment as validation_failed on fulfillmentId', () => {
    const error = spec.given(releasedAtA()).when(withdrawFulfillment(ful(9))).thenFails('validation_failed');
    expect(error.errors).toEqual([{ path: 'fulfillmentId', message: `the order has no fulfillment ${ful(9)}` }]);
  });
});

describe('RaiseException', () => {
  const raise = (exceptionType: string, exceptionId: string, fulfillmentId?: string): OrderCommand => ({
    type: 'RaiseException',
    exceptionId,
    exceptionType,
    reason: 'node_a has not acknowledged in time',
    now: NOW,
    ...(fulfillmentId ? { fulfillmentId } : {}),
  });

  it('records an exception about the order', () => {
    const state = spec
      .given(releasedAtA())
      .when(raise('ack_sla_breached', 'exc_1', ful(1)))
      .then([{ type: 'ExceptionRaised', data: { exceptionId: 'exc_1', type: 'ack_sla_breached', reason: 'node_a has not acknowledged in time', fulfillmentId: ful(1) } }]);
    expect(orderOf(state).exceptions).toEqual([{ exceptionId: 'exc_1', type: 'ack_sla_breached', fulfillmentId: ful(1) }]);
  });

  it('raises one exception per type and fulfillment: a second sweep decides nothing new', () => {
    const given = decided(releasedAtA(), raise('ack_sla_breached', 'exc_1', ful(1)));
    spec.given(given).when(raise('ack_sla_breached', 'exc_2', ful(1))).thenFails('illegal_transition', new RegExp(`a ack_sla_breached exception is already raised for ${ful(1)}`));
    spec
      .given(given)
      .when(raise('cancellation_sla_breached', 'exc_2', ful(1)))
      .then([{ type: 'ExceptionRaised', data: { exceptionId: 'exc_2', type: 'cancellation_sla_breached', reason: 'node_a has not acknowledged in time', fulfillmentId: ful(1) } }]);
  });

  it('tells an order-wide exception apart from one about a fulfillment', () => {
    const given = decided(releasedAtA(), raise('manual_review', 'exc_1'));
    spec.given(given).when(raise('manual_review', 'exc_2')).thenFails('illegal_transition', /a manual_review exception is already raised$/);
    spec
      .given(given)
      .when(raise('manual_review', 'exc_2', ful(1)))
      .then([{ type: 'ExceptionRaised', data: { exceptionId: 'exc_2', type: 'manual_review', reason: 'node_a has not acknowledged in time', fulfillmentId: ful(1) } }]);
  });
});

describe('CloseOrder', () => {
  const DAY = 86_400_000;
  const deliveredAt = '2025-03-02T10:00:00.000Z';
  const daysAfterDelivery = (days: number) => new Date(Date.parse(deliveredAt) + days * DAY).toISOString();
  const delivered = decided(
    releasedAtA(),
    recordFact(factShipped(ful(1), 'shp_1', [['l1', 3], ['l2', 2]])),
    recordFact(factDelivered(ful(1), 'shp_1', deliveredAt)),
  );

  it('closes a delivered order once its return window is over', () => {
    expect(deriveStatus(orderOf(fold(delivered)))).toBe('delivered');
    const state = spec.given(delivered).when(closeOrder(daysAfterDelivery(30), 30)).then([{ type: 'OrderClosed', data: { at: daysAfterDelivery(30) } }]);
    expect(orderOf(state).closed).toBe(true);
    expect(deriveStatus(orderOf(state))).toBe('closed');
  });

  it('refuses inside the return window', () => {
    spec
      .given(delivered)
      .when(closeOrder(new Date(Date.parse(daysAfterDelivery(30)) - 1).toISOString(), 30))
      .thenFails('illegal_transition', new RegExp(`the return window is open until ${daysAfterDelivery(30).replace(/\./g, '\\.')}`));
  });

  it('counts the window from the last delivery', () => {
    const later = '2025-03-05T10:00:00.000Z';
    const twoDeliveries = decided(
      releasedAtA(),
      recordFact(factShipped(ful(1), 'shp_1', [['l1', 3]])),
      recordFact(factDelivered(ful(1), 'shp_1', deliveredAt)),
      recordFact(factShipped(ful(1), 'shp_2', [['l2', 2]])),
      recordFact(factDelivered(ful(1), 'shp_2', later)),
    );
    spec.given(twoDeliveries).when(closeOrder(daysAfterDelivery(30), 30)).thenFails('illegal_transition', /return window is open until 2025-04-04/);
  });

  it.each<[string, () => OrderEvent[], RegExp]>([
    ['placed', () => [orderPlaced()], /5 unit\(s\) are not yet delivered, cancelled or returned/],
    ['released', () => releasedAtA(), /5 unit\(s\) are not yet/],
    ['shipped, not delivered', () => decided(releasedAtA(), recordFact(factShipped(ful(1), 'shp_1', [['l1', 3], ['l2', 2]]))), /5 unit\(s\) are not yet/],
    [
      'delivered but for one unit being cancelled',
      () =>
        decided(
          releasedAtA(),
          recordFact(factShipped(ful(1), 'shp_1', [['l1', 3], ['l2', 1]])),
          recordFact(factDelivered(ful(1), 'shp_1', deliveredAt)),
          cancelAtNodes({ node_a: CAN_CANCEL }),
        ),
      /1 unit\(s\) are not yet/,
    ],
  ])('refuses an order whose units are not all terminal (%s)', (_, history, message) => {
    spec.given(history()).when(closeOrder(daysAfterDelivery(365))).thenFails('illegal_transition', message);
  });

  it('refuses while a return is awaited, and closes once it is received', () => {
    const awaited = decided(delivered, authorizeReturn([{ lineId: 'l1', quantity: 1 }]));
    spec.given(awaited).when(closeOrder(daysAfterDelivery(60))).thenFails('illegal_transition', /a return is still awaited/);
    const received = decided(awaited, recordFact(factReturnReceived(ret(1), [['l1', 1, 'restock']])));
    spec.given(received).when(closeOrder(daysAfterDelivery(60))).then([{ type: 'OrderClosed', data: { at: daysAfterDelivery(60) } }]);
  });

  it('refuses an order whose money is not settled (gateway payments)', () => {
    const gatewayDelivered = decided(
      [gatewayPlaced(), paymentAuthorized('auth_1', ORDER_VALUE)],
      ROUTE_ALL_AT_A,
      releaseFulfillments(),
      recordFact(factShipped(ful(1), 'shp_1', [['l1', 3], ['l2', 2]])),
      recordFact(factDelivered(ful(1), 'shp_1', deliveredAt)),
    );
    spec.given(gatewayDelivered).when(closeOrder(daysAfterDelivery(60))).thenFails('illegal_transition', /payments are not settled/);
    const asked = decided(gatewayDelivered, settlePayments());
    spec.given(asked).when(closeOrder(daysAfterDelivery(60))).thenFails('illegal_transition', /payments are not settled/);
    const captured = decided(asked, recordFact({ type: 'payment.captured', captureId: 'cap_1', amount: ORDER_VALUE, reference: 'capture-1' }));
    spec.given(captured).when(closeOrder(daysAfterDelivery(60))).then([{ type: 'OrderClosed', data: { at: daysAfterDelivery(60) } }]);
  });

  it('leaves a wholly cancelled order cancelled: closing it would only hide why it ended', () => {
    const cancelled = decided([orderPlaced()], cancelAtNodes({}));
    spec.given(cancelled).when(closeOrder(NOW)).thenFails('illegal_transition', /a cancelled order stays cancelled/);
  });

  it('once closed, refuses every command but still records facts', () => {
    const closed = decided(delivered, closeOrder(daysAfterDelivery(31)));
    spec.given(closed).when(closeOrder(daysAfterDelivery(32))).thenFails('illegal_transition', /^a closed order does not accept CloseOrder$/);
    spec.given(closed).when(releaseHold('fraud')).thenFails('illegal_transition', /^a closed order does not accept ReleaseHold$/);
    spec.given(closed).when(authorizeReturn([{ lineId: 'l1', quantity: 1 }])).thenFails('illegal_transition', /^a closed order does not accept AuthorizeReturn$/);
    // A shipment reported again after closing is a duplicate, not a refusal.
    spec.given(closed).when(recordFact(factShipped(ful(1), 'shp_1', [['l1', 3], ['l2', 2]]))).then([]);
  });
});

describe('holds and the lifecycle', () => {
  it('a hold on a released order stays until released; facts are recorded meanwhile', () => {
    const held = decided(releasedAtA(), { type: 'HoldOrder', holdType: 'manual', now: NOW });
    expect(deriveStatus(orderOf(fold(held)))).toBe('on_hold');
    const state = spec
      .given(held)
      .when(recordFact(factShipped(ful(1), 'shp_1', [['l1', 1]])))
      .then([expect.objectContaining({ type: 'ShipmentConfirmed' }) as OrderEvent]);
    // Once something shipped, the shipment shows rather than the hold.
    expect(deriveStatus(orderOf(state))).toBe('partially_shipped');
    spec.givenState(state).when(releaseHold('manual')).then([holdReleased('manual')]);
  });
});
