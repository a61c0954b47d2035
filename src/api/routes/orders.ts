import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { OrderDraft, OrderView } from '../../domain/order/index.js';
import type { ApiDeps } from '../context.js';
import { answer, commandContext, etag, idempotentCommand, ifMatchVersion, requireScope, withIdempotencyKey } from '../context.js';
import { orderIdOf } from '../../domain/order/index.js';
import { ProblemError } from '../problem.js';
import type { RouteDoc } from '../routeDoc.js';
import {
  CancelOrderSchema,
  HoldSchema,
  HoldTypeParam,
  ListOrdersQuerySchema,
  OrderIdParam,
  PaymentAuthorizationSchema,
  PlaceOrderSchema,
  ReleaseHoldSchema,
  ReleaseSchema,
  ReturnSchema,
  parse,
} from '../schemas.js';
import type { PlaceOrderBody } from '../schemas.js';

export function orderRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.post('/v1/orders', { config: { doc: { summary: 'Place an order', scope: 'orders:write', body: PlaceOrderSchema, ok: 201, returnsOrder: true } } }, async (req, reply) => {
    return idempotentCommand(deps, req, reply, 'orders:write', async (identity, idempotency) => {
      const body = parse(PlaceOrderSchema, req.body);
      const outcome = await deps.orders.place(toDraft(body, deps.clock.now()), commandContext(req, identity), { idempotency });
      if (outcome.kind === 'ok') deps.metrics.ordersPlaced.inc({ channel: body.channel });
      return outcome;
    }, { lookupFirst: false });
  });

  app.get('/v1/orders', { config: { doc: { summary: 'List orders (newest first)', scope: 'orders:read', query: ListOrdersQuerySchema, okDescription: '{ items, nextCursor }' } } }, async (req) => {
    requireScope(req, 'orders:read');
    const q = parse(ListOrdersQuerySchema, req.query, 'query');
    const beforeId = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    const rows = await deps.store.listOrders({
      limit: q.limit + 1,
      ...(q.channel !== undefined ? { channel: q.channel } : {}),
      ...(q.externalId !== undefined ? { externalId: q.externalId } : {}),
      ...(q.status !== undefined ? { status: q.status } : {}),
      ...(beforeId !== undefined ? { beforeId } : {}),
    });
    const items = rows.slice(0, q.limit);
    const more = rows.length > q.limit;
    return { items: items.map((r) => r.view), nextCursor: more ? encodeCursor(items.at(-1)!.id) : null };
  });

  app.get('/v1/orders/:id', { config: { doc: { summary: 'Read an order (ETag = version)', scope: 'orders:read', returnsOrder: true } } }, async (req, reply) => {
    requireScope(req, 'orders:read');
    const { id } = parse(OrderIdParam, req.params, 'path');
    const view = await deps.orders.get(id);
    if (!view) throw new ProblemError('not_found', `No order ${id}`);
    return reply.header('etag', etag(view.version)).send(view);
  });

  app.get('/v1/orders/:id/events', { config: { doc: { summary: 'The order timeline', scope: 'orders:read', okDescription: '{ items }' } } }, async (req) => {
    requireScope(req, 'orders:read');
    const { id } = parse(OrderIdParam, req.params, 'path');
    const events = await deps.orders.events(id);
    if (events.length === 0) throw new ProblemError('not_found', `No order ${id}`);
    return {
      items: events.map((e) => ({
        eventId: e.eventId,
        type: e.type,
        version: e.version,
        position: e.position,
        schemaVersion: e.schemaVersion,
        occurredAt: e.occurredAt,
        recordedAt: e.recordedAt,
        data: e.data,
        metadata: {
          correlationId: e.metadata.correlationId,
          causationId: e.metadata.causationId ?? null,
          actor: e.metadata.actor,
          source: e.metadata.source ?? null,
          idempotencyKey: e.metadata.idempotencyKey ?? null,
          traceparent: e.metadata.traceparent ?? null,
        },
      })),
      nextCursor: null,
    };
  });

  orderCommand(app, deps, '/v1/orders/:id/cancel', { summary: 'Cancel the order or lines of it: at once before release, asked of the node after', body: CancelOrderSchema }, (req) => {
    const body = parse(CancelOrderSchema, req.body ?? {});
    return { type: 'CancelOrder', reason: body.reason, ...(body.lines ? { lines: body.lines } : {}) };
  });
  orderCommand(app, deps, '/v1/orders/:id/holds', { summary: 'Place a hold (blocks release)', body: HoldSchema }, (req) => {
    const body = parse(HoldSchema, req.body);
    return { type: 'HoldOrder', holdType: body.type, ...(body.note !== undefined ? { note: body.note } : {}) };
  });
  orderCommand(app, deps, '/v1/orders/:id/holds/:type/release', { summary: 'Release a hold', body: ReleaseHoldSchema }, (req) => {
    const { type } = parse(HoldTypeParam, req.params, 'path');
    const body = parse(ReleaseHoldSchema, req.body ?? {});
    return { type: 'ReleaseHold', holdType: type, ...(body.note !== undefined ? { note: body.note } : {}) };
  });
  orderCommand(app, deps, '/v1/orders/:id/payment-authorizations', { summary: 'Record a payment authorization', body: PaymentAuthorizationSchema }, (req) => ({
    type: 'RecordPaymentAuthorization',
    ...parse(PaymentAuthorizationSchema, req.body),
  }));

  app.post('/v1/orders/:id/release', { config: { doc: { summary: 'Release allocated fulfillments to their nodes', scope: 'orders:write', body: ReleaseSchema, returnsOrder: true, ifMatch: true } } }, async (req, reply) =>
    idempotentCommand(deps, req, reply, 'orders:write', (identity, idempotency) => {
      const { id } = parse(OrderIdParam, req.params, 'path');
      const body = parse(ReleaseSchema, req.body ?? {});
      const expectedVersion = ifMatchVersion(req);
      return deps.orders.release(id, body.fulfillmentIds ? { fulfillmentIds: body.fulfillmentIds } : {}, commandContext(req, identity), {
        idempotency,
        ...(expectedVersion !== undefined ? { expectedVersion } : {}),
      });
    }),
  );

  app.post('/v1/orders/:id/returns', { config: { doc: { summary: 'Authorize a return (and, for an exchange, place the linked order)', scope: 'orders:write', body: ReturnSchema, ok: 201, okDescription: 'the return, the order, the exchange order' } } }, async (req, reply) =>
    withIdempotencyKey(deps, req, reply, 'orders:write', true, async (identity, idempotency) => {
      const { id } = parse(OrderIdParam, req.params, 'path');
      const body = parse(ReturnSchema, req.body);
      const ctx = commandContext(req, identity);
      const original = await deps.orders.get(id);
      if (!original) throw new ProblemError('not_found', `No order ${id}`);
      // An exchange is a return plus a linked new order; the new order's id is chosen first so the
      // return can name it. Each step has its own idempotency key derived from the request's, so a
      // retry after a crash between them finishes the work instead of doing it twice.
      const exchangeOrderId = body.exchange ? deps.newId('order') : undefined;
      const step = (suffix: string) => ({ ...idempotency, key: `${idempotency.key}#${suffix}` });
      const outcome = await deps.orders.authorizeReturn(id, { lines: body.lines, reason: body.reason, ...(exchangeOrderId ? { exchangeOrderId } : {}) }, ctx, { idempotency: step('return') });
      const view = outcome.kind === 'ok' ? outcome.view : outcome.kind === 'replayed' ? (outcome.body as OrderView) : undefined;
      if (!view) return answer(deps, reply, outcome);
      const ret = view.returns.at(-1)!;
      let exchangeOrder: unknown;
      if (body.exchange && ret.exchangeOrderId) {
        const placed = await deps.orders.place(
          {
            externalId: `${original.externalId}-X${view.returns.length}`,
            channel: original.channel,
            currency: original.currency,
            placedAt: deps.clock.now(),
            customer: original.customer,
            ...(original.shipTo ? { shipTo: original.shipTo } : {}),
            fulfillment: original.fulfillment,
            lines: body.exchange.lines.map((l, i) => ({ lineId: l.lineId ?? String(i + 1), sku: l.sku, quantity: l.quantity, unitPrice: l.unitPrice })),
            externalRefs: [{ system: 'exchange_for', id: ret.returnId }],
          },
          { ...ctx, causationId: ret.returnId },
          { orderId: ret.exchangeOrderId, payments: original.paymentMode, idempotency: step('exchange') },
        );
        exchangeOrder = placed.kind === 'ok' ? placed.view : placed.kind === 'replayed' ? placed.body : undefined;
        if (!exchangeOrder) return answer(deps, reply, placed);
      }
      const body201 = { ...ret, orderId: id, order: view, ...(exchangeOrder ? { exchangeOrder } : {}) };
      await deps.store.commit([{ idempotency: { ...idempotency, status: 201, body: body201 } }]);
      return reply.code(201).send(body201);
    }),
  );

  app.get('/v1/returns/:id', { config: { doc: { summary: 'A return and what was received', scope: 'orders:read' } } }, async (req) => {
    requireScope(req, 'orders:read');
    const { id } = parse(OrderIdParam, req.params, 'path');
    const orderId = orderIdOf(id);
    const order = orderId ? await deps.orders.get(orderId) : undefined;
    const ret = order?.returns.find((r) => r.returnId === id);
    if (!ret) throw new ProblemError('not_found', `No return ${id}`);
    return { ...ret, orderId };
  });
}

