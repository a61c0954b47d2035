import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { prepareInventory } from './inventoryOps.js';
import { SQLITE_MIGRATIONS } from './migrations.js';
import type {
  Identity,
  IdempotencyRecord,
  OrderQuery,
  OrderRow,
  Store,
  StoredEvent,
  StoredOutboxMessage,
  UnitOfWork,
  UnitOutcome,
} from '../port.js';

export interface SqliteOptions {
  /** `FULL` (default) fsyncs the WAL on every commit: a committed order survives power loss. */
  readonly synchronous?: 'FULL' | 'NORMAL';
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
  db.pragma('foreign_keys = ON');
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');

  let s: ReturnType<typeof prepare> | undefined;
  const stmts = () => (s ??= prepare(db));
  let inv: ReturnType<typeof prepareInventory> | undefined;
  const inventory = () => (inv ??= prepareInventory(db));

  const applyUnit = (unit: UnitOfWork): UnitOutcome => {
    const q = stmts();
    if (unit.idempotency) {
      if (q.getIdem.get(unit.idempotency.scope, unit.idempotency.key)) return { ok: false, reason: 'idempotency_key_exists' };
    }
    if (unit.externalRef) {
      const row = q.getExternal.get(unit.externalRef.channel, unit.externalRef.externalId) as { order_id: string } | undefined;
      if (row) return { ok: false, reason: 'duplicate_external', orderId: row.order_id };
    }
    let lastPosition: number | undefined;
    if (unit.append) {
      const a = unit.append;
      // The stream's version is its highest event version (unique (stream_id, version) index).
      const current = (q.getStream.get(a.streamId) as { version: number | null }).version ?? 0;
      if (current !== a.expectedVersion) return { ok: false, reason: 'version_conflict', actualVersion: current };
      a.events.forEach((e, i) => {
        const r = q.insertEvent.run(
          e.eventId, a.streamId, a.streamType, a.expectedVersion + i + 1, e.type, e.schemaVersion,
          e.occurredAt, a.recordedAt, JSON.stringify(e.data), JSON.stringify(e.metadata),
        );
        lastPosition = Number(r.lastInsertRowid);
      });
    }
    const refused = inventory().applyUnit(unit);
    if (refused) return refused;
    if (unit.externalRef) q.insertExternal.run(unit.externalRef.channel, unit.externalRef.externalId, unit.externalRef.orderId);
    if (unit.idempotency) {
      const r = unit.idempotency;
      q.insertIdem.run(r.scope, r.key, r.fingerprint, r.status, JSON.stringify(r.body), unit.append?.recordedAt ?? new Date().toISOString());
    }
    for (const m of unit.outbox ?? []) {
      q.insertOutbox.run(m.id, m.destination, m.partitionKey, m.type, JSON.stringify(m.payload), m.idempotencyKey, m.createdAt, m.createdAt);
    }
    if (unit.orderRow) {
      const o = unit.orderRow;
      q.upsertOrder.run(o.id, o.channel, o.externalId, o.status, o.version, o.createdAt, o.updatedAt, JSON.stringify(o.view));
    }
    return lastPosition === undefined ? { ok: true } : { ok: true, lastPosition };
  };

  const commitSync = (units: readonly UnitOfWork[]): UnitOutcome[] => {
    const q = stmts();
    const outcomes: UnitOutcome[] = [];
    q.begin.run();
    try {
      for (const unit of units) {
        q.savepoint.run();
        let outcome: UnitOutcome;
        try {
          outcome = applyUnit(unit);
        } catch (err) {
          q.rollbackTo.run();
          q.release.run();
          throw err;
        }
        if (!outcome.ok) q.rollbackTo.run();
        q.release.run();
        outcomes.push(outcome);
      }
      q.commit.run();
    } catch (err) {
      if (db.inTransaction) q.rollback.run();
      throw err;
    }
    return outcomes;
  };

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
      return commitSync(units);
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
      return (stmts().listOutbox.all(afterSeq, limit) as OutboxRow[]).map(toOutbox);
    },
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
      if (db.open) db.close();
    },
  };
}

function prepare(db: Database.Database) {
  return {
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
    savepoint: db.prepare('SAVEPOINT unit'),
    rollbackTo: db.prepare('ROLLBACK TO unit'),
    release: db.prepare('RELEASE unit'),
    getStream: db.prepare('SELECT max(version) AS version FROM events WHERE stream_id = ?'),
    insertEvent: db.prepare(
      `INSERT INTO events (event_id, stream_id, stream_type, version, type, schema_version, occurred_at, recorded_at, data, metadata)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    readStream: db.prepare('SELECT * FROM events WHERE stream_id = ? ORDER BY version'),
    readAll: db.prepare('SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?'),
    getIdem: db.prepare('SELECT 1 FROM idempotency WHERE scope = ? AND key = ?'),
    getIdemFull: db.prepare('SELECT * FROM idempotency WHERE scope = ? AND key = ?'),
    insertIdem: db.prepare(
      'INSERT INTO idempotency (scope, key, fingerprint, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    getExternal: db.prepare('SELECT order_id FROM external_refs WHERE channel = ? AND external_id = ?'),
    insertExternal: db.prepare('INSERT INTO external_refs (channel, external_id, order_id) VALUES (?, ?, ?)'),
    insertOutbox: db.prepare(
      `INSERT INTO outbox (id, destination, partition_key, type, payload, idempotency_key, available_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    listOutbox: db.prepare('SELECT * FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?'),
    upsertOrder: db.prepare(
      `INSERT INTO orders (id, channel, external_id, status, version, created_at, updated_at, view)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET status = excluded.status, version = excluded.version,
         updated_at = excluded.updated_at, view = excluded.view`,
    ),
    getOrder: db.prepare('SELECT * FROM orders WHERE id = ?'),
    insertIdentity: db.prepare('INSERT INTO identities (id, name, key_hash, scopes, created_at) VALUES (?, ?, ?, ?, ?)'),
    getIdentity: db.prepare('SELECT * FROM identities WHERE key_hash = ?'),
    countIdentities: db.prepare('SELECT count(*) AS n FROM identities'),
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
interface OutboxRow {
  seq: number; id: string; destination: string; partition_key: string; type: string; payload: string;
  idempotency_key: string; status: string; attempts: number; created_at: string;
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
const toOutbox = (r: OutboxRow): StoredOutboxMessage => ({
  seq: r.seq, id: r.id, destination: r.destination, partitionKey: r.partition_key, type: r.type,
  payload: JSON.parse(r.payload), idempotencyKey: r.idempotency_key,
  status: r.status as StoredOutboxMessage['status'], attempts: r.attempts, createdAt: r.created_at,
});
