/**
 * 850 Purchase Order → one channel intent: `order.place` with an OrderDraft for an original PO
 * (BEG01 `00`), `order.cancel` for a cancellation (`01`); changes and replacements are not taken.
 *
 * The channel comes from the connector's config, externalId is BEG03 and placedAt BEG05. The
 * ship-to is the N1*ST loop (N404 → countries table; an absent N404 uses the table's default),
 * the ship method TD503 (else TD505) through the shipMethods table. Lines are PO1s: lineId PO101
 * (or the position), SKU through the skus table, quantity PO102 in PO103 units → eaches, and the
 * PO104 price per each in minor units, which must come out whole.
 */
import type { Address, LineDraft, OrderDraft } from '../../domain/order/model.js';
import type { ChannelIntent } from '../port.js';
import { createProblems, wholeNumber, type Problems } from '../mapping/index.js';
import { compact, decimalToMinor, type PurchaseOrder, type PurchaseOrderLine } from './documents/index.js';
import { minorUnits } from '../../domain/money.js';
import { chooseItemId, itemQualifiers, settle, timestamp, type DocumentTranslation, type X12InboundOptions } from './translation.js';

const UNIT = '1';

export function translate850(doc: PurchaseOrder, o: X12InboundOptions): DocumentTranslation {
  const p = createProblems();
  const externalId = doc.poNumber.trim();
  if (doc.action !== 'create' && doc.action !== 'cancel') {
    p.add('unsupported', 'BEG01', `BEG01 purpose '${doc.purpose ?? ''}' (${doc.action}) is not taken: only 00 original and 01 cancellation are`);
  }
  if (o.channel === undefined) p.add('unsupported', 'channel', 'the connector has no channel configured for 850 purchase orders');
  if (externalId === '') p.add('missing_reference', 'BEG03', 'BEG03 purchase order number is empty');
  if (p.list.length > 0 || o.channel === undefined) return settle([], p.list);

  if (doc.action === 'cancel') {
    const intent: ChannelIntent = { type: 'order.cancel', channel: o.channel, externalId, reason: 'purchase_order_cancelled' };
    return settle([{ key: UNIT, message: intent }], p.list);
  }
  const placedAt = p.take(timestamp(doc.poDate, undefined, o.utcOffset), 'BEG05', UNIT);
  const shipTo = readShipTo(doc, o, p);
  const shipMethod = p.take(o.mapper.check('shipMethods', doc.carrier?.id ?? doc.carrier?.routing), doc.carrier?.id ? 'TD503' : 'TD505', UNIT);
  const lines = doc.lines.flatMap((l) => readLine(l, doc.currency, o, p) ?? []);
  if (doc.lines.length === 0) p.add('invalid', 'PO1', 'the purchase order has no PO1 lines', UNIT);
  const ids = new Set<string>();
  for (const l of lines) {
    if (ids.has(l.lineId)) p.add('invalid', `PO1 ${l.lineId} PO101`, `line number ${l.lineId} appears twice`, UNIT);
    ids.add(l.lineId);
  }
  if (p.count(UNIT) > 0 || !placedAt || !shipTo || !shipMethod) return settle([], p.list);
  const draft: OrderDraft = {
    externalId,
    channel: o.channel,
    currency: doc.currency,
    placedAt,
    customer: { tier: o.customerTier ?? 'standard' },
    shipTo,
    fulfillment: { type: 'ship', shipMethod },
    lines,
  };
  return settle([{ key: UNIT, message: { type: 'order.place', draft } }], p.list);
}

function readShipTo(doc: PurchaseOrder, o: X12InboundOptions, p: Problems): Address | undefined {
  const st = doc.shipTo;
  if (!st) {
    p.add('missing_reference', 'N1*ST', 'no N1*ST ship-to party', UNIT);
    return undefined;
  }
  const country = p.take(o.mapper.check('countries', st.country), 'N1*ST N404', UNIT);
  if (country === undefined) return undefined;
  return compact({ name: st.name, line1: st.line1, line2: st.line2, city: st.city, region: st.region, postalCode: st.postalCode, country });
}

function readLine(l: PurchaseOrderLine, currency: string, o: X12InboundOptions, p: Problems): LineDraft | undefined {
  const where = `PO1 ${l.lineId}`;
  const native = p.take(chooseItemId(l.itemIds, itemQualifiers(o)), `${where} PO106`, UNIT);
  const sku = native === undefined ? undefined : p.take(o.mapper.check('skus', native), `${where} PO106`, UNIT);
  if (l.quantity === undefined) p.add('invalid', `${where} PO102`, `${where}: PO102 quantity is missing`, UNIT);
  const quantity = l.quantity === undefined ? undefined : p.take(o.mapper.toEaches(l.quantity, l.uom), `${where} PO103`, UNIT);
  if (quantity === 0) p.add('invalid', `${where} PO102`, `${where}: quantity is zero`, UNIT);
  const unitPrice = linePrice(l, currency, o, p, where);
  if (sku === undefined || quantity === undefined || quantity === 0 || unitPrice === undefined) return undefined;
  return { lineId: l.lineId, sku, quantity, unitPrice };
}

/** PO104 is per native unit; Orderly's price is per each, in whole minor units, or it is reported. */
function linePrice(l: PurchaseOrderLine, currency: string, o: X12InboundOptions, p: Problems, where: string): number | undefined {
  const price = l.unitPrice;
  if (!price) {
    p.add('missing_reference', `${where} PO104`, `${where}: PO104 unit price is missing`, UNIT);
    return undefined;
  }
  const exact = decimalToMinor(price.decimal, minorUnits(price.currency) ?? 2);
  if (!exact?.exact) {
    p.add('invalid', `${where} PO104`, `${where}: ${price.decimal} has more decimals than ${currency} minor units`, UNIT);
    return undefined;
  }
  const unit = o.mapper.lookup('units', l.uom);
  if (!unit.ok) return undefined; // already reported with the quantity
  const perEach = wholeNumber(price.amount / unit.value.factor);
  if (perEach === undefined || perEach < 0) {
    p.add('invalid', `${where} PO104`, `${where}: ${price.decimal} ${currency} per ${l.uom ?? 'unit'} is not a whole number of minor units per each (factor ${unit.value.factor})`, UNIT);
    return undefined;
  }
  return perEach;
}
