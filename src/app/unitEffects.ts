import type { ConflictDetectedData, Order, OrderEvent, OrderState } from '../domain/order/index.js';
import { moneyView } from '../domain/order/index.js';
import type { ExceptionDoc, ExceptionInput } from '../domain/exception/exception.js';
import { EXCEPTION_ACTIONS, newException } from '../domain/exception/exception.js';
import type { OutboundMessage } from '../connectors/port.js';
import type { RoutingNode } from '../routing/index.js';
import type { DecisionRecord, ExceptionRow, FulfillmentRow, InventoryOp, OutboxMessage, ReserveOp, UnitOfWork } from '../store/port.js';
import type { PlannedRoute } from './routingContext.js';
import { safetyFor } from './routingContext.js';
import type { IdGenerator } from './ids.js';

/** What the unit builder needs to know about the world beyond the order stream. */
export interface EffectContext {
  readonly nodes: readonly RoutingNode[];
  /** Destination of payment messages (the payment connector), when payments are gateway-driven. */
  readonly paymentConnector?: string;
  readonly newId: IdGenerator;
  readonly now: string;
  /** The stream version before these events (event i has version `version + i + 1`). */
  readonly version: number;
  readonly traceparent?: string;
}

/**
 * The parts of a unit of work derived from its events (DESIGN §5: events, reservations, outbox and
 * projections ride in one transaction): reservations taken, released, committed and restocked;
 * routing explanations and capacity; the backorder index; outbox messages to nodes and to the
 * payment connector; the fulfillment projection; and the exceptions the events raise.
 */
