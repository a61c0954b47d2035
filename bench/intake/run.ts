/**
 * bench/intake: POST /v1/orders over loopback from a separate client process, on SQLite
 * (synchronous=FULL: every commit fsynced) and PostgreSQL, with the raw store write limit for the
 * same rows measured in the same run. Prints a markdown report; writes JSON to bench/out/.
 *
 *   npm run bench -- intake [--seconds 10] [--concurrency 32] [--repeat 3] [--stores sqlite,postgres]
 *
 * PostgreSQL needs DATABASE_URL (a server where the bench may create and drop a database).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createSqliteStore } from '../../src/store/sqlite/sqliteStore.js';
import type { Store } from '../../src/store/port.js';
import { spawnService } from '../../test/support/process.js';
import { median } from '../lib/stats.js';
import { rawWriteRate } from './raw.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const seconds = Number(arg('seconds', '10'));
const concurrency = Number(arg('concurrency', '32'));
const repeat = Number(arg('repeat', '3'));
const stores = arg('stores', process.env.DATABASE_URL ? 'sqlite,postgres' : 'sqlite').split(',');
const routingModes = arg('routing', 'off,on').split(',') as ('off' | 'on')[];
const KEY = `bench-admin-${randomUUID()}`;

interface ClientResult { ordersPerSecond: number; p50ms: number; p99ms: number; requests: number; ok: number; statuses: Record<string, number>; serverCpuUsPerOrder?: number }

/** User + system CPU seconds a process has used (all its threads), from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

function runClient(url: string, tag: string): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/intake/client.ts', url, KEY, String(concurrency), String(seconds), '2', tag], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim()) as ClientResult) : reject(new Error(`client exited ${code}`))));
  });
}

async function withDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error('DATABASE_URL is required for the PostgreSQL run');
  const name = `orderly_bench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  try {
    return await fn(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

async function rawFor(open: () => Promise<Store>): Promise<{ batched: number; single: number }> {
  const store = await open();
  await store.migrate();
  try {
    const batched = await rawWriteRate(store, 20_000, 100, 'b');
    const single = await rawWriteRate(store, 2_000, 1, 's');
    return { batched, single };
  } finally {
    await store.close();
  }
}

/** Routing on: 20 nodes (10 DCs, 10 stores) with ample stock of the client's 50 SKUs. */
async function stockNetwork(url: string): Promise<void> {
  const call = async (method: string, path: string, body: unknown) => {
    const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() }, body: JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  };
  for (let i = 0; i < 20; i++) {
    const store = i >= 10;
    await call('PUT', `/v1/nodes/n-${i}`, {
      type: store ? 'store' : 'dc',
      location: { lat: 30 + i, lon: -120 + i * 2, country: 'US' },
      capabilities: store ? ['pickup', 'ship_from_store'] : ['ship'],
      shipMethods: ['standard', 'expedited'],
    });
    await call('POST', '/v1/inventory/snapshots', {
      nodeId: `n-${i}`,
      asOf: new Date().toISOString(),
      positions: Array.from({ length: 50 }, (_, k) => ({ sku: `SKU-${k}`, onHand: 10_000_000 })),
    });
  }
}

async function httpFor(env: Record<string, string>, routing: boolean): Promise<ClientResult[]> {
  const svc = await spawnService({ ...env, ORDERLY_BOOTSTRAP_API_KEY: KEY, LOG_LEVEL: 'info' }, ['serve'], { keepOutput: false });
  try {
    if (routing) await stockNetwork(svc.url);
    const runs: ClientResult[] = [];
    for (let r = 0; r < repeat; r++) {
      const cpuBefore = cpuSeconds(svc.child.pid!);
      const result = await runClient(svc.url, `${Date.now()}-${r}`);
      // Server CPU per order: less sensitive to a noisy shared machine than orders/s (includes the
      // 2 s warm-up's orders in neither term's favour: both are measured over the whole client run).
      const cpu = cpuSeconds(svc.child.pid!) - cpuBefore;
      runs.push({ ...result, serverCpuUsPerOrder: Math.round((cpu * 1e6) / Math.max(1, result.ok * ((seconds + 2) / seconds))) });
    }
    return runs;
  } finally {
    await svc.stop();
  }
}

