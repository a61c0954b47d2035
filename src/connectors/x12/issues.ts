import type { Severity, X12Error } from './types.js';

/**
 * How bad a finding is, independent of the mode:
 * - `fatal`: content could not be read or was dropped. An error in both modes.
 * - `integrity`: the envelope or syntax is broken but the content was recovered (control
 *   numbers, counts, missing trailers/envelopes/terminators, duplicates). A warning when
 *   lenient; an error when strict, where a translator would reject the file and send a 997/TA1.
 * - `notice`: worth knowing, never a rejection (non-fixed-width ISA, unmapped segments).
 */
export type IssueKind = 'fatal' | 'integrity' | 'notice';

export type ParseMode = 'lenient' | 'strict';

/** The severity policy as data, so it can be printed and tested. */
export const SEVERITY: Readonly<Record<ParseMode, Readonly<Record<IssueKind, Severity>>>> = {
  lenient: { fatal: 'error', integrity: 'warning', notice: 'warning' },
  strict: { fatal: 'error', integrity: 'error', notice: 'warning' },
};

export interface IssueSink {
  report(kind: IssueKind, message: string, segment?: number): void;
}

export function createIssueSink(mode: ParseMode): IssueSink & { readonly errors: X12Error[] } {
  const errors: X12Error[] = [];
  return {
    errors,
    report(kind, message, segment) {
      const severity = SEVERITY[mode][kind];
      errors.push(segment === undefined ? { severity, message } : { severity, message, segment });
    },
  };
}
