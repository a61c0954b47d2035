// Routing decision latency, in-process: `npx tsx bench/routing/decide.bench.ts [--runs N] [--seed S] [--scenario I]`.
// Builds 100- and 1,000-node networks (dcs and stores, 50 SKUs, seeded), routes 5-line orders after
// a warm-up, and prints decisions/s and p50/p99 latency per size as a markdown table, then as JSON.
// Issue #3 targets: p99 ≤ 1 ms over 100 nodes, ≤ 10 ms over 1,000 nodes.
import { performance } from 'node:perf_hooks';
import type { Position } from '../../src/inventory/position.js';
import type { RoutingDecision } from '../../src/routing/decision.js';
import type { RoutingInput, RoutingOrder } from '../../src/routing/input.js';
import type { RoutingNode } from '../../src/routing/node.js';
import { route } from '../../src/routing/route.js';
import type { Ruleset } from '../../src/routing/ruleset.js';
import { parseRuleset } from '../../src/routing/ruleset.js';

const NOW = '2026-11-25T10:00:00.000Z';
const SKU_COUNT = 50;
const LINES_PER_ORDER = 5;
const ORDER_POOL = 256;

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : NaN;
  return Number.isFinite(value) ? value : fallback;
}

/** mulberry32: small, fast, seeded — the same network every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Network {
  readonly nodes: RoutingNode[];
  readonly positions: Position[];
}

const sku = (i: number): string => `SKU-${String(i).padStart(3, '0')}`;
const minutesAgo = (m: number): string => new Date(Date.parse(NOW) - m * 60_000).toISOString();

/** Contiguous-US locations; ~10% dcs (at least 2) stocking most SKUs deeply, stores stocking some thinly. */
function buildNetwork(size: number, rnd: () => number, storesOnly = false): Network {
  const nodes: RoutingNode[] = [];
  const positions: Position[] = [];
  const dcCount = storesOnly ? 0 : Math.max(2, Math.round(size * 0.1));
  for (let i = 0; i < size; i++) {
    const isDc = i < dcCount;
    const id = isDc ? `dc-${String(i).padStart(4, '0')}` : `store-${String(i).padStart(4, '0')}`;
    const location = { lat: 25 + rnd() * 24, lon: -124 + rnd() * 57, country: 'US' };
    const status = rnd() < 0.02 ? 'closed' : rnd() < 0.03 ? 'degraded' : 'open';
    if (isDc) {
      nodes.push({
        id,
        type: 'dc',
        location,
        capabilities: ['ship', 'cancel', 'partial_cancel', 'returns'],
        shipMethods: ['standard', 'expedited', 'overnight'],
        dailyCapacity: 5000,
        status,
        priority: 1,
        cost: { perShipment: 600, perKm: 0.2, perUnit: 25 },
      });
    } else {
      const sameDay = rnd() < 0.3;
      nodes.push({
        id,
        type: 'store',
        location,
        capabilities: ['pickup', 'returns', ...(rnd() < 0.7 ? (['ship_from_store'] as const) : []), ...(sameDay ? (['same_day'] as const) : [])],
        shipMethods: sameDay ? ['standard', 'same_day'] : ['standard'],
        dailyCapacity: 60,
        status,
        priority: 5,
        cost: { perShipment: 900, perKm: 0.5, perUnit: 40 },
      });
    }
    for (let s = 0; s < SKU_COUNT; s++) {
      if (rnd() >= (isDc ? 0.9 : 0.4)) continue;
      positions.push({
        nodeId: id,
        sku: sku(s),
        onHand: isDc ? Math.floor(rnd() * 500) : Math.floor(rnd() * 9),
        reserved: isDc ? Math.floor(rnd() * 20) : Math.floor(rnd() * 2),
        asOf: minutesAgo(rnd() < 0.03 ? 3000 : rnd() * 120),
      });
    }
  }
  return { nodes, positions };
}

function buildOrders(rnd: () => number, count: number): RoutingOrder[] {
  const orders: RoutingOrder[] = [];
  for (let o = 0; o < count; o++) {
    const skus = new Set<number>();
    while (skus.size < LINES_PER_ORDER) skus.add(Math.floor(rnd() * SKU_COUNT));
    const r = rnd();
    orders.push({
      channel: 'web',
      fulfillment: { type: 'ship', shipMethod: r < 0.85 ? 'standard' : r < 0.97 ? 'expedited' : 'same_day' },
      shipTo: { lat: 25 + rnd() * 24, lon: -124 + rnd() * 57, country: 'US' },
      lines: [...skus].map((s, i) => ({
        lineId: String(i + 1),
        sku: sku(s),
        quantity: 1 + Math.floor(rnd() * 3),
        ...(rnd() < 0.05 ? { attributes: { hazmat: true } } : {}),
      })),
    });
  }
  return orders;
}

