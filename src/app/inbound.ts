import { createHash } from 'node:crypto';
import type { OrderFact } from '../domain/order/index.js';
import { orderIdOf } from '../domain/order/index.js';
import type { ChannelIntent, Fact, InboundMessage, InboundOutcome, InboundSink, InboundSource } from '../connectors/port.js';
import { stableStringify } from '../shared/json.js';
import type { Store } from '../store/port.js';
import type { CommandContext, CommandOutcome, IdempotencyIntent, OrderService } from './orderService.js';
import type { ExceptionService } from './exceptions.js';
import type { InventoryService } from './inventoryService.js';

/**
 * The one entry point for inbound messages (connectors/port.ts): the API's fact endpoints, signed
 * webhooks, batch files, EDI and channel webhooks all end here. Each message is deduplicated by
 * its sender's message id — the idempotency record rides in the order's unit, so a message is
 * applied once however often it is delivered — and a message naming something Orderly does not
 * know is kept in an exception, never dropped.
 */
export function createInboundSink(deps: { store: Store; orders: OrderService; inventory: InventoryService; exceptions: ExceptionService }): InboundSink {
  const { store, orders, inventory, exceptions } = deps;

  const ctxFor = (source: InboundSource): CommandContext => ({
    correlationId: `${source.system}:${source.messageId}`.slice(0, 128),
    actor: { kind: 'system', id: source.system },
    source: { system: source.system, messageId: source.messageId },
    ...(source.traceparent ? { traceparent: source.traceparent } : {}),
  });
  const intentFor = (message: InboundMessage, source: InboundSource): IdempotencyIntent => ({
    scope: `inbound:${source.system}`,
    key: source.messageId,
    fingerprint: createHash('sha256').update(stableStringify(message)).digest('base64url'),
  });

  const unknown = async (message: InboundMessage, source: InboundSource, what: string): Promise<InboundOutcome> => {
    const { exceptionId } = await exceptions.quarantine({ connector: source.system, reason: `unknown_reference: ${what}`, code: 'unknown_reference', raw: JSON.stringify(message), source });
    return { status: 'unknown_reference', exceptionId, message: `${what} is not known to Orderly; kept in exception ${exceptionId}` };
  };

  /** A command outcome on an order as an inbound outcome (conflicts found in its events). */
  const outcomeOf = (orderId: string, outcome: CommandOutcome): InboundOutcome => {
    switch (outcome.kind) {
      case 'ok': {
        if (outcome.events.length === 0) return { status: 'duplicate', orderId };
        const conflict = outcome.events.find((e) => e.type === 'ConflictDetected');
        if (conflict?.type === 'ConflictDetected') return { status: 'conflict', orderId, exceptionId: conflict.data.exceptionId, message: conflict.data.detail };
        return { status: 'applied', orderId };
      }
      case 'replayed':
        return { status: 'duplicate', orderId };
      case 'duplicate_order':
        return { status: 'duplicate', orderId: outcome.orderId };
      case 'idempotency_key_reused':
        return { status: 'rejected', code: 'idempotency_key_reused', message: 'this message id was already used for a different message' };
      case 'refused':
        // Lost a race on the order too often: the sender must try again, not be told it was refused
        // (a rejected fact is quarantined and never resent). Thrown, the sender's delivery fails.
        if (outcome.error.code === 'version_conflict') throw new Error(`order ${orderId} kept changing while this message was applied; deliver it again`);
        return { status: 'rejected', code: outcome.error.code, message: outcome.error.message, ...(outcome.error.errors ? { errors: outcome.error.errors } : {}) };
    }
  };

  const orderFact = async (orderId: string | undefined, fact: OrderFact, message: InboundMessage, source: InboundSource): Promise<InboundOutcome> => {
    if (!orderId || !(await store.getOrder(orderId))) return unknown(message, source, describeReference(message));
    const outcome = await orders.recordFact(orderId, fact, ctxFor(source), { idempotency: intentFor(message, source) });
    if (outcome.kind === 'refused' && outcome.error.code === 'not_found') return unknown(message, source, describeReference(message));
    if (outcome.kind === 'ok' && fact.type === 'return.received') {
      const restocked = outcome.events.flatMap((e) => (e.type === 'ReturnReceived' ? e.data.restock.map((r) => r.sku) : []));
      if (restocked.length > 0) await inventory.retryBackorders(restocked, ctxFor(source));
    }
    return outcomeOf(orderId, outcome);
  };

  const channelIntent = async (intent: ChannelIntent, source: InboundSource): Promise<InboundOutcome> => {
    const ctx = ctxFor(source);
    if (intent.type === 'order.place') {
      const outcome = await orders.place(intent.draft, ctx, { idempotency: intentFor(intent, source), ...(intent.payments ? { payments: intent.payments } : {}) });
      return outcome.kind === 'ok' ? { status: 'applied', orderId: outcome.view.id } : outcomeOf(outcome.kind === 'duplicate_order' ? outcome.orderId : '', outcome);
    }
    const orderId = await store.findOrderIdByExternal(intent.channel, intent.externalId);
    if (!orderId) return unknown(intent, source, `order ${intent.channel}/${intent.externalId}`);
    switch (intent.type) {
      case 'order.cancel': {
        const outcome = await orders.execute(
          orderId,
          { type: 'CancelOrder', reason: intent.reason, ...(intent.lines ? { lines: await linesById(orderId, intent.lines) } : {}) },
          ctx,
          { idempotency: intentFor(intent, source) },
        );
        // Already cancelled (a redelivery with another message id) is not an error for the channel.
        if (outcome.kind === 'refused' && outcome.error.code === 'illegal_transition') return { status: 'duplicate', orderId };
        return outcomeOf(orderId, outcome);
      }
      case 'order.refunded':
        return orderFact(orderId, { type: 'payment.refunded', refundId: intent.refundId, amount: intent.amount, reference: `channel-refund:${intent.refundId}` }, intent, source);
      case 'order.fulfilled_by_channel': {
        const view = await orders.get(orderId);
        const f = view?.fulfillments.find((x) => x.status !== 'cancelled' && x.status !== 'rejected' && intent.lines.every((l) => x.lines.some((fl) => fl.lineId === l.lineId || fl.sku === l.sku)));
        if (!f) return unknown(intent, source, `a fulfillment of ${orderId} holding ${intent.lines.map((l) => l.lineId ?? l.sku).join(', ')}`);
        return orderFact(
          orderId,
          { type: 'fulfillment.shipped', fulfillmentId: f.id, shipmentId: intent.shipmentId, lines: intent.lines, shippedAt: intent.shippedAt, ...(intent.carrier ? { carrier: intent.carrier } : {}), ...(intent.trackingNumber ? { trackingNumber: intent.trackingNumber } : {}) },
          intent,
          source,
        );
      }
    }
  };

  /** Channel lines name lineIds or SKUs; a cancellation needs lineIds. */
  const linesById = async (orderId: string, lines: readonly { lineId?: string; sku?: string; quantity: number }[]) => {
    const view = await orders.get(orderId);
    return lines.map((l) => ({ lineId: l.lineId ?? view?.lines.find((x) => x.sku === l.sku)?.lineId ?? l.sku ?? '', quantity: l.quantity }));
  };

  const fact = async (message: Fact, source: InboundSource): Promise<InboundOutcome> => {
    switch (message.type) {
      case 'fulfillment.acknowledged':
      case 'fulfillment.progress':
      case 'fulfillment.shipped':
      case 'fulfillment.delivered':
      case 'fulfillment.cancellation_result':
        return orderFact(orderIdOf(message.fulfillmentId), message, message, source);
      case 'return.received':
        return orderFact(orderIdOf(message.returnId), message, message, source);
      case 'payment.authorized':
      case 'payment.authorization_failed':
      case 'payment.captured':
      case 'payment.voided':
      case 'payment.refunded':
      case 'payment.failed': {
        const { orderId, ...fact } = message;
        return orderFact(orderId, fact as OrderFact, message, source);
      }
      case 'inventory.snapshot': {
        if (!(await inventory.requireNode(message.nodeId))) return unknown(message, source, `node ${message.nodeId}`);
        await inventory.applySnapshot(message.nodeId, message.asOf, message.positions, ctxFor(source));
        return { status: 'applied' };
      }
      case 'inventory.adjustment': {
        if (!(await inventory.requireNode(message.nodeId))) return unknown(message, source, `node ${message.nodeId}`);
        const r = await inventory.applyAdjustment({ ...message, sourceId: `${source.system}:${source.messageId}`, at: new Date().toISOString() }, ctxFor(source));
        return { status: r.status === 'duplicate' ? 'duplicate' : 'applied' };
      }
    }
  };

  return {
    async receive(message, source) {
      return isChannelIntent(message) ? channelIntent(message, source) : fact(message, source);
    },
    quarantine: (input) => exceptions.quarantine(input),
  };
}

const isChannelIntent = (m: InboundMessage): m is ChannelIntent => m.type.startsWith('order.');

function describeReference(m: InboundMessage): string {
  if ('fulfillmentId' in m) return `fulfillment ${m.fulfillmentId}`;
  if ('returnId' in m) return `return ${m.returnId}`;
  if ('orderId' in m) return `order ${m.orderId}`;
  return m.type;
}
