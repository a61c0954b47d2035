import { z } from 'zod';
import {
  CancelOrderSchema,
  HoldSchema,
  ListOrdersQuerySchema,
  PaymentAuthorizationSchema,
  PlaceOrderSchema,
  ReleaseHoldSchema,
} from './schemas.js';

/** POST /v1/reconciliations as JSON; rows are checked one by one by the handler (snapshotRows.ts), described here. */
const RECONCILIATION_BODY = {
  type: 'object',
  required: ['target', 'kind', 'asOf', 'rows'],
  properties: {
    target: { type: 'string' }, kind: { enum: ['orders', 'inventory', 'payments'] }, asOf: { type: 'string', format: 'date-time' }, scope: { enum: ['all', 'open_only'] },
    rows: { type: 'array', items: { type: 'object', description: 'orders { fulfillmentId, status, lines: [{ lineId, quantity, shipped }] }; inventory { nodeId, sku, onHand, asOf? }; payments { orderId, authorized, captured, refunded, currency? }' } },
  },
};

/** The OpenAPI document, generated from the very schemas the handlers validate with. */
export function buildOpenApi(version: string): Record<string, unknown> {
  const body = (schema: z.ZodType) => ({
    required: true,
    content: { 'application/json': { schema: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) } },
  });
  const problem = { description: 'Error', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
  const order = { description: 'The order', content: { 'application/json': { schema: { $ref: '#/components/schemas/Order' } } } };
  const idem = { name: 'Idempotency-Key', in: 'header', required: true, schema: { type: 'string', minLength: 1, maxLength: 255 } };
  const ifMatch = { name: 'If-Match', in: 'header', required: false, schema: { type: 'string' }, description: 'The order version from ETag' };
  const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
  const errors = { 400: problem, 401: problem, 403: problem, 404: problem, 409: problem, 412: problem, 413: problem, 422: problem };
  const mutation = (summary: string, schema: z.ZodType, ok: number, extra: object[] = []) => ({
    summary,
    parameters: [idem, ...extra],
    requestBody: body(schema),
    responses: { [ok]: order, ...errors },
  });
  const listParams = Object.entries((z.toJSONSchema(ListOrdersQuerySchema, { io: 'input' }) as { properties: Record<string, unknown> }).properties).map(
    ([name, schema]) => ({ name, in: 'query', required: false, schema }),
  );
  return {
    openapi: '3.1.0',
    info: { title: 'Orderly', version, description: 'Order orchestration: the public HTTP contract (docs/api.md).' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'detail', 'code', 'errors'],
          properties: {
            type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, code: { type: 'string' },
            errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
          },
        },
        Order: { type: 'object', required: ['id', 'externalId', 'channel', 'status', 'version', 'lines'], additionalProperties: true },
      },
    },
    security: [{ bearer: [] }],
    paths: {
      '/v1/orders': {
        post: mutation('Place an order', PlaceOrderSchema, 201),
        get: { summary: 'List orders (newest first)', parameters: listParams, responses: { 200: { description: '{ items, nextCursor }' }, 400: problem, 401: problem } },
      },
      '/v1/orders/{id}': { get: { summary: 'Read an order (ETag = version)', parameters: [idParam], responses: { 200: order, 404: problem } } },
      '/v1/orders/{id}/events': { get: { summary: 'The order timeline', parameters: [idParam], responses: { 200: { description: '{ items }' }, 404: problem } } },
      '/v1/orders/{id}/cancel': { post: mutation('Cancel the order, or lines of it, before release', CancelOrderSchema, 200, [idParam, ifMatch]) },
      '/v1/orders/{id}/holds': { post: mutation('Place a hold', HoldSchema, 200, [idParam, ifMatch]) },
      '/v1/orders/{id}/holds/{type}/release': {
        post: mutation('Release a hold', ReleaseHoldSchema, 200, [idParam, ifMatch, { name: 'type', in: 'path', required: true, schema: { type: 'string' } }]),
      },
      '/v1/orders/{id}/payment-authorizations': { post: mutation('Record a payment authorization', PaymentAuthorizationSchema, 200, [idParam]) },
      '/v1/reconciliations': {
        post: {
          summary: 'A target\'s snapshot: checked, stored, reconciled in the background (docs/reconciliation.md)',
          parameters: [idem, ...['target', 'kind', 'asOf'].map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' }, description: 'for a CSV or X12 body' }))],
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: RECONCILIATION_BODY },
              'text/csv': { schema: { type: 'string' } },
              'application/edi-x12': { schema: { type: 'string', description: 'an X12 846 (kind inventory)' } },
            },
          },
          responses: { 202: { description: '{ id, status, target, kind, asOf, rows }' }, ...errors },
        },
        get: { summary: 'Runs, newest first (target, kind, status, limit, cursor)', responses: { 200: { description: '{ items, nextCursor }' }, 400: problem } },
      },
      '/v1/reconciliations/{id}': {
        get: { summary: 'A run: status, progress, totals per class, drifts (limit, cursor, status, class)', parameters: [idParam], responses: { 200: { description: 'the run with drifts' }, 404: problem } },
      },
      '/healthz': { get: { summary: 'Process up', security: [], responses: { 200: { description: 'ok' } } } },
      '/readyz': { get: { summary: 'Store reachable', security: [], responses: { 200: { description: 'ready' }, 503: problem } } },
      '/metrics': { get: { summary: 'Prometheus metrics', security: [], responses: { 200: { description: 'text/plain' } } } },
    },
  };
}
