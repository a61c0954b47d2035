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
import type { OutboxStore } from './outboxPort.js';
import type { ReconciliationStore } from './reconcilePort.js';

export type * from './outboxPort.js';
export type * from './reconcilePort.js';
export { RECONCILIATION_RUN_STATUSES } from './reconcilePort.js';
export { DEAD_LETTER_REASONS } from './outboxPort.js';

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
  /** W3C trace context of the request that caused it, carried to the connector (DESIGN §10). */
  readonly traceparent?: string | null;
}

export interface StoredOutboxMessage extends OutboxMessage {
  readonly seq: number;
  /** `discarded`: a dead letter an operator chose not to deliver (final, like `dispatched`). */
  readonly status: 'pending' | 'dispatched' | 'dead' | 'discarded';
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

/** A change to the reserved count of one inventory position. */
export interface InventoryOp {
  readonly nodeId: string;
  readonly sku: string;
  readonly quantity: number;
}

/** Reserve only if on hand − reserved − safety stock ≥ quantity: an atomic conditional update. */
export interface ReserveOp extends InventoryOp {
  readonly safetyStock: number;
}

/** A routing decision with its full explanation, live or shadow, stored beside the order's events. */
export interface DecisionRecord {
  readonly decisionId: string;
  readonly orderId: string;
  readonly kind: 'live' | 'shadow';
  readonly rulesetVersion: number;
  readonly createdAt: string;
  readonly decision: unknown;
}

/** The fulfillment projection: a row per fulfillment, for node polling, fact lookup, SLA sweeps and reconciliation. */
export interface FulfillmentRow {
  readonly id: string;
  readonly orderId: string;
  readonly nodeId: string;
  readonly status: string;
  /** When it was released to its node (null while allocated). */
  readonly releasedAt: string | null;
  readonly updatedAt: string;
  readonly view: unknown;
}

export interface FulfillmentQuery {
  readonly nodeId?: string;
  readonly status?: string;
  readonly orderId?: string;
  /** Only rows released before this time (SLA sweeps). */
  readonly releasedBefore?: string;
  readonly limit: number;
  /** Exclusive: rows with an id after this one (ascending). */
  readonly afterId?: string;
}

export const EXCEPTION_STATUSES = ['open', 'acknowledged', 'escalated', 'resolved'] as const;
export type ExceptionStatus = (typeof EXCEPTION_STATUSES)[number];

/**
 * An exception for a human (DESIGN §8). `dedupeKey` is unique among unresolved exceptions: raising
 * the same problem again finds the open one instead of a second. `doc` holds the whole record
 * (context side by side, payloads, suggested actions, the audit of actions).
 */
export interface ExceptionRow {
  readonly id: string;
  readonly dedupeKey: string;
  readonly type: string;
  readonly status: ExceptionStatus;
  readonly severity: string;
  readonly owner: string;
  readonly orderId: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly slaDueAt: string;
  readonly doc: unknown;
}

export interface ExceptionQuery {
  readonly status?: ExceptionStatus;
  readonly type?: string;
  readonly severity?: string;
  readonly owner?: string;
  readonly orderId?: string;
  readonly dedupeKeyPrefix?: string;
  readonly limit: number;
  /** Exclusive: rows with an id before this one (newest first). */
  readonly beforeId?: string;
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
  /** Reservations taken with the events; any one short of stock refuses the whole unit. */
  readonly reserve?: readonly ReserveOp[];
  /** Reservations given back (cancelled, re-routed). */
  readonly release?: readonly InventoryOp[];
  /** Reserved units that shipped: reserved and on-hand both go down (never below zero). */
  readonly commit?: readonly InventoryOp[];
  /** Returned units restocked: on-hand goes up. */
  readonly restock?: readonly InventoryOp[];
  /** Units that left a node without a reservation (an accepted shipment after cancel): on-hand goes down, never below zero. */
  readonly consume?: readonly InventoryOp[];
  readonly fulfillmentRows?: readonly FulfillmentRow[];
  /** Exceptions raised with the unit's events; one whose dedupeKey is already open is not raised again. */
  readonly exceptions?: readonly ExceptionRow[];
  readonly decisions?: readonly DecisionRecord[];
  /** Fulfillments created per node and day, counted against daily capacity. */
  readonly capacity?: readonly { readonly nodeId: string; readonly day: string; readonly fulfillments: number }[];
  /** The order's SKUs that are backordered now (replaces the previous set), for backorder retry. */
  readonly backorders?: { readonly orderId: string; readonly skus: readonly string[] };
}

export type UnitOutcome =
  | { readonly ok: true; readonly lastPosition?: number }
  | { readonly ok: false; readonly reason: 'version_conflict'; readonly actualVersion: number }
  | { readonly ok: false; readonly reason: 'idempotency_key_exists' }
  | { readonly ok: false; readonly reason: 'duplicate_external'; readonly orderId: string }
  | { readonly ok: false; readonly reason: 'insufficient_stock'; readonly nodeId: string; readonly sku: string };

/** A fulfilment node as configured (the routing engine's RoutingNode document). */
export interface NodeRecord {
  readonly id: string;
  readonly doc: unknown;
  readonly updatedAt: string;
}

export interface PositionRow {
  readonly nodeId: string;
  readonly sku: string;
  readonly onHand: number;
  readonly reserved: number;
  readonly asOf: string | null;
}

export interface RulesetRecord {
  readonly version: number;
  readonly name: string;
  readonly doc: unknown;
  readonly status: 'draft' | 'active' | 'shadow' | 'retired';
  readonly createdAt: string;
  readonly activatedAt: string | null;
}

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

/** The outbox dispatcher's part lives in outboxPort.ts, reconciliation's (ledger pages, runs, drifts) in reconcilePort.ts. */
export interface Store extends OutboxStore, ReconciliationStore {
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
  putNode(node: NodeRecord): Promise<void>;
  listNodes(): Promise<NodeRecord[]>;
  /** Replaces on-hand for the SKUs listed; a SKU whose held asOf is newer than `asOf` is ignored. */
  applySnapshot(nodeId: string, asOf: string, positions: readonly { sku: string; onHand: number }[]): Promise<{ applied: number; ignored: number }>;
  /** Adds `delta` to on-hand once per `sourceId`; a repeat is 'duplicate' and changes nothing. */
  applyAdjustment(adj: { nodeId: string; sku: string; delta: number; reason: string; sourceId: string; at: string }): Promise<'applied' | 'duplicate'>;
  listPositions(filter: { nodeId?: string; skus?: readonly string[] }): Promise<PositionRow[]>;
  capacityUsed(day: string): Promise<Record<string, number>>;
  /** Order ids with a backordered line of any of these SKUs. */
  backorderedOrders(skus: readonly string[], limit: number): Promise<string[]>;
  createRuleset(name: string, doc: unknown, createdAt: string): Promise<RulesetRecord>;
  listRulesets(): Promise<RulesetRecord[]>;
  /** 'active' and 'shadow' are each held by at most one version; the previous holder is retired. */
  setRulesetStatus(version: number, status: 'active' | 'shadow' | 'retired', at: string): Promise<RulesetRecord | undefined>;
  listDecisions(query: { orderId: string } | { rulesetVersion: number; kind: 'live' | 'shadow'; limit: number; afterId?: string }): Promise<DecisionRecord[]>;
  getFulfillment(id: string): Promise<FulfillmentRow | undefined>;
  listFulfillments(query: FulfillmentQuery): Promise<FulfillmentRow[]>;
  getException(id: string): Promise<ExceptionRow | undefined>;
  listExceptions(query: ExceptionQuery): Promise<ExceptionRow[]>;
  /**
   * Raises exceptions outside an order's unit (reconciliation, dead letters, quarantine): each is
   * inserted unless one with its dedupeKey is unresolved; returns, per row, the id now holding it.
   */
  raiseExceptions(rows: readonly ExceptionRow[]): Promise<{ id: string; created: boolean }[]>;
  /** Unresolved exceptions counted by type and severity (the metrics' view of the workbench). */
  countOpenExceptions(): Promise<{ type: string; severity: string; count: number }[]>;
  /** Replaces an exception's mutable fields if it is still at `expectedUpdatedAt` (false: it changed meanwhile). */
  updateException(row: ExceptionRow, expectedUpdatedAt: string): Promise<boolean>;
  createIdentity(identity: Identity, keyHash: string): Promise<void>;
  findIdentityByKeyHash(keyHash: string): Promise<Identity | undefined>;
  countIdentities(): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
