import type Database from 'better-sqlite3';
import type { ExceptionQuery, ExceptionRow, FulfillmentQuery, FulfillmentRow, UnitOfWork } from '../port.js';

/** The fulfillment projection and the exception store of the SQLite adapter (prepared once, after migration). */
export function prepareLifecycle(db: Database.Database) {
  const q = {
    upsertFulfillment: db.prepare(
      `INSERT INTO fulfillments (id, order_id, node_id, status, released_at, updated_at, view) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET status = excluded.status, released_at = excluded.released_at,
         updated_at = excluded.updated_at, view = excluded.view`,
    ),
    getFulfillment: db.prepare('SELECT * FROM fulfillments WHERE id = ?'),
    insertException: db.prepare(
      `INSERT INTO exceptions (id, dedupe_key, type, status, severity, owner, order_id, created_at, updated_at, sla_due_at, doc)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    ),
    openByKey: db.prepare("SELECT id FROM exceptions WHERE dedupe_key = ? AND status <> 'resolved'"),
    countOpen: db.prepare("SELECT type, severity, count(*) AS count FROM exceptions WHERE status <> 'resolved' GROUP BY type, severity ORDER BY type, severity"),
    getException: db.prepare('SELECT * FROM exceptions WHERE id = ?'),
    updateException: db.prepare(
      `UPDATE exceptions SET status = ?, severity = ?, owner = ?, updated_at = ?, sla_due_at = ?, doc = ?
        WHERE id = ? AND updated_at = ?`,
    ),
  };

  const insertException = (e: ExceptionRow, json: (v: unknown) => string): boolean =>
    q.insertException.run(e.id, e.dedupeKey, e.type, e.status, e.severity, e.owner, e.orderId, e.createdAt, e.updatedAt, e.slaDueAt, json(e.doc)).changes === 1;

  return {
    /** The unit's fulfillment rows and exceptions, inside its savepoint. */
    applyUnit(unit: UnitOfWork, json: (v: unknown) => string): void {
      for (const f of unit.fulfillmentRows ?? []) q.upsertFulfillment.run(f.id, f.orderId, f.nodeId, f.status, f.releasedAt, f.updatedAt, json(f.view));
      for (const e of unit.exceptions ?? []) insertException(e, json);
    },
    getFulfillment(id: string): FulfillmentRow | undefined {
      const r = q.getFulfillment.get(id) as FulfillmentDbRow | undefined;
      return r && toFulfillment(r);
    },
    listFulfillments(query: FulfillmentQuery): FulfillmentRow[] {
      const { where, args } = conditions([
        ['node_id = ?', query.nodeId],
        ['status = ?', query.status],
        ['order_id = ?', query.orderId],
        ['released_at < ?', query.releasedBefore],
        ['id > ?', query.afterId],
      ]);
      const sql = `SELECT * FROM fulfillments ${where} ORDER BY id LIMIT ?`;
      return (db.prepare(sql).all(...args, query.limit) as FulfillmentDbRow[]).map(toFulfillment);
    },
    getException(id: string): ExceptionRow | undefined {
      const r = q.getException.get(id) as ExceptionDbRow | undefined;
      return r && toException(r);
    },
    listExceptions(query: ExceptionQuery): ExceptionRow[] {
      const { where, args } = conditions([
        ['status = ?', query.status],
        ['type = ?', query.type],
        ['severity = ?', query.severity],
        ['owner = ?', query.owner],
        ['order_id = ?', query.orderId],
        ['substr(dedupe_key, 1, length(?)) = ?', query.dedupeKeyPrefix, query.dedupeKeyPrefix],
        ['id < ?', query.beforeId],
      ]);
      const sql = `SELECT * FROM exceptions ${where} ORDER BY id DESC LIMIT ?`;
      return (db.prepare(sql).all(...args, query.limit) as ExceptionDbRow[]).map(toException);
    },
    raiseExceptions: db.transaction((rows: readonly ExceptionRow[]) =>
      rows.map((e) => {
        if (insertException(e, JSON.stringify)) return { id: e.id, created: true };
        const held = q.openByKey.get(e.dedupeKey) as { id: string } | undefined;
        return { id: held?.id ?? e.id, created: false };
      }),
    ),
    countOpenExceptions(): { type: string; severity: string; count: number }[] {
      return q.countOpen.all() as { type: string; severity: string; count: number }[];
    },
    updateException(e: ExceptionRow, expectedUpdatedAt: string): boolean {
      return q.updateException.run(e.status, e.severity, e.owner, e.updatedAt, e.slaDueAt, JSON.stringify(e.doc), e.id, expectedUpdatedAt).changes === 1;
    },
  };
}

/** WHERE clause from optional conditions; a condition whose first value is undefined is left out. */
function conditions(parts: readonly [string, ...(string | undefined)[]][]): { where: string; args: string[] } {
  const used = parts.filter(([, first]) => first !== undefined);
  return { where: used.length ? `WHERE ${used.map(([c]) => c).join(' AND ')}` : '', args: used.flatMap(([, ...v]) => v as string[]) };
}

interface FulfillmentDbRow { id: string; order_id: string; node_id: string; status: string; released_at: string | null; updated_at: string; view: string }
interface ExceptionDbRow {
  id: string; dedupe_key: string; type: string; status: string; severity: string; owner: string; order_id: string | null;
  created_at: string; updated_at: string; sla_due_at: string; doc: string;
}

const toFulfillment = (r: FulfillmentDbRow): FulfillmentRow => ({
  id: r.id, orderId: r.order_id, nodeId: r.node_id, status: r.status, releasedAt: r.released_at, updatedAt: r.updated_at, view: JSON.parse(r.view),
});
const toException = (r: ExceptionDbRow): ExceptionRow => ({
  id: r.id, dedupeKey: r.dedupe_key, type: r.type, status: r.status as ExceptionRow['status'], severity: r.severity, owner: r.owner,
  orderId: r.order_id, createdAt: r.created_at, updatedAt: r.updated_at, slaDueAt: r.sla_due_at, doc: JSON.parse(r.doc),
});
