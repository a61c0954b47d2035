/**
 * 945 Warehouse Shipping Advice → ShippingAdvice.
 *
 * Maps: W06 (01 reporting code, 02 depositor order id = the 940's W0502, 03 ship date,
 * 04 shipment id/BOL, 05 agent shipment id, 06 PO, 07 master ref, 08 link sequence), N1 loops,
 * header N9 (BM → billOfLading; 2I → tracking), G62 dates, NTE, W27 carrier (01 method,
 * 02 SCAC, 03 routing, 04 payment, 07 equipment), LX/W12 shipped lines (01 status, 02 ordered,
 * 03 shipped, 04 difference, 05 UoM, 06 UPC case code, 07/08 product id, 09 lot, 10-12 weight)
 * with G69, N9 (LV → pallets with N903 quantity, 2I → tracking) and MAN marks, W03 totals.
 * W12s whose ids sit one element to the right (seen in real files) are realigned by checking
 * where the product id qualifier is, not by trusting the positions.
 */
import type { Segment } from '../segment.js';
import {
  compact, countUnmapped, createNotes, createPartyReader, dateRef, el, isoOrRaw, noteText, noteUnmapped,
  num, reference, type DateRef, type Mapped, type Note, type Noter, type Party, type Reference,
} from './common.js';

export interface Pallet {
  /** N902 of an `N9*LV`: license plate or pallet SSCC. */
  readonly id: string;
  /** N903 when it holds a number (some 3PLs put the pallet quantity there). */
  readonly quantity?: number;
}

export interface ShippedLine {
  readonly lineNumber?: string;
  /** W1201: `CC` complete, `CP`/`BP` partial, `CL`, `CU`/`IC` cancelled, `IS` substitution. */
  readonly status?: string;
  readonly quantityOrdered?: number;
  readonly quantityShipped?: number;
  readonly quantityDifference?: number;
  readonly uom?: string;
  readonly upcCaseCode?: string;
  readonly itemIds: Readonly<Record<string, string>>;
  readonly lot?: string;
  readonly weight?: { readonly value?: number; readonly qualifier?: string; readonly uom?: string };
  readonly description?: string;
  readonly references: readonly Reference[];
  readonly pallets: readonly Pallet[];
  readonly marks: readonly Reference[];
  /** Shipped below ordered, or status `CP`/`BP`. */
  readonly partial: boolean;
}

export interface ShippingAdvice {
  readonly kind: 'warehouse_shipping_advice';
  readonly reportingCode?: string;
  /** W0602; empty in some real files, so correlate on purchaseOrder/shipmentId as a fallback. */
  readonly orderId?: string;
  readonly shipDate?: string;
  readonly shipmentId?: string;
  readonly agentShipmentId?: string;
  readonly purchaseOrder?: string;
  readonly masterReference?: string;
  readonly linkSequence?: string;
  readonly parties: readonly Party[];
  readonly references: readonly Reference[];
  readonly dates: readonly DateRef[];
  readonly notes: readonly Note[];
  readonly carrier?: {
    readonly transportMethod?: string;
    readonly scac?: string;
    readonly routing?: string;
    readonly paymentMethod?: string;
    readonly equipmentNumber?: string;
  };
  readonly billOfLading?: string;
  /** From N9*2I (header and lines) and MAN*CP, in order, without duplicates. */
  readonly trackingNumbers: readonly string[];
  readonly lines: readonly ShippedLine[];
  readonly totals?: {
    readonly unitsShipped?: number;
    readonly weight?: number;
    readonly weightUom?: string;
    readonly volume?: number;
    readonly volumeUom?: string;
  };
}

type LineDraft = { -readonly [K in keyof ShippedLine]: ShippedLine[K] };

/** A product id qualifier is two characters, at least one a letter (`UK`, `VN`, `IN`, `N4`). */
const isQualifier = (v: string | undefined): boolean => v !== undefined && /^(?=.*[A-Z])[A-Z0-9]{2}$/.test(v);

