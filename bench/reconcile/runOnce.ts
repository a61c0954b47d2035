// One measured reconciliation run, in its own process so its peak RSS (VmHWM) is its own:
//   --mode store: a snapshot generated in scrambled order goes through the real path — checked
//     row by row, spilled sorted to the store, merged back, joined with the ledger read from the
//     store in keyset pages, findings stored, exceptions raised — on SQLite or PostgreSQL;
//   --mode pure: the same ledger entries and rows, generated in key order in memory, through the
//     engine alone (the same-run baseline).
// Prints one JSON line: wall and phase times, peak RSS, drifts found by class and seeded by class.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { InventoryTargetRow, OrdersTargetRow, ReconcileKind } from '../../src/reconcile/index.js';
import { createExceptionService } from '../../src/app/exceptions.js';
import { newId } from '../../src/app/ids.js';
import { NO_RECONCILIATION_FILE } from '../../src/app/reconcile/reconcileConfig.js';
import { createReconciliationService } from '../../src/app/reconcile/reconciliationService.js';
import { reconciliationRunDeps } from '../../src/app/reconcile/setUpReconciliation.js';
import { toLedgerFulfillment } from '../../src/app/reconcile/ledgerFulfillments.js';
import { runEngine } from '../../src/app/reconcile/runEngine.js';
import type { LedgerEntry } from '../../src/app/reconcile/runEngine.js';
import type { RawItem } from '../../src/app/reconcile/snapshotFormats.js';
import type { Store } from '../../src/store/port.js';
import {
  AS_OF, NOW, ORDER_CLASS, POSITION_CLASS, fulfillment, inventorySnapshotRows, onHandOf, orderMutation, orderSnapshotRows, posNode, posSku,
  positionMutation, scrambled, seededCounts,
} from './world.js';

const arg = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const mode = arg('mode', 'store');
const kind = arg('kind', 'orders') as Extract<ReconcileKind, 'orders' | 'inventory'>;
const storeKind = arg('store', 'sqlite');
const location = arg('location', '');
const count = Number(arg(kind === 'orders' ? 'orders' : 'positions', kind === 'orders' ? '1000000' : '100000'));
const drift = Number(arg('drift', '0.001'));
const file = { ...NO_RECONCILIATION_FILE, feedAgeMinutes: { 'wms-main': { orders: 24 * 60 } } };
const clock = { now: () => NOW };
const target = kind === 'orders' ? 'wms-main' : 'wms-inv';

const peakRssMb = (): number => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;

/** The snapshot in no particular order (a stride permutation), as raw rows for the receiving checks. */
function* snapshot(): Generator<RawItem> {
  const perm = scrambled(count);
  const out: (OrdersTargetRow | InventoryTargetRow)[] = [];
  let n = 0;
  for (let k = 0; k < count; k++) {
    out.length = 0;
    if (kind === 'orders') orderSnapshotRows(perm(k), drift, out as OrdersTargetRow[]);
    else inventorySnapshotRows(perm(k), drift, out as InventoryTargetRow[]);
    for (const input of out) yield { input, path: `rows[${n++}]` };
  }
}

async function openStore(): Promise<Store> {
  if (storeKind === 'postgres') {
    const { createPostgresStore } = await import('../../src/store/postgres/postgresStore.js');
    return createPostgresStore(location);
  }
  const { createSqliteStore } = await import('../../src/store/sqlite/sqliteStore.js');
  return createSqliteStore(location);
}

const tally = (into: Record<string, number>, cls: string) => (into[cls] = (into[cls] ?? 0) + 1);

async function storeRun(): Promise<Record<string, unknown>> {
  const store = await openStore();
  try {
    const exceptions = createExceptionService({ store, clock, newId });
    let receivedAt = 0;
    const t0 = performance.now();
    const deps = reconciliationRunDeps({ store, exceptions, clock, file, onProgress: (run) => {
      if (receivedAt === 0) receivedAt = performance.now();
      void run;
    } });
    const service = createReconciliationService({ ...deps, newId });
    const run = await service.runNow({ header: { target, kind, asOf: AS_OF, scope: 'all' }, rows: snapshot(), source: 'bench', createdBy: 'bench' });
    const wallMs = performance.now() - t0;
    const peak = peakRssMb();
    const found: Record<string, number> = {};
    for (const c of await store.countReconciliationDrifts(run.id)) if (c.status === 'drift') found[c.class] = c.count;
    return { status: run.status, error: run.error, wallMs, receiveMs: receivedAt - t0, compareMs: performance.now() - receivedAt - (performance.now() - t0 - wallMs), peakRssMb: peak, found, totals: run.totals, progress: run.progress };
  } finally {
    await store.close();
  }
}

/** The engine alone over the same entries and rows, generated in key order, page by page. */
async function pureRun(): Promise<Record<string, unknown>> {
  const PAGE = 2000;
  const ledger = {
    pages: (async function* () {
      for (let s = 0; s < count; s += PAGE) {
        const page: LedgerEntry[] = [];
        for (let i = s; i < Math.min(count, s + PAGE); i++) {
          if (kind === 'orders') {
            const f = fulfillment(i);
            page.push(toLedgerFulfillment({ ...f, release: { messageId: `msg_${i}`, status: 'dispatched', ...f.release } }, target));
          } else page.push({ nodeId: posNode(i), sku: posSku(i), onHand: onHandOf(i), asOf: new Date(Date.parse(AS_OF) - 600 * 60_000).toISOString() });
        }
        yield page;
      }
    })(),
  };
  const rows = {
    pages: (async function* () {
      for (let s = 0; s < count; s += PAGE) {
        const page: (OrdersTargetRow | InventoryTargetRow)[] = [];
        for (let i = s; i < Math.min(count, s + PAGE); i++) {
          if (kind === 'orders') orderSnapshotRows(i, drift, page as OrdersTargetRow[]);
          else inventorySnapshotRows(i, drift, page as InventoryTargetRow[]);
        }
        yield page;
      }
    })(),
  };
  const found: Record<string, number> = {};
  const t0 = performance.now();
  const deps = reconciliationRunDeps({ store: undefined as never, exceptions: undefined as never, clock, file });
  for await (const e of runEngine(kind, { target, kind, asOf: AS_OF, scope: 'all' }, ledger, rows, { now: NOW, policy: deps.policy, progressEvery: 100_000 })) {
    if (e.type === 'drift') tally(found, e.class);
  }
  return { status: 'completed', wallMs: performance.now() - t0, peakRssMb: peakRssMb(), found };
}

const result = mode === 'pure' ? await pureRun() : await storeRun();
const seeded = kind === 'orders' ? seededCounts(count, (i) => orderMutation(i, drift, fulfillment(i).row), ORDER_CLASS) : seededCounts(count, (i) => positionMutation(i, drift), POSITION_CLASS);
process.stdout.write(`${JSON.stringify({ mode, store: mode === 'pure' ? 'none' : storeKind, kind, count, ...result, seeded })}\n`);
