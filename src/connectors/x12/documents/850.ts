/**
 * 850 Purchase Order → PurchaseOrder, read as a channel order we must fulfil.
 *
 * Maps: BEG (01 purpose → action, 02 PO type, 03 PO number = external id, 04 release, 05 date),
 * CUR (header and per line), header REF/DTM/N9/MSG/NTE/PER, TD5 carrier, ITD terms, N1 loops
 * (parties, and the `ST` party as shipTo), PO1 lines (01 line number, 02 quantity, 03 UoM,
 * 04 unit price as integer minor units, 05 price basis, 06+ product id pairs, with the SKU
 * chosen by the policy's qualifier order) with PID description, PO4 pack, REF/DTM/MSG, and
 * CTT/AMT totals, which are checked against the lines.
 */
import type { Segment } from '../segment.js';
import {
  compact, countUnmapped, createNotes, createPartyReader, dateRef, el, isoOrRaw, noteText, noteUnmapped, num,
  qualifierPairs, reference, type DateRef, type Mapped, type MappingPolicy, type Note, type Noter, type Party, type Reference,
} from './common.js';
import { toMoney, type Money } from './money.js';

export type PurchaseOrderAction = 'create' | 'cancel' | 'change' | 'replace' | 'confirm' | 'duplicate' | 'other';

const ACTIONS: Readonly<Record<string, PurchaseOrderAction>> = {
  '00': 'create', '01': 'cancel', '04': 'change', '05': 'replace', '06': 'confirm', '07': 'duplicate',
};

export interface ShipToAddress {
  readonly name?: string;
  readonly line1?: string;
  readonly line2?: string;
  readonly city?: string;
  readonly region?: string;
  readonly postalCode?: string;
  readonly country?: string;
}

export interface PurchaseOrderLine {
  /** PO101, or the 1-based line position when PO101 is empty (it often is). */
  readonly lineId: string;
  readonly lineNumber?: string;
  readonly quantity?: number;
  readonly uom?: string;
  readonly unitPrice?: Money;
  readonly priceBasis?: string;
  /** The first product id found in the policy's qualifier order. */
  readonly sku?: string;
  readonly itemIds: Readonly<Record<string, string>>;
  readonly description?: string;
  readonly pack?: { readonly pack?: number; readonly size?: number; readonly uom?: string };
  readonly references: readonly Reference[];
  readonly dates: readonly DateRef[];
  readonly notes: readonly Note[];
}

export interface PurchaseOrder {
  readonly kind: 'purchase_order';
  readonly action: PurchaseOrderAction;
  readonly purpose?: string;
  readonly poType?: string;
  readonly poNumber: string;
  readonly releaseNumber?: string;
  readonly poDate?: string;
  readonly currency: string;
  readonly references: readonly Reference[];
  readonly dates: readonly DateRef[];
  readonly notes: readonly Note[];
  readonly carrier?: { readonly scac?: string; readonly idQualifier?: string; readonly id?: string; readonly transportMethod?: string; readonly routing?: string };
  readonly paymentTerms?: { readonly type?: string; readonly discountPercent?: number; readonly discountDays?: number; readonly netDays?: number; readonly description?: string };
  readonly parties: readonly Party[];
  readonly shipTo?: ShipToAddress;
  readonly lines: readonly PurchaseOrderLine[];
  readonly totals?: { readonly lineCount?: number; readonly hashTotal?: number; readonly amount?: Money };
}

interface LineDraft {
  readonly po1: Segment;
  readonly index: number;
  currency?: string;
  description?: string;
  pack?: PurchaseOrderLine['pack'];
  readonly references: Reference[];
  readonly dates: DateRef[];
  readonly notes: Note[];
}

