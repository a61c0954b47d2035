import type { RoutingContext } from './context.js';
import { roundKm } from './geo.js';
import type { PlanMetrics, Scored } from './objectives.js';
import { compareScored, shipmentCost, weightedTotal } from './objectives.js';

/**
 * How good a set of nodes is, without the allocation detail: what plans are compared on. Cheap to
 * make, so the planners can try thousands per decision.
 */
export interface Evaluation extends Scored {
  readonly unitsServed: number;
  /**
   * Units served plus, under ship_complete with line splits, units pooled towards lines not yet
   * complete: what the split search climbs, since such a line ships only once enough nodes join.
   */
  readonly progress: number;
  readonly degraded: number;
  /** Ships from the store the customer named for pickup. */
  readonly named: boolean;
  /** Indices of the nodes that ship, ascending (node indices follow node-id order). */
  readonly nodeSet: readonly number[];
}

/** One node's share of a plan: units per order line (index-aligned with the order's lines). */
export interface Shipment {
  readonly node: number;
  readonly qty: readonly number[];
  readonly units: number;
}

/** An evaluated plan with its allocation. */
export interface Plan extends Evaluation {
  /** The nodes the plan was built from, in fill order (a node may end up shipping nothing). */
  readonly seq: readonly number[];
  readonly shipments: readonly Shipment[];
  /** Units still unserved per line. */
  readonly need: readonly number[];
}

/** Buffers one decision reuses for every allocation it tries, so trying a plan makes little garbage. */
export interface Workspace {
  readonly rem: number[];
  readonly qty: number[];
  readonly need: number[];
}

export const createWorkspace = (ctx: RoutingContext): Workspace => {
  const slots = Math.max(1, ctx.maxShipments);
  return {
    rem: new Array<number>(slots * ctx.stock.length).fill(0),
    qty: new Array<number>(slots * ctx.quantities.length).fill(0),
    need: new Array<number>(ctx.quantities.length).fill(0),
  };
};

/**
 * Allocate the order over an ordered sequence of nodes into `ws`, and evaluate the result. First
 * each line goes whole to the first node that can fill it (a line is split only when no single node
 * of the set can fill it); then, per policy, what is left is filled in part: across nodes when lines
 * may split, from the single best-stocked node otherwise — and, under ship_complete, only if the
 * whole line is then filled.
 */
export function evaluate(ctx: RoutingContext, seq: readonly number[], ws: Workspace): Evaluation {
  const L = ctx.quantities.length;
  const S = ctx.stock.length;
  const d = seq.length;
  const { rem, qty, need } = ws;
  for (let li = 0; li < L; li++) need[li] = ctx.quantities[li] ?? 0;
  for (let k = 0; k < d; k++) {
    const n = seq[k] ?? 0;
    for (let s = 0; s < S; s++) rem[k * S + s] = ctx.sellable[s]?.[n] ?? 0;
    for (let li = 0; li < L; li++) qty[k * L + li] = 0;
  }

  // Pass 1: whole lines to the first node that can fill them.
  for (let li = 0; li < L; li++) {
    const n = need[li] ?? 0;
    if (n === 0) continue;
    const s = ctx.lineSku[li] ?? 0;
    const avail = ctx.avail[li] ?? [];
    for (let k = 0; k < d; k++) {
      if ((avail[seq[k] ?? 0] ?? 0) > 0 && (rem[k * S + s] ?? 0) >= n) {
        qty[k * L + li] = n;
        rem[k * S + s] = (rem[k * S + s] ?? 0) - n;
        need[li] = 0;
        break;
      }
    }
  }
  // Pass 2: what is left, in part, as policy allows.
  let pooled = 0;
  for (let li = 0; li < L; li++) {
    const n = need[li] ?? 0;
    if (n === 0) continue;
    const s = ctx.lineSku[li] ?? 0;
    const avail = ctx.avail[li] ?? [];
    let available = 0;
    for (let k = 0; k < d; k++) if ((avail[seq[k] ?? 0] ?? 0) > 0) available += rem[k * S + s] ?? 0;
    if (ctx.lineSplit) {
      if (ctx.shipComplete && available < n) {
        pooled += available;
        continue;
      }
      for (let k = 0; k < d && (need[li] ?? 0) > 0; k++) {
        if ((avail[seq[k] ?? 0] ?? 0) === 0) continue;
        const take = Math.min(need[li] ?? 0, rem[k * S + s] ?? 0);
        qty[k * L + li] = (qty[k * L + li] ?? 0) + take;
        rem[k * S + s] = (rem[k * S + s] ?? 0) - take;
        need[li] = (need[li] ?? 0) - take;
      }
    } else if (!ctx.shipComplete) {
      let best = -1;
      let bestLeft = 0;
      for (let k = 0; k < d; k++) {
        const left = rem[k * S + s] ?? 0;
        if ((avail[seq[k] ?? 0] ?? 0) > 0 && left > bestLeft) {
          best = k;
          bestLeft = left;
        }
      }
      if (best >= 0) {
        const take = Math.min(n, bestLeft);
        qty[best * L + li] = take;
        rem[best * S + s] = bestLeft - take;
        need[li] = n - take;
      }
    }
  }
  return measure(ctx, seq, ws, pooled);
}

