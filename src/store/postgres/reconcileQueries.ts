import type pg from 'pg';
import type {
  ReconciliationDriftRow,
  ReconciliationFulfillmentRow,
  ReconciliationRunRow,
  ReconciliationStore,
  StoredReconciliationDrift,
} from '../port.js';

const RUN_COLUMNS =
  'id, target, kind, as_of, status, source, scope, progress, cursor, totals, error, created_by, created_at, started_at, finished_at, owner, lease_until';
const DRIFT_COLUMNS = 'seq, run_id, dedupe_key, class, status, until, exception_id, doc';
/** A run another process may take: queued, or running with its lease run out (its process died). */
const CLAIMABLE = "(status = 'queued' OR (status = 'running' AND (lease_until IS NULL OR lease_until < $3)))";

/**
 * The reconciliation side of the PostgreSQL adapter, on the read pool. Ledger pages are keyset
 * reads on `COLLATE "C"` columns, whose order is the pure engine's (UTF-8 bytes). Bulk writes go as
 * arrays through `unnest`, one statement per batch.
 */
export function createReconcileQueries(pool: pg.Pool): ReconciliationStore {
  return {
    async listFulfillmentsForReconciliation(query) {
      const select = `SELECT f.id, f.order_id, f.node_id, f.status, f.released_at, f.updated_at, f.view,
          o.id AS message_id, o.status AS message_status, o.first_attempt_at, o.dispatched_at
        FROM fulfillments f LEFT JOIN outbox o ON o.idempotency_key = 'fulfillment.release:' || f.id`;
      const { rows } =
        'ids' in query
          ? await pool.query<FulfillmentJoinRow>(`${select} WHERE f.id = ANY($1::text[]) ORDER BY f.id`, [query.ids])
          : await pool.query<FulfillmentJoinRow>({
              name: 'orderly_reconcile_fulfillments',
              text: `${select} WHERE f.node_id = ANY($1::text[]) AND f.id > $2 ORDER BY f.id LIMIT $3`,
              values: [query.nodeIds, query.afterId ?? '', query.limit],
            });
      return rows.map(toFulfillmentRow);
    },
    async listPositionsPage(query) {
      const after = query.after ?? { nodeId: '', sku: '' };
      const { rows } = await pool.query<{ node_id: string; sku: string; on_hand: number; reserved: number; as_of: string | null }>({
        name: 'orderly_reconcile_positions',
        text: `SELECT node_id, sku, on_hand, reserved, as_of FROM inventory
                WHERE node_id = ANY($1::text[]) AND (node_id, sku) > ($2, $3) ORDER BY node_id, sku LIMIT $4`,
        values: [query.nodeIds, after.nodeId, after.sku, query.limit],
      });
      return rows.map((r) => ({ nodeId: r.node_id, sku: r.sku, onHand: r.on_hand, reserved: r.reserved, asOf: r.as_of }));
    },
    async listOrdersAscending(query) {
      const { rows } = await pool.query<{ id: string; channel: string; external_id: string; status: string; version: number; created_at: string; updated_at: string; view: unknown }>({
        name: 'orderly_reconcile_orders',
        text: 'SELECT id, channel, external_id, status, version, created_at, updated_at, view FROM orders WHERE id > $1 ORDER BY id LIMIT $2',
        values: [query.afterId ?? '', query.limit],
      });
      return rows.map((r) => ({ id: r.id, channel: r.channel, externalId: r.external_id, status: r.status, version: r.version, createdAt: r.created_at, updatedAt: r.updated_at, view: r.view }));
    },
    async listAdjustmentsSince(query) {
      const { rows } = await pool.query<{ node_id: string; sku: string; delta: number; reason: string; at: string }>(
        'SELECT node_id, sku, delta, reason, at FROM inventory_adjustments WHERE at >= $1 AND node_id = ANY($2::text[]) ORDER BY node_id, sku, at',
        [query.since, query.nodeIds],
      );
      return rows.map((r) => ({ nodeId: r.node_id, sku: r.sku, delta: r.delta, reason: r.reason, at: r.at }));
    },
    async createReconciliationRun(run) {
      await pool.query(`INSERT INTO reconciliation_runs (${RUN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9, $10::jsonb, $11, $12, $13, $14, $15, $16, $17)`, runValues(run));
    },
    async getReconciliationRun(id) {
      const { rows } = await pool.query<RunDbRow>(`SELECT ${RUN_COLUMNS} FROM reconciliation_runs WHERE id = $1`, [id]);
      return rows[0] && toRun(rows[0]);
    },
    async listReconciliationRuns(query) {
      const where: string[] = [];
      const args: (string | number)[] = [];
      for (const [column, value] of [['target =', query.target], ['kind =', query.kind], ['status =', query.status], ['id <', query.beforeId]] as const) {
        if (value === undefined) continue;
        args.push(value);
        where.push(`${column} $${args.length}`);
      }
      args.push(query.limit);
      const { rows } = await pool.query<RunDbRow>(`SELECT ${RUN_COLUMNS} FROM reconciliation_runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${args.length}`, args);
      return rows.map(toRun);
    },
    async updateReconciliationRun(run, expectedOwner) {
      const r = await pool.query(
        `UPDATE reconciliation_runs SET status = $2, progress = $3::jsonb, cursor = $4, totals = $5::jsonb, error = $6, started_at = $7, finished_at = $8, owner = $9, lease_until = $10, scope = $12::jsonb
          WHERE id = $1 AND owner IS NOT DISTINCT FROM $11`,
        [run.id, run.status, JSON.stringify(run.progress), run.cursor, JSON.stringify(run.totals), run.error, run.startedAt, run.finishedAt, run.owner, run.leaseUntil, expectedOwner, JSON.stringify(run.scope)],
      );
      return r.rowCount === 1;
    },
    async claimReconciliationRun(query) {
      // SKIP LOCKED: two claimers never wait on or take the same run; the outer condition is
      // evaluated again on the locked row, so a run claimed meanwhile is not taken twice.
      const { rows } = await pool.query<RunDbRow>(
        `UPDATE reconciliation_runs SET status = 'running', owner = $1, lease_until = $2, started_at = coalesce(started_at, $3)
          WHERE id = (SELECT id FROM reconciliation_runs WHERE ${CLAIMABLE} AND ($4::text IS NULL OR id = $4)
                       ORDER BY status = 'running', id LIMIT 1 FOR UPDATE SKIP LOCKED)
            AND ${CLAIMABLE}
          RETURNING ${RUN_COLUMNS}`,
        [query.owner, query.leaseUntil, query.now, query.id ?? null],
      );
      return rows[0] && toRun(rows[0]);
    },
    async deleteReconciliationRun(id) {
      await pool.query('DELETE FROM reconciliation_pages WHERE run_id = $1', [id]);
      await pool.query('DELETE FROM reconciliation_drifts WHERE run_id = $1', [id]);
      await pool.query('DELETE FROM reconciliation_runs WHERE id = $1', [id]);
    },
    async putReconciliationPages(runId, pages) {
      if (pages.length === 0) return;
      // One parameter per value, not arrays: an array parameter is escaped character by character
      // by the driver, which for pages of 100 kB of JSON costs more than the insert.
      const values: unknown[] = [runId];
      const tuples = pages.map((p) => {
        values.push(p.chunk, p.page, p.firstKey, p.lastKey, p.count, p.rows);
        const n = values.length;
        return `($1, $${n - 5}, $${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}, $${n})`;
      });
      await pool.query(
        `INSERT INTO reconciliation_pages (run_id, chunk, page, first_key, last_key, row_count, rows) VALUES ${tuples.join(', ')}
         ON CONFLICT (run_id, chunk, page) DO UPDATE SET first_key = EXCLUDED.first_key, last_key = EXCLUDED.last_key, row_count = EXCLUDED.row_count, rows = EXCLUDED.rows`,
        values,
      );
    },
    async listReconciliationPageHeads(runId) {
      const { rows } = await pool.query<{ chunk: number; page: number; first_key: string; last_key: string; row_count: number }>(
        'SELECT chunk, page, first_key, last_key, row_count FROM reconciliation_pages WHERE run_id = $1 ORDER BY chunk, page',
        [runId],
      );
      return rows.map((r) => ({ chunk: r.chunk, page: r.page, firstKey: r.first_key, lastKey: r.last_key, count: r.row_count }));
    },
    async readReconciliationPages(runId, chunk, fromPage, limit) {
      const { rows } = await pool.query<{ chunk: number; page: number; first_key: string; last_key: string; row_count: number; rows: string }>({
        name: 'orderly_reconcile_pages',
        text: 'SELECT chunk, page, first_key, last_key, row_count, rows FROM reconciliation_pages WHERE run_id = $1 AND chunk = $2 AND page >= $3 ORDER BY page LIMIT $4',
        values: [runId, chunk, fromPage, limit],
      });
      return rows.map((r) => ({ chunk: r.chunk, page: r.page, firstKey: r.first_key, lastKey: r.last_key, count: r.row_count, rows: r.rows }));
    },
    async deleteReconciliationPages(runId) {
      await pool.query('DELETE FROM reconciliation_pages WHERE run_id = $1', [runId]);
    },
    async putReconciliationDrifts(list) {
      if (list.length === 0) return;
      await pool.query(
        `INSERT INTO reconciliation_drifts (run_id, dedupe_key, class, status, until, exception_id, doc)
         SELECT r, k, c, s, u, e, d::jsonb FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS t(r, k, c, s, u, e, d)
         ON CONFLICT (run_id, dedupe_key) DO NOTHING`,
        [list.map((d) => d.runId), list.map((d) => d.dedupeKey), list.map((d) => d.class), list.map((d) => d.status), list.map((d) => d.until), list.map((d) => d.exceptionId), list.map((d) => JSON.stringify(d.doc))],
      );
    },
    async updateReconciliationDrift(d) {
      await pool.query('UPDATE reconciliation_drifts SET class = $3, status = $4, until = $5, exception_id = $6, doc = $7::jsonb WHERE run_id = $1 AND dedupe_key = $2', [
        d.runId, d.dedupeKey, d.class, d.status, d.until, d.exceptionId, JSON.stringify(d.doc),
      ]);
    },
    async listReconciliationDrifts(query) {
      const args: (string | number)[] = [query.runId, query.afterSeq ?? 0];
      const where = ['run_id = $1', 'seq > $2'];
      for (const [column, value] of [['status', query.status], ['class', query.class]] as const) {
        if (value === undefined) continue;
        args.push(value);
        where.push(`${column} = $${args.length}`);
      }
      args.push(query.limit);
      const { rows } = await pool.query<DriftDbRow>(`SELECT ${DRIFT_COLUMNS} FROM reconciliation_drifts WHERE ${where.join(' AND ')} ORDER BY seq LIMIT $${args.length}`, args);
      return rows.map(toDrift);
    },
    async dueReconciliationDeferrals(query) {
      const { rows } = await pool.query<DriftDbRow>(`SELECT ${DRIFT_COLUMNS} FROM reconciliation_drifts WHERE status = 'deferral' AND until <= $1 ORDER BY until, seq LIMIT $2`, [query.now, query.limit]);
      return rows.map(toDrift);
    },
    async countReconciliationDrifts(runId) {
      const { rows } = await pool.query<{ class: string; status: string; n: number }>(
        'SELECT class, status, count(*)::integer AS n FROM reconciliation_drifts WHERE run_id = $1 GROUP BY class, status ORDER BY class, status',
        [runId],
      );
      return rows.map((r) => ({ class: r.class, status: r.status, count: r.n }));
    },
  };
}

