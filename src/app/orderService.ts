import type { DomainError } from '../domain/result.js';
import type { OrderCommand, OrderDraft, OrderEvent, OrderState, OrderView } from '../domain/order/index.js';
import { EVENT_SCHEMA_VERSION, decide, fold, initialState, toOrderView, upcast } from '../domain/order/index.js';
import type { DecisionRecord, EventMetadata, InventoryOp, NewEvent, ReserveOp, Store, StoredEvent, UnitOfWork } from '../store/port.js';
import type { PlannedRoute, RoutingContext } from './routingContext.js';
import { safetyFor } from './routingContext.js';
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
  /** Hands back what is allocated at `nodeIds` (all when absent) and routes it again elsewhere. */
  reroute(orderId: string, input: { nodeIds?: readonly string[]; reason: string }, ctx: CommandContext, options?: CommandOptions): Promise<CommandOutcome>;
  /** Routes an order's backordered units again (after stock arrived); refused when nothing moves. */
  retryBackorders(orderId: string, ctx: CommandContext): Promise<CommandOutcome>;
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
  /** Absent: orders are not routed (they stay unallocated). */
  routing?: RoutingContext;
}): OrderService {
  const { store, committer, clock, newId, routing } = deps;

  const load = async (orderId: string) => {
    const stored = await store.readStream(orderId);
    const state = fold(stored.map(toDomainEvent));
    return { state, version: stored.length, createdAt: stored[0]?.recordedAt };
  };

  /**
   * Decides a sequence of steps on one stream and commits their events as one unit. A step is
   * computed from the state the previous steps left (a routing plan needs the state after a
   * release); an optional step that is refused is skipped. On a version conflict or a reservation
   * that lost its stock to a concurrent order, everything is decided again on fresh state.
   */
  const run = async (orderId: string, steps: readonly StepFn[], ctx: CommandContext, options: CommandOptions, creating = false): Promise<CommandOutcome> => {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const now = clock.now();
      const loaded = creating ? { state: initialState, version: 0, createdAt: undefined } : await load(orderId);
      if (options.expectedVersion !== undefined && options.expectedVersion !== loaded.version && loaded.state.kind !== 'absent') {
        return refusedConflict(options.expectedVersion, loaded.version);
      }
      let state = loaded.state;
      const events: OrderEvent[] = [];
      const routes: PlannedRoute[] = [];
      for (const stepFn of steps) {
        const step = await stepFn(state, now, attempt);
        if (!step) continue;
        const decision = decide({ ...step.command, now } as OrderCommand, state);
        if (!decision.ok) {
          if (step.optional) continue;
          return { kind: 'refused', error: decision.error };
        }
        events.push(...decision.value);
        state = fold(decision.value, state);
        if (step.route) routes.push(step.route);
      }
      if (events.length === 0) return { kind: 'refused', error: { code: 'illegal_transition', message: 'nothing to do' } };
      const unit = buildUnit(orderId, loaded.state, state, loaded.version, loaded.createdAt ?? now, now, events, ctx, options, routes);
      const outcome = await committer.submit(unit.unit);
      if (outcome.ok) return { kind: 'ok', status: options.status ?? 200, view: unit.view };
      switch (outcome.reason) {
        case 'idempotency_key_exists':
          return replayOrReuse(options.idempotency!);
        case 'duplicate_external':
          return { kind: 'duplicate_order', orderId: outcome.orderId };
        case 'insufficient_stock':
          continue;
        case 'version_conflict':
          if (options.expectedVersion !== undefined) return refusedConflict(options.expectedVersion, outcome.actualVersion);
          continue;
      }
    }
    return { kind: 'refused', error: { code: 'version_conflict', message: `order ${orderId} kept changing; try again` } };
  };

  /** A routing step: plans on the state it is given, when routing is configured. */
  const routeStep =
    (optional: boolean, options: { excludeNodeIds?: readonly string[]; unallocatedOnly?: boolean } = {}): StepFn =>
    async (state, now, attempt) => {
      if (!routing || state.kind !== 'placed') return undefined;
      // A retry follows a refusal for stock: plan it on positions read now.
      const planned = await routing.plan(state.order, now, { ...options, fresh: attempt > 0 });
      return planned ? { command: planned.command, route: planned, optional } : undefined;
    };

  /** Whether the active ruleset routes at this point: on placement, or once payment is authorized. */
  const routesNow = async (paymentAuthorized: boolean): Promise<boolean> => {
    if (!routing) return false;
    const { active } = await routing.rules();
    return active.ruleset.routeOn === 'placement' || paymentAuthorized;
  };

  const replayOrReuse = async (intent: IdempotencyIntent): Promise<CommandOutcome> => {
    const record = await store.getIdempotency(intent.scope, intent.key);
    if (record && record.fingerprint === intent.fingerprint) return { kind: 'replayed', status: record.status, body: record.body };
    return { kind: 'idempotency_key_reused' };
  };

  const buildUnit = (
    orderId: string,
    before: OrderState,
    after: OrderState,
    version: number,
    createdAt: string,
    now: string,
    events: readonly OrderEvent[],
    ctx: CommandContext,
    options: CommandOptions,
    routes: readonly PlannedRoute[] = [],
  ): { unit: UnitOfWork; view: OrderView } => {
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
      ...inventoryEffects(before, after, events, routes, now),
    };
    return { unit, view };
  };

  return {
    async place(draft, ctx, options = {}) {
      // No read first: the unit's idempotency record and (channel, externalId) claim are the
      // checks, at commit — a retried request replays, a duplicate order is refused.
      const orderId = newId('order');
      const steps: StepFn[] = [async () => ({ command: { type: 'PlaceOrder', orderId, order: draft } })];
      if (await routesNow(draft.payment !== undefined)) steps.push(routeStep(true));
      return run(orderId, steps, ctx, { status: 201, ...options }, true);
    },
    async execute(orderId, command, ctx, options = {}) {
      const steps: StepFn[] = [async () => ({ command })];
      if (command.type === 'RecordPaymentAuthorization' && (await routesNow(true))) steps.push(routeStep(true, { unallocatedOnly: true }));
      return run(orderId, steps, ctx, options);
    },
    async reroute(orderId, input, ctx, options = {}) {
      return run(
        orderId,
        [
          async () => ({ command: { type: 'ReleaseAllocation', reason: input.reason, ...(input.nodeIds ? { nodeIds: input.nodeIds } : {}) } }),
          routeStep(true, input.nodeIds ? { excludeNodeIds: input.nodeIds } : {}),
        ],
        ctx,
        options,
      );
    },
    async retryBackorders(orderId, ctx) {
      return run(orderId, [routeStep(false)], ctx, {});
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

/** One step of a command: the command, whether its refusal may be skipped, and its routing plan. */
type Step = { readonly command: DistributiveOmit<OrderCommand, 'now'>; readonly optional?: boolean; readonly route?: PlannedRoute };
type StepFn = (state: OrderState, now: string, attempt: number) => Promise<Step | undefined>;

/**
 * The inventory side of a unit, derived from its events: reservations taken by OrderRouted (the
 * store refuses the unit if one is short), reservations given back by cancellations and releases,
 * the decisions' explanations, capacity used, and the order's backordered SKUs when they changed.
 */
function inventoryEffects(before: OrderState, after: OrderState, events: readonly OrderEvent[], routes: readonly PlannedRoute[], now: string): Partial<UnitOfWork> {
  const reserve: ReserveOp[] = [];
  const release: InventoryOp[] = [];
  const capacity = new Map<string, number>();
  for (const e of events) {
    if (e.type === 'OrderRouted') {
      const planned = routes.find((r) => r.command.decision.decisionId === e.data.decisionId);
      for (const r of e.data.reservations) {
        reserve.push({ nodeId: r.nodeId, sku: r.sku, quantity: r.quantity, safetyStock: planned ? safetyFor(planned.ruleset, planned.nodes, r.nodeId, r.sku) : 0 });
      }
      for (const f of e.data.fulfillments) capacity.set(f.nodeId, (capacity.get(f.nodeId) ?? 0) + 1);
    }
    if (e.type === 'OrderCancelled' || e.type === 'AllocationReleased') {
      for (const r of e.data.releases ?? []) release.push({ nodeId: r.nodeId, sku: r.sku, quantity: r.quantity });
    }
  }
  const decisions: DecisionRecord[] = routes.flatMap((r) => r.records);
  const skus = (s: OrderState) => (s.kind === 'placed' ? s.order.lines.filter((l) => l.buckets.backordered > 0).map((l) => l.sku) : []);
  const was = skus(before).join('\u0000');
  const now_ = skus(after);
  return {
    ...(reserve.length ? { reserve } : {}),
    ...(release.length ? { release } : {}),
    ...(decisions.length ? { decisions } : {}),
    ...(capacity.size ? { capacity: [...capacity].map(([nodeId, fulfillments]) => ({ nodeId, day: now.slice(0, 10), fulfillments })) } : {}),
    ...(was !== now_.join('\u0000') && after.kind === 'placed' ? { backorders: { orderId: after.order.id, skus: [...new Set(now_)] } } : {}),
  };
}

export const toDomainEvent = (e: StoredEvent): OrderEvent => upcast(e.type, e.schemaVersion, e.data);

/** A placed order occurred when the channel says it was placed; everything else, now. */
const occurredAt = (e: OrderEvent, now: string): string => (e.type === 'OrderPlaced' ? e.data.order.placedAt : now);

const refusedConflict = (expected: number, actual: number): CommandOutcome => ({
  kind: 'refused',
  error: { code: 'version_conflict', message: `the order is at version ${actual}, not ${expected}` },
});
