import { formatPath } from '../../api/problem.js';
import type { ConnectorCapabilities, Fact, OutboundMessageType } from '../port.js';
import type { SimFaults, SimFaultsInput } from './faults.js';
import { activeOutage, decideRequestFaults, simFaultsSchema } from './faults.js';
import { randomFor } from './random.js';
import type { SimClock } from './simClock.js';

/** One request in the default wire format: `{ type, idempotencyKey, message }`. */
export interface SimRequest {
  readonly type: string;
  readonly idempotencyKey: string;
  readonly message: unknown;
}

/** What a simulator's business logic answers. */
export interface SimAnswer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * How one exchange ends on the wire: an answer, a refused connection, a connection reset without
 * an answer, or no answer at all (`hang`: the sender times out). `processed`: it changed the
 * simulator's state.
 */
export interface SimExchange extends SimAnswer {
  readonly transport: 'respond' | 'refuse' | 'reset' | 'hang';
  readonly latencyMs: number;
  readonly processed: boolean;
}

export interface Count {
  /** Requests that arrived, whatever became of them. */
  arrived: number;
  /** Requests processed as new (not refused by a fault, not replayed by deduplication). */
  accepted: number;
}

export interface SimCounters {
  readonly byType: Readonly<Record<string, Count>>;
  readonly byKey: Readonly<Record<string, Count>>;
}

/** What every simulator offers its transports (`serveSimulator`, `createInProcessConnector`). */
export interface Simulator {
  readonly id: string;
  readonly kind: 'wms' | 'store' | 'payment' | 'recorder';
  readonly clock: SimClock;
  /** What a connector to it may claim. */
  readonly capabilities: ConnectorCapabilities;
  readonly handles: readonly OutboundMessageType[];
  receive(request: SimRequest): SimExchange;
  status(idempotencyKey: string): SimExchange;
  counters(): SimCounters;
  faults(): SimFaults;
  setFaults(faults: SimFaultsInput): void;
  /** Calls `listener` after every `setFaults`; returns the unsubscribe. */
  watchFaults(listener: () => void): () => void;
  /** The simulator's own view (served at `GET /v1/snapshot`). */
  snapshot(): unknown;
}

export interface SimCoreOptions {
  readonly id: string;
  readonly seed: number;
  readonly clock: SimClock;
  /** The target deduplicates by Idempotency-Key: a repeat gets the first answer, and nothing is done again. */
  readonly dedupe: boolean;
  readonly faults?: SimFaultsInput;
}

/**
 * The request pipeline every simulator shares: counting, outage windows, injected faults,
 * deduplication, and what a status query can tell. The business logic is the `process` callback.
 */
