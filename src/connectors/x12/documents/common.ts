import { isoDate } from '../dates.js';
import { CANONICAL_COMPONENT, type Segment } from '../segment.js';

/** A mapping finding, `index` pointing into the transaction's segments (ST is 0). */
export interface MapNote {
  readonly message: string;
  readonly index?: number;
}

export interface Mapped<D> {
  readonly document: D;
  readonly notes: readonly MapNote[];
}

/** Partner-specific choices the mappers need; the default sits beside it. */
export interface MappingPolicy {
  /** Product-id qualifiers tried in order to choose a line's SKU (never hard-code `VN`). */
  readonly skuQualifiers: readonly string[];
  /** ISO 4217 currency assumed when a document carries no CUR segment. */
  readonly defaultCurrency: string;
}

export const DEFAULT_MAPPING_POLICY: MappingPolicy = {
  skuQualifiers: ['SK', 'VP', 'VN', 'BP', 'IN', 'CB', 'UP', 'EN', 'UK'],
  defaultCurrency: 'USD',
};

export interface Reference {
  readonly qualifier: string;
  readonly value?: string;
  readonly description?: string;
}

export interface DateRef {
  readonly qualifier: string;
  /** ISO `YYYY-MM-DD`, or the raw value when it is not a valid CCYYMMDD date. */
  readonly date?: string;
  /** G6203 (the time qualifier that G62 pairs with its time). */
  readonly timeQualifier?: string;
  readonly time?: string;
}

export interface Note {
  readonly code?: string;
  readonly text: string;
}

export interface PartyAddress {
  readonly lines: readonly string[];
  readonly city?: string;
  readonly region?: string;
  readonly postalCode?: string;
  readonly country?: string;
}

export interface Contact {
  readonly function?: string;
  readonly name?: string;
  /** PER03/05/07 qualifier → PER04/06/08 number (`TE` phone, `EM` email, `FX` fax). */
  readonly channels: Readonly<Record<string, string>>;
}

/** One N1 loop: N1 (role, name, id) with its N2, N3, N4 and PER. */
export interface Party {
  /** N101 entity code: `ST` ship-to, `BT` bill-to, `SF` ship-from, `WH` warehouse, … */
  readonly role: string;
  readonly name?: string;
  readonly idQualifier?: string;
  readonly id?: string;
  readonly additionalNames?: readonly string[];
  readonly address?: PartyAddress;
  readonly contacts?: readonly Contact[];
}

/** A collector of mapping notes; mappers are pure, so notes travel back in the result. */
export function createNotes(): { readonly notes: MapNote[]; note(message: string, index?: number): void } {
  const notes: MapNote[] = [];
  return { notes, note: (message, index) => notes.push(index === undefined ? { message } : { message, index }) };
}
export type Noter = ReturnType<typeof createNotes>['note'];

/** Element `n`, or undefined when absent or empty. */
export const el = (s: Segment, n: number): string | undefined => {
  const v = s[n];
  return v === undefined || v === '' ? undefined : v;
};

/** The first component of a composite element (e.g. QTY03 unit). */
export const firstComponent = (v: string | undefined): string | undefined =>
  v === undefined ? undefined : v.split(CANONICAL_COMPONENT)[0] || undefined;

/** Drops `undefined` properties so the JSON stays free of empty keys. */
export function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** X12 `R`/`N` numbers are decimal strings; a non-number is noted and left out. */
export function num(s: Segment, n: number, note: Noter, index: number): number | undefined {
  const v = el(s, n);
  if (v === undefined) return undefined;
  if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(v)) return Number(v);
  note(`${s[0] ?? ''}${String(n).padStart(2, '0')} '${v}' is not a number`, index);
  return undefined;
}

/** Qualifier/value pairs at elements `from`, `from+2`, … (up to `to`) as a map; first wins. */
export function qualifierPairs(s: Segment, from: number, to = s.length): Record<string, string> {
  const ids: Record<string, string> = {};
  for (let i = from; i + 1 <= to && i < s.length; i += 2) {
    const [q, v] = [el(s, i), el(s, i + 1)];
    if (q !== undefined && v !== undefined && !(q in ids)) ids[q] = v;
  }
  return ids;
}

