import pg from 'pg';
import { createInventoryQueries } from './inventoryQueries.js';
import { createLifecycleQueries } from './lifecycleQueries.js';
import { applyMigrations } from './migrations.js';
import { createOutboxQueries, toStoredOutbox } from './outboxQueries.js';
import { createReconcileQueries } from './reconcileQueries.js';
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

export interface PostgresOptions {
  /**
   * Connections for reads and for the writes outside a unit of work (identities, nodes, inventory
   * snapshots and adjustments, rulesets), default 8. Commits use one more, dedicated connection.
   */
  readonly poolSize?: number;
}

/**
 * The production store. A group commit is one round trip: the batch goes to the plpgsql function
 * `orderly_commit` (see commitFunction.ts) as one jsonb parameter and comes back as a jsonb array
 * of outcomes. Commits run on a dedicated single connection — the caller's batcher already
 * serialises them, and the function's advisory lock serialises writers across processes — while
 * reads and the other writes share a pool (inventoryQueries.ts says why inventory snapshots and
 * adjustments need not take the commit lock).
 *
 * If the connection drops while a commit is in flight, the promise rejects but the batch may or
 * may not have committed; retrying the same units is safe where they carry idempotency keys
 * (a committed unit then answers `idempotency_key_exists`) or expected versions.
 */
export function createPostgresStore(url: string, options: PostgresOptions = {}): Store {
  const readPool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 8, application_name: 'orderly' });
  const commitPool = new pg.Pool({ connectionString: url, max: 1, application_name: 'orderly-commit' });
  // An idle connection that dies (server restart, network) is dropped by the pool and replaced on
  // the next query; without a listener the 'error' event would crash the process.
  readPool.on('error', () => {});
  commitPool.on('error', () => {});
  let closed = false;

  return {
    dialect: 'postgres',
    async migrate() {
      return applyMigrations(commitPool);
    },
    async commit(units) {
      if (units.length === 0) return [];
      const { rows } = await commitPool.query<{ outcomes: RawOutcome[] }>({
        name: 'orderly_commit',
        text: 'SELECT orderly_commit($1::jsonb) AS outcomes',
        values: [encodeBatch(units)],
      });
      const raw = rows[0]?.outcomes;
      if (!Array.isArray(raw) || raw.length !== units.length) {
        throw new Error(`orderly_commit returned ${Array.isArray(raw) ? raw.length : 'no'} outcomes for ${units.length} units`);
      }
      return raw.map(toOutcome);
    },
    async readStream(streamId) {
      const { rows } = await readPool.query<EventRow>({
        name: 'orderly_read_stream',
        text: `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1 ORDER BY version`,
        values: [streamId],
      });
      return rows.map(toEvent);
    },
    async readAll(afterPosition, limit) {
      const { rows } = await readPool.query<EventRow>({
        name: 'orderly_read_all',
        text: `SELECT ${EVENT_COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2`,
        values: [afterPosition, limit],
      });
      return rows.map(toEvent);
    },
    async getIdempotency(scope, key) {
      const { rows } = await readPool.query<IdemRow>({
        name: 'orderly_get_idempotency',
        text: 'SELECT scope, key, fingerprint, status, body, created_at FROM idempotency WHERE scope = $1 AND key = $2',
        values: [scope, key],
      });
      const r = rows[0];
      return r && toIdem(r);
    },
    async getOrder(id) {
      const { rows } = await readPool.query<OrderDbRow>({
        name: 'orderly_get_order',
        text: `SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1`,
        values: [id],
      });
      const r = rows[0];
      return r && toOrderRow(r);
    },
    async listOrders(query: OrderQuery) {
      const where: string[] = [];
      const args: (string | number)[] = [];
      const param = (column: string, op: string, value: string) => {
        args.push(value);
        where.push(`${column} ${op} $${args.length}`);
      };
      if (query.channel !== undefined) param('channel', '=', query.channel);
      if (query.externalId !== undefined) param('external_id', '=', query.externalId);
      if (query.status !== undefined) param('status', '=', query.status);
      if (query.beforeId !== undefined) param('id', '<', query.beforeId);
      args.push(query.limit);
      const sql = `SELECT ${ORDER_COLUMNS} FROM orders ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${args.length}`;
      const { rows } = await readPool.query<OrderDbRow>(sql, args);
      return rows.map(toOrderRow);
    },
    async findOrderIdByExternal(channel, externalId) {
      const { rows } = await readPool.query<{ order_id: string }>({
        name: 'orderly_find_external',
        text: 'SELECT order_id FROM external_refs WHERE channel = $1 AND external_id = $2',
        values: [channel, externalId],
      });
      return rows[0]?.order_id;
    },
    async listOutbox(afterSeq, limit) {
      const { rows } = await readPool.query<Parameters<typeof toStoredOutbox>[0]>({
        name: 'orderly_list_outbox',
        text: `SELECT seq, id, destination, partition_key, type, payload, idempotency_key, status, attempts, created_at
                 FROM outbox WHERE seq > $1 ORDER BY seq LIMIT $2`,
        values: [afterSeq, limit],
      });
      return rows.map(toStoredOutbox);
    },
    ...createOutboxQueries(readPool),
    ...createInventoryQueries(readPool),
    ...createLifecycleQueries(readPool),
    ...createReconcileQueries(readPool),
    async createIdentity(identity: Identity, keyHash: string) {
      await readPool.query(
        'INSERT INTO identities (id, name, key_hash, scopes, created_at) VALUES ($1, $2, $3, $4::jsonb, $5)',
        [identity.id, identity.name, keyHash, JSON.stringify(identity.scopes), identity.createdAt],
      );
    },
    async findIdentityByKeyHash(keyHash) {
      const { rows } = await readPool.query<IdentityRow>({
        name: 'orderly_find_identity',
        text: 'SELECT id, name, scopes, created_at FROM identities WHERE key_hash = $1',
        values: [keyHash],
      });
      const r = rows[0];
      return r && { id: r.id, name: r.name, scopes: r.scopes, createdAt: r.created_at };
    },
    async countIdentities() {
      const { rows } = await readPool.query<{ n: number }>('SELECT count(*)::integer AS n FROM identities');
      return rows[0]?.n ?? 0;
    },
    async ping() {
      await readPool.query('SELECT 1');
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([readPool.end(), commitPool.end()]);
    },
  };
}

