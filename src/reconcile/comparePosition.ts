import type { Checkpoint } from './checkpoint.js';
import { atOrBefore, checkpoint, factKnowledge, instant } from './checkpoint.js';
import type { Finding, InventoryDrift, InventoryTargetRow, PositionExpectation, Range } from './drift.js';
import { NO_FINDINGS, formatRange } from './drift.js';
import { staleFeed } from './feedAgePolicy.js';
import type { CompareContext } from './reconcilePolicy.js';

/**
 * An inventory position as the ledger knows it, for an `inventory` run: one per (node, sku) in the
 * compared range, sorted by positionKey.
 */
export interface LedgerPosition {
  readonly nodeId: string;
  readonly sku: string;
  /** On-hand now: the last counted snapshot plus every movement since. */
  readonly onHand: number;
  /** When the node's system counted the last snapshot the ledger applied; null if never (adjustments only). */
  readonly asOf: string | null;
  /**
   * The movements applied since `asOf` (so included in `onHand`), at least those after the
   * compared snapshot's asOf less the clock skew; older ones may be left out.
   */
  readonly movements?: readonly StockMovement[];
  /** The SKU's velocity class (A/B/C or the policy's own); the policy's default class when absent. */
  readonly velocityClass?: string;
}

export interface StockMovement {
  /** Signed units: shipments and losses negative, receipts and returns positive. */
  readonly delta: number;
  /** When it happened at the node (its clock), else when the ledger recorded it. */
  readonly occurredAt: string;
  readonly reason?: string;
}

/**
 * The join key of a position: node, then SKU. U+0000 sorts below every other character, so key
 * order is (nodeId, sku) order — what `ORDER BY node_id, sku` gives under a binary collation.
 */
export const positionKey = (nodeId: string, sku: string): string => `${nodeId}\u0000${sku}`;

/** The keys of one node's positions, for a run or a scope limited to that node. */
export const nodeKeyRange = (nodeId: string): { readonly from: string; readonly before: string } => ({
  from: `${nodeId}\u0000`,
  before: `${nodeId}\u0001`,
});

/**
 * What the target should count at the checkpoint: the ledger's on-hand less the movements that
 * happened after it; movements within the clock skew may or may not be counted. Undefined when the
 * ledger's own count is newer than the checkpoint: it cannot say what the target had before.
 */
export function expectOnHand(p: LedgerPosition, cp: Checkpoint): Range | undefined {
  if (p.asOf !== null && !atOrBefore(p.asOf, cp.possible)) return undefined;
  let min = p.onHand;
  let max = p.onHand;
  for (const m of p.movements ?? []) {
    const k = factKnowledge(m.occurredAt, cp);
    if (k === 'unknown') {
      min -= m.delta;
      max -= m.delta;
    } else if (k === 'maybe') {
      if (m.delta > 0) min -= m.delta;
      else max -= m.delta;
    }
  }
  return { min, max };
}

/**
 * Compares one position. A row may carry its own asOf: it is then the row's checkpoint, and a
 * `stale_feed` drift for the row when older than the feed-age policy allows. A position the target
 * does not list counts as zero: an inventory snapshot is complete for the range compared.
 */
export function comparePosition(ledger: LedgerPosition | undefined, rows: readonly InventoryTargetRow[], ctx: CompareContext): readonly Finding[] {
  const row = rows[0];
  const nodeId = ledger?.nodeId ?? row?.nodeId ?? '';
  const sku = ledger?.sku ?? row?.sku ?? '';
  const key = positionKey(nodeId, sku);
  let out: Finding[] | undefined;
  let cp = ctx.checkpoint;
  if (row?.asOf !== undefined) {
    const stale = staleFeed({ target: ctx.snapshot.target, kind: 'inventory', asOf: row.asOf, now: cp.now, row: { key, nodeId, sku } }, ctx.policy.feedAge);
    if (stale) (out ??= []).push(stale);
    const ms = Date.parse(row.asOf);
    if (!Number.isNaN(ms)) cp = checkpoint(instant(ms), cp.now, cp.timing);
  }
  const velocityClass = ledger?.velocityClass ?? ctx.policy.inventory.defaultClass;
  const common = { type: 'drift', kind: 'inventory', key, nodeId, sku, target: row ?? null } as const;
  if (rows.length > 1) {
    (out ??= []).push({ ...common, class: 'duplicate_in_target', ledger: null, duplicates: rows.slice(), severity: 'medium', detail: `${ctx.snapshot.target} lists ${sku} at ${nodeId} ${rows.length} times` });
  }
  if (ledger === undefined) {
    if (row === undefined) return out ?? NO_FINDINGS;
    const { tolerance, severity } = ctx.policy.inventory.threshold({ velocityClass, expected: 0, nodeId, sku });
    if (row.onHand > tolerance) {
      (out ??= []).push({ ...common, class: 'missing_in_ledger', ledger: null, severity, detail: `${ctx.snapshot.target} counts ${row.onHand} of ${sku} at ${nodeId}, a position the ledger does not hold` });
    }
    return out ?? NO_FINDINGS;
  }
  const onHand = expectOnHand(ledger, cp);
  if (onHand === undefined) {
    (out ??= []).push({ type: 'deferral', kind: 'inventory', class: 'inventory_drift', key, reason: `the ledger's count (${ledger.asOf ?? ''}) is newer than ${cp.asOf.iso}` });
    return out;
  }
  const counted = row?.onHand ?? 0;
  const gap = counted < onHand.min ? onHand.min - counted : counted > onHand.max ? counted - onHand.max : 0;
  if (gap === 0) return out ?? NO_FINDINGS;
  const { tolerance, severity } = ctx.policy.inventory.threshold({ velocityClass, expected: counted < onHand.min ? onHand.min : onHand.max, nodeId, sku });
  if (gap <= tolerance) return out ?? NO_FINDINGS;
  const expectation: PositionExpectation = { onHand, velocityClass, tolerance, asOf: cp.asOf.iso };
  const drift: InventoryDrift =
    row === undefined
      ? { ...common, class: 'missing_in_target', ledger: expectation, severity, direction: 'target_behind', detail: `${ctx.snapshot.target} does not list ${sku} at ${nodeId}; the ledger expects ${formatRange(onHand)}` }
      : {
          ...common,
          class: 'inventory_drift',
          ledger: expectation,
          severity,
          direction: 'diverged',
          detail: `${ctx.snapshot.target} counts ${counted} of ${sku} at ${nodeId}; the ledger expects ${formatRange(onHand)} (class ${velocityClass} tolerates ${tolerance})`,
        };
  (out ??= []).push(drift);
  return out;
}
