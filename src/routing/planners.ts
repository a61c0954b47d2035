import type { RoutingContext } from './context.js';
import type { Evaluation, Plan } from './plan.js';
import { comparePlans, createWorkspace, evaluate, snapshot } from './plan.js';

/** Partial plans kept per level of the split search. */
export const SPLIT_BEAM_WIDTH = 8;

export interface ChosenPlan {
  readonly plan: Plan;
  readonly kind: 'single_node' | 'split' | 'none';
  /** Node sets evaluated on the way. */
  readonly plansConsidered: number;
}

/** A partial plan the split search may extend. */
interface State {
  readonly ev: Evaluation;
  readonly seq: readonly number[];
  /** Σ per line of min(quantity, stock the plan's nodes hold for it): bounds what adding a node can achieve. */
  readonly base: number;
  /** Lines whose pooled stock falls short of their quantity, and by how much. */
  readonly open: readonly number[];
  readonly deficit: readonly number[];
}

/**
 * Single-node plans first: every usable node alone. A split is searched only when policy allows it
 * and no single open node serves every unit — a beam search adding one node per level, up to
 * `maxShipments`, keeping the `SPLIT_BEAM_WIDTH` most advanced partial plans, each child required
 * to make progress over its parent. The best plan met anywhere wins (`comparePlans`).
 *
 * Cost: one evaluation per usable node, then at most width × usable nodes per level, fewer in
 * practice — a node is evaluated only if an upper bound on what it adds could still matter.
 */
export function choosePlan(ctx: RoutingContext): ChosenPlan {
  const ws = createWorkspace(ctx);
  const total = ctx.quantities.reduce((a, b) => a + b, 0);
  const singles = new Map<number, Evaluation>();
  let best: Evaluation = evaluate(ctx, [], ws);
  let bestSeq: readonly number[] = [];
  let considered = 0;
  let beam: State[] = [];

  for (const n of ctx.usable) {
    const seq = [n];
    const ev = evaluate(ctx, seq, ws);
    considered++;
    singles.set(n, ev);
    if (comparePlans(ctx, ev, best) < 0) {
      best = ev;
      bestSeq = seq;
    }
    if (ctx.canSplit && ev.progress > 0 && ev.unitsServed < total && entersBeam(ctx, beam, ev)) {
      insertState(ctx, beam, state(ctx, seq, ev));
    }
  }

  if (ctx.canSplit && !(best.unitsServed === total && best.degraded === 0)) {
    // A plan's nodes fill in order of their single-node preference, so a node set has one
    // allocation however the search reached it.
    const before = (a: number, b: number): boolean => {
      const ea = singles.get(a);
      const eb = singles.get(b);
      const c = ea !== undefined && eb !== undefined ? comparePlans(ctx, ea, eb) : 0;
      return c < 0 || (c === 0 && a < b);
    };
    for (let depth = 2; depth <= ctx.maxShipments && beam.length > 0; depth++) {
      const next: State[] = [];
      const seen = new Set<string>();
      for (const parent of beam) {
        for (const n of ctx.usable) {
          const bound = progressBound(ctx, parent, n);
          if (bound <= parent.ev.progress || parent.seq.includes(n)) continue;
          const worst = next.length === SPLIT_BEAM_WIDTH ? next[next.length - 1] : undefined;
          if (bound < best.unitsServed && worst !== undefined && bound < worst.ev.progress) continue;

          const seq = insertInOrder(parent.seq, n, before);
          const ev = evaluate(ctx, seq, ws);
          considered++;
          if (ev.progress <= parent.ev.progress) continue;
          const better = comparePlans(ctx, ev, best) < 0;
          const kept = ev.unitsServed < total && entersBeam(ctx, next, ev);
          if (!better && !kept) continue;
          // An identical node set evaluates identically: the first one met is enough.
          const key = [...seq].sort((a, b) => a - b).join(',');
          if (seen.has(key)) continue;
          seen.add(key);
          if (better) {
            best = ev;
            bestSeq = seq;
          }
          if (kept) insertState(ctx, next, state(ctx, seq, ev));
        }
      }
      beam = next;
    }
  }
  const plan = snapshot(ctx, bestSeq, evaluate(ctx, bestSeq, ws), ws);
  const shipments = plan.shipments.length;
  return { plan, kind: shipments === 0 ? 'none' : shipments === 1 ? 'single_node' : 'split', plansConsidered: considered };
}

function insertInOrder(seq: readonly number[], n: number, before: (a: number, b: number) => boolean): number[] {
  const out: number[] = [];
  let placed = false;
  for (const m of seq) {
    if (!placed && before(n, m)) {
      out.push(n);
      placed = true;
    }
    out.push(m);
  }
  if (!placed) out.push(n);
  return out;
}

function state(ctx: RoutingContext, seq: readonly number[], ev: Evaluation): State {
  const L = ctx.quantities.length;
  const open: number[] = [];
  const deficit = new Array<number>(L).fill(0);
  let base = 0;
  for (let li = 0; li < L; li++) {
    const q = ctx.quantities[li] ?? 0;
    const row = ctx.avail[li] ?? [];
    let pool = 0;
    for (const n of seq) pool += row[n] ?? 0;
    base += Math.min(q, pool);
    if (pool < q) {
      open.push(li);
      deficit[li] = q - pool;
    }
  }
  return { ev, seq, base, open, deficit };
}

/** An upper bound on the progress of `parent` plus node `n`: no line can get more than its pooled stock. */
function progressBound(ctx: RoutingContext, parent: State, n: number): number {
  let bound = parent.base;
  for (const li of parent.open) bound += Math.min(parent.deficit[li] ?? 0, ctx.avail[li]?.[n] ?? 0);
  return bound;
}

// The beam keeps the plans furthest along, then the better ones by the usual preference.
const beamOrder = (ctx: RoutingContext, a: Evaluation, b: Evaluation): number => b.progress - a.progress || comparePlans(ctx, a, b);

function entersBeam(ctx: RoutingContext, kept: readonly State[], ev: Evaluation): boolean {
  const worst = kept[SPLIT_BEAM_WIDTH - 1];
  return worst === undefined || beamOrder(ctx, ev, worst.ev) < 0;
}

/** Insert into a best-first list capped at the beam width: linear in the width, no sort. */
function insertState(ctx: RoutingContext, kept: State[], s: State): void {
  let i = kept.length;
  while (i > 0 && beamOrder(ctx, s.ev, (kept[i - 1] as State).ev) < 0) i--;
  kept.splice(i, 0, s);
  if (kept.length > SPLIT_BEAM_WIDTH) kept.pop();
}