export function map945(segments: readonly Segment[]): Mapped<ShippingAdvice> {
  const { notes, note } = createNotes();
  const partyReader = createPartyReader(note);
  const unmapped = new Map<string, number>();
  const references: Reference[] = [];
  const dates: DateRef[] = [];
  const texts: Note[] = [];
  const tracking = new Set<string>();
  const lines: LineDraft[] = [];
  let w06: Segment | undefined;
  let w06Index = -1;
  let carrier: ShippingAdvice['carrier'];
  let totals: ShippingAdvice['totals'];
  let lx: string | undefined;
  let pending: LineDraft | undefined;

  const newLine = (): LineDraft => ({ lineNumber: lx, itemIds: {}, references: [], pallets: [], marks: [], partial: false });

  segments.forEach((s, i) => {
    if (partyReader.take(s, i)) return;
    switch (s[0]) {
      case 'ST': case 'SE': return;
      case 'W06': [w06, w06Index] = [s, i]; return;
      case 'G62': dates.push(dateRef(s, note, i)); return;
      case 'NTE': texts.push(noteText(s)); return;
      case 'W27':
        carrier = compact({ transportMethod: el(s, 1), scac: el(s, 2), routing: el(s, 3), paymentMethod: el(s, 4), equipmentNumber: el(s, 7) });
        return;
      case 'LX':
        lx = el(s, 1);
        pending = newLine();
        lines.push(pending);
        return;
      case 'W12': {
        if (!pending || pending.status !== undefined || pending.quantityShipped !== undefined) {
          pending = newLine();
          lines.push(pending);
        }
        Object.assign(pending, readW12(s, i, note));
        return;
      }
      case 'N9': {
        const ref = reference(s);
        if (ref.qualifier === '2I' && ref.value) tracking.add(ref.value);
        if (!pending) {
          references.push(ref);
          return;
        }
        if (ref.qualifier === 'LV' && ref.value) {
          const quantity = ref.description !== undefined && /^\d+(\.\d+)?$/.test(ref.description) ? Number(ref.description) : undefined;
          pending.pallets = [...pending.pallets, compact({ id: ref.value, quantity })];
        } else {
          pending.references = [...pending.references, ref];
        }
        return;
      }
      case 'MAN': {
        const mark = compact({ qualifier: el(s, 1) ?? '', value: el(s, 2) });
        if (mark.qualifier === 'CP' && mark.value) tracking.add(mark.value);
        if (pending) pending.marks = [...pending.marks, mark];
        return;
      }
      case 'G69':
        if (pending) pending.description = el(s, 1);
        return;
      case 'W03':
        totals = compact({ unitsShipped: num(s, 1, note, i), weight: num(s, 2, note, i), weightUom: el(s, 3), volume: num(s, 4, note, i), volumeUom: el(s, 5) });
        pending = undefined;
        return;
      default: countUnmapped(unmapped, s);
    }
  });

  const shipped = lines.filter((l, n) => {
    const has = l.status !== undefined || l.quantityShipped !== undefined;
    if (!has) note(`LX ${l.lineNumber ?? n + 1} has no W12 shipped line`);
    return has;
  });
  if (!w06) note('W06 (shipment identification) is missing');
  if (w06 && el(w06, 2) === undefined) note('W0602 depositor order number is empty; correlate on W0606 PO or W0604 shipment id', w06Index);
  const billOfLading = references.find((r) => r.qualifier === 'BM')?.value;
  noteUnmapped(note, '945', unmapped);
  const document: ShippingAdvice = compact({
    kind: 'warehouse_shipping_advice',
    reportingCode: w06 && el(w06, 1),
    orderId: w06 && el(w06, 2),
    shipDate: w06 && isoOrRaw(w06, 3, note, w06Index),
    shipmentId: w06 && el(w06, 4),
    agentShipmentId: w06 && el(w06, 5),
    purchaseOrder: w06 && el(w06, 6),
    masterReference: w06 && el(w06, 7),
    linkSequence: w06 && el(w06, 8),
    parties: partyReader.parties,
    references,
    dates,
    notes: texts,
    carrier,
    billOfLading,
    trackingNumbers: [...tracking],
    lines: shipped.map(finishLine),
    totals,
  });
  return { document, notes };
}

/** Fixes the key order of the printed JSON, whatever order the segments filled the draft in. */
const finishLine = (l: LineDraft): ShippedLine => compact({
  lineNumber: l.lineNumber, status: l.status, quantityOrdered: l.quantityOrdered, quantityShipped: l.quantityShipped,
  quantityDifference: l.quantityDifference, uom: l.uom, upcCaseCode: l.upcCaseCode, itemIds: l.itemIds, lot: l.lot,
  weight: l.weight, description: l.description, references: l.references, pallets: l.pallets, marks: l.marks, partial: l.partial,
});

function readW12(s: Segment, i: number, note: Noter): Partial<LineDraft> {
  // Standard: 06 UPC, 07 qualifier, 08 id, 09 lot, 10-12 weight. Shifted: everything from 06 one to the right.
  const shift = !isQualifier(el(s, 7)) && isQualifier(el(s, 8)) ? 1 : 0;
  if (shift) note(`W12 product id qualifier found in W1208 instead of W1207; elements from W1206 read one position later`, i);
  const at = (n: number): string | undefined => el(s, n + shift);
  const ordered = num(s, 2, note, i);
  const shipped = num(s, 3, note, i);
  const status = el(s, 1);
  if (shipped === undefined) note('W1203 units shipped is missing', i);
  const qualifier = at(7);
  const id = at(8);
  return compact({
    status,
    quantityOrdered: ordered,
    quantityShipped: shipped,
    quantityDifference: num(s, 4, note, i),
    uom: el(s, 5),
    upcCaseCode: at(6),
    itemIds: qualifier !== undefined && id !== undefined ? { [qualifier]: id } : {},
    lot: at(9),
    weight: at(10) ?? at(11) ?? at(12) ? compact({ value: num(s, 10 + shift, note, i), qualifier: at(11), uom: at(12) }) : undefined,
    partial: status === 'CP' || status === 'BP' || (ordered !== undefined && shipped !== undefined && shipped < ordered),
  });
}
