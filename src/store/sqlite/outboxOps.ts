import type Database from 'better-sqlite3';
import type {
  ClaimedOutboxMessage,
  DeadLetter,
  DeadLetterActionResult,
  DeadLetterReason,
  OutboxAuditEntry,
  OutboxError,
  OutboxMessageDetail,
  OutboxSettlement,
  OutboxStore,
  StoredOutboxMessage,
} from '../port.js';
import { auditDetail, checkClaimQuery, checkSettlement, isoTime, leaseEnd } from '../outboxChecks.js';

/**
 * The outbox-dispatch side of the SQLite adapter, on the main connection. Each claim and each
 * batch of settlements is one BEGIN IMMEDIATE transaction: SQLite has one writer at a time, so a
 * claim's read and its lease update cannot interleave with another claimer's. Times are ISO UTC
 * strings and compare as text (every time written here is normalised by isoTime).
 */
export function createSqliteOutbox(db: Database.Database): OutboxStore {
  let prepared: ReturnType<typeof prepareOutbox> | undefined;
  // Prepared on first use: the statements name columns that exist only after migration 3.
  const q = () => (prepared ??= prepareOutbox(db));
  const shapes = new Map<string, Database.Statement>();
  const shape = (sql: string): Database.Statement => {
    let st = shapes.get(sql);
    if (!st) {
      st = db.prepare(sql);
      if (shapes.size < 256) shapes.set(sql, st);
    }
    return st;
  };
  const destinationFilter = (destinations: readonly string[] | undefined) =>
    destinations === undefined ? '' : `AND o.destination IN (${destinations.map(() => '?').join(', ')})`;

  const claim = (query: Parameters<OutboxStore['claimOutbox']>[0]): ClaimedOutboxMessage[] => {
    checkClaimQuery(query);
    if (query.limit === 0 || query.destinations?.length === 0) return [];
    const now = isoTime(query.now, 'now');
    const until = leaseEnd(now, query.leaseMs);
    const candidates = shape(
      `SELECT o.seq, o.lease_owner IS NOT NULL AS reclaimed FROM outbox o
        WHERE o.status = 'pending' ${destinationFilter(query.destinations)}
          AND o.available_at <= ? AND (o.lease_until IS NULL OR o.lease_until <= ?)
          AND NOT EXISTS (SELECT 1 FROM outbox e
                           WHERE e.partition_key = o.partition_key AND e.seq < o.seq AND e.status IN ('pending', 'dead'))
        ORDER BY o.seq LIMIT ?`,
    );
    return db.transaction(() => {
      const found = candidates.all(...(query.destinations ?? []), now, now, query.limit) as { seq: number; reclaimed: number }[];
      return found.map((c) => toClaimed(q().lease.get(query.workerId, until, c.seq) as Row, c.reclaimed === 1));
    }).immediate();
  };

  const settleOne = (s: OutboxSettlement): boolean => {
    checkSettlement(s);
    const fence = { id: s.id, owner: s.lease.owner, token: s.lease.token };
    switch (s.kind) {
      case 'complete':
        return q().complete.run({ ...fence, at: isoTime(s.at, 'at'), attemptedAt: isoTime(s.attemptedAt, 'attemptedAt'), reference: s.reference ?? null }).changes === 1;
      case 'reschedule':
        return (
          q().reschedule.run({
            ...fence, attemptedAt: isoTime(s.attemptedAt, 'attemptedAt'), availableAt: isoTime(s.availableAt, 'availableAt'),
            error: JSON.stringify(s.error), inDoubt: s.inDoubt ? 1 : 0,
          }).changes === 1
        );
      case 'defer':
        return q().defer.run({ ...fence, availableAt: isoTime(s.availableAt, 'availableAt'), inDoubt: s.inDoubt ? 1 : 0 }).changes === 1;
      case 'dead': {
        const attemptedAt = s.attemptedAt === undefined ? null : isoTime(s.attemptedAt, 'attemptedAt');
        const row = q().dead.get({ ...fence, at: isoTime(s.at, 'at'), attemptedAt, reason: s.reason, error: JSON.stringify(s.error) }) as
          | { attempts: number }
          | undefined;
        if (!row) return false;
        q().audit.run(s.id, 'dead_lettered', s.lease.owner, isoTime(s.at, 'at'), auditDetail({ reason: s.reason, error: s.error, attempts: row.attempts }));
        return true;
      }
    }
  };

  const act = (id: string, update: () => number, audit: () => void): DeadLetterActionResult =>
    db.transaction((): DeadLetterActionResult => {
      if (update() === 1) {
        audit();
        return { status: 'ok', message: detail(id)! };
      }
      const current = q().status.get(id) as { status: StoredOutboxMessage['status'] } | undefined;
      return current ? { status: 'not_dead', current: current.status } : { status: 'not_found' };
    }).immediate();

  const detail = (id: string): OutboxMessageDetail | undefined => {
    const row = q().get.get(id) as Row | undefined;
    if (!row) return undefined;
    const history = (q().history.all(id) as AuditRow[]).map(toAudit);
    return toDetail(row, history);
  };

  return {
    async claimOutbox(query) {
      return claim(query);
    },
    async settleOutbox(settlements) {
      if (settlements.length === 0) return [];
      return db.transaction(() => settlements.map((s) => (settleOne(s) ? 'applied' : 'lease_lost')))
        .immediate();
    },
    async nextOutboxDue(query) {
      if (query.destinations?.length === 0) return undefined;
      const due = shape(
        `SELECT min(max(o.available_at, coalesce(o.lease_until, o.available_at))) FROM outbox o
          WHERE o.status = 'pending' ${destinationFilter(query.destinations)}
            AND NOT EXISTS (SELECT 1 FROM outbox e
                             WHERE e.partition_key = o.partition_key AND e.seq < o.seq AND e.status IN ('pending', 'dead'))`,
      ).pluck().get(...(query.destinations ?? [])) as string | null;
      return due ?? undefined;
    },
    async listDeadLetters(query) {
      const where = ["status = 'dead'", 'seq > ?'];
      const args: (string | number)[] = [query.afterSeq ?? 0];
      if (query.destination !== undefined) {
        where.push('destination = ?');
        args.push(query.destination);
      }
      if (query.reason !== undefined) {
        where.push('dead_reason = ?');
        args.push(query.reason);
      }
      const rows = shape(`SELECT * FROM outbox WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ?`).all(...args, query.limit) as Row[];
      return rows.map(toDeadLetter);
    },
    async getOutboxMessage(id) {
      return detail(id);
    },
    async redriveDeadLetter({ id, actor, at }) {
      const when = isoTime(at, 'at');
      return act(id, () => q().redrive.run(when, id).changes, () => q().audit.run(id, 'redriven', actor, when, auditDetail({})));
    },
    async discardDeadLetter({ id, actor, at, note }) {
      const when = isoTime(at, 'at');
      return act(id, () => q().discard.run(id).changes, () => q().audit.run(id, 'discarded', actor, when, auditDetail({ note })));
    },
    async outboxStats() {
      const rows = q().stats.all() as { destination: string; pending: number; oldest: string | null; dead: number }[];
      return rows.map((r) => ({ destination: r.destination, pending: r.pending, oldestPendingAt: r.oldest, dead: r.dead }));
    },
  };
}

