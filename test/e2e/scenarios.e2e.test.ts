import { expect } from 'vitest';
import type { Scenario } from '../support/scenarioKit.js';
import { DAY, GATEWAY_START, HOUR, MINUTE, PLACES, SHIP, SPLIT_SHIP, price, scenarioMatrix } from '../support/scenarioKit.js';

/**
 * Issue 5 §9, the fulfilment half of the scenario matrix: single-item ship, split shipment,
 * ship-from-store, store pickup (collected and expired) and a backorder filled by a later
 * inventory snapshot — each over HTTP against the simulated network, with the simulators' faults
 * off and on, on both stores, reaching one expected end state (support: scenarioKit.ts).
 */

const FULFILMENT: readonly Scenario[] = [
  {
    name: 'single-item ship',
    stock: [{ nodeId: 'dc-west', sku: 'TEE-BLK-M', onHandDelta: -1, reserved: 0 }],
    async drive(k) {
      const placed = await k.place(PLACES.sacramento, [['TEE-BLK-M', 1]]);
      await k.until(placed.id, 'delivered', (o) => o.status === 'delivered', 3 * DAY);
      // The return window (30 days) passes; the sweeper closes the settled order.
      await k.w.runFor(31 * DAY, { sweepEveryMs: DAY });
      return { order: placed.id };
    },
    expect: {
      order: {
        status: 'closed',
        events: [...GATEWAY_START, ...SHIP, 'DeliveryConfirmed', 'OrderClosed'],
        lines: { '1': { delivered: 1 } },
        payment: { authorized: price('TEE-BLK-M'), captured: price('TEE-BLK-M'), voided: 0, refunded: 0 },
      },
    },
  },
  {
    name: 'split shipment (a DC and the drop-ship vendor)',
    stock: [
      { nodeId: 'dc-west', sku: 'LAMP-DESK-LED', onHandDelta: -1, reserved: 0 },
      { nodeId: 'vendor-northwoods', sku: 'CHAIR-OAK', onHandDelta: -2, reserved: 0 },
    ],
    async drive(k) {
      // No node holds both: the lamp ships from dc-west, the chairs from the vendor.
      const placed = await k.place(PLACES.sacramento, [['LAMP-DESK-LED', 1], ['CHAIR-OAK', 2]]);
      expect(placed.fulfillments.map((f: { nodeId: string }) => f.nodeId).sort()).toEqual(['dc-west', 'vendor-northwoods']);
      await k.until(placed.id, 'delivered', (o) => o.status === 'delivered', 3 * DAY);
      return { order: placed.id };
    },
    expect: {
      order: {
        status: 'delivered',
        events: [...GATEWAY_START, ...SPLIT_SHIP, 'DeliveryConfirmed', 'DeliveryConfirmed'],
        lines: { '1': { delivered: 1 }, '2': { delivered: 2 } },
        payment: { authorized: price('LAMP-DESK-LED') + 2 * price('CHAIR-OAK'), captured: price('LAMP-DESK-LED') + 2 * price('CHAIR-OAK'), voided: 0, refunded: 0 },
      },
    },
  },
  {
    name: 'ship-from-store',
    stock: [{ nodeId: 'store-seattle', sku: 'HOODIE-GRY-L', onHandDelta: -2, reserved: 0 }],
    async drive(k) {
      const placed = await k.place(PLACES.seattle, [['HOODIE-GRY-L', 2]]);
      expect(placed.fulfillments.map((f: { nodeId: string }) => f.nodeId)).toEqual(['store-seattle']);
      await k.until(placed.id, 'delivered', (o) => o.status === 'delivered', 3 * DAY);
      return { order: placed.id };
    },
    expect: {
      order: {
        status: 'delivered',
        events: [...GATEWAY_START, ...SHIP, 'DeliveryConfirmed'],
        lines: { '1': { delivered: 2 } },
        payment: { authorized: 2 * price('HOODIE-GRY-L'), captured: 2 * price('HOODIE-GRY-L'), voided: 0, refunded: 0 },
      },
    },
  },
  {
    name: 'store pickup, collected',
    stock: [{ nodeId: 'store-seattle', sku: 'MUG-CER-12OZ', onHandDelta: -1, reserved: 0 }],
    async drive(k) {
      const placed = await k.place(undefined, [['MUG-CER-12OZ', 1]], { type: 'pickup', storeId: 'store-seattle' });
      expect(placed.fulfillments.map((f: { nodeId: string }) => f.nodeId)).toEqual(['store-seattle']);
      await k.until(placed.id, 'ready for pickup', (o) => o.fulfillments[0].status === 'ready_for_pickup', HOUR);
      await k.until(placed.id, 'collected', (o) => o.status === 'delivered', 4 * HOUR);
      return { order: placed.id };
    },
    expect: {
      order: {
        status: 'delivered',
        events: [...GATEWAY_START, 'FulfillmentReleased', 'FulfillmentAcknowledged', 'FulfillmentProgressed', 'FulfillmentProgressed', 'ShipmentConfirmed', 'PaymentRequested', 'DeliveryConfirmed', 'PaymentCaptured'],
        lines: { '1': { delivered: 1 } },
        payment: { authorized: price('MUG-CER-12OZ'), captured: price('MUG-CER-12OZ'), voided: 0, refunded: 0 },
      },
    },
  },
  {
    name: 'store pickup, not collected (expired)',
    stock: [{ nodeId: 'store-austin', sku: 'CANDLE-SOY', onHandDelta: 0, reserved: 0 }],
    async drive(k) {
      const noShow = k.w.addFaults('pos-austin', { noShowRate: 1 });
      try {
        const placed = await k.place(undefined, [['CANDLE-SOY', 1]], { type: 'pickup', storeId: 'store-austin' });
        await k.until(placed.id, 'ready for pickup', (o) => o.fulfillments[0].status === 'ready_for_pickup', HOUR);
        // Nobody comes: after collectWithinHours (72) the sweeper cancels it, the store puts it back, the authorization is voided.
        await k.w.runFor(71 * HOUR, { sweepEveryMs: HOUR });
        expect((await k.order(placed.id)).fulfillments[0].status).toBe('ready_for_pickup');
        await k.until(placed.id, 'cancelled', (o) => o.status === 'cancelled' && o.payment.voided > 0, 3 * HOUR);
        return { order: placed.id };
      } finally {
        noShow();
      }
    },
    expect: {
      order: {
        status: 'cancelled',
        events: [...GATEWAY_START, 'FulfillmentReleased', 'FulfillmentAcknowledged', 'FulfillmentProgressed', 'FulfillmentProgressed', 'CancellationRequested', 'FulfillmentCancelled', 'PaymentRequested', 'PaymentVoided'],
        lines: { '1': { cancelled: 1 } },
        payment: { authorized: price('CANDLE-SOY'), captured: 0, voided: price('CANDLE-SOY'), refunded: 0 },
      },
    },
  },
  {
    name: 'backorder filled by a later inventory snapshot',
    // Emptied, 5 delivered to dc-west, 2 of them shipped.
    stock: [
      { nodeId: 'dc-west', sku: 'STOVE-CAMP', onHand: 3, reserved: 0 },
      { nodeId: 'dc-east', sku: 'STOVE-CAMP', onHand: 0, reserved: 0 },
    ],
    async drive(k) {
      // Sold out: both DCs report their shelves emptied.
      for (const nodeId of ['dc-east', 'dc-west']) {
        const dc = k.w.network.fulfiller(nodeId)!;
        dc.adjustOnHand('STOVE-CAMP', -dc.onHand('STOVE-CAMP'), { report: true, reason: 'sold_elsewhere' });
      }
      await k.w.runFor(5 * MINUTE);
      const placed = await k.place(PLACES.sacramento, [['STOVE-CAMP', 2]]);
      expect(placed.status).toBe('backordered');
      await k.w.runFor(HOUR);
      expect((await k.order(placed.id)).status).toBe('backordered');
      // A delivery arrives at dc-west; its next inventory snapshot says so, and the backorder is routed there.
      const west = k.w.network.fulfiller('dc-west')!;
      west.adjustOnHand('STOVE-CAMP', 5);
      west.reportInventorySnapshot();
      await k.until(placed.id, 'delivered', (o) => o.status === 'delivered', 3 * DAY);
      return { order: placed.id };
    },
    expect: {
      order: {
        status: 'delivered',
        events: ['OrderPlaced', 'OrderRouted', 'PaymentRequested', 'PaymentAuthorized', 'OrderRouted', ...SHIP, 'DeliveryConfirmed'],
        lines: { '1': { delivered: 2 } },
        payment: { authorized: 2 * price('STOVE-CAMP'), captured: 2 * price('STOVE-CAMP'), voided: 0, refunded: 0 },
      },
    },
  },
];

scenarioMatrix('fulfilment', FULFILMENT);
