import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { hasScope } from '../app/apiKeys.js';
import type { Clock } from '../app/clock.js';
import type { IdGenerator } from '../app/ids.js';
import type { Metrics } from '../app/metrics.js';
import type { CommandContext, CommandOutcome, IdempotencyIntent, OrderService } from '../app/orderService.js';
import type { Identity, Store } from '../store/port.js';
import type { RoutingContext } from '../app/routingContext.js';
import type { createInFlightKeys } from './idempotency.js';
import { requestFingerprint, requireIdempotencyKey } from './idempotency.js';
import { ProblemError, fromDomainError } from './problem.js';
import { stringifyOnce } from '../shared/json.js';

/** What the HTTP layer is given; built once by the server factory. */
export interface ApiDeps {
  readonly store: Store;
  readonly orders: OrderService;
  readonly routing: RoutingContext;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly clock: Clock;
  readonly newId: IdGenerator;
  readonly authenticate: (key: string) => Promise<Identity | undefined>;
  readonly inFlight: ReturnType<typeof createInFlightKeys>;
  readonly ready: () => Promise<void>;
}

declare module 'fastify' {
  interface FastifyRequest {
    identity?: Identity;
    correlationId: string;
    /** The body as received, for signature verification. */
    rawBody?: string;
  }
}

export function requireScope(req: FastifyRequest, scope: string): Identity {
  const identity = req.identity;
  if (!identity) throw new ProblemError('unauthorized', 'Send Authorization: Bearer <api key>');
  if (!hasScope(identity, scope)) throw new ProblemError('forbidden', `This call needs the ${scope} scope`);
  return identity;
}

export function commandContext(req: FastifyRequest, identity: Identity): CommandContext {
  const traceparent = req.headers.traceparent;
  return {
    correlationId: req.correlationId,
    actor: { kind: 'service', id: identity.id },
    source: { system: 'api', messageId: req.id },
    ...(typeof traceparent === 'string' && /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/.test(traceparent) ? { traceparent } : {}),
  };
}

/** `If-Match: "3"` (or W/"3", or 3) → 3; absent or `*` → undefined. */
export function ifMatchVersion(req: FastifyRequest): number | undefined {
  const raw = req.headers['if-match'];
  if (raw === undefined || raw === '*') return undefined;
  const m = /^\s*(?:W\/)?(?:"(\d{1,9})"|(\d{1,9}))\s*$/.exec(String(raw));
  if (!m) {
    throw new ProblemError('validation_failed', 'If-Match must be an order version as returned in ETag, e.g. "3"', [
      { path: 'header.If-Match', message: 'must be an ETag such as "3"' },
    ]);
  }
  return Number(m[1] ?? m[2]);
}

export const etag = (version: number): string => `"${version}"`;

/**
 * The idempotent mutation pipeline shared by every mutating endpoint: key → fingerprint → stored
 * replay or reuse → in-flight guard → run (which stores its response with its effects) → answer.
 */
export async function idempotentCommand(
  deps: ApiDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  scope: string,
  run: (identity: Identity, intent: IdempotencyIntent) => Promise<CommandOutcome>,
  options: { lookupFirst?: boolean } = {},
): Promise<FastifyReply> {
  const identity = requireScope(req, scope);
  const key = requireIdempotencyKey(req);
  const path = req.url.split('?')[0] ?? req.url;
  const intent: IdempotencyIntent = { scope: identity.id, key, fingerprint: requestFingerprint(req.method, path, req.body) };
  // A command that could be refused on a retry (cancel: nothing left to cancel) must find its
  // stored answer first. Placing an order cannot be refused that way, so it skips the read and
  // meets its stored record at commit instead (the unit is refused and the record replayed).
  const stored = options.lookupFirst === false ? undefined : await deps.store.getIdempotency(intent.scope, key);
  if (stored) return answer(deps, reply, stored.fingerprint === intent.fingerprint ? { kind: 'replayed', status: stored.status, body: stored.body } : { kind: 'idempotency_key_reused' });
  if (!deps.inFlight.tryEnter(intent.scope, key)) {
    throw new ProblemError('request_in_progress', 'A request with this Idempotency-Key is still being processed; retry shortly');
  }
  try {
    return answer(deps, reply, await run(identity, intent));
  } finally {
    deps.inFlight.leave(intent.scope, key);
  }
}

export function answer(deps: ApiDeps, reply: FastifyReply, outcome: CommandOutcome): FastifyReply {
  switch (outcome.kind) {
    case 'ok':
      return reply.code(outcome.status).header('etag', etag(outcome.view.version)).type('application/json; charset=utf-8').send(stringifyOnce(outcome.view));
    case 'replayed': {
      deps.metrics.duplicatesSuppressed.inc({ kind: 'idempotent_replay' });
      const version = (outcome.body as { version?: unknown } | null)?.version;
      if (typeof version === 'number') reply.header('etag', etag(version));
      return reply.code(outcome.status).header('idempotent-replayed', 'true').send(outcome.body);
    }
    case 'refused':
      deps.metrics.commandsRefused.inc({ code: outcome.error.code });
      throw fromDomainError(outcome.error);
    case 'duplicate_order':
      deps.metrics.duplicatesSuppressed.inc({ kind: 'duplicate_order' });
      throw new ProblemError('duplicate_order', `Order ${outcome.orderId} already has this channel and externalId`, [], { orderId: outcome.orderId });
    case 'idempotency_key_reused':
      throw new ProblemError('idempotency_key_reused', 'This Idempotency-Key was already used with a different request (method, path or body)');
  }
}

/**
 * The idempotent pipeline for mutations outside an order stream (nodes, inventory, rulesets):
 * the same key rules; the response is recorded after the action, which is itself naturally
 * idempotent (a snapshot by asOf, an adjustment by sourceId, a node by id), so a crash between
 * the two is harmless.
 */
export async function idempotentAction(
  deps: ApiDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  scope: string,
  run: (identity: Identity) => Promise<{ status: number; body: unknown }>,
): Promise<FastifyReply> {
  const identity = requireScope(req, scope);
  const key = requireIdempotencyKey(req);
  const path = req.url.split('?')[0] ?? req.url;
  const fingerprint = requestFingerprint(req.method, path, req.body);
  const stored = await deps.store.getIdempotency(identity.id, key);
  if (stored) {
    if (stored.fingerprint !== fingerprint) throw new ProblemError('idempotency_key_reused', 'This Idempotency-Key was already used with a different request (method, path or body)');
    deps.metrics.duplicatesSuppressed.inc({ kind: 'idempotent_replay' });
    return reply.code(stored.status).header('idempotent-replayed', 'true').send(stored.body);
  }
  if (!deps.inFlight.tryEnter(identity.id, key)) {
    throw new ProblemError('request_in_progress', 'A request with this Idempotency-Key is still being processed; retry shortly');
  }
  try {
    const result = await run(identity);
    await deps.store.commit([{ idempotency: { scope: identity.id, key, fingerprint, status: result.status, body: result.body } }]);
    return reply.code(result.status).send(result.body);
  } finally {
    deps.inFlight.leave(identity.id, key);
  }
}
