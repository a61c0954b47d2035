/**
 * 856 Ship Notice/Manifest (ASN) → ShipNotice.
 *
 * Maps: BSN (01 purpose, 02 ASN/shipment id, 03 date, 04 time, 05 hierarchy code), the HL tree
 * (01 id, 02 parent, 03 level) flattened into orders (O: PRF PO number/date, REF*IV invoice),
 * packs (P/T: MAN*GM SSCC, MAN*CP/SM tracking) and items (I: LIN product ids, SN1 shipped /
 * to-date / ordered quantities, PID description, own or inherited PRF), and the shipment level
 * (S and segments before the first HL: TD1 packaging, TD5 carrier with SCAC when TD502=2,
 * TD3 trailer, REF*BM bill of lading, REF*CN PRO, DTM 011 shipped / 017 or 067 estimated
 * delivery, FOB, MEA, N1 parties). Empty HL02 parents are inferred from the level order of
 * BSN05; CTT01/CTT02 are checked against the HL count and the SN102 hash total.
 */
import type { Segment } from '../segment.js';
import {
  compact, countUnmapped, createNotes, createPartyReader, dateRef, el, firstComponent, isoOrRaw, noteUnmapped,
  num, qualifierPairs, reference, type DateRef, type Mapped, type Noter, type Party, type Reference,
} from './common.js';

export interface Packaging {
  readonly code?: string;
  readonly ladingQuantity?: number;
  readonly weightQualifier?: string;
  readonly weight?: number;
  readonly weightUom?: string;
  readonly volume?: number;
  readonly volumeUom?: string;
}

export interface AsnCarrier {
  readonly scac?: string;
  readonly idQualifier?: string;
  readonly id?: string;
  readonly transportMethod?: string;
  readonly routing?: string;
}

export interface Measurement {
  readonly reference?: string;
  readonly qualifier?: string;
  readonly value?: number;
  readonly uom?: string;
}

interface Level {
  readonly references: readonly Reference[];
  readonly dates: readonly DateRef[];
  readonly parties: readonly Party[];
  readonly packaging: readonly Packaging[];
  readonly carrier?: AsnCarrier;
}

export interface AsnShipment extends Level {
  readonly hlId?: string;
  readonly billOfLading?: string;
  readonly proNumber?: string;
  readonly shippedDate?: string;
  readonly estimatedDelivery?: string;
  readonly trailer?: { readonly type?: string; readonly initial?: string; readonly number?: string };
  readonly fobPayment?: string;
  readonly measurements: readonly Measurement[];
}

export interface AsnOrder extends Level {
  readonly hlId: string;
  readonly parentId?: string;
  readonly purchaseOrder?: string;
  readonly purchaseOrderDate?: string;
  readonly invoice?: string;
}

export interface AsnPack {
  readonly hlId: string;
  readonly parentId?: string;
  /** `P` pack/carton or `T` tare/pallet. */
  readonly level: string;
  readonly orderHlId?: string;
  readonly sscc?: string;
  readonly trackingNumbers: readonly string[];
  readonly marks: readonly Reference[];
  readonly packaging: readonly Packaging[];
}

export interface AsnItem {
  readonly hlId: string;
  readonly parentId?: string;
  readonly orderHlId?: string;
  readonly packHlId?: string;
  /** PRF01 of the item itself or of its order. */
  readonly purchaseOrder?: string;
  readonly lineNumber?: string;
  readonly itemIds: Readonly<Record<string, string>>;
  readonly quantityShipped?: number;
  readonly uom?: string;
  readonly quantityShippedToDate?: number;
  readonly quantityOrdered?: number;
  readonly orderedUom?: string;
  readonly description?: string;
  readonly references: readonly Reference[];
}

