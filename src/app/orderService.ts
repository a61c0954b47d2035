import type { DomainError } from '../domain/result.js';
import type { FactLine, NodeCancelCapability, OrderCommand, OrderDraft, OrderEvent, OrderFact, OrderState, OrderView, PaymentMode } from '../domain/order/index.js';
import { EVENT_SCHEMA_VERSION, decide, fold, initialState, toOrderView, upcast, withdrawable } from '../domain/order/index.js';
import type { EventMetadata, NewEvent, Store, StoredEvent, UnitOfWork } from '../store/port.js';
import type { RoutingNode } from '../routing/index.js';
import type { PlannedRoute, RoutingContext } from './routingContext.js';
import { unitEffects } from './unitEffects.js';
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
  | { readonly kind: 'ok'; readonly status: number; readonly view: OrderView; readonly events: readonly OrderEvent[] }
  | { readonly kind: 'replayed'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'refused'; readonly error: DomainError }
  | { readonly kind: 'duplicate_order'; readonly orderId: string }
  | { readonly kind: 'idempotency_key_reused' };

export interface OrderService {
  place(draft: OrderDraft, ctx: CommandContext, options?: CommandOptions & { payments?: PaymentMode; orderId?: string }): Promise<CommandOutcome>;
  /** Hands back what is allocated at `nodeIds` (all when absent) and routes it again elsewhere. */
  reroute(orderId: string, input: { nodeIds?: readonly string[]; reason: string }, ctx: CommandContext, options?: CommandOptions): Promise<CommandOutcome>;
  /** Routes an order's backordered units again (after stock arrived); refused when nothing moves. */
  retryBackorders(orderId: string, ctx: CommandContext): Promise<CommandOutcome>;
  /** Hands allocated fulfillments to their nodes (when the ruleset does not release automatically). */
  release(orderId: string, input: { fulfillmentIds?: readonly string[] }, ctx: CommandContext, options?: CommandOptions): Promise<CommandOutcome>;
  /** A fact from a system of record; never refused for the order's state (conflicts are recorded). */
  recordFact(orderId: string, fact: OrderFact, ctx: CommandContext, options?: CommandOptions): Promise<CommandOutcome>;
  authorizeReturn(
    orderId: string,
    input: { lines: readonly FactLine[]; reason: string; exchangeOrderId?: string },
    ctx: CommandContext,
    options?: CommandOptions,
  ): Promise<CommandOutcome>;
  /** Runs the order's follow-ups (release, payments, closure) on its current state: for sweeps. */
  advance(orderId: string, ctx: CommandContext, options?: { deferred?: boolean }): Promise<CommandOutcome>;
  execute(orderId: string, command: DistributiveOmit<OrderCommand, 'now'>, ctx: CommandContext, options?: CommandOptions): Promise<CommandOutcome>;
  get(orderId: string): Promise<OrderView | undefined>;
  events(orderId: string): Promise<StoredEvent[]>;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Fulfillments one re-route may withdraw (an order has at most a few per node). */
const MAX_WITHDRAWALS = 20;

/** How often a command is re-decided after losing a race on its stream before giving up. */
const MAX_ATTEMPTS = 8;

/**
 * Command handling (DESIGN §5): load the stream, decide, and submit events + idempotency record +
 * projection + outbox as one unit to the group committer, expecting the version that was read.
 * On a version conflict the command is decided again on fresh state (bounded).
 */
export interface LifecycleOptions {
  /** The payment connector: when set, orders are `gateway` orders (authorize, capture, void, refund through it). */
  readonly paymentConnector?: string;
  /** Days after the last delivery before a settled order closes (returns are accepted until then). */
  readonly returnWindowDays: number;
  /** Whether a connector can cancel what was released to it (absent: it cannot). */
  readonly connectorCancel?: (connectorId: string) => NodeCancelCapability | undefined;
  /** Called after a commit that wrote outbox messages (the dispatcher's wake-up). */
  readonly onOutbox?: () => void;
  /**
   * Called after an order is placed, to run its follow-ups (release, payment) in their own unit
   * right after the answer: the channel gets its `201` with the routing decision, and the release
   * to nodes (with its outbox messages) does not lengthen intake. Absent: they run in the placement's unit.
   */
  readonly deferFollowUps?: (orderId: string, ctx: CommandContext) => void;
  /** A node answered what an SLA exception was raised for: those exceptions (by dedupe key) can resolve. */
  readonly onSlaAnswered?: (dedupeKeys: readonly string[]) => void;
  /** The order's deferred follow-ups still running: reads and commands on the order wait for them. */
  readonly followUpsPending?: (orderId: string) => Promise<void> | undefined;
}

export const DEFAULT_LIFECYCLE: LifecycleOptions = { returnWindowDays: 30 };

export function createOrderService(deps: {
  store: Store;
  committer: GroupCommitter;
  clock: Clock;
  newId: IdGenerator;
  /** Absent: orders are not routed (they stay unallocated). */
  routing?: RoutingContext;
  lifecycle?: LifecycleOptions;
}): OrderService {
  const { store, committer, clock, newId, routing } = deps;
  const lifecycle = deps.lifecycle ?? DEFAULT_LIFECYCLE;
  const nodes = async (): Promise<readonly RoutingNode[]> => (routing ? routing.nodes() : []);

  /** Read-your-writes: what an order's placement deferred is done before anyone reads or changes it. */
  const settled = async (orderId: string) => {
    const p = lifecycle.followUpsPending?.(orderId);
    if (p) await p;
  };

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
  const run = async (orderId: string, steps: readonly StepFn[], ctx: CommandContext, options: RunOptions, creating = false): Promise<CommandOutcome> => {
    if (!creating && !options.deferred) await settled(orderId);
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
      if (events.length === 0) {
        // A fact already applied decides nothing: a duplicate, answered with the order as it is.
        if (options.allowEmpty && state.kind === 'placed') {
          return { kind: 'ok', status: options.status ?? 200, events, view: toOrderView(state.order, { version: loaded.version, createdAt: loaded.createdAt ?? now, updatedAt: now }) };
        }
        return { kind: 'refused', error: { code: 'illegal_transition', message: 'nothing to do' } };
      }
      const unit = buildUnit(orderId, loaded.state, state, loaded.version, loaded.createdAt ?? now, now, events, ctx, options, routes, await nodes());
      const outcome = await committer.submit(unit.unit);
      if (outcome.ok) {
        if (unit.unit.outbox?.length) lifecycle.onOutbox?.();
        const answered = answeredSlaKeys(events);
        if (answered.length > 0) lifecycle.onSlaAnswered?.(answered);
        return { kind: 'ok', status: options.status ?? 200, view: unit.view, events };
      }
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

  /**
   * What follows any command on an order, in the same unit: route units left unallocated (after a
   * rejection, a hold or a payment), release allocated fulfillments when the ruleset says so, ask
   * the payment connector for what the goods now call for, and close the order when it is done.
   * Each step is optional: one that has nothing to do is skipped.
   */
  const followUps = (options: { route?: boolean } = {}): StepFn[] => [
    ...(options.route === false ? [] : [routeFollowUp]),
    async (state) => {
      if (state.kind !== 'placed' || !state.order.fulfillments.some((f) => f.stage === 'allocated' && f.status !== 'cancelled')) return undefined;
      if (routing && !(await routing.rules()).active.ruleset.release.auto) return undefined;
      return { command: { type: 'ReleaseFulfillments' }, optional: true };
    },
    async (state) => (state.kind === 'placed' && state.order.paymentMode === 'gateway' ? { command: { type: 'SettlePayments' }, optional: true } : undefined),
    async (state) => (state.kind === 'placed' ? { command: { type: 'CloseOrder', returnWindowDays: lifecycle.returnWindowDays }, optional: true } : undefined),
  ];

  /** Units back at `unallocated` (rejected, or waiting for payment) are routed again, away from nodes that rejected them. */
  const routeFollowUp: StepFn = async (state, now, attempt) => {
    if (!routing || state.kind !== 'placed' || !state.order.lines.some((l) => l.buckets.unallocated > 0)) return undefined;
    if (!(await routesNow(state.order.payment.authorized > 0))) return undefined;
    const rejected = [...new Set(state.order.fulfillments.filter((f) => f.rejected !== undefined).map((f) => f.nodeId))];
    return routeStep(true, { unallocatedOnly: true, ...(rejected.length ? { excludeNodeIds: rejected } : {}) })(state, now, attempt);
  };

  /** Whether each node can cancel what was released to it: its capabilities, and its connector's. */
  const cancelCapabilities = async (): Promise<Record<string, NodeCancelCapability>> => {
    const out: Record<string, NodeCancelCapability> = {};
    for (const n of await nodes()) {
      const viaConnector = n.connector ? lifecycle.connectorCancel?.(n.connector) : undefined;
      out[n.id] = {
        cancel: n.capabilities.includes('cancel') && (viaConnector?.cancel ?? true),
        partialCancel: n.capabilities.includes('partial_cancel') && (viaConnector?.partialCancel ?? true),
      };
    }
    return out;
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
    routes: readonly PlannedRoute[],
    nodeDocs: readonly RoutingNode[],
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
      ...unitEffects(before, after, events, routes, {
        nodes: nodeDocs,
        newId,
        now,
        version,
        ...(lifecycle.paymentConnector ? { paymentConnector: lifecycle.paymentConnector } : {}),
        ...(ctx.traceparent ? { traceparent: ctx.traceparent } : {}),
      }),
    };
    return { unit, view };
  };

  return {
    async place(draft, ctx, options = {}) {
      // No read first: the unit's idempotency record and (channel, externalId) claim are the
      // checks, at commit — a retried request replays, a duplicate order is refused.
      const orderId = options.orderId ?? newId('order');
      const payments: PaymentMode = options.payments ?? (lifecycle.paymentConnector ? 'gateway' : 'channel');
      const steps: StepFn[] = [async () => ({ command: { type: 'PlaceOrder', orderId, order: draft, payments } })];
      if (await routesNow(draft.payment !== undefined)) steps.push(routeStep(true));
      if (!lifecycle.deferFollowUps) steps.push(...followUps({ route: false }));
      const outcome = await run(orderId, steps, ctx, { status: 201, ...options }, true);
      if (outcome.kind === 'ok') lifecycle.deferFollowUps?.(orderId, ctx);
      return outcome;
    },
    async execute(orderId, command, ctx, options = {}) {
      const full =
        command.type === 'CancelOrder' ? { ...command, nodes: command.nodes ?? (await cancelCapabilities()), exceptionId: command.exceptionId ?? newId('exception') } : command;
      return run(orderId, [async () => ({ command: full }), ...followUps()], ctx, options);
    },
    async release(orderId, input, ctx, options = {}) {
      const command = { type: 'ReleaseFulfillments' as const, ...(input.fulfillmentIds ? { fulfillmentIds: input.fulfillmentIds } : {}) };
      return run(orderId, [async () => ({ command }), ...followUps()], ctx, options);
    },
    async recordFact(orderId, fact, ctx, options = {}) {
      const exceptionId = newId('exception');
      return run(orderId, [async () => ({ command: { type: 'RecordFact', fact, exceptionId } }), ...followUps()], ctx, { ...options, allowEmpty: true });
    },
    async authorizeReturn(orderId, input, ctx, options = {}) {
      const { exchangeOrderId } = input;
      const command: Step['command'] =
        exchangeOrderId === undefined
          ? { type: 'AuthorizeReturn', lines: input.lines, reason: input.reason }
          : { type: 'AuthorizeReturn', lines: input.lines, reason: input.reason, exchangeOrderId };
      return run(orderId, [async () => ({ command }), ...followUps()], ctx, { status: 201, ...options });
    },
    async advance(orderId, ctx, options = {}) {
      return run(orderId, followUps(), ctx, { deferred: options.deferred === true });
    },
    async reroute(orderId, input, ctx, options = {}) {
      // Released fulfillments at those nodes are withdrawn (the node is told to cancel), allocated
      // ones handed back, and everything routed again away from those nodes.
      const withdrawNext: StepFn = async (state) => {
        if (state.kind !== 'placed') return undefined;
        const f = state.order.fulfillments.find((x) => withdrawable(x) && (!input.nodeIds || input.nodeIds.includes(x.nodeId)));
        return f ? { command: { type: 'WithdrawFulfillment', fulfillmentId: f.id, reason: input.reason }, optional: true } : undefined;
      };
      return run(
        orderId,
        [
          ...Array.from({ length: MAX_WITHDRAWALS }, () => withdrawNext),
          async () => ({ command: { type: 'ReleaseAllocation', reason: input.reason, ...(input.nodeIds ? { nodeIds: input.nodeIds } : {}) }, optional: true }),
          routeStep(true, input.nodeIds ? { excludeNodeIds: input.nodeIds } : {}),
          ...followUps({ route: false }),
        ],
        ctx,
        options,
      );
    },
    async retryBackorders(orderId, ctx) {
      return run(orderId, [routeStep(false), ...followUps({ route: false })], ctx, {});
    },
    async get(orderId) {
      await settled(orderId);
      const row = await store.getOrder(orderId);
      return row?.view as OrderView | undefined;
    },
    async events(orderId) {
      await settled(orderId);
      return store.readStream(orderId);
    },
  };
}

/** One step of a command: the command, whether its refusal may be skipped, and its routing plan. */
type Step = { readonly command: DistributiveOmit<OrderCommand, 'now'>; readonly optional?: boolean; readonly route?: PlannedRoute };
type StepFn = (state: OrderState, now: string, attempt: number) => Promise<Step | undefined>;
type RunOptions = CommandOptions & { readonly allowEmpty?: boolean; readonly deferred?: boolean };

/** The SLA exceptions a node's answer settles (their dedupe keys, as unitEffects raises them). */
function answeredSlaKeys(events: readonly OrderEvent[]): string[] {
  return events.flatMap((e) => {
    switch (e.type) {
      case 'FulfillmentAcknowledged':
        return [`ack_sla_breached:${e.data.fulfillmentId}`];
      case 'FulfillmentRejected':
        return [`ack_sla_breached:${e.data.fulfillmentId}`, `cancellation_sla_breached:${e.data.fulfillmentId}`];
      case 'FulfillmentCancelled':
      case 'CancellationRefused':
        return [`cancellation_sla_breached:${e.data.fulfillmentId}`];
      default:
        return [];
    }
  });
}

export const toDomainEvent = (e: StoredEvent): OrderEvent => upcast(e.type, e.schemaVersion, e.data);

/** A placed order occurred when the channel says it was placed; everything else, now. */
const occurredAt = (e: OrderEvent, now: string): string => (e.type === 'OrderPlaced' ? e.data.order.placedAt : now);

const refusedConflict = (expected: number, actual: number): CommandOutcome => ({
  kind: 'refused',
  error: { code: 'version_conflict', message: `the order is at version ${actual}, not ${expected}` },
});
