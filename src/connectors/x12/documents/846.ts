/**
 * 846 Inventory Inquiry/Advice → InventoryAdvice.
 *
 * Maps: BIA (01 purpose, 02 report type, 03 report id, 04 date, 05 time, 06 action), CUR,
 * header REF/DTM/N1 (the report's location, e.g. `WH`), and one item per LIN loop: LIN product
 * id pairs, PID description, CTP unit price (03, in minor units), REF, and quantities from QTY
 * (01 qualifier such as 33 available / 17 on hand / 63 on order, 02 quantity, 03 unit) with UIT
 * units and DTM dates that follow them, and SDQ per-location breakdowns (qualified by the QTY
 * before them). An N1 inside a LIN loop sets the location of the quantities after it.
 * Qualifiers are kept as sent: turning them into stock buckets is a per-partner table.
 */
import type { Segment } from '../segment.js';
import {
  compact, countUnmapped, createNotes, createPartyReader, dateRef, el, firstComponent, isoOrRaw, noteUnmapped,
  num, qualifierPairs, reference, type DateRef, type Mapped, type MappingPolicy, type Noter, type Party, type Reference,
} from './common.js';
import { toMoney, type Money } from './money.js';

export interface InventoryLocation {
  readonly role?: string;
  readonly idQualifier?: string;
  readonly id?: string;
  readonly name?: string;
}

export interface InventoryQuantity {
  /** QTY01 as sent (`33`, `17`, `63`, `QH`, …); for SDQ, the qualifier of the QTY before it. */
  readonly qualifier: string;
  readonly quantity?: number;
  readonly uom?: string;
  readonly location?: InventoryLocation;
  readonly dates?: readonly DateRef[];
}

export interface InventoryItem {
  readonly lineNumber?: string;
  readonly itemIds: Readonly<Record<string, string>>;
  readonly description?: string;
  readonly unitPrice?: Money;
  readonly priceQualifier?: string;
  readonly references: readonly Reference[];
  readonly dates: readonly DateRef[];
  readonly quantities: readonly InventoryQuantity[];
}

export interface InventoryAdvice {
  readonly kind: 'inventory_advice';
  readonly purpose?: string;
  readonly reportType?: string;
  readonly reportId?: string;
  readonly date?: string;
  readonly time?: string;
  readonly action?: string;
  readonly currency: string;
  readonly references: readonly Reference[];
  readonly dates: readonly DateRef[];
  readonly parties: readonly Party[];
  readonly items: readonly InventoryItem[];
  readonly totals?: { readonly lineCount?: number };
}

type ItemDraft = { -readonly [K in keyof InventoryItem]: InventoryItem[K] } & {
  references: Reference[];
  dates: DateRef[];
  quantities: InventoryQuantity[];
  location?: InventoryLocation;
};

const UNIT = /^[A-Z0-9]{2}$/;

