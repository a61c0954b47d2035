import type { X12ParseResult } from './types.js';
import type { Segment } from './segment.js';
import type { X12Document } from './documents/index.js';
import { createProblems } from '../mapping/index.js';
import { translate846 } from './translate846.js';
import { translate850 } from './translate850.js';
import { translate856 } from './translate856.js';
import { translate945 } from './translate945.js';
import type { DocumentTranslation, X12InboundOptions } from './translation.js';

export interface TransactionTranslation extends DocumentTranslation {
  /** ST01 and ST02. */
  readonly type: string;
  readonly controlNumber: string;
  /** 1-based `interchange.group.transaction` in the file: with the file's hash, the source message id. */
  readonly position: string;
  /** The transaction as read, ST…SE, kept for quarantine. */
  readonly segments: readonly Segment[];
}

const INBOUND_SETS: ReadonlySet<string> = new Set(['945', '856', '846', '850']);

/** Acknowledgements are not business messages: the batch connector matches them to what it sent. */
export const ACKNOWLEDGEMENT_SETS: ReadonlySet<string> = new Set(['997', '999']);

function translateDocument(doc: X12Document, o: X12InboundOptions): DocumentTranslation | undefined {
  switch (doc.kind) {
    case 'warehouse_shipping_advice': return translate945(doc, o);
    case 'ship_notice': return translate856(doc, o);
    case 'inventory_advice': return translate846(doc, o);
    case 'purchase_order': return translate850(doc, o);
    case 'warehouse_shipping_order': return undefined;
  }
}

/** Every business transaction set of a parsed file → its canonical messages and problems. Pure. */
export function translateX12(parsed: X12ParseResult, o: X12InboundOptions): TransactionTranslation[] {
  const out: TransactionTranslation[] = [];
  parsed.interchanges.forEach((x, i) => x.groups.forEach((g, j) => g.transactions.forEach((t, k) => {
    if (ACKNOWLEDGEMENT_SETS.has(t.type)) return;
    const base = { type: t.type, controlNumber: t.controlNumber, position: `${i + 1}.${j + 1}.${k + 1}`, segments: t.segments };
    const translated = t.document ? translateDocument(t.document, o) : undefined;
    if (translated) {
      out.push({ ...base, ...translated });
      return;
    }
    const p = createProblems();
    if (t.document !== undefined || !INBOUND_SETS.has(t.type)) {
      p.add('unsupported', 'ST01', `transaction set ${t.type} is not an inbound message Orderly takes (945, 856, 846, 850)`);
    } else {
      p.add('invalid', 'ST01', `transaction set ${t.type} ${t.controlNumber} could not be read`);
    }
    out.push({ ...base, messages: [], problems: p.list });
  })));
  return out;
}
