/**
 * 846 Inventory Inquiry/Advice → one `inventory.snapshot` fact per location.
 *
 * The location of a quantity is its own (N1 inside the LIN loop, SDQ), else the report's (the
 * first header N1 of the configured roles, default WH), mapped to a node by the locations table
 * (an absent code uses the table's default). QTY01 qualifiers go through the quantityQualifiers
 * table (onHand / available / ignore) and quantities through the units table into eaches.
 * asOf is BIA04 with BIA05 (midnight when BIA05 is empty) in the partner's offset. Every
 * position of a snapshot needs an onHand quantity; one item reported twice at a location is
 * ambiguous and reported, not summed.
 */
import type { Fact } from '../port.js';
import { createProblems, type Problems } from '../mapping/index.js';
import type { InventoryAdvice, InventoryItem } from './documents/index.js';
import { chooseItemId, itemQualifiers, settle, timestamp, type DocumentTranslation, type TranslatedMessage, type X12InboundOptions } from './translation.js';

interface Position {
  sku: string;
  where: string;
  onHand?: number;
  available?: number;
  /** A quantity of it could not be read (already reported). */
  broken?: boolean;
}

interface Location {
  readonly key: string;
  readonly code: string | undefined;
  readonly positions: Map<string, Position>;
}

export function translate846(doc: InventoryAdvice, o: X12InboundOptions): DocumentTranslation {
  const p = createProblems();
  if (doc.purpose !== undefined && doc.purpose !== '00') {
    p.add('unsupported', 'BIA01', `BIA01 purpose '${doc.purpose}' is not an original report (00)`);
    return settle([], p.list);
  }
  const asOf = p.take(timestamp(doc.date, doc.time, o.utcOffset), 'BIA04');
  const roles = o.inventoryLocationRoles ?? ['WH'];
  const header = roles.map((r) => doc.parties.find((party) => party.role === r && party.id)).find((party) => party !== undefined);
  const locations = new Map<string, Location>();
  const locationFor = (code: string | undefined): Location => {
    const key = `loc:${code ?? ''}`;
    const found = locations.get(key) ?? { key, code, positions: new Map() };
    locations.set(key, found);
    return found;
  };

  doc.items.forEach((item, n) => readItem(item, `LIN ${item.lineNumber ?? n + 1}`, header?.id, locationFor, o, p));

  const candidates: TranslatedMessage[] = [];
  for (const loc of locations.values()) {
    const nodeId = p.take(o.mapper.check('locations', loc.code), loc.code === header?.id ? `N1*${header?.role ?? 'WH'} N104` : 'N104', loc.key);
    const positions: { sku: string; onHand: number; available?: number }[] = [];
    for (const pos of loc.positions.values()) {
      if (pos.broken) continue;
      if (pos.onHand === undefined) {
        p.add('missing_reference', `${pos.where} QTY01`, `${pos.where}: no quantity of ${pos.sku} maps to onHand`, loc.key);
        continue;
      }
      positions.push({ sku: pos.sku, onHand: pos.onHand, ...(pos.available !== undefined ? { available: pos.available } : {}) });
    }
    if (nodeId === undefined || asOf === undefined || p.count(loc.key) > 0) continue;
    const fact: Fact = { type: 'inventory.snapshot', nodeId, asOf, positions };
    candidates.push({ key: loc.key, message: fact });
  }
  if (locations.size === 0) p.add('invalid', 'LIN', 'the 846 reports no quantities');
  return settle(candidates, p.list);
}

function readItem(
  item: InventoryItem,
  where: string,
  headerCode: string | undefined,
  locationFor: (code: string | undefined) => Location,
  o: X12InboundOptions,
  p: Problems,
): void {
  const codes = item.quantities.length > 0 ? [...new Set(item.quantities.map((q) => q.location?.id ?? headerCode))] : [headerCode];
  const touched = codes.map(locationFor);
  const native = chooseItemId(item.itemIds, itemQualifiers(o));
  const sku = native.ok ? o.mapper.check('skus', native.value) : native;
  if (!sku.ok) {
    for (const loc of touched) p.take(sku, `${where} LIN`, loc.key);
    return;
  }
  if (item.quantities.length === 0) p.add('invalid', `${where} QTY`, `${where}: ${sku.value} has no QTY`, touched[0]?.key);
  for (const q of item.quantities) {
    const loc = locationFor(q.location?.id ?? headerCode);
    // Every item a location reports becomes a position, so one whose on-hand was lost is reported.
    const pos = loc.positions.get(sku.value) ?? { sku: sku.value, where };
    loc.positions.set(sku.value, pos);
    const kind = p.take(o.mapper.check('quantityQualifiers', q.qualifier), `${where} QTY01`, loc.key);
    if (kind === undefined) pos.broken = true;
    if (kind === undefined || kind === 'ignore') continue;
    if (q.quantity === undefined) {
      p.add('invalid', `${where} QTY02`, `${where}: QTY ${q.qualifier} has no quantity`, loc.key);
      pos.broken = true;
      continue;
    }
    const eaches = p.take(o.mapper.toEaches(q.quantity, q.uom), `${where} QTY03`, loc.key);
    if (pos[kind] !== undefined) {
      p.add('invalid', `${where} QTY01`, `${where}: ${sku.value} has two ${kind} quantities at this location (also at ${pos.where})`, loc.key);
      continue;
    }
    if (eaches === undefined) pos.broken = true;
    else pos[kind] = eaches;
  }
}
