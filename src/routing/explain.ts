import type { RoutingContext } from './context.js';
import type { BackorderReason, Candidate, ExclusionReason, LineExplanation, Score } from './decision.js';
import type { Scored } from './objectives.js';
import { objectiveValue, scored, shipmentMetrics, toScore } from './objectives.js';
import type { Plan } from './plan.js';

type MutableCandidate = {
  nodeId: string;
  excluded?: ExclusionReason;
  sellable?: number;
  score?: Score;
  rank?: number;
  degraded?: true;
  assigned?: number;
};

/**
 * Per line, every node in node-id order: excluded with its reason, or scored as if it shipped the
 * line alone and ranked like plans are (units it can serve, named pickup store, not degraded,
 * objectives, node id). The chosen plan's share is shown as `assigned`.
 */
export function explainLines(ctx: RoutingContext, plan: Plan): LineExplanation[] {
  const assigned = new Map<number, readonly number[]>(plan.shipments.map((s) => [s.node, s.qty]));
  const nodeCount = ctx.nodes.length;
  const scores = new Array<Scored | undefined>(nodeCount);
  const rank = new Array<number>(nodeCount).fill(0);
  // Sort keys, one row per node, compared left to right: −units, not named, degraded, objectives.
  const objectiveKeys = ctx.scoring === 'weighted' ? 1 : ctx.objectives.length;
  const width = 3 + objectiveKeys;
  const keys = new Float64Array(nodeCount * width);
  const byKey = (a: number, b: number): number => {
    for (let i = 0; i < width; i++) {
      const d = (keys[a * width + i] ?? 0) - (keys[b * width + i] ?? 0);
      if (d !== 0) return d;
    }
    return a - b;
  };

  return ctx.lines.map((line, li) => {
    const quantity = ctx.quantities[li] ?? 0;
    const sku = ctx.lineSku[li] ?? 0;
    const stockRow = ctx.stock[sku] ?? [];
    const sellRow = ctx.sellable[sku] ?? [];
    const reasonRow = ctx.reason[li] ?? [];
    const eligible: number[] = [];
    for (let n = 0; n < nodeCount; n++) {
      const f = ctx.nodes[n];
      if (reasonRow[n] !== undefined || f === undefined) continue;
      const sell = sellRow[n] ?? 0;
      const units = Math.min(quantity, sell);
      const s = scored(ctx.objectives, shipmentMetrics(f, units, sell - units));
      scores[n] = s;
      const row = n * width;
      keys[row] = -units;
      keys[row + 1] = f.named ? 0 : 1;
      keys[row + 2] = f.degraded ? 1 : 0;
      if (ctx.scoring === 'weighted') keys[row + 3] = s.total;
      else ctx.objectives.forEach((o, i) => (keys[row + 3 + i] = objectiveValue(o.type, s.metrics)));
      eligible.push(n);
    }
    eligible.sort(byKey);
    eligible.forEach((n, i) => (rank[n] = i + 1));

    const candidates: Candidate[] = new Array<Candidate>(nodeCount);
    for (let n = 0; n < nodeCount; n++) {
      const f = ctx.nodes[n];
      const c: MutableCandidate = { nodeId: f?.node.id ?? '' };
      const excluded = reasonRow[n];
      const stock = stockRow[n];
      if (excluded !== undefined) {
        c.excluded = excluded;
        if (stock !== undefined) c.sellable = stock.sellable;
      } else {
        c.sellable = sellRow[n] ?? 0;
        const s = scores[n];
        if (s !== undefined) c.score = toScore(ctx.objectives, ctx.scoring, s, rank[n] ?? 0);
        c.rank = rank[n] ?? 0;
        if (f?.degraded === true) c.degraded = true;
        const got = assigned.get(n)?.[li] ?? 0;
        if (got > 0) c.assigned = got;
      }
      candidates[n] = c;
    }
    return { lineId: line.lineId, sku: line.sku, quantity, candidates };
  });
}

/**
 * Why a line's unserved units were not served: nothing passed the filters, nothing was left in
 * stock, or stock was left that policy kept out of reach (another node the split policy would not
 * add, or a part the line may not be shipped in).
 */
export function backorderReason(ctx: RoutingContext, plan: Plan, li: number): BackorderReason {
  if (ctx.pickup && !ctx.pickupStoreKnown) return 'pickup_store_unknown';
  const reasonRow = ctx.reason[li] ?? [];
  if (!reasonRow.some((r) => r === undefined || r === 'no_stock' || r === 'inventory_stale')) return 'no_eligible_node';
  const sku = ctx.lineSku[li] ?? 0;
  const sellRow = ctx.sellable[sku] ?? [];
  let inPlan = 0;
  let outside = 0;
  for (const node of ctx.usable) {
    if (reasonRow[node] !== undefined) continue;
    const shipment = plan.shipments.find((s) => s.node === node);
    let used = 0;
    if (shipment !== undefined) shipment.qty.forEach((q, l) => (used += ctx.lineSku[l] === sku ? q : 0));
    const left = (sellRow[node] ?? 0) - used;
    if (shipment !== undefined) inPlan += left;
    else outside += left;
  }
  if (inPlan + outside <= 0) return 'no_stock';
  if (outside > 0 && (ctx.pickup || !ctx.ruleset.split.allowed)) return 'split_not_allowed';
  if (outside > 0 && plan.shipments.length >= ctx.maxShipments) return 'max_shipments';
  if (ctx.shipComplete) return 'ship_complete';
  if (!ctx.lineSplit) return 'split_not_allowed';
  return 'no_stock';
}