/** The batch as `orderly_commit` takes it: a JSON array of units. */
function encodeBatch(units: readonly UnitOfWork[]): string {
  return JSON.stringify(units.map(encodeUnit));
}

/**
 * The unit as the commit function reads it: only the fields it uses, and the idempotency record's
 * createdAt resolved here exactly as the SQLite adapter does (the append's recordedAt, else now).
 */
function encodeUnit(unit: UnitOfWork): unknown {
  const a = unit.append;
  const i = unit.idempotency;
  const x = unit.externalRef;
  const o = unit.orderRow;
  return {
    append: a && {
      streamId: a.streamId,
      streamType: a.streamType,
      expectedVersion: a.expectedVersion,
      recordedAt: a.recordedAt,
      events: a.events.map((e) => ({
        eventId: e.eventId,
        type: e.type,
        schemaVersion: e.schemaVersion,
        occurredAt: e.occurredAt,
        data: e.data,
        metadata: e.metadata,
      })),
    },
    idempotency: i && {
      scope: i.scope,
      key: i.key,
      fingerprint: i.fingerprint,
      status: i.status,
      body: i.body,
      createdAt: a?.recordedAt ?? new Date().toISOString(),
    },
    externalRef: x && { channel: x.channel, externalId: x.externalId, orderId: x.orderId },
    outbox: unit.outbox?.map((m) => ({
      id: m.id,
      destination: m.destination,
      partitionKey: m.partitionKey,
      type: m.type,
      payload: m.payload,
      idempotencyKey: m.idempotencyKey,
      createdAt: m.createdAt,
      traceparent: m.traceparent,
    })),
    orderRow: o && {
      id: o.id,
      channel: o.channel,
      externalId: o.externalId,
      status: o.status,
      version: o.version,
      createdAt: o.createdAt,
      updatedAt: o.updatedAt,
      view: o.view,
    },
    reserve: unit.reserve?.map((r) => ({ nodeId: r.nodeId, sku: r.sku, quantity: r.quantity, safetyStock: r.safetyStock })),
    release: unit.release?.map((r) => ({ nodeId: r.nodeId, sku: r.sku, quantity: r.quantity })),
    commit: unit.commit?.map((r) => ({ nodeId: r.nodeId, sku: r.sku, quantity: r.quantity })),
    restock: unit.restock?.map((r) => ({ nodeId: r.nodeId, sku: r.sku, quantity: r.quantity })),
    consume: unit.consume?.map((r) => ({ nodeId: r.nodeId, sku: r.sku, quantity: r.quantity })),
    fulfillmentRows: unit.fulfillmentRows?.map((f) => ({
      id: f.id, orderId: f.orderId, nodeId: f.nodeId, status: f.status, releasedAt: f.releasedAt, updatedAt: f.updatedAt, view: f.view,
    })),
    exceptions: unit.exceptions?.map((e) => ({
      id: e.id, dedupeKey: e.dedupeKey, type: e.type, status: e.status, severity: e.severity, owner: e.owner, orderId: e.orderId,
      createdAt: e.createdAt, updatedAt: e.updatedAt, slaDueAt: e.slaDueAt, doc: e.doc,
    })),
    decisions: unit.decisions?.map((d) => ({
      decisionId: d.decisionId,
      orderId: d.orderId,
      kind: d.kind,
      rulesetVersion: d.rulesetVersion,
      createdAt: d.createdAt,
      decision: d.decision,
    })),
    capacity: unit.capacity?.map((c) => ({ nodeId: c.nodeId, day: c.day, fulfillments: c.fulfillments })),
    backorders: unit.backorders && { orderId: unit.backorders.orderId, skus: unit.backorders.skus },
  };
}

