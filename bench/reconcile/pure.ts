// The pure reconciliation core on its own: `npx tsx bench/reconcile/pure.ts [--orders N] [--positions N]
// [--drift RATE] [--page N] [--source pages|rows] [--phase both|streamed]` (or `npm run bench -- reconcile …`). Synthetic
// fulfillments and their WMS snapshot (~0.1% seeded drift), then inventory positions and their
// 846-like snapshot, already sorted, go through the merge-join and comparators twice:
// - generated while streamed, page by page, nothing held beyond a page: peak RSS (sampled every
//   page; `/usr/bin/time -v … --phase streamed` gives the process maximum of this phase alone) and
//   the time of generation + join;
// - the join and comparison alone: chunks of 50,000 generated before the clock starts, streamed
//   from memory in the same pages.
// Wall and CPU time are both reported: on a shared machine CPU time is the steadier figure.
// Issue 6 targets for the whole path (lead, real stores): 1M orders ≤ 15 s and ≤ 512 MB; 100k positions ≤ 2 s.
import { performance } from 'node:perf_hooks';
import type {
  FulfillmentChange,
  InventoryTargetRow,
  LedgerFulfillment,
  LedgerPosition,
  OrdersTargetRow,
  ReconcilePolicy,
  Rows,
  RunEvent,
} from '../../src/reconcile/index.js';
import { createFeedAgePolicy, defaultReconcilePolicy, reconcileInventory, reconcileOrders } from '../../src/reconcile/index.js';
import { round } from '../lib/stats.js';

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}
const ORDERS = Number(arg('orders', '1000000'));
const POSITIONS = Number(arg('positions', '100000'));
const DRIFT = Number(arg('drift', '0.001'));
const PAGE = Number(arg('page', '1000'));
const SOURCE = arg('source', 'pages');
const PHASE = arg('phase', 'both');

const AS_OF_MS = Date.parse('2026-11-25T12:00:00.000Z');
const AS_OF = new Date(AS_OF_MS).toISOString();
// 90 minutes after asOf: past the inbound grace, so a seeded target-ahead difference is a drift, not a deferral.
const NOW = new Date(AS_OF_MS + 90 * 60_000).toISOString();
const POLICY: ReconcilePolicy = { ...defaultReconcilePolicy, feedAge: createFeedAgePolicy({ byKind: { orders: 24 * 60, inventory: 26 * 60, payments: 26 * 60 } }) };
// Every time in the world is a whole minute between 4,000 before and 100 after asOf: formatted once.
const TIMES = Array.from({ length: 4100 }, (_, m) => new Date(AS_OF_MS + (m - 4000) * 60_000).toISOString());
const at = (minutes: number): string => TIMES[minutes + 4000]!;

/** A stateless integer hash in [0, 1): the same world for the same index, generated in any order. */
function rnd(i: number, salt: number): number {
  let x = (Math.imul(i, 0x9e3779b1) + Math.imul(salt, 0x85ebca6b)) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return (x >>> 0) / 4294967296;
}

let peakRss = 0;
const sampleRss = (): void => {
  const rss = process.memoryUsage.rss();
  if (rss > peakRss) peakRss = rss;
};

/** Rows as the store or a file parser gives them: pages of PAGE (or one by one with `--source rows`). */
function rowsOf<T>(pages: () => AsyncGenerator<T[]>): Rows<T> {
  if (SOURCE === 'pages') return { pages: pages() };
  return (async function* () {
    for await (const page of pages()) yield* page;
  })();
}

/** Rows generated page by page while they are read (memory bounded), sampling RSS per page. */
function generated<T>(count: number, make: (i: number, out: T[]) => void): Rows<T> {
  return rowsOf(async function* () {
    for (let start = 0; start < count; start += PAGE) {
      const page: T[] = [];
      for (let i = start; i < Math.min(count, start + PAGE); i++) make(i, page);
      sampleRss();
      yield page;
    }
  });
}

/** Rows generated beforehand, read from memory. */
function inMemory<T>(rows: readonly T[]): Rows<T> {
  return rowsOf(async function* () {
    for (let start = 0; start < rows.length; start += PAGE) yield rows.slice(start, start + PAGE);
  });
}

// ---- orders: one fulfillment per index, and its seeded mutation ------------------------------------

type OrderMutation = 'drop' | 'foreign' | 'duplicate' | 'status' | 'shipped';
const ORDER_CLASS: Record<OrderMutation, string> = { drop: 'missing_in_target', foreign: 'missing_in_ledger', duplicate: 'duplicate_in_target', status: 'status_mismatch', shipped: 'quantity_mismatch' };
const fid = (i: number): string => `ful_${String(i).padStart(8, '0')}`;

