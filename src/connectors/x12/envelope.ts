import { isoDateFromShortYear } from './dates.js';
import type { IssueSink } from './issues.js';
import type { X12Document } from './documents/index.js';
import type { Segment, Separators, X12GroupDetail, X12InterchangeDetail, X12Transaction } from './types.js';

/** GS01 functional identifier expected for each transaction set we know. */
export const FUNCTIONAL_ID: Readonly<Record<string, string>> = {
  '810': 'IN', '846': 'IB', '850': 'PO', '855': 'PR', '856': 'SH', '860': 'PC', '940': 'OW',
  '943': 'AR', '944': 'RE', '945': 'SW', '947': 'AW', '997': 'FA', '999': 'FA',
};

/** A segment as read, with its 1-based position in the file. */
export interface ReadSegment {
  readonly elements: Segment;
  readonly ordinal: number;
  readonly unterminated?: 'line-break' | 'end-of-text';
  readonly ambiguous: boolean;
}

export interface EnvelopeContext {
  readonly sink: IssueSink;
  /** Maps a closed transaction set to its canonical document (and reports mapping warnings). */
  describe(segments: readonly Segment[], firstOrdinal: number): X12Document | undefined;
}

interface OpenTransaction { readonly header: ReadSegment; readonly segments: Segment[] }
interface OpenGroup {
  readonly header?: ReadSegment;
  readonly transactions: X12Transaction[];
  readonly controlNumbers: Set<string>;
}

const SEGMENT_ID = /^[A-Z][A-Z0-9]{1,2}$/;
const el = (s: Segment | undefined, n: number): string => s?.[n] ?? '';
const sameNumber = (a: string, b: string): boolean => /^\d+$/.test(a) && /^\d+$/.test(b) && Number(a) === Number(b);

/**
 * Builds one interchange from its segments: loops are closed on their trailer or, when the
 * trailer is missing, on the next opener of the same or an outer level. Control numbers and
 * counts are checked as each level closes; findings go to the sink as `integrity` issues.
 */