export interface ShipNotice {
  readonly kind: 'ship_notice';
  readonly purpose?: string;
  readonly shipmentId?: string;
  readonly date?: string;
  readonly time?: string;
  /** BSN05: `0001` shipment/order/pack/item, `0002` shipment/order/item/pack, … */
  readonly structure?: string;
  readonly shipment: AsnShipment;
  readonly orders: readonly AsnOrder[];
  readonly packs: readonly AsnPack[];
  readonly items: readonly AsnItem[];
  /** REF*CN/2I and MAN*CP/SM values, in order, without duplicates. */
  readonly trackingNumbers: readonly string[];
  readonly totals?: { readonly hlCount?: number; readonly hashTotal?: number };
}

interface Node {
  readonly id: string;
  readonly rawParent?: string;
  readonly level: string;
  readonly index: number;
  readonly segments: [Segment, number][];
  parentId?: string;
}

const RANKS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  '0002': { S: 0, O: 1, I: 2, T: 3, P: 4 },
  default: { S: 0, O: 1, T: 2, P: 3, I: 4 },
};

export function map856(segments: readonly Segment[]): Mapped<ShipNotice> {
  const { notes, note } = createNotes();
  const unmapped = new Map<string, number>();
  const header: [Segment, number][] = [];
  const nodes: Node[] = [];
  let bsn: Segment | undefined;
  let bsnIndex = -1;
  let ctt: Segment | undefined;
  let cttIndex = -1;
  segments.forEach((s, i) => {
    if (s[0] === 'ST' || s[0] === 'SE') return;
    if (s[0] === 'BSN') [bsn, bsnIndex] = [s, i];
    else if (s[0] === 'CTT') [ctt, cttIndex] = [s, i];
    else if (s[0] === 'HL') {
      nodes.push(compact({ id: el(s, 1) ?? String(nodes.length + 1), rawParent: el(s, 2), level: el(s, 3) ?? '', index: i, segments: [] }));
      if (el(s, 3) === undefined) note('HL03 level code is missing', i);
    } else (nodes.at(-1)?.segments ?? header).push([s, i]);
  });
  if (!bsn) note('BSN (beginning segment for ship notice) is missing');
  resolveParents(nodes, RANKS[(bsn && el(bsn, 5)) ?? ''] ?? RANKS['default'] ?? {}, note);

  const byId = new Map(nodes.map((n) => [n.id, n]));
  const ancestor = (n: Node, levels: readonly string[]): Node | undefined => {
    const up = (m: Node): Node | undefined => (m.parentId === undefined ? undefined : byId.get(m.parentId));
    // Bounded walk: duplicate HL ids could otherwise make a loop.
    for (let p = up(n), hops = 0; p && hops < nodes.length; p = up(p), hops++) if (levels.includes(p.level)) return p;
    return undefined;
  };
  const tracking = new Set<string>();
  const read = (rows: [Segment, number][]): LevelData => readLevel(rows, note, unmapped, tracking);

  const shipNode = nodes.find((n) => n.level === 'S');
  const shipData = read([...header, ...(shipNode?.segments ?? [])]);
  const orders: AsnOrder[] = [];
  const packs: AsnPack[] = [];
  const items: AsnItem[] = [];
  const orderData = new Map<string, LevelData>();
  for (const n of nodes) {
    if (n === shipNode) continue;
    const d = read(n.segments);
    const base = { hlId: n.id, parentId: n.parentId };
    if (n.level === 'O') {
      orderData.set(n.id, d);
      orders.push(compact({ ...base, ...d.level, purchaseOrder: d.prf && el(d.prf[0], 1), purchaseOrderDate: d.prf && isoOrRaw(d.prf[0], 4, note, d.prf[1]), invoice: d.ref('IV') }));
    } else if (n.level === 'P' || n.level === 'T') {
      const marks = d.marks;
      packs.push(compact({
        ...base, level: n.level, orderHlId: ancestor(n, ['O'])?.id,
        sscc: marks.find((m) => m.qualifier === 'GM')?.value,
        trackingNumbers: marks.filter((m) => m.qualifier === 'CP' || m.qualifier === 'SM').flatMap((m) => m.value ?? []),
        marks, packaging: d.level.packaging,
      }));
    } else if (n.level === 'I') {
      const order = ancestor(n, ['O']);
      const orderPrf = order && orderData.get(order.id)?.prf;
      const [lin, sn1] = [d.lin?.[0], d.sn1?.[0]];
      if (!lin) note(`item HL ${n.id} has no LIN`, n.index);
      if (!sn1) note(`item HL ${n.id} has no SN1`, n.index);
      items.push(compact({
        ...base, orderHlId: order?.id, packHlId: ancestor(n, ['P', 'T'])?.id,
        purchaseOrder: (d.prf && el(d.prf[0], 1)) ?? (orderPrf && el(orderPrf[0], 1)),
        lineNumber: lin && el(lin, 1), itemIds: lin ? qualifierPairs(lin, 2) : {},
        quantityShipped: sn1 && num(sn1, 2, note, d.sn1?.[1] ?? n.index), uom: sn1 && el(sn1, 3),
        quantityShippedToDate: sn1 && num(sn1, 4, note, d.sn1?.[1] ?? n.index),
        quantityOrdered: sn1 && num(sn1, 5, note, d.sn1?.[1] ?? n.index), orderedUom: sn1 && el(sn1, 6),
        description: d.description, references: d.level.references,
      }));
    } else if (n.level !== 'S') {
      note(`HL level '${n.level}' is not mapped`, n.index);
    }
  }
  checkTotals(ctt, nodes.length, items, note, cttIndex);
  noteUnmapped(note, '856', unmapped);
  const document: ShipNotice = compact({
    kind: 'ship_notice',
    purpose: bsn && el(bsn, 1),
    shipmentId: bsn && el(bsn, 2),
    date: bsn && isoOrRaw(bsn, 3, note, bsnIndex),
    time: bsn && el(bsn, 4),
    structure: bsn && el(bsn, 5),
    shipment: compact({
      hlId: shipNode?.id, ...shipData.level,
      billOfLading: shipData.ref('BM'), proNumber: shipData.ref('CN'),
      shippedDate: shipData.level.dates.find((x) => x.qualifier === '011')?.date,
      estimatedDelivery: shipData.level.dates.find((x) => x.qualifier === '017' || x.qualifier === '067')?.date,
      trailer: shipData.trailer, fobPayment: shipData.fob, measurements: shipData.measurements,
    }),
    orders,
    packs,
    items,
    trackingNumbers: [...tracking],
    totals: ctt && compact({ hlCount: num(ctt, 1, note, cttIndex), hashTotal: num(ctt, 2, note, cttIndex) }),
  });
  return { document, notes };
}

