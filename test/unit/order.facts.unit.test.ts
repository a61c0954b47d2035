import { describe, expect, it } from 'vitest';
import type { OrderEvent, OrderFact, ReservationRelease } from '../../src/domain/order/index.js';
import { deriveStatus, fold } from '../../src/domain/order/index.js';
import { deciderSpec } from '../support/deciderSpec.js';
import {
  CAN_CANCEL,
  NOW,
  ROUTE_ALL_AT_A,
  authorizeReturn,
  bucketsOf,
  cancelAtNodes,
  conflictDetected,
  decided,
  draft,
  factCancellation,
  factDelivered,
  factReturnReceived,
  factShipped,
  ful,
  heldLines,
  orderDecider,
  orderOf,
  orderPlaced,
  recordFact,
  releaseFulfillments,
  releasedAtA,
  ret,
  routeOrder,
  rsv,
} from '../support/orderFixtures.js';

const spec = deciderSpec(orderDecider);

const LATER = '2025-03-03T08:00:00.000Z';

/** The ShipmentConfirmed for `lines` of ful(n) at `nodeId`, committing its reservations (line position = digit of the lineId). */
const shipmentConfirmed = (
  shipmentId: string,
  lines: readonly (readonly [string, number])[],
  extra: { fulfillment?: number; nodeId?: string; shippedAt?: string; carrier?: string; trackingNumber?: string } = {},
): OrderEvent => {
  const n = extra.fulfillment ?? 1;
  const nodeId = extra.nodeId ?? 'node_a';
  return {
    type: 'ShipmentConfirmed',
    data: {
      fulfillmentId: ful(n),
      nodeId,
      shipmentId,
      lines: lines.map(([lineId, quantity]) => ({ lineId, sku: `SKU-${lineId}`, quantity })),
      ...(extra.carrier !== undefined ? { carrier: extra.carrier } : {}),
      ...(extra.trackingNumber !== undefined ? { trackingNumber: extra.trackingNumber } : {}),
      shippedAt: extra.shippedAt ?? NOW,
      moves: lines.map(([lineId, quantity]) => ({ lineId, from: 'released', to: 'shipped', quantity })),
      commits: lines.map(([lineId, quantity]): ReservationRelease => ({ reservationId: rsv(n, Number(lineId.slice(1))), nodeId, sku: `SKU-${lineId}`, quantity })),
    },
  };
};

const deliveryConfirmed = (shipmentId: string, lines: readonly (readonly [string, number])[], deliveredAt = NOW, fulfillment = 1): OrderEvent => ({
  type: 'DeliveryConfirmed',
  data: {
    fulfillmentId: ful(fulfillment),
    shipmentId,
    deliveredAt,
    moves: lines.map(([lineId, quantity]) => ({ lineId, from: 'shipped', to: 'delivered', quantity })),
  },
});

