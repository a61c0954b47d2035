import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { stringify } from 'yaml';
import type { TestServer } from '../support/server.js';
import { e2eStores, startTestServer } from '../support/server.js';

/**
 * A nightly-CSV WMS end to end through the running service (issue 4): the release is written to
 * the partner's folder as CSV with its checksum; the partner's shipment file dropped in the inbox
 * ships the order; the same file dropped again changes nothing; a file with a bad row goes to
 * failed/ with an error report, its good rows taken.
 */
const SEATTLE = { name: 'Ada', line1: '1 Main', city: 'Seattle', region: 'WA', country: 'US', lat: 47.61, lon: -122.33 };

async function until(check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

for (const store of e2eStores()) {
  describe(`a CSV batch-file WMS through the service (${store})`, () => {
    let srv: TestServer;
    let root: string;
    const inbox = () => join(root, 'inbox');
    const drop = (name: string, text: string) => {
      mkdirSync(inbox(), { recursive: true });
      writeFileSync(join(inbox(), `.${name}.tmp`), text);
      // The partner renames a finished file into place, as SFTP clients do.
      writeFileSync(join(inbox(), name), text);
      rmSync(join(inbox(), `.${name}.tmp`));
    };

    beforeAll(async () => {
      root = mkdtempSync(join(tmpdir(), 'orderly-batch-'));
      const file = join(root, 'connectors.yaml');
      writeFileSync(file, stringify({ connectors: [{ type: 'batch', id: 'wms-csv', format: 'csv', directories: { root }, pollIntervalMs: 100, settleMs: 0, pii: true, mapping: { tables: { skus: { passthrough: true }, carriers: { passthrough: true } } } }] }));
      srv = await startTestServer(store, { ORDERLY_CONNECTORS_FILE: file });
      const node = { type: 'dc', location: { lat: 47.6, lon: -122.3, country: 'US' }, capabilities: ['ship', 'cancel'], shipMethods: ['standard'], status: 'open', connector: 'wms-csv' };
      expect((await srv.api('/v1/nodes/dc-csv', { method: 'PUT', body: node })).status).toBe(200);
      await srv.api('/v1/inventory/snapshots', { body: { nodeId: 'dc-csv', asOf: new Date().toISOString(), positions: [{ sku: 'SKU-B1', onHand: 10 }, { sku: 'SKU-B2', onHand: 10 }] } });
    });
    afterAll(async () => {
      await srv.close();
      rmSync(root, { recursive: true, force: true });
    });

    it('writes the release as CSV with a checksum, and ships the order from the partner’s file, once', async () => {
      const placed = await srv.api('/v1/orders', { body: { externalId: `B-${randomUUID()}`, channel: 'web', currency: 'USD', shipTo: SEATTLE, lines: [{ lineId: '1', sku: 'SKU-B1', quantity: 2, unitPrice: 700 }] } });
      const f = placed.body.fulfillments[0].id as string;
      const outbox = join(root, 'outbox');
      await until(() => existsSync(outbox) && readdirSync(outbox).some((n) => n.includes(f) && n.endsWith('.csv.sha256')));
      const csvName = readdirSync(outbox).find((n) => n.includes(f) && n.endsWith('.csv'))!;
      expect(readFileSync(join(outbox, csvName), 'utf8')).toContain(`release,${f},${placed.body.id},dc-csv`);

      const shipments = `fulfillmentId,shipmentId,sku,quantity,carrier,trackingNumber,shippedAt\r\n${f},S1,SKU-B1,2,UPS,1Z1,${new Date().toISOString()}\r\n`;
      drop('ship-1.csv', shipments);
      await until(async () => (await srv.api(`/v1/orders/${placed.body.id}`)).body.status === 'shipped');
      await until(() => readdirSync(join(root, 'processed')).length === 1);
      drop('ship-1-again.csv', shipments);
      await until(() => readdirSync(join(root, 'processed')).length === 2);
      const order = (await srv.api(`/v1/orders/${placed.body.id}`)).body;
      expect(order.lines[0].buckets).toMatchObject({ shipped: 2, released: 0 });
      expect((await srv.api('/v1/inventory?sku=SKU-B1&nodeId=dc-csv')).body.items[0]).toMatchObject({ onHand: 8, reserved: 0 });
    });

    it('takes the good rows of a file with a bad one, and reports the bad one in failed/', async () => {
      const placed = await srv.api('/v1/orders', { body: { externalId: `B-${randomUUID()}`, channel: 'web', currency: 'USD', shipTo: SEATTLE, lines: [{ lineId: '1', sku: 'SKU-B2', quantity: 1, unitPrice: 700 }] } });
      const f = placed.body.fulfillments[0].id as string;
      const now = new Date().toISOString();
      drop('mixed.csv', `fulfillmentId,shipmentId,sku,quantity,shippedAt\r\n${f},S1,SKU-B2,1,${now}\r\nful_other-1,S9,SKU-B2,zero,${now}\r\n`);
      await until(() => existsSync(join(root, 'failed')) && readdirSync(join(root, 'failed')).some((n) => n.endsWith('.errors.csv')));
      const report = readdirSync(join(root, 'failed')).find((n) => n.endsWith('.errors.csv'))!;
      expect(readFileSync(join(root, 'failed', report), 'utf8')).toMatch(/3,quantity,/);
      await until(async () => (await srv.api(`/v1/orders/${placed.body.id}`)).body.status === 'shipped');
    });
  });
}