export function createSimCore(options: SimCoreOptions) {
  let faults: SimFaults = simFaultsSchema.parse(options.faults ?? {});
  const watchers = new Set<() => void>();
  const byType: Record<string, Count> = {};
  const byKey: Record<string, Count> = {};
  const answered = new Map<string, { fingerprint: string; answer: SimAnswer }>();
  const count = (table: Record<string, Count>, k: string): Count => (table[k] ??= { arrived: 0, accepted: 0 });

  return {
    faults: () => faults,
    /** Replaces the faults from now on (validated; a bad option throws and changes nothing). */
    setFaults(input: SimFaultsInput): void {
      faults = simFaultsSchema.parse(input);
      for (const w of watchers) w();
    },
    watchFaults(listener: () => void): () => void {
      watchers.add(listener);
      return () => watchers.delete(listener);
    },
    receive(request: SimRequest, process: (request: SimRequest) => SimAnswer): SimExchange {
      const typeCount = count(byType, request.type);
      const keyCount = count(byKey, request.idempotencyKey);
      typeCount.arrived++;
      keyCount.arrived++;
      const rng = randomFor(options.seed, options.id, 'request', request.idempotencyKey, keyCount.arrived);
      const decided = decideRequestFaults(faults, keyCount.arrived, rng);
      const refused = (a: Omit<SimExchange, 'processed' | 'latencyMs'>): SimExchange => ({ ...a, processed: false, latencyMs: decided.latencyMs });
      const outage = activeOutage(faults, options.clock.elapsedMs());
      if (outage?.mode === 'refuse') return refused({ transport: 'refuse', status: 0 });
      if (outage) return refused({ transport: 'respond', ...unavailable(Math.ceil((outage.toMs - options.clock.elapsedMs()) / 1000)) });
      if (decided.before.kind === 'transient') {
        return decided.before.transport === 'reset' ? refused({ transport: 'reset', status: 0 }) : refused({ transport: 'respond', ...unavailable(faults.retryAfterSeconds) });
      }
      if (decided.before.kind === 'business') {
        return refused({ transport: 'respond', status: 422, body: { code: decided.before.code, detail: `simulated ${decided.before.code}` } });
      }
      const fingerprint = JSON.stringify([request.type, request.message]);
      const seen = answered.get(request.idempotencyKey);
      let answer: SimAnswer;
      let processed = false;
      if (options.dedupe && seen) {
        answer = seen.fingerprint === fingerprint ? seen.answer : { status: 422, body: { code: 'idempotency_key_reused', detail: 'this Idempotency-Key came with another request' } };
      } else {
        answer = process(request);
        // Only a request that changed something is "received": one refused as invalid may be resent.
        if (answer.status >= 200 && answer.status < 300) {
          processed = true;
          typeCount.accepted++;
          keyCount.accepted++;
          answered.set(request.idempotencyKey, { fingerprint, answer });
        }
      }
      const transport = processed && decided.dropAck ? (decided.dropAck === 'hang' ? 'hang' : 'reset') : 'respond';
      return { ...answer, transport, processed, latencyMs: decided.latencyMs };
    },
    /** The status query of the wire format: 200 `{ status: "received", facts? }` or 404. */
    status(idempotencyKey: string): SimExchange {
      const outage = activeOutage(faults, options.clock.elapsedMs());
      const base = { processed: false, latencyMs: 0 };
      if (outage?.mode === 'refuse') return { ...base, transport: 'refuse', status: 0 };
      if (outage) return { ...base, transport: 'respond', ...unavailable(Math.ceil((outage.toMs - options.clock.elapsedMs()) / 1000)) };
      const seen = answered.get(idempotencyKey);
      if (!seen) return { ...base, transport: 'respond', status: 404, body: { status: 'not_received' } };
      const facts = factsOf(seen.answer.body);
      return { ...base, transport: 'respond', status: 200, body: { status: 'received', ...(facts ? { facts } : {}) } };
    },
    counters(): SimCounters {
      return { byType: structuredClone(byType), byKey: structuredClone(byKey) };
    },
  };
}

export type SimCore = ReturnType<typeof createSimCore>;

function unavailable(retryAfterSeconds: number): SimAnswer {
  return { status: 503, headers: { 'retry-after': String(Math.max(0, retryAfterSeconds)) }, body: { code: 'unavailable', detail: 'simulated outage' } };
}

function factsOf(body: unknown): readonly Fact[] | undefined {
  const facts = body !== null && typeof body === 'object' ? (body as { facts?: unknown }).facts : undefined;
  return Array.isArray(facts) ? (facts as Fact[]) : undefined;
}

export const refuseAnswer = (code: string, detail: string): SimAnswer => ({ status: 422, body: { code, detail } });

/** A message that does not have the fields the simulator needs: 400, naming the first bad field. */
export function invalidAnswer(issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[]): SimAnswer {
  const first = issues[0];
  return { status: 400, body: { code: 'invalid_message', detail: first ? `${formatPath(['message', ...first.path])}: ${first.message}` : 'invalid message' } };
}

/** Reads a wire-format request body; anything else is a 400 the sender should not retry. */
export function parseSimRequest(body: unknown, headerKey: string | undefined): SimRequest | SimAnswer {
  const b = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  const key = b?.idempotencyKey ?? headerKey;
  if (!b || typeof b.type !== 'string' || b.message === null || typeof b.message !== 'object') {
    return { status: 400, body: { code: 'invalid_request', detail: 'send { type, idempotencyKey, message }' } };
  }
  if (typeof key !== 'string' || key.length === 0 || key.length > 255) return { status: 400, body: { code: 'missing_idempotency_key', detail: 'an idempotency key is required' } };
  if (headerKey !== undefined && headerKey !== key) return { status: 400, body: { code: 'idempotency_key_mismatch', detail: 'the header and the body name different keys' } };
  return { type: b.type, idempotencyKey: key, message: b.message };
}
