/**
 * Where an order's CPU goes, without HTTP: `npx tsx bench/intake/inprocess.ts [off|on]`.
 * Places 4,000 orders (after 4,000 warm-up) through the order service on a fresh SQLite file, 16 at
 * a time, and prints wall and CPU time per order (CPU of both the main and the writer thread).
 * `on` adds 20 stocked nodes, so every order is routed, explained and reserved.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/app/clock.js';
import { createGroupCommitter } from '../../src/app/groupCommitter.js';
import { newId } from '../../src/app/ids.js';
import { createOrderService } from '../../src/app/orderService.js';
import { createRoutingContext } from '../../src/app/routingContext.js';
import { createSqliteStore } from '../../src/store/sqlite/sqliteStore.js';

const routingOn = process.argv[2] === 'on';
const store = createSqliteStore(join(mkdtempSync(join(tmpdir(), 'orderly-inproc-')), 'orderly.db'));
await store.migrate();
const routing = createRoutingContext({ store, newId });
const orders = createOrderService({ store, committer: createGroupCommitter(store), clock: systemClock, newId, routing });
if (routingOn) {
  for (let i = 0; i < 20; i++) {
    const store_ = i >= 10;
    await store.putNode({
      id: `n-${i}`,
      doc: { id: `n-${i}`, type: store_ ? 'store' : 'dc', location: { lat: 30 + i, lon: -120 + i * 2, country: 'US' }, capabilities: store_ ? ['pickup', 'ship_from_store'] : ['ship'], shipMethods: ['standard'], status: 'open' },
      updatedAt: new Date().toISOString(),
    });
    await store.applySnapshot(`n-${i}`, new Date().toISOString(), Array.from({ length: 50 }, (_, k) => ({ sku: `SKU-${k}`, onHand: 10_000_000 })));
  }
}
const ctx = { correlationId: 'bench', actor: { kind: 'service' as const, id: 'bench' } };
let n = 0;
const draft = () => {
  n++;
  return {
    externalId: `IP-${n}`, channel: 'web', currency: 'USD', placedAt: '2026-11-25T10:00:00Z', customer: { tier: 'standard' },
    shipTo: { country: 'US', lat: 47, lon: -122 }, fulfillment: { type: 'ship' as const, shipMethod: 'standard' as const },
    lines: [{ lineId: '1', sku: `SKU-${n % 50}`, quantity: 2, unitPrice: 1999 }, { lineId: '2', sku: `SKU-${(n + 7) % 50}`, quantity: 1, unitPrice: 4999 }],
  };
};
const N = 4000;
for (const phase of ['warm-up', 'measured']) {
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (let b = 0; b < N / 16; b++) {
    const outcomes = await Promise.all(Array.from({ length: 16 }, () => orders.place(draft(), ctx, { idempotency: { scope: 'bench', key: `k-${n}`, fingerprint: 'f' } })));
    if (outcomes.some((o) => o.kind !== 'ok')) throw new Error(`an order was refused: ${JSON.stringify(outcomes.find((o) => o.kind !== 'ok'))}`);
  }
  const used = process.cpuUsage(cpu);
  if (phase === 'measured') {
    process.stdout.write(`${JSON.stringify({ routing: routingOn ? 'on' : 'off', orders: N, wallUsPerOrder: Math.round(((performance.now() - started) * 1000) / N), cpuUsPerOrder: Math.round((used.user + used.system) / N) })}\n`);
  }
}
await store.close();
