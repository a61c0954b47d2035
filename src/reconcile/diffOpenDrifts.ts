import type { KeyRange } from './compareKeys.js';
import { inKeyRange } from './compareKeys.js';
import { dedupeKey, parseDedupeKey } from './dedupeKey.js';
import type { Drift, Finding, ReconcileKind } from './drift.js';
import { FEED_KEY } from './drift.js';
import type { Progress } from './reconcileStream.js';

/** What a run compared: one target and kind, the keys in `range`. The feed itself (FEED_KEY) is always covered. */
export interface RunScope {
  readonly target: string;
  readonly kind: ReconcileKind;
  readonly range: KeyRange;
}

export interface OpenDriftDiff {
  /** Found now and not open before: raise an exception for each. */
  readonly raise: readonly Drift[];
  /** Open before and found again, deferred (in flight), or outside what this run compared. */
  readonly stillOpen: readonly string[];
  /** Open before, in what this run compared, and neither found nor deferred: the drift is gone. */
  readonly resolved: readonly string[];
}

/**
 * Reconciles the open drifts (their dedupe keys) of a target with a run's findings. A drift only
 * resolves itself when the run actually compared its key and found nothing — an interrupted run
 * (scope up to its last cursor) or one limited to some nodes resolves nothing beyond that.
 */
export function diffOpenDrifts(previouslyOpen: readonly string[], found: readonly Finding[], scope: RunScope): OpenDriftDiff {
  const open = new Set(previouslyOpen);
  const foundKeys = new Set<string>();
  const raise: Drift[] = [];
  for (const f of found) {
    const k = dedupeKey(f, scope.target);
    if (foundKeys.has(k)) continue;
    foundKeys.add(k);
    if (f.type === 'drift' && !open.has(k)) raise.push(f);
  }
  const stillOpen: string[] = [];
  const resolved: string[] = [];
  for (const k of open) {
    const id = parseDedupeKey(k);
    const covered = id !== undefined && id.target === scope.target && id.kind === scope.kind && (id.key === FEED_KEY || inKeyRange(id.key, scope.range));
    if (covered && !foundKeys.has(k)) resolved.push(k);
    else stillOpen.push(k);
  }
  return { raise, stillOpen, resolved };
}

/** The range a run covered: all of it once done, else up to its last cursor (nothing before the first). */
export function coveredRange(runRange: KeyRange, last: Pick<Progress, 'cursor' | 'done'>): KeyRange {
  if (last.done) return runRange;
  if (last.cursor === null) return { ...runRange, before: FEED_KEY };
  return { ...runRange, through: last.cursor };
}
