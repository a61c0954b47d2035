import type pg from 'pg';
import { inTransaction } from './transaction.js';
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
 * The outbox-dispatch side of the PostgreSQL adapter, on the read pool. A claim is one statement:
 * the candidates are locked `FOR UPDATE SKIP LOCKED`, so concurrent claimers (other processes)
 * pass over each other's rows instead of waiting, and a row whose lease another claimer took
 * meanwhile is re-checked on its latest version and dropped. Partition order needs no lock: a
 * partition's head stays unfinished in every snapshot until it is settled, and outbox seqs are
 * drawn in commit order (orderly_commit's advisory lock), so no earlier message can appear later.
 *
 * Times compared here (`available_at`, `lease_until`) are timestamptz compared with the caller's
 * `now`; the others are stored as the text the port received.
 */
export function createOutboxQueries(pool: pg.Pool): OutboxStore {
  const fence = "id = $1 AND status = 'pending' AND lease_owner = $2 AND lease_token = $3";
  const attempted = 'first_attempt_at = coalesce(first_attempt_at, $4), last_attempt_at = $4';
  const unlease = 'lease_owner = NULL, lease_until = NULL';
  const headOnly = `NOT EXISTS (SELECT 1 FROM outbox e
                     WHERE e.partition_key = o.partition_key AND e.seq < o.seq AND e.status IN ('pending', 'dead'))`;

  const settleOne = async (client: pg.PoolClient, s: OutboxSettlement): Promise<boolean> => {
    checkSettlement(s);
    const f = [s.id, s.lease.owner, s.lease.token];
    let text: string;
    let values: unknown[];
    switch (s.kind) {
      case 'complete':
        text = `UPDATE outbox SET status = 'dispatched', dispatched_at = $5, reference = $6, attempts = attempts + 1,
                  in_doubt = false, ${attempted}, ${unlease} WHERE ${fence}`;
        values = [...f, isoTime(s.attemptedAt, 'attemptedAt'), isoTime(s.at, 'at'), s.reference ?? null];
        break;
      case 'reschedule':
        text = `UPDATE outbox SET attempts = attempts + 1, available_at = $5::timestamptz, last_error = $6::jsonb, in_doubt = $7,
                  ${attempted}, ${unlease} WHERE ${fence}`;
        values = [...f, isoTime(s.attemptedAt, 'attemptedAt'), isoTime(s.availableAt, 'availableAt'), JSON.stringify(s.error), s.inDoubt];
        break;
      case 'defer':
        text = `UPDATE outbox SET available_at = $4::timestamptz, in_doubt = $5, ${unlease} WHERE ${fence}`;
        values = [...f, isoTime(s.availableAt, 'availableAt'), s.inDoubt];
        break;
      case 'dead': {
        // The dead-lettering and its audit entry in one statement.
        text = `WITH d AS (
                  UPDATE outbox SET status = 'dead', dead_reason = $5, dead_at = $6, last_error = $7::jsonb,
                    attempts = attempts + (CASE WHEN $4::text IS NULL THEN 0 ELSE 1 END),
                    first_attempt_at = CASE WHEN $4::text IS NULL THEN first_attempt_at ELSE coalesce(first_attempt_at, $4) END,
                    last_attempt_at = coalesce($4, last_attempt_at), ${unlease}
                  WHERE ${fence} RETURNING id, attempts)
                INSERT INTO outbox_audit (message_id, action, actor, at, detail)
                SELECT d.id, 'dead_lettered', $2, $6, $8::jsonb || jsonb_build_object('attempts', d.attempts) FROM d`;
        values = [
          ...f, s.attemptedAt === undefined ? null : isoTime(s.attemptedAt, 'attemptedAt'), s.reason, isoTime(s.at, 'at'),
          JSON.stringify(s.error), auditDetail({ reason: s.reason, error: s.error }),
        ];
        break;
      }
    }
    return (await client.query(text, values)).rowCount === 1;
  };

  const act = async (id: string, update: { text: string; values: unknown[] }): Promise<DeadLetterActionResult> => {
    const { rowCount } = await pool.query(update.text, update.values);
    if (rowCount === 1) return { status: 'ok', message: (await detail(id))! };
    const { rows } = await pool.query<{ status: StoredOutboxMessage['status'] }>('SELECT status FROM outbox WHERE id = $1', [id]);
    return rows[0] ? { status: 'not_dead', current: rows[0].status } : { status: 'not_found' };
  };

  const detail = async (id: string): Promise<OutboxMessageDetail | undefined> => {
    const [{ rows }, audit] = await Promise.all([
      pool.query<Row>({ name: 'orderly_outbox_get', text: `SELECT ${COLUMNS} FROM outbox WHERE id = $1`, values: [id] }),
      pool.query<AuditRow>({ name: 'orderly_outbox_history', text: 'SELECT action, actor, at, detail FROM outbox_audit WHERE message_id = $1 ORDER BY id', values: [id] }),
    ]);
    const r = rows[0];
    return r && toDetail(r, audit.rows.map(toAudit));
  };

  return {
    async claimOutbox(query) {
      checkClaimQuery(query);
      if (query.limit === 0 || query.destinations?.length === 0) return [];
      const now = isoTime(query.now, 'now');
      const filtered = query.destinations !== undefined;
      const { rows } = await pool.query<Row & { reclaimed: boolean }>({
        name: filtered ? 'orderly_outbox_claim_dest' : 'orderly_outbox_claim',
        text: `WITH c AS (
                 SELECT o.seq, o.lease_owner IS NOT NULL AS reclaimed FROM outbox o
                  WHERE o.status = 'pending' ${filtered ? 'AND o.destination = ANY($5::text[])' : ''}
                    AND o.available_at <= $1::timestamptz AND (o.lease_until IS NULL OR o.lease_until <= $1::timestamptz)
                    AND ${headOnly}
                  ORDER BY o.seq LIMIT $2
                  FOR UPDATE OF o SKIP LOCKED)
               UPDATE outbox SET lease_owner = $3, lease_until = $4::timestamptz, lease_token = outbox.lease_token + 1
                 FROM c WHERE outbox.seq = c.seq
               RETURNING ${COLUMNS.split(', ').map((c) => `outbox.${c}`).join(', ')}, c.reclaimed`,
        values: [now, query.limit, query.workerId, leaseEnd(now, query.leaseMs), ...(filtered ? [query.destinations] : [])],
      });
      return rows.map(toClaimed).sort((a, b) => a.seq - b.seq);
    },
    async settleOutbox(settlements) {
      if (settlements.length === 0) return [];
      settlements.forEach(checkSettlement);
      return inTransaction(pool, async (client) => {
        const results: ('applied' | 'lease_lost')[] = [];
        for (const s of settlements) results.push((await settleOne(client, s)) ? 'applied' : 'lease_lost');
        return results;
      });
    },
    async nextOutboxDue(query) {
      if (query.destinations?.length === 0) return undefined;
      const filtered = query.destinations !== undefined;
      const { rows } = await pool.query<{ due: Date | null }>({
        name: filtered ? 'orderly_outbox_due_dest' : 'orderly_outbox_due',
        text: `SELECT min(greatest(o.available_at, coalesce(o.lease_until, o.available_at))) AS due FROM outbox o
                WHERE o.status = 'pending' ${filtered ? 'AND o.destination = ANY($1::text[])' : ''} AND ${headOnly}`,
        values: filtered ? [query.destinations] : [],
      });
      return rows[0]?.due ? rows[0].due.toISOString() : undefined;
    },
    async listDeadLetters(query) {
      const values: unknown[] = [query.afterSeq ?? 0];
      const where = ["status = 'dead'", 'seq > $1'];
      if (query.destination !== undefined) {
        values.push(query.destination);
        where.push(`destination = $${values.length}`);
      }
      if (query.reason !== undefined) {
        values.push(query.reason);
        where.push(`dead_reason = $${values.length}`);
      }
      values.push(query.limit);
      const { rows } = await pool.query<Row>(`SELECT ${COLUMNS} FROM outbox WHERE ${where.join(' AND ')} ORDER BY seq LIMIT $${values.length}`, values);
      return rows.map(toDeadLetter);
    },
    getOutboxMessage: detail,
    async redriveDeadLetter({ id, actor, at }) {
      return act(id, {
        text: `WITH r AS (
                 UPDATE outbox SET status = 'pending', attempts = 0, available_at = $2::timestamptz, first_attempt_at = NULL,
                   last_attempt_at = NULL, last_error = NULL, in_doubt = false, dead_reason = NULL, dead_at = NULL, ${unlease}
                 WHERE id = $1 AND status = 'dead' RETURNING id)
               INSERT INTO outbox_audit (message_id, action, actor, at, detail) SELECT r.id, 'redriven', $3, $4, '{}'::jsonb FROM r`,
        // The time twice: $2 is read as a timestamptz, and the audit keeps the text as given.
        values: [id, isoTime(at, 'at'), actor, isoTime(at, 'at')],
      });
    },
    async discardDeadLetter({ id, actor, at, note }) {
      return act(id, {
        text: `WITH r AS (UPDATE outbox SET status = 'discarded' WHERE id = $1 AND status = 'dead' RETURNING id)
               INSERT INTO outbox_audit (message_id, action, actor, at, detail) SELECT r.id, 'discarded', $3, $2, $4::jsonb FROM r`,
        values: [id, isoTime(at, 'at'), actor, auditDetail({ note })],
      });
    },
    async outboxStats() {
      const { rows } = await pool.query<{ destination: string; pending: number; oldest: string | null; dead: number }>({
        name: 'orderly_outbox_stats',
        text: `SELECT destination, (count(*) FILTER (WHERE status = 'pending'))::integer AS pending,
                      min(created_at COLLATE "C") FILTER (WHERE status = 'pending') AS oldest,
                      (count(*) FILTER (WHERE status = 'dead'))::integer AS dead
                 FROM outbox WHERE status IN ('pending', 'dead') GROUP BY destination ORDER BY destination`,
      });
      return rows.map((r) => ({ destination: r.destination, pending: r.pending, oldestPendingAt: r.oldest, dead: r.dead }));
    },
  };
}

const COLUMNS =
  'seq, id, destination, partition_key, type, payload, idempotency_key, status, attempts, available_at, created_at, lease_owner, ' +
  'lease_until, lease_token, in_doubt, first_attempt_at, last_attempt_at, last_error, dispatched_at, reference, dead_reason, dead_at, traceparent';

/** An outbox row as pg returns it: bigint seq as a string, timestamptz as Date, jsonb parsed. */
export interface Row {
  seq: string; id: string; destination: string; partition_key: string; type: string; payload: unknown;
  idempotency_key: string; status: string; attempts: number; available_at: Date; created_at: string;
  lease_owner: string | null; lease_until: Date | null; lease_token: number; in_doubt: boolean;
  first_attempt_at: string | null; last_attempt_at: string | null; last_error: OutboxError | null;
  dispatched_at: string | null; reference: string | null; dead_reason: string | null; dead_at: string | null; traceparent: string | null;
}
interface AuditRow { action: string; actor: string; at: string; detail: Record<string, unknown> }

export const toStoredOutbox = (r: Pick<Row, 'seq' | 'id' | 'destination' | 'partition_key' | 'type' | 'payload' | 'idempotency_key' | 'status' | 'attempts' | 'created_at'>): StoredOutboxMessage => ({
  seq: Number(r.seq), id: r.id, destination: r.destination, partitionKey: r.partition_key, type: r.type,
  payload: r.payload, idempotencyKey: r.idempotency_key,
  status: r.status as StoredOutboxMessage['status'], attempts: r.attempts, createdAt: r.created_at,
});

const toClaimed = (r: Row & { reclaimed: boolean }): ClaimedOutboxMessage => ({
  ...toStoredOutbox(r), status: 'pending',
  lease: { owner: r.lease_owner!, token: r.lease_token }, leaseUntil: r.lease_until!.toISOString(),
  inDoubt: r.in_doubt || r.reclaimed, firstAttemptAt: r.first_attempt_at, lastError: r.last_error, traceparent: r.traceparent,
});

const toDeadLetter = (r: Row): DeadLetter => ({
  ...toStoredOutbox(r), status: 'dead', reason: r.dead_reason as DeadLetterReason, error: r.last_error!, deadAt: r.dead_at!,
  firstAttemptAt: r.first_attempt_at, lastAttemptAt: r.last_attempt_at,
});

const toDetail = (r: Row, history: OutboxAuditEntry[]): OutboxMessageDetail => ({
  ...toStoredOutbox(r), availableAt: r.available_at.toISOString(), inDoubt: r.in_doubt, firstAttemptAt: r.first_attempt_at,
  lastAttemptAt: r.last_attempt_at, lastError: r.last_error, dispatchedAt: r.dispatched_at, reference: r.reference,
  deadReason: r.dead_reason as DeadLetterReason | null, deadAt: r.dead_at, traceparent: r.traceparent, history,
});

const toAudit = (r: AuditRow): OutboxAuditEntry => ({ action: r.action as OutboxAuditEntry['action'], actor: r.actor, at: r.at, ...r.detail });