function prepareOutbox(db: Database.Database) {
  const fence = "id = @id AND status = 'pending' AND lease_owner = @owner AND lease_token = @token";
  const attempted = 'first_attempt_at = coalesce(first_attempt_at, @attemptedAt), last_attempt_at = @attemptedAt';
  const unlease = 'lease_owner = NULL, lease_until = NULL';
  return {
    lease: db.prepare(
      `UPDATE outbox SET lease_owner = ?, lease_until = ?, lease_token = lease_token + 1 WHERE seq = ?
       RETURNING *`,
    ),
    complete: db.prepare(
      `UPDATE outbox SET status = 'dispatched', dispatched_at = @at, reference = @reference, attempts = attempts + 1,
         in_doubt = 0, ${attempted}, ${unlease} WHERE ${fence}`,
    ),
    reschedule: db.prepare(
      `UPDATE outbox SET attempts = attempts + 1, available_at = @availableAt, last_error = @error, in_doubt = @inDoubt,
         ${attempted}, ${unlease} WHERE ${fence}`,
    ),
    defer: db.prepare(`UPDATE outbox SET available_at = @availableAt, in_doubt = @inDoubt, ${unlease} WHERE ${fence}`),
    dead: db.prepare(
      `UPDATE outbox SET status = 'dead', dead_reason = @reason, dead_at = @at, last_error = @error,
         attempts = attempts + (@attemptedAt IS NOT NULL),
         first_attempt_at = CASE WHEN @attemptedAt IS NULL THEN first_attempt_at ELSE coalesce(first_attempt_at, @attemptedAt) END,
         last_attempt_at = coalesce(@attemptedAt, last_attempt_at), ${unlease}
       WHERE ${fence} RETURNING attempts`,
    ),
    redrive: db.prepare(
      `UPDATE outbox SET status = 'pending', attempts = 0, available_at = ?, first_attempt_at = NULL, last_attempt_at = NULL,
         last_error = NULL, in_doubt = 0, dead_reason = NULL, dead_at = NULL, ${unlease}
       WHERE id = ? AND status = 'dead'`,
    ),
    discard: db.prepare("UPDATE outbox SET status = 'discarded' WHERE id = ? AND status = 'dead'"),
    audit: db.prepare('INSERT INTO outbox_audit (message_id, action, actor, at, detail) VALUES (?, ?, ?, ?, ?)'),
    status: db.prepare('SELECT status FROM outbox WHERE id = ?'),
    get: db.prepare('SELECT * FROM outbox WHERE id = ?'),
    history: db.prepare('SELECT * FROM outbox_audit WHERE message_id = ? ORDER BY id'),
    stats: db.prepare(
      `SELECT destination, sum(status = 'pending') AS pending, min(CASE WHEN status = 'pending' THEN created_at END) AS oldest,
              sum(status = 'dead') AS dead
         FROM outbox WHERE status IN ('pending', 'dead') GROUP BY destination ORDER BY destination`,
    ),
  };
}