export function unitEffects(before: OrderState, after: OrderState, events: readonly OrderEvent[], routes: readonly PlannedRoute[], ctx: EffectContext): Partial<UnitOfWork> {
  if (after.kind !== 'placed') return {};
  const order = after.order;
  const reserve: ReserveOp[] = [];
  const release: InventoryOp[] = [];
  const commit: InventoryOp[] = [];
  const restock: InventoryOp[] = [];
  const consume: InventoryOp[] = [];
  const capacity = new Map<string, number>();
  const outbox: OutboxMessage[] = [];
  const exceptions: ExceptionRow[] = [];
  const raise = (input: Omit<ExceptionInput, 'orderId' | 'orderValue' | 'customerTier'>) =>
    exceptions.push(toExceptionRow(newException({ ...input, orderId: order.id, orderValue: moneyView(order).live, customerTier: order.customer.tier }, ctx.now)));

  events.forEach((e, i) => {
    const version = ctx.version + i + 1;
    switch (e.type) {
      case 'OrderRouted': {
        const planned = routes.find((r) => r.command.decision.decisionId === e.data.decisionId);
        for (const r of e.data.reservations) {
          reserve.push({ nodeId: r.nodeId, sku: r.sku, quantity: r.quantity, safetyStock: planned ? safetyFor(planned.ruleset, planned.nodes, r.nodeId, r.sku) : 0 });
        }
        for (const f of e.data.fulfillments) capacity.set(f.nodeId, (capacity.get(f.nodeId) ?? 0) + 1);
        break;
      }
      case 'OrderCancelled':
      case 'AllocationReleased':
      case 'FulfillmentCancelled':
        for (const r of e.data.releases ?? []) release.push({ nodeId: r.nodeId, sku: r.sku, quantity: r.quantity });
        break;
      case 'FulfillmentRejected': {
        const d = e.data;
        for (const r of d.releases) release.push({ nodeId: r.nodeId, sku: r.sku, quantity: r.quantity });
        const connector = ctx.nodes.find((n) => n.id === d.nodeId)?.connector;
        if (d.withdrawn && connector) {
          // Everything the node held leaves it (some units handed back, some cancelled): one line each.
          const perLine = new Map<string, number>();
          for (const m of d.moves) perLine.set(m.lineId, (perLine.get(m.lineId) ?? 0) + m.quantity);
          const lines = [...perLine].map(([lineId, quantity]) => ({ lineId, sku: order.lines.find((l) => l.lineId === lineId)?.sku ?? '', quantity }));
          const m: OutboundMessage = { type: 'fulfillment.cancel', fulfillmentId: d.fulfillmentId, orderId: order.id, nodeId: d.nodeId, lines, reason: d.reason, requestedAt: ctx.now };
          outbox.push(outboxRow(ctx, connector, `${order.id}:${d.nodeId}`, m, `fulfillment.cancel:${d.fulfillmentId}@${version}`));
        }
        break;
      }
      case 'ShipmentConfirmed':
        for (const c of e.data.commits) commit.push({ nodeId: c.nodeId, sku: c.sku, quantity: c.quantity });
        break;
      case 'ReturnReceived':
        restock.push(...e.data.restock);
        break;
      case 'ExternalShipmentAccepted':
        for (const l of e.data.lines) consume.push({ nodeId: e.data.nodeId, sku: l.sku, quantity: l.quantity });
        break;
      case 'FulfillmentReleased': {
        const m = releaseMessage(order, e.data.fulfillmentId, e.data.at);
        const connector = ctx.nodes.find((n) => n.id === e.data.nodeId)?.connector;
        if (m && connector) outbox.push(outboxRow(ctx, connector, `${order.id}:${e.data.nodeId}`, m, `fulfillment.release:${e.data.fulfillmentId}`));
        break;
      }
      case 'CancellationRequested': {
        const d = e.data;
        const connector = ctx.nodes.find((n) => n.id === d.nodeId)?.connector;
        if (d.mode === 'node' && connector) {
          const m: OutboundMessage = { type: 'fulfillment.cancel', fulfillmentId: d.fulfillmentId, orderId: order.id, nodeId: d.nodeId, lines: d.lines, reason: d.reason, requestedAt: d.at };
          outbox.push(outboxRow(ctx, connector, `${order.id}:${d.nodeId}`, m, `fulfillment.cancel:${d.fulfillmentId}@${version}`));
        }
        if (d.exceptionId) {
          raise({
            id: d.exceptionId,
            dedupeKey: `cancellation:${d.fulfillmentId}@${version}`,
            type: 'cancellation_unsupported',
            source: 'cancellation',
            fulfillmentId: d.fulfillmentId,
            target: d.nodeId,
            title: `Cancel ${d.lines.map((l) => `${l.quantity} × ${l.sku}`).join(', ')} at ${d.nodeId} by hand`,
            detail: `${d.nodeId} cannot cancel ${d.fulfillmentId}${d.lines.length ? ' (in part)' : ''} itself: ask the node to stop it, then report the result with POST /v1/fulfillments/${d.fulfillmentId}/cancellation-result`,
            context: { ledger: fulfillmentView(order, d.fulfillmentId), payloads: [d] },
            suggestedActions: ['resolve', 'escalate'],
          });
        }
        break;
      }
      case 'PaymentRequested': {
        if (!ctx.paymentConnector) break;
        const d = e.data;
        const base = { orderId: order.id, amount: d.amount, currency: order.currency };
        const m: OutboundMessage =
          d.operation === 'authorize'
            ? { type: 'payment.authorize', ...base }
            : d.operation === 'refund'
              ? { type: 'payment.refund', ...base, reference: d.reference }
              : { type: d.operation === 'capture' ? 'payment.capture' : 'payment.void', ...base, authorizationId: d.authorizationId ?? '', reference: d.reference };
        outbox.push(outboxRow(ctx, ctx.paymentConnector, `${order.id}:payments`, m, `payment.${d.operation}:${order.id}:${d.reference}`));
        break;
      }
      case 'ConflictDetected':
        raise(conflictException(order, e.data));
        break;
      case 'PaymentOperationFailed':
        raise({
          id: e.data.exceptionId,
          dedupeKey: `payment:${order.id}:${e.data.reference}`,
          type: 'payment_failed',
          source: 'payment',
          title: `The gateway declined a ${e.data.operation} of ${e.data.amount}`,
          detail: `${e.data.operation} ${e.data.reference} for ${e.data.amount} ${order.currency} failed: ${e.data.reason}`,
          context: { ledger: order.payment, payloads: [e.data] },
          suggestedActions: ['retry', 'resolve', 'escalate'],
        });
        break;
      case 'ExceptionRaised':
        raise({
          id: e.data.exceptionId,
          dedupeKey: `${e.data.type}:${e.data.fulfillmentId ?? order.id}`,
          type: e.data.type,
          source: 'sla',
          ...(e.data.fulfillmentId ? { fulfillmentId: e.data.fulfillmentId } : {}),
          title: e.data.reason,
          detail: e.data.reason,
          context: e.data.fulfillmentId ? { ledger: fulfillmentView(order, e.data.fulfillmentId) } : {},
          suggestedActions: ['resend', 'resync', 'cancel', 'escalate', 'resolve'],
        });
        break;
      default:
        break;
    }
  });

  const decisions: DecisionRecord[] = routes.flatMap((r) => r.records);
  const fulfillmentRows = changedFulfillments(before, order, ctx.now);
  const skus = (s: OrderState) => (s.kind === 'placed' ? s.order.lines.filter((l) => l.buckets.backordered > 0).map((l) => l.sku) : []);
  const was = skus(before).join('\u0000');
  const nowSkus = skus(after);
  return {
    ...(reserve.length ? { reserve } : {}),
    ...(release.length ? { release } : {}),
    ...(commit.length ? { commit } : {}),
    ...(restock.length ? { restock } : {}),
    ...(consume.length ? { consume } : {}),
    ...(decisions.length ? { decisions } : {}),
    ...(capacity.size ? { capacity: [...capacity].map(([nodeId, fulfillments]) => ({ nodeId, day: ctx.now.slice(0, 10), fulfillments })) } : {}),
    ...(was !== nowSkus.join('\u0000') ? { backorders: { orderId: order.id, skus: [...new Set(nowSkus)] } } : {}),
    ...(outbox.length ? { outbox } : {}),
    ...(fulfillmentRows.length ? { fulfillmentRows } : {}),
    ...(exceptions.length ? { exceptions } : {}),
  };
}

