import { isCurrencyCode } from '../../domain/money.js';
import type { Address, Customer, ExternalRef, FulfillmentPreference, LineDraft, OrderDraft } from '../../domain/order/model.js';
import { ORDER_LIMITS } from '../../domain/order/index.js';
import type { InboundMessage } from '../port.js';
import type { FulfilledByChannel } from './mapFulfillment.js';
import { readFulfillment } from './mapFulfillment.js';
import type { ShopifyMapping } from './mapping.js';
import { SHOPIFY_CHANNEL, shippingTables, skuAlias } from './mapping.js';
import type { MoneyBasis } from './money.js';
import { checked, parseMinor, readMoney } from './money.js';
import type { Issues, Json } from './read.js';
import { at, createIssues, defined, isObject, readArray, readId, readInt, readText, readTime, shown } from './read.js';
import type { ShopifyMapResult } from './result.js';
import { conclude } from './result.js';

/**
 * orders/create → `order.place` with a full OrderDraft, followed by one `order.fulfilled_by_channel`
 * per fulfillment Shopify already completed (a POS sale arrives fulfilled). Lines are
 * `String(line_item.id)`, so later refunds and fulfillments name the same lines.
 */
export function mapOrderCreated(o: Json, mapping: ShopifyMapping): ShopifyMapResult {
  const issues = createIssues();
  const externalId = readId(o, 'id', 'id', issues);
  const basis = moneyBasis(o, mapping, issues);
  const placedAt = readTime(o, 'created_at', 'created_at', issues);
  const lines = basis ? readLines(o, basis, mapping, issues) : [];
  const fulfillment = readFulfillmentPreference(o, mapping, issues);
  const shipTo = readAddress(o.shipping_address, 'shipping_address', issues);
  if (fulfillment?.type === 'ship' && !shipTo && o.shipping_address == null) {
    issues.add('shipping_address', 'required: the order ships (map its shipping line to a pickup store if it is collected)');
  }
  const payment = basis && externalId ? readPayment(o, basis, externalId, issues) : undefined;
  const customer = readCustomer(o, mapping, issues);
  const externalRefs = readExternalRefs(o, issues);
  const shipped = externalId ? readEmbeddedFulfillments(o, externalId, issues) : [];
  return conclude(issues, () => {
    const draft: OrderDraft = defined({
      externalId: externalId as string,
      channel: SHOPIFY_CHANNEL,
      currency: (basis as MoneyBasis).currency,
      placedAt: placedAt as string,
      customer: customer as Customer,
      shipTo,
      fulfillment: fulfillment as FulfillmentPreference,
      lines,
      payment,
      externalRefs: externalRefs.length > 0 ? externalRefs : undefined,
    });
    // Shopify settles payment itself: Orderly records it, never captures or refunds through a gateway.
    const messages: InboundMessage[] = [{ type: 'order.place', draft, payments: 'channel' }, ...shipped];
    return messages;
  });
}

/** The order's currency: the presentment currency (or the shop's, by mapping) and how to read amounts in it. */
function moneyBasis(o: Json, mapping: ShopifyMapping, issues: Issues): MoneyBasis | undefined {
  const shop = readText(o, 'currency', 'currency', issues, { required: true });
  const presentment = readText(o, 'presentment_currency', 'presentment_currency', issues);
  const useShop = mapping.currency === 'shop' || presentment === undefined;
  const currency = useShop ? shop : presentment;
  const path = useShop ? 'currency' : 'presentment_currency';
  if (currency === undefined) return undefined;
  if (!isCurrencyCode(currency)) {
    issues.add(path, `unknown ISO 4217 currency ${shown(currency)}`);
    return undefined;
  }
  return { currency, side: useShop ? 'shop_money' : 'presentment_money', plainFields: currency === shop };
}

function readLines(o: Json, basis: MoneyBasis, mapping: ShopifyMapping, issues: Issues): LineDraft[] {
  const items = readArray(o, 'line_items', 'line_items', issues, true);
  if (Array.isArray(o.line_items) && (items.length === 0 || items.length > ORDER_LIMITS.maxLines)) {
    issues.add('line_items', `an order has 1 to ${ORDER_LIMITS.maxLines} line items`);
  }
  const lines: LineDraft[] = [];
  items.forEach((li, i) => {
    const p = at('line_items', i);
    if (!isObject(li)) return issues.add(p, 'must be an object');
    const lineId = readId(li, 'id', at(p, 'id'), issues);
    const sku = resolveSku(li, p, mapping, issues);
    // `quantity` is what was ordered; `fulfillable_quantity`/`current_quantity` already count
    // later edits and fulfillments, which arrive as their own messages.
    const quantity = readInt(li, 'quantity', at(p, 'quantity'), issues, { min: 1, max: ORDER_LIMITS.maxQuantityPerLine });
    const unitPrice = readMoney(li, 'price', at(p, 'price'), basis, issues);
    if (lineId === undefined || sku === undefined || quantity === undefined || unitPrice === undefined) return;
    if (lines.some((l) => l.lineId === lineId)) return issues.add(at(p, 'id'), `duplicate line item id ${lineId}`);
    lines.push({ lineId, sku, quantity, unitPrice });
  });
  return lines;
}

