import { x12Date } from './dates.js';
import type { Contact, DateRef, Party, Reference } from './documents/common.js';
import type { ShippingOrder, ShippingOrderLine } from './documents/940.js';
import type { Segment, Separators } from './segment.js';
import { X12SerializeError, serializeInterchange, type InterchangeParty } from './serialize.js';

type Value = string | number | undefined;

/** Numbers are written as plain decimals: an exponent (1e21) is not valid X12. */
function format(v: Value, where: string): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  const text = String(v);
  if (!Number.isFinite(v) || /e/i.test(text)) throw new X12SerializeError(`${where} ${text} cannot be written as an X12 number`);
  return text;
}

/** A segment as the parser would return it: numbers formatted, trailing empty elements dropped. */
function seg(id: string, ...values: Value[]): Segment {
  const out = [id, ...values.map((v, n) => format(v, `${id}${String(n + 1).padStart(2, '0')}`))];
  while (out.length > 1 && out[out.length - 1] === '') out.pop();
  return out;
}

function pairs(ids: Readonly<Record<string, string>>, slots: number, where: string): string[] {
  const flat = Object.entries(ids).flat();
  if (flat.length > slots * 2) throw new X12SerializeError(`${where} carries at most ${slots} product ids, got ${flat.length / 2}`);
  return flat;
}

function partySegments(p: Party): Segment[] {
  const out: Segment[] = [seg('N1', p.role, p.name, p.idQualifier, p.id)];
  const names = p.additionalNames ?? [];
  for (let i = 0; i < names.length; i += 2) out.push(seg('N2', names[i], names[i + 1]));
  const a = p.address;
  if (a) {
    for (let i = 0; i < a.lines.length; i += 2) out.push(seg('N3', a.lines[i], a.lines[i + 1]));
    // An address with neither lines nor N4 data still gets an N4, so it reads back the same.
    if (a.city !== undefined || a.region !== undefined || a.postalCode !== undefined || a.country !== undefined || a.lines.length === 0) {
      out.push(seg('N4', a.city, a.region, a.postalCode, a.country));
    }
  }
  for (const c of p.contacts ?? []) out.push(contactSegment(c));
  return out;
}

const contactSegment = (c: Contact): Segment => seg('PER', c.function, c.name, ...pairs(c.channels, 3, 'PER'));
const n9 = (r: Reference): Segment => seg('N9', r.qualifier, r.value, r.description);
const g62 = (d: DateRef): Segment => seg('G62', d.qualifier, d.date === undefined ? undefined : x12Date(d.date), d.timeQualifier, d.time);

function lineSegments(l: ShippingOrderLine, n: number): Segment[] {
  const [q1, v1, q2, v2, q3, v3] = pairs(l.itemIds, 3, 'W01');
  const out: Segment[] = [
    seg('LX', l.lineNumber ?? String(n + 1)),
    seg('W01', l.quantity, l.uom, l.upcCaseCode, q1, v1, q2, v2, l.freightClass, '', '', '', l.palletBlockTiers, l.lot, '', q3, v3),
  ];
  if (l.description !== undefined) out.push(seg('G69', l.description));
  out.push(...l.references.map(n9));
  const p = l.packing;
  if (p) out.push(seg('W20', p.pack, p.size, p.sizeUom, p.weight, p.weightQualifier, p.weightUom));
  return out;
}

/**
 * The body (W05 … W76, no ST/SE) of a 940; the exact inverse of `map940`. Every line gets its
 * own LX, numbered by position when it has no lineNumber.
 */
export function build940Segments(doc: ShippingOrder): Segment[] {
  const out: Segment[] = [seg('W05', doc.statusCode, doc.orderId, doc.purchaseOrder, doc.linkSequence, doc.masterReference)];
  for (const p of doc.parties) out.push(...partySegments(p));
  out.push(...doc.references.map(n9), ...doc.dates.map(g62));
  out.push(...doc.notes.map((t) => seg('NTE', t.code, t.text)));
  if (doc.equipmentCode !== undefined) out.push(seg('W09', doc.equipmentCode));
  const c = doc.carrier;
  if (c) out.push(seg('W66', c.paymentMethod, c.transportMethod, '', '', c.routing, '', '', '', '', c.scac));
  doc.lines.forEach((l, n) => out.push(...lineSegments(l, n)));
  const t = doc.totals;
  if (t) out.push(seg('W76', t.quantity, t.weight, t.weightUom, t.volume, t.volumeUom));
  return out;
}

export interface Serialize940Options {
  readonly separators: Separators;
  readonly sender: InterchangeParty;
  readonly receiver: InterchangeParty;
  /** `YYYY-MM-DD` and `HHMM`, passed in so the output is deterministic. */
  readonly date: string;
  readonly time: string;
  readonly interchangeControlNumber: number;
  readonly groupControlNumber: number;
  /** ST02, 4 to 9 characters; default `0001`. */
  readonly transactionControlNumber?: string;
  readonly usage?: 'P' | 'T';
  /** ISA12, default `00401`; GS08 follows it (`00501` → `005010`). 00402+ allows a repetition separator. */
  readonly version?: string;
}

/** A complete interchange (ISA … IEA) carrying one 940 in one OW group. */
export function serialize940(doc: ShippingOrder, o: Serialize940Options): string {
  const st02 = o.transactionControlNumber ?? '0001';
  if (!/^[A-Za-z0-9]{4,9}$/.test(st02)) throw new X12SerializeError(`ST02 '${st02}' must be 4 to 9 letters or digits`);
  return serializeInterchange(
    {
      sender: o.sender,
      receiver: o.receiver,
      date: o.date,
      time: o.time,
      controlNumber: o.interchangeControlNumber,
      ...(o.usage ? { usage: o.usage } : {}),
      ...(o.version ? { version: o.version } : {}),
      groups: [{
        functionalId: 'OW',
        sender: o.sender.id,
        receiver: o.receiver.id,
        controlNumber: o.groupControlNumber,
        transactions: [{ type: '940', controlNumber: st02, body: build940Segments(doc) }],
      }],
    },
    o.separators,
  );
}