describe('fulfillment.shipped', () => {
  it('ships part of a fulfillment: units to shipped, their reservations committed, the shipment kept', () => {
    const fact: OrderFact = { ...factShipped(ful(1), 'shp_1', [['l1', 1]]), carrier: 'UPS', trackingNumber: '1Z999' } as OrderFact;
    const state = spec
      .given(releasedAtA())
      .when(recordFact(fact))
      .then([shipmentConfirmed('shp_1', [['l1', 1]], { carrier: 'UPS', trackingNumber: '1Z999' })]);
    const order = orderOf(state);
    expect(bucketsOf(state, 'l1')).toMatchObject({ released: 2, shipped: 1 });
    expect(order.reservations.map((r) => [r.reservationId, r.quantity])).toEqual([
      [rsv(1, 1), 2],
      [rsv(1, 2), 2],
    ]);
    expect(order.fulfillments[0]).toMatchObject({
      status: 'partially_shipped',
      lines: heldLines([['l1', 3, 1], ['l2', 2]]),
      shipments: [{ shipmentId: 'shp_1', lines: [{ lineId: 'l1', quantity: 1 }], shippedAt: NOW, carrier: 'UPS', trackingNumber: '1Z999' }],
    });
    expect(deriveStatus(order)).toBe('partially_shipped');
  });

  it('takes several partial shipments until everything has shipped', () => {
    const first = decided(releasedAtA(), recordFact(factShipped(ful(1), 'shp_1', [['l1', 1]])));
    const second = spec
      .given(first)
      .when(recordFact(factShipped(ful(1), 'shp_2', [['l1', 2], ['l2', 1]], LATER)))
      .then([shipmentConfirmed('shp_2', [['l1', 2], ['l2', 1]], { shippedAt: LATER })]);
    expect(orderOf(second).fulfillments[0]?.status).toBe('partially_shipped');
    const third = spec
      .givenState(second)
      .when(recordFact(factShipped(ful(1), 'shp_3', [['l2', 1]])))
      .then([shipmentConfirmed('shp_3', [['l2', 1]])]);
    const order = orderOf(third);
    expect(order.fulfillments[0]).toMatchObject({ status: 'shipped', lines: heldLines([['l1', 3, 3], ['l2', 2, 2]]) });
    expect(order.fulfillments[0]?.shipments.map((s) => s.shipmentId)).toEqual(['shp_1', 'shp_2', 'shp_3']);
    expect(order.reservations).toEqual([]);
    expect(order.lines.map((l) => [l.buckets.released, l.buckets.shipped])).toEqual([
      [0, 3],
      [0, 2],
    ]);
    expect(deriveStatus(order)).toBe('shipped');
  });

  it('resolves lines named by SKU within the fulfillment, and keeps packages', () => {
    spec
      .given(releasedAtA())
      .when(
        recordFact({
          type: 'fulfillment.shipped',
          fulfillmentId: ful(1),
          shipmentId: 'shp_1',
          lines: [{ sku: 'SKU-l2', quantity: 2 }, { sku: 'SKU-l1', quantity: 1 }],
          packages: [{ trackingNumber: 'T1', lines: [{ sku: 'SKU-l2', quantity: 2 }] }, { trackingNumber: 'T2' }],
          shippedAt: NOW,
        }),
      )
      .then([
        {
          type: 'ShipmentConfirmed',
          data: {
            fulfillmentId: ful(1),
            nodeId: 'node_a',
            shipmentId: 'shp_1',
            lines: [
              { lineId: 'l1', sku: 'SKU-l1', quantity: 1 },
              { lineId: 'l2', sku: 'SKU-l2', quantity: 2 },
            ],
            packages: [{ trackingNumber: 'T1', lines: [{ lineId: 'l2', quantity: 2 }] }, { trackingNumber: 'T2' }],
            shippedAt: NOW,
            moves: [
              { lineId: 'l1', from: 'released', to: 'shipped', quantity: 1 },
              { lineId: 'l2', from: 'released', to: 'shipped', quantity: 2 },
            ],
            commits: [
              { reservationId: rsv(1, 1), nodeId: 'node_a', sku: 'SKU-l1', quantity: 1 },
              { reservationId: rsv(1, 2), nodeId: 'node_a', sku: 'SKU-l2', quantity: 2 },
            ],
          },
        },
      ]);
  });

  it('decides nothing for the same shipment reported again', () => {
    const fact = factShipped(ful(1), 'shp_1', [['l1', 2]]);
    const given = decided(releasedAtA(), recordFact(fact));
    spec.given(given).when(recordFact(fact)).then([]);
    // The same lines named by SKU are the same shipment.
    spec
      .given(given)
      .when(recordFact({ type: 'fulfillment.shipped', fulfillmentId: ful(1), shipmentId: 'shp_1', lines: [{ sku: 'SKU-l1', quantity: 2 }], shippedAt: LATER }))
      .then([]);
  });

  it('records a shipment reported again with different lines as a conflict that applies nothing', () => {
    const given = decided(releasedAtA(), recordFact(factShipped(ful(1), 'shp_1', [['l1', 2]])));
    const changed = factShipped(ful(1), 'shp_1', [['l1', 3]]);
    const state = spec
      .given(given)
      .when(recordFact(changed))
      .then([
        conflictDetected(
          'shipment_changed',
          changed,
          false,
          ['resync', 'accept_external', 'resolve'],
          ful(1),
          `shipment shp_1 of ${ful(1)} was reported again with different lines (3 × l1)`,
        ),
      ]);
    expect(bucketsOf(state, 'l1')).toMatchObject({ released: 1, shipped: 2 });
  });

  it('records an over-shipment as a conflict after applying what was open', () => {
    const fact = factShipped(ful(1), 'shp_1', [['l1', 5], ['l2', 2]]);
    const state = spec
      .given(releasedAtA())
      .when(recordFact(fact))
      .then([
        shipmentConfirmed('shp_1', [['l1', 3], ['l2', 2]]),
        conflictDetected('over_shipment', fact, true, ['resync', 'accept_external', 'escalate'], ful(1), `2 × l1 shipped beyond what ${ful(1)} holds open at node_a`),
      ]);
    // Nothing counted twice or beyond the order: the line holds its 3 units.
    expect(bucketsOf(state, 'l1')).toMatchObject({ released: 0, shipped: 3 });
    expect(orderOf(state).exceptions).toEqual([{ exceptionId: 'exc_fact', type: 'over_shipment', fulfillmentId: ful(1) }]);
  });

  it('records a shipment of a fulfillment with nothing open as a conflict that applies nothing', () => {
    const given = decided(releasedAtA(), recordFact(factShipped(ful(1), 'shp_1', [['l1', 3], ['l2', 2]])));
    const fact = factShipped(ful(1), 'shp_2', [['l1', 1]]);
    const state = spec
      .given(given)
      .when(recordFact(fact))
      .then([conflictDetected('over_shipment', fact, false, ['resync', 'accept_external', 'escalate'], ful(1))]);
    expect(orderOf(state).fulfillments[0]?.shipments.map((s) => s.shipmentId)).toEqual(['shp_1']);
  });

  it('records a shipment of a fulfillment never released as a conflict that applies nothing', () => {
    const fact = factShipped(ful(1), 'shp_1', [['l1', 1]]);
    const state = spec
      .given(decided([orderPlaced()], ROUTE_ALL_AT_A))
      .when(recordFact(fact))
      .then([conflictDetected('over_shipment', fact, false, ['resync', 'accept_external', 'escalate'], ful(1))]);
    expect(bucketsOf(state, 'l1')).toMatchObject({ allocated: 3, shipped: 0 });
  });

  it('records lines the fulfillment does not hold as a conflict beside what it applied', () => {
    const split = decided([orderPlaced()], routeOrder([['node_a', [['l1', 3]]], ['node_b', [['l2', 2]]]]), releaseFulfillments());
    const fact = factShipped(ful(1), 'shp_1', [['l1', 1], ['l2', 1], ['l9', 1]]);
    const state = spec
      .given(split)
      .when(recordFact(fact))
      .then([
        shipmentConfirmed('shp_1', [['l1', 1]]),
        conflictDetected('unknown_line', fact, true, ['resync', 'accept_external', 'escalate'], ful(1), `lines not in ${ful(1)}: 1 × l2, 1 × l9`),
      ]);
    expect(bucketsOf(state, 'l2')).toMatchObject({ released: 2, shipped: 0 });
  });

  describe('after a cancellation', () => {
    it('applies what is still open and records the rest as shipment_after_cancel', () => {
      // node_a cancelled one l1; two remain open.
      const given = decided(
        releasedAtA(),
        cancelAtNodes({ node_a: CAN_CANCEL }, [{ lineId: 'l1', quantity: 1 }]),
        recordFact(factCancellation(ful(1), 'cancelled')),
      );
      expect(bucketsOf(fold(given), 'l1')).toMatchObject({ released: 2, cancelled: 1 });
      const fact = factShipped(ful(1), 'shp_1', [['l1', 3]]);
      const state = spec
        .given(given)
        .when(recordFact(fact))
        .then([
          shipmentConfirmed('shp_1', [['l1', 2]]),
          conflictDetected('shipment_after_cancel', fact, true, ['accept_external', 'resolve', 'escalate'], ful(1), expect.stringMatching(/the customer has goods that were cancelled/)),
        ]);
      expect(bucketsOf(state, 'l1')).toMatchObject({ released: 0, shipped: 2, cancelled: 1 });
    });

    it('an operator may adopt the node’s truth: the cancelled units it shipped move to shipped, once', () => {
      const given = decided(releasedAtA(), cancelAtNodes({ node_a: CAN_CANCEL }), recordFact(factCancellation(ful(1), 'cancelled')));
      const fact = factShipped(ful(1), 'shp_late', [['l1', 3]]);
      const conflicted = spec
        .given(given)
        .when(recordFact(fact, 'exc_late'))
        .then([conflictDetected('shipment_after_cancel', fact, false, ['accept_external', 'resolve', 'escalate'], ful(1), expect.any(String), 'exc_late')]);
      const accept = { type: 'AcceptExternalShipment' as const, exceptionId: 'exc_late', fact: fact as Extract<OrderFact, { type: 'fulfillment.shipped' }>, note: 'customer keeps it', now: NOW };
      const accepted = spec
        .givenState(conflicted)
        .when(accept)
        .then([
          {
            type: 'ExternalShipmentAccepted',
            data: {
              exceptionId: 'exc_late', fulfillmentId: ful(1), nodeId: 'node_a', shipmentId: 'shp_late', lines: [{ lineId: 'l1', sku: 'SKU-l1', quantity: 3 }],
              shippedAt: accept.fact.shippedAt, moves: [{ lineId: 'l1', from: 'cancelled', to: 'shipped', quantity: 3 }], note: 'customer keeps it',
            },
          },
        ]);
      expect(bucketsOf(accepted, 'l1')).toMatchObject({ cancelled: 0, shipped: 3 });
      expect(orderOf(accepted).fulfillments[0]).toMatchObject({ status: 'shipped', lines: [{ lineId: 'l1', quantity: 3, shipped: 3 }] });
      expect(deriveStatus(orderOf(accepted))).toBe('shipped'); // l2 stays cancelled
      spec.givenState(accepted).when(accept).thenFails('illegal_transition', /already accepted/);
      spec.givenState(conflicted).when({ ...accept, exceptionId: 'exc_other' }).thenFails('illegal_transition', /not a shipment after cancel/);
    });

    it('records a shipment of a fulfillment cancelled whole as shipment_after_cancel, applying nothing', () => {
      const given = decided(releasedAtA(), cancelAtNodes({ node_a: CAN_CANCEL }), recordFact(factCancellation(ful(1), 'cancelled')));
      expect(orderOf(fold(given)).fulfillments[0]?.status).toBe('cancelled');
      const fact = factShipped(ful(1), 'shp_1', [['l1', 3], ['l2', 2]]);
      const state = spec
        .given(given)
        .when(recordFact(fact))
        .then([conflictDetected('shipment_after_cancel', fact, false, ['accept_external', 'resolve', 'escalate'], ful(1), expect.stringMatching(/the customer has goods that were cancelled/))]);
      expect(orderOf(state).lines.map((l) => l.buckets.cancelled)).toEqual([3, 2]);
      expect(deriveStatus(orderOf(state))).toBe('cancelled');
    });

    it('records a shipment of one line cancelled at the fulfillment as shipment_after_cancel beside the rest', () => {
      const given = decided(
        releasedAtA(),
        cancelAtNodes({ node_a: CAN_CANCEL }, [{ lineId: 'l2', quantity: 2 }]),
        recordFact(factCancellation(ful(1), 'cancelled')),
      );
      const fact = factShipped(ful(1), 'shp_1', [['l1', 3], ['l2', 2]]);
      spec
        .given(given)
        .when(recordFact(fact))
        .then([
          shipmentConfirmed('shp_1', [['l1', 3]]),
          conflictDetected('shipment_after_cancel', fact, true, ['accept_external', 'resolve', 'escalate'], ful(1), expect.stringMatching(/the customer has goods that were cancelled/)),
        ]);
    });

    it('applies a shipment that beat the node’s answer to a cancellation request: the goods left first', () => {
      const asked = decided(releasedAtA(), cancelAtNodes({ node_a: CAN_CANCEL }));
      const state = spec
        .given(asked)
        .when(recordFact(factShipped(ful(1), 'shp_1', [['l1', 3], ['l2', 2]])))
        .then([shipmentConfirmed('shp_1', [['l1', 3], ['l2', 2]])]);
      expect(orderOf(state).fulfillments[0]?.status).toBe('shipped');
      expect(deriveStatus(orderOf(state))).toBe('shipped');
    });
  });

  it('refuses only malformed input: an unknown fulfillment as not_found, bad quantities as validation_failed', () => {
    spec.given(releasedAtA()).when(recordFact(factShipped(ful(9), 'shp_1', [['l1', 1]]))).thenFails('not_found', new RegExp(`no fulfillment ${ful(9)}`));
    const error = spec
      .given(releasedAtA())
      .when(recordFact({ type: 'fulfillment.shipped', fulfillmentId: ful(1), shipmentId: 'shp_1', lines: [{ lineId: 'l1', quantity: 0 }, { quantity: 1 }], shippedAt: NOW }))
      .thenFails('validation_failed');
    expect(error.errors?.map((e) => e.path)).toEqual(['lines[0].quantity', 'lines[1]']);
    spec.given([]).when(recordFact(factShipped(ful(1), 'shp_1', [['l1', 1]]))).thenFails('not_found', /order not found/);
  });
});

