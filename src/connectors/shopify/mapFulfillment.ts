import { ORDER_LIMITS } from '../../domain/order/index.js';
import type { ChannelIntent, FactLine } from '../port.js';
import { SHOPIFY_CHANNEL } from './mapping.js';
import type { Issues, Json } from './read.js';
import { at, createIssues, defined, isObject, readArray, readId, readInt, readText, readTime, shown } from './read.js';
import type { ShopifyMapResult } from './result.js';
import { conclude, ignored } from './result.js';

export type FulfilledByChannel = Extract<ChannelIntent, { type: 'order.fulfilled_by_channel' }>;

/**
 * Shopify fulfillment status → what it means to Orderly. Only `success` is a shipment. `pending`
 * and `open` have not shipped yet (an update follows); `failure`/`error` never shipped. A
 * `cancelled` fulfillment may undo a shipment already recorded, which no canonical message
 * expresses: it goes to a human.
 */
const STATUS: Readonly<Record<string, 'shipped' | 'not_yet' | 'never' | 'review'>> = {
  success: 'shipped',
  pending: 'not_yet',
  open: 'not_yet',
  failure: 'never',
  error: 'never',
  cancelled: 'review',
};

export type FulfillmentReading = { readonly shipped: FulfilledByChannel } | { readonly skipped: string };

/**
 * Reads one Shopify fulfillment (a webhook body, or an element of an order's `fulfillments`).
 * `shippedAt` is `created_at`, or `updated_at` for a fulfillments/update (a pending fulfillment
 * that succeeds later ships when it is updated). Undefined when an issue was recorded.
 */
export function readFulfillment(f: Json, path: string, issues: Issues, options: { shippedAt: 'created_at' | 'updated_at'; orderId?: string }): FulfillmentReading | undefined {
  const before = issues.list.length;
  const statusText = readText(f, 'status', at(path, 'status'), issues, { required: true });
  const status = statusText === undefined ? undefined : Object.hasOwn(STATUS, statusText) ? STATUS[statusText] : undefined;
  if (statusText !== undefined && status === undefined) issues.add(at(path, 'status'), `unknown fulfillment status ${shown(statusText)}`, 'unknown_code');
  if (status === 'review') {
    issues.add(at(path, 'status'), 'cancelled: a cancelled fulfillment may undo a recorded shipment; review it by hand', 'needs_review');
  }
  if (status === 'not_yet' || status === 'never') return { skipped: `fulfillment status ${statusText}: nothing shipped` };
  const shipmentId = readId(f, 'id', at(path, 'id'), issues);
  const orderId = readId(f, 'order_id', at(path, 'order_id'), issues, options.orderId === undefined) ?? options.orderId;
  const shippedAt = readTime(f, options.shippedAt, at(path, options.shippedAt), issues);
  const lines = readShippedLines(f, path, issues);
  const carrier = readText(f, 'tracking_company', at(path, 'tracking_company'), issues, { max: 128 });
  const numbers = trackingNumbers(f, path, issues);
  if (issues.list.length > before || !shipmentId || !orderId || !shippedAt) return undefined;
  const [first, ...more] = numbers;
  const shipped: FulfilledByChannel = defined({
    type: 'order.fulfilled_by_channel' as const,
    channel: SHOPIFY_CHANNEL,
    externalId: orderId,
    shipmentId,
    lines,
    carrier,
    trackingNumber: first,
    // Several tracking numbers are several packages; which lines are in which is not said.
    packages: more.length > 0 ? numbers.map((trackingNumber) => ({ trackingNumber })) : undefined,
    shippedAt,
  });
  return { shipped };
}

function readShippedLines(f: Json, path: string, issues: Issues): FactLine[] {
  const items = readArray(f, 'line_items', at(path, 'line_items'), issues, true);
  if (items.length === 0 && Array.isArray(f.line_items)) issues.add(at(path, 'line_items'), 'a shipment of no lines');
  const lines: FactLine[] = [];
  items.forEach((li, i) => {
    const p = at(at(path, 'line_items'), i);
    if (!isObject(li)) return issues.add(p, 'must be an object');
    const lineId = readId(li, 'id', at(p, 'id'), issues);
    // `quantity` of a fulfillment's line item is the quantity in this fulfillment;
    // `fulfillable_quantity` is what remains on the order afterwards, not what shipped.
    const quantity = readInt(li, 'quantity', at(p, 'quantity'), issues, { min: 1, max: ORDER_LIMITS.maxQuantityPerLine });
    if (lineId !== undefined && quantity !== undefined) lines.push({ lineId, quantity });
  });
  return lines;
}

function trackingNumbers(f: Json, path: string, issues: Issues): string[] {
  const single = readText(f, 'tracking_number', at(path, 'tracking_number'), issues, { max: 128 });
  const all: string[] = single ? [single] : [];
  readArray(f, 'tracking_numbers', at(path, 'tracking_numbers'), issues).forEach((n, i) => {
    if (typeof n !== 'string' || n.trim() === '' || n.length > 128) return issues.add(at(at(path, 'tracking_numbers'), i), 'must be a tracking number of 1 to 128 characters');
    if (!all.includes(n.trim())) all.push(n.trim());
  });
  return all;
}

/** fulfillments/create and fulfillments/update → `order.fulfilled_by_channel` when it shipped. */
export function mapFulfillmentWebhook(topic: 'fulfillments/create' | 'fulfillments/update', payload: Json): ShopifyMapResult {
  const issues = createIssues();
  const reading = readFulfillment(payload, '', issues, { shippedAt: topic === 'fulfillments/update' ? 'updated_at' : 'created_at' });
  if (reading && 'skipped' in reading) return ignored(reading.skipped);
  return conclude(issues, () => (reading ? [reading.shipped] : []));
}