/**
 * Fulfillment `i` and what the WMS holds for it at asOf: released long before, then (by a draw)
 * shipped whole or in part, cancelled, shipped after asOf, or still in the outbox. Written with
 * plain loops: generation should cost little beside what it feeds.
 */
function fulfillment(i: number): { ledger: LedgerFulfillment; row: OrdersTargetRow | undefined } {
  const n = 1 + Math.floor(rnd(i, 1) * 3);
  const sent = -60 - Math.floor(rnd(i, 2) * 3000);
  const kind = rnd(i, 3);
  const id = fid(i);
  const lines: LedgerFulfillment['lines'][number][] = [];
  const changed: { lineId: string; quantity: number }[] = [];
  const rowLines: OrdersTargetRow['lines'][number][] = [];
  // What the draw does to every line: ship all, ship half, cancel all (before asOf), or ship all after asOf.
  const fact = kind < 0.2 ? 'ship' : kind < 0.3 ? 'half' : kind < 0.37 ? 'cancel' : kind < 0.41 ? 'later' : 'none';
  for (let j = 0; j < n; j++) {
    const lineId = `${j + 1}`;
    const quantity = 1 + Math.floor(rnd(i, 20 + j) * 4);
    lines.push({ lineId, sku: `SKU-${Math.floor(rnd(i, 10 + j) * 5000)}`, quantity });
    const units = fact === 'none' ? 0 : fact === 'half' ? quantity >> 1 : quantity;
    if (units > 0) changed.push({ lineId, quantity: units });
    const before = fact !== 'later' ? units : 0;
    rowLines.push({ lineId, quantity: fact === 'cancel' ? quantity - before : quantity, shipped: fact === 'cancel' ? 0 : before });
  }
  const history: FulfillmentChange[] = [{ type: 'released', at: at(sent - 1), sentAt: at(sent), deliveredAt: at(sent + 1) }];
  if (fact === 'cancel') history.push({ type: 'cancelled', at: at(sent + 22), occurredAt: at(sent + 20), lines: changed });
  else if (fact === 'later') history.push({ type: 'shipped', at: at(32), occurredAt: at(30), lines: changed });
  else if (fact !== 'none') history.push({ type: 'shipped', at: at(sent + 32), occurredAt: at(sent + 30), lines: changed });
  const ledger: LedgerFulfillment = { fulfillmentId: id, orderId: `ord_${i}`, nodeId: `dc-${i % 40}`, target: 'wms-main', lines, history, value: 4999, currency: 'USD', customerTier: 'standard' };
  if (kind >= 0.97) return { ledger: { ...ledger, history: [{ type: 'released', at: at(-1) }] }, row: undefined }; // still in the outbox
  let held = false;
  let allShipped = true;
  for (const l of rowLines) {
    if (l.quantity > 0) held = true;
    if (l.shipped < l.quantity) allShipped = false;
  }
  return { ledger, row: { fulfillmentId: id, status: !held ? 'cancelled' : allShipped ? 'shipped' : 'open', lines: rowLines } };
}

function orderMutation(i: number, row: OrdersTargetRow | undefined): OrderMutation | undefined {
  if (rnd(i, 4) >= DRIFT) return undefined;
  const m = (['drop', 'foreign', 'duplicate', 'status', 'shipped'] as const)[Math.floor(rnd(i, 5) * 5)]!;
  return row === undefined && m !== 'foreign' ? undefined : m;
}

function orderSnapshotRows(i: number, out: OrdersTargetRow[]): void {
  const { row } = fulfillment(i);
  const m = orderMutation(i, row);
  if (row === undefined) {
    if (m === 'foreign') out.push({ fulfillmentId: `${fid(i)}x`, status: 'open', lines: [{ lineId: '1', quantity: 1, shipped: 0 }] });
    return;
  }
  switch (m) {
    case undefined:
      out.push(row);
      return;
    case 'drop':
      return;
    case 'foreign':
      out.push(row, { fulfillmentId: `${fid(i)}x`, status: 'open', lines: [{ lineId: '1', quantity: 1, shipped: 0 }] });
      return;
    case 'duplicate':
      out.push(row, row);
      return;
    case 'status':
      out.push({ ...row, status: row.status === 'open' ? 'cancelled' : 'open' });
      return;
    case 'shipped':
      out.push({ ...row, lines: row.lines.map((l, j) => (j === 0 ? { ...l, shipped: l.shipped + 1 } : l)) });
  }
}

