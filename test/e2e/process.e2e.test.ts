import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { spawnService } from '../support/process.js';
import { createTestDatabase } from '../support/postgres.js';
import { e2eStores } from '../support/server.js';

const order = (externalId: string) => ({
  externalId,
  channel: 'web',
  currency: 'USD',
  customer: { id: 'c-1', email: 'grace@example.com' },
  shipTo: { name: 'Grace H', line1: '2 Side St', city: 'Boston', country: 'US' },
  lines: [
    { lineId: '1', sku: 'SKU-A', quantity: 2, unitPrice: 1500 },
    { lineId: '2', sku: 'SKU-B', quantity: 1, unitPrice: 999 },
  ],
});

const post = (url: string, key: string, body: unknown) =>
  fetch(`${url}/v1/orders`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify(body),
  });

async function waitFor<T>(probe: () => T | undefined, ms = 5000): Promise<T | undefined> {
  const until = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
}

for (const store of e2eStores()) {
  describe(`orderly serve as a process (${store})`, () => {
    const cleanups: (() => Promise<void> | void)[] = [];
    afterAll(async () => {
      for (const c of cleanups.reverse()) await c();
    });

    const environment = async (): Promise<Record<string, string>> => {
      const dir = mkdtempSync(join(tmpdir(), 'orderly-proc-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      if (store === 'sqlite') return { ORDERLY_DATA_DIR: dir, DATABASE_URL: '' };
      const db = await createTestDatabase(`orderly_p_${randomUUID().replaceAll('-', '').slice(0, 16)}`);
      cleanups.push(() => db.drop());
      return { ORDERLY_DATA_DIR: dir, DATABASE_URL: db.url };
    };

    it('prints a generated admin key once, and comes back on the same data after a restart', async () => {
      const env = { ...(await environment()), ORDERLY_BOOTSTRAP_API_KEY: '' };
      const first = await spawnService(env);
      // The key goes to stdout beside the (asynchronous) log stream: wait for it to arrive.
      const key = await waitFor(() => /\n\s+(ork_[\w-]+)\s*\n/.exec(first.output())?.[1]);
      expect(key, first.output()).toBeDefined();
      const created = await post(first.url, key!, order('P-1'));
      expect(created.status).toBe(201);
      const placed = (await created.json()) as { id: string; version: number };
      expect(await first.stop('SIGTERM')).toBe(0);
      expect(first.output()).toContain('shutting down');

      const second = await spawnService(env);
      cleanups.push(() => void second.stop());
      expect(second.output()).not.toMatch(/ork_/);
      const res = await fetch(`${second.url}/v1/orders/${placed.id}`, { headers: { authorization: `Bearer ${key}` } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { version: number }).version).toBe(placed.version);
      const events = await fetch(`${second.url}/v1/orders/${placed.id}/events`, { headers: { authorization: `Bearer ${key}` } });
      expect(((await events.json()) as { items: { type: string }[] }).items.map((e) => e.type)).toEqual(['OrderPlaced']);
      expect(await second.stop('SIGINT')).toBe(0);
    });

    it('finishes in-flight requests on SIGTERM, and every acknowledged order survives', async () => {
      const key = `proc-key-${randomUUID()}`;
      const env = { ...(await environment()), ORDERLY_BOOTSTRAP_API_KEY: key };
      const svc = await spawnService(env);
      const inFlight = Array.from({ length: 40 }, (_, i) => post(svc.url, key, order(`T-${i}`)).then((r) => r.status, () => 'refused'));
      // Signal as soon as the first answer is back, with the others still in flight.
      await Promise.race(inFlight);
      const exit = svc.stop('SIGTERM');
      const statuses = await Promise.all(inFlight);
      expect(await exit).toBe(0);
      // Each request either completed (201) or was refused before it was accepted; none half-done.
      for (const s of statuses) expect([201, 503, 'refused']).toContain(s);
      const acknowledged = statuses.filter((s) => s === 201).length;
      expect(acknowledged).toBeGreaterThan(0);

      const again = await spawnService(env);
      cleanups.push(() => void again.stop());
      const list = await fetch(`${again.url}/v1/orders?channel=web&limit=500`, { headers: { authorization: `Bearer ${key}` } });
      const items = ((await list.json()) as { items: { externalId: string }[] }).items;
      expect(items.length).toBe(acknowledged);
      await again.stop();
    });
  });
}
