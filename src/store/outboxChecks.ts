import type { OutboxClaimQuery, OutboxError, OutboxSettlement } from './outboxPort.js';
import { DEAD_LETTER_REASONS } from './outboxPort.js';

/**
 * Input checks both adapters apply before writing an outbox outcome: a bad argument is a
 * programming error, refused with a message that names it, and nothing is written.
 */
export class OutboxArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboxArgumentError';
  }
}

/** A time as the canonical ISO UTC string (so SQLite can compare times as text). */
export function isoTime(value: string, name: string): string {
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw new OutboxArgumentError(`${name} must be an ISO-8601 time, not ${JSON.stringify(value)}`);
  return new Date(ms).toISOString();
}

export const leaseEnd = (now: string, leaseMs: number): string => new Date(Date.parse(now) + leaseMs).toISOString();

export function checkClaimQuery(q: OutboxClaimQuery): void {
  if (typeof q.workerId !== 'string' || q.workerId.length === 0 || q.workerId.length > 200) {
    throw new OutboxArgumentError('workerId must be a string of 1–200 characters');
  }
  if (!Number.isInteger(q.limit) || q.limit < 0 || q.limit > 10_000) throw new OutboxArgumentError(`limit must be an integer 0–10000, not ${q.limit}`);
  if (!Number.isInteger(q.leaseMs) || q.leaseMs < 1) throw new OutboxArgumentError(`leaseMs must be a positive integer, not ${q.leaseMs}`);
  isoTime(q.now, 'now');
}

export function checkSettlement(s: OutboxSettlement): void {
  if (!s.lease || typeof s.lease.owner !== 'string' || !Number.isInteger(s.lease.token)) {
    throw new OutboxArgumentError(`settlement of ${s.id} needs the lease its claim returned`);
  }
  if ((s.kind === 'reschedule' || s.kind === 'dead') && !isOutboxError(s.error)) {
    throw new OutboxArgumentError(`settlement of ${s.id} needs an error { kind, code, message }`);
  }
  if (s.kind === 'dead' && !DEAD_LETTER_REASONS.includes(s.reason)) {
    throw new OutboxArgumentError(`dead-letter reason must be one of ${DEAD_LETTER_REASONS.join(', ')}, not ${String(s.reason)}`);
  }
}

const isOutboxError = (e: OutboxError | undefined): boolean =>
  !!e && typeof e.kind === 'string' && typeof e.code === 'string' && typeof e.message === 'string';

/** The audit row's detail column: the entry's optional fields, undefined ones left out. */
export const auditDetail = (detail: Record<string, unknown>): string =>
  JSON.stringify(Object.fromEntries(Object.entries(detail).filter(([, v]) => v !== undefined)));
