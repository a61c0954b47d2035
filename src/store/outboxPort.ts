/**
 * The outbox-dispatch part of the storage port (re-exported by port.ts): claims with leases, the
 * outcome of each send, and the dead-letter store. Both adapters implement it and the outbox
 * contract suite (test/contract/outbox.contract.test.ts) holds them to the same behaviour.
 *
 * Times are ISO-8601 UTC strings as `Clock.now()` returns them; the dispatcher passes its clock's
 * `now` in, so the store never reads a clock of its own.
 */
import type { StoredOutboxMessage } from './port.js';

/** Why a message was parked: retries used up, refused by the target, maybe-sent, or no connector. */
export type DeadLetterReason = 'exhausted' | 'business' | 'ambiguous' | 'unroutable';
export const DEAD_LETTER_REASONS: readonly DeadLetterReason[] = ['exhausted', 'business', 'ambiguous', 'unroutable'];

/** What went wrong with an attempt: the error kind (`transient`, `business`, …), a stable code, the text. */
export interface OutboxError {
  readonly kind: string;
  readonly code: string;
  readonly message: string;
}

/** A claim's fence: settlements apply only while the row still carries this owner and token. */
export interface OutboxLease {
  readonly owner: string;
  readonly token: number;
}

export interface OutboxClaimQuery {
  readonly workerId: string;
  readonly limit: number;
  readonly now: string;
  readonly leaseMs: number;
  /** Only messages for these destinations (all when absent; none when empty). */
  readonly destinations?: readonly string[];
}

export interface ClaimedOutboxMessage extends StoredOutboxMessage {
  readonly status: 'pending';
  readonly lease: OutboxLease;
  readonly leaseUntil: string;
  /**
   * The message may already have reached its target: an earlier attempt ended in doubt, or an
   * earlier lease ran out without an outcome (its worker died mid-send). Never resend it blind.
   */
  readonly inDoubt: boolean;
  readonly firstAttemptAt: string | null;
  readonly lastError: OutboxError | null;
  readonly traceparent: string | null;
}

/** The outcome of one claimed message. Each applies only under its lease (see OutboxLease). */
export type OutboxSettlement =
  /** Delivered: status `dispatched`, with the target's reference. */
  | { readonly kind: 'complete'; readonly id: string; readonly lease: OutboxLease; readonly at: string; readonly attemptedAt: string; readonly reference?: string }
  /** A failed attempt to retry: attempts + 1, next try at `availableAt`. */
  | {
      readonly kind: 'reschedule'; readonly id: string; readonly lease: OutboxLease; readonly attemptedAt: string;
      readonly availableAt: string; readonly error: OutboxError; readonly inDoubt: boolean;
    }
  /** Not attempted (the connector's breaker is open): back to pending at `availableAt`, no attempt counted. */
  | { readonly kind: 'defer'; readonly id: string; readonly lease: OutboxLease; readonly availableAt: string; readonly inDoubt: boolean }
  /** Parked: status `dead`. `attemptedAt` counts the attempt that failed (absent when none was made). */
  | {
      readonly kind: 'dead'; readonly id: string; readonly lease: OutboxLease; readonly at: string; readonly attemptedAt?: string;
      readonly reason: DeadLetterReason; readonly error: OutboxError;
    };

/** `lease_lost`: the lease expired and the message was claimed again (or settled) since; nothing was written. */
export type OutboxSettleResult = 'applied' | 'lease_lost';

export interface DeadLetterQuery {
  readonly destination?: string;
  readonly reason?: DeadLetterReason;
  readonly limit: number;
  /** Exclusive: dead letters after this outbox seq (oldest first). */
  readonly afterSeq?: number;
}

export interface DeadLetter extends StoredOutboxMessage {
  readonly status: 'dead';
  readonly reason: DeadLetterReason;
  readonly error: OutboxError;
  readonly deadAt: string;
  readonly firstAttemptAt: string | null;
  readonly lastAttemptAt: string | null;
}

export interface OutboxAuditEntry {
  readonly action: 'dead_lettered' | 'redriven' | 'discarded';
  /** The dispatcher's worker id, or the operator's identity. */
  readonly actor: string;
  readonly at: string;
  readonly reason?: DeadLetterReason;
  readonly error?: OutboxError;
  readonly attempts?: number;
  readonly note?: string;
}

/** Everything known about one outbox message, in any status. */
export interface OutboxMessageDetail extends StoredOutboxMessage {
  readonly availableAt: string;
  readonly inDoubt: boolean;
  readonly firstAttemptAt: string | null;
  readonly lastAttemptAt: string | null;
  readonly lastError: OutboxError | null;
  readonly dispatchedAt: string | null;
  readonly reference: string | null;
  readonly deadReason: DeadLetterReason | null;
  readonly deadAt: string | null;
  readonly traceparent: string | null;
  /** Dead-lettered, redriven, discarded: oldest first. */
  readonly history: readonly OutboxAuditEntry[];
}

export type DeadLetterActionResult =
  | { readonly status: 'ok'; readonly message: OutboxMessageDetail }
  | { readonly status: 'not_found' }
  /** Only a dead message can be redriven or discarded. */
  | { readonly status: 'not_dead'; readonly current: StoredOutboxMessage['status'] };

export interface OutboxDestinationStats {
  readonly destination: string;
  readonly pending: number;
  /** createdAt of the oldest pending message, null when none is pending. */
  readonly oldestPendingAt: string | null;
  readonly dead: number;
}

export interface OutboxStore {
  /**
   * Leases up to `limit` messages, oldest first: `pending`, due (`availableAt` ≤ now), lease free
   * or expired, and each the first unfinished message of its partition key — a later message waits
   * while an earlier one is pending, leased or dead (a dead one blocks until redriven or discarded).
   * Safe under concurrent claimers: no message is leased twice at once.
   */
  claimOutbox(query: OutboxClaimQuery): Promise<ClaimedOutboxMessage[]>;
  /** Applies outcomes in one transaction; one result per settlement, in order. */
  settleOutbox(settlements: readonly OutboxSettlement[]): Promise<OutboxSettleResult[]>;
  /**
   * The earliest time a partition head of these destinations becomes claimable (its availableAt,
   * or its lease's end if later); undefined when no partition has a pending head. May be ≤ now.
   */
  nextOutboxDue(query: { readonly destinations?: readonly string[] }): Promise<string | undefined>;
  listDeadLetters(query: DeadLetterQuery): Promise<DeadLetter[]>;
  getOutboxMessage(id: string): Promise<OutboxMessageDetail | undefined>;
  /** Dead → pending now, attempts and attempt times reset, audited. */
  redriveDeadLetter(input: { readonly id: string; readonly actor: string; readonly at: string }): Promise<DeadLetterActionResult>;
  /** Dead → discarded (final; unblocks its partition), audited with the note. */
  discardDeadLetter(input: { readonly id: string; readonly actor: string; readonly at: string; readonly note: string }): Promise<DeadLetterActionResult>;
  /** Per destination with anything pending or dead, by destination. */
  outboxStats(): Promise<OutboxDestinationStats[]>;
}
