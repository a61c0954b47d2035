import type { DomainError } from '../domain/result.js';
import type { OrderCommand, OrderDraft, OrderEvent, OrderState, OrderView } from '../domain/order/index.js';
import { EVENT_SCHEMA_VERSION, decide, fold, initialState, toOrderView, upcast } from '../domain/order/index.js';
import type { EventMetadata, NewEvent, Store, StoredEvent, UnitOfWork } from '../store/port.js';
import type { Clock } from './clock.js';
import type { GroupCommitter } from './groupCommitter.js';
import type { IdGenerator } from './ids.js';

export interface CommandContext {
  readonly correlationId: string;
  readonly causationId?: string;
  readonly actor: EventMetadata['actor'];
  readonly source?: EventMetadata['source'];
  readonly traceparent?: string;
}

/** Present when the caller sent an Idempotency-Key: the record rides in the command's unit. */
export interface IdempotencyIntent {
  readonly scope: string;
  readonly key: string;
  readonly fingerprint: string;
}

export interface CommandOptions {
  readonly idempotency?: IdempotencyIntent;
  /** The caller's If-Match: no re-decide on conflict, the caller must reload. */
  readonly expectedVersion?: number;
  /** HTTP status stored with the idempotency record (201 for creation, 200 otherwise). */
  readonly status?: number;
}

export type CommandOutcome =
  | { readonly kind: 'ok'; readonly status: number; readonly view: OrderView }
  | { readonly kind: 'replayed'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'refused'; readonly error: DomainError }
  | { readonly kind: 'duplicate_order'; readonly orderId: string }
  | { readonly kind: 'idempotency_key_reused' };

export interface OrderService {
  place(draft: OrderDraft, ctx: CommandContext, options?: CommandOptions): Promise<CommandOutcome>;
  execute(orderId: string, command: DistributiveOmit<OrderCommand, 'now'>, ctx: CommandContext, options?: CommandOptions): Promise<CommandOutcome>;
  get(orderId: string): Promise<OrderView | undefined>;
  events(orderId: string): Promise<StoredEvent[]>;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** How often a command is re-decided after losing a race on its stream before giving up. */
const MAX_ATTEMPTS = 8;

/**
 * Command handling (DESIGN §5): load the stream, decide, and submit events + idempotency record +
 * projection + outbox as one unit to the group committer, expecting the version that was read.
 * On a version conflict the command is decided again on fresh state (bounded).
 */
export function createOrderService(deps: {
  store: Store;
  committer: GroupCommitter;
  clock: Clock;
  newId: IdGenerator;
}): OrderService {
  const { store, committer, clock, newId } = deps;

  const load = async (orderId: string) => {
    const stored = await store.readStream(orderId);
    const state = fold(stored.map(toDomainEvent));
    return { state, version: stored.length, createdAt: stored[0]?.recordedAt };
  };

  const run = async (orderId: string, command: OrderCommand, ctx: CommandContext, options: CommandOptions): Promise<CommandOutcome> => {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const now = clock.now();
      const cmd = { ...command, now } as OrderCommand;
      const { state, version, createdAt } = command.type === 'PlaceOrder' ? { state: initialState, version: 0, createdAt: undefined } : await load(orderId);
      if (options.expectedVersion !== undefined && options.expectedVersion !== version && state.kind !== 'absent') {
        return refusedConflict(options.expectedVersion, version);
      }
      const decision = decide(cmd, state);
      if (!decision.ok) return { kind: 'refused', error: decision.error };
      const unit = buildUnit(orderId, state, version, createdAt ?? now, now, decision.value, ctx, options);
      const outcome = await committer.submit(unit.unit);
      if (outcome.ok) return { kind: 'ok', status: options.status ?? 200, view: unit.view };
      switch (outcome.reason) {
        case 'idempotency_key_exists':
          return replayOrReuse(options.idempotency!);
        case 'duplicate_external':
          return { kind: 'duplicate_order', orderId: outcome.orderId };
        case 'version_conflict':
          if (options.expectedVersion !== undefined) return refusedConflict(options.expectedVersion, outcome.actualVersion);
          continue;
      }
    }
    return { kind: 'refused', error: { code: 'version_conflict', message: `order ${orderId} kept changing; try again` } };
  };

