import type { Envelope, FulfillmentCancelMessage, FulfillmentReleaseMessage } from '../../src/connectors/port.js';
import { ConnectorError } from '../../src/connectors/port.js';

export const release = (fulfillmentId: string, lines: { sku: string; quantity: number }[], over: Partial<FulfillmentReleaseMessage> = {}): FulfillmentReleaseMessage => ({
  type: 'fulfillment.release',
  fulfillmentId,
  orderId: `ord_${fulfillmentId}`,
  nodeId: 'dc-east',
  order: { externalId: `WEB-${fulfillmentId}`, channel: 'web', currency: 'USD', placedAt: '2026-11-25T08:00:00Z' },
  delivery: { type: 'ship', shipMethod: 'standard' },
  shipTo: { name: 'Ada L', line1: '1 Main St', city: 'Seattle', region: 'WA', postalCode: '98101', country: 'US' },
  lines: lines.map((l, i) => ({ lineId: String(i + 1), sku: l.sku, quantity: l.quantity, unitPrice: 1000 })),
  releasedAt: '2026-11-25T09:00:00Z',
  ...over,
});

export const cancel = (fulfillmentId: string, over: Partial<FulfillmentCancelMessage> = {}): FulfillmentCancelMessage => ({
  type: 'fulfillment.cancel',
  fulfillmentId,
  orderId: `ord_${fulfillmentId}`,
  nodeId: 'dc-east',
  reason: 'customer_request',
  requestedAt: '2026-11-25T09:00:00Z',
  ...over,
});

export const envelope = <M extends Envelope['message']>(message: M, key = `${message.type}:${'fulfillmentId' in message ? message.fulfillmentId : message.orderId}`): Envelope<M> => ({
  messageId: `out_${key}`,
  idempotencyKey: key,
  attempt: 1,
  message,
});

/** The wire request a connector would send. */
export const wire = (message: Envelope['message'], key?: string) => {
  const e = envelope(message, key);
  return { type: e.message.type, idempotencyKey: e.idempotencyKey, message: JSON.parse(JSON.stringify(e.message)) as unknown };
};

export const signal = () => new AbortController().signal;

/** Fast, round timings so tests read in whole steps. */
export const TIMINGS = { acknowledgeMs: 1000, pickMs: 1000, packMs: 1000, shipMs: 1000, deliverMs: 10_000, readyMs: 1000, collectMs: 5000, cancelMs: 500 };

/** The ConnectorError a send failed with (fails the test if it succeeded or threw something else). */
export async function failureOf(p: Promise<unknown>): Promise<ConnectorError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ConnectorError) return err;
    throw err;
  }
  throw new Error('expected the send to fail');
}
