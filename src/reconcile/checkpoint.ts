/**
 * The event checkpoint a snapshot is compared at: what the target should know as of its `asOf`.
 * Messages from us count once delivered (plus the time the target takes to apply them); facts from
 * the target count from when they happened at the target, whenever they reached the ledger. Near
 * the checkpoint (within the clock skew) a change may or may not be in the snapshot: both are fine.
 */

/** Timing rules of the in-flight model (docs/reconciliation.md). Plain data; defaults below. */
export interface Timing {
  /** Tolerance for clocks and for a snapshot cut over some seconds: changes this close to asOf may go either way. */
  readonly clockSkewMs: number;
  /** How long a target may take to apply a delivered message (file imports, internal queues). */
  readonly applyLagMs: number;
  /** A message sent this long before asOf and never confirmed must be in the snapshot if it arrived at all. */
  readonly unconfirmedAfterMs: number;
  /** How long a fact the target knew at asOf may take to reach the ledger: until then, target-ahead is deferred. */
  readonly inboundGraceMs: number;
  /** How long captures and refunds may lag the shipments and returns they pay for. */
  readonly settlementGraceMs: number;
}

const MINUTE = 60_000;

export const DEFAULT_TIMING: Timing = {
  clockSkewMs: 2 * MINUTE,
  applyLagMs: 5 * MINUTE,
  unconfirmedAfterMs: 60 * MINUTE,
  inboundGraceMs: 60 * MINUTE,
  settlementGraceMs: 24 * 60 * MINUTE,
};

/** An instant both as epoch ms and as canonical ISO text (empty when not representable as such). */
export interface Instant {
  readonly ms: number;
  readonly iso: string;
}

export function instant(ms: number): Instant {
  const d = new Date(ms);
  const iso = Number.isNaN(d.getTime()) ? '' : d.toISOString();
  return { ms, iso: isCanonicalIso(iso) ? iso : '' };
}

/** Parses an ISO time, throwing on garbage: for the few times a run is configured with. */
export function parseInstant(iso: string, what: string): Instant {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`${what} is not a date-time: ${iso}`);
  return instant(ms);
}

// `YYYY-MM-DDTHH:MM:SS.sssZ`, as toISOString writes it: fixed width, so text order is time order.
const isCanonicalIso = (s: string): boolean =>
  s.length === 24 && s.charCodeAt(23) === 90 && s.charCodeAt(10) === 84 && s.charCodeAt(19) === 46;

/**
 * `time ≤ bound`. Canonical times compare as text (a date parse per change would dominate a
 * million-row run); others are parsed. An unreadable time is never at or before anything.
 */
export function atOrBefore(time: string, bound: Instant): boolean {
  if (bound.iso !== '' && isCanonicalIso(time)) return time <= bound.iso;
  const ms = Date.parse(time);
  return !Number.isNaN(ms) && ms <= bound.ms;
}

/** Whether the target knows a change at the checkpoint: surely, perhaps, or not yet. */
export type Knowledge = 'known' | 'maybe' | 'unknown';

export interface Checkpoint {
  readonly asOf: Instant;
  readonly now: Instant;
  /** Facts that happened at the target by then are surely in the snapshot (asOf − skew). */
  readonly certain: Instant;
  /** Facts that happened after this surely are not (asOf + skew). */
  readonly possible: Instant;
  /** Messages delivered by then have surely been applied (asOf − skew − apply lag). */
  readonly appliedBy: Instant;
  /** Messages sent by then and never confirmed must be in the snapshot if they ever arrived. */
  readonly lostBy: Instant;
  /** Until when a target-ahead difference is deferred (asOf + inbound grace). */
  readonly graceUntil: Instant;
  /** `now` is before graceUntil. */
  readonly inGrace: boolean;
  readonly timing: Timing;
}

export function checkpoint(asOf: Instant, now: Instant, timing: Timing): Checkpoint {
  const graceUntil = instant(asOf.ms + timing.inboundGraceMs);
  return {
    asOf,
    now,
    certain: instant(asOf.ms - timing.clockSkewMs),
    possible: instant(asOf.ms + timing.clockSkewMs),
    appliedBy: instant(asOf.ms - timing.clockSkewMs - timing.applyLagMs),
    lostBy: instant(asOf.ms - timing.unconfirmedAfterMs),
    graceUntil,
    inGrace: now.ms < graceUntil.ms,
    timing,
  };
}

/** A fact from the target (it happened there at `occurredAt`, the target's clock, like asOf). */
export function factKnowledge(occurredAt: string, cp: Checkpoint): Knowledge {
  if (atOrBefore(occurredAt, cp.certain)) return 'known';
  return atOrBefore(occurredAt, cp.possible) ? 'maybe' : 'unknown';
}

/**
 * A message from us to the target. Known once delivered and applied, or once sent so long ago
 * that an unconfirmed send must have arrived if it ever did; perhaps known once sent (an ambiguous
 * send may have arrived); unknown while it waits in the outbox.
 */
export function sendKnowledge(sentAt: string | undefined, deliveredAt: string | undefined, cp: Checkpoint): Knowledge {
  if (deliveredAt !== undefined && atOrBefore(deliveredAt, cp.appliedBy)) return 'known';
  const firstSeen = sentAt ?? deliveredAt;
  if (firstSeen === undefined) return 'unknown';
  if (deliveredAt === undefined && atOrBefore(firstSeen, cp.lostBy)) return 'known';
  return atOrBefore(firstSeen, cp.possible) ? 'maybe' : 'unknown';
}

/** The stronger of two pieces of evidence. */
export const strongest = (a: Knowledge, b: Knowledge): Knowledge =>
  a === 'known' || b === 'known' ? 'known' : a === 'maybe' || b === 'maybe' ? 'maybe' : 'unknown';