  const replayOrReuse = async (intent: IdempotencyIntent): Promise<CommandOutcome> => {
    const record = await store.getIdempotency(intent.scope, intent.key);
    if (record && record.fingerprint === intent.fingerprint) return { kind: 'replayed', status: record.status, body: record.body };
    return { kind: 'idempotency_key_reused' };
  };

  const buildUnit = (
    orderId: string,
    before: OrderState,
    version: number,
    createdAt: string,
    now: string,
    events: readonly OrderEvent[],
    ctx: CommandContext,
    options: CommandOptions,
  ): { unit: UnitOfWork; view: OrderView } => {
    const after = fold(events, before);
    if (after.kind !== 'placed') throw new Error('a decided order stream must hold an order');
    const order = after.order;
    const view = toOrderView(order, { version: version + events.length, createdAt, updatedAt: now });
    const metadata: EventMetadata = {
      correlationId: ctx.correlationId,
      actor: ctx.actor,
      ...(ctx.causationId ? { causationId: ctx.causationId } : {}),
      ...(options.idempotency ? { idempotencyKey: options.idempotency.key } : {}),
      ...(ctx.source ? { source: ctx.source } : {}),
      ...(ctx.traceparent ? { traceparent: ctx.traceparent } : {}),
    };
    const newEvents: NewEvent[] = events.map((e) => ({
      eventId: newId('event'),
      type: e.type,
      schemaVersion: EVENT_SCHEMA_VERSION[e.type],
      occurredAt: occurredAt(e, now),
      data: e.data,
      metadata,
    }));
    const unit: UnitOfWork = {
      append: { streamId: orderId, streamType: 'order', expectedVersion: version, events: newEvents, recordedAt: now },
      orderRow: {
        id: order.id,
        channel: order.channel,
        externalId: order.externalId,
        status: view.status,
        version: view.version,
        createdAt,
        updatedAt: now,
        view,
      },
      ...(before.kind === 'absent' ? { externalRef: { channel: order.channel, externalId: order.externalId, orderId } } : {}),
      ...(options.idempotency
        ? { idempotency: { ...options.idempotency, status: options.status ?? 200, body: view } }
        : {}),
    };
    return { unit, view };
  };

  return {
    async place(draft, ctx, options = {}) {
      const existing = await store.findOrderIdByExternal(draft.channel, draft.externalId);
      if (existing) {
        // A retry under the same key after success must replay, not report a duplicate.
        if (options.idempotency) {
          const record = await store.getIdempotency(options.idempotency.scope, options.idempotency.key);
          if (record) return record.fingerprint === options.idempotency.fingerprint ? { kind: 'replayed', status: record.status, body: record.body } : { kind: 'idempotency_key_reused' };
        }
        return { kind: 'duplicate_order', orderId: existing };
      }
      const orderId = newId('order');
      return run(orderId, { type: 'PlaceOrder', orderId, order: draft, now: '' }, ctx, { status: 201, ...options });
    },
    async execute(orderId, command, ctx, options = {}) {
      return run(orderId, { ...command, now: '' } as OrderCommand, ctx, options);
    },
    async get(orderId) {
      const row = await store.getOrder(orderId);
      return row?.view as OrderView | undefined;
    },
    async events(orderId) {
      return store.readStream(orderId);
    },
  };
}

export const toDomainEvent = (e: StoredEvent): OrderEvent => upcast(e.type, e.schemaVersion, e.data);

/** A placed order occurred when the channel says it was placed; everything else, now. */
const occurredAt = (e: OrderEvent, now: string): string => (e.type === 'OrderPlaced' ? e.data.order.placedAt : now);

const refusedConflict = (expected: number, actual: number): CommandOutcome => ({
  kind: 'refused',
  error: { code: 'version_conflict', message: `the order is at version ${actual}, not ${expected}` },
});