function measure(ctx: RoutingContext, seq: readonly number[], ws: Workspace, pooled: number): Evaluation {
  const L = ctx.quantities.length;
  const S = ctx.stock.length;
  let shipments = 0;
  let distanceKm = 0;
  let cost = 0;
  let priority = 0;
  let minRemaining = Infinity;
  let degraded = 0;
  let named = false;
  let unitsServed = 0;
  const nodeSet: number[] = [];
  for (let k = 0; k < seq.length; k++) {
    let units = 0;
    for (let li = 0; li < L; li++) units += ws.qty[k * L + li] ?? 0;
    const node = seq[k] ?? 0;
    const f = ctx.nodes[node];
    if (units === 0 || f === undefined) continue;
    shipments++;
    unitsServed += units;
    distanceKm += f.distanceKm;
    cost += shipmentCost(f, units);
    priority += f.priority;
    if (f.degraded) degraded++;
    if (f.named) named = true;
    for (let li = 0; li < L; li++) {
      if ((ws.qty[k * L + li] ?? 0) > 0) minRemaining = Math.min(minRemaining, ws.rem[k * S + (ctx.lineSku[li] ?? 0)] ?? 0);
    }
    // Insertion into a list of at most maxShipments entries.
    let at = nodeSet.length;
    nodeSet.push(node);
    while (at > 0 && (nodeSet[at - 1] ?? 0) > node) {
      nodeSet[at] = nodeSet[at - 1] ?? 0;
      at--;
    }
    nodeSet[at] = node;
  }
  const metrics: PlanMetrics = { shipments, distanceKm: roundKm(distanceKm), cost, priority, minRemaining };
  return { metrics, total: weightedTotal(ctx.objectives, metrics), unitsServed, progress: unitsServed + pooled, degraded, named, nodeSet };
}

/** The allocation `ws` holds for `seq` (just evaluated as `ev`), copied out as a plan. */
export function snapshot(ctx: RoutingContext, seq: readonly number[], ev: Evaluation, ws: Workspace): Plan {
  const L = ctx.quantities.length;
  const shipments: Shipment[] = [];
  seq.forEach((node, k) => {
    const qty = ws.qty.slice(k * L, (k + 1) * L);
    const units = qty.reduce((a, b) => a + b, 0);
    if (units > 0) shipments.push({ node, qty, units });
  });
  return {
    metrics: ev.metrics,
    total: ev.total,
    unitsServed: ev.unitsServed,
    progress: ev.progress,
    degraded: ev.degraded,
    named: ev.named,
    nodeSet: ev.nodeSet,
    seq: [...seq],
    shipments,
    need: ws.need.slice(0, L),
  };
}

/**
 * The order of preference between plans, best first:
 * 1. more units served (fill rate is never traded for an objective);
 * 2. for pickup, the store the customer named;
 * 3. fewer degraded nodes — degraded lowers preference without excluding: such a node is used only
 *    when no plan of open nodes serves as many units;
 * 4. one node before a split (splits are the fallback, DESIGN §7);
 * 5. the ruleset's objectives, lexicographic or weighted;
 * 6. node ids, so ties resolve the same way every time.
 */
export function comparePlans(ctx: RoutingContext, a: Evaluation, b: Evaluation): number {
  if (a.unitsServed !== b.unitsServed) return b.unitsServed - a.unitsServed;
  if (a.named !== b.named) return a.named ? -1 : 1;
  if (a.degraded !== b.degraded) return a.degraded - b.degraded;
  const aSplit = a.metrics.shipments > 1 ? 1 : 0;
  const bSplit = b.metrics.shipments > 1 ? 1 : 0;
  if (aSplit !== bSplit) return aSplit - bSplit;
  const byObjectives = compareScored(ctx.objectives, ctx.scoring, a, b);
  if (byObjectives !== 0) return byObjectives;
  return compareNodeSets(a.nodeSet, b.nodeSet);
}

// Node indices follow node-id order, so comparing index lists compares id lists.
function compareNodeSets(x: readonly number[], y: readonly number[]): number {
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}
