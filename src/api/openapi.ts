import { z } from 'zod';
import type { DocumentedRoute, RouteDoc } from './routeDoc.js';
import { openApiPath } from './routeDoc.js';

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });

/**
 * The OpenAPI document, generated from what each route declared at registration (routeDoc.ts):
 * the very schemas the handlers validate with.
 */
export function buildOpenApi(version: string, routes: readonly DocumentedRoute[]): Record<string, unknown> {
  const problem = { description: 'Error', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
  const order = { description: 'The order (ETag: its version)', content: { 'application/json': { schema: { $ref: '#/components/schemas/Order' } } } };
  const errors = { 400: problem, 401: problem, 403: problem, 404: problem, 409: problem, 412: problem, 413: problem, 422: problem };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of [...routes].sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method))) {
    const { path, params } = openApiPath(r.url);
    (paths[path] ??= {})[r.method] = operation(r.method, r.doc, params, { problem, order, errors });
  }
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
    paths,
  };
}

function operation(method: string, doc: RouteDoc, pathParams: readonly string[], c: { problem: object; order: object; errors: object }): Record<string, unknown> {
  const mutating = method !== 'get';
  const key = doc.idempotencyKey ?? (mutating ? 'required' : 'none');
  const parameters: object[] = [
    ...pathParams.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
    ...(doc.query ? Object.entries((jsonSchema(doc.query) as { properties?: Record<string, unknown> }).properties ?? {}).map(([name, schema]) => ({ name, in: 'query', required: false, schema })) : []),
    ...(key !== 'none' ? [{ name: 'Idempotency-Key', in: 'header', required: key === 'required', schema: { type: 'string', minLength: 1, maxLength: 255 } }] : []),
    ...(doc.ifMatch ? [{ name: 'If-Match', in: 'header', required: false, schema: { type: 'string' }, description: 'The order version from ETag' }] : []),
  ];
  const body = doc.body && ('contents' in doc.body && !('safeParse' in doc.body)
    ? { required: true, content: Object.fromEntries(Object.entries(doc.body.contents).map(([type, schema]) => [type, { schema }])) }
    : { required: true, content: { 'application/json': { schema: jsonSchema(doc.body as z.ZodType) } } });
  const ok = doc.returnsOrder ? c.order : { description: doc.okDescription ?? 'OK' };
  return {
    summary: doc.summary,
    ...(doc.scope ? { description: `Scope: \`${doc.scope}\`.` } : {}),
    ...(doc.auth ? { security: [] } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(body ? { requestBody: body } : {}),
    responses: { [doc.ok ?? 200]: ok, ...(mutating || doc.query || pathParams.length ? c.errors : {}) },
  };
}
