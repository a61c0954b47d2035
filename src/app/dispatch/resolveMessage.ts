import type { Connector, ConnectorErrorKind, Envelope, Fact, InboundSink, OutboundMessage } from '../../connectors/port.js';
import type { ClaimedOutboxMessage, DeadLetterReason, OutboxError } from '../../store/port.js';
import { applyFacts } from './applyFacts.js';
import type { CallOutcome } from './circuitBreaker.js';
import type { SendFailure } from './classifyFailure.js';
import { classifyFailure } from './classifyFailure.js';
import type { ConnectorPolicy } from './dispatchPolicy.js';
import { nextRetry } from './retryPolicy.js';
import type { Timers } from './timers.js';
import { callWithDeadline } from './timers.js';

/** What became of one claimed message; the dispatcher turns it into a settlement. */
export type Resolution =
  | { readonly kind: 'complete'; readonly attemptedAt: string; readonly reference?: string }
  | { readonly kind: 'reschedule'; readonly attemptedAt: string; readonly availableAt: string; readonly error: OutboxError; readonly inDoubt: boolean }
  | { readonly kind: 'defer'; readonly availableAt: string; readonly inDoubt: boolean }
  | {
      readonly kind: 'dead'; readonly reason: DeadLetterReason; readonly error: OutboxError; readonly attemptedAt?: string;
      /** The app hook to call besides onDeadLetter: a business refusal (re-route?) or a maybe-sent message. */
      readonly notify?: { readonly hook: 'business' | 'ambiguous'; readonly envelope: Envelope; readonly failure: SendFailure };
    };

