import type { Clock } from '../clock.js';
import type { DeadLetter, DeadLetterActionResult, DeadLetterReason, OutboxMessageDetail, Store } from '../../store/port.js';

/** A dead letter as operators see it (list rows leave the payload out; `show` has it). */
export interface DeadLetterSummary {
  readonly id: string;
  readonly destination: string;
  readonly partitionKey: string;
  readonly type: string;
  readonly idempotencyKey: string;
  readonly reason: DeadLetterReason;
  readonly error: { readonly kind: string; readonly code: string; readonly message: string };
  readonly attempts: number;
  readonly firstAttemptAt: string | null;
  readonly lastAttemptAt: string | null;
  readonly deadAt: string;
  readonly createdAt: string;
}

export interface DestinationStats {
  readonly destination: string;
  readonly pending: number;
  readonly oldestPendingAt: string | null;
  readonly oldestPendingAgeSeconds: number | null;
  readonly dead: number;
}

export type DeadLetterList = { readonly items: DeadLetterSummary[]; readonly nextCursor: string | null };

/**
 * Listing, inspecting, redriving and discarding dead letters: the one implementation behind
 * `/v1/dead-letters` and `orderly dlq`. Cursors are opaque (the last row's outbox seq).
 */
export function createDeadLetterService(deps: { readonly store: Store; readonly clock: Clock }) {
  const { store, clock } = deps;
  return {
    /** Oldest first. Throws InvalidCursorError for a cursor this service did not hand out. */
    async list(query: { destination?: string; reason?: DeadLetterReason; limit: number; cursor?: string }): Promise<DeadLetterList> {
      const afterSeq = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      const rows = await store.listDeadLetters({
        limit: query.limit + 1,
        ...(query.destination !== undefined ? { destination: query.destination } : {}),
        ...(query.reason !== undefined ? { reason: query.reason } : {}),
        ...(afterSeq !== undefined ? { afterSeq } : {}),
      });
      const items = rows.slice(0, query.limit);
      return { items: items.map(summary), nextCursor: rows.length > query.limit ? encodeCursor(items.at(-1)!.seq) : null };
    },
    /** A message that is, or once was, a dead letter (with its history); undefined otherwise. */
    async get(id: string): Promise<OutboxMessageDetail | undefined> {
      const m = await store.getOutboxMessage(id);
      return m && (m.status === 'dead' || m.status === 'discarded' || m.history.length > 0) ? m : undefined;
    },
    redrive(id: string, actor: string): Promise<DeadLetterActionResult> {
      return store.redriveDeadLetter({ id, actor, at: clock.now() });
    },
    discard(id: string, actor: string, note: string): Promise<DeadLetterActionResult> {
      return store.discardDeadLetter({ id, actor, at: clock.now(), note });
    },
    async stats(): Promise<{ items: DestinationStats[]; totals: { pending: number; dead: number } }> {
      const now = Date.parse(clock.now());
      const items = (await store.outboxStats()).map((s) => ({
        ...s,
        oldestPendingAgeSeconds: s.oldestPendingAt === null ? null : Math.max(0, Math.round((now - Date.parse(s.oldestPendingAt)) / 1000)),
      }));
      return { items, totals: { pending: items.reduce((n, s) => n + s.pending, 0), dead: items.reduce((n, s) => n + s.dead, 0) } };
    },
  };
}
export type DeadLetterService = ReturnType<typeof createDeadLetterService>;

export class InvalidCursorError extends Error {
  constructor() {
    super('The cursor is not one this service returned');
    this.name = 'InvalidCursorError';
  }
}

const summary = (d: DeadLetter): DeadLetterSummary => ({
  id: d.id, destination: d.destination, partitionKey: d.partitionKey, type: d.type, idempotencyKey: d.idempotencyKey,
  reason: d.reason, error: d.error, attempts: d.attempts, firstAttemptAt: d.firstAttemptAt, lastAttemptAt: d.lastAttemptAt,
  deadAt: d.deadAt, createdAt: d.createdAt,
});

const encodeCursor = (seq: number): string => Buffer.from(JSON.stringify({ s: seq })).toString('base64url');

function decodeCursor(cursor: string): number {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { s?: unknown };
    if (Number.isSafeInteger(v.s) && (v.s as number) >= 0) return v.s as number;
  } catch {
    /* falls through to the error below */
  }
  throw new InvalidCursorError();
}
