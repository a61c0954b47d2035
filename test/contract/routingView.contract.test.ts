import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/app/clock.js';
import { createGroupCommitter } from '../../src/app/groupCommitter.js';
import { newId } from '../../src/app/ids.js';
import type { CommandOutcome, OrderService } from '../../src/app/orderService.js';
import { createOrderService } from '../../src/app/orderService.js';
import { createRoutingContext } from '../../src/app/routingContext.js';
import type { Store } from '../../src/store/port.js';
import { storeFactories } from '../support/stores.js';

const ctx = { correlationId: 'c', actor: { kind: 'service' as const, id: 'test' } };
let seq = 0;
const draft = (quantity: number) => ({
  externalId: `V-${++seq}`,
  channel: 'web',
  currency: 'USD',
  placedAt: '2026-11-25T10:00:00Z',
  customer: { tier: 'standard' },
  shipTo: { country: 'US', lat: 40, lon: -100 },
  fulfillment: { type: 'ship' as const, shipMethod: 'standard' as const },
  lines: [{ lineId: '1', sku: 'V', quantity, unitPrice: 100 }],
});
const buckets = (o: CommandOutcome) => (o.kind === 'ok' ? o.view.lines[0]!.buckets : undefined);

/**
 * Routing reads positions through a short-lived view. Another process changing stock behind it
 * must never make an order oversell (the reservation refuses, the order is decided again on fresh
 * stock) nor leave it backordered while stock exists (a plan that backorders is re-read).
 */
for (const factory of storeFactories()) {
  describe(`routing's view of stock stays safe when another process changes it (${factory.name})`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    let orders: OrderService;
    beforeEach(async () => {
      ({ store, dispose } = await factory.create());
      await store.putNode({ id: 'dc', doc: { id: 'dc', type: 'dc', location: { lat: 40, lon: -100, country: 'US' }, capabilities: ['ship'], shipMethods: ['standard'], status: 'open' }, updatedAt: 'x' });
      const routing = createRoutingContext({ store, newId });
      // Follow-ups (release) are deferred and never run here: these tests are about the routing unit.
      orders = createOrderService({ store, committer: createGroupCommitter(store), clock: systemClock, newId, routing, lifecycle: { returnWindowDays: 30, deferFollowUps: () => undefined } });
    });
    afterEach(async () => dispose());

    it('stock taken elsewhere after it was read: the reservation refuses, and the order takes only what is left', async () => {
      await store.applySnapshot('dc', new Date().toISOString(), [{ sku: 'V', onHand: 5 }]);
      expect(buckets(await orders.place(draft(1), ctx))).toMatchObject({ allocated: 1 }); // the view now says 4 left
      // Another process: the node reports only 1 left (its view here still says 4).
      await store.applySnapshot('dc', new Date(Date.now() + 1000).toISOString(), [{ sku: 'V', onHand: 2 }]);
      const second = await orders.place(draft(3), ctx);
      // Its plan on the view (3 of 4) is refused by the store; decided again on fresh stock, it
      // takes the 1 unit left and backorders the rest (ship_as_available).
      expect(buckets(second)).toMatchObject({ allocated: 1, backordered: 2 });
      const [p] = await store.listPositions({ skus: ['V'] });
      expect(p).toMatchObject({ onHand: 2, reserved: 2 });
    });

    it('stock arrived elsewhere after it was read: the order is allocated, not left backordered', async () => {
      await store.applySnapshot('dc', new Date().toISOString(), [{ sku: 'V', onHand: 0 }]);
      expect(buckets(await orders.place(draft(1), ctx))).toMatchObject({ backordered: 1 }); // the view now says 0
      await store.applySnapshot('dc', new Date(Date.now() + 1000).toISOString(), [{ sku: 'V', onHand: 10 }]);
      expect(buckets(await orders.place(draft(2), ctx))).toMatchObject({ allocated: 2, backordered: 0 });
    });
  });
}
