/** The segment model shared by the tokenizer, the envelope, the mappers and the serializers. */

/**
 * One segment as `[segmentId, element1, element2, …]`. Trailing empty elements are dropped.
 * Composite elements use the canonical component separator `>` and repeated elements the
 * canonical repetition separator `^`, whatever the sender chose, so segments compare equal
 * across re-delimited copies of the same file.
 */
export type Segment = readonly string[];

export const CANONICAL_COMPONENT = '>';
export const CANONICAL_REPETITION = '^';

/**
 * Delimiters of one interchange. `segment` is the terminator character, or `'\n'` when line
 * breaks terminate segments (CR, LF and CRLF are then all accepted). Serializers also accept a
 * terminator followed by a line break, e.g. `'~\n'` or `'~\r\n'`.
 */
export interface Separators {
  readonly element: string;
  readonly segment: string;
  readonly component: string;
  /** ISA11 when the version (ISA12 ≥ 00402) makes it a repetition separator. */
  readonly repetition?: string;
}
