import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { OrderDraft } from '../../domain/order/index.js';
import type { ApiDeps } from '../context.js';
import { commandContext, etag, idempotentCommand, ifMatchVersion, requireScope } from '../context.js';
import { ProblemError } from '../problem.js';
import {
  CancelOrderSchema,
  HoldSchema,
  HoldTypeParam,
  ListOrdersQuerySchema,
  OrderIdParam,
  PaymentAuthorizationSchema,
  PlaceOrderSchema,
  ReleaseHoldSchema,
  parse,
} from '../schemas.js';
import type { PlaceOrderBody } from '../schemas.js';

export function orderRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.post('/v1/orders', async (req, reply) => {
    return idempotentCommand(deps, req, reply, 'orders:write', async (identity, idempotency) => {
      const body = parse(PlaceOrderSchema, req.body);
      const outcome = await deps.orders.place(toDraft(body, deps.clock.now()), commandContext(req, identity), { idempotency });
      if (outcome.kind === 'ok') deps.metrics.ordersPlaced.inc({ channel: body.channel });
      return outcome;
    }, { lookupFirst: false });
  });

  app.get('/v1/orders', async (req) => {
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

  app.get('/v1/orders/:id', async (req, reply) => {
    requireScope(req, 'orders:read');
    const { id } = parse(OrderIdParam, req.params, 'path');
    const view = await deps.orders.get(id);
    if (!view) throw new ProblemError('not_found', `No order ${id}`);
    return reply.header('etag', etag(view.version)).send(view);
  });

  app.get('/v1/orders/:id/events', async (req) => {
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

  orderCommand(app, deps, '/v1/orders/:id/cancel', (req) => {
    const body = parse(CancelOrderSchema, req.body ?? {});
    return { type: 'CancelOrder', reason: body.reason, ...(body.lines ? { lines: body.lines } : {}) };
  });
  orderCommand(app, deps, '/v1/orders/:id/holds', (req) => {
    const body = parse(HoldSchema, req.body);
    return { type: 'HoldOrder', holdType: body.type, ...(body.note !== undefined ? { note: body.note } : {}) };
  });
  orderCommand(app, deps, '/v1/orders/:id/holds/:type/release', (req) => {
    const { type } = parse(HoldTypeParam, req.params, 'path');
    const body = parse(ReleaseHoldSchema, req.body ?? {});
    return { type: 'ReleaseHold', holdType: type, ...(body.note !== undefined ? { note: body.note } : {}) };
  });
  orderCommand(app, deps, '/v1/orders/:id/payment-authorizations', (req) => ({
    type: 'RecordPaymentAuthorization',
    ...parse(PaymentAuthorizationSchema, req.body),
  }));
}

/** A mutating call on one order: scope, idempotency, If-Match, then the command the body describes. */
function orderCommand(
  app: FastifyInstance,
  deps: ApiDeps,
  path: string,
  toCommand: (req: FastifyRequest) => LiveOrderCommand,
): void {
  app.post(path, async (req, reply) =>
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
