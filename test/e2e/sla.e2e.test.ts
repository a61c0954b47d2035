import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { TestServer } from '../support/server.js';
import { e2eStores, startTestServer } from '../support/server.js';

/**
 * Acknowledgement SLA (issue 5 §8): a released fulfillment not acknowledged in time raises an
 * exception (once), and the node's late answer resolves it with a record. With
 * `ackSlaAction: reroute` the fulfillment is also withdrawn and routed elsewhere.
 */
const SEATTLE = { name: 'Ada', line1: '1 Main', city: 'Seattle', region: 'WA', country: 'US', lat: 47.61, lon: -122.33 };

for (const store of e2eStores()) {
  describe(`acknowledgement SLA (${store})`, () => {
    let srv: TestServer;
    let offsetMs = 0;
    const clock = { now: () => new Date(Date.now() + offsetMs).toISOString() };
    const node = (lat: number) => ({ type: 'dc', location: { lat, lon: -122.3, country: 'US' }, capabilities: ['ship', 'cancel'], shipMethods: ['standard'], status: 'open' });
    const place = async (sku: string) => (await srv.api('/v1/orders', { body: { externalId: `S-${randomUUID()}`, channel: 'web', currency: 'USD', shipTo: SEATTLE, lines: [{ lineId: '1', sku, quantity: 1, unitPrice: 100 }] } })).body;
    const openSla = async (orderId: string) => ((await srv.api(`/v1/exceptions?orderId=${orderId}&type=ack_sla_breached`)).body.items as { id: string; status: string }[]);

    beforeAll(async () => {
      srv = await startTestServer(store, {}, { clock });
      await srv.api('/v1/nodes/dc-near', { method: 'PUT', body: node(47.6) });
      await srv.api('/v1/nodes/dc-far', { method: 'PUT', body: node(40.0) });
      for (const n of ['dc-near', 'dc-far']) {
        await srv.api('/v1/inventory/snapshots', { body: { nodeId: n, asOf: clock.now(), positions: [{ sku: 'SKU-S1', onHand: 5 }, { sku: 'SKU-S2', onHand: 5 }] } });
      }
    });
    afterAll(async () => srv.close());

    it('raises one exception for a fulfillment not acknowledged in time, resolved when the node answers', async () => {
      const v = (await srv.api('/v1/rulesets', { body: { name: 'sla', ackSlaMinutes: 5 } })).body.version as number;
      await srv.api(`/v1/rulesets/${v}/activate`, { body: {} });
      const order = await place('SKU-S1');
      const f = order.fulfillments[0].id as string;
      offsetMs = 10 * 60_000;
      await srv.orderly.sweeper.sweep();
      await srv.orderly.sweeper.sweep(); // a second sweep raises nothing more
      const raised = await openSla(order.id);
      expect(raised.map((e) => e.status)).toEqual(['open']);
      await srv.api(`/v1/fulfillments/${f}/acknowledgement`, { body: { accepted: true, sourceMessageId: `ack-${f}` } });
      const deadline = Date.now() + 5_000;
      while ((await openSla(order.id))[0]?.status !== 'resolved' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const resolved = (await srv.api(`/v1/exceptions/${raised[0]!.id}`)).body;
      expect(resolved.status).toBe('resolved');
      expect(resolved.audit.at(-1)).toMatchObject({ action: 'auto_resolved', result: 'the node answered' });
    });

    it('with ackSlaAction reroute, withdraws the silent node’s fulfillment and routes it elsewhere', async () => {
      offsetMs = 0;
      const v = (await srv.api('/v1/rulesets', { body: { name: 'sla-reroute', ackSlaMinutes: 5, ackSlaAction: 'reroute' } })).body.version as number;
      await srv.api(`/v1/rulesets/${v}/activate`, { body: {} });
      const order = await place('SKU-S2');
      const from = order.fulfillments[0].nodeId as string;
      offsetMs = 10 * 60_000;
      await srv.orderly.sweeper.sweep();
      const after = (await srv.api(`/v1/orders/${order.id}`)).body;
      expect(after.fulfillments.map((x: { nodeId: string; status: string }) => [x.nodeId, x.status])).toEqual([
        [from, 'rejected'],
        [from === 'dc-near' ? 'dc-far' : 'dc-near', 'released'],
      ]);
      expect(await openSla(order.id)).toHaveLength(1);
    });
  });
}