export interface MessageContext {
  readonly connector: Connector;
  readonly policy: ConnectorPolicy;
  readonly sink: InboundSink;
  readonly timers: Timers;
  readonly random: () => number;
  /** Epoch milliseconds, from the dispatcher's clock. */
  readonly now: () => number;
  /** The connector's breaker: every call is admitted first and its outcome recorded after. */
  readonly breaker: { admit(): boolean; record(outcome: CallOutcome): void; nextProbe(): number };
  readonly onSend: (outcome: 'ok' | ConnectorErrorKind) => void;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const asError = (f: SendFailure): OutboxError => ({ kind: f.kind, code: f.code, message: f.message });

/**
 * Sends one claimed message and decides its fate (DESIGN §5): delivered → complete, after its
 * facts are applied; transient → retry with backoff, or dead `exhausted` past the policy; business
 * → dead at once; ambiguous → ask the target's status if it can answer, else dead `ambiguous` —
 * a message that may have arrived is never resent blind. A message already in doubt when claimed
 * (an earlier attempt timed out, or its worker died mid-send) starts with the status question.
 */
export async function resolveMessage(m: ClaimedOutboxMessage, ctx: MessageContext): Promise<Resolution> {
  const { connector } = ctx;
  const envelope = toEnvelope(m);
  const payloadType = (m.payload as { type?: unknown } | null)?.type;
  if (!connector.handles.includes(m.type as OutboundMessage['type']) || payloadType !== m.type) {
    const failure: SendFailure = payloadType !== m.type
      ? { kind: 'business', code: 'malformed_message', message: `The payload's type (${String(payloadType)}) is not the row's type ${m.type}` }
      : { kind: 'business', code: 'unsupported_message_type', message: `Connector ${connector.id} does not handle ${m.type} (it handles ${connector.handles.join(', ') || 'nothing'})` };
    return { kind: 'dead', reason: 'business', error: asError(failure), notify: { hook: 'business', envelope, failure } };
  }
  const inDoubt = m.inDoubt && !connector.capabilities.deduplicates;
  const doubt: SendFailure = m.lastError
    ? { kind: 'ambiguous', code: m.lastError.code, message: m.lastError.message }
    : { kind: 'ambiguous', code: 'lease_expired', message: 'An earlier attempt did not finish (its worker stopped mid-send); it may have reached the target' };
  if (inDoubt && !canQuery(connector)) return deadAmbiguous(envelope, doubt);
  if (!ctx.breaker.admit()) return { kind: 'defer', availableAt: iso(ctx.breaker.nextProbe()), inDoubt: m.inDoubt };
  const attemptedAt = iso(ctx.now());
  if (inDoubt) return askStatus(m, envelope, attemptedAt, doubt, ctx);

  const sent = await callWithDeadline(ctx.timers, ctx.policy.sendTimeoutMs, ctx.policy.abortGraceMs, (signal) => connector.send(envelope, { signal }));
  if (sent.ok) {
    ctx.breaker.record('success');
    ctx.onSend('ok');
    return completeWithFacts(m, envelope, attemptedAt, sent.value.facts, sent.value.reference, ctx);
  }
  const failure = classifyFailure(sent.error, { timedOut: sent.timedOut, deduplicates: connector.capabilities.deduplicates });
  // A business refusal is an answer: the target is up, so it does not count against the breaker.
  ctx.breaker.record(failure.kind === 'business' ? 'success' : 'failure');
  ctx.onSend(failure.kind);
  switch (failure.kind) {
    case 'transient':
      return retryOrGiveUp(m, envelope, failure, attemptedAt, false, ctx);
    case 'business':
      return { kind: 'dead', reason: 'business', error: asError(failure), attemptedAt, notify: { hook: 'business', envelope, failure } };
    case 'ambiguous':
      if (!canQuery(connector)) return deadAmbiguous(envelope, failure, attemptedAt);
      // The status query is a call of its own; with the breaker just opened, ask on the next attempt.
      if (!ctx.breaker.admit()) return retryOrGiveUp(m, envelope, failure, attemptedAt, true, ctx);
      return askStatus(m, envelope, attemptedAt, failure, ctx);
  }
}

const canQuery = (c: Connector): boolean => c.capabilities.statusQuery && typeof c.queryStatus === 'function';

function toEnvelope(m: ClaimedOutboxMessage): Envelope {
  return {
    messageId: m.id,
    idempotencyKey: m.idempotencyKey,
    attempt: m.attempts + 1,
    message: m.payload as OutboundMessage,
    ...(m.traceparent ? { traceparent: m.traceparent } : {}),
  };
}

/** Did the target get it? received → complete; not_received → a resend is safe; unknown → dead `ambiguous`. */
async function askStatus(m: ClaimedOutboxMessage, envelope: Envelope, attemptedAt: string, cause: SendFailure, ctx: MessageContext): Promise<Resolution> {
  const asked = await callWithDeadline(ctx.timers, ctx.policy.sendTimeoutMs, ctx.policy.abortGraceMs, (signal) => ctx.connector.queryStatus!(envelope, { signal }));
  const status = asked.ok ? asked.value?.status : undefined;
  if (status !== 'received' && status !== 'not_received' && status !== 'unknown') {
    ctx.breaker.record('failure');
    const why = asked.ok ? `answered ${JSON.stringify(asked.value)}` : asked.timedOut ? 'timed out' : `failed: ${classifyFailure(asked.error, { timedOut: false, deduplicates: false }).message}`;
    const failure: SendFailure = { kind: 'ambiguous', code: 'status_query_failed', message: `${cause.code}: ${cause.message}; the status query ${why}` };
    return retryOrGiveUp(m, envelope, failure, attemptedAt, true, ctx);
  }
  ctx.breaker.record('success');
  if (status === 'received') return completeWithFacts(m, envelope, attemptedAt, asked.ok ? asked.value.facts : undefined, undefined, ctx);
  if (status === 'not_received') return retryOrGiveUp(m, envelope, cause, attemptedAt, false, ctx);
  return deadAmbiguous(envelope, { ...cause, message: `${cause.message}; the target cannot say whether it received it` }, attemptedAt);
}

/**
 * Facts first, then dispatched: a crash in between re-applies them under the same ids (duplicates
 * for the sink), never loses them. If the sink fails, the message is not dispatched: a
 * deduplicating target is simply asked again; another is asked its status next time, or parked
 * `ambiguous` with the facts in its error for a human.
 */
async function completeWithFacts(
  m: ClaimedOutboxMessage, envelope: Envelope, attemptedAt: string, facts: readonly Fact[] | undefined, reference: string | undefined, ctx: MessageContext,
): Promise<Resolution> {
  try {
    await applyFacts(ctx.sink, ctx.connector.id, m.idempotencyKey, facts, m.traceparent);
  } catch (err) {
    const failure: SendFailure = {
      kind: 'ambiguous', code: 'facts_not_applied',
      message: `Delivered, but the facts it returned could not be applied (${err instanceof Error ? err.message : String(err)}): ${JSON.stringify(facts)}`,
    };
    if (ctx.connector.capabilities.deduplicates) return retryOrGiveUp(m, envelope, { ...failure, kind: 'transient' }, attemptedAt, false, ctx);
    if (canQuery(ctx.connector)) return retryOrGiveUp(m, envelope, failure, attemptedAt, true, ctx);
    return deadAmbiguous(envelope, failure, attemptedAt);
  }
  return { kind: 'complete', attemptedAt, ...(reference !== undefined ? { reference } : {}) };
}

/** Another attempt later, or dead: `exhausted`, or `ambiguous` when the message is still in doubt. */
function retryOrGiveUp(m: ClaimedOutboxMessage, envelope: Envelope, failure: SendFailure, attemptedAt: string, inDoubt: boolean, ctx: MessageContext): Resolution {
  const attempt = m.attempts + 1;
  const now = ctx.now();
  const firstAt = Date.parse(m.firstAttemptAt ?? attemptedAt);
  const retryAfter = failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {};
  const decision = nextRetry(ctx.policy.retry, { attempt, elapsedMs: now - firstAt, ...retryAfter }, ctx.random);
  if (decision.retry) return { kind: 'reschedule', attemptedAt, availableAt: iso(now + decision.delayMs), error: asError(failure), inDoubt };
  const why = decision.reason === 'attempts' ? `gave up after ${attempt} attempts` : `gave up: a retry would pass the ${ctx.policy.retry.budgetMs} ms budget`;
  const error = { ...asError(failure), message: `${failure.message} (${why})` };
  return inDoubt ? deadAmbiguous(envelope, { ...failure, message: error.message }, attemptedAt) : { kind: 'dead', reason: 'exhausted', error, attemptedAt };
}

function deadAmbiguous(envelope: Envelope, failure: SendFailure, attemptedAt?: string): Resolution {
  const f: SendFailure = { ...failure, kind: 'ambiguous' };
  return { kind: 'dead', reason: 'ambiguous', error: asError(f), ...(attemptedAt ? { attemptedAt } : {}), notify: { hook: 'ambiguous', envelope, failure: f } };
}
