// `npm run bench -- reconcile [--orders N] [--positions N] [--repeat R] [--stores sqlite,postgres] [--drift RATE]`:
// issue 6's benchmark. Per store: a fresh store seeded with N fulfillments (40 nodes served by one
// WMS, their release messages, 3% still in the outbox) and the positions of 50 nodes; then, R times,
// the measured runs each in a child process (runOnce.ts: wall time, phases, peak RSS) — orders, then
// inventory — beside the pure engine on the same rows in the same run (the baseline). Medians.
// PostgreSQL needs DATABASE_URL (a server where the bench may create and drop a database).
// `npx tsx bench/reconcile/pure.ts` is the pure core's own micro-benchmark.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { median, round } from '../lib/stats.js';
import { createSqliteStore } from '../../src/store/sqlite/sqliteStore.js';
import type { Store } from '../../src/store/port.js';
import { seedNodes, seedPostgres, seedSqlite } from './seed.js';

const arg = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const ORDERS = arg('orders', '1000000');
const POSITIONS = arg('positions', '100000');
const REPEAT = Number(arg('repeat', '3'));
const DRIFT = arg('drift', '0.001');
const stores = arg('stores', process.env.DATABASE_URL ? 'sqlite,postgres' : 'sqlite').split(',');

interface Result { mode: string; store: string; kind: string; count: number; status: string; wallMs: number; receiveMs?: number; compareMs?: number; peakRssMb: number; found: Record<string, number>; seeded: Record<string, number> }

function once(args: string[]): Result {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/reconcile/runOnce.ts', ...args, '--orders', ORDERS, '--positions', POSITIONS, '--drift', DRIFT], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`runOnce ${args.join(' ')} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Result;
}

async function withStore(name: string, fn: (location: string) => Promise<void>): Promise<void> {
  if (name === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'orderly-bench-recon-'));
    const path = join(dir, 'orderly.db');
    try {
      const store = createSqliteStore(path);
      await prepare(store);
      seedSqlite(path, Number(ORDERS), Number(POSITIONS));
      await fn(path);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return;
  }
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error('DATABASE_URL is required for the PostgreSQL run');
  const db = `orderly_bench_recon_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${db}`);
  const url = new URL(base);
  url.pathname = `/${db}`;
  try {
    const { createPostgresStore } = await import('../../src/store/postgres/postgresStore.js');
    await prepare(createPostgresStore(url.toString()));
    await seedPostgres(url.toString(), Number(ORDERS), Number(POSITIONS));
    await fn(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await admin.end();
  }
}

async function prepare(store: Store): Promise<void> {
  await store.migrate();
  await seedNodes(store, Number(POSITIONS));
  await store.close();
}

const same = (a: Record<string, number>, b: Record<string, number>): boolean => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
const sec = (ms: number | undefined): string => (ms === undefined || Number.isNaN(ms) ? '—' : String(round(ms / 1000, 2)));
const rows: string[] = [];
const all: Result[] = [];
console.log(`node ${process.version}; ${ORDERS} fulfillments, ${POSITIONS} positions, drift ${DRIFT}, ${REPEAT} runs each; started ${new Date().toISOString()}\n`);
for (const name of stores) {
  const t = Date.now();
  await withStore(name, async (location) => {
    console.error(`${name}: seeded in ${round((Date.now() - t) / 1000, 1)} s`);
    for (const kind of ['orders', 'inventory'] as const) {
      const runs: Result[] = [];
      const pure: Result[] = [];
      for (let r = 0; r < REPEAT; r++) {
        runs.push(once(['--mode', 'store', '--store', name, '--location', location, '--kind', kind]));
        pure.push(once(['--mode', 'pure', '--kind', kind]));
        console.error(`${name} ${kind} run ${r + 1}: ${sec(runs.at(-1)!.wallMs)} s (pure ${sec(pure.at(-1)!.wallMs)} s), peak ${round(runs.at(-1)!.peakRssMb, 0)} MB`);
      }
      all.push(...runs, ...pure);
      const m = (xs: Result[], f: (x: Result) => number | undefined) => median(xs.map((x) => f(x) ?? NaN));
      const ok = runs.every((x) => x.status === 'completed' && same(x.found, x.seeded)) && pure.every((x) => same(x.found, x.seeded));
      rows.push(`| ${name} | ${kind} | ${Number(runs[0]!.count).toLocaleString('en')} | **${sec(m(runs, (x) => x.wallMs))}** | ${sec(m(runs, (x) => x.receiveMs))} / ${sec(m(runs, (x) => x.compareMs))} | ${runs.map((x) => sec(x.wallMs)).join(' / ')} | **${round(m(runs, (x) => x.peakRssMb), 0)}** | ${sec(m(pure, (x) => x.wallMs))} | ${round(m(runs, (x) => x.wallMs) / m(pure, (x) => x.wallMs), 1)}× | ${ok ? 'yes' : 'NO'} |`);
    }
  });
}
console.log('| store | kind | rows | wall s (median) | receive / compare s | runs s | peak RSS MB | pure engine s | store ÷ pure | drifts found = seeded |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
console.log(`\n${JSON.stringify(all)}`);