// ---- inventory: 50 nodes × 2,000 SKUs ----------------------------------------------------------

const SKUS_PER_NODE = 2000;
type PositionMutation = 'count' | 'drop' | 'foreign' | 'duplicate';
const POSITION_CLASS: Record<PositionMutation, string> = { count: 'inventory_drift', drop: 'missing_in_target', foreign: 'missing_in_ledger', duplicate: 'duplicate_in_target' };
const node = (i: number): string => `dc-${String(Math.floor(i / SKUS_PER_NODE)).padStart(3, '0')}`;
const sku = (i: number): string => `SKU-${String(i % SKUS_PER_NODE).padStart(5, '0')}`;

function position(i: number): { ledger: LedgerPosition; truth: number } {
  const base = 20 + Math.floor(rnd(i, 30) * 480);
  const movements = rnd(i, 31) < 0.3 ? [{ delta: -1 - Math.floor(rnd(i, 32) * 5), occurredAt: at(-30) }, { delta: 12, occurredAt: at(20) }] : [];
  const onHand = base + movements.reduce((s, m) => s + m.delta, 0);
  const truth = base + (movements[0]?.delta ?? 0);
  return { ledger: { nodeId: node(i), sku: sku(i), onHand, asOf: at(-600), movements, velocityClass: ['A', 'B', 'B', 'C', 'C', 'C'][i % 6]! }, truth };
}

function positionMutation(i: number): PositionMutation | undefined {
  if (rnd(i, 33) >= DRIFT) return undefined;
  return (['count', 'drop', 'foreign', 'duplicate'] as const)[Math.floor(rnd(i, 34) * 4)];
}

function inventorySnapshotRows(i: number, out: InventoryTargetRow[]): void {
  const { truth } = position(i);
  const r: InventoryTargetRow = { nodeId: node(i), sku: sku(i), onHand: truth };
  switch (positionMutation(i)) {
    case undefined:
      out.push(r);
      return;
    case 'count':
      out.push({ ...r, onHand: truth - 50 }); // beyond every class's tolerance at these counts
      return;
    case 'drop':
      return;
    case 'foreign':
      out.push(r, { nodeId: node(i), sku: `${sku(i)}x`, onHand: 7 });
      return;
    case 'duplicate':
      out.push(r, r);
  }
}

// ---- runs ----------------------------------------------------------------------------------------

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

interface Measured {
  readonly name: string;
  /** Generated while streamed: generation, join and comparison together, memory bounded. */
  readonly streamed: { readonly wallMs: number; readonly cpuMs: number; readonly peakRssMb: number };
  /** The join and comparison alone: chunks generated before the clock runs, then streamed from memory. */
  readonly joinOnly: { readonly wallMs: number; readonly cpuMs: number; readonly chunks: number };
  readonly rows: number;
  readonly found: Record<string, number>;
  readonly foundJoinOnly: Record<string, number>;
  readonly seeded: Record<string, number>;
}

interface Workload<L, T> {
  readonly name: string;
  readonly count: number;
  readonly makeLedger: (i: number, out: L[]) => void;
  readonly makeTarget: (i: number, out: T[]) => void;
  readonly run: (ledger: Rows<L>, target: Rows<T>) => AsyncIterable<RunEvent>;
  readonly seeded: Record<string, number>;
}

const CHUNK = 50_000;

/** Drains a run, counting findings by class into `into`; returns the rows compared. */
async function tally(events: AsyncIterable<RunEvent>, into: Record<string, number>): Promise<number> {
  let rows = 0;
  for await (const e of events) {
    if (e.type === 'progress') {
      if (e.done) rows = e.ledgerRows + e.targetRows;
      continue;
    }
    const k = e.type === 'drift' ? e.class : `deferred ${e.class}`;
    into[k] = (into[k] ?? 0) + 1;
  }
  return rows;
}

async function streamed<L, T>(w: Workload<L, T>): Promise<Pick<Measured, 'streamed' | 'rows' | 'found'>> {
  peakRss = 0;
  const found: Record<string, number> = {};
  const t0 = performance.now();
  const c0 = cpuMs();
  const rows = await tally(w.run(generated(w.count, w.makeLedger), generated(w.count, w.makeTarget)), found);
  return { streamed: { wallMs: performance.now() - t0, cpuMs: cpuMs() - c0, peakRssMb: peakRss / 2 ** 20 }, rows, found };
}

