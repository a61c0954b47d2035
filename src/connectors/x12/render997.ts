import { serialize997 } from './ack997.js';
import { X12SerializeError } from './serialize.js';
import type { Separators } from './segment.js';
import type { X12ParseDetail } from './types.js';
import { controlNumbers, DEFAULT_SEPARATORS } from './render940.js';
import { ACKNOWLEDGEMENT_SETS } from './translateX12.js';

export interface Acknowledge997Options {
  /** Identifies the received file (its sha256): with the group's position, the 997's control numbers. */
  readonly fileKey: string;
  /** `YYYY-MM-DD` and `HHMM` of the acknowledgement, passed in. */
  readonly date: string;
  readonly time: string;
  readonly strict?: boolean;
  readonly separators?: Separators;
}

export interface Rendered997 {
  /** 1-based `interchange.group` of the group acknowledged. */
  readonly position: string;
  readonly text?: string;
  /** Why no 997 could be written (e.g. a group without GS or ISA to address it to). */
  readonly skipped?: string;
}

/**
 * One 997 per received functional group (never for a group of 997s), addressed back to the
 * sender. Control numbers come from the file and the group's position, so acknowledging the
 * same file twice gives the same numbers.
 */
export function acknowledgeGroups(detail: X12ParseDetail, o: Acknowledge997Options): Rendered997[] {
  const out: Rendered997[] = [];
  detail.interchanges.forEach((x, i) => x.groups.forEach((g, j) => {
    const position = `${i + 1}.${j + 1}`;
    if (g.transactions.length > 0 && g.transactions.every((t) => ACKNOWLEDGEMENT_SETS.has(t.type))) return;
    if (!x.header || !g.header) {
      out.push({ position, skipped: 'the group arrived without ISA/GS: there is no one to address a 997 to' });
      return;
    }
    const numbers = controlNumbers(`${o.fileKey}#${position}`);
    try {
      const text = serialize997(x, g, {
        separators: o.separators ?? DEFAULT_SEPARATORS,
        date: o.date,
        time: o.time,
        interchangeControlNumber: numbers.interchange,
        groupControlNumber: numbers.group,
        controlNumber: numbers.transaction,
        strict: o.strict ?? false,
      });
      out.push({ position, text });
    } catch (e) {
      if (!(e instanceof X12SerializeError)) throw e;
      out.push({ position, skipped: e.message });
    }
  }));
  return out;
}