interface RawOutcome {
  ok: boolean;
  reason?: string;
  lastPosition?: number | string;
  actualVersion?: number;
  orderId?: string;
  nodeId?: string;
  sku?: string;
}

function toOutcome(r: RawOutcome): UnitOutcome {
  if (r.ok) return r.lastPosition === undefined || r.lastPosition === null ? { ok: true } : { ok: true, lastPosition: Number(r.lastPosition) };
  switch (r.reason) {
    case 'version_conflict':
      return { ok: false, reason: 'version_conflict', actualVersion: Number(r.actualVersion) };
    case 'idempotency_key_exists':
      return { ok: false, reason: 'idempotency_key_exists' };
    case 'duplicate_external':
      return { ok: false, reason: 'duplicate_external', orderId: String(r.orderId) };
    case 'insufficient_stock':
      return { ok: false, reason: 'insufficient_stock', nodeId: String(r.nodeId), sku: String(r.sku) };
    default:
      throw new Error(`orderly_commit returned an unknown outcome: ${JSON.stringify(r)}`);
  }
}

const EVENT_COLUMNS =
  'position, event_id, stream_id, stream_type, version, type, schema_version, occurred_at, recorded_at, data, metadata';
const ORDER_COLUMNS = 'id, channel, external_id, status, version, created_at, updated_at, view';

interface EventRow {
  /** bigint: pg returns it as a string. */
  position: string; event_id: string; stream_id: string; stream_type: string; version: number; type: string;
  schema_version: number; occurred_at: string; recorded_at: string; data: unknown; metadata: StoredEvent['metadata'];
}
interface IdemRow { scope: string; key: string; fingerprint: string; status: number; body: unknown; created_at: string }
interface OrderDbRow {
  id: string; channel: string; external_id: string; status: string; version: number; created_at: string; updated_at: string; view: unknown;
}
interface IdentityRow { id: string; name: string; scopes: string[]; created_at: string }

const toEvent = (r: EventRow): StoredEvent => ({
  eventId: r.event_id, streamId: r.stream_id, streamType: r.stream_type, version: r.version, position: Number(r.position),
  type: r.type, schemaVersion: r.schema_version, occurredAt: r.occurred_at, recordedAt: r.recorded_at,
  data: r.data, metadata: r.metadata,
});
const toIdem = (r: IdemRow): IdempotencyRecord => ({
  scope: r.scope, key: r.key, fingerprint: r.fingerprint, status: r.status, body: r.body, createdAt: r.created_at,
});
const toOrderRow = (r: OrderDbRow): OrderRow => ({
  id: r.id, channel: r.channel, externalId: r.external_id, status: r.status, version: r.version,
  createdAt: r.created_at, updatedAt: r.updated_at, view: r.view,
});
