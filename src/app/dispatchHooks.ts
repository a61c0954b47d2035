import type { Logger } from 'pino';
import type { Envelope, InboundSink } from '../connectors/port.js';
import type { ClaimedOutboxMessage, DeadLetterReason, OutboxError } from '../store/port.js';
import type { SendFailure } from './dispatch/index.js';
import type { ExceptionService } from './exceptions.js';

/**
 * What the application does when the dispatcher gives up on a message (DESIGN §5): a node's system
 * refusing a release is that node rejecting the fulfillment — recorded as its fact, so the units
 * are routed elsewhere — and every dead letter becomes an exception a person can read and act on.
 */
export function createDispatchHooks(deps: { inbound: InboundSink; exceptions: ExceptionService; log: Logger }) {
  const { inbound, exceptions, log } = deps;
  return {
    async onBusinessFailure(envelope: Envelope, error: SendFailure) {
      const m = envelope.message;
      if (m.type !== 'fulfillment.release') return;
      const outcome = await inbound.receive(
        { type: 'fulfillment.acknowledged', fulfillmentId: m.fulfillmentId, accepted: false, reason: `refused: ${error.code}` },
        { system: 'dispatcher', messageId: `${envelope.idempotencyKey}#refused` },
      );
      log.warn({ fulfillmentId: m.fulfillmentId, code: error.code, outcome: outcome.status }, 'a node refused a release: its units are routed elsewhere');
    },
    async onDeadLetter(message: ClaimedOutboxMessage, reason: DeadLetterReason, error: OutboxError) {
      const payload = message.payload as { orderId?: string; fulfillmentId?: string };
      await exceptions.raise([
        {
          dedupeKey: `dead_letter:${message.id}`,
          type: 'dead_letter',
          reasonCode: reason,
          source: 'dead_letter',
          target: message.destination,
          ...(payload.orderId ? { orderId: payload.orderId } : {}),
          ...(payload.fulfillmentId ? { fulfillmentId: payload.fulfillmentId } : {}),
          title: `${message.type} to ${message.destination} was not delivered (${reason})`,
          detail: `${error.code}: ${error.message}${reason === 'ambiguous' ? ' — it may or may not have arrived; check with the target before resending' : ''}`,
          context: { payloads: [message.payload], messageId: message.id, idempotencyKey: message.idempotencyKey, lastError: error },
          suggestedActions: reason === 'business' ? ['resolve', 'escalate'] : ['retry', 'resolve', 'escalate'],
        },
      ]);
    },
  };
}
