import { createHash } from 'node:crypto';
import type { Fact, InboundSink } from '../../connectors/port.js';
import { stableStringify } from '../../shared/json.js';

/**
 * The inbound message id of a fact a target returned for an outbound message: the message's
 * idempotency key plus a digest of the fact. Deterministic, so applying the same answer twice (a
 * resend to a deduplicating target, a status query after a timeout) is a duplicate for the sink;
 * derived from the content rather than the position, so a later answer with different facts is
 * not mistaken for the first one.
 */
export function factMessageId(idempotencyKey: string, fact: Fact): string {
  return `${idempotencyKey}#${createHash('sha256').update(stableStringify(fact)).digest('base64url').slice(0, 22)}`;
}

/**
 * Applies a target's facts through the sink, in order. A fact the sink rejects as malformed is
 * quarantined with its raw form (never dropped). Throws if the sink fails: the caller must then
 * not mark the message dispatched.
 */
export async function applyFacts(
  sink: InboundSink,
  connectorId: string,
  idempotencyKey: string,
  facts: readonly Fact[] | undefined,
  traceparent?: string | null,
): Promise<void> {
  for (const fact of facts ?? []) {
    // The answer continues the trace of the message that asked for it.
    const source = { system: connectorId, messageId: factMessageId(idempotencyKey, fact), ...(traceparent ? { traceparent } : {}) };
    const outcome = await sink.receive(fact, source);
    if (outcome.status === 'rejected') {
      await sink.quarantine({ connector: connectorId, reason: outcome.message, code: outcome.code, raw: JSON.stringify(fact), source });
    }
  }
}
