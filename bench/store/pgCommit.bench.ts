/**
 * Throughput probe for the PostgreSQL store's group commit (not a test).
 *
 *   DATABASE_URL=postgres://root@127.0.0.1:5432/postgres npx tsx bench/store/pgCommit.bench.ts [seconds] [batch sizes…]
 *
 * Creates a throwaway database, measures the physical anchors first (one-row transactions and a
 * multi-row INSERT, as in STACK.md), then `store.commit` with batches of N "create order" units —
 * each 2 events + idempotency record + external ref + order row, i.e. 6 rows with the stream row —
 * and drops the database.
 *
 * The machine is shared and noisy, so besides wall-clock rates it reports CPU per unit: the
 * PostgreSQL backend's (from /proc: Linux, server on this host) and this Node process's.
 */
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createPostgresStore } from '../../src/store/postgres/postgresStore.js';
import type { UnitOfWork } from '../../src/store/port.js';

const base = process.env.DATABASE_URL;
if (!base) throw new Error('set DATABASE_URL');
const seconds = Number(process.argv[2] ?? 5);
const batchSizes = process.argv.slice(3).map(Number);
if (batchSizes.length === 0) batchSizes.push(1, 50);
const ROWS_PER_UNIT = 6;

const dbName = `orderly_bench_${process.pid}`;
async function admin(sql: string) {
  const c = new pg.Client({ connectionString: base });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}
const dbUrl = (() => {
  const u = new URL(base);
  u.pathname = `/${dbName}`;
  return u.toString();
})();

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

let seqNo = 0;
const lines = [
  { lineId: 'l1', sku: 'SKU-RED-M', quantity: 2, unitPrice: { amount: '19.99', currency: 'USD' } },
  { lineId: 'l2', sku: 'SKU-BLU-L', quantity: 1, unitPrice: { amount: '49.00', currency: 'USD' } },
  { lineId: 'l3', sku: 'SKU-GRN-S', quantity: 3, unitPrice: { amount: '5.25', currency: 'USD' } },
];
function createOrderUnit(): UnitOfWork {
  const n = seqNo++;
  const id = `ord_${String(n).padStart(10, '0')}_${randomUUID().slice(0, 8)}`;
  const now = new Date().toISOString();
  const metadata = {
    correlationId: randomUUID(),
    idempotencyKey: `k-${n}`,
    actor: { kind: 'service' as const, id: 'idn_bench' },
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  };
  const draft = {
    channel: 'web',
    externalId: `WEB-${n}`,
    customer: { id: `cus_${n}`, email: `c${n}@example.com` },
    shipTo: { name: 'A Customer', line1: '1 Main St', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' },
    lines,
  };
  return {
    append: {
      streamId: id,
      streamType: 'order',
      expectedVersion: 0,
      recordedAt: now,
      events: [
        { eventId: `evt_${randomUUID()}`, type: 'OrderCreated', schemaVersion: 1, occurredAt: now, data: draft, metadata },
        { eventId: `evt_${randomUUID()}`, type: 'OrderValidated', schemaVersion: 1, occurredAt: now, data: { checks: ['address', 'lines', 'payment'] }, metadata },
      ],
    },
    idempotency: { scope: 'idn_bench', key: `k-${n}`, fingerprint: randomUUID(), status: 201, body: { id, status: 'validated' } },
    externalRef: { channel: 'web', externalId: `WEB-${n}`, orderId: id },
    orderRow: {
      id, channel: 'web', externalId: `WEB-${n}`, status: 'validated', version: 2, createdAt: now, updatedAt: now,
      view: { id, ...draft, status: 'validated', version: 2 },
    },
  };
}

/** CPU seconds (user + system) a local process has used, from /proc/<pid>/stat; NaN elsewhere. */
function procCpu(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

async function timed(label: string, step: () => Promise<number>, unit: string, backendPid?: number) {
  const latencies: number[] = [];
  let count = 0;
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  const node0 = process.cpuUsage();
  const pg0 = procCpu(backendPid);
  while (performance.now() < end) {
    const t = performance.now();
    count += await step();
    latencies.push(performance.now() - t);
  }
  const elapsed = (performance.now() - start) / 1000;
  const nodeCpu = process.cpuUsage(node0);
  const nodeUs = ((nodeCpu.user + nodeCpu.system) / count).toFixed(1);
  const pgUs = (((procCpu(backendPid) - pg0) * 1e6) / count).toFixed(1);
  console.log(
    `${label.padEnd(40)} ${fmt(count / elapsed).padStart(7)} ${unit}/s  call p50 ${pct(latencies, 50).toFixed(2)} ms p99 ${pct(latencies, 99).toFixed(2)} ms` +
      `  CPU/${unit}: pg ${pgUs} µs, node ${nodeUs} µs  (${latencies.length} calls)`,
  );
  return count / elapsed;
}

await admin(`CREATE DATABASE ${dbName}`);
try {
  // Physical anchors, same run.
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  const anchorPid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
  await c.query('CREATE TABLE anchor (id bigserial PRIMARY KEY, a text NOT NULL, b jsonb NOT NULL)');
  await timed('anchor: one-row INSERT per transaction', async () => {
    await c.query('INSERT INTO anchor (a, b) VALUES ($1, $2)', ['x', '{"k":1}']);
    return 1;
  }, 'tx', anchorPid);
  const rows = 1000;
  const values = Array.from({ length: rows }, (_, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(',');
  const args = Array.from({ length: rows }, () => ['x', '{"k":1}']).flat();
  await timed(`anchor: multi-row INSERT (${rows} rows)`, async () => {
    await c.query(`INSERT INTO anchor (a, b) VALUES ${values}`, args);
    return rows;
  }, 'row', anchorPid);

  const store = createPostgresStore(dbUrl);
  await store.migrate();
  for (let i = 0; i < 20; i++) await store.commit([createOrderUnit()]); // warm up plans
  const commitPid = (
    await c.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE application_name = 'orderly-commit' AND datname = current_database()",
    )
  ).rows[0]?.pid;
  const check = (out: readonly { ok: boolean }[] | undefined) => {
    if (!out?.every((o) => o.ok)) throw new Error(`unexpected outcome ${JSON.stringify(out?.find((o) => !o.ok))}`);
  };
  for (const size of batchSizes) {
    const ups = await timed(`store.commit, ${size} unit(s)/commit`, async () => {
      check(await store.commit(Array.from({ length: size }, createOrderUnit)));
      return size;
    }, 'unit', commitPid);
    console.log(`${''.padEnd(40)} ${fmt(ups * ROWS_PER_UNIT).padStart(7)} rows/s`);
  }
  const counts = (
    await c.query<{ orders: string; events: string }>(
      'SELECT (SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM events) AS events',
    )
  ).rows[0];
  console.log(`database now holds ${counts?.orders} orders, ${counts?.events} events`);
  await c.end();
  await store.close();
} finally {
  await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
}