function outboxRow(ctx: EffectContext, destination: string, partitionKey: string, message: OutboundMessage, idempotencyKey: string): OutboxMessage {
  return { id: ctx.newId('message'), destination, partitionKey, type: message.type, payload: message, idempotencyKey, createdAt: ctx.now, ...(ctx.traceparent ? { traceparent: ctx.traceparent } : {}) };
}

/** The canonical release message; the shipping address and contact ride along for connectors that need them. */
function releaseMessage(order: Order, fulfillmentId: string, at: string): OutboundMessage | undefined {
  const f = order.fulfillments.find((x) => x.id === fulfillmentId);
  if (!f) return undefined;
  const c = order.customer;
  const customer = { ...(c.name !== undefined ? { name: c.name } : {}), ...(c.email !== undefined ? { email: c.email } : {}), ...(c.phone !== undefined ? { phone: c.phone } : {}) };
  return {
    type: 'fulfillment.release',
    fulfillmentId,
    orderId: order.id,
    nodeId: f.nodeId,
    order: { externalId: order.externalId, channel: order.channel, currency: order.currency, placedAt: order.placedAt },
    delivery: order.fulfillment.type === 'pickup' ? { type: 'pickup', storeId: order.fulfillment.storeId } : { type: 'ship', shipMethod: order.fulfillment.shipMethod },
    ...(order.shipTo ? { shipTo: order.shipTo } : {}),
    ...(Object.keys(customer).length ? { customer } : {}),
    lines: f.lines.map((l) => ({ lineId: l.lineId, sku: l.sku, quantity: l.quantity, unitPrice: order.lines.find((x) => x.lineId === l.lineId)?.unitPrice ?? 0 })),
    releasedAt: at,
  };
}

/** Fulfillments the events created or touched (the fold replaces exactly those objects). */
function changedFulfillments(before: OrderState, order: Order, now: string): FulfillmentRow[] {
  const old = before.kind === 'placed' ? new Set(before.order.fulfillments) : new Set();
  return order.fulfillments
    .filter((f) => !old.has(f))
    .map((f) => ({ id: f.id, orderId: order.id, nodeId: f.nodeId, status: f.status, releasedAt: f.releasedAt ?? null, updatedAt: now, view: { ...f, orderId: order.id } }));
}

export const fulfillmentView = (order: Order, fulfillmentId: string): unknown => order.fulfillments.find((f) => f.id === fulfillmentId);

function conflictException(order: Order, c: ConflictDetectedData): Omit<ExceptionInput, 'orderId' | 'orderValue' | 'customerTier'> {
  return {
    id: c.exceptionId,
    dedupeKey: `conflict:${c.exceptionId}`,
    type: c.kind,
    source: 'conflict',
    ...(c.fulfillmentId ? { fulfillmentId: c.fulfillmentId, target: order.fulfillments.find((f) => f.id === c.fulfillmentId)?.nodeId ?? '' } : {}),
    title: `Conflicting fact: ${c.kind.replaceAll('_', ' ')}`,
    detail: c.detail,
    context: { ledger: c.fulfillmentId ? fulfillmentView(order, c.fulfillmentId) : { lines: order.lines, payment: order.payment }, target: c.fact, payloads: [c.fact] },
    suggestedActions: c.suggestedActions.filter((a): a is ExceptionInput['suggestedActions'][number] => EXCEPTION_ACTION_SET.has(a)),
  };
}

const EXCEPTION_ACTION_SET = new Set<string>(EXCEPTION_ACTIONS);

export function toExceptionRow(doc: ExceptionDoc): ExceptionRow {
  return {
    id: doc.id,
    dedupeKey: doc.dedupeKey,
    type: doc.type,
    status: doc.status,
    severity: doc.severity,
    owner: doc.owner,
    orderId: doc.orderId ?? null,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    slaDueAt: doc.slaDueAt,
    doc,
  };
}