/** A mutating call on one order: scope, idempotency, If-Match, then the command the body describes. */
function orderCommand(
  app: FastifyInstance,
  deps: ApiDeps,
  path: string,
  doc: Pick<RouteDoc, 'summary' | 'body'>,
  toCommand: (req: FastifyRequest) => LiveOrderCommand,
): void {
  app.post(path, { config: { doc: { ...doc, scope: 'orders:write', returnsOrder: true, ifMatch: true } } }, async (req, reply) =>
    idempotentCommand(deps, req, reply, 'orders:write', (identity, idempotency) => {
      const { id } = parse(OrderIdParam.loose(), req.params, 'path');
      const command = toCommand(req);
      const expectedVersion = ifMatchVersion(req);
      return deps.orders.execute(id, command, commandContext(req, identity), {
        idempotency,
        ...(expectedVersion !== undefined ? { expectedVersion } : {}),
      });
    }),
  );
}

type LiveOrderCommand = Parameters<ApiDeps['orders']['execute']>[1];

function toDraft(body: PlaceOrderBody, now: string): OrderDraft {
  const { placedAt, shipTo, payment, externalRefs, ...rest } = body;
  return {
    ...rest,
    placedAt: placedAt ?? now,
    ...(shipTo ? { shipTo } : {}),
    ...(payment ? { payment } : {}),
    ...(externalRefs ? { externalRefs } : {}),
  } as OrderDraft;
}

const encodeCursor = (id: string): string => Buffer.from(JSON.stringify({ b: id })).toString('base64url');

function decodeCursor(cursor: string): string {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { b?: unknown };
    if (typeof v.b === 'string') return v.b;
  } catch {
    /* falls through to the error below */
  }
  throw new ProblemError('validation_failed', 'The cursor is not one this API returned', [{ path: 'cursor', message: 'invalid cursor' }]);
}