/** An outbox row as SQLite returns it (columns of migrations 1 and 3). */
export interface Row {
  seq: number; id: string; destination: string; partition_key: string; type: string; payload: string;
  idempotency_key: string; status: string; attempts: number; available_at: string; created_at: string;
  lease_owner: string | null; lease_until: string | null; lease_token: number; in_doubt: number;
  first_attempt_at: string | null; last_attempt_at: string | null; last_error: string | null;
  dispatched_at: string | null; reference: string | null; dead_reason: string | null; dead_at: string | null;
  traceparent: string | null;
}
interface AuditRow { action: string; actor: string; at: string; detail: string }

export const toStoredOutbox = (r: Pick<Row, 'seq' | 'id' | 'destination' | 'partition_key' | 'type' | 'payload' | 'idempotency_key' | 'status' | 'attempts' | 'created_at'>): StoredOutboxMessage => ({
  seq: r.seq, id: r.id, destination: r.destination, partitionKey: r.partition_key, type: r.type,
  payload: JSON.parse(r.payload), idempotencyKey: r.idempotency_key,
  status: r.status as StoredOutboxMessage['status'], attempts: r.attempts, createdAt: r.created_at,
});

const lastError = (r: Row): OutboxError | null => (r.last_error === null ? null : (JSON.parse(r.last_error) as OutboxError));

/** A freshly leased row; `reclaimed`: its previous lease ran out unsettled (the row still named an owner). */
function toClaimed(r: Row, reclaimed: boolean): ClaimedOutboxMessage {
  return {
    ...toStoredOutbox(r), status: 'pending',
    lease: { owner: r.lease_owner!, token: r.lease_token }, leaseUntil: r.lease_until!,
    inDoubt: r.in_doubt === 1 || reclaimed,
    firstAttemptAt: r.first_attempt_at, lastError: lastError(r), traceparent: r.traceparent,
  };
}

function toDeadLetter(r: Row): DeadLetter {
  return {
    ...toStoredOutbox(r), status: 'dead', reason: r.dead_reason as DeadLetterReason, error: lastError(r)!, deadAt: r.dead_at!,
    firstAttemptAt: r.first_attempt_at, lastAttemptAt: r.last_attempt_at,
  };
}

function toDetail(r: Row, history: OutboxAuditEntry[]): OutboxMessageDetail {
  return {
    ...toStoredOutbox(r), availableAt: r.available_at, inDoubt: r.in_doubt === 1, firstAttemptAt: r.first_attempt_at,
    lastAttemptAt: r.last_attempt_at, lastError: lastError(r), dispatchedAt: r.dispatched_at, reference: r.reference,
    deadReason: r.dead_reason as DeadLetterReason | null, deadAt: r.dead_at, traceparent: r.traceparent, history,
  };
}

const toAudit = (r: AuditRow): OutboxAuditEntry => ({
  action: r.action as OutboxAuditEntry['action'], actor: r.actor, at: r.at, ...(JSON.parse(r.detail) as object),
});