export function dateRef(s: Segment, note: Noter, index: number): DateRef {
  const raw = el(s, 2);
  const iso = raw === undefined ? undefined : isoDate(raw);
  if (raw !== undefined && iso === undefined) note(`${s[0] ?? ''}02 '${raw}' is not a CCYYMMDD date`, index);
  // G62 carries the time in 04 (03 is its qualifier); DTM carries it in 03.
  if (s[0] === 'G62') return compact({ qualifier: el(s, 1) ?? '', date: iso ?? raw, timeQualifier: el(s, 3), time: el(s, 4) });
  return compact({ qualifier: el(s, 1) ?? '', date: iso ?? raw, time: el(s, 3) });
}

export function isoOrRaw(s: Segment, n: number, note: Noter, index: number): string | undefined {
  const raw = el(s, n);
  if (raw === undefined) return undefined;
  const iso = isoDate(raw);
  if (iso === undefined) note(`${s[0] ?? ''}${String(n).padStart(2, '0')} '${raw}' is not a CCYYMMDD date`, index);
  return iso ?? raw;
}

export const reference = (s: Segment): Reference =>
  compact({ qualifier: el(s, 1) ?? '', value: el(s, 2), description: el(s, 3) });

export const noteText = (s: Segment): Note => compact({ code: el(s, 1), text: s[2] ?? '' });

/**
 * Collects N1 loops. Feed it every segment: it consumes N1/N2/N3/N4/PER while a loop is open
 * and returns false (closing the loop) for anything else.
 */
export function createPartyReader(note: Noter): {
  readonly parties: Party[];
  take(s: Segment, index: number): boolean;
} {
  const parties: Party[] = [];
  let open = false;
  const update = (patch: (p: Party) => Party): void => {
    const last = parties.pop();
    if (last) parties.push(patch(last));
  };
  const address = (p: Party): PartyAddress => p.address ?? { lines: [] };
  return {
    parties,
    take(s, index) {
      const id = s[0];
      if (id === 'N1') {
        parties.push(compact({ role: el(s, 1) ?? '', name: el(s, 2), idQualifier: el(s, 3), id: el(s, 4) }));
        open = true;
        if (el(s, 1) === undefined) note('N101 entity code is missing', index);
        return true;
      }
      if (!open || (id !== 'N2' && id !== 'N3' && id !== 'N4' && id !== 'PER')) {
        if (id === 'N2' || id === 'N3' || id === 'N4') note(`${id} outside an N1 loop ignored`, index);
        open = false;
        return id === 'N2' || id === 'N3' || id === 'N4';
      }
      if (id === 'N2') {
        update((p) => ({ ...p, additionalNames: [...(p.additionalNames ?? []), ...s.slice(1).filter((v) => v !== '')] }));
      } else if (id === 'N3') {
        update((p) => ({ ...p, address: { ...address(p), lines: [...address(p).lines, ...s.slice(1).filter((v) => v !== '')] } }));
      } else if (id === 'N4') {
        update((p) => ({
          ...p,
          address: compact({ ...address(p), city: el(s, 1), region: el(s, 2), postalCode: el(s, 3), country: el(s, 4) }),
        }));
      } else {
        const contact = compact({ function: el(s, 1), name: el(s, 2), channels: qualifierPairs(s, 3, 9) });
        update((p) => ({ ...p, contacts: [...(p.contacts ?? []), contact] }));
      }
      return true;
    },
  };
}

/** One note listing the segment ids a mapper did not use, instead of one note per segment. */
export function noteUnmapped(note: Noter, type: string, unmapped: ReadonlyMap<string, number>): void {
  if (unmapped.size === 0) return;
  const list = [...unmapped].map(([id, n]) => (n > 1 ? `${id} (×${n})` : id)).join(', ');
  note(`${type} segments not mapped: ${list}`);
}

export const countUnmapped = (unmapped: Map<string, number>, s: Segment): void => {
  const id = s[0] ?? '';
  unmapped.set(id, (unmapped.get(id) ?? 0) + 1);
};