interface FulfillmentJoinRow {
  id: string; order_id: string; node_id: string; status: string; released_at: string | null; updated_at: string; view: unknown;
  message_id: string | null; message_status: string | null; first_attempt_at: string | null; dispatched_at: string | null;
}
interface RunDbRow {
  id: string; target: string; kind: string; as_of: string; status: string; source: string; scope: unknown; progress: unknown; cursor: string | null;
  totals: unknown; error: string | null; created_by: string; created_at: string; started_at: string | null; finished_at: string | null;
  owner: string | null; lease_until: string | null;
}
interface DriftDbRow { seq: string; run_id: string; dedupe_key: string; class: string; status: string; until: string | null; exception_id: string | null; doc: unknown }

const toFulfillmentRow = (r: FulfillmentJoinRow): ReconciliationFulfillmentRow => ({
  id: r.id, orderId: r.order_id, nodeId: r.node_id, status: r.status, releasedAt: r.released_at, updatedAt: r.updated_at, view: r.view,
  release: r.message_id === null ? null : { messageId: r.message_id, status: r.message_status ?? 'pending', firstAttemptAt: r.first_attempt_at, dispatchedAt: r.dispatched_at },
});
const runValues = (r: ReconciliationRunRow): unknown[] => [
  r.id, r.target, r.kind, r.asOf, r.status, r.source, JSON.stringify(r.scope), JSON.stringify(r.progress), r.cursor, JSON.stringify(r.totals), r.error,
  r.createdBy, r.createdAt, r.startedAt, r.finishedAt, r.owner, r.leaseUntil,
];
const toRun = (r: RunDbRow): ReconciliationRunRow => ({
  id: r.id, target: r.target, kind: r.kind, asOf: r.as_of, status: r.status as ReconciliationRunRow['status'], source: r.source, scope: r.scope,
  progress: r.progress, cursor: r.cursor, totals: r.totals, error: r.error, createdBy: r.created_by, createdAt: r.created_at, startedAt: r.started_at,
  finishedAt: r.finished_at, owner: r.owner, leaseUntil: r.lease_until,
});
const toDrift = (r: DriftDbRow): StoredReconciliationDrift => ({
  seq: Number(r.seq), runId: r.run_id, dedupeKey: r.dedupe_key, class: r.class, status: r.status as ReconciliationDriftRow['status'], until: r.until,
  exceptionId: r.exception_id, doc: r.doc,
});
