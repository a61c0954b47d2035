import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Fact, InboundOutcome } from '../../connectors/port.js';
import { FULFILLMENT_STATUSES, orderIdOf } from '../../domain/order/index.js';
import type { ApiDeps } from '../context.js';
import { requireScope } from '../context.js';
import { ProblemError } from '../problem.js';
import type { RouteDoc } from '../routeDoc.js';
import { ListQuerySchema, parse } from '../schemas.js';

const id = z.string().min(1).max(128);
const sourceMessageId = z.string().min(1).max(255);
const time = z.iso.datetime({ offset: true });
const factLine = z
  .object({ lineId: z.string().min(1).max(64).optional(), sku: id.optional(), quantity: z.int().min(1).max(1_000_000) })
  .refine((l) => l.lineId !== undefined || l.sku !== undefined, { message: 'give lineId or sku', path: ['lineId'] });
const factLines = z.array(factLine).min(1).max(500);

const AcknowledgementSchema = z.object({ accepted: z.boolean(), reason: z.string().min(1).max(256).optional(), sourceMessageId });
const ProgressSchema = z.object({ stage: z.enum(['picked', 'packed', 'ready_for_pickup']), sourceMessageId });
const ShipmentSchema = z.object({
  shipmentId: id,
  lines: factLines,
  carrier: z.string().min(1).max(64).optional(),
  trackingNumber: z.string().min(1).max(128).optional(),
  packages: z.array(z.object({ trackingNumber: z.string().min(1).max(128).optional(), lines: factLines.optional() })).max(500).optional(),
  shippedAt: time.optional(),
  sourceMessageId,
});
const DeliverySchema = z.object({ shipmentId: id.optional(), deliveredAt: time.optional(), sourceMessageId });
const CancellationResultSchema = z.object({
  outcome: z.enum(['cancelled', 'refused']),
  lines: factLines.optional(),
  reason: z.string().min(1).max(256).optional(),
  sourceMessageId,
});
const ReceiptSchema = z.object({
  nodeId: id,
  lines: z.array(factLine.and(z.object({ disposition: z.enum(['restock', 'damaged']) }))).min(1).max(500),
  sourceMessageId,
});
const ListFulfillmentsQuery = ListQuerySchema.extend({ nodeId: id.optional(), status: z.enum(FULFILLMENT_STATUSES).optional(), orderId: id.optional() });
const IdParam = z.object({ id });

/**
 * Fulfillments for systems that poll (API-driven nodes), and the fact endpoints of API.md: each
 * fact goes through the same InboundSink the connectors use, deduplicated on `sourceMessageId`
 * per calling identity. A fact that contradicts the ledger is accepted with 202 and an exception.
 */
export function fulfillmentRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/v1/fulfillments', { config: { doc: { summary: 'Fulfillments by node and status (API-driven nodes poll their work here)', scope: 'orders:read', query: ListFulfillmentsQuery, okDescription: '{ items, nextCursor }' } } }, async (req) => {
    requireScope(req, 'orders:read');
    const q = parse(ListFulfillmentsQuery, req.query, 'query');
    const afterId = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    const rows = await deps.store.listFulfillments({
      limit: q.limit + 1,
      ...(q.nodeId ? { nodeId: q.nodeId } : {}),
      ...(q.status ? { status: q.status } : {}),
      ...(q.orderId ? { orderId: q.orderId } : {}),
      ...(afterId ? { afterId } : {}),
    });
    const items = rows.slice(0, q.limit);
    return { items: items.map((r) => r.view), nextCursor: rows.length > q.limit ? Buffer.from(items.at(-1)!.id).toString('base64url') : null };
  });

  app.get('/v1/fulfillments/:id', { config: { doc: { summary: 'A fulfillment: stage, status, lines, shipments', scope: 'orders:read' } } }, async (req) => {
    requireScope(req, 'orders:read');
    const { id: fulfillmentId } = parse(IdParam, req.params, 'path');
    const row = await deps.store.getFulfillment(fulfillmentId);
    if (!row) throw new ProblemError('not_found', `No fulfillment ${fulfillmentId}`);
    return row.view;
  });

  factRoute(app, deps, '/v1/fulfillments/:id/acknowledgement', { summary: 'The node accepts or rejects a fulfillment', body: AcknowledgementSchema }, (fulfillmentId, req) => {
    const b = parse(AcknowledgementSchema, req.body);
    return { sourceMessageId: b.sourceMessageId, fact: { type: 'fulfillment.acknowledged', fulfillmentId, accepted: b.accepted, ...(b.reason ? { reason: b.reason } : {}) } };
  });
  factRoute(app, deps, '/v1/fulfillments/:id/progress', { summary: 'The node picked, packed, or has it ready for pickup', body: ProgressSchema }, (fulfillmentId, req) => {
    const b = parse(ProgressSchema, req.body);
    return { sourceMessageId: b.sourceMessageId, fact: { type: 'fulfillment.progress', fulfillmentId, stage: b.stage } };
  });
  factRoute(app, deps, '/v1/fulfillments/:id/shipments', { summary: 'A shipment (partial or whole; lines by lineId or SKU)', body: ShipmentSchema }, (fulfillmentId, req) => {
    const { sourceMessageId: m, shippedAt, ...b } = parse(ShipmentSchema, req.body);
    return { sourceMessageId: m, fact: stripUndefined({ type: 'fulfillment.shipped', fulfillmentId, ...b, shippedAt: shippedAt ?? deps.clock.now() }) as Fact };
  });
  factRoute(app, deps, '/v1/fulfillments/:id/deliveries', { summary: 'A delivery (of one shipment, or all; a pickup collected)', body: DeliverySchema }, (fulfillmentId, req) => {
    const b = parse(DeliverySchema, req.body);
    return {
      sourceMessageId: b.sourceMessageId,
      fact: { type: 'fulfillment.delivered', fulfillmentId, deliveredAt: b.deliveredAt ?? deps.clock.now(), ...(b.shipmentId ? { shipmentId: b.shipmentId } : {}) },
    };
  });
  factRoute(app, deps, '/v1/fulfillments/:id/cancellation-result', { summary: 'The node’s answer to a cancellation request', body: CancellationResultSchema }, (fulfillmentId, req) => {
    const { sourceMessageId: m, ...b } = parse(CancellationResultSchema, req.body);
    return { sourceMessageId: m, fact: stripUndefined({ type: 'fulfillment.cancellation_result', fulfillmentId, ...b }) as Fact };
  });
  factRoute(app, deps, '/v1/returns/:id/receipts', { summary: 'A return received at a node, restocked or damaged', body: ReceiptSchema }, (returnId, req) => {
    const { sourceMessageId: m, ...b } = parse(ReceiptSchema, req.body);
    return { sourceMessageId: m, fact: { type: 'return.received', returnId, nodeId: b.nodeId, lines: b.lines.map((l) => stripUndefined(l)) } as Fact };
  });
}

