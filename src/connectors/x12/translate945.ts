/**
 * 945 Warehouse Shipping Advice → one `fulfillment.shipped` fact.
 *
 * W0602 (depositor order number) is the fulfillment id: Orderly's 940 writes it in W0502. The
 * shipment id is W0604, else the N9*BM bill of lading; shippedAt is W0603 (else G62*11) with the
 * G62*11 time. Lines are W12s by SKU (item id → skus table) in eaches (W1205 → units table);
 * a line whose status (W1201 → status table) is not a shipped one, or that shipped nothing, is
 * not shipped. The carrier is W2702 (SCAC) through the carriers table. Tracking numbers: header
 * N9*2I; per-line N9*2I / MAN*CP become packages.
 */
import type { Fact } from '../port.js';
import { createProblems, type FulfillmentStatus } from '../mapping/index.js';
import type { ShippedLine, ShippingAdvice } from './documents/index.js';
import { chooseItemId, itemQualifiers, mergeLines, settle, timestamp, type DocumentTranslation, type X12InboundOptions } from './translation.js';

const UNIT = '1';
const SHIPPED: ReadonlySet<FulfillmentStatus> = new Set(['shipped', 'partially_shipped', 'delivered']);

interface LineOut {
  readonly sku: string;
  readonly quantity: number;
  readonly tracking: readonly string[];
}

export function translate945(doc: ShippingAdvice, o: X12InboundOptions): DocumentTranslation {
  const p = createProblems();
  const { mapper } = o;
  const fulfillmentId = doc.orderId?.trim();
  if (!fulfillmentId) p.add('missing_reference', 'W0602', 'W0602 depositor order number is empty: it must carry the Orderly fulfillment id (sent in the 940 W0502)', UNIT);
  const shipmentId = doc.shipmentId?.trim() || doc.billOfLading?.trim();
  if (!shipmentId) p.add('missing_reference', 'W0604', 'no shipment id: W0604 and N9*BM are both empty', UNIT);

  const shippedOn = doc.dates.find((d) => d.qualifier === '11');
  const date = doc.shipDate !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(doc.shipDate) ? doc.shipDate : shippedOn?.date ?? doc.shipDate;
  const time = shippedOn && shippedOn.date === date ? shippedOn.time : undefined;
  const shippedAt = p.take(timestamp(date, time, o.utcOffset), 'W0603', UNIT);

  const scac = doc.carrier?.scac;
  const carrier = scac === undefined ? undefined : p.take(mapper.check('carriers', scac), 'W2702', UNIT);

  const lines: LineOut[] = [];
  doc.lines.forEach((l, n) => {
    const out = translateLine(l, `LX ${l.lineNumber ?? n + 1}`, o, p);
    if (out) lines.push(out);
  });
  if (p.count(UNIT) === 0 && lines.length === 0) {
    p.add('invalid', 'W1203', 'the 945 reports nothing shipped (a warehouse-side cancellation?): not turned into a shipment', UNIT);
  }

  const headerTracking = doc.references.filter((r) => r.qualifier === '2I' && r.value).map((r) => r.value ?? '');
  const lineTracking = [...new Set(lines.flatMap((l) => l.tracking))];
  const all = [...new Set([...headerTracking, ...lineTracking])];
  const trackingNumber = headerTracking[0] ?? (all.length === 1 ? all[0] : undefined);
  const packages = lineTracking.length > 0 && all.length > 1
    ? lineTracking.map((t) => ({ trackingNumber: t, lines: mergeLines(lines.filter((l) => l.tracking.includes(t))) }))
    : undefined;

  if (p.count(UNIT) > 0 || !fulfillmentId || !shipmentId || !shippedAt) return settle([], p.list);
  const fact: Fact = {
    type: 'fulfillment.shipped',
    fulfillmentId,
    shipmentId,
    lines: mergeLines(lines),
    ...(carrier ? { carrier } : {}),
    ...(trackingNumber ? { trackingNumber } : {}),
    ...(packages ? { packages } : {}),
    shippedAt,
  };
  return settle([{ key: UNIT, message: fact }], p.list);
}

function translateLine(l: ShippedLine, where: string, o: X12InboundOptions, p: ReturnType<typeof createProblems>): LineOut | undefined {
  const status = l.status === undefined ? undefined : p.take(o.mapper.check('status', l.status), `${where} W1201`, UNIT);
  if (l.status !== undefined && status === undefined) return undefined;
  const shipped = l.quantityShipped;
  if (shipped === undefined) {
    p.add('invalid', `${where} W1203`, `${where}: W1203 units shipped is missing`, UNIT);
    return undefined;
  }
  const shippedStatus = status === undefined || SHIPPED.has(status);
  if (!shippedStatus && shipped > 0) {
    p.add('invalid', `${where} W1201`, `${where}: status ${l.status ?? ''} (${status ?? ''}) but ${shipped} units shipped`, UNIT);
    return undefined;
  }
  if (!shippedStatus || shipped === 0) return undefined;
  const ids = l.upcCaseCode !== undefined && l.itemIds.UC === undefined ? { ...l.itemIds, UC: l.upcCaseCode } : l.itemIds;
  const native = p.take(chooseItemId(ids, itemQualifiers(o)), `${where} W1208`, UNIT);
  const sku = native === undefined ? undefined : p.take(o.mapper.check('skus', native), `${where} W1208`, UNIT);
  const quantity = p.take(o.mapper.toEaches(shipped, l.uom), `${where} W1205`, UNIT);
  if (sku === undefined || quantity === undefined) return undefined;
  const tracking = [...l.references.filter((r) => r.qualifier === '2I'), ...l.marks.filter((m) => m.qualifier === 'CP')].flatMap((r) => r.value ?? []);
  return { sku, quantity, tracking };
}
