import type { Segment, X12ParseResult } from './types.js';
import { el } from './documents/common.js';

/** What a partner's 997 says about one of our functional groups. */
export interface FunctionalAck {
  /** AK101 / AK102: the group acknowledged. */
  readonly functionalId: string;
  readonly groupControlNumber: string;
  /** AK901: `A` accepted, `E` accepted with errors, `P` partially accepted, `R` rejected. */
  readonly groupStatus: string;
  /** AK2/AK5 per transaction set: ST01, ST02 and AK501. */
  readonly sets: readonly { readonly type: string; readonly controlNumber: string; readonly status: string }[];
  /** 1-based `interchange.group.transaction` of the 997 in its file. */
  readonly position: string;
  readonly segments: readonly Segment[];
}

/** `A` and `E` accept; anything else (R, P with the set rejected, M, W, X) does not. */
export const isAccepted = (status: string): boolean => status === 'A' || status === 'E';

/** The 997s of a parsed file; other transaction sets are ignored. Pure. */
export function read997(parsed: X12ParseResult): FunctionalAck[] {
  const acks: FunctionalAck[] = [];
  parsed.interchanges.forEach((x, i) => x.groups.forEach((g, j) => g.transactions.forEach((t, k) => {
    if (t.type !== '997') return;
    const ak1 = t.segments.find((s) => s[0] === 'AK1');
    const ak9 = t.segments.find((s) => s[0] === 'AK9');
    const sets: { type: string; controlNumber: string; status: string }[] = [];
    let open: { type: string; controlNumber: string } | undefined;
    for (const s of t.segments) {
      if (s[0] === 'AK2') open = { type: el(s, 1) ?? '', controlNumber: el(s, 2) ?? '' };
      else if (s[0] === 'AK5' && open) {
        sets.push({ ...open, status: el(s, 1) ?? '' });
        open = undefined;
      }
    }
    acks.push({
      functionalId: (ak1 && el(ak1, 1)) ?? '',
      groupControlNumber: (ak1 && el(ak1, 2)) ?? '',
      groupStatus: (ak9 && el(ak9, 1)) ?? '',
      sets,
      position: `${i + 1}.${j + 1}.${k + 1}`,
      segments: t.segments,
    });
  })));
  return acks;
}