function factRoute(
  app: FastifyInstance,
  deps: ApiDeps,
  path: string,
  doc: Pick<RouteDoc, 'summary' | 'body'>,
  toFact: (id: string, req: FastifyRequest) => { sourceMessageId: string; fact: Fact },
): void {
  const okDescription = '{ status: applied|duplicate, order }; 202 { status: conflict, exceptionId, detail, order } when it contradicts the ledger';
  app.post(path, { config: { doc: { ...doc, scope: 'fulfillment:write', idempotencyKey: 'optional', okDescription } } }, async (req, reply) => {
    const identity = requireScope(req, 'fulfillment:write');
    const { id: targetId } = parse(IdParam, req.params, 'path');
    const { sourceMessageId, fact } = toFact(targetId, req);
    const orderId = orderIdOf(targetId);
    const order = orderId ? await deps.orders.get(orderId) : undefined;
    const known = targetId.startsWith('ret_') ? order?.returns.some((r) => r.returnId === targetId) : order?.fulfillments.some((f) => f.id === targetId);
    if (!known) throw new ProblemError('not_found', `No ${targetId.startsWith('ret_') ? 'return' : 'fulfillment'} ${targetId}`);
    const outcome = await deps.inbound.receive(fact, { system: `api:${identity.id}`, messageId: sourceMessageId });
    return answerFact(deps, reply, outcome);
  });
}

async function answerFact(deps: ApiDeps, reply: FastifyReply, outcome: InboundOutcome): Promise<FastifyReply> {
  switch (outcome.status) {
    case 'applied':
    case 'duplicate': {
      const order = outcome.orderId ? await deps.orders.get(outcome.orderId) : undefined;
      if (outcome.status === 'duplicate') {
        deps.metrics.duplicatesSuppressed.inc({ kind: 'fact' });
        reply.header('idempotent-replayed', 'true');
      }
      return reply.code(200).send({ status: outcome.status, ...(order ? { order } : {}) });
    }
    case 'conflict': {
      const order = outcome.orderId ? await deps.orders.get(outcome.orderId) : undefined;
      return reply.code(202).send({ status: 'conflict', exceptionId: outcome.exceptionId, detail: outcome.message, ...(order ? { order } : {}) });
    }
    case 'unknown_reference':
      throw new ProblemError('not_found', outcome.message);
    case 'rejected':
      throw new ProblemError(outcome.code === 'idempotency_key_reused' ? 'idempotency_key_reused' : outcome.code === 'validation_failed' ? 'validation_failed' : 'illegal_transition', outcome.message, outcome.errors ?? []);
  }
}

/** zod leaves absent optional members as undefined; canonical facts leave them out. */
function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function decodeCursor(cursor: string): string {
  const v = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^ful_[\w-]{1,124}$/.test(v)) throw new ProblemError('validation_failed', 'The cursor is not one this API returned', [{ path: 'cursor', message: 'invalid cursor' }]);
  return v;
}
