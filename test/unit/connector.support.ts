// Canonical outbound messages and a recording InboundSink for the connector tests.
import type {
  Envelope, FulfillmentCancelMessage, FulfillmentReleaseMessage, InboundMessage, InboundOutcome, InboundSink, InboundSource,
} from '../../src/connectors/port.js';

export const RELEASE: FulfillmentReleaseMessage = {
  type: 'fulfillment.release',
  fulfillmentId: 'ful_01HZX',
  orderId: 'ord_01HZX',
  nodeId: 'dc-east',
  order: { externalId: 'WEB-1001', channel: 'web', currency: 'USD', placedAt: '2024-05-01T10:00:00.000Z' },
  delivery: { type: 'ship', shipMethod: 'expedited' },
  shipTo: { name: 'Ada L', line1: '1 Main St', line2: 'Apt 2', city: 'Seattle', region: 'WA', postalCode: '98101', country: 'US' },
  customer: { name: 'Ada Lovelace', email: 'ada@example.com', phone: '5551234' },
  lines: [
    { lineId: '1', sku: 'SKU-RED', quantity: 2, unitPrice: 1999 },
    { lineId: '2', sku: 'SKU-BLUE', quantity: 1, unitPrice: 500 },
  ],
  releasedAt: '2024-05-01T10:05:42.123Z',
};

export const CANCEL: FulfillmentCancelMessage = {
  type: 'fulfillment.cancel', fulfillmentId: 'ful_01HZX', orderId: 'ord_01HZX', nodeId: 'dc-east', reason: 'customer_request', requestedAt: '2024-05-02T08:00:00Z',
};

export const envelopeOf = (message: Envelope['message'], idempotencyKey = `${message.type}:1`): Envelope => ({
  messageId: `out_${idempotencyKey}`, idempotencyKey, attempt: 1, message,
});

export interface Quarantined {
  readonly connector: string;
  readonly reason: string;
  readonly code?: string;
  readonly raw: string;
  readonly source: InboundSource;
}

/** An InboundSink that records what it is given and, like the real one, deduplicates by (system, messageId). */
export function recordingSink(answer: (m: InboundMessage) => InboundOutcome = () => ({ status: 'applied' })): InboundSink & {
  readonly received: { message: InboundMessage; source: InboundSource; outcome: InboundOutcome }[];
  readonly quarantined: Quarantined[];
  failNext: number;
} {
  const seen = new Set<string>();
  const sink = {
    received: [] as { message: InboundMessage; source: InboundSource; outcome: InboundOutcome }[],
    quarantined: [] as Quarantined[],
    failNext: 0,
    receive(message: InboundMessage, source: InboundSource): Promise<InboundOutcome> {
      if (sink.failNext > 0) {
        sink.failNext--;
        return Promise.reject(new Error('store unavailable'));
      }
      const key = `${source.system}|${source.messageId}`;
      const outcome: InboundOutcome = seen.has(key) ? { status: 'duplicate' } : answer(message);
      if (outcome.status !== 'rejected') seen.add(key);
      sink.received.push({ message, source, outcome });
      return Promise.resolve(outcome);
    },
    quarantine(input: Quarantined): Promise<{ exceptionId: string }> {
      sink.quarantined.push(input);
      return Promise.resolve({ exceptionId: `exc_${sink.quarantined.length}` });
    },
  };
  return sink;
}
