import type pg from 'pg';
import { inTransaction } from './transaction.js';
import type { ExceptionQuery, ExceptionRow, FulfillmentRow, Store } from '../port.js';

type LifecyclePart = Pick<Store, 'getFulfillment' | 'listFulfillments' | 'getException' | 'listExceptions' | 'raiseExceptions' | 'updateException' | 'countOpenExceptions'>;

const FULFILLMENT_COLUMNS = 'id, order_id, node_id, status, released_at, updated_at, view';
const EXCEPTION_COLUMNS = 'id, dedupe_key, type, status, severity, owner, order_id, created_at, updated_at, sla_due_at, doc';

/**
 * The fulfillment projection and the exception store of the PostgreSQL adapter. Fulfillment rows
 * and the exceptions raised with an order's events are written by the commit function; here are
 * the reads and the exception writes outside a unit (reconciliation, dead letters, operator actions).
 */
export function createLifecycleQueries(pool: pg.Pool): LifecyclePart {
  return {
    async getFulfillment(id) {
      const { rows } = await pool.query<FulfillmentDbRow>({
        name: 'orderly_get_fulfillment',
        text: `SELECT ${FULFILLMENT_COLUMNS} FROM fulfillments WHERE id = $1`,
        values: [id],
      });
      return rows[0] && toFulfillment(rows[0]);
    },
    async listFulfillments(query) {
      const { where, args } = conditions([
        ['node_id =', query.nodeId],
        ['status =', query.status],
        ['order_id =', query.orderId],
        ['released_at <', query.releasedBefore],
        ['id >', query.afterId],
      ]);
      args.push(query.limit);
      const { rows } = await pool.query<FulfillmentDbRow>(`SELECT ${FULFILLMENT_COLUMNS} FROM fulfillments ${where} ORDER BY id LIMIT $${args.length}`, args);
      return rows.map(toFulfillment);
    },
    async getException(id) {
      const { rows } = await pool.query<ExceptionDbRow>({
        name: 'orderly_get_exception',
        text: `SELECT ${EXCEPTION_COLUMNS} FROM exceptions WHERE id = $1`,
        values: [id],
      });
      return rows[0] && toException(rows[0]);
    },
    async listExceptions(query: ExceptionQuery) {
      const { where, args } = conditions([
        ['status =', query.status],
        ['type =', query.type],
        ['severity =', query.severity],
        ['owner =', query.owner],
        ['order_id =', query.orderId],
        ['starts_with(dedupe_key, ', query.dedupeKeyPrefix, ')'],
        ['id <', query.beforeId],
      ]);
      args.push(query.limit);
      const { rows } = await pool.query<ExceptionDbRow>(`SELECT ${EXCEPTION_COLUMNS} FROM exceptions ${where} ORDER BY id DESC LIMIT $${args.length}`, args);
      return rows.map(toException);
    },
    async raiseExceptions(list) {
      return inTransaction(pool, async (client) => {
        const out: { id: string; created: boolean }[] = [];
        for (const e of list) {
          const inserted = await client.query(
            `INSERT INTO exceptions (${EXCEPTION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb)
             ON CONFLICT (dedupe_key) WHERE status <> 'resolved' DO NOTHING`,
            [e.id, e.dedupeKey, e.type, e.status, e.severity, e.owner, e.orderId, e.createdAt, e.updatedAt, e.slaDueAt, JSON.stringify(e.doc)],
          );
          if (inserted.rowCount === 1) {
            out.push({ id: e.id, created: true });
            continue;
          }
          const { rows } = await client.query<{ id: string }>("SELECT id FROM exceptions WHERE dedupe_key = $1 AND status <> 'resolved'", [e.dedupeKey]);
          out.push({ id: rows[0]?.id ?? e.id, created: false });
        }
        return out;
      });
    },
    async countOpenExceptions() {
      const { rows } = await pool.query<{ type: string; severity: string; count: number }>(
        "SELECT type, severity, count(*)::integer AS count FROM exceptions WHERE status <> 'resolved' GROUP BY type, severity ORDER BY type, severity",
      );
      return rows;
    },
    async updateException(e, expectedUpdatedAt) {
      const r = await pool.query(
        `UPDATE exceptions SET status = $1, severity = $2, owner = $3, updated_at = $4, sla_due_at = $5, doc = $6::jsonb
          WHERE id = $7 AND updated_at = $8`,
        [e.status, e.severity, e.owner, e.updatedAt, e.slaDueAt, JSON.stringify(e.doc), e.id, expectedUpdatedAt],
      );
      return r.rowCount === 1;
    },
  };
}

/** WHERE clause from optional `column op $n` conditions; an undefined value leaves its condition out. */
function conditions(parts: readonly [string, string | undefined, string?][]): { where: string; args: (string | number)[] } {
  const args: (string | number)[] = [];
  const used: string[] = [];
  for (const [expr, value, close] of parts) {
    if (value === undefined) continue;
    args.push(value);
    used.push(close ? `${expr}$${args.length}${close}` : `${expr} $${args.length}`);
  }
  return { where: used.length ? `WHERE ${used.join(' AND ')}` : '', args };
}

interface FulfillmentDbRow { id: string; order_id: string; node_id: string; status: string; released_at: string | null; updated_at: string; view: unknown }
interface ExceptionDbRow {
  id: string; dedupe_key: string; type: string; status: string; severity: string; owner: string; order_id: string | null;
  created_at: string; updated_at: string; sla_due_at: string; doc: unknown;
}

const toFulfillment = (r: FulfillmentDbRow): FulfillmentRow => ({
  id: r.id, orderId: r.order_id, nodeId: r.node_id, status: r.status, releasedAt: r.released_at, updatedAt: r.updated_at, view: r.view,
});
const toException = (r: ExceptionDbRow): ExceptionRow => ({
  id: r.id, dedupeKey: r.dedupe_key, type: r.type, status: r.status as ExceptionRow['status'], severity: r.severity, owner: r.owner,
  orderId: r.order_id, createdAt: r.created_at, updatedAt: r.updated_at, slaDueAt: r.sla_due_at, doc: r.doc,
});
