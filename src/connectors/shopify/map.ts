import type { ChannelIntent } from '../port.js';
import { mapFulfillmentWebhook } from './mapFulfillment.js';
import { mapOrderCreated } from './mapOrder.js';
import { mapRefundCreated } from './mapRefund.js';
import type { ShopifyMapping } from './mapping.js';
import { SHOPIFY_CHANNEL } from './mapping.js';
import type { Json } from './read.js';
import { createIssues, isObject, readId, readText, shown } from './read.js';
import type { ShopifyMapResult } from './result.js';
import { conclude, ignored } from './result.js';

/** The webhook topics the connector maps; any other topic is acknowledged and ignored. */
export const SHOPIFY_TOPICS = ['orders/create', 'orders/cancelled', 'refunds/create', 'fulfillments/create', 'fulfillments/update'] as const;
export type ShopifyTopic = (typeof SHOPIFY_TOPICS)[number];

export const isShopifyTopic = (topic: string): topic is ShopifyTopic => (SHOPIFY_TOPICS as readonly string[]).includes(topic);

/**
 * A verified, parsed Shopify webhook body (the resource itself, without a root key) → canonical
 * messages. Pure: plain data in, plain data out. A payload it cannot map fails with a reason that
 * names each offending field, for the caller to quarantine.
 */
export function mapShopifyWebhook(topic: string, payload: unknown, mapping: ShopifyMapping = {}): ShopifyMapResult {
  if (!isShopifyTopic(topic)) return ignored(`topic ${shown(topic)} is not handled`);
  if (!isObject(payload)) return conclude(withIssue('body', 'must be a JSON object'), () => []);
  if (isWrappedOther(topic, payload)) {
    return conclude(withIssue('id', `required: the body has a root key (${Object.keys(payload).slice(0, 5).join(', ')}) that is not this topic's resource`), () => []);
  }
  return mapResource(topic, unwrap(topic, payload), mapping);
}

function mapResource(topic: ShopifyTopic, payload: Json, mapping: ShopifyMapping): ShopifyMapResult {
  switch (topic) {
    case 'orders/create':
      return mapOrderCreated(payload, mapping);
    case 'orders/cancelled':
      return mapOrderCancelled(payload);
    case 'refunds/create':
      return mapRefundCreated(payload);
    case 'fulfillments/create':
    case 'fulfillments/update':
      return mapFulfillmentWebhook(topic, payload);
  }
}

const RESOURCE: Readonly<Record<ShopifyTopic, string>> = {
  'orders/create': 'order',
  'orders/cancelled': 'order',
  'refunds/create': 'refund',
  'fulfillments/create': 'fulfillment',
  'fulfillments/update': 'fulfillment',
};

/**
 * A webhook sends the resource itself; the REST API (and tools replaying its responses, as in the
 * real samples) wraps it in a root key named after the resource. That one shape is unwrapped — the
 * topic's own key, with at most plain metadata beside it; another resource's key is refused, not guessed.
 */
function unwrap(topic: ShopifyTopic, p: Json): Json {
  const inner = p[RESOURCE[topic]];
  // Beside the resource a response may carry plain metadata (`"notice": "Order has been canceled"`).
  return p.id === undefined && isObject(inner) && Object.values(p).filter(isObject).length === 1 ? inner : p;
}

/** Another resource's wrapper (an order response posted as a refund): said plainly, not guessed at. */
const isWrappedOther = (topic: ShopifyTopic, p: Json): boolean =>
  p.id === undefined && !isObject(p[RESOURCE[topic]]) && ['order', 'refund', 'fulfillment'].some((k) => isObject(p[k]));

function withIssue(path: string, message: string) {
  const issues = createIssues();
  issues.add(path, message);
  return issues;
}

/**
 * cancel_reason → Orderly's cancellation reason. The reason is descriptive (it drives nothing),
 * so a code this table does not know is kept as Shopify's own word rather than refused.
 */
const CANCEL_REASONS: Readonly<Record<string, string>> = {
  customer: 'customer_request',
  fraud: 'fraud',
  inventory: 'out_of_stock',
  declined: 'payment_declined',
  staff: 'staff_error',
  other: 'other',
};

/** orders/cancelled → `order.cancel` of the whole order (Shopify cancels whole orders). */
function mapOrderCancelled(o: Json): ShopifyMapResult {
  const issues = createIssues();
  const externalId = readId(o, 'id', 'id', issues);
  readText(o, 'cancelled_at', 'cancelled_at', issues, { required: true });
  const code = readText(o, 'cancel_reason', 'cancel_reason', issues, { max: 64 });
  if (code !== undefined && !/^[a-z0-9_]+$/.test(code)) issues.add('cancel_reason', `unexpected cancel reason ${shown(code)}`, 'unknown_code');
  return conclude(issues, () => {
    const cancel: ChannelIntent = {
      type: 'order.cancel',
      channel: SHOPIFY_CHANNEL,
      externalId: externalId as string,
      reason: code === undefined ? 'unspecified' : Object.hasOwn(CANCEL_REASONS, code) ? (CANCEL_REASONS[code] as string) : `shopify_${code}`,
    };
    return [cancel];
  });
}