describe('fulfillment.delivered', () => {
  const shippedTwice = decided(
    releasedAtA(),
    recordFact(factShipped(ful(1), 'shp_1', [['l1', 2]])),
    recordFact(factShipped(ful(1), 'shp_2', [['l1', 1], ['l2', 2]])),
  );

  it('holds a delivery that overtakes its shipment, and applies it with the shipment, once', () => {
    const released = releasedAtA();
    const held = spec
      .given(released)
      .when(recordFact(factDelivered(ful(1), 'shp_1', LATER)))
      .then([{ type: 'DeliveryHeld', data: { fulfillmentId: ful(1), shipmentId: 'shp_1', deliveredAt: LATER } }]);
    spec.givenState(held).when(recordFact(factDelivered(ful(1), 'shp_1', LATER))).then([]);
    const shipped = spec
      .givenState(held)
      .when(recordFact(factShipped(ful(1), 'shp_1', [['l1', 2]])))
      .then([shipmentConfirmed('shp_1', [['l1', 2]]), deliveryConfirmed('shp_1', [['l1', 2]], LATER)]);
    expect(bucketsOf(shipped, 'l1')).toMatchObject({ released: 1, delivered: 2 });
    expect(orderOf(shipped).fulfillments[0]?.heldDeliveries).toEqual([]);
  });

  it('delivers one shipment by its id', () => {
    const state = spec
      .given(shippedTwice)
      .when(recordFact(factDelivered(ful(1), 'shp_1', LATER)))
      .then([deliveryConfirmed('shp_1', [['l1', 2]], LATER)]);
    const order = orderOf(state);
    expect(bucketsOf(state, 'l1')).toMatchObject({ shipped: 1, delivered: 2 });
    expect(order.fulfillments[0]?.shipments.map((s) => [s.shipmentId, s.deliveredAt])).toEqual([
      ['shp_1', LATER],
      ['shp_2', undefined],
    ]);
    expect(order.fulfillments[0]).toMatchObject({ status: 'shipped', lines: heldLines([['l1', 3, 3, 2], ['l2', 2, 2, 0]]) });
    expect(deriveStatus(order)).toBe('shipped');
  });

  it('shows delivered once every shipment is', () => {
    const state = spec
      .given(decided(shippedTwice, recordFact(factDelivered(ful(1), 'shp_1'))))
      .when(recordFact(factDelivered(ful(1), 'shp_2')))
      .then([deliveryConfirmed('shp_2', [['l1', 1], ['l2', 2]])]);
    expect(orderOf(state).fulfillments[0]?.status).toBe('delivered');
    expect(deriveStatus(orderOf(state))).toBe('delivered');
  });

  it('decides nothing for a delivery already recorded', () => {
    spec.given(decided(shippedTwice, recordFact(factDelivered(ful(1), 'shp_1')))).when(recordFact(factDelivered(ful(1), 'shp_1', LATER))).then([]);
  });

  it('without a shipment id, delivers every shipment not yet delivered', () => {
    spec
      .given(decided(shippedTwice, recordFact(factDelivered(ful(1), 'shp_1'))))
      .when(recordFact(factDelivered(ful(1), undefined, LATER)))
      .then([deliveryConfirmed('shp_2', [['l1', 1], ['l2', 2]], LATER)]);
    spec
      .given(shippedTwice)
      .when(recordFact(factDelivered(ful(1))))
      .then([deliveryConfirmed('shp_1', [['l1', 2]]), deliveryConfirmed('shp_2', [['l1', 1], ['l2', 2]])]);
  });

  it('without a shipment id, once every shipment is delivered: the same delivery again, never a collection of what is still open', () => {
    // l1: 1 shipped and delivered; 2 l1 and 2 l2 are still at node_a.
    const given = decided(releasedAtA(), recordFact(factShipped(ful(1), 'shp_1', [['l1', 1]])), recordFact(factDelivered(ful(1))));
    expect(bucketsOf(fold(given), 'l1')).toMatchObject({ released: 2, delivered: 1 });
    const state = spec.given(given).when(recordFact(factDelivered(ful(1), undefined, LATER))).then([]);
    expect(bucketsOf(state, 'l2')).toMatchObject({ released: 2, shipped: 0, delivered: 0 });
  });

  it('without a shipment id, delivers several shipments after part of them came back, never more than is out', () => {
    // l1: 3 shipped in two shipments; one came back before any delivery was reported.
    const oneBack = decided(
      shippedTwice,
      authorizeReturn([{ lineId: 'l1', quantity: 1 }]),
      recordFact(factReturnReceived(ret(1), [['l1', 1, 'restock']])),
    );
    expect(bucketsOf(fold(oneBack), 'l1')).toMatchObject({ shipped: 2, returned: 1 });
    const state = spec
      .given(oneBack)
      .when(recordFact(factDelivered(ful(1))))
      .then([deliveryConfirmed('shp_1', [['l1', 2]]), deliveryConfirmed('shp_2', [['l2', 2]])]);
    expect(bucketsOf(state, 'l1')).toMatchObject({ shipped: 0, delivered: 2, returned: 1 });
  });

  it('records a delivery of a shipment never reported as a conflict that applies nothing', () => {
    const fact = factDelivered(ful(1), 'shp_9');
    const state = spec
      .given(shippedTwice)
      .when(recordFact(fact))
      .then([conflictDetected('unknown_shipment', fact, false, ['resync', 'resolve'], ful(1), `a delivery of shipment shp_9, which ${ful(1)} never reported shipped`)]);
    expect(bucketsOf(state, 'l1')).toMatchObject({ shipped: 3, delivered: 0 });
  });

  describe('a pickup collected', () => {
    const pickupDraft = draft({ fulfillment: { type: 'pickup', storeId: 'store_1' } });
    const ready = decided(
      [orderPlaced(pickupDraft)],
      routeOrder([['store_1', [['l1', 3], ['l2', 2]]]]),
      releaseFulfillments(),
      recordFact({ type: 'fulfillment.progress', fulfillmentId: ful(1), stage: 'ready_for_pickup' }),
    );

    it('with no shipment before it: what is open ships and is delivered at once, under a derived shipment id', () => {
      const collected = `${ful(1)}-collected`;
      const state = spec
        .given(ready)
        .when(recordFact(factDelivered(ful(1), undefined, LATER)))
        .then([
          shipmentConfirmed(collected, [['l1', 3], ['l2', 2]], { nodeId: 'store_1', shippedAt: LATER }),
          deliveryConfirmed(collected, [['l1', 3], ['l2', 2]], LATER),
        ]);
      expect(orderOf(state).reservations).toEqual([]);
      expect(orderOf(state).fulfillments[0]).toMatchObject({ status: 'delivered', shipments: [{ shipmentId: collected, shippedAt: LATER, deliveredAt: LATER }] });
      expect(deriveStatus(orderOf(state))).toBe('delivered');
    });

    it('decides nothing when the collection is reported again', () => {
      spec.given(decided(ready, recordFact(factDelivered(ful(1))))).when(recordFact(factDelivered(ful(1), undefined, LATER))).then([]);
    });

    it('records a collection of a fulfillment that holds nothing as a conflict', () => {
      const cancelled = decided(ready, cancelAtNodes({ store_1: CAN_CANCEL }), recordFact(factCancellation(ful(1), 'cancelled')));
      const fact = factDelivered(ful(1));
      spec
        .given(cancelled)
        .when(recordFact(fact))
        .then([conflictDetected('unknown_shipment', fact, false, ['resync', 'resolve'], ful(1), `a delivery for ${ful(1)}, which holds nothing to deliver`)]);
    });
  });
});

describe('facts and the order’s state', () => {
  it('are recorded whatever the derived status, where an intent would be refused', () => {
    // A cancelled order refuses every intent but still records what its node reports.
    const closed = decided(releasedAtA(), cancelAtNodes({ node_a: CAN_CANCEL }), recordFact(factCancellation(ful(1), 'cancelled')));
    expect(deriveStatus(orderOf(fold(closed)))).toBe('cancelled');
    spec.given(closed).when(releaseFulfillments()).thenFails('illegal_transition');
    const fact = factShipped(ful(1), 'shp_1', [['l1', 1]]);
    spec
      .given(closed)
      .when(recordFact(fact, 'exc_late'))
      .then([conflictDetected('shipment_after_cancel', fact, false, ['accept_external', 'resolve', 'escalate'], ful(1), expect.any(String), 'exc_late')]);
  });
});
