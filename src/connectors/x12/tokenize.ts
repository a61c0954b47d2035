import { isGap, isIsaStart, isLineBreak } from './separators.js';
import { CANONICAL_COMPONENT, CANONICAL_REPETITION, type Separators } from './segment.js';

export interface Token {
  /** `[id, …elements]`, trailing empty elements dropped, separators made canonical. */
  readonly elements: string[];
  /** Offset of the segment's first character. */
  readonly start: number;
  /** Set when the segment ended at a line break or the end of the text, not at its terminator. */
  readonly unterminated?: 'line-break' | 'end-of-text';
  /** An element held a literal `>`/`^` that now reads like a canonical separator. */
  readonly ambiguous: boolean;
}

export interface TokenRun {
  readonly tokens: Token[];
  /** Offset after the last segment read. */
  readonly end: number;
}

/**
 * Splits one interchange's body into segments, from `from` up to and including IEA, or up to
 * (not including) the next ISA, whose delimiters may differ. A line break met before the
 * terminator ends the segment too, so one missing terminator does not swallow the next segment.
 */
export function tokenize(text: string, from: number, seps: Separators): TokenRun {
  const tokens: Token[] = [];
  const byLine = seps.segment === '\n';
  let i = from;
  for (;;) {
    while (i < text.length && isGap(text[i])) i++;
    if (i >= text.length || isIsaStart(text, i)) break;
    let end = i;
    while (end < text.length && text[end] !== seps.segment && !isLineBreak(text[end])) end++;
    const { elements, ambiguous } = splitSegment(text.slice(i, end), seps);
    const token: Token = { elements, start: i, ambiguous };
    if (!byLine && text[end] !== seps.segment) {
      tokens.push({ ...token, unterminated: onlyGapsFrom(text, end) ? 'end-of-text' : 'line-break' });
    } else {
      tokens.push(token);
    }
    i = text[end] === seps.segment && !byLine ? end + 1 : end;
    if (elements[0] === 'IEA') break;
  }
  return { tokens, end: i };
}

function onlyGapsFrom(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) if (!isGap(text[i])) return false;
  return true;
}

function splitSegment(raw: string, seps: Separators): { elements: string[]; ambiguous: boolean } {
  // One pass per character: mapping component then repetition in turn would re-map the output of the first.
  const recode = new Map<string, string>();
  if (seps.component !== CANONICAL_COMPONENT) recode.set(seps.component, CANONICAL_COMPONENT);
  if (seps.repetition !== undefined && seps.repetition !== CANONICAL_REPETITION) recode.set(seps.repetition, CANONICAL_REPETITION);
  const literalCanonical = (ch: string): boolean =>
    (ch === CANONICAL_COMPONENT && seps.component !== CANONICAL_COMPONENT) ||
    (ch === CANONICAL_REPETITION && seps.repetition !== undefined && seps.repetition !== CANONICAL_REPETITION);
  let ambiguous = false;
  const elements = raw.split(seps.element).map((part, n) => {
    if (n === 0 || recode.size === 0) return part;
    let out = '';
    for (const ch of part) {
      const mapped = recode.get(ch);
      if (mapped === undefined && literalCanonical(ch)) ambiguous = true;
      out += mapped ?? ch;
    }
    return out;
  });
  while (elements.length > 1 && elements[elements.length - 1] === '') elements.pop();
  return { elements, ambiguous };
}