function ruleset(): Ruleset {
  const parsed = parseRuleset({
    name: 'bench',
    split: { allowed: true, maxShipments: 3, mode: 'ship_as_available' },
    objectives: [{ type: 'fewest_shipments' }, { type: 'distance' }, { type: 'cost' }, { type: 'priority' }],
    inventory: { freshnessMinutes: 1440, staleMode: 'exclude' },
    safetyStock: { byNodeType: { store: 1 } },
    exclusions: [{ attribute: 'hazmat', nodeTypes: ['store'] }],
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  return parsed.value;
}

interface Result {
  readonly scenario: string;
  readonly nodes: number;
  readonly positions: number;
  readonly runs: number;
  readonly decisionsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly splitRate: number;
  readonly backorderRate: number;
  readonly meanPlansConsidered: number;
  readonly targetP99Ms: number;
  readonly met: boolean;
}

interface Scenario {
  readonly name: string;
  readonly size: number;
  readonly targetP99Ms: number;
  /** No dcs: thin store stock, so most orders need the split search. */
  readonly storesOnly?: boolean;
  /** Pass every position of the network rather than the order's SKUs' (what a store query returns). */
  readonly allPositions?: boolean;
}

function measure(sc: Scenario, runs: number, seed: number): Result {
  const rnd = prng(seed + sc.size);
  const { nodes, positions } = buildNetwork(sc.size, rnd, sc.storesOnly === true);
  const orders = buildOrders(rnd, ORDER_POOL);
  const rules = ruleset();
  // What the store hands the engine: positions of the order's SKUs (selected before timing).
  const bySku = new Map<string, Position[]>();
  for (const p of positions) bySku.set(p.sku, [...(bySku.get(p.sku) ?? []), p]);
  const inputs: RoutingInput[] = orders.map((order) => ({
    order,
    nodes,
    positions: sc.allPositions === true ? positions : order.lines.flatMap((l) => bySku.get(l.sku) ?? []),
    ruleset: rules,
    rulesetVersion: 1,
    now: NOW,
  }));
  const inputFor = (i: number): RoutingInput => inputs[i % inputs.length] as RoutingInput;
  const warmUp = Math.max(200, Math.min(2000, runs));
  let sink = 0;
  for (let i = 0; i < warmUp; i++) sink += route(inputFor(i)).summary.shipments;

  const times = new Float64Array(runs);
  let splits = 0;
  let backorders = 0;
  let considered = 0;
  const started = performance.now();
  for (let i = 0; i < runs; i++) {
    const input = inputFor(i);
    const t0 = performance.now();
    const d: RoutingDecision = route(input);
    times[i] = performance.now() - t0;
    if (d.summary.split) splits++;
    if (d.summary.backorderedUnits > 0) backorders++;
    considered += d.plan.plansConsidered;
  }
  const elapsed = performance.now() - started;
  if (sink < 0) console.log(sink);
  const sorted = [...times].sort((a, b) => a - b);
  const pct = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
  const round = (n: number, d = 3): number => Math.round(n * 10 ** d) / 10 ** d;
  const p99 = pct(99);
  return {
    scenario: sc.name,
    nodes: sc.size,
    positions: Math.round(inputs.reduce((n, x) => n + x.positions.length, 0) / inputs.length),
    runs,
    decisionsPerSecond: Math.round((runs / elapsed) * 1000),
    p50Ms: round(pct(50)),
    p99Ms: round(p99),
    maxMs: round(sorted[sorted.length - 1] ?? NaN),
    splitRate: round(splits / runs),
    backorderRate: round(backorders / runs),
    meanPlansConsidered: round(considered / runs, 1),
    targetP99Ms: sc.targetP99Ms,
    met: p99 <= sc.targetP99Ms,
  };
}

const seed = arg('seed', 20261125);
const runs = arg('runs', 0);
const scenarios: Scenario[] = [
  { name: 'mixed dcs + stores', size: 100, targetP99Ms: 1 },
  { name: 'mixed dcs + stores', size: 1000, targetP99Ms: 10 },
  { name: 'stores only (split search)', size: 100, targetP99Ms: 1, storesOnly: true },
  { name: 'stores only (split search)', size: 1000, targetP99Ms: 10, storesOnly: true },
  { name: 'mixed, all 50 SKUs’ positions passed', size: 1000, targetP99Ms: 10, allPositions: true },
];
const only = arg('scenario', -1);
const results = scenarios.filter((_, i) => only < 0 || i === only).map((sc) => measure(sc, runs || (sc.size <= 100 ? 5000 : 2000), seed));

console.log(`## Routing decision latency — 5-line orders, ${SKU_COUNT} SKUs, Node ${process.version}\n`);
console.log('| scenario | nodes | positions/order | runs | decisions/s | p50 ms | p99 ms | max ms | split rate | backorder rate | plans/decision | p99 target | met |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:-:|');
for (const r of results) {
  console.log(
    `| ${r.scenario} | ${r.nodes} | ${r.positions} | ${r.runs} | ${r.decisionsPerSecond} | ${r.p50Ms} | ${r.p99Ms} | ${r.maxMs} | ${r.splitRate} | ${r.backorderRate} | ${r.meanPlansConsidered} | ≤ ${r.targetP99Ms} | ${r.met ? 'yes' : 'NO'} |`,
  );
}
console.log('');
console.log(JSON.stringify({ bench: 'routing.decide', seed, node: process.version, results }));
