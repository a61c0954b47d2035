import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { stringify } from 'yaml';
import { signWebhook } from '../../src/connectors/http/webhook.js';
import type { SimulatorServer } from '../../src/connectors/sim/serveSimulator.js';
import { serveSimulator } from '../../src/connectors/sim/serveSimulator.js';
import { createSimClock } from '../../src/connectors/sim/simClock.js';
import type { WmsSimulator } from '../../src/connectors/sim/wmsSimulator.js';
import { createWmsSimulator } from '../../src/connectors/sim/wmsSimulator.js';
import type { TestServer } from '../support/server.js';
import { e2eStores, startTestServer } from '../support/server.js';

/**
 * A WMS reached over HTTP, configured in ORDERLY_CONNECTORS_FILE: releases go out through the
 * outbox in the wire format, its signed webhooks come back with native SKUs that the connector's
 * mapping table translates, an unknown code is quarantined (never guessed), a forged one refused.
 */
const SECRET = 'wms-http-webhook-secret-0123456789';
const SEATTLE = { name: 'Ada', line1: '1 Main', city: 'Seattle', region: 'WA', country: 'US', lat: 47.61, lon: -122.33 };

for (const store of e2eStores()) {
  describe(`an HTTP connector from the connectors file (${store})`, () => {
    let srv: TestServer;
    let wms: WmsSimulator;
    let server: SimulatorServer;
    let dir: string;
    const webhook = (body: unknown, secret = SECRET) => {
      const raw = Buffer.from(JSON.stringify(body));
      return fetch(`${srv.url}/v1/connectors/wms-http/webhooks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-orderly-signature': signWebhook(secret, raw, Math.floor(Date.now() / 1000)) },
        body: raw,
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
    };

    beforeAll(async () => {
      wms = createWmsSimulator({ id: 'wms-http', nodeId: 'dc-http', runId: randomUUID().slice(0, 6), seed: 5, dedupe: true, stock: { 'SKU-H1': 10 }, clock: createSimClock() });
      server = await serveSimulator(wms);
      dir = mkdtempSync(join(tmpdir(), 'orderly-connectors-'));
      const file = join(dir, 'connectors.yaml');
      writeFileSync(
        file,
        stringify({
          connectors: [
            {
              type: 'http',
              id: 'wms-http',
              baseUrl: server.url,
              pii: true,
              templates: { 'fulfillment.release': { path: '/v1/messages' }, 'fulfillment.cancel': { path: '/v1/messages' } },
              capabilities: { deduplicates: true, canCancel: true, partialCancel: true },
              webhookSecret: SECRET,
              mapping: { tables: { skus: { codes: { 'NATIVE-H1': 'SKU-H1' } } } },
            },
          ],
        }),
      );
      srv = await startTestServer(store, { ORDERLY_CONNECTORS_FILE: file });
      const node = { type: 'dc', location: { lat: 47.6, lon: -122.3, country: 'US' }, capabilities: ['ship', 'cancel'], shipMethods: ['standard'], status: 'open', connector: 'wms-http' };
      expect((await srv.api('/v1/nodes/dc-http', { method: 'PUT', body: node })).status).toBe(200);
      await srv.api('/v1/inventory/snapshots', { body: { nodeId: 'dc-http', asOf: new Date().toISOString(), positions: [{ sku: 'SKU-H1', onHand: 10 }] } });
    });
    afterAll(async () => {
      await srv.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('sends the release over HTTP once, and applies a signed webhook with a mapped SKU', async () => {
      const placed = await srv.api('/v1/orders', { body: { externalId: `H-${randomUUID()}`, channel: 'web', currency: 'USD', shipTo: SEATTLE, lines: [{ lineId: '1', sku: 'SKU-H1', quantity: 2, unitPrice: 500 }] } });
      const f = placed.body.fulfillments[0].id as string;
      const deadline = Date.now() + 10_000;
      while (!wms.snapshot().fulfillments.some((x) => x.fulfillmentId === f) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(wms.snapshot().fulfillments.map((x) => x.fulfillmentId)).toContain(f);
      expect(wms.createdTwice()).toEqual([]);

      const shipped = await webhook({ messageId: `m-${f}`, facts: [{ type: 'fulfillment.shipped', fulfillmentId: f, shipmentId: 'S1', lines: [{ sku: 'NATIVE-H1', quantity: 2 }], shippedAt: new Date().toISOString() }] });
      expect(shipped.status, JSON.stringify(shipped.body)).toBe(200);
      expect((await srv.api(`/v1/orders/${placed.body.id}`)).body).toMatchObject({ status: 'shipped', lines: [{ sku: 'SKU-H1', buckets: { shipped: 2 } }] });
    });

    it('quarantines a webhook with a native code the table does not know, and refuses a forged one', async () => {
      const unknown = await webhook({ messageId: 'm-unknown', facts: [{ type: 'inventory.adjustment', nodeId: 'dc-http', sku: 'NATIVE-XX', delta: 3, reason: 'found' }] });
      expect(unknown.status).toBe(202);
      const exceptions = (await srv.api('/v1/exceptions?type=quarantine')).body.items as { detail: string; target: string; context: { payloads: { raw: string }[] } }[];
      const q = exceptions.find((e) => e.detail.includes('NATIVE-XX'));
      expect(q).toMatchObject({ target: 'wms-http' });
      expect(q!.context.payloads[0]!.raw).toContain('NATIVE-XX');
      expect((await srv.api('/v1/inventory?sku=NATIVE-XX')).body.items).toEqual([]);
      const forged = await webhook({ messageId: 'm-forged', facts: [{ type: 'inventory.adjustment', nodeId: 'dc-http', sku: 'NATIVE-H1', delta: 3, reason: 'found' }] }, 'not-the-secret-0123456789');
      expect(forged.status).toBe(401);
      expect((await srv.api('/v1/inventory?sku=SKU-H1&nodeId=dc-http')).body.items[0].onHand).toBe(8);
    });
  });
}
