import { expect } from 'vitest';
import type { Scenario } from '../support/scenarioKit.js';
import { DAY, GATEWAY_START, HOUR, MINUTE, PLACES, price, scenarioMatrix } from '../support/scenarioKit.js';

/**
 * Issue 5 §9, the cancellation half of the scenario matrix: cancel after allocation; cancel after
 * release — accepted by the node, refused by it (it shipped first), and unsupported (the drop-ship
 * vendor cannot cancel); a partial shipment then a cancel of the rest; a shipment after a cancel.
 * Each over HTTP against the simulated network, faults off and on, on both stores.
 */

const CANCELLATION: readonly Scenario[] = [
  {
    name: 'cancel after allocation (before release)',
    stock: [{ nodeId: 'dc-west', sku: 'SOCKS-3PK', onHandDelta: 0, reserved: 0 }],
    async drive(k) {
      // Allocated and reserved; not released until the gateway authorizes the payment.
      const placed = await k.place(PLACES.sacramento, [['SOCKS-3PK', 2]]);
      expect(placed.status).toBe('allocated');
      const cancelled = await k.cancel(placed.id);
      expect(cancelled.status).toBe('cancelled');
      // The authorization asked for before the cancel comes back and is voided whole.
      await k.until(placed.id, 'voided', (o) => o.payment.voided > 0, HOUR);
      expect(k.w.network.fulfiller('dc-west')!.snapshot().fulfillments.filter((f) => f.orderId === placed.id)).toEqual([]);
      return { order: placed.id };
    },
    expect: {
      order: {
        status: 'cancelled',
        events: [...GATEWAY_START.slice(0, 3), 'OrderCancelled', 'PaymentAuthorized', 'PaymentRequested', 'PaymentVoided'],
        lines: { '1': { cancelled: 2 } },
        payment: { authorized: 2 * price('SOCKS-3PK'), captured: 0, voided: 2 * price('SOCKS-3PK'), refunded: 0 },
      },
    },
  },
  {
    name: 'cancel after release, accepted by the node',
    stock: [{ nodeId: 'dc-east', sku: 'EARBUDS-BT', onHandDelta: 0, reserved: 0 }],
    async drive(k) {
      const placed = await k.place(PLACES.philadelphia, [['EARBUDS-BT', 1]]);
      expect(placed.fulfillments.map((f: { nodeId: string }) => f.nodeId)).toEqual(['dc-east']);
      await k.whenNodeAt(placed.id, 'dc-east', 'acknowledged');
      const asked = await k.cancel(placed.id);
      expect(asked.fulfillments[0].status).toBe('cancel_requested');
      await k.until(placed.id, 'cancelled', (o) => o.status === 'cancelled' && o.payment.voided > 0, HOUR);
      // Nothing ships later: the DC's work order is cancelled.
      await k.w.runFor(2 * DAY);
      expect(k.w.network.fulfiller('dc-east')!.snapshot().fulfillments.find((f) => f.orderId === placed.id)).toMatchObject({ status: 'cancelled', lines: [{ cancelled: 1, shipped: 0 }] });
      return { order: placed.id };
    },
    expect: {
      order: {
        status: 'cancelled',
        events: [...GATEWAY_START, 'FulfillmentReleased', 'FulfillmentAcknowledged', 'CancellationRequested', 'FulfillmentCancelled', 'PaymentRequested', 'PaymentVoided'],
        lines: { '1': { cancelled: 1 } },
        payment: { authorized: price('EARBUDS-BT'), captured: 0, voided: price('EARBUDS-BT'), refunded: 0 },
      },
    },
  },
  {
    name: 'cancel after release, refused by the node (it shipped while down for maintenance)',
    stock: [{ nodeId: 'dc-east', sku: 'CAP-NVY', onHandDelta: -1, reserved: 0 }],
    async drive(k) {
      const placed = await k.place(PLACES.philadelphia, [['CAP-NVY', 1]]);
      await k.whenNodeAt(placed.id, 'dc-east', 'acknowledged');
      // The DC's system is down for maintenance (503, Retry-After) for 5 minutes: the cancel waits in the outbox while the DC ships.
      const from = k.w.clock.elapsedMs();
      const outage = k.w.addFaults('wms-east', { outages: [{ fromMs: from, toMs: from + 5 * MINUTE, mode: '503' }] });
      try {
        const asked = await k.cancel(placed.id);
        expect(asked.fulfillments[0].status).toBe('cancel_requested');
        await k.until(placed.id, 'shipped', (o) => o.lines[0].buckets.shipped === 1, HOUR);
        await k.w.runFor(5 * MINUTE);
      } finally {
        outage();
      }
      await k.until(placed.id, 'delivered', (o) => o.status === 'delivered' && o.fulfillments[0].cancelRequest === undefined, 2 * DAY);
      return { order: placed.id };
    },
    expect: {
      order: {
        status: 'delivered',
        events: [
          ...GATEWAY_START, 'FulfillmentReleased', 'FulfillmentAcknowledged', 'CancellationRequested', 'FulfillmentProgressed', 'FulfillmentProgressed', 'ShipmentConfirmed',
          'PaymentRequested', 'PaymentCaptured', 'CancellationRefused', 'DeliveryConfirmed',
        ],
        lines: { '1': { delivered: 1 } },
        payment: { authorized: price('CAP-NVY'), captured: price('CAP-NVY'), voided: 0, refunded: 0 },
      },
    },
  },
  {
    name: 'cancel after release, unsupported at the drop-ship vendor',
    stock: [{ nodeId: 'vendor-northwoods', sku: 'RUG-WOOL-8X10', onHandDelta: -1, reserved: 0 }],
    async drive(k) {
      const placed = await k.place(PLACES.detroit, [['RUG-WOOL-8X10', 1]]);
      expect(placed.fulfillments.map((f: { nodeId: string }) => f.nodeId)).toEqual(['vendor-northwoods']);
      // Nothing races the cancel here (nothing is sent), so any point before shipping will do.
      await k.until(placed.id, 'acknowledged', (o) => ['acknowledged', 'picked', 'packed'].includes(o.fulfillments[0].status), HOUR);
      // The vendor takes no cancels: a person must call them (an exception), and nothing is sent.
      const asked = await k.cancel(placed.id);
      expect(asked.fulfillments[0]).toMatchObject({ status: 'cancel_requested', cancelRequest: { mode: 'manual' } });
      const open = (await k.w.srv.api(`/v1/exceptions?orderId=${placed.id}&status=open`)).body.items;
      expect(open).toMatchObject([{ type: 'cancellation_unsupported', target: 'vendor-northwoods' }]);
      // Nobody called: the vendor ships and the customer gets the rug; the exception stays for the person.
      await k.until(placed.id, 'delivered', (o) => o.status === 'delivered', 2 * DAY);
      expect(k.w.network.simulator('vendor-northwoods')!.counters().byType['fulfillment.cancel']).toBeUndefined();
      return { order: placed.id };
    },
    expect: {
      order: {
        status: 'delivered',
        events: [
          ...GATEWAY_START, 'FulfillmentReleased', 'FulfillmentAcknowledged', 'CancellationRequested', 'FulfillmentProgressed', 'FulfillmentProgressed', 'ShipmentConfirmed',
          'PaymentRequested', 'PaymentCaptured', 'DeliveryConfirmed',
        ],
        lines: { '1': { delivered: 1 } },
        payment: { authorized: price('RUG-WOOL-8X10'), captured: price('RUG-WOOL-8X10'), voided: 0, refunded: 0 },
        exceptions: ['cancellation_unsupported'],
      },
    },
  },
  {
    name: 'partial shipment, then cancel of the rest',
    stock: [{ nodeId: 'dc-west', sku: 'JEANS-IND-32', onHandDelta: -1, reserved: 0 }],
    async drive(k) {
      const placed = await k.place(PLACES.sacramento, [['JEANS-IND-32', 3]]);
      await k.whenNodeAt(placed.id, 'dc-west', 'acknowledged');
      // Two of the three go missing from the shelf before picking: the DC ships the one it finds.
      const west = k.w.network.fulfiller('dc-west')!;
      west.adjustOnHand('JEANS-IND-32', 1 - west.onHand('JEANS-IND-32'));
      await k.whenNodeAt(placed.id, 'dc-west', 'partially_shipped', 'shipped');
      const asked = await k.cancel(placed.id, [{ lineId: '1', quantity: 2 }]);
      expect(asked.fulfillments[0].cancelRequest).toMatchObject({ mode: 'node', lines: [{ lineId: '1', quantity: 2 }] });
      await k.until(placed.id, 'the rest cancelled', (o) => o.lines[0].buckets.cancelled === 2 && o.payment.voided > 0, HOUR);
      await k.until(placed.id, 'delivered', (o) => o.lines[0].buckets.delivered === 1, 2 * DAY);
      return { order: placed.id };
    },
    expect: {
      order: {
        status: 'delivered',
        events: [
          ...GATEWAY_START, 'FulfillmentReleased', 'FulfillmentAcknowledged', 'FulfillmentProgressed', 'FulfillmentProgressed', 'ShipmentConfirmed', 'PaymentRequested',
          'PaymentCaptured', 'CancellationRequested', 'FulfillmentCancelled', 'PaymentRequested', 'PaymentVoided', 'DeliveryConfirmed',
        ],
        lines: { '1': { delivered: 1, cancelled: 2 } },
        payment: { authorized: 3 * price('JEANS-IND-32'), captured: price('JEANS-IND-32'), voided: 2 * price('JEANS-IND-32'), refunded: 0 },
      },
    },
  },
  {
    name: 'shipment after cancel (the store reports it cancelled, then ships)',
    // Orderly counts nothing for the shipment it never expected: the store's shelf and Orderly's differ by one (reconciliation's job).
    stock: [{ nodeId: 'store-chicago', sku: 'SPEAKER-BT', onHandDelta: 0, reserved: 0 }],
    async drive(k) {
      const rogue = k.w.addFaults('pos-chicago', { shipAfterCancelRate: 1 });
      try {
        const placed = await k.place(PLACES.chicago, [['SPEAKER-BT', 1]]);
        expect(placed.fulfillments.map((f: { nodeId: string }) => f.nodeId)).toEqual(['store-chicago']);
        await k.whenNodeAt(placed.id, 'store-chicago', 'acknowledged');
        await k.cancel(placed.id);
        await k.until(placed.id, 'cancelled', (o) => o.status === 'cancelled' && o.payment.voided > 0, HOUR);
        // It picks, packs, ships and delivers all the same: after its own cancel confirmation its
        // progress says nothing new, but the shipment and its delivery contradict the ledger.
        await k.until(placed.id, 'the delivery reported', (o) => o.exceptions.some((e: { type: string }) => e.type === 'unknown_shipment'), 2 * DAY);
        return { order: placed.id };
      } finally {
        rogue();
      }
    },
    expect: {
      order: {
        status: 'cancelled',
        events: [
          ...GATEWAY_START, 'FulfillmentReleased', 'FulfillmentAcknowledged', 'CancellationRequested', 'FulfillmentCancelled', 'PaymentRequested', 'PaymentVoided',
          'ConflictDetected', 'ConflictDetected',
        ],
        lines: { '1': { cancelled: 1 } },
        payment: { authorized: price('SPEAKER-BT'), captured: 0, voided: price('SPEAKER-BT'), refunded: 0 },
        // Shipped (the customer has goods that were cancelled), and its delivery.
        exceptions: ['shipment_after_cancel', 'unknown_shipment'],
      },
    },
  },
];

scenarioMatrix('cancellation', CANCELLATION);
