import Database from 'better-sqlite3';
import type {
  AdjustmentRow,
  OrderRow,
  PositionRow,
  ReconciliationDriftRow,
  ReconciliationFulfillmentRow,
  ReconciliationPage,
  ReconciliationRunRow,
  ReconciliationStore,
  StoredReconciliationDrift,
} from '../port.js';

/**
 * The reconciliation side of the SQLite adapter, on the main connection (reads never wait for the
 * writer thread; the few writes here are short transactions). Ledger pages are keyset reads in
 * BINARY order, which is the pure engine's key order (UTF-8 bytes).
 */
export function prepareReconcile(db: Database.Database): { [K in keyof ReconciliationStore]: (...args: Parameters<ReconciliationStore[K]>) => Awaited<ReturnType<ReconciliationStore[K]>> } {
  const shapes = new Map<string, Database.Statement>();
  const shape = (sql: string, raw = false): Database.Statement => {
    const key = `${raw ? 'raw:' : ''}${sql}`;
    let st = shapes.get(key);
    if (!st) {
      st = raw ? db.prepare(sql).raw() : db.prepare(sql);
      if (shapes.size < 256) shapes.set(key, st);
    }
    return st;
  };
  const marks = (n: number): string => Array.from({ length: n }, () => '?').join(', ');
  const q = {
    insertRun: db.prepare(
      `INSERT INTO reconciliation_runs (id, target, kind, as_of, status, source, scope, progress, cursor, totals, error, created_by, created_at, started_at, finished_at, owner, lease_until)
       VALUES (@id, @target, @kind, @asOf, @status, @source, @scope, @progress, @cursor, @totals, @error, @createdBy, @createdAt, @startedAt, @finishedAt, @owner, @leaseUntil)`,
    ),
    getRun: db.prepare('SELECT * FROM reconciliation_runs WHERE id = ?'),
    updateRun: db.prepare(
      `UPDATE reconciliation_runs SET status = @status, scope = @scope, progress = @progress, cursor = @cursor, totals = @totals, error = @error,
         started_at = @startedAt, finished_at = @finishedAt, owner = @owner, lease_until = @leaseUntil
       WHERE id = @id AND owner IS @expectedOwner`,
    ),
    claimNamed: db.prepare(
      `UPDATE reconciliation_runs SET status = 'running', owner = ?, lease_until = ?, started_at = coalesce(started_at, ?)
        WHERE id = ? AND (status = 'queued' OR (status = 'running' AND (lease_until IS NULL OR lease_until < ?))) RETURNING *`,
    ),
    claimNext: db.prepare(
      `UPDATE reconciliation_runs SET status = 'running', owner = ?, lease_until = ?, started_at = coalesce(started_at, ?)
        WHERE id = (SELECT id FROM reconciliation_runs
                     WHERE status = 'queued' OR (status = 'running' AND (lease_until IS NULL OR lease_until < ?))
                     ORDER BY status = 'running', id LIMIT 1)
        RETURNING *`,
    ),
    deleteRun: db.prepare('DELETE FROM reconciliation_runs WHERE id = ?'),
    deleteDrifts: db.prepare('DELETE FROM reconciliation_drifts WHERE run_id = ?'),
    insertPage: db.prepare(
      'INSERT OR REPLACE INTO reconciliation_pages (run_id, chunk, page, first_key, last_key, row_count, rows) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    pageHeads: db.prepare('SELECT chunk, page, first_key, last_key, row_count FROM reconciliation_pages WHERE run_id = ? ORDER BY chunk, page').raw(),
    readPages: db.prepare('SELECT chunk, page, first_key, last_key, row_count, rows FROM reconciliation_pages WHERE run_id = ? AND chunk = ? AND page >= ? ORDER BY page LIMIT ?').raw(),
    deletePages: db.prepare('DELETE FROM reconciliation_pages WHERE run_id = ?'),
    insertDrift: db.prepare(
      'INSERT OR IGNORE INTO reconciliation_drifts (run_id, dedupe_key, class, status, until, exception_id, doc) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    updateDrift: db.prepare('UPDATE reconciliation_drifts SET class = ?, status = ?, until = ?, exception_id = ?, doc = ? WHERE run_id = ? AND dedupe_key = ?'),
    dueDeferrals: db.prepare("SELECT * FROM reconciliation_drifts WHERE status = 'deferral' AND until <= ? ORDER BY until, seq LIMIT ?"),
    countDrifts: db.prepare('SELECT class, status, count(*) AS n FROM reconciliation_drifts WHERE run_id = ? GROUP BY class, status ORDER BY class, status'),
  };

  return {
    listFulfillmentsForReconciliation(query) {
      if ('ids' in query) {
        if (query.ids.length === 0) return [];
        const sql = `SELECT f.id, f.order_id, f.node_id, f.status, f.released_at, f.updated_at, f.view, o.id, o.status, o.first_attempt_at, o.dispatched_at
          FROM fulfillments f LEFT JOIN outbox o ON o.idempotency_key = 'fulfillment.release:' || f.id WHERE f.id IN (${marks(query.ids.length)}) ORDER BY f.id`;
        return (shape(sql, true).all(...query.ids) as FulfillmentJoinRow[]).map(toFulfillmentRow);
      }
      if (query.nodeIds.length === 0) return [];
      // `+f.node_id`: the primary key's order, never the node index (which would sort the whole set for every page).
      const sql = `SELECT id, order_id, node_id, status, released_at, updated_at, view FROM fulfillments WHERE +node_id IN (${marks(query.nodeIds.length)}) AND id > ? ORDER BY id LIMIT ?`;
      const rows = shape(sql, true).all(...query.nodeIds, query.afterId ?? '', query.limit) as FulfillmentJoinRow[];
      if (rows.length === 0) return [];
      // The page's release messages in one range scan of the outbox key index (the keys sort like
      // the ids they end with) instead of one index lookup per row.
      const releases = new Map<string, ReconciliationFulfillmentRow['release']>();
      const range = shape("SELECT idempotency_key, id, status, first_attempt_at, dispatched_at FROM outbox WHERE idempotency_key >= ? AND idempotency_key <= ? || ':' ", true);
      for (const [key, messageId, status, firstAttemptAt, dispatchedAt] of range.all(`fulfillment.release:${rows[0]![0]}`, `fulfillment.release:${rows.at(-1)![0]}`) as [string, string, string, string | null, string | null][]) {
        releases.set(key, { messageId, status, firstAttemptAt, dispatchedAt });
      }
      return rows.map(([id, orderId, nodeId, status, releasedAt, updatedAt, view]) => ({
        id, orderId, nodeId, status, releasedAt, updatedAt, view: JSON.parse(view) as unknown, release: releases.get(`fulfillment.release:${id}`) ?? null,
      }));
    },
    listPositionsPage(query) {
      if (query.nodeIds.length === 0) return [];
      const after = query.after ?? { nodeId: '', sku: '' };
      const sql = `SELECT node_id, sku, on_hand, reserved, as_of FROM inventory
        WHERE node_id IN (${marks(query.nodeIds.length)}) AND (node_id, sku) > (?, ?) ORDER BY node_id, sku LIMIT ?`;
      return (shape(sql, true).all(...query.nodeIds, after.nodeId, after.sku, query.limit) as [string, string, number, number, string | null][]).map(
        ([nodeId, sku, onHand, reserved, asOf]): PositionRow => ({ nodeId, sku, onHand, reserved, asOf }),
      );
    },
    listOrdersAscending(query) {
      const rows = shape('SELECT id, channel, external_id, status, version, created_at, updated_at, view FROM orders WHERE id > ? ORDER BY id LIMIT ?', true).all(
        query.afterId ?? '',
        query.limit,
      ) as [string, string, string, string, number, string, string, string][];
      return rows.map(([id, channel, externalId, status, version, createdAt, updatedAt, view]): OrderRow => ({ id, channel, externalId, status, version, createdAt, updatedAt, view: JSON.parse(view) }));
    },
    listAdjustmentsSince(query) {
      if (query.nodeIds.length === 0) return [];
      const sql = `SELECT node_id, sku, delta, reason, at FROM inventory_adjustments WHERE at >= ? AND node_id IN (${marks(query.nodeIds.length)}) ORDER BY node_id, sku, at`;
      return (shape(sql, true).all(query.since, ...query.nodeIds) as [string, string, number, string, string][]).map(
        ([nodeId, sku, delta, reason, at]): AdjustmentRow => ({ nodeId, sku, delta, reason, at }),
      );
    },
    createReconciliationRun(run) {
      q.insertRun.run(runParams(run));
    },
    getReconciliationRun(id) {
      const r = q.getRun.get(id) as RunDbRow | undefined;
      return r && toRun(r);
    },
    listReconciliationRuns(query) {
      const where: string[] = [];
      const args: (string | number)[] = [];
      for (const [column, value] of [['target', query.target], ['kind', query.kind], ['status', query.status], ['id <', query.beforeId]] as const) {
        if (value === undefined) continue;
        where.push(column.includes('<') ? `${column} ?` : `${column} = ?`);
        args.push(value);
      }
      const sql = `SELECT * FROM reconciliation_runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
      return (shape(sql).all(...args, query.limit) as RunDbRow[]).map(toRun);
    },
    updateReconciliationRun(run, expectedOwner) {
      return q.updateRun.run({ ...runParams(run), expectedOwner }).changes === 1;
    },
    claimReconciliationRun(query) {
      const r = (query.id !== undefined
        ? q.claimNamed.get(query.owner, query.leaseUntil, query.now, query.id, query.now)
        : q.claimNext.get(query.owner, query.leaseUntil, query.now, query.now)) as RunDbRow | undefined;
      return r && toRun(r);
    },
    deleteReconciliationRun: db.transaction((id: string) => {
      q.deletePages.run(id);
      q.deleteDrifts.run(id);
      q.deleteRun.run(id);
    }),
    putReconciliationPages: db.transaction((runId: string, pages: readonly ReconciliationPage[]) => {
      for (const p of pages) q.insertPage.run(runId, p.chunk, p.page, p.firstKey, p.lastKey, p.count, p.rows);
    }),
    listReconciliationPageHeads(runId) {
      return (q.pageHeads.all(runId) as [number, number, string, string, number][]).map(([chunk, page, firstKey, lastKey, count]) => ({ chunk, page, firstKey, lastKey, count }));
    },
    readReconciliationPages(runId, chunk, fromPage, limit) {
      return (q.readPages.all(runId, chunk, fromPage, limit) as [number, number, string, string, number, string][]).map(([c, page, firstKey, lastKey, count, rows]) => ({
        chunk: c, page, firstKey, lastKey, count, rows,
      }));
    },
    deleteReconciliationPages(runId) {
      q.deletePages.run(runId);
    },
    putReconciliationDrifts: db.transaction((rows: readonly ReconciliationDriftRow[]) => {
      for (const d of rows) q.insertDrift.run(d.runId, d.dedupeKey, d.class, d.status, d.until, d.exceptionId, JSON.stringify(d.doc));
    }),
    updateReconciliationDrift(d) {
      q.updateDrift.run(d.class, d.status, d.until, d.exceptionId, JSON.stringify(d.doc), d.runId, d.dedupeKey);
    },
    listReconciliationDrifts(query) {
      const where = ['run_id = ?', 'seq > ?'];
      const args: (string | number)[] = [query.runId, query.afterSeq ?? 0];
      if (query.status !== undefined) {
        where.push('status = ?');
        args.push(query.status);
      }
      if (query.class !== undefined) {
        where.push('class = ?');
        args.push(query.class);
      }
      return (shape(`SELECT * FROM reconciliation_drifts WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ?`).all(...args, query.limit) as DriftDbRow[]).map(toDrift);
    },
    dueReconciliationDeferrals(query) {
      return (q.dueDeferrals.all(query.now, query.limit) as DriftDbRow[]).map(toDrift);
    },
    countReconciliationDrifts(runId) {
      return (q.countDrifts.all(runId) as { class: string; status: string; n: number }[]).map((r) => ({ class: r.class, status: r.status, count: r.n }));
    },
  };
}

type FulfillmentJoinRow = [string, string, string, string, string | null, string, string, string | null, string | null, string | null, string | null];

const toFulfillmentRow = ([id, orderId, nodeId, status, releasedAt, updatedAt, view, messageId, messageStatus, firstAttemptAt, dispatchedAt]: FulfillmentJoinRow): ReconciliationFulfillmentRow => ({
  id, orderId, nodeId, status, releasedAt, updatedAt, view: JSON.parse(view),
  release: messageId === null ? null : { messageId, status: messageStatus ?? 'pending', firstAttemptAt, dispatchedAt },
});

interface RunDbRow {
  id: string; target: string; kind: string; as_of: string; status: string; source: string; scope: string; progress: string; cursor: string | null;
  totals: string; error: string | null; created_by: string; created_at: string; started_at: string | null; finished_at: string | null;
  owner: string | null; lease_until: string | null;
}
interface DriftDbRow { seq: number; run_id: string; dedupe_key: string; class: string; status: string; until: string | null; exception_id: string | null; doc: string }

const runParams = (r: ReconciliationRunRow) => ({
  id: r.id, target: r.target, kind: r.kind, asOf: r.asOf, status: r.status, source: r.source, scope: JSON.stringify(r.scope),
  progress: JSON.stringify(r.progress), cursor: r.cursor, totals: JSON.stringify(r.totals), error: r.error, createdBy: r.createdBy,
  createdAt: r.createdAt, startedAt: r.startedAt, finishedAt: r.finishedAt, owner: r.owner, leaseUntil: r.leaseUntil,
});
const toRun = (r: RunDbRow): ReconciliationRunRow => ({
  id: r.id, target: r.target, kind: r.kind, asOf: r.as_of, status: r.status as ReconciliationRunRow['status'], source: r.source,
  scope: JSON.parse(r.scope), progress: JSON.parse(r.progress), cursor: r.cursor, totals: JSON.parse(r.totals), error: r.error,
  createdBy: r.created_by, createdAt: r.created_at, startedAt: r.started_at, finishedAt: r.finished_at, owner: r.owner, leaseUntil: r.lease_until,
});
const toDrift = (r: DriftDbRow): StoredReconciliationDrift => ({
  seq: r.seq, runId: r.run_id, dedupeKey: r.dedupe_key, class: r.class, status: r.status as StoredReconciliationDrift['status'], until: r.until,
  exceptionId: r.exception_id, doc: JSON.parse(r.doc),
});

const METHODS = [
  'listFulfillmentsForReconciliation', 'listPositionsPage', 'listOrdersAscending', 'listAdjustmentsSince',
  'createReconciliationRun', 'getReconciliationRun', 'listReconciliationRuns', 'updateReconciliationRun', 'claimReconciliationRun', 'deleteReconciliationRun',
  'putReconciliationPages', 'listReconciliationPageHeads', 'readReconciliationPages', 'deleteReconciliationPages',
  'putReconciliationDrifts', 'updateReconciliationDrift', 'listReconciliationDrifts', 'dueReconciliationDeferrals', 'countReconciliationDrifts',
] as const satisfies readonly (keyof ReconciliationStore)[];

/**
 * The port's promise-returning methods over the synchronous ones, prepared on first use (the tables
 * exist only after migration 5). A file database gets a connection of its own without mmap: a run
 * reads the whole ledger once, and mapped pages would count as the process's memory (a million
 * fulfillments are a file of several hundred MB); through SQLite's bounded page cache they do not.
 */
export function createSqliteReconcile(db: Database.Database, path: string, synchronous: 'FULL' | 'NORMAL'): ReconciliationStore & { close(): void } {
  let own: Database.Database | undefined;
  const connection = (): Database.Database => {
    if (path === ':memory:') return db;
    if (!own) {
      own = new Database(path);
      own.pragma('journal_mode = WAL');
      own.pragma(`synchronous = ${synchronous}`);
      own.pragma('busy_timeout = 5000');
      own.pragma('mmap_size = 0');
    }
    return own;
  };
  let ops: ReturnType<typeof prepareReconcile> | undefined;
  const out: Record<string, unknown> = {};
  for (const name of METHODS) {
    out[name] = async (...args: unknown[]) => ((ops ??= prepareReconcile(connection()))[name] as (...a: unknown[]) => unknown)(...args);
  }
  return Object.assign(out as unknown as ReconciliationStore, {
    close(): void {
      if (own?.open) own.close();
    },
  });
}
