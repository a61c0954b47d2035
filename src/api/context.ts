import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { hasScope } from '../app/apiKeys.js';
import type { Clock } from '../app/clock.js';
import type { IdGenerator } from '../app/ids.js';
import type { Metrics } from '../app/metrics.js';
import type { CommandContext, CommandOutcome, IdempotencyIntent, OrderService } from '../app/orderService.js';
import type { Identity, Store } from '../store/port.js';
import type { RoutingContext } from '../app/routingContext.js';
import type { ExceptionService } from '../app/exceptions.js';
import type { InventoryService } from '../app/inventoryService.js';
import type { InboundSink } from '../connectors/port.js';
import type { MappingTables } from '../connectors/mapping/index.js';
import type { ReconciliationService } from '../app/reconcile/reconciliationService.js';
import type { createInFlightKeys } from './idempotency.js';
import { requestFingerprint, requireIdempotencyKey } from './idempotency.js';
import { ProblemError, fromDomainError } from './problem.js';
import { stringifyOnce } from '../shared/json.js';
import type { RouteDoc } from './routeDoc.js';

/** What the HTTP layer is given; built once by the server factory. */
export interface ApiDeps {
  readonly store: Store;
  readonly orders: OrderService;
  readonly routing: RoutingContext;
  readonly inventory: InventoryService;
  readonly exceptions: ExceptionService;
  readonly inbound: InboundSink;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly clock: Clock;
  readonly newId: IdGenerator;
  readonly authenticate: (key: string) => Promise<Identity | undefined>;
  readonly inFlight: ReturnType<typeof createInFlightKeys>;
  readonly ready: () => Promise<void>;
  /** Wakes the outbox dispatcher (after a dead letter is redriven). */
  readonly nudgeDispatcher?: () => void;
  /** Reconciliation runs (POST/GET /v1/reconciliations), when the runtime has them. */
  readonly reconciliation?: ReconciliationApi;
}

export interface ReconciliationApi {
  readonly service: ReconciliationService;
  /** The mapping tables an X12 846 of this target is read with (its batch connector's), if any. */
  readonly mappingFor: (target: string) => MappingTables | undefined;
  /** Snapshots are bigger than commands: their own body limit. */
  readonly bodyLimitBytes: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    identity?: Identity;
    correlationId: string;
    /** The body as received, for signature verification. */
    rawBody?: Buffer;
  }
  interface FastifyContextConfig {
    /** `signature`: no API key; the route verifies a signature over `rawBody` before parsing it. */
    auth?: 'signature';
    /** What the route says about itself for /openapi.json. */
    doc?: RouteDoc;
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
 * The Idempotency-Key rules every mutating endpoint shares: scope → key → fingerprint → stored
 * replay (or 422 for a different request) → in-flight guard (409) → `execute`.
 */
export async function withIdempotencyKey(
  deps: ApiDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  scope: string,
  lookupFirst: boolean,
  execute: (identity: Identity, intent: IdempotencyIntent) => Promise<FastifyReply>,
): Promise<FastifyReply> {
  const identity = requireScope(req, scope);
  const key = requireIdempotencyKey(req);
  const path = req.url.split('?')[0] ?? req.url;
  const intent: IdempotencyIntent = { scope: identity.id, key, fingerprint: requestFingerprint(req.method, path, req.body) };
  const stored = lookupFirst ? await deps.store.getIdempotency(intent.scope, key) : undefined;
  if (stored) return answer(deps, reply, stored.fingerprint === intent.fingerprint ? { kind: 'replayed', status: stored.status, body: stored.body } : { kind: 'idempotency_key_reused' });
  if (!deps.inFlight.tryEnter(intent.scope, key)) {
    throw new ProblemError('request_in_progress', 'A request with this Idempotency-Key is still being processed; retry shortly');
  }
  try {
    return await execute(identity, intent);
  } finally {
    deps.inFlight.leave(intent.scope, key);
  }
}

/**
 * An order command: its response is stored with its effects, in the same unit. A command that
 * could be refused on a retry (cancel: nothing left to cancel) must find its stored answer first;
 * placing an order cannot be refused that way, so it skips the read (`lookupFirst: false`) and
 * meets its stored record at commit instead (the unit is refused and the record replayed).
 */
export function idempotentCommand(
  deps: ApiDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  scope: string,
  run: (identity: Identity, intent: IdempotencyIntent) => Promise<CommandOutcome>,
  options: { lookupFirst?: boolean } = {},
): Promise<FastifyReply> {
  return withIdempotencyKey(deps, req, reply, scope, options.lookupFirst !== false, async (identity, intent) =>
    answer(deps, reply, await run(identity, intent)),
  );
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
 * A mutation outside an order stream (nodes, inventory, rulesets): the same key rules; the
 * response is recorded after the action, which is itself naturally idempotent (a snapshot by
 * asOf, an adjustment by sourceId, a node by id), so a crash between the two is harmless.
 */
export function idempotentAction(
  deps: ApiDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  scope: string,
  run: (identity: Identity) => Promise<{ status: number; body: unknown }>,
): Promise<FastifyReply> {
  return withIdempotencyKey(deps, req, reply, scope, true, async (identity, intent) => {
    const result = await run(identity);
    await deps.store.commit([{ idempotency: { ...intent, status: result.status, body: result.body } }]);
    return reply.code(result.status).send(result.body);
  });
}
