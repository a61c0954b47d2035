import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { TestServer } from '../support/server.js';
import { e2eStores, startTestServer } from '../support/server.js';

/**
 * A backorder waits for more than stock: a store at its daily capacity backorders the next pickup
 * (`capacity_exhausted`), and nothing about stock will ever route it again. The lifecycle sweep
 * routes backorders again once a new day has started (capacity is counted per UTC day).
 */
for (const store of e2eStores()) {
  describe(`backorders waiting on a node's daily capacity (${store})`, () => {
    let srv: TestServer;
    let nowMs = Date.parse('2026-11-25T20:00:00Z');
    const clock = { now: () => new Date(nowMs).toISOString() };
    const pickup = async () => {
      const r = await srv.api('/v1/orders', {
        body: { externalId: `CAP-${randomUUID()}`, channel: 'web', currency: 'USD', fulfillment: { type: 'pickup', storeId: 'store-cap' }, lines: [{ lineId: '1', sku: 'SKU-CAP', quantity: 1, unitPrice: 1200 }] },
      });
      expect(r.status).toBe(201);
      return r.body as { id: string; status: string };
    };

    beforeAll(async () => {
      srv = await startTestServer(store, {}, { clock });
      const node = { type: 'store', location: { lat: 47.6, lon: -122.3, country: 'US' }, capabilities: ['pickup'], shipMethods: ['standard'], dailyCapacity: 1, status: 'open' };
      expect((await srv.api('/v1/nodes/store-cap', { method: 'PUT', body: node })).status).toBe(200);
      expect((await srv.api('/v1/inventory/snapshots', { body: { nodeId: 'store-cap', asOf: clock.now(), positions: [{ sku: 'SKU-CAP', onHand: 10 }] } })).status).toBe(200);
    });
    afterAll(async () => srv?.close());

    it('routes the backordered pickup once the next day starts', async () => {
      const first = await pickup();
      expect((await srv.api(`/v1/orders/${first.id}`)).body.status).toBe('released');
      // Routing reads capacity use through a one-second cache (capacity is a soft limit within it).
      await new Promise((r) => setTimeout(r, 1_100));
      const second = await pickup();
      expect(second.status).toBe('backordered');
      const routing = (await srv.api(`/v1/orders/${second.id}/routing`)).body;
      expect(routing.lines[0].candidates).toEqual([{ nodeId: 'store-cap', excluded: 'capacity_exhausted' }]);
      // The same day: still no room.
      await srv.orderly.sweeper.sweep();
      expect((await srv.api(`/v1/orders/${second.id}`)).body.status).toBe('backordered');
      // After midnight UTC the store has room again.
      nowMs += 6 * 3_600_000;
      const stats = await srv.orderly.sweeper.sweep();
      expect(stats.backordersRouted).toBe(1);
      expect((await srv.api(`/v1/orders/${second.id}`)).body).toMatchObject({ status: 'released', fulfillments: [{ nodeId: 'store-cap', status: 'released' }] });
    });
  });
}
