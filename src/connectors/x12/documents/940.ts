/**
 * 940 Warehouse Shipping Order → ShippingOrder.
 *
 * Maps: W05 (01 status N/R/F…, 02 depositor order id, 03 PO, 04 link sequence, 05 master ref),
 * N1 loops (N1/N2/N3/N4/PER) → parties, header N9 → references, G62 → dates, NTE → notes,
 * W09 → equipment code, W66 → carrier (01 payment, 02 method, 05 routing, 10 SCAC),
 * LX/W01 → lines (01 quantity, 02 UoM, 03 UPC case code, 04/05 06/07 15/16 product ids,
 * 08 freight class, 12 pallet block/tiers, 13 lot) with G69 description, N9 references and W20
 * packing, W76 → totals. The mapping is the exact inverse of `build940Segments`, so a document
 * survives serialize → parse unchanged.
 */
import type { Segment } from '../segment.js';
import {
  compact, countUnmapped, createNotes, createPartyReader, dateRef, el, noteText, noteUnmapped, num,
  qualifierPairs, reference, type DateRef, type Mapped, type Note, type Party, type Reference,
} from './common.js';

export interface ShippingOrderPacking {
  readonly pack?: number;
  readonly size?: number;
  readonly sizeUom?: string;
  readonly weight?: number;
  readonly weightQualifier?: string;
  readonly weightUom?: string;
}

export interface ShippingOrderLine {
  /** LX01 of the enclosing loop. */
  readonly lineNumber?: string;
  readonly quantity?: number;
  readonly uom?: string;
  readonly upcCaseCode?: string;
  /** Product id qualifier → id (`VN` vendor item, `UK` GTIN-14, `UP` UPC, `SK` SKU, …). */
  readonly itemIds: Readonly<Record<string, string>>;
  readonly freightClass?: string;
  readonly palletBlockTiers?: string;
  readonly lot?: string;
  readonly description?: string;
  readonly references: readonly Reference[];
  readonly packing?: ShippingOrderPacking;
}

export interface WarehouseCarrier {
  readonly paymentMethod?: string;
  readonly transportMethod?: string;
  readonly routing?: string;
  readonly scac?: string;
}

export interface ShippingOrderTotals {
  readonly quantity?: number;
  readonly weight?: number;
  readonly weightUom?: string;
  readonly volume?: number;
  readonly volumeUom?: string;
}

export interface ShippingOrder {
  readonly kind: 'warehouse_shipping_order';
  /** W0501: `N` new, `R` change/replace, `F` cancel, `D` delete, … (see shippingOrderAction). */
  readonly statusCode: string;
  /** W0502, our fulfilment-order id, echoed back in the 945's W0602. */
  readonly orderId: string;
  readonly purchaseOrder?: string;
  readonly linkSequence?: string;
  readonly masterReference?: string;
  readonly parties: readonly Party[];
  readonly references: readonly Reference[];
  readonly dates: readonly DateRef[];
  readonly notes: readonly Note[];
  readonly equipmentCode?: string;
  readonly carrier?: WarehouseCarrier;
  readonly lines: readonly ShippingOrderLine[];
  readonly totals?: ShippingOrderTotals;
}

export type ShippingOrderAction = 'create' | 'change' | 'cancel' | 'other';

/** What a W0501 asks of the warehouse: `R` replaces the whole order, `F`/`D` cancel it. */
export const shippingOrderAction = (statusCode: string): ShippingOrderAction =>
  statusCode === 'N' ? 'create' : statusCode === 'R' ? 'change' : statusCode === 'F' || statusCode === 'D' ? 'cancel' : 'other';

type LineDraft = { -readonly [K in keyof ShippingOrderLine]: ShippingOrderLine[K] };

