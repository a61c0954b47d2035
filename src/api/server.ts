import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { ApiDeps } from './context.js';
import { parseJsonBody } from './jsonBody.js';
import { buildOpenApi } from './openapi.js';
import type { DocumentedRoute, RouteDoc } from './routeDoc.js';
import { ProblemError, problem, sendProblem } from './problem.js';
import { deadLetterRoutes } from './routes/deadLetters.js';
import { inventoryRoutes } from './routes/inventory.js';
import { orderRoutes } from './routes/orders.js';
import { routingRoutes } from './routes/routing.js';
import { exceptionRoutes } from './routes/exceptions.js';
import { fulfillmentRoutes } from './routes/fulfillments.js';
import { reconciliationRoutes } from './routes/reconciliations.js';
import { parse as parseYaml } from 'yaml';

export { parseJsonBody } from './jsonBody.js';

export interface ServerOptions {
  /** Largest accepted request body; larger gets 413 payload_too_large. */
  readonly bodyLimitBytes: number;
  readonly version: string;
}

const CORRELATION = /^[\x21-\x7E]{1,128}$/;

/** The HTTP edge: auth, correlation ids, problem+json, metrics, and the routes. No business logic. */
export function buildServer(deps: ApiDeps, options: ServerOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.log as unknown as FastifyBaseLogger,
    // One log line per response is written by the onResponse hook below, without bodies.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimitBytes,
    genReqId: () => randomUUID(),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  // JSON only: a text/plain body is 415, not a string that fails validation. The JSON parser
  // refuses prototype poisoning and characters no store can keep (NUL, lone surrogates), and
  // keeps the raw body for signature checks.
  app.removeContentTypeParser(['text/plain', 'application/json']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const raw = body as Buffer;
    req.rawBody = raw;
    // A signed webhook is verified before its body is parsed: the route parses it (parseJsonBody).
    if (signatureAuth(req)) return done(null, undefined);
    try {
      done(null, parseJsonBody(raw.toString('utf8')));
    } catch (err) {
      done(err as Error);
    }
  });
  // Rulesets may be uploaded as YAML.
  app.addContentTypeParser(['application/yaml', 'application/x-yaml', 'text/yaml'], { parseAs: 'string' }, (req, body, done) => {
    req.rawBody = Buffer.from(body as string, 'utf8');
    try {
      done(null, parseYaml(body as string, { maxAliasCount: 50 }));
    } catch (err) {
      done(new ProblemError('validation_failed', `The body is not valid YAML: ${(err as Error).message}`, [{ path: 'body', message: 'malformed YAML' }]));
    }
  });
  // Every route documents itself at registration (routeDoc.ts): the OpenAPI document is built from these.
  const documented: DocumentedRoute[] = [];
  app.addHook('onRoute', (route) => {
    const doc = (route.config as { doc?: RouteDoc } | undefined)?.doc;
    if (!doc) return;
    for (const method of [route.method].flat()) if (method !== 'HEAD') documented.push({ method: method.toLowerCase(), url: route.url, doc });
  });
  app.decorateRequest('identity', undefined);
  app.decorateRequest('correlationId', '');

  app.addHook('onRequest', async (req, reply) => {
    const incoming = req.headers['x-correlation-id'];
    req.correlationId = typeof incoming === 'string' && CORRELATION.test(incoming) ? incoming : randomUUID();
    reply.header('x-correlation-id', req.correlationId);
    if (!req.url.startsWith('/v1/')) return;
    // Webhook routes authenticate by signature, verified in the route before parsing.
    if (signatureAuth(req)) return;
    const auth = req.headers.authorization;
    const m = typeof auth === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
    const identity = m?.[1] ? await deps.authenticate(m[1]) : undefined;
    if (!identity) {
      reply.header('www-authenticate', 'Bearer');
      throw new ProblemError('unauthorized', m ? 'The API key is not valid' : 'Send Authorization: Bearer <api key>');
    }
    req.identity = identity;
  });

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    deps.metrics.httpRequests.inc({ method: req.method, route, status: String(reply.statusCode) });
    deps.metrics.httpDuration.observe({ method: req.method, route }, seconds);
    req.log.info(
      { method: req.method, route, path: req.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10, correlationId: req.correlationId, identity: req.identity?.id },
      'request',
    );
  });

  // On shutdown, in-flight requests finish and their keep-alive connections close behind them,
  // so `close()` completes instead of waiting out the clients' keep-alive.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_req, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  app.setErrorHandler((err: FastifyError | ProblemError, req, reply) => {
    if (err instanceof ProblemError) return sendProblem(reply, problem(err.code, err.detail, err.errors, err.extra));
    switch (err.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendProblem(reply, problem('payload_too_large', `The body exceeds ${options.bodyLimitBytes} bytes`));
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return sendProblem(reply, problem('unsupported_media_type', 'Send JSON with Content-Type: application/json'));
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return sendProblem(reply, problem('validation_failed', 'The body is empty; send a JSON object', [{ path: 'body', message: 'required' }]));
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return sendProblem(reply, problem('validation_failed', 'The Content-Length does not match the body'));
    }
    if (err.statusCode === 400 || err instanceof SyntaxError) {
      return sendProblem(reply, problem('validation_failed', `The body is not valid JSON: ${err.message}`, [{ path: 'body', message: 'malformed JSON' }]));
    }
    if (err.statusCode === 413) return sendProblem(reply, problem('payload_too_large', err.message));
    req.log.error({ err, correlationId: req.correlationId }, 'unhandled error');
    return sendProblem(reply, problem('internal_error', 'Something went wrong; the request may be retried with the same Idempotency-Key'));
  });

  app.setNotFoundHandler((req, reply) => sendProblem(reply, problem('not_found', `No route ${req.method} ${req.url.split('?')[0]}`)));

  app.get('/healthz', { config: { doc: { summary: 'Process up', auth: 'none' } } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { doc: { summary: 'Store reachable (else 503)', auth: 'none' } } }, async (_req, reply) => {
    try {
      await deps.ready();
      return { status: 'ready', store: deps.store.dialect };
    } catch (err) {
      return sendProblem(reply, problem('unavailable', `The store is not reachable: ${(err as Error).message}`));
    }
  });
  app.get('/metrics', { config: { doc: { summary: 'Prometheus metrics', auth: 'none' } } }, async (_req, reply) => {
    // Open exceptions are counted at scrape time: they change in every process and by other writers.
    deps.metrics.exceptionsOpen.reset();
    for (const r of await deps.store.countOpenExceptions()) deps.metrics.exceptionsOpen.set({ type: r.type, severity: r.severity }, r.count);
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  // Built on first request, once every route (including those added after this server) is registered.
  let openapi: Record<string, unknown> | undefined;
  app.get('/openapi.json', { config: { doc: { summary: 'This document', auth: 'none' } } }, async () => (openapi ??= buildOpenApi(options.version, documented)));

  orderRoutes(app, deps);
  inventoryRoutes(app, deps);
  routingRoutes(app, deps);
  fulfillmentRoutes(app, deps);
  exceptionRoutes(app, deps);
  deadLetterRoutes(app, deps);
  if (deps.reconciliation) reconciliationRoutes(app, deps, deps.reconciliation);
  return app;
}

/** Routes declared with `config: { auth: 'signature' }` take no API key: they verify a signature over the raw body. */
function signatureAuth(req: FastifyRequest): boolean {
  return (req.routeOptions.config as { auth?: string } | undefined)?.auth === 'signature';
}
