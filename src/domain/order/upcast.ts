import type { OrderEvent } from './events.js';
import { EVENT_SCHEMA_VERSION } from './events.js';

/**
 * Old event versions are upcast on read, never rewritten in place (DESIGN §4). Each entry lifts
 * one (type, version) to the next version; the chain runs until the current version.
 */
type Upcaster = (data: unknown) => unknown;
const UPCASTERS: Readonly<Record<string, Upcaster>> = {
  // e.g. 'OrderPlaced@1': (d) => ({ ...d, newField: default }),
};

export function upcast(type: string, schemaVersion: number, data: unknown): OrderEvent {
  const current = (EVENT_SCHEMA_VERSION as Record<string, number>)[type];
  if (current === undefined) throw new Error(`unknown order event type ${type}`);
  let d = data;
  for (let v = schemaVersion; v < current; v++) {
    const up = UPCASTERS[`${type}@${v}`];
    if (!up) throw new Error(`no upcaster for ${type}@${v}`);
    d = up(d);
  }
  return { type, data: d } as OrderEvent;
}
