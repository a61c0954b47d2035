import type { Segment, Separators } from './segment.js';
import { X12SerializeError, serializeInterchange } from './serialize.js';
import type { X12GroupDetail, X12InterchangeDetail } from './types.js';

/** AK5 (transaction set) and AK9 (group) syntax error codes we can detect from the envelope. */
export const AK5_CODES = {
  trailerMissing: '2',
  controlNumberMismatch: '3',
  segmentCountWrong: '4',
  controlNumberNotUnique: '23',
} as const;

export const AK9_CODES = {
  trailerMissing: '3',
  controlNumberMismatch: '4',
  transactionCountWrong: '5',
  controlNumberSyntax: '6',
} as const;

export interface AcknowledgeOptions {
  /** ST02 of the 997. */
  readonly controlNumber: string;
  /**
   * Strict: a set with envelope errors is rejected (`R`) and so is a group with trailer errors.
   * Lenient: both are accepted with errors noted (`E`).
   */
  readonly strict?: boolean;
}

const el = (s: Segment | undefined, n: number): string => s?.[n] ?? '';
const sameNumber = (a: string, b: string): boolean => /^\d+$/.test(a) && /^\d+$/.test(b) && Number(a) === Number(b);

/**
 * A 997 functional acknowledgment (ST … SE) for one parsed group: one AK2/AK5 per transaction
 * set, then AK9 for the group. It re-checks the envelope from the raw segments, so it does not
 * depend on the parse mode.
 */
export function acknowledgeGroup(group: X12GroupDetail, options: AcknowledgeOptions): Segment[] {
  if (!group.header) throw new X12SerializeError('cannot acknowledge a group that arrived without a GS header');
  const rejectCode = options.strict ? 'R' : 'E';
  const body: Segment[] = [];
  const version = el(group.header, 8);
  body.push(['AK1', group.functionalId, group.controlNumber, ...(version.startsWith('005') ? [version] : [])]);
  const seen = new Set<string>();
  let rejected = 0;
  let noted = 0;
  for (const t of group.transactions) {
    const codes = transactionCodes(t.segments, t.controlNumber, seen);
    seen.add(t.controlNumber);
    body.push(['AK2', t.type, t.controlNumber]);
    body.push(codes.length === 0 ? ['AK5', 'A'] : ['AK5', rejectCode, ...codes.slice(0, 5)]);
    if (codes.length > 0 && options.strict) rejected++;
    else if (codes.length > 0) noted++;
  }
  const groupCodes = groupErrorCodes(group);
  const received = group.transactions.length;
  const status =
    groupCodes.length > 0 && options.strict ? 'R'
      : rejected > 0 && rejected === received ? 'R'
        : rejected > 0 ? 'P'
          : noted > 0 || groupCodes.length > 0 ? 'E'
            : 'A';
  const ge01 = el(group.trailer, 1);
  const included = /^\d+$/.test(ge01) ? String(Number(ge01)) : String(received);
  const accepted = status === 'R' ? 0 : received - rejected;
  body.push(['AK9', status, included, String(received), String(accepted), ...groupCodes.slice(0, 5)]);
  return [['ST', '997', options.controlNumber], ...body, ['SE', String(body.length + 2), options.controlNumber]];
}

function transactionCodes(segments: readonly Segment[], control: string, seen: ReadonlySet<string>): string[] {
  const codes: string[] = [];
  const last = segments.at(-1);
  if (segments.length < 2 || last?.[0] !== 'SE') {
    codes.push(AK5_CODES.trailerMissing);
  } else {
    if (el(last, 2) !== control) codes.push(AK5_CODES.controlNumberMismatch);
    if (!sameNumber(el(last, 1), String(segments.length))) codes.push(AK5_CODES.segmentCountWrong);
  }
  if (seen.has(control)) codes.push(AK5_CODES.controlNumberNotUnique);
  return codes;
}

function groupErrorCodes(group: X12GroupDetail): string[] {
  const codes: string[] = [];
  const gs06 = el(group.header, 6);
  if (!/^\d{1,9}$/.test(gs06)) codes.push(AK9_CODES.controlNumberSyntax);
  if (!group.trailer) return [...codes, AK9_CODES.trailerMissing];
  if (el(group.trailer, 2) !== gs06 && !sameNumber(el(group.trailer, 2), gs06)) codes.push(AK9_CODES.controlNumberMismatch);
  if (!sameNumber(el(group.trailer, 1), String(group.transactions.length))) codes.push(AK9_CODES.transactionCountWrong);
  return codes;
}

export interface Serialize997Options extends AcknowledgeOptions {
  readonly separators: Separators;
  readonly date: string;
  readonly time: string;
  readonly interchangeControlNumber: number;
  readonly groupControlNumber: number;
}

/** The 997 in its own interchange, sent back to the original sender (ISA and GS parties swapped). */
export function serialize997(interchange: X12InterchangeDetail, group: X12GroupDetail, o: Serialize997Options): string {
  const isa = interchange.header;
  if (!isa) throw new X12SerializeError('cannot address a 997 for content that arrived without an ISA');
  const [st, ...rest] = acknowledgeGroup(group, o);
  const body = rest.slice(0, -1);
  return serializeInterchange(
    {
      sender: { qualifier: el(isa, 7), id: el(isa, 8).trim() },
      receiver: { qualifier: el(isa, 5), id: el(isa, 6).trim() },
      date: o.date,
      time: o.time,
      controlNumber: o.interchangeControlNumber,
      groups: [{
        functionalId: 'FA',
        sender: el(group.header, 3),
        receiver: el(group.header, 2),
        controlNumber: o.groupControlNumber,
        transactions: [{ type: '997', controlNumber: el(st, 2), body }],
      }],
    },
    o.separators,
  );
}
