import { ORDER_LIMITS } from '../../domain/order/index.js';
import type { ChannelIntent } from '../port.js';
import { SHOPIFY_CHANNEL } from './mapping.js';
import { checked, parseMinor } from './money.js';
import type { Issues, Json } from './read.js';
import { at, createIssues, defined, isObject, readArray, readId, readInt, readText, shown } from './read.js';
import type { ShopifyMapResult } from './result.js';
import { conclude } from './result.js';

type Refunded = Extract<ChannelIntent, { type: 'order.refunded' }>;

/**
 * restock_type → whether the units go back to stock. `cancel` (removed before fulfilment) and
 * `return` (came back) both restock; `legacy_restock` is the pre-2019 name for either.
 */
const RESTOCK: Readonly<Record<string, boolean>> = { no_restock: false, cancel: true, return: true, legacy_restock: true };

/**
 * refunds/create → `order.refunded`. The amount is what Shopify paid out: the successful `refund`
 * transactions, in their currency (Shopify's transactions are in the currency the customer paid,
 * so `currency` travels with the amount for the sink to check against the order's). A pending
 * refund transaction is not final and goes to a human rather than be counted or dropped.
 */
export function mapRefundCreated(r: Json): ShopifyMapResult {
  const issues = createIssues();
  const refundId = readId(r, 'id', 'id', issues);
  const orderId = readId(r, 'order_id', 'order_id', issues);
  const lines = readRefundLines(r, issues);
  const money = readRefundedMoney(r, issues);
  return conclude(issues, () => {
    const refunded: Refunded = defined({
      type: 'order.refunded' as const,
      channel: SHOPIFY_CHANNEL,
      externalId: orderId as string,
      refundId: refundId as string,
      amount: money?.amount ?? 0,
      currency: money?.currency,
      lines,
    });
    return [refunded];
  });
}

function readRefundLines(r: Json, issues: Issues): Refunded['lines'][number][] {
  const lines: Refunded['lines'][number][] = [];
  readArray(r, 'refund_line_items', 'refund_line_items', issues).forEach((rli, i) => {
    const p = at('refund_line_items', i);
    if (!isObject(rli)) return issues.add(p, 'must be an object');
    const lineId = readId(rli, 'line_item_id', at(p, 'line_item_id'), issues);
    const quantity = readInt(rli, 'quantity', at(p, 'quantity'), issues, { min: 1, max: ORDER_LIMITS.maxQuantityPerLine });
    const restock = readRestock(rli, p, r, issues);
    if (lineId !== undefined && quantity !== undefined && restock !== undefined) lines.push({ lineId, quantity, restock });
  });
  return lines;
}

/** `restock_type`, or for payloads older than it the refund's own `restock` flag. */
function readRestock(rli: Json, path: string, r: Json, issues: Issues): boolean | undefined {
  const type = readText(rli, 'restock_type', at(path, 'restock_type'), issues);
  if (type === undefined) {
    if (typeof r.restock === 'boolean') return r.restock;
    return void issues.add(at(path, 'restock_type'), 'required (or a restock flag on the refund)');
  }
  if (Object.hasOwn(RESTOCK, type)) return RESTOCK[type];
  return void issues.add(at(path, 'restock_type'), `unknown restock type ${shown(type)}`, 'unknown_code');
}

function readRefundedMoney(r: Json, issues: Issues): { amount: number; currency: string } | undefined {
  let total: { amount: number; currency: string } | undefined;
  readArray(r, 'transactions', 'transactions', issues).forEach((t, i) => {
    const p = at('transactions', i);
    if (!isObject(t)) return issues.add(p, 'must be an object');
    if (t.kind !== 'refund') return;
    const status = readText(t, 'status', at(p, 'status'), issues, { required: true });
    if (status === 'failure' || status === 'error' || status === undefined) return;
    if (status !== 'success') {
      return issues.add(at(p, 'status'), `${shown(status)}: the refund is not final (only success is counted)`, status === 'pending' ? 'needs_review' : 'unknown_code');
    }
    const currency = readText(t, 'currency', at(p, 'currency'), issues, { required: true });
    if (currency === undefined) return;
    const amount = checked(parseMinor(t.amount, currency), at(p, 'amount'), issues);
    if (amount === undefined) return;
    if (total && total.currency !== currency) return issues.add(at(p, 'currency'), `${shown(currency)} differs from the refund's other transactions (${total.currency})`);
    total = { amount: (total?.amount ?? 0) + amount, currency };
  });
  return total;
}
