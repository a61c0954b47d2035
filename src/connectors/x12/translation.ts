/**
 * What the X12 → canonical translators share: their options, their result shape and the few
 * rules every one of them applies (item identity, timestamps, withholding a unit with problems).
 */
import type { FactLine, InboundMessage } from '../port.js';
import { checked, problem, type Checked, type Mapper, type TranslationProblem } from '../mapping/index.js';
import { DEFAULT_MAPPING_POLICY } from './documents/index.js';

export interface X12InboundOptions {
  readonly mapper: Mapper;
  /** 850: the Orderly channel the purchase orders belong to. */
  readonly channel?: string;
  /** 850: the customer tier of the drafts (default `standard`). */
  readonly customerTier?: string;
  /**
   * Product-id qualifiers tried in order to pick a line's native item id, which the skus table
   * then maps (945 W1206 counts as `UC`). Default: SK, VP, VN, BP, IN, CB, UP, EN, UK.
   */
  readonly itemIdQualifiers?: readonly string[];
  /** The partner's UTC offset for X12 dates and times, `+HH:MM` or `-HH:MM` (default `+00:00`). */
  readonly utcOffset?: string;
  /** 856: the order-level REF qualifier that carries the fulfillment id; default PRF01. */
  readonly asnOrderRef?: string;
  /** 846: header N1 roles naming the report's location, tried in order (default `WH`). */
  readonly inventoryLocationRoles?: readonly string[];
}

/** One canonical message and its key within the transaction (part of its source message id). */
export interface TranslatedMessage {
  readonly key: string;
  readonly message: InboundMessage;
}

/**
 * A transaction's messages and problems. A message with any problem (or any problem of the whole
 * transaction) is withheld, never sent in part: re-sending the file after the mapping is fixed
 * then delivers it whole, under the same source message id.
 */
export interface DocumentTranslation {
  readonly messages: readonly TranslatedMessage[];
  readonly problems: readonly TranslationProblem[];
}

export function settle(candidates: readonly TranslatedMessage[], problems: readonly TranslationProblem[]): DocumentTranslation {
  if (problems.some((p) => p.unit === undefined)) return { messages: [], problems };
  const blocked = new Set(problems.map((p) => p.unit));
  return { messages: candidates.filter((c) => !blocked.has(c.key)), problems };
}

export const itemQualifiers = (o: X12InboundOptions): readonly string[] => o.itemIdQualifiers ?? DEFAULT_MAPPING_POLICY.skuQualifiers;

/** The native item id to look up: the first qualifier of the partner's list that the line carries. */
export function chooseItemId(ids: Readonly<Record<string, string>>, qualifiers: readonly string[]): Checked<string> {
  for (const q of qualifiers) {
    const id = ids[q]?.trim();
    if (id) return checked(id);
  }
  const has = Object.keys(ids);
  return problem('missing_reference', `no item id with a qualifier of ${qualifiers.join('/')} (the line has ${has.length > 0 ? has.join('/') : 'none'})`);
}

const OFFSET = /^[+-]\d{2}:\d{2}$/;

/**
 * An X12 date (`YYYY-MM-DD` as the mappers give it) and optional time (HHMM, HHMMSS, HHMMSSD…)
 * in the partner's offset → ISO 8601 UTC. A missing time is midnight: earlier, never later.
 */
export function timestamp(date: string | undefined, time: string | undefined, utcOffset = '+00:00'): Checked<string> {
  if (date === undefined) return problem('missing_reference', 'no date');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return problem('invalid', `'${date}' is not a CCYYMMDD date`);
  if (!OFFSET.test(utcOffset)) return problem('invalid', `utcOffset '${utcOffset}' is not +HH:MM or -HH:MM`);
  const t = time?.trim() ?? '';
  const m = /^(\d{2})(\d{2})(\d{2})?(\d{1,2})?$/.exec(t === '' ? '0000' : t);
  const [, hh = '', mm = '', ss = '00', frac = ''] = m ?? [];
  if (!m || Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 59) return problem('invalid', `'${t}' is not an HHMM[SS[D..]] time`);
  const ms = frac === '' ? '000' : frac.padEnd(3, '0');
  return checked(new Date(`${date}T${hh}:${mm}:${ss}.${ms}${utcOffset}`).toISOString());
}

/** Sums lines of the same SKU (a 945 or 856 may report one item in several loops, e.g. per lot). */
export function mergeLines(lines: readonly { readonly sku: string; readonly quantity: number }[]): FactLine[] {
  const totals = new Map<string, number>();
  for (const l of lines) totals.set(l.sku, (totals.get(l.sku) ?? 0) + l.quantity);
  return [...totals].map(([sku, quantity]) => ({ sku, quantity }));
}
