import { expect } from 'vitest';
import type { Scenario } from '../support/scenarioKit.js';
import { DAY, GATEWAY_START, PLACES, SHIP, SPLIT_SHIP, price, scenarioMatrix } from '../support/scenarioKit.js';

/**
 * Issue 5 §9, the returns part of the scenario matrix: a partial return and an exchange, over HTTP
 * against the simulated network (returns are received at a node and reported through the fact
 * endpoint, as the node would: the simulators do not take returns), faults off and on, both stores.
 */

const RETURNS: readonly Scenario[] = [
  {
    name: 'partial return (one of three, restocked; the rest kept)',
    stock: [
      { nodeId: 'dc-west', sku: 'BLANKET-KIDS', onHandDelta: -3 + 1, reserved: 0 },
      { nodeId: 'vendor-northwoods', sku: 'CHAIR-OAK', onHandDelta: -1, reserved: 0 },
    ],
    async drive(k) {
      // Three blankets from dc-west and a chair from the vendor; one blanket comes back.
      const placed = await k.place(PLACES.sacramento, [['BLANKET-KIDS', 3], ['CHAIR-OAK', 1]]);
      await k.until(placed.id, 'delivered', (o) => o.status === 'delivered', 3 * DAY);
      const tooMany = await k.w.srv.api(`/v1/orders/${placed.id}/returns`, { body: { lines: [{ lineId: '1', quantity: 4 }], reason: 'too_many' } });
      expect(tooMany.status).toBe(409);
      const ret = await k.returns(placed.id, { lines: [{ lineId: '1', quantity: 1 }], reason: 'too_small' });
      expect(ret).toMatchObject({ returnId: expect.stringMatching(/^ret_/), orderId: placed.id, lines: [{ lineId: '1', quantity: 1, received: 0 }] });
      await k.receive(ret.returnId, 'dc-west', [{ lineId: '1', quantity: 1, disposition: 'restock' }]);
      await k.until(placed.id, 'refunded', (o) => o.payment.refunded > 0, DAY);
      // The return window runs from the last delivery; then the settled order closes.
      await k.w.runFor(31 * DAY, { sweepEveryMs: DAY });
      return { order: placed.id };
    },
    expect: {
      order: {
        status: 'closed',
        events: [...GATEWAY_START, ...SPLIT_SHIP, 'DeliveryConfirmed', 'DeliveryConfirmed', 'ReturnAuthorized', 'ReturnReceived', 'PaymentRequested', 'RefundIssued', 'OrderClosed'],
        lines: { '1': { delivered: 2, returned: 1 }, '2': { delivered: 1 } },
        payment: {
          authorized: 3 * price('BLANKET-KIDS') + price('CHAIR-OAK'),
          captured: 3 * price('BLANKET-KIDS') + price('CHAIR-OAK'),
          voided: 0,
          refunded: price('BLANKET-KIDS'),
        },
      },
    },
  },
  {
    name: 'exchange (a tee back, a lantern out on a linked order)',
    stock: [
      { nodeId: 'dc-west', sku: 'TEE-WHT-M', onHandDelta: -2 + 1, reserved: 0 },
      { nodeId: 'dc-west', sku: 'LANTERN-LED', onHandDelta: -1, reserved: 0 },
    ],
    async drive(k) {
      const placed = await k.place(PLACES.sacramento, [['TEE-WHT-M', 2]]);
      await k.until(placed.id, 'delivered', (o) => o.status === 'delivered', 3 * DAY);
      const ret = await k.returns(placed.id, {
        lines: [{ lineId: '1', quantity: 1 }],
        reason: 'wrong_item',
        exchange: { lines: [{ sku: 'LANTERN-LED', quantity: 1, unitPrice: price('LANTERN-LED') }] },
      });
      const exchange = ret.exchangeOrder;
      // The exchange is paid as the original was: a gateway order, authorized and captured on its own.
      expect(exchange).toMatchObject({ id: ret.exchangeOrderId, channel: 'web', paymentMode: 'gateway', externalRefs: expect.arrayContaining([{ system: 'exchange_for', id: ret.returnId }]) });
      // The lantern ships while the tee is on its way back.
      await k.until(exchange.id, 'delivered', (o) => o.status === 'delivered', 3 * DAY);
      await k.receive(ret.returnId, 'dc-west', [{ lineId: '1', quantity: 1, disposition: 'restock' }]);
      await k.until(placed.id, 'refunded', (o) => o.payment.refunded > 0, DAY);
      return { order: placed.id, exchange: exchange.id };
    },
    expect: {
      order: {
        status: 'partially_returned',
        events: [...GATEWAY_START, ...SHIP, 'DeliveryConfirmed', 'ReturnAuthorized', 'ReturnReceived', 'PaymentRequested', 'RefundIssued'],
        lines: { '1': { delivered: 1, returned: 1 } },
        // The returned tee is refunded; the lantern is charged on the exchange order.
        payment: { authorized: 2 * price('TEE-WHT-M'), captured: 2 * price('TEE-WHT-M'), voided: 0, refunded: price('TEE-WHT-M') },
      },
      exchange: {
        status: 'delivered',
        events: [...GATEWAY_START, ...SHIP, 'DeliveryConfirmed'],
        lines: { '1': { delivered: 1 } },
        payment: { authorized: price('LANTERN-LED'), captured: price('LANTERN-LED'), voided: 0, refunded: 0 },
      },
    },
  },
];

scenarioMatrix('returns', RETURNS);