export function map846(segments: readonly Segment[], policy: MappingPolicy): Mapped<InventoryAdvice> {
  const { notes, note } = createNotes();
  const partyReader = createPartyReader(note);
  const unmapped = new Map<string, number>();
  const references: Reference[] = [];
  const dates: DateRef[] = [];
  const items: ItemDraft[] = [];
  const cur = segments.find((s) => s[0] === 'CUR');
  const currency = (cur && el(cur, 2)) ?? policy.defaultCurrency;
  let bia: Segment | undefined;
  let biaIndex = -1;
  let ctt: [Segment, number] | undefined;
  let item: ItemDraft | undefined;

  const unit = (v: string | undefined, s: Segment, i: number): string | undefined => {
    const u = firstComponent(v);
    if (u !== undefined && !UNIT.test(u)) note(`${s[0] ?? ''} unit '${u}' is not a 2-character unit code (a segment terminator may be missing)`, i);
    return u;
  };

  segments.forEach((s, i) => {
    if (!item && partyReader.take(s, i)) return;
    switch (s[0]) {
      case 'ST': case 'SE': case 'CUR': return;
      case 'BIA': [bia, biaIndex] = [s, i]; return;
      case 'CTT': ctt = [s, i]; return;
      case 'LIN':
        item = { lineNumber: el(s, 1), itemIds: qualifierPairs(s, 2), references: [], dates: [], quantities: [] };
        if (Object.keys(item.itemIds).length === 0) note('LIN carries no product id', i);
        items.push(item);
        return;
      case 'REF':
        if (s.length > 5) note(`REF has ${s.length - 1} elements (at most 4 expected); a segment terminator may be missing`, i);
        if (item) item.references.push(reference(s));
        else references.push(reference(s));
        return;
      case 'DTM': {
        const d = dateRef(s, note, i);
        const last = item?.quantities.at(-1);
        if (!item) dates.push(d);
        else if (last) item.quantities[item.quantities.length - 1] = { ...last, dates: [...(last.dates ?? []), d] };
        else item.dates.push(d);
        return;
      }
      default:
        if (item) readItemSegment(item, s, i, { note, unit, currency, unmapped });
        else countUnmapped(unmapped, s);
    }
  });

  if (!bia) note('BIA (beginning segment for inventory advice) is missing');
  if (!cur && items.some((x) => x.unitPrice)) note(`no CUR segment; prices read as ${currency}`);
  const ctt01 = ctt && el(ctt[0], 1);
  if (ctt && ctt01 !== undefined && Number(ctt01) !== items.length) {
    note(`CTT01 says ${ctt01} but the 846 has ${items.length} LIN loops`, ctt[1]);
  }
  noteUnmapped(note, '846', unmapped);
  const document: InventoryAdvice = compact({
    kind: 'inventory_advice',
    purpose: bia && el(bia, 1),
    reportType: bia && el(bia, 2),
    reportId: bia && el(bia, 3),
    date: bia && isoOrRaw(bia, 4, note, biaIndex),
    time: bia && el(bia, 5),
    action: bia && el(bia, 6),
    currency,
    references,
    dates,
    parties: partyReader.parties,
    items: items.map(({ location: _location, ...rest }) => compact(rest)),
    totals: ctt && compact({ lineCount: num(ctt[0], 1, note, ctt[1]) }),
  });
  return { document, notes };
}

interface ItemContext {
  readonly note: Noter;
  readonly unit: (v: string | undefined, s: Segment, i: number) => string | undefined;
  readonly currency: string;
  readonly unmapped: Map<string, number>;
}

function readItemSegment(item: ItemDraft, s: Segment, i: number, ctx: ItemContext): void {
  const { note, unit } = ctx;
  switch (s[0]) {
    case 'PID': item.description ??= el(s, 5); return;
    case 'CTP': {
      const price = el(s, 3);
      item.priceQualifier = el(s, 2);
      if (price === undefined) return;
      const { money, why } = toMoney(price, ctx.currency);
      if (why) note(`CTP03 ${why}`, i);
      if (money) item.unitPrice = money;
      return;
    }
    case 'N1':
      item.location = compact({ role: el(s, 1), name: el(s, 2), idQualifier: el(s, 3), id: el(s, 4) });
      return;
    case 'QTY':
      item.quantities.push(compact({
        qualifier: el(s, 1) ?? '', quantity: num(s, 2, note, i), uom: unit(el(s, 3), s, i), location: item.location,
      }));
      if (el(s, 1) === undefined) note('QTY01 quantity qualifier is missing', i);
      return;
    case 'UIT': {
      const last = item.quantities.at(-1);
      if (last && last.uom === undefined) item.quantities[item.quantities.length - 1] = { ...last, uom: unit(el(s, 1), s, i) };
      else if (!last) note('UIT before any QTY ignored', i);
      return;
    }
    case 'SDQ': {
      const qualifier = item.quantities.at(-1)?.qualifier ?? '';
      if (qualifier === '') note('SDQ without a preceding QTY: its quantity qualifier is unknown', i);
      for (let k = 3; k + 1 < s.length; k += 2) {
        const id = el(s, k);
        if (id === undefined) continue;
        item.quantities.push(compact({
          qualifier, quantity: num(s, k + 1, note, i), uom: unit(el(s, 1), s, i), location: compact({ idQualifier: el(s, 2), id }),
        }));
      }
      return;
    }
    default: countUnmapped(ctx.unmapped, s);
  }
}
