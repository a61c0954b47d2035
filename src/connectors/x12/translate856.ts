/**
 * 856 Ship Notice → one `fulfillment.shipped` fact per order level.
 *
 * The order reference (PRF01, or the configured order-level REF) is the fulfillment id; an
 * S-I notice without order levels groups its items by their own PRF. The shipment id is BSN02
 * (else REF*BM), shippedAt the shipment's DTM*011, the carrier TD503 through the carriers table.
 * Items (LIN id → skus table, SN102 in SN103 units → eaches) become lines, and the packs (P/T)
 * holding them packages with their MAN*CP/SM tracking number. Tracking: the single pack tracking
 * number of the order, else the shipment's REF*2I, else its REF*CN (PRO).
 */
import type { Fact } from '../port.js';
import { createProblems, type Problems } from '../mapping/index.js';
import type { AsnItem, AsnOrder, AsnPack, ShipNotice } from './documents/index.js';
import {
  chooseItemId, itemQualifiers, mergeLines, settle, timestamp, type DocumentTranslation, type TranslatedMessage, type X12InboundOptions,
} from './translation.js';

/** BSN01: `00` original, `14` advance notification; a cancel (`01`) or replace (`05`) is not a shipment. */
const SHIPMENT_PURPOSES: ReadonlySet<string> = new Set(['00', '14']);

interface OrderGroup {
  readonly key: string;
  readonly where: string;
  readonly order?: AsnOrder;
  readonly reference?: string;
  readonly items: AsnItem[];
}

export function translate856(doc: ShipNotice, o: X12InboundOptions): DocumentTranslation {
  const p = createProblems();
  if (doc.purpose !== undefined && !SHIPMENT_PURPOSES.has(doc.purpose)) {
    p.add('unsupported', 'BSN01', `BSN01 purpose '${doc.purpose}' is not a shipment (only 00 original and 14 advance notification are)`);
    return settle([], p.list);
  }
  const shipmentId = doc.shipmentId?.trim() || doc.shipment.billOfLading?.trim();
  if (!shipmentId) p.add('missing_reference', 'BSN02', 'no shipment id: BSN02 and REF*BM are both empty');
  const shipped = doc.shipment.dates.find((d) => d.qualifier === '011');
  if (!shipped) p.add('missing_reference', 'DTM*011', 'the shipment level has no DTM*011 (shipped) date');
  const shippedAt = shipped ? p.take(timestamp(shipped.date, shipped.time, o.utcOffset), 'DTM*011') : undefined;
  const td5 = doc.shipment.carrier;
  const carrierCode = td5?.scac ?? td5?.id;
  const carrier = carrierCode === undefined ? undefined : p.take(o.mapper.check('carriers', carrierCode), 'TD503');
  const shipmentTracking = doc.shipment.references.find((r) => r.qualifier === '2I')?.value ?? doc.shipment.proNumber;

  const candidates: TranslatedMessage[] = [];
  for (const group of groupItems(doc, o, p)) {
    const lines = group.items.flatMap((item) => itemLine(item, o, p, group.key) ?? []);
    if (!group.reference) continue;
    if (p.count(group.key) > 0 || !shipmentId || !shippedAt) continue;
    if (lines.length === 0) {
      p.add('invalid', `${group.where} SN102`, `${group.where}: nothing shipped for order ${group.reference}`, group.key);
      continue;
    }
    const packs = packsOf(doc.packs, group.items);
    const packTracking = [...new Set(packs.flatMap(({ pack }) => pack.trackingNumbers))];
    const trackingNumber = packTracking.length === 1 ? packTracking[0] : shipmentTracking;
    const packages = packs.map(({ pack, items }) => ({
      ...(pack.trackingNumbers[0] ? { trackingNumber: pack.trackingNumbers[0] } : {}),
      lines: mergeLines(items.map((i) => lines.find((l) => l.hlId === i.hlId)).filter((l) => l !== undefined)),
    })).filter((pk) => pk.lines.length > 0);
    const fact: Fact = {
      type: 'fulfillment.shipped',
      fulfillmentId: group.reference,
      shipmentId,
      lines: mergeLines(lines),
      ...(carrier ? { carrier } : {}),
      ...(trackingNumber ? { trackingNumber } : {}),
      ...(packages.length > 0 ? { packages } : {}),
      shippedAt,
    };
    candidates.push({ key: group.key, message: fact });
  }
  return settle(candidates, p.list);
}

/** Orders in HL order with their items; items outside any order level grouped by their own PRF. */
function groupItems(doc: ShipNotice, o: X12InboundOptions, p: Problems): OrderGroup[] {
  const field = o.asnOrderRef === undefined ? 'PRF01' : `REF*${o.asnOrderRef}`;
  const groups: OrderGroup[] = doc.orders.map((order) => {
    const key = `HL${order.hlId}`;
    const where = `HL ${order.hlId}`;
    const raw = o.asnOrderRef === undefined ? order.purchaseOrder : order.references.find((r) => r.qualifier === o.asnOrderRef)?.value;
    const reference = raw?.trim();
    if (!reference) p.add('missing_reference', `${where} ${field}`, `order ${where} has no ${field}: it must carry the Orderly fulfillment id`, key);
    const items = doc.items.filter((i) => i.orderHlId === order.hlId);
    if (items.length === 0) p.add('invalid', where, `order ${where} has no items`, key);
    return { key, where, order, ...(reference ? { reference } : {}), items };
  });
  const loose = new Map<string, OrderGroup>();
  for (const item of doc.items.filter((i) => i.orderHlId === undefined)) {
    const reference = item.purchaseOrder?.trim();
    if (!reference) {
      const key = `HL${item.hlId}`;
      p.add('missing_reference', `HL ${item.hlId} PRF01`, `item HL ${item.hlId} belongs to no order level and has no PRF01`, key);
      groups.push({ key, where: `HL ${item.hlId}`, items: [item] });
      continue;
    }
    const key = `PRF:${reference}`;
    const group = loose.get(key) ?? { key, where: `PRF ${reference}`, reference, items: [] };
    group.items.push(item);
    if (!loose.has(key)) groups.push(group);
    loose.set(key, group);
  }
  return groups;
}

function itemLine(item: AsnItem, o: X12InboundOptions, p: Problems, unit: string): { hlId: string; sku: string; quantity: number } | undefined {
  const where = `HL ${item.hlId}`;
  const native = p.take(chooseItemId(item.itemIds, itemQualifiers(o)), `${where} LIN`, unit);
  const sku = native === undefined ? undefined : p.take(o.mapper.check('skus', native), `${where} LIN`, unit);
  if (item.quantityShipped === undefined) {
    p.add('invalid', `${where} SN102`, `item ${where} has no SN102 units shipped`, unit);
    return undefined;
  }
  const quantity = p.take(o.mapper.toEaches(item.quantityShipped, item.uom), `${where} SN103`, unit);
  if (sku === undefined || quantity === undefined || quantity === 0) return undefined;
  return { hlId: item.hlId, sku, quantity };
}

function packsOf(packs: readonly AsnPack[], items: readonly AsnItem[]): { pack: AsnPack; items: AsnItem[] }[] {
  return packs
    .map((pack) => ({ pack, items: items.filter((i) => i.packHlId === pack.hlId) }))
    .filter((x) => x.items.length > 0);
}