async function joinOnly<L, T>(w: Workload<L, T>): Promise<Pick<Measured, 'joinOnly' | 'foundJoinOnly'>> {
  const foundJoinOnly: Record<string, number> = {};
  const measured = { wallMs: 0, cpuMs: 0, chunks: 0 };
  for (let from = 0; from < w.count; from += CHUNK) {
    const ledger: L[] = [];
    const target: T[] = [];
    for (let i = from; i < Math.min(w.count, from + CHUNK); i++) {
      w.makeLedger(i, ledger);
      w.makeTarget(i, target);
    }
    const t0 = performance.now();
    const c0 = cpuMs();
    await tally(w.run(inMemory(ledger), inMemory(target)), foundJoinOnly);
    measured.wallMs += performance.now() - t0;
    measured.cpuMs += cpuMs() - c0;
    measured.chunks++;
  }
  return { joinOnly: measured, foundJoinOnly };
}

function count<K extends string>(n: number, mutation: (i: number) => K | undefined, classOf: Record<K, string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const m = mutation(i);
    if (m !== undefined) out[classOf[m]] = (out[classOf[m]] ?? 0) + 1;
  }
  return out;
}

const ordersWork: Workload<LedgerFulfillment, OrdersTargetRow> = {
  name: `orders: ${ORDERS.toLocaleString('en')} fulfillments`,
  count: ORDERS,
  makeLedger: (i, out) => out.push(fulfillment(i).ledger),
  makeTarget: orderSnapshotRows,
  run: (ledger, target) => reconcileOrders({ target: 'wms-main', kind: 'orders', asOf: AS_OF }, ledger, target, { now: NOW, policy: POLICY, progressEvery: 100_000 }),
  seeded: count(ORDERS, (i) => orderMutation(i, fulfillment(i).row), ORDER_CLASS),
};
const inventoryWork: Workload<LedgerPosition, InventoryTargetRow> = {
  name: `inventory: ${POSITIONS.toLocaleString('en')} positions`,
  count: POSITIONS,
  makeLedger: (i, out) => out.push(position(i).ledger),
  makeTarget: inventorySnapshotRows,
  run: (ledger, target) => reconcileInventory({ target: 'wms-main', kind: 'inventory', asOf: AS_OF }, ledger, target, { now: NOW, policy: POLICY }),
  seeded: count(POSITIONS, positionMutation, POSITION_CLASS),
};
// Both streamed runs first, while nothing else is held, so their peak RSS is their own.
const ordersStreamed = await streamed(ordersWork);
const inventoryStreamed = await streamed(inventoryWork);
// The join-only phase holds 50,000-row chunks: it would dominate the process's maximum RSS.
const skipped = { joinOnly: { wallMs: NaN, cpuMs: NaN, chunks: 0 }, foundJoinOnly: {} };
const orders: Measured = { name: ordersWork.name, seeded: ordersWork.seeded, ...ordersStreamed, ...(PHASE === 'streamed' ? skipped : await joinOnly(ordersWork)) };
const inventory: Measured = { name: inventoryWork.name, seeded: inventoryWork.seeded, ...inventoryStreamed, ...(PHASE === 'streamed' ? skipped : await joinOnly(inventoryWork)) };

const same = (a: Record<string, number>, b: Record<string, number>): boolean => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
const sec = (ms: number): string => (Number.isNaN(ms) ? '—' : String(round(ms / 1000, 2)));
console.log(`source: ${SOURCE === 'pages' ? `pages of ${PAGE}` : 'one row at a time'}; node ${process.version}\n`);
console.log('| run | rows (ledger + target) | join + compare only, wall / CPU (s) | generated while streamed, wall / CPU (s) | peak RSS sampled while streamed (MB) | drifts found = seeded |');
console.log('|---|---|---|---|---|---|');
for (const r of [orders, inventory]) {
  const ok = same(r.found, r.seeded) && (PHASE === 'streamed' || same(r.foundJoinOnly, r.seeded));
  console.log(`| ${r.name} | ${r.rows.toLocaleString('en')} | ${sec(r.joinOnly.wallMs)} / ${sec(r.joinOnly.cpuMs)} | ${sec(r.streamed.wallMs)} / ${sec(r.streamed.cpuMs)} | ${round(r.streamed.peakRssMb, 0)} | ${ok ? 'yes' : 'NO'} |`);
}
console.log(`\n${JSON.stringify({ orders, inventory }, null, 2)}`);
if (![orders, inventory].every((r) => same(r.found, r.seeded) && (PHASE === 'streamed' || same(r.foundJoinOnly, r.seeded)))) process.exitCode = 1;