export function map850(segments: readonly Segment[], policy: MappingPolicy): Mapped<PurchaseOrder> {
  const { notes, note } = createNotes();
  const partyReader = createPartyReader(note);
  const unmapped = new Map<string, number>();
  const header = { references: [] as Reference[], dates: [] as DateRef[], notes: [] as Note[] };
  const drafts: LineDraft[] = [];
  let beg: [Segment, number] | undefined;
  let currency: string | undefined;
  let carrier: PurchaseOrder['carrier'];
  let paymentTerms: PurchaseOrder['paymentTerms'];
  let ctt: [Segment, number] | undefined;
  let amt: [Segment, number] | undefined;

  segments.forEach((s, i) => {
    const line = drafts.at(-1);
    if (!line && partyReader.take(s, i)) return;
    const into = line ?? header;
    switch (s[0]) {
      case 'ST': case 'SE': return;
      case 'BEG': beg = [s, i]; return;
      case 'CUR': if (line) line.currency = el(s, 2); else currency = el(s, 2); return;
      case 'REF': case 'N9': into.references.push(reference(s)); return;
      case 'DTM': into.dates.push(dateRef(s, note, i)); return;
      case 'MSG': into.notes.push(compact({ text: s[1] ?? '' })); return;
      case 'NTE': into.notes.push(noteText(s)); return;
      case 'TD5':
        carrier = compact({ scac: el(s, 2) === '2' ? el(s, 3) : undefined, idQualifier: el(s, 2), id: el(s, 3), transportMethod: el(s, 4), routing: el(s, 5) });
        return;
      case 'ITD':
        paymentTerms = compact({ type: el(s, 1), discountPercent: num(s, 3, note, i), discountDays: num(s, 5, note, i), netDays: num(s, 7, note, i), description: el(s, 12) });
        return;
      case 'PO1': drafts.push({ po1: s, index: i, references: [], dates: [], notes: [] }); return;
      case 'PID': if (line) line.description ??= el(s, 5); else countUnmapped(unmapped, s); return;
      case 'PO4':
        if (line) line.pack = compact({ pack: num(s, 1, note, i), size: num(s, 2, note, i), uom: el(s, 3) });
        else countUnmapped(unmapped, s);
        return;
      case 'CTT': ctt = [s, i]; return;
      case 'AMT': amt = [s, i]; return;
      default: countUnmapped(unmapped, s);
    }
  });

  const poCurrency = currency ?? policy.defaultCurrency;
  const lines = drafts.map((d, n) => readLine(d, n, poCurrency, policy, note));
  const noSku = lines.filter((l) => l.sku === undefined);
  if (noSku.length > 0) {
    note(`${noSku.length} of ${lines.length} PO1 lines have none of the SKU qualifiers ${policy.skuQualifiers.join('/')} (ids: ${[...new Set(noSku.flatMap((l) => Object.keys(l.itemIds)))].join('/') || 'none'})`);
  }
  if (!currency && lines.some((l) => l.unitPrice)) note(`no CUR segment; prices read as ${poCurrency}`);
  if (!beg) note('BEG (beginning segment for purchase order) is missing');
  const [b, bi] = beg ?? [[], -1];
  const poNumber = el(b, 3) ?? '';
  if (beg && poNumber === '') note('BEG03 purchase order number is empty', bi);
  if (lines.length === 0 && el(b, 1) !== '01') note('850 has no PO1 lines');
  const totals = readTotals(ctt, amt, lines, poCurrency, note);
  noteUnmapped(note, '850', unmapped);
  const parties = partyReader.parties;
  const document: PurchaseOrder = compact({
    kind: 'purchase_order',
    action: ACTIONS[el(b, 1) ?? ''] ?? 'other',
    purpose: el(b, 1),
    poType: el(b, 2),
    poNumber,
    releaseNumber: el(b, 4),
    poDate: beg && isoOrRaw(b, 5, note, bi),
    currency: poCurrency,
    ...header,
    carrier,
    paymentTerms,
    parties,
    shipTo: shipToOf(parties),
    lines,
    totals,
  });
  return { document, notes };
}

function readLine(d: LineDraft, n: number, currency: string, policy: MappingPolicy, note: Noter): PurchaseOrderLine {
  const { po1: s, index: i } = d;
  const itemIds = qualifierPairs(s, 6);
  const priceText = el(s, 4);
  let unitPrice: Money | undefined;
  if (priceText !== undefined) {
    const { money, why } = toMoney(priceText, d.currency ?? currency);
    if (why) note(`PO104 ${why}`, i);
    unitPrice = money;
  }
  const quantity = num(s, 2, note, i);
  if (quantity === undefined) note('PO102 quantity is missing', i);
  return compact({
    lineId: el(s, 1) ?? String(n + 1),
    lineNumber: el(s, 1),
    quantity,
    uom: el(s, 3),
    unitPrice,
    priceBasis: el(s, 5),
    sku: policy.skuQualifiers.map((q) => itemIds[q]).find((v) => v !== undefined),
    itemIds,
    description: d.description,
    pack: d.pack,
    references: d.references,
    dates: d.dates,
    notes: d.notes,
  });
}

function readTotals(
  ctt: [Segment, number] | undefined,
  amt: [Segment, number] | undefined,
  lines: readonly PurchaseOrderLine[],
  currency: string,
  note: Noter,
): PurchaseOrder['totals'] {
  if (!ctt && !amt) return undefined;
  let amount: Money | undefined;
  if (amt && el(amt[0], 2) !== undefined) {
    const { money, why } = toMoney(el(amt[0], 2) ?? '', currency);
    if (why) note(`AMT02 ${why}`, amt[1]);
    amount = money;
  }
  const lineCount = ctt && num(ctt[0], 1, note, ctt[1]);
  const hashTotal = ctt && num(ctt[0], 2, note, ctt[1]);
  if (ctt && lineCount !== undefined && lineCount !== lines.length) note(`CTT01 says ${lineCount} but the PO has ${lines.length} PO1 lines`, ctt[1]);
  const quantitySum = lines.reduce((acc, l) => acc + (l.quantity ?? 0), 0);
  if (ctt && hashTotal !== undefined && hashTotal !== quantitySum) note(`CTT02 hash total ${hashTotal} differs from the PO102 sum ${quantitySum}`, ctt[1]);
  // Integer arithmetic in minor units: only whole quantities with a price can be checked exactly.
  if (amt && amount && lines.every((l) => l.unitPrice && Number.isInteger(l.quantity))) {
    const extended = lines.reduce((acc, l) => acc + (l.quantity ?? 0) * (l.unitPrice?.amount ?? 0), 0);
    if (extended !== amount.amount) note(`AMT02 ${amount.decimal} differs from the sum of the lines (${extended} minor units)`, amt[1]);
  }
  return compact({ lineCount, hashTotal, amount });
}

function shipToOf(parties: readonly Party[]): ShipToAddress | undefined {
  const st = parties.find((p) => p.role === 'ST');
  if (!st) return undefined;
  const [line1, line2] = st.address?.lines ?? [];
  const a = st.address;
  return compact({ name: st.name, line1, line2, city: a?.city, region: a?.region, postalCode: a?.postalCode, country: a?.country });
}
