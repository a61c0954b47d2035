import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { TestServer } from '../support/server.js';
import { e2eStores, startTestServer } from '../support/server.js';

/**
 * The service with its simulated retail network (what `npm start` runs): nodes and stock are
 * loaded, orders are authorized by the gateway, released through the outbox to the simulated
 * WMS and stores, and their facts come back — with the request's trace context carried along.
 */
/** Polls `read` until `done` holds (the dispatcher works on its own, in real time), for at most 10 s. */
async function until<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const v = await read();
    if (done(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const TRACE = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const SEATTLE = { name: 'Ada', line1: '1 Pike', city: 'Seattle', region: 'WA', country: 'US', lat: 47.61, lon: -122.34 };

for (const store of e2eStores()) {
  describe(`the simulated network (${store})`, () => {
    let srv: TestServer;
    beforeAll(async () => {
      srv = await startTestServer(store, { ORDERLY_SIMULATORS: 'on' }, { network: { seed: 7, clock: { mode: 'manual', startAt: new Date().toISOString() } } });
    });
    afterAll(async () => srv.close());

    it('starts with its nodes and stock', async () => {
      const nodes = (await srv.api('/v1/nodes')).body.items.map((n: { id: string }) => n.id);
      expect(nodes).toEqual(expect.arrayContaining(['dc-east', 'dc-west', 'store-seattle', 'store-chicago', 'store-austin', 'store-brooklyn', 'vendor-northwoods']));
      const stock = (await srv.api('/v1/inventory?sku=TEE-BLK-M')).body.items as { onHand: number }[];
      expect(stock.reduce((s, p) => s + p.onHand, 0)).toBeGreaterThan(0);
    });

    it('authorizes through the gateway, releases through the outbox with the trace context, and ships', async () => {
      const placed = await srv.api('/v1/orders', {
        body: { externalId: `N-${randomUUID()}`, channel: 'web', currency: 'USD', shipTo: SEATTLE, lines: [{ lineId: '1', sku: 'TEE-BLK-M', quantity: 1, unitPrice: 2400 }] },
        headers: { traceparent: TRACE },
      });
      expect(placed.status).toBe(201);
      const id = placed.body.id as string;
      // The dispatcher sends the authorization; its answer releases the order, whose release is sent in turn.
      const order = await until(async () => (await srv.api(`/v1/orders/${id}`)).body, (o) => o.status === 'released');
      expect(order).toMatchObject({ paymentMode: 'gateway', payment: { authorized: 2400 } });
      const rows = await srv.orderly.store.listOutbox(0, 1000);
      const release = rows.find((r) => r.idempotencyKey === `fulfillment.release:${order.fulfillments[0].id}`);
      expect(release).toBeDefined();
      expect(await srv.orderly.store.getOutboxMessage(release!.id)).toMatchObject({ traceparent: TRACE });
      // Simulated time passes: the node acknowledges, picks, packs and ships; the capture follows.
      await until(async () => (await srv.orderly.store.getOutboxMessage(release!.id))?.status, (st) => st === 'dispatched');
      await srv.orderly.network!.advance(10 * 60_000);
      const shipped = await until(async () => (await srv.api(`/v1/orders/${id}`)).body, (o) => o.payment.captured === 2400);
      // Demo timings: within ten simulated minutes it has shipped and been delivered.
      expect(shipped).toMatchObject({ status: 'delivered', payment: { captured: 2400, pending: { capture: 0 } } });
      expect(srv.orderly.network!.createdTwice()).toEqual(Object.fromEntries(Object.keys(srv.orderly.network!.createdTwice()).map((k) => [k, []])));
    });
  });
}
