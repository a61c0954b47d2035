import type { Instant } from './checkpoint.js';
import type { FeedDrift, ReconcileKind } from './drift.js';
import { FEED_KEY } from './drift.js';

/** How old a target's snapshot may be before the feed itself is a drift (`stale_feed`). */
export interface FeedAgePolicy {
  maxAgeMinutes(target: string, kind: ReconcileKind): number;
}

export interface FeedAgeOptions {
  readonly byKind: Readonly<Record<ReconcileKind, number>>;
  /** Per target, per kind: a nightly ERP export next to an hourly WMS feed. */
  readonly byTarget?: Readonly<Record<string, Partial<Record<ReconcileKind, number>>>>;
}

/**
 * Defaults: WMS/POS order feeds are near-real-time (an hour is already late); 846 inventory
 * advice and gateway settlement reports are typically daily, so a day and a bit.
 */
export const DEFAULT_FEED_AGE: FeedAgeOptions = {
  byKind: { orders: 60, inventory: 26 * 60, payments: 26 * 60 },
};

export function createFeedAgePolicy(options: FeedAgeOptions = DEFAULT_FEED_AGE): FeedAgePolicy {
  return {
    maxAgeMinutes(target, kind) {
      const own = Object.prototype.hasOwnProperty.call(options.byTarget ?? {}, target) ? options.byTarget?.[target]?.[kind] : undefined;
      return own ?? options.byKind[kind];
    },
  };
}

export const defaultFeedAgePolicy: FeedAgePolicy = createFeedAgePolicy();

export interface StaleFeedInput {
  readonly target: string;
  readonly kind: ReconcileKind;
  /** The snapshot's or the row's own asOf. */
  readonly asOf: string;
  readonly now: Instant;
  /** The row's key and coordinates; absent for the feed as a whole. */
  readonly row?: { readonly key: string; readonly nodeId?: string; readonly sku?: string };
}

/** A `stale_feed` drift when asOf is older than the policy allows at `now`, else undefined. */
export function staleFeed(input: StaleFeedInput, policy: FeedAgePolicy): FeedDrift | undefined {
  const maxAgeMinutes = policy.maxAgeMinutes(input.target, input.kind);
  // An unreadable asOf is stale: nothing vouches for the rows' age.
  const ageMinutes = (input.now.ms - Date.parse(input.asOf)) / 60_000;
  if (ageMinutes <= maxAgeMinutes) return undefined;
  const what = input.row ? `row ${input.row.nodeId ?? ''}/${input.row.sku ?? input.row.key}` : `${input.kind} feed`;
  return {
    type: 'drift',
    kind: input.kind,
    class: 'stale_feed',
    key: input.row?.key ?? FEED_KEY,
    ...(input.row?.nodeId !== undefined ? { nodeId: input.row.nodeId } : {}),
    ...(input.row?.sku !== undefined ? { sku: input.row.sku } : {}),
    detail: `${input.target} ${what} is ${Number.isNaN(ageMinutes) ? 'of unknown age' : `${Math.floor(ageMinutes)} min old`} (as of ${input.asOf}); at most ${maxAgeMinutes} min allowed`,
    severity: input.row ? 'low' : 'medium',
    ledger: { maxAgeMinutes, now: input.now.iso },
    target: { asOf: input.asOf },
  };
}
