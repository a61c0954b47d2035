import type Database from 'better-sqlite3';
import { prepareInventory } from './inventoryOps.js';
import { prepareLifecycle } from './lifecycleOps.js';
import type { UnitOfWork, UnitOutcome } from '../port.js';
import { stringifyOnce } from '../../shared/json.js';

/**
 * The SQLite group commit: one BEGIN IMMEDIATE … COMMIT, a savepoint per unit; a refused unit
 * rolls back to its savepoint alone. Synchronous: it runs on the writer thread (or, for an
 * in-memory database, on the caller's).
 */
export function createCommitter(db: Database.Database): (units: readonly UnitOfWork[], encoded?: boolean) => UnitOutcome[] {
  const q = prepare(db);
  const inventory = prepareInventory(db);
  const lifecycle = prepareLifecycle(db);
  // Inserts double as the uniqueness checks (a refused unit rolls back to its savepoint anyway).
  let json = (v: unknown): string => JSON.stringify(v);
  const applyUnit = (unit: UnitOfWork): UnitOutcome => {
    const recordedAt = unit.append?.recordedAt ?? new Date().toISOString();
    if (unit.idempotency) {
      const r = unit.idempotency;
      if (q.insertIdem.run(r.scope, r.key, r.fingerprint, r.status, json(r.body), recordedAt).changes === 0) {
        return { ok: false, reason: 'idempotency_key_exists' };
      }
    }
    if (unit.externalRef) {
      const x = unit.externalRef;
      if (q.insertExternal.run(x.channel, x.externalId, x.orderId).changes === 0) {
        return { ok: false, reason: 'duplicate_external', orderId: (q.getExternal.get(x.channel, x.externalId) as { order_id: string }).order_id };
      }
    }
    let lastPosition: number | undefined;
    if (unit.append) {
      const a = unit.append;
      // The stream's version is its highest event version (unique (stream_id, version) index).
      const current = (q.getStream.get(a.streamId) as { version: number | null }).version ?? 0;
      if (current !== a.expectedVersion) return { ok: false, reason: 'version_conflict', actualVersion: current };
      const args = a.events.flatMap((e, i) => [
        e.eventId, a.streamId, a.streamType, a.expectedVersion + i + 1, e.type, e.schemaVersion, e.occurredAt, a.recordedAt, json(e.data), json(e.metadata),
      ]);
      lastPosition = Number(insertEvents(a.events.length).run(...args).lastInsertRowid);
    }
    const refused = inventory.applyUnit(unit, json);
    if (refused) return refused;
    lifecycle.applyUnit(unit, json);
    for (const m of unit.outbox ?? []) {
      q.insertOutbox.run(m.id, m.destination, m.partitionKey, m.type, json(m.payload), m.idempotencyKey, m.createdAt, m.createdAt, m.traceparent ?? null);
    }
    if (unit.orderRow) {
      const o = unit.orderRow;
      q.upsertOrder.run(o.id, o.channel, o.externalId, o.status, o.version, o.createdAt, o.updatedAt, json(o.view));
    }
    return lastPosition === undefined ? { ok: true } : { ok: true, lastPosition };
  };

  // One multi-row INSERT per unit's events, prepared once per event count.
  const eventInserts = new Map<number, Database.Statement>();
  const insertEvents = (n: number): Database.Statement => {
    let st = eventInserts.get(n);
    if (!st) {
      st = db.prepare(
        `INSERT INTO events (event_id, stream_id, stream_type, version, type, schema_version, occurred_at, recorded_at, data, metadata)
         VALUES ${Array.from({ length: n }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      );
      if (n <= 32) eventInserts.set(n, st);
    }
    return st;
  };

  return (units: readonly UnitOfWork[], encoded = false): UnitOutcome[] => {
    json = encoded ? (v: unknown) => v as string : (v: unknown) => JSON.stringify(v);
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
}


export function prepare(db: Database.Database) {
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
      'INSERT INTO idempotency (scope, key, fingerprint, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    getExternal: db.prepare('SELECT order_id FROM external_refs WHERE channel = ? AND external_id = ?'),
    insertExternal: db.prepare('INSERT INTO external_refs (channel, external_id, order_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
    insertOutbox: db.prepare(
      `INSERT INTO outbox (id, destination, partition_key, type, payload, idempotency_key, available_at, created_at, traceparent)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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



/**
 * The unit with every JSON column already serialised. Structured-cloning a routing explanation
 * (hundreds of small objects) to the writer thread cost ~250 µs an order, measured; its JSON text
 * clones for a few. The order view's text is shared with the HTTP response.
 */
export function encodeUnit(unit: UnitOfWork): UnitOfWork {
  const j = stringifyOnce;
  return {
    ...unit,
    ...(unit.append ? { append: { ...unit.append, events: unit.append.events.map((e) => ({ ...e, data: j(e.data), metadata: j(e.metadata) as never })) } } : {}),
    ...(unit.idempotency ? { idempotency: { ...unit.idempotency, body: j(unit.idempotency.body) } } : {}),
    ...(unit.orderRow ? { orderRow: { ...unit.orderRow, view: j(unit.orderRow.view) } } : {}),
    ...(unit.outbox ? { outbox: unit.outbox.map((m) => ({ ...m, payload: j(m.payload) })) } : {}),
    ...(unit.decisions ? { decisions: unit.decisions.map((d) => ({ ...d, decision: j(d.decision) })) } : {}),
    ...(unit.fulfillmentRows ? { fulfillmentRows: unit.fulfillmentRows.map((f) => ({ ...f, view: j(f.view) })) } : {}),
    ...(unit.exceptions ? { exceptions: unit.exceptions.map((e) => ({ ...e, doc: j(e.doc) })) } : {}),
  };
}
