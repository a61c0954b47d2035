import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { TestServer } from '../support/server.js';
import { e2eStores, startTestServer } from '../support/server.js';

const SEATTLE = { name: 'Ada', line1: '1 Main', city: 'Seattle', region: 'WA', country: 'US', lat: 47.61, lon: -122.33 };
const NOW = new Date().toISOString();
const HOUR_AGO = new Date(Date.now() - 3600_000).toISOString();

const node = (type: string, lat: number, lon: number, extra: Record<string, unknown> = {}) => ({
  type,
  location: { lat, lon, country: 'US' },
  capabilities: type === 'store' ? ['pickup', 'ship_from_store', 'ship'] : ['ship'],
  shipMethods: ['standard', 'expedited'],
  status: 'open',
  ...extra,
});

const order = (lines: { sku: string; quantity: number }[], extra: Record<string, unknown> = {}) => ({
  externalId: `R-${randomUUID()}`,
  channel: 'web',
  currency: 'USD',
  shipTo: SEATTLE,
  fulfillment: { type: 'ship', shipMethod: 'standard' },
  lines: lines.map((l, i) => ({ lineId: String(i + 1), sku: l.sku, quantity: l.quantity, unitPrice: 1000 })),
  ...extra,
});

for (const store of e2eStores()) {
  describe(`routing and reservations over HTTP (${store})`, () => {
    let srv: TestServer;
    const inv = async (sku: string, nodeId: string) =>
      ((await srv.api(`/v1/inventory?sku=${sku}&nodeId=${nodeId}`)).body.items as { onHand: number; reserved: number; sellable: number }[])[0];

    beforeAll(async () => {
      srv = await startTestServer(store);
      for (const [id, body] of Object.entries({
        'dc-east': node('dc', 40.71, -74.0),
        'dc-west': node('dc', 47.6, -122.3),
        'store-sea': node('store', 47.25, -122.44),
        'dc-closed': node('dc', 47.6, -122.3, { status: 'closed' }),
        'dc-conc': node('dc', 39.0, -95.0),
      })) {
        expect((await srv.api(`/v1/nodes/${id}`, { method: 'PUT', body })).status).toBe(200);
      }
      const snap = (nodeId: string, positions: Record<string, number>, asOf = NOW) =>
        srv.api('/v1/inventory/snapshots', { body: { nodeId, asOf, positions: Object.entries(positions).map(([sku, onHand]) => ({ sku, onHand })) } });
      expect((await snap('dc-east', { 'SKU-A': 5, 'SKU-C': 5 })).body).toMatchObject({ applied: 2, ignored: 0 });
      await snap('dc-west', { 'SKU-A': 3, 'SKU-D': 5 });
      await snap('store-sea', { 'SKU-A': 2, 'SKU-P': 4 });
      await snap('dc-closed', { 'SKU-A': 100, 'SKU-C': 100 });
      await snap('dc-conc', { 'SKU-X': 10 });
    });
    afterAll(async () => srv.close());

    it('lists nodes and refuses an invalid one with the field named', async () => {
      const list = await srv.api('/v1/nodes');
      expect(list.body.items.map((n: { id: string }) => n.id)).toEqual(['dc-closed', 'dc-conc', 'dc-east', 'dc-west', 'store-sea']);
      const bad = await srv.api('/v1/nodes/dc-bad', { method: 'PUT', body: { type: 'warehouse', location: { lat: 1, lon: 1, country: 'US' } } });
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { path: string }) => e.path)).toContain('type');
    });

    it('ignores an older snapshot and counts it', async () => {
      const r = await srv.api('/v1/inventory/snapshots', { body: { nodeId: 'dc-east', asOf: HOUR_AGO, positions: [{ sku: 'SKU-A', onHand: 999 }] } });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ applied: 0, ignored: 1 });
      expect((await inv('SKU-A', 'dc-east'))!.onHand).toBe(5);
      expect((await srv.api('/v1/inventory/snapshots', { body: { nodeId: 'nope', asOf: NOW, positions: [{ sku: 'A', onHand: 1 }] } })).status).toBe(404);
    });

    it('routes a ship order to the nearest node with stock, and reserves it', async () => {
      const r = await srv.api('/v1/orders', { body: order([{ sku: 'SKU-A', quantity: 2 }]) });
      expect(r.status).toBe(201);
      expect(r.body.status).toBe('allocated');
      expect(r.body.fulfillments).toHaveLength(1);
      expect(r.body.fulfillments[0]).toMatchObject({ id: expect.stringMatching(/^ful_/), nodeId: 'dc-west', status: 'allocated', lines: [{ lineId: '1', sku: 'SKU-A', quantity: 2 }] });
      expect(r.body.lines[0].buckets).toMatchObject({ allocated: 2, unallocated: 0 });
      expect(await inv('SKU-A', 'dc-west')).toMatchObject({ onHand: 3, reserved: 2, sellable: 1 });
      // Right after the answer the fulfillment is released to its node (the default ruleset releases automatically).
      const events = (await srv.api(`/v1/orders/${r.body.id}/events`)).body.items.map((e: { type: string }) => e.type);
      expect(events).toEqual(['OrderPlaced', 'OrderRouted', 'FulfillmentReleased']);
      expect((await srv.api(`/v1/orders/${r.body.id}`)).body).toMatchObject({ status: 'released', fulfillments: [{ status: 'released' }] });
      expect(await inv('SKU-A', 'dc-west')).toMatchObject({ reserved: 2, sellable: 1 });
    });

    it('splits across nodes when no single node has every line', async () => {
      const r = await srv.api('/v1/orders', { body: order([{ sku: 'SKU-C', quantity: 1 }, { sku: 'SKU-D', quantity: 1 }]) });
      expect(r.status).toBe(201);
      expect(r.body.fulfillments.map((f: { nodeId: string }) => f.nodeId).sort()).toEqual(['dc-east', 'dc-west']);
    });

    it('sends a pickup order to the named store', async () => {
      const r = await srv.api('/v1/orders', { body: order([{ sku: 'SKU-P', quantity: 1 }], { fulfillment: { type: 'pickup', storeId: 'store-sea' } }) });
      expect(r.status).toBe(201);
      expect(r.body.fulfillments).toMatchObject([{ nodeId: 'store-sea' }]);
    });

    it('backorders what no node can serve, explains why, and fills it when stock arrives', async () => {
      const r = await srv.api('/v1/orders', { body: order([{ sku: 'SKU-Z', quantity: 3 }]) });
      expect(r.status).toBe(201);
      expect(r.body.status).toBe('backordered');
      expect(r.body.lines[0].buckets).toMatchObject({ backordered: 3, allocated: 0 });
      const routing = await srv.api(`/v1/orders/${r.body.id}/routing`);
      expect(routing.body.backorders).toEqual([{ lineId: '1', sku: 'SKU-Z', quantity: 3, reason: expect.any(String) }]);
      const snap = await srv.api('/v1/inventory/snapshots', { body: { nodeId: 'dc-east', asOf: new Date().toISOString(), positions: [{ sku: 'SKU-Z', onHand: 10 }] } });
      expect(snap.body.backordersRetried).toBe(1);
      const after = await srv.api(`/v1/orders/${r.body.id}`);
      expect(after.body.status).toBe('released');
      expect(after.body.fulfillments).toMatchObject([{ nodeId: 'dc-east', lines: [{ quantity: 3 }] }]);
      expect(await inv('SKU-Z', 'dc-east')).toMatchObject({ reserved: 3, sellable: 7 });
    });

    it('explains the decision: ruleset version, and why the closed node was excluded', async () => {
      const placed = await srv.api('/v1/orders', { body: order([{ sku: 'SKU-A', quantity: 1 }]) });
      const r = await srv.api(`/v1/orders/${placed.body.id}/routing`);
      expect(r.status).toBe(200);
      expect(r.body.rulesetVersion).toBe(0);
      const candidates = r.body.lines[0].candidates as { nodeId: string; excluded?: string; score?: unknown }[];
      expect(candidates.find((c) => c.nodeId === 'dc-closed')?.excluded).toBe('node_closed');
      expect(candidates.find((c) => c.nodeId === 'dc-west')?.score).toBeDefined();
      expect(candidates).toHaveLength(5);
    });

    it('simulates without writing anything', async () => {
      const before = await inv('SKU-A', 'dc-east');
      const count = (await srv.api('/v1/orders?limit=500')).body.items.length;
      const r = await srv.api('/v1/routing/simulate', { body: { order: order([{ sku: 'SKU-A', quantity: 1 }]) } });
      expect(r.status).toBe(200);
      expect(r.body.assignments).toHaveLength(1);
      expect(await inv('SKU-A', 'dc-east')).toEqual(before);
      expect((await srv.api('/v1/orders?limit=500')).body.items.length).toBe(count);
    });

    it('cancelling after release asks for the node, releases the reservation once it confirms; re-routing moves it to another node', async () => {
      const placed = await srv.api('/v1/orders', { body: order([{ sku: 'SKU-D', quantity: 2 }]) });
      expect(placed.body.fulfillments[0].nodeId).toBe('dc-west');
      const fulfillmentId = placed.body.fulfillments[0].id as string;
      const reservedBefore = (await inv('SKU-D', 'dc-west'))!.reserved;
      const cancelled = await srv.api(`/v1/orders/${placed.body.id}/cancel`, { body: { reason: 'customer_request' } });
      expect(cancelled.status).toBe(200);
      // dc-west declares no `cancel` capability: a human must stop it there, so an exception is raised.
      expect(cancelled.body.fulfillments[0].status).toBe('cancel_requested');
      expect(cancelled.body.exceptions).toMatchObject([{ type: 'cancellation_unsupported', fulfillmentId }]);
      expect((await inv('SKU-D', 'dc-west'))!.reserved).toBe(reservedBefore);
      const result = await srv.api(`/v1/fulfillments/${fulfillmentId}/cancellation-result`, { body: { outcome: 'cancelled', sourceMessageId: `cr-${fulfillmentId}` } });
      expect(result.status).toBe(200);
      expect(result.body.order).toMatchObject({ status: 'cancelled', fulfillments: [{ status: 'cancelled' }] });
      expect((await inv('SKU-D', 'dc-west'))!.reserved).toBe(reservedBefore - 2);

      const again = await srv.api('/v1/orders', { body: order([{ sku: 'SKU-A', quantity: 1 }]) });
      const from = again.body.fulfillments[0].nodeId as string;
      const rerouted = await srv.api(`/v1/orders/${again.body.id}/reroute`, { body: { nodeIds: [from], reason: 'node_rejected' } });
      expect(rerouted.status).toBe(200);
      expect(rerouted.body.status).toBe('released');
      const live = rerouted.body.fulfillments.filter((f: { status: string }) => f.status === 'released');
      expect(live).toHaveLength(1);
      expect(live[0].nodeId).not.toBe(from);
      expect(rerouted.body.fulfillments.find((f: { nodeId: string }) => f.nodeId === from)).toMatchObject({ status: 'rejected' });
      const events = (await srv.api(`/v1/orders/${again.body.id}/events`)).body.items.map((e: { type: string }) => e.type);
      expect(events).toEqual(['OrderPlaced', 'OrderRouted', 'FulfillmentReleased', 'FulfillmentRejected', 'OrderRouted', 'FulfillmentReleased']);
    });

    it('40 simultaneous one-unit orders at 10 units: exactly 10 allocated, 30 backordered, never oversold', async () => {
      const results = await Promise.all(Array.from({ length: 40 }, () => srv.api('/v1/orders', { body: order([{ sku: 'SKU-X', quantity: 1 }]) })));
      expect(results.map((r) => r.status).every((s) => s === 201)).toBe(true);
      const allocated = results.filter((r) => r.body.lines[0].buckets.allocated === 1).length;
      const backordered = results.filter((r) => r.body.lines[0].buckets.backordered === 1).length;
      expect([allocated, backordered]).toEqual([10, 30]);
      expect(await inv('SKU-X', 'dc-conc')).toMatchObject({ onHand: 10, reserved: 10, sellable: 0 });
    });

    it('validates, versions, activates and shadows rulesets (JSON and YAML)', async () => {
      const bad = await srv.api('/v1/rulesets', { body: { name: 'bad', objectives: [{ type: 'fastest' }] } });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].path).toBe('objectives[0].type');
      const yaml = 'name: no-split\nsplit:\n  allowed: false\n';
      const created = await srv.api('/v1/rulesets', { rawBody: yaml, headers: { 'content-type': 'application/yaml' } });
      expect(created.status).toBe(201);
      const v = created.body.version as number;
      expect((await srv.api(`/v1/rulesets/${v}/shadow`, { body: {} })).body.status).toBe('shadow');
      await srv.api('/v1/orders', { body: order([{ sku: 'SKU-C', quantity: 1 }, { sku: 'SKU-D', quantity: 1 }]) });
      const report = await srv.api(`/v1/rulesets/${v}/shadow-report`);
      expect(report.body.count).toBe(1);
      expect(report.body.agreementRate).toBe(0);
      const whatIf = await srv.api(`/v1/rulesets/${v}/what-if`, { body: {} });
      expect(whatIf.status).toBe(200);
      expect(whatIf.body.orders).toBeGreaterThan(5);
      expect(whatIf.body.candidate.splitRate).toBe(0);
      expect(whatIf.body.baseline.splitRate).toBeGreaterThan(0);
      expect((await srv.api(`/v1/rulesets/${v}/activate`, { body: {} })).body.status).toBe('active');
      const placed = await srv.api('/v1/orders', { body: order([{ sku: 'SKU-C', quantity: 1 }, { sku: 'SKU-D', quantity: 1 }]) });
      expect(placed.body.routing.rulesetVersion).toBe(v);
      expect(placed.body.fulfillments.length).toBeLessThanOrEqual(1);
      expect((await srv.api('/v1/rulesets')).body.items.find((r: { version: number }) => r.version === v).status).toBe('active');
    });
  });
}
