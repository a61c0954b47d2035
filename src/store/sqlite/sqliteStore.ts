import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createCommitter, prepare } from './commit.js';
import { prepareInventory } from './inventoryOps.js';
import { prepareLifecycle } from './lifecycleOps.js';
import { createSqliteOutbox, toStoredOutbox } from './outboxOps.js';
import { createSqliteReconcile } from './reconcileOps.js';
import { createWriterThread } from './writerThread.js';
import { SQLITE_MIGRATIONS } from './migrations.js';
import type {
  Identity,
  IdempotencyRecord,
  OrderQuery,
  OrderRow,
  Store,
  StoredEvent,
  UnitOfWork,
  UnitOutcome,
} from '../port.js';

export interface SqliteOptions {
  /** `FULL` (default) fsyncs the WAL on every commit: a committed order survives power loss. */
  readonly synchronous?: 'FULL' | 'NORMAL';
  /** Commit on a worker thread (default true for a file database). */
  readonly writerThread?: boolean;
}

/**
 * The embedded default store. better-sqlite3 is synchronous, so a group commit is one BEGIN …
 * COMMIT holding a savepoint per unit, run without yielding; the event loop queues the next batch
 * meanwhile.
 */
export function createSqliteStore(path: string, options: SqliteOptions = {}): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
  db.pragma('busy_timeout = 5000');
  // Reads map the database file instead of copying pages through read(2): the page cache is
  // invalidated by every commit of the writer thread, so reads refetch pages constantly.
  db.pragma('mmap_size = 1073741824');
  db.pragma('foreign_keys = ON');
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');

  let s: ReturnType<typeof prepare> | undefined;
  const stmts = () => (s ??= prepare(db));
  let inv: ReturnType<typeof prepareInventory> | undefined;
  const inventory = () => (inv ??= prepareInventory(db));
  let life: ReturnType<typeof prepareLifecycle> | undefined;
  const lifecycle = () => (life ??= prepareLifecycle(db));

  // Commits run on a writer thread with its own connection, so the fsync of one group commit
  // overlaps the next batch's HTTP and decision work; reads stay here (WAL readers never block).
  const writer = path === ':memory:' || options.writerThread === false ? undefined : createWriterThread(path, options.synchronous ?? 'FULL');
  let local: ((units: readonly UnitOfWork[]) => UnitOutcome[]) | undefined;
  const { close: closeReconcile, ...reconcile } = createSqliteReconcile(db, path, options.synchronous ?? 'FULL');
  const commitLocal = (units: readonly UnitOfWork[]) => (local ??= createCommitter(db))(units);

  return {
    dialect: 'sqlite',
    async migrate() {
      const applied: number[] = [];
      const done = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
      for (const m of SQLITE_MIGRATIONS) {
        if (done.has(m.version)) continue;
        db.transaction(() => {
          db.exec(m.sql);
          db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
        })();
        applied.push(m.version);
      }
      return applied;
    },
    async commit(units) {
      return writer ? writer.commit(units) : commitLocal(units);
    },
    async readStream(streamId) {
      return (stmts().readStream.all(streamId) as EventRow[]).map(toEvent);
    },
    async readAll(afterPosition, limit) {
      return (stmts().readAll.all(afterPosition, limit) as EventRow[]).map(toEvent);
    },
    async getIdempotency(scope, key) {
      const r = stmts().getIdemFull.get(scope, key) as IdemRow | undefined;
      return r && toIdem(r);
    },
    async getOrder(id) {
      const r = stmts().getOrder.get(id) as OrderDbRow | undefined;
      return r && toOrderRow(r);
    },
    async listOrders(query: OrderQuery) {
      const where: string[] = [];
      const args: (string | number)[] = [];
      if (query.channel !== undefined) {
        where.push('channel = ?');
        args.push(query.channel);
      }
      if (query.externalId !== undefined) {
        where.push('external_id = ?');
        args.push(query.externalId);
      }
      if (query.status !== undefined) {
        where.push('status = ?');
        args.push(query.status);
      }
      if (query.beforeId !== undefined) {
        where.push('id < ?');
        args.push(query.beforeId);
      }
      const sql = `SELECT * FROM orders ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
      return (db.prepare(sql).all(...args, query.limit) as OrderDbRow[]).map(toOrderRow);
    },
    async findOrderIdByExternal(channel, externalId) {
      return (stmts().getExternal.get(channel, externalId) as { order_id: string } | undefined)?.order_id;
    },
    async listOutbox(afterSeq, limit) {
      return (stmts().listOutbox.all(afterSeq, limit) as Parameters<typeof toStoredOutbox>[0][]).map(toStoredOutbox);
    },
    ...createSqliteOutbox(db),
    ...reconcile,
    async putNode(node) {
      inventory().putNode(node);
    },
    async listNodes() {
      return inventory().listNodes();
    },
    async applySnapshot(nodeId, asOf, positions) {
      return inventory().applySnapshot(nodeId, asOf, positions);
    },
    async applyAdjustment(adj) {
      return inventory().applyAdjustment(adj);
    },
    async listPositions(filter) {
      return inventory().listPositions(filter);
    },
    async capacityUsed(day) {
      return inventory().capacityUsed(day);
    },
    async backorderedOrders(skus, limit) {
      return inventory().backorderedOrders(skus, limit);
    },
    async createRuleset(name, doc, createdAt) {
      return inventory().createRuleset(name, doc, createdAt);
    },
    async listRulesets() {
      return inventory().listRulesets();
    },
    async setRulesetStatus(version, status, at) {
      return inventory().setRulesetStatus(version, status, at);
    },
    async listDecisions(query) {
      return inventory().listDecisions(query);
    },
    async getFulfillment(id) {
      return lifecycle().getFulfillment(id);
    },
    async listFulfillments(query) {
      return lifecycle().listFulfillments(query);
    },
    async getException(id) {
      return lifecycle().getException(id);
    },
    async listExceptions(query) {
      return lifecycle().listExceptions(query);
    },
    async raiseExceptions(rows) {
      return lifecycle().raiseExceptions(rows);
    },
    async countOpenExceptions() {
      return lifecycle().countOpenExceptions();
    },
    async updateException(row, expectedUpdatedAt) {
      return lifecycle().updateException(row, expectedUpdatedAt);
    },
    async createIdentity(identity: Identity, keyHash: string) {
      stmts().insertIdentity.run(identity.id, identity.name, keyHash, JSON.stringify(identity.scopes), identity.createdAt);
    },
    async findIdentityByKeyHash(keyHash) {
      const r = stmts().getIdentity.get(keyHash) as IdentityRow | undefined;
      return r && { id: r.id, name: r.name, scopes: JSON.parse(r.scopes) as string[], createdAt: r.created_at };
    },
    async countIdentities() {
      return (stmts().countIdentities.get() as { n: number }).n;
    },
    async ping() {
      db.prepare('SELECT 1').get();
    },
    async close() {
      await writer?.close();
      closeReconcile();
      if (db.open) db.close();
    },
  };
}

interface EventRow {
  position: number; event_id: string; stream_id: string; stream_type: string; version: number; type: string;
  schema_version: number; occurred_at: string; recorded_at: string; data: string; metadata: string;
}
interface IdemRow { scope: string; key: string; fingerprint: string; status: number; body: string; created_at: string }
interface OrderDbRow {
  id: string; channel: string; external_id: string; status: string; version: number; created_at: string; updated_at: string; view: string;
}
interface IdentityRow { id: string; name: string; key_hash: string; scopes: string; created_at: string }

const toEvent = (r: EventRow): StoredEvent => ({
  eventId: r.event_id, streamId: r.stream_id, streamType: r.stream_type, version: r.version, position: r.position,
  type: r.type, schemaVersion: r.schema_version, occurredAt: r.occurred_at, recordedAt: r.recorded_at,
  data: JSON.parse(r.data), metadata: JSON.parse(r.metadata),
});
const toIdem = (r: IdemRow): IdempotencyRecord => ({
  scope: r.scope, key: r.key, fingerprint: r.fingerprint, status: r.status, body: JSON.parse(r.body), createdAt: r.created_at,
});
const toOrderRow = (r: OrderDbRow): OrderRow => ({
  id: r.id, channel: r.channel, externalId: r.external_id, status: r.status, version: r.version,
  createdAt: r.created_at, updatedAt: r.updated_at, view: JSON.parse(r.view),
});