export function map940(segments: readonly Segment[]): Mapped<ShippingOrder> {
  const { notes, note } = createNotes();
  const partyReader = createPartyReader(note);
  const unmapped = new Map<string, number>();
  const references: Reference[] = [];
  const dates: DateRef[] = [];
  const texts: Note[] = [];
  const lines: LineDraft[] = [];
  let w05: Segment | undefined;
  let carrier: WarehouseCarrier | undefined;
  let equipmentCode: string | undefined;
  let totals: ShippingOrderTotals | undefined;
  let lx: string | undefined;
  let inDetail = false;
  let line: LineDraft | undefined;

  segments.forEach((s, i) => {
    if (partyReader.take(s, i)) return;
    switch (s[0]) {
      case 'ST': case 'SE': return;
      case 'W05': w05 = s; return;
      case 'G62': dates.push(dateRef(s, note, i)); return;
      case 'NTE': texts.push(noteText(s)); return;
      case 'W09': equipmentCode = el(s, 1); return;
      case 'W66':
        carrier = compact({ paymentMethod: el(s, 1), transportMethod: el(s, 2), routing: el(s, 5), scac: el(s, 10) });
        return;
      case 'LX': lx = el(s, 1); inDetail = true; line = undefined; return;
      case 'W01':
        line = readW01(s, i, lx, note);
        lines.push(line);
        inDetail = true;
        return;
      case 'N9':
        if (!inDetail) references.push(reference(s));
        else if (line) line.references = [...line.references, reference(s)];
        else note('N9 before the W01 of its LX loop ignored', i);
        return;
      case 'G69':
        if (line) line.description = el(s, 1);
        else note('G69 outside a line ignored', i);
        return;
      case 'W20':
        if (line) {
          line.packing = compact({ pack: num(s, 1, note, i), size: num(s, 2, note, i), sizeUom: el(s, 3), weight: num(s, 4, note, i), weightQualifier: el(s, 5), weightUom: el(s, 6) });
        } else note('W20 outside a line ignored', i);
        return;
      case 'W76':
        totals = compact({ quantity: num(s, 1, note, i), weight: num(s, 2, note, i), weightUom: el(s, 3), volume: num(s, 4, note, i), volumeUom: el(s, 5) });
        inDetail = true;
        line = undefined;
        return;
      default: countUnmapped(unmapped, s);
    }
  });

  if (!w05) note('W05 (order identification) is missing');
  const statusCode = (w05 && el(w05, 1)) ?? '';
  const orderId = (w05 && el(w05, 2)) ?? '';
  if (w05 && orderId === '') note('W0502 depositor order number is empty', segments.indexOf(w05));
  if (statusCode !== 'F' && statusCode !== 'D' && lines.length === 0) note('940 has no W01 lines');
  noteUnmapped(note, '940', unmapped);
  const document: ShippingOrder = compact({
    kind: 'warehouse_shipping_order',
    statusCode,
    orderId,
    purchaseOrder: w05 && el(w05, 3),
    linkSequence: w05 && el(w05, 4),
    masterReference: w05 && el(w05, 5),
    parties: partyReader.parties,
    references,
    dates,
    notes: texts,
    equipmentCode,
    carrier,
    lines: lines.map(finishLine),
    totals,
  });
  return { document, notes };
}

/** Fixes the key order of the printed JSON, whatever order the segments filled the draft in. */
const finishLine = (l: LineDraft): ShippingOrderLine => compact({
  lineNumber: l.lineNumber, quantity: l.quantity, uom: l.uom, upcCaseCode: l.upcCaseCode, itemIds: l.itemIds,
  freightClass: l.freightClass, palletBlockTiers: l.palletBlockTiers, lot: l.lot, description: l.description,
  references: l.references, packing: l.packing,
});

function readW01(s: Segment, i: number, lineNumber: string | undefined, note: (m: string, i?: number) => void): LineDraft {
  const quantity = num(s, 1, note, i);
  if (el(s, 1) === undefined) note('W0101 quantity ordered is missing', i);
  return {
    lineNumber,
    quantity,
    uom: el(s, 2),
    upcCaseCode: el(s, 3),
    itemIds: { ...qualifierPairs(s, 4, 7), ...qualifierPairs(s, 15, 16) },
    freightClass: el(s, 8),
    palletBlockTiers: el(s, 12),
    lot: el(s, 13),
    references: [],
  };
}
