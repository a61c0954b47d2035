/** Units withheld from a stale position when `staleMode` is `buffer`: a count, or a percentage. One of the two. */
export interface StaleBuffer {
  readonly units?: number;
  readonly percent?: number;
}

/**
 * A position older than `freshnessMinutes` is stale: not sellable (`exclude`), or sellable less a
 * buffer (`buffer`) — the buffer absorbs what the node may have sold since it last reported.
 */
export interface FreshnessPolicy {
  readonly freshnessMinutes: number;
  readonly staleMode: 'exclude' | 'buffer';
  readonly staleBuffer?: StaleBuffer;
}

/** The freshness limit resolved against one clock reading, for judging many positions. */
export interface FreshnessCutoff {
  /** Positions counted before this instant are stale. */
  readonly cutoffMs: number;
  /** The same instant as `Date.prototype.toISOString` writes it. */
  readonly cutoffIso: string;
}

const MS_PER_MINUTE = 60_000;

export function freshnessCutoff(policy: Pick<FreshnessPolicy, 'freshnessMinutes'>, nowMs: number): FreshnessCutoff {
  const cutoffMs = nowMs - policy.freshnessMinutes * MS_PER_MINUTE;
  const d = new Date(cutoffMs);
  return { cutoffMs, cutoffIso: Number.isNaN(d.getTime()) ? '' : d.toISOString() };
}

// `YYYY-MM-DDTHH:MM:SS.sssZ`, the form toISOString writes: fixed width, so text order is time order.
const isCanonicalIso = (s: string): boolean => s.length === 24 && s.charCodeAt(23) === 90 && s.charCodeAt(10) === 84 && s.charCodeAt(19) === 46;

/**
 * Stale when counted before the cutoff. A position with no `asOf` (never counted) or an unreadable
 * one is stale: nothing vouches for its on-hand. One dated in the future (clock skew at the source)
 * is fresh. Canonical UTC times compare as text, which spares a date parse per position.
 */
export function isStaleAt(asOf: string | null, cutoff: FreshnessCutoff): boolean {
  if (asOf === null) return true;
  if (cutoff.cutoffIso !== '' && isCanonicalIso(asOf)) return asOf < cutoff.cutoffIso;
  const at = Date.parse(asOf);
  return Number.isNaN(at) || at < cutoff.cutoffMs;
}

/** Whether a position counted at `asOf` is older than the policy's limit at `nowMs`. */
export const isStale = (asOf: string | null, policy: Pick<FreshnessPolicy, 'freshnessMinutes'>, nowMs: number): boolean =>
  isStaleAt(asOf, freshnessCutoff(policy, nowMs));

/** Units withheld from a stale position that has `available` units before the buffer. */
export function staleBufferUnits(buffer: StaleBuffer | undefined, available: number): number {
  if (buffer === undefined || available <= 0) return 0;
  if (buffer.units !== undefined) return Math.max(0, buffer.units);
  // Round the withheld share up: a buffer exists to err on the side of not overselling.
  return Math.ceil((available * Math.max(0, buffer.percent ?? 0)) / 100);
}
