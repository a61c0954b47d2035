import { z } from 'zod';
import type { Random } from './random.js';

/**
 * Fault injection for a simulator, as data (docs/simulators.md). Every decision is a pure
 * function of these options, the time and a seeded random source, so a seed replays a run.
 */
const rate = z.number().min(0, 'must be in [0, 1]').max(1, 'must be in [0, 1]');
const ms = z.number().finite().min(0, 'must be ≥ 0');

export const latencySchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('fixed'), ms }),
  z.strictObject({ kind: z.literal('uniform'), minMs: ms, maxMs: ms }).refine((l) => l.minMs <= l.maxMs, { error: 'must be ≥ minMs', path: ['maxMs'] }),
  z.strictObject({ kind: z.literal('lognormal'), medianMs: ms, sigma: z.number().min(0).max(5) }),
]);
export type Latency = z.output<typeof latencySchema>;

export const simFaultsSchema = z.strictObject({
  /** Added to every answer (HTTP mode, real time). */
  latency: latencySchema.optional(),
  /** Requests refused before processing: 503 with Retry-After, or the connection reset. */
  transientErrorRate: rate.default(0),
  transientKinds: z.array(z.enum(['503', 'reset'])).min(1).default(['503', 'reset']),
  retryAfterSeconds: z.int().min(0).max(3600).default(1),
  /** The first N arrivals of every idempotency key fail transiently (the first kind listed): "fails, then succeeds". */
  transientOnFirst: z.int().min(0).default(0),
  /** Requests refused with 422 and one of `businessErrorCodes`, before processing. */
  businessErrorRate: rate.default(0),
  businessErrorCodes: z.array(z.string().regex(/^[a-z0-9_]{1,64}$/)).min(1).default(['unknown_sku', 'node_closed']),
  /** Requests processed whose answer is lost: the socket destroyed, or no answer at all (the sender times out). */
  dropAckRate: rate.default(0),
  dropAckOnFirst: z.int().min(0).default(0),
  dropAckMode: z.enum(['destroy', 'hang']).default('destroy'),
  /** [fromMs, toMs) after the clock's start: connections refused, or 503 until the window closes. */
  outages: z
    .array(z.strictObject({ fromMs: ms, toMs: ms, mode: z.enum(['refuse', '503']).default('503') }).refine((o) => o.fromMs < o.toMs, { error: 'must be after fromMs', path: ['toMs'] }))
    .default([]),
  /** Reports (facts sent to Orderly) delivered twice: under the same message id, or a new one. */
  duplicateReportRate: rate.default(0),
  duplicateReportMode: z.enum(['same_id', 'new_id']).default('same_id'),
  /** Reports delivered out of order: each delayed by up to `maxDelayMs`, or held for `windowMs` and shuffled. */
  reorderReports: z
    .discriminatedUnion('mode', [
      z.strictObject({ mode: z.literal('delay'), rate: rate.default(1), maxDelayMs: ms }),
      z.strictObject({ mode: z.literal('shuffle'), windowMs: ms }),
    ])
    .optional(),
  /** Reports first sent malformed (broken JSON or wrong types), then correctly. Webhook targets only. */
  malformedReportRate: rate.default(0),
  /** A store or DC that accepts a cancel, reports it cancelled, and ships anyway. */
  shipAfterCancelRate: rate.default(0),
  /** Pickups the customer never collects: they stay ready for pickup until Orderly cancels them. */
  noShowRate: rate.default(0),
});
export type SimFaultsInput = z.input<typeof simFaultsSchema>;
export type SimFaults = z.output<typeof simFaultsSchema>;

export const NO_FAULTS: SimFaults = simFaultsSchema.parse({});

export type Outage = SimFaults['outages'][number];

export function activeOutage(faults: SimFaults, elapsedMs: number): Outage | undefined {
  return faults.outages.find((o) => elapsedMs >= o.fromMs && elapsedMs < o.toMs);
}

export function sampleLatency(latency: Latency | undefined, rng: Random): number {
  if (!latency) return 0;
  switch (latency.kind) {
    case 'fixed':
      return latency.ms;
    case 'uniform':
      return latency.minMs + rng.next() * (latency.maxMs - latency.minMs);
    case 'lognormal':
      return latency.medianMs * Math.exp(latency.sigma * rng.normal());
  }
}

/** What happens to one request before it is processed, and to its answer after. */
export interface RequestFaults {
  readonly before: { readonly kind: 'none' } | { readonly kind: 'transient'; readonly transport: '503' | 'reset' } | { readonly kind: 'business'; readonly code: string };
  readonly dropAck?: 'destroy' | 'hang';
  readonly latencyMs: number;
}

/**
 * Decides one request's faults. Every draw is taken whatever the rates, in a fixed order, so
 * changing one rate does not reshuffle the other decisions of the same seed.
 */
export function decideRequestFaults(faults: SimFaults, arrival: number, rng: Random): RequestFaults {
  const latencyMs = sampleLatency(faults.latency, rng);
  const transient = rng.chance(faults.transientErrorRate);
  const transport = rng.pick(faults.transientKinds);
  const business = rng.chance(faults.businessErrorRate);
  const code = rng.pick(faults.businessErrorCodes);
  const drop = rng.chance(faults.dropAckRate);
  const before: RequestFaults['before'] =
    arrival <= faults.transientOnFirst ? { kind: 'transient', transport: faults.transientKinds[0] ?? '503' }
    : transient ? { kind: 'transient', transport }
    : business ? { kind: 'business', code }
    : { kind: 'none' };
  const dropAck = before.kind === 'none' && (arrival <= faults.dropAckOnFirst || drop) ? faults.dropAckMode : undefined;
  return { before, latencyMs, ...(dropAck ? { dropAck } : {}) };
}

/** What happens to one report on its way to Orderly. */
export interface ReportFaults {
  readonly duplicate: boolean;
  readonly malformed: boolean;
  readonly delayMs: number;
}

export function decideReportFaults(faults: SimFaults, rng: Random): ReportFaults {
  const duplicate = rng.chance(faults.duplicateReportRate);
  const malformed = rng.chance(faults.malformedReportRate);
  const reorder = faults.reorderReports;
  const delayed = reorder?.mode === 'delay' && rng.chance(reorder.rate);
  const delay = rng.next();
  return { duplicate, malformed, delayMs: delayed && reorder?.mode === 'delay' ? Math.round(delay * reorder.maxDelayMs) : 0 };
}

/** A report body broken the way real senders break them: truncated JSON, or a field of the wrong type. */
export function malformBody(body: { readonly messageId: string; readonly facts: readonly object[] }, rng: Random): string {
  const text = JSON.stringify(body);
  if (rng.chance(0.5)) return text.slice(0, Math.max(1, Math.floor(text.length * (0.3 + rng.next() * 0.6))));
  const facts = body.facts.map((f) => ({ ...f }) as Record<string, unknown>);
  const victim = facts[rng.int(facts.length)];
  if (victim) {
    const lines = victim.lines;
    if (Array.isArray(lines) && lines.length > 0) victim.lines = lines.map((l: object, i: number) => (i === 0 ? { ...l, quantity: 'two' } : l));
    else if ('fulfillmentId' in victim) victim.fulfillmentId = 42;
    else victim.type = 'fulfillment.teleported';
  }
  return JSON.stringify({ messageId: body.messageId, facts });
}