/** Parents from HL02, or, when HL02 is empty or unknown, the nearest open HL of a higher level. */
function resolveParents(nodes: Node[], rank: Readonly<Record<string, number>>, note: Noter): void {
  const seen = new Map<string, Node>();
  const stack: Node[] = [];
  let inferred = 0;
  const rankOf = (n: Node): number => rank[n.level] ?? 5;
  for (const n of nodes) {
    if (seen.has(n.id)) note(`duplicate HL id ${n.id}`, n.index);
    const given = n.rawParent !== undefined ? seen.get(n.rawParent) : undefined;
    if (n.rawParent !== undefined && !given) note(`HL ${n.id} names parent ${n.rawParent}, which is not an earlier HL`, n.index);
    if (given) {
      n.parentId = given.id;
      while (stack.length > 0 && stack.at(-1) !== given) stack.pop();
      if (stack.length === 0) stack.push(given);
    } else {
      while (stack.length > 0 && rankOf(stack.at(-1) as Node) >= rankOf(n)) stack.pop();
      const parent = stack.at(-1);
      if (parent) {
        n.parentId = parent.id;
        inferred++;
      }
    }
    stack.push(n);
    seen.set(n.id, n);
  }
  if (inferred > 0) note(`${inferred} HL segment(s) have no parent in HL02; parents inferred from the level order`);
}