const results: Record<string, unknown> = {};
const rows: string[] = [];
for (const store of stores) {
  const dir = mkdtempSync(join(tmpdir(), 'orderly-bench-'));
  try {
    let raw: { batched: number; single: number };
    const runsBy: Record<'off' | 'on', ClientResult[]> = { off: [], on: [] };
    for (const mode of routingModes) {
      const routingOn = mode === 'on';
      if (store === 'sqlite') {
        const sub = join(dir, mode);
        runsBy[mode] = await httpFor({ ORDERLY_DATA_DIR: sub, ORDERLY_SQLITE_SYNCHRONOUS: 'FULL', DATABASE_URL: '' }, routingOn);
      } else {
        runsBy[mode] = await withDatabase((url) => httpFor({ ORDERLY_DATA_DIR: dir, DATABASE_URL: url }, routingOn));
      }
    }
    if (store === 'sqlite') {
      raw = await rawFor(async () => createSqliteStore(join(dir, 'raw.db'), { synchronous: 'FULL' }));
    } else {
      const { createPostgresStore } = await import('../../src/store/postgres/postgresStore.js');
      raw = await withDatabase((url) => rawFor(async () => createPostgresStore(url)));
    }
    const runs = runsBy[routingModes[0]!];
    const summarize = (rs: ClientResult[]) => ({
      ordersPerSecond: median(rs.map((r) => r.ordersPerSecond)),
      p50ms: median(rs.map((r) => r.p50ms)),
      p99ms: median(rs.map((r) => r.p99ms)),
      serverCpuUsPerOrder: median(rs.map((r) => r.serverCpuUsPerOrder ?? NaN)),
      nonCreated: rs.reduce((s, r) => s + (r.requests - r.ok), 0),
      runs: rs,
    });
    const summary = { raw, off: runsBy.off.length ? summarize(runsBy.off) : undefined, on: runsBy.on.length ? summarize(runsBy.on) : undefined };
    results[store] = summary;
    for (const mode of routingModes) {
      const m = summary[mode]!;
      rows.push(
        `| ${store} | ${mode} | ${m.ordersPerSecond} | ${m.p50ms} | ${m.p99ms} | ${m.runs.map((r) => r.ordersPerSecond).join(' / ')} | ${m.serverCpuUsPerOrder} | ${m.nonCreated} | ${raw.batched} | ${raw.single} | ${round2(m.ordersPerSecond / raw.single)}× |`,
      );
    }
    if (summary.off && summary.on) {
      rows.push(`| ${store} | on ÷ off | ${round2(summary.on.ordersPerSecond / summary.off.ordersPerSecond)} | | | | ${round2(summary.on.serverCpuUsPerOrder / summary.off.serverCpuUsPerOrder)} | | | | |`);
    }
    void runs;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

const report = [
  `bench/intake — ${new Date().toISOString()} — ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}`,
  `POST /v1/orders, 2-line orders, unique keys, concurrency ${concurrency}, ${seconds} s × ${repeat} runs after 2 s warm-up (medians); SQLite synchronous=FULL`,
  '',
  '| store | routing | orders/s (median) | p50 ms | p99 ms | runs orders/s | server CPU µs/order | non-201 | raw batched units/s (100/tx) | raw units/s (1/tx) | HTTP ÷ raw 1/tx |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
  ...rows,
].join('\n');
process.stdout.write(`${report}\n`);
mkdirSync(join(ROOT, 'bench/out'), { recursive: true });
writeFileSync(join(ROOT, 'bench/out', `intake-${Date.now()}.json`), JSON.stringify({ concurrency, seconds, repeat, results }, null, 2));