/**
 * The Orderly SKU of a line item: its alias, else its SKU; without a SKU, the alias of
 * `variant:<variant_id>`, else (when `missingSku` is `variant`) that key itself; else an issue.
 */
export function resolveSku(li: Json, path: string, mapping: ShopifyMapping, issues: Issues): string | undefined {
  const before = issues.list.length;
  const sku = readText(li, 'sku', at(path, 'sku'), issues, { max: ORDER_LIMITS.maxIdLength });
  if (sku !== undefined) return skuAlias(mapping, sku) ?? sku;
  if (issues.list.length > before) return undefined; // a SKU was sent but is unusable: said once
  const variant = readId(li, 'variant_id', at(path, 'variant_id'), issues, false);
  if (variant === undefined) {
    if (li.variant_id == null) issues.add(at(path, 'sku'), 'missing, and no variant_id: a custom line item names nothing to fulfil', 'missing_sku');
    return undefined;
  }
  const key = `variant:${variant}`;
  const alias = skuAlias(mapping, key);
  if (alias !== undefined) return alias;
  if (mapping.missingSku === 'variant') return key;
  issues.add(at(path, 'sku'), `missing: alias ${key} in skuAliases, or set missingSku to 'variant'`, 'missing_sku');
  return undefined;
}

/** The fulfillment preference from the shipping lines (see ShopifyMapping); lines that disagree fail. */
function readFulfillmentPreference(o: Json, mapping: ShopifyMapping, issues: Issues): FulfillmentPreference | undefined {
  const tables = shippingTables(mapping);
  const found: FulfillmentPreference[] = [];
  let failed = false;
  readArray(o, 'shipping_lines', 'shipping_lines', issues).forEach((sl, i) => {
    const p = at('shipping_lines', i);
    if (!isObject(sl)) return void (failed = true, issues.add(p, 'must be an object'));
    if (sl.is_removed === true) return;
    const code = readText(sl, 'code', at(p, 'code'), issues, { max: 200 });
    const title = readText(sl, 'title', at(p, 'title'), issues, { max: 200 });
    const pref = (code && tables.lookup(code)) ?? (title && tables.lookup(title)) ?? tables.fallback;
    if (pref) return void found.push(pref);
    failed = true;
    issues.add(at(p, 'code'), `unknown shipping line ${shown(code ?? title ?? '')}: add it to shipMethods or pickupStores, or configure defaultShipMethod`, 'unknown_code');
  });
  if (failed) return undefined;
  const [first, ...rest] = found;
  if (!first) {
    if (tables.fallback) return tables.fallback;
    issues.add('shipping_lines', 'no shipping line, and no defaultShipMethod is configured', 'unknown_code');
    return undefined;
  }
  if (rest.some((r) => JSON.stringify(r) !== JSON.stringify(first))) {
    issues.add('shipping_lines', `the shipping lines map to different fulfillments (${found.map((f) => (f.type === 'ship' ? f.shipMethod : `pickup at ${f.storeId}`)).join(', ')})`, 'needs_review');
    return undefined;
  }
  return first;
}

export function readAddress(v: unknown, path: string, issues: Issues): Address | undefined {
  if (v === null || v === undefined) return undefined;
  if (!isObject(v)) return void issues.add(path, 'must be an object or null');
  const text = (key: string, max: number) => readText(v, key, at(path, key), issues, { max });
  const country = text('country_code', 2);
  if (country === undefined) {
    if (v.country_code == null || v.country_code === '') issues.add(at(path, 'country_code'), 'required (an ISO 3166-1 alpha-2 code)');
  } else if (!/^[A-Za-z]{2}$/.test(country)) issues.add(at(path, 'country_code'), 'must be an ISO 3166-1 alpha-2 code');
  const first = text('first_name', 100);
  const last = text('last_name', 100);
  const name = text('name', 200) ?? ([first, last].filter(Boolean).join(' ') || undefined);
  if (country === undefined) return undefined;
  return defined({
    name,
    line1: text('address1', 200),
    line2: text('address2', 200),
    city: text('city', 100),
    region: text('province_code', 100) ?? text('province', 100),
    postalCode: text('zip', 32),
    country: country.toUpperCase(),
    phone: text('phone', 40),
    lat: readCoordinate(v, 'latitude', at(path, 'latitude'), 90, issues),
    lon: readCoordinate(v, 'longitude', at(path, 'longitude'), 180, issues),
  });
}

