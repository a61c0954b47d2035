/**
 * The storage port: event store, idempotency ledger, outbox, projections and identities behind one
 * interface, implemented by the SQLite (embedded default) and PostgreSQL adapters and held to the
 * same behaviour by one contract suite (test/contract).
 *
 * Writes go through `commit(units)`: every unit is applied in its own savepoint inside one shared
 * transaction (group commit). A unit that is refused — version conflict, reused idempotency key,
 * duplicate external id — rolls back alone and reports why; the others commit together and are
 * durable when the promise resolves. Any other error rejects the whole call (the group committer
 * then retries the units one by one to isolate it).
 */
export interface EventMetadata {
  readonly correlationId: string;
  readonly causationId?: string;
  readonly idempotencyKey?: string;
  readonly actor: { readonly kind: 'service' | 'operator' | 'system'; readonly id: string };
  readonly source?: { readonly system: string; readonly messageId?: string };
  readonly traceparent?: string;
}

export interface NewEvent {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  /** The source's time for the fact or command. */
  readonly occurredAt: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
}

export interface StoredEvent extends NewEvent {
  readonly streamId: string;
  readonly streamType: string;
  readonly version: number;
  /** Global, gap-tolerant, strictly increasing in commit order. */
  readonly position: number;
  readonly recordedAt: string;
}

export interface IdempotencyRecord {
  readonly scope: string;
  readonly key: string;
  readonly fingerprint: string;
  readonly status: number;
  readonly body: unknown;
  readonly createdAt: string;
}

export interface OutboxMessage {
  readonly id: string;
  /** The connector (or fan-out channel) the message goes to. */
  readonly destination: string;
  /** Messages with one partition key are delivered in order, e.g. `ord_…:dc-east`. */
  readonly partitionKey: string;
  readonly type: string;
  readonly payload: unknown;
  /** Deterministic key the target can deduplicate on. */
  readonly idempotencyKey: string;
  readonly createdAt: string;
}

export interface StoredOutboxMessage extends OutboxMessage {
  readonly seq: number;
  readonly status: 'pending' | 'dispatched' | 'dead';
  readonly attempts: number;
}

/** The order-summary projection: a row per order with the API view as JSON. */
export interface OrderRow {
  readonly id: string;
  readonly channel: string;
  readonly externalId: string;
  readonly status: string;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly view: unknown;
}

export interface UnitOfWork {
  readonly append?: {
    readonly streamId: string;
    readonly streamType: string;
    /** 0 = the stream must not exist yet. */
    readonly expectedVersion: number;
    /** At least one event. */
    readonly events: readonly NewEvent[];
    readonly recordedAt: string;
  };
  readonly idempotency?: Omit<IdempotencyRecord, 'createdAt'>;
  readonly externalRef?: { readonly channel: string; readonly externalId: string; readonly orderId: string };
  readonly outbox?: readonly OutboxMessage[];
  readonly orderRow?: OrderRow;
}

export type UnitOutcome =
  | { readonly ok: true; readonly lastPosition?: number }
  | { readonly ok: false; readonly reason: 'version_conflict'; readonly actualVersion: number }
  | { readonly ok: false; readonly reason: 'idempotency_key_exists' }
  | { readonly ok: false; readonly reason: 'duplicate_external'; readonly orderId: string };

export interface OrderQuery {
  readonly channel?: string;
  readonly externalId?: string;
  readonly status?: string;
  readonly limit: number;
  /** Exclusive: rows with an id before this one (newest first). */
  readonly beforeId?: string;
}

export interface Identity {
  readonly id: string;
  readonly name: string;
  readonly scopes: readonly string[];
  readonly createdAt: string;
}

export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  /** Applies pending versioned migrations; returns the versions it applied. */
  migrate(): Promise<number[]>;
  commit(units: readonly UnitOfWork[]): Promise<UnitOutcome[]>;
  readStream(streamId: string): Promise<StoredEvent[]>;
  readAll(afterPosition: number, limit: number): Promise<StoredEvent[]>;
  getIdempotency(scope: string, key: string): Promise<IdempotencyRecord | undefined>;
  getOrder(id: string): Promise<OrderRow | undefined>;
  listOrders(query: OrderQuery): Promise<OrderRow[]>;
  findOrderIdByExternal(channel: string, externalId: string): Promise<string | undefined>;
  listOutbox(afterSeq: number, limit: number): Promise<StoredOutboxMessage[]>;
  createIdentity(identity: Identity, keyHash: string): Promise<void>;
  findIdentityByKeyHash(keyHash: string): Promise<Identity | undefined>;
  countIdentities(): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