interface LevelData {
  readonly level: Level;
  ref(qualifier: string): string | undefined;
  readonly prf?: [Segment, number];
  readonly lin?: [Segment, number];
  readonly sn1?: [Segment, number];
  readonly description?: string;
  readonly marks: Reference[];
  readonly trailer?: AsnShipment['trailer'];
  readonly fob?: string;
  readonly measurements: Measurement[];
}

function readLevel(rows: [Segment, number][], note: Noter, unmapped: Map<string, number>, tracking: Set<string>): LevelData {
  const parties = createPartyReader(note);
  const references: Reference[] = [];
  const dates: DateRef[] = [];
  const packaging: Packaging[] = [];
  const marks: Reference[] = [];
  const measurements: Measurement[] = [];
  const found: { -readonly [K in keyof LevelData]?: LevelData[K] } = {};
  let carrier: AsnCarrier | undefined;
  for (const [s, i] of rows) {
    if (parties.take(s, i)) continue;
    switch (s[0]) {
      case 'REF': {
        const r = reference(s);
        references.push(r);
        if ((r.qualifier === 'CN' || r.qualifier === '2I') && r.value) tracking.add(r.value);
        break;
      }
      case 'DTM': dates.push(dateRef(s, note, i)); break;
      case 'TD1':
        packaging.push(compact({ code: el(s, 1), ladingQuantity: num(s, 2, note, i), weightQualifier: el(s, 6), weight: num(s, 7, note, i), weightUom: el(s, 8), volume: num(s, 9, note, i), volumeUom: el(s, 10) }));
        break;
      case 'TD5':
        carrier = compact({ scac: el(s, 2) === '2' ? el(s, 3) : undefined, idQualifier: el(s, 2), id: el(s, 3), transportMethod: el(s, 4), routing: el(s, 5) });
        break;
      case 'TD3': found.trailer = compact({ type: el(s, 1), initial: el(s, 2), number: el(s, 3) }); break;
      case 'FOB': found.fob = el(s, 1); break;
      case 'MEA':
        measurements.push(compact({ reference: el(s, 1), qualifier: el(s, 2), value: num(s, 3, note, i), uom: firstComponent(el(s, 4)) }));
        break;
      case 'MAN': {
        const m = compact({ qualifier: el(s, 1) ?? '', value: el(s, 2) });
        marks.push(m);
        if ((m.qualifier === 'CP' || m.qualifier === 'SM') && m.value) tracking.add(m.value);
        break;
      }
      case 'PRF': found.prf = [s, i]; break;
      case 'LIN':
        if (found.lin) note('second LIN in one item HL ignored', i);
        else found.lin = [s, i];
        break;
      case 'SN1': found.sn1 ??= [s, i]; break;
      case 'PID': found.description ??= el(s, 5); break;
      default: countUnmapped(unmapped, s);
    }
  }
  const level: Level = compact({ references, dates, parties: parties.parties, packaging, carrier });
  return { ...found, level, marks, measurements, ref: (q) => references.find((r) => r.qualifier === q)?.value };
}

function checkTotals(ctt: Segment | undefined, hlCount: number, items: readonly AsnItem[], note: Noter, at: number): void {
  if (!ctt) return;
  const ctt01 = el(ctt, 1);
  if (ctt01 !== undefined && Number(ctt01) !== hlCount) note(`CTT01 says ${ctt01} but the ASN has ${hlCount} HL segments`, at);
  const ctt02 = el(ctt, 2);
  const sum = items.reduce((acc, it) => acc + (it.quantityShipped ?? 0), 0);
  if (ctt02 !== undefined && Number(ctt02) !== sum) note(`CTT02 hash total ${ctt02} differs from the SN102 sum ${sum}`, at);
}