export function buildInterchange(
  ctx: EnvelopeContext,
  isa: ReadSegment | undefined,
  body: readonly ReadSegment[],
  separators: Separators,
): X12InterchangeDetail {
  const { sink } = ctx;
  const isa13 = el(isa?.elements, 13);
  const groups: X12GroupDetail[] = [];
  const groupIds = new Set<string>();
  let group: OpenGroup | undefined;
  let txn: OpenTransaction | undefined;
  let trailer: ReadSegment | undefined;
  let reportedHeadless = false;
  let reportedAmbiguous = false;

  const closeTransaction = (se?: ReadSegment): void => {
    if (!txn || !group) return; // a transaction is only ever opened inside a (possibly inferred) group
    const { header, segments } = txn;
    const [type, control] = [el(header.elements, 1), el(header.elements, 2)];
    if (se) {
      segments.push(se.elements);
      const count = el(se.elements, 1);
      if (!sameNumber(count, String(segments.length))) {
        sink.report('integrity', `SE01 says ${count || '(nothing)'} segments but transaction set ${type} ${control} has ${segments.length}`, se.ordinal);
      }
      if (el(se.elements, 2) !== control) {
        sink.report('integrity', `SE02 ${el(se.elements, 2) || '(empty)'} does not match ST02 ${control}`, se.ordinal);
      }
    } else {
      sink.report('integrity', `missing SE trailer for transaction set ${type} ${control}`, header.ordinal);
    }
    const document = ctx.describe(segments, header.ordinal);
    group.transactions.push({ type, controlNumber: control, segments, ...(document ? { document } : {}) });
    txn = undefined;
  };

  const closeGroup = (ge?: ReadSegment): void => {
    closeTransaction();
    if (!group) return;
    const gs06 = el(group.header?.elements, 6);
    const count = group.transactions.length;
    if (ge) {
      const ge01 = el(ge.elements, 1);
      if (!sameNumber(ge01, String(count))) {
        sink.report('integrity', `GE01 says ${ge01 || '(nothing)'} transaction sets but group ${gs06} has ${count}`, ge.ordinal);
      }
      if (group.header && el(ge.elements, 2) !== gs06 && !sameNumber(el(ge.elements, 2), gs06)) {
        sink.report('integrity', `GE02 ${el(ge.elements, 2) || '(empty)'} does not match GS06 ${gs06}`, ge.ordinal);
      }
    } else if (group.header) {
      sink.report('integrity', `missing GE trailer for group ${gs06}`, group.header.ordinal);
    }
    const first = group.transactions[0];
    groups.push({
      controlNumber: gs06,
      functionalId: group.header ? el(group.header.elements, 1) : (FUNCTIONAL_ID[first?.type ?? ''] ?? ''),
      transactions: group.transactions,
      ...(group.header ? { header: group.header.elements } : {}),
      ...(ge ? { trailer: ge.elements } : {}),
    });
    group = undefined;
  };

  const openGroup = (gs: ReadSegment): void => {
    closeGroup();
    const gs06 = el(gs.elements, 6);
    if (gs.elements.length !== 9) {
      sink.report('integrity', `GS has ${gs.elements.length - 1} elements, expected 8`, gs.ordinal);
    }
    if (groupIds.has(gs06)) {
      sink.report('integrity', `duplicate group control number GS06 ${gs06} in interchange ${isa13}`, gs.ordinal);
    }
    groupIds.add(gs06);
    if (!isa && !reportedHeadless) {
      sink.report('integrity', `group ${gs06} has no ISA interchange header`, gs.ordinal);
      reportedHeadless = true;
    }
    group = { header: gs, transactions: [], controlNumbers: new Set() };
  };

  const openTransaction = (st: ReadSegment): void => {
    closeTransaction();
    const [type, control] = [el(st.elements, 1), el(st.elements, 2)];
    if (!group) {
      const where = isa ? 'is not inside a GS group' : 'has no ISA/GS envelope';
      if (isa || !reportedHeadless) sink.report('integrity', `transaction set ${type} ${control} ${where}`, st.ordinal);
      reportedHeadless = true;
      group = { transactions: [], controlNumbers: new Set() };
    }
    const gs01 = el(group.header?.elements, 1);
    const expected = FUNCTIONAL_ID[type];
    if (group.header && expected !== undefined && gs01 !== expected) {
      sink.report('integrity', `ST01 ${type} does not belong in a GS01 ${gs01} group`, st.ordinal);
    }
    if (control === '') sink.report('integrity', `ST02 control number is missing`, st.ordinal);
    if (group.controlNumbers.has(control)) {
      sink.report('integrity', `duplicate transaction set control number ST02 ${control} in group ${el(group.header?.elements, 6)}`, st.ordinal);
    }
    group.controlNumbers.add(control);
    txn = { header: st, segments: [st.elements] };
  };

  for (const seg of body) {
    const id = seg.elements[0] ?? '';
    if (seg.unterminated === 'line-break') {
      sink.report('integrity', `segment ${id} has no terminator before the line break`, seg.ordinal);
    } else if (seg.unterminated === 'end-of-text') {
      sink.report('notice', `segment ${id} has no terminator at the end of the data`, seg.ordinal);
    }
    if (seg.ambiguous && !reportedAmbiguous) {
      sink.report('notice', `an element holds a literal '>' or '^', which reads as a component or repetition separator in the parsed segments`, seg.ordinal);
      reportedAmbiguous = true;
    }
    if (!SEGMENT_ID.test(id)) sink.report('integrity', `'${id.slice(0, 20)}' is not a valid segment id`, seg.ordinal);
    switch (id) {
      case 'GS': openGroup(seg); break;
      case 'ST': openTransaction(seg); break;
      case 'SE':
        if (txn) closeTransaction(seg);
        else sink.report('integrity', 'SE without a matching ST', seg.ordinal);
        break;
      case 'GE':
        if (group) closeGroup(seg);
        else sink.report('integrity', 'GE without a matching GS', seg.ordinal);
        break;
      case 'IEA':
        closeGroup();
        trailer = seg;
        if (!isa) sink.report('integrity', 'IEA without a matching ISA', seg.ordinal);
        break;
      default:
        if (txn) txn.segments.push(seg.elements);
        else if (id === 'TA1' && !group) sink.report('notice', 'TA1 interchange acknowledgment ignored', seg.ordinal);
        else sink.report('fatal', `segment ${id} is outside a transaction set and was ignored`, seg.ordinal);
    }
  }
  closeGroup();
  if (isa) checkInterchangeTrailer(sink, isa, trailer, groups.length);
  return {
    controlNumber: isa13,
    ...optional('sender', el(isa?.elements, 6).trim()),
    ...optional('receiver', el(isa?.elements, 8).trim()),
    ...optional('date', isoDateFromShortYear(el(isa?.elements, 9)) ?? ''),
    groups,
    ...(isa ? { header: isa.elements } : {}),
    ...(trailer ? { trailer: trailer.elements } : {}),
    separators,
  };
}

const optional = <K extends string>(key: K, value: string): Partial<Record<K, string>> =>
  (value === '' ? {} : ({ [key]: value } as Record<K, string>));

function checkInterchangeTrailer(sink: IssueSink, isa: ReadSegment, iea: ReadSegment | undefined, groups: number): void {
  const isa13 = el(isa.elements, 13);
  if (!iea) {
    sink.report('integrity', `missing IEA trailer for interchange ${isa13}`, isa.ordinal);
    return;
  }
  const [iea01, iea02] = [el(iea.elements, 1), el(iea.elements, 2)];
  if (!sameNumber(iea01, String(groups))) {
    sink.report('integrity', `IEA01 says ${iea01 || '(nothing)'} groups but interchange ${isa13} has ${groups}`, iea.ordinal);
  }
  if (iea02 !== isa13) {
    const hint = sameNumber(iea02, isa13) ? ' (same number, but IEA02 must repeat all 9 digits)' : '';
    sink.report('integrity', `IEA02 ${iea02 || '(empty)'} does not match ISA13 ${isa13}${hint}`, iea.ordinal);
  }
}
