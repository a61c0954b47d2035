import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ServiceProcess } from '../support/process.js';
import { spawnService } from '../support/process.js';
import { createTestDatabase } from '../support/postgres.js';
import { e2eStores } from '../support/server.js';

const KEY = `mp-key-${randomUUID()}`;

async function call(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- arbitrary JSON
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: await res.json() };
}

for (const store of e2eStores()) {
  describe(`reservations with two server processes on one database (${store})`, () => {
    const cleanups: (() => Promise<unknown> | void)[] = [];
    afterAll(async () => {
      for (const c of cleanups.reverse()) await c();
    });

    it('40 simultaneous one-unit orders split over two processes at 10 units: exactly 10 allocated', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'orderly-mp-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      let env: Record<string, string> = { ORDERLY_DATA_DIR: dir, ORDERLY_BOOTSTRAP_API_KEY: KEY };
      if (store === 'postgres') {
        const db = await createTestDatabase(`orderly_mp_${randomUUID().replaceAll('-', '').slice(0, 16)}`);
        cleanups.push(() => db.drop());
        env = { ...env, DATABASE_URL: db.url };
      }
      const a: ServiceProcess = await spawnService(env);
      cleanups.push(() => a.stop());
      const b: ServiceProcess = await spawnService(env);
      cleanups.push(() => b.stop());

      expect((await call(a.url, 'PUT', '/v1/nodes/dc-1', { type: 'dc', location: { lat: 40, lon: -100, country: 'US' }, capabilities: ['ship'], shipMethods: ['standard'] })).status).toBe(200);
      expect((await call(a.url, 'POST', '/v1/inventory/snapshots', { nodeId: 'dc-1', asOf: new Date().toISOString(), positions: [{ sku: 'LAST', onHand: 10 }] })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1100)); // past the node cache of process b

      const orders = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          call(i % 2 ? a.url : b.url, 'POST', '/v1/orders', {
            externalId: `MP-${i}`,
            channel: 'web',
            currency: 'USD',
            shipTo: { country: 'US', lat: 41, lon: -99 },
            lines: [{ lineId: '1', sku: 'LAST', quantity: 1, unitPrice: 100 }],
          }),
        ),
      );
      expect(orders.map((o) => o.status).filter((s) => s !== 201)).toEqual([]);
      const allocated = orders.filter((o) => o.body.lines[0].buckets.allocated === 1).length;
      const backordered = orders.filter((o) => o.body.lines[0].buckets.backordered === 1).length;
      expect([allocated, backordered]).toEqual([10, 30]);
      const position = (await call(b.url, 'GET', '/v1/inventory?sku=LAST')).body.items[0];
      expect(position).toMatchObject({ onHand: 10, reserved: 10, sellable: 0 });
    }, 60_000);
  });
}
