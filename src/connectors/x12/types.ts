/**
 * Public shapes of the X12 connector. The parse result is plain JSON (what `orderly edi parse`
 * prints); the `*Detail` types add the raw envelope segments that the 997 generator and the
 * re-serializer need, and are never printed.
 */
import type { X12Document } from './documents/index.js';
import type { Segment, Separators } from './segment.js';

export { CANONICAL_COMPONENT, CANONICAL_REPETITION } from './segment.js';
export type { Segment, Separators } from './segment.js';

export type Severity = 'warning' | 'error';

export interface X12Error {
  readonly severity: Severity;
  readonly message: string;
  /** 1-based position of the offending segment in the file, counting every segment read. */
  readonly segment?: number;
}

export interface X12Transaction {
  /** ST01, e.g. `940`. */
  readonly type: string;
  /** ST02. */
  readonly controlNumber: string;
  /** ST through SE inclusive (or up to the last segment read when SE is missing). */
  readonly segments: readonly Segment[];
  /** Canonical mapping for the supported types (850, 846, 856, 940, 945). */
  readonly document?: X12Document;
}

export interface X12Group {
  /** GS06; empty for a transaction set that arrived without a GS. */
  readonly controlNumber: string;
  /** GS01, e.g. `OW`; inferred from ST01 when the GS is missing. */
  readonly functionalId: string;
  readonly transactions: readonly X12Transaction[];
}

export interface X12Interchange {
  /** ISA13; empty for content that arrived without an ISA. */
  readonly controlNumber: string;
  /** ISA06, trimmed. */
  readonly sender?: string;
  /** ISA08, trimmed. */
  readonly receiver?: string;
  /** ISA09 as `YYYY-MM-DD` (two-digit years pivot at 70: 69 → 2069, 70 → 1970). */
  readonly date?: string;
  readonly groups: readonly X12Group[];
}

export interface X12ParseResult {
  readonly interchanges: readonly X12Interchange[];
  readonly errors: readonly X12Error[];
}

export interface X12GroupDetail extends X12Group {
  /** The GS segment, absent when the group was inferred. */
  readonly header?: Segment;
  /** The GE segment, absent when it was missing. */
  readonly trailer?: Segment;
}

export interface X12InterchangeDetail extends X12Interchange {
  /** The ISA segment as read (ISA16 absent when the sender left it out). */
  readonly header?: Segment;
  /** The IEA segment, absent when it was missing. */
  readonly trailer?: Segment;
  readonly separators: Separators;
  readonly groups: readonly X12GroupDetail[];
}

export interface X12ParseDetail {
  readonly interchanges: readonly X12InterchangeDetail[];
  readonly errors: readonly X12Error[];
}