/** Shopify sends coordinates as numbers, or as decimal strings in older payloads. */
function readCoordinate(o: Json, key: string, path: string, limit: number, issues: Issues): number | undefined {
  const v = o[key];
  if (v === null || v === undefined || v === '') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : Number.NaN;
  if (Number.isFinite(n) && Math.abs(n) <= limit) return n;
  issues.add(path, `must be a number from -${limit} to ${limit}`);
  return undefined;
}

/**
 * Financial status → the payment Orderly records. `authorized` and `paid` (and the refunded
 * states, which imply it was paid) record the order total; `partially_paid` the part received
 * (total − total_outstanding); `pending`, `unpaid`, `voided` and `expired` none. The
 * authorization id is `shopify:<order id>`: the webhook carries no transaction id, and a
 * redelivery must give the same one.
 */
const PAYMENT: Readonly<Record<string, 'total' | 'received' | 'none'>> = {
  authorized: 'total',
  paid: 'total',
  partially_refunded: 'total',
  refunded: 'total',
  partially_paid: 'received',
  pending: 'none',
  unpaid: 'none',
  voided: 'none',
  expired: 'none',
};

function readPayment(o: Json, basis: MoneyBasis, orderId: string, issues: Issues): OrderDraft['payment'] {
  const status = readText(o, 'financial_status', 'financial_status', issues);
  if (status === undefined) return undefined;
  const rule = Object.hasOwn(PAYMENT, status) ? PAYMENT[status] : undefined;
  if (rule === undefined) return void issues.add('financial_status', `unknown financial status ${shown(status)}`, 'unknown_code');
  if (rule === 'none') return undefined;
  const total = readMoney(o, 'total_price', 'total_price', basis, issues);
  if (total === undefined) return undefined;
  if (rule === 'total') return { authorizationId: `shopify:${orderId}`, amount: total };
  // total_outstanding exists only as a plain (shop-currency) decimal.
  if (!basis.plainFields) return void issues.add('total_outstanding', `partially_paid: the outstanding amount is only in the shop's currency, not ${basis.currency}`, 'needs_review');
  const outstanding = checked(parseMinor(o.total_outstanding, basis.currency), 'total_outstanding', issues);
  if (outstanding === undefined) return undefined;
  if (outstanding > total) return void issues.add('total_outstanding', 'exceeds total_price');
  return { authorizationId: `shopify:${orderId}`, amount: total - outstanding };
}

function readCustomer(o: Json, mapping: ShopifyMapping, issues: Issues): Customer {
  const c = isObject(o.customer) ? o.customer : undefined;
  if (o.customer != null && !c) issues.add('customer', 'must be an object or null');
  const first = c && readText(c, 'first_name', 'customer.first_name', issues, { max: 100 });
  const last = c && readText(c, 'last_name', 'customer.last_name', issues, { max: 100 });
  return defined({
    id: c && readId(c, 'id', 'customer.id', issues, false),
    email:
      readText(o, 'email', 'email', issues, { max: 254 }) ??
      readText(o, 'contact_email', 'contact_email', issues, { max: 254 }) ??
      (c && readText(c, 'email', 'customer.email', issues, { max: 254 })),
    name: [first, last].filter(Boolean).join(' ') || undefined,
    phone: readText(o, 'phone', 'phone', issues, { max: 40 }) ?? (c && readText(c, 'phone', 'customer.phone', issues, { max: 40 })),
    tier: mapping.customerTier ?? 'standard',
  });
}

/** The order name (`#1001`, what people quote) and the GraphQL id, for finding the order both ways. */
function readExternalRefs(o: Json, issues: Issues): ExternalRef[] {
  const refs: ExternalRef[] = [];
  const name = readText(o, 'name', 'name', issues, { max: ORDER_LIMITS.maxIdLength });
  if (name) refs.push({ system: 'shopify.name', id: name });
  const gid = readText(o, 'admin_graphql_api_id', 'admin_graphql_api_id', issues, { max: ORDER_LIMITS.maxIdLength });
  if (gid) refs.push({ system: 'shopify.gid', id: gid });
  return refs;
}

function readEmbeddedFulfillments(o: Json, orderId: string, issues: Issues): FulfilledByChannel[] {
  const shipped: FulfilledByChannel[] = [];
  readArray(o, 'fulfillments', 'fulfillments', issues).forEach((f, i) => {
    const p = at('fulfillments', i);
    if (!isObject(f)) return issues.add(p, 'must be an object');
    const reading = readFulfillment(f, p, issues, { shippedAt: 'created_at', orderId });
    if (reading && 'shipped' in reading) shipped.push(reading.shipped);
  });
  return shipped;
}
