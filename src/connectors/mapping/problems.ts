import type { TableName } from './tables.js';

/** A native code a table does not know (and the table has no default or passthrough). */
export interface UnknownCode {
  readonly table: TableName;
  /** As sent, trimmed; empty when the input carried no code at all. */
  readonly code: string;
}

export type ProblemKind =
  /** A code no table knows: quarantined with the raw message, never guessed. */
  | 'unknown_code'
  /** A reference Orderly needs (fulfillment id, shipment id, date) is absent. */
  | 'missing_reference'
  /** A value that cannot be right (a fraction of an each, a negative quantity, a bad date). */
  | 'invalid'
  /** A well-formed message Orderly does not take (an 850 change, an 856 cancel, a 940 inbound). */
  | 'unsupported';

/** Why an inbound message (or part of it) was not turned into a canonical message. */
export interface TranslationProblem {
  readonly kind: ProblemKind;
  /** Where: an X12 element such as `W0602` or `LX 2 W1205`, or a CSV column. */
  readonly field: string;
  readonly message: string;
  readonly unknown?: UnknownCode;
  /** The key of the message withheld because of it; absent when it concerns the whole transaction. */
  readonly unit?: string;
}

export type ProblemDraft = Omit<TranslationProblem, 'field' | 'unit'>;

/** A value, or why there is none. */
export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: ProblemDraft };

export const checked = <T>(value: T): Checked<T> => ({ ok: true, value });
export const problem = (kind: ProblemKind, message: string): Checked<never> => ({ ok: false, problem: { kind, message } });

export function unknownCodeProblem(unknown: UnknownCode): ProblemDraft {
  const message = unknown.code === ''
    ? `no ${unknown.table} code given, and the ${unknown.table} table has no default`
    : `unknown ${unknown.table} code '${unknown.code}'`;
  return { kind: 'unknown_code', message, unknown };
}

/**
 * Collects problems for one transaction or file. `take` returns the value of a check, or records
 * its problem at `field` (for `unit`) and returns undefined.
 */
export function createProblems(): {
  readonly list: TranslationProblem[];
  take<T>(c: Checked<T>, field: string, unit?: string): T | undefined;
  add(kind: ProblemKind, field: string, message: string, unit?: string): void;
  /** Problems recorded for `unit` (or for the whole transaction when `unit` is undefined). */
  count(unit?: string): number;
} {
  const list: TranslationProblem[] = [];
  const push = (p: ProblemDraft, field: string, unit: string | undefined): void => {
    list.push({ ...p, field, ...(unit !== undefined ? { unit } : {}) });
  };
  return {
    list,
    take(c, field, unit) {
      if (c.ok) return c.value;
      push(c.problem, field, unit);
      return undefined;
    },
    add: (kind, field, message, unit) => push({ kind, message }, field, unit),
    count: (unit) => list.filter((p) => p.unit === unit).length,
  };
}
export type Problems = ReturnType<typeof createProblems>;
