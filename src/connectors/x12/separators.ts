import { CANONICAL_COMPONENT, type Separators } from './segment.js';

/** Whitespace accepted between segments: line breaks, indentation and a stray BOM. */
export const isGap = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\f' || c === '\v' || c === '\uFEFF';

export const isLineBreak = (c: string | undefined): boolean => c === '\r' || c === '\n';

export const isAlnum = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z0-9]$/.test(c);

/** The standard says 106 characters from `I` to the terminator; many real files differ. */
export const ISA_FIXED_WIDTH = 106;

/** A segment id followed by the element separator, e.g. `GS*`. */
export function isSegmentStart(text: string, at: number, element: string): boolean {
  const m = /^[A-Z][A-Z0-9]{1,2}/.exec(text.slice(at, at + 3));
  return m !== null && text[at + m[0].length] === element;
}

/** `ISA` followed by a plausible element separator. */
export const isIsaStart = (text: string, at: number): boolean =>
  text.startsWith('ISA', at) && text[at + 3] !== undefined && !isAlnum(text[at + 3]) && !isGap(text[at + 3]);

export interface IsaHeader {
  readonly separators: Separators;
  /** `['ISA', ISA01 … ISA16]`, raw and untrimmed; ISA16 is absent when the sender left it out. */
  readonly elements: string[];
  /** Index just after the ISA's terminator. */
  readonly bodyStart: number;
  /** Characters from `I` to the terminator inclusive. */
  readonly width: number;
  readonly missingIsa16: boolean;
}

export type IsaReading = { readonly ok: true; readonly header: IsaHeader } | { readonly ok: false; readonly message: string };

/**
 * Reads the delimiters from the ISA at `at` by counting its 16 element separators rather than
 * trusting fixed offsets: real ISAs are padded, unpadded, or miss ISA16 altogether.
 */
export function readIsa(text: string, at: number): IsaReading {
  const element = text[at + 3];
  if (element === undefined || isAlnum(element) || isGap(element)) {
    return { ok: false, message: 'ISA is not followed by an element separator' };
  }
  let p16 = at + 3;
  for (let found = 1; found < 16; found++) {
    let i = p16 + 1;
    while (i < text.length && text[i] !== element && !isLineBreak(text[i])) i++;
    if (text[i] !== element) {
      return { ok: false, message: `ISA is truncated: found ${found} of 16 elements` };
    }
    p16 = i;
  }
  const c1 = text[p16 + 1];
  const c2 = text[p16 + 2];
  const fields = text.slice(at, p16).split(element);
  let component: string;
  let segment: string;
  let terminatorAt: number;
  let missingIsa16 = false;
  if (c1 === undefined) {
    return { ok: false, message: 'ISA ends after ISA15: no component separator or segment terminator' };
  } else if (isLineBreak(c1)) {
    [missingIsa16, component, segment, terminatorAt] = [true, CANONICAL_COMPONENT, '\n', p16 + 1];
  } else if (c2 === undefined || isLineBreak(c2)) {
    if (c2 !== undefined && nextLineEndsWith(text, p16 + 2, c1)) {
      [missingIsa16, component, segment, terminatorAt] = [true, CANONICAL_COMPONENT, c1, p16 + 1];
    } else {
      [component, segment, terminatorAt] = [c1, '\n', p16 + 2];
    }
  } else if (isAlnum(c2) && isSegmentStart(text, p16 + 2, element)) {
    [missingIsa16, component, segment, terminatorAt] = [true, CANONICAL_COMPONENT, c1, p16 + 1];
  } else {
    [component, segment, terminatorAt] = [c1, c2, p16 + 2];
  }
  if (isAlnum(segment) || (isGap(segment) && segment !== '\n')) {
    return { ok: false, message: `cannot use '${segment}' after ISA16 as a segment terminator` };
  }
  if (segment === element || component === element || (!missingIsa16 && component === segment)) {
    return { ok: false, message: 'ISA declares the same character for two different separators' };
  }
  const elements = missingIsa16 ? fields : [...fields, component];
  const separators = withRepetition({ element, segment, component }, elements);
  return {
    ok: true,
    header: { separators, elements, bodyStart: terminatorAt + 1, width: terminatorAt - at + 1, missingIsa16 },
  };
}

/** ISA11 is a repetition separator from version 00402 on; before that it is the standards id `U`. */
function withRepetition(seps: Separators, isa: readonly string[]): Separators {
  const isa11 = isa[11] ?? '';
  const version = isa[12] ?? '';
  const usable =
    /^\d{5}$/.test(version) && version >= '00402' && isa11.length === 1 && !isAlnum(isa11) && !isGap(isa11) &&
    isa11 !== seps.element && isa11 !== seps.segment && isa11 !== seps.component;
  return usable ? { ...seps, repetition: isa11 } : seps;
}

/** Missing-ISA16 heuristic: the next segment's line ends with the character we took for ISA16. */
function nextLineEndsWith(text: string, from: number, c: string): boolean {
  let i = from;
  while (i < text.length && isGap(text[i])) i++;
  let end = i;
  while (end < text.length && !isLineBreak(text[end])) end++;
  return end > i && text[end - 1] === c;
}

export type HeadlessReading =
  | { readonly ok: true; readonly separators: Separators }
  | { readonly ok: false; readonly message: string };

/**
 * Delimiters of content that starts at a bare GS or ST (no ISA, as some middleware hands out):
 * the element separator follows the tag, the terminator is the first character after the
 * segment's plain data, and the component separator can only be assumed.
 */
export function readHeadless(text: string, at: number): HeadlessReading {
  const element = text[at + 2];
  if (element === undefined || isAlnum(element) || isGap(element)) {
    return { ok: false, message: 'no element separator after the segment id' };
  }
  let i = at + 3;
  while (i < text.length && (text[i] === element || /^[A-Za-z0-9 ._/-]$/.test(text[i] ?? ''))) i++;
  const t = text[i];
  const segment = t === undefined || isLineBreak(t) ? '\n' : t;
  if (segment === CANONICAL_COMPONENT) return { ok: false, message: `cannot use '${segment}' as a terminator` };
  return { ok: true, separators: { element, segment, component: CANONICAL_COMPONENT } };
}
