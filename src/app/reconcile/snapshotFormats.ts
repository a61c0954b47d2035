import type { ReconcileKind } from '../../reconcile/index.js';
import type { FieldError } from '../../domain/result.js';
import { headerIndex, readCsv } from '../../connectors/batch/csv.js';
import type { MappingTables } from '../../connectors/mapping/index.js';
import { createMapper, parseMappingTables } from '../../connectors/mapping/index.js';
import { parseX12, translateX12 } from '../../connectors/x12/index.js';

/**
 * Snapshot files and bodies besides JSON: CSV (one record per row, or per line for `orders`) and
 * X12 846 (inventory). They become raw rows with a path for their errors; checkRow then checks
 * them as it checks JSON rows. Lines come in as an iterable so a big file streams.
 */
export interface RawRow {
  readonly input: unknown;
  /** Where the row came from, for its errors: `rows[3]`, `line 7`. */
  readonly path: string;
}

export type RawItem = RawRow | { readonly error: FieldError };

const COLUMNS: Readonly<Record<ReconcileKind, { readonly required: readonly (readonly string[])[]; readonly numbers: readonly string[] }>> = {
  orders: { required: [['fulfillmentId'], ['status'], ['lineId'], ['quantity'], ['shipped']], numbers: ['quantity', 'shipped'] },
  inventory: { required: [['nodeId', 'location'], ['sku'], ['onHand']], numbers: ['onHand'] },
  payments: { required: [['orderId'], ['authorized'], ['captured'], ['refunded']], numbers: ['authorized', 'captured', 'refunded'] },
};

/** A cell as a number when it is one (so checkRow sees the type), else as written. */
const cell = (v: string | undefined, numeric: boolean): unknown => {
  if (v === undefined || v === '') return undefined;
  return numeric && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
};

/**
 * Rows of a CSV snapshot: a header naming the columns (any order, any case), then one record per
 * row; for `orders` one record per line, consecutive records of one fulfillmentId making one row.
 */
export async function* csvRows(kind: ReconcileKind, lines: AsyncIterable<string> | Iterable<string>): AsyncGenerator<RawItem, void, undefined> {
  let index: ReadonlyMap<string, number> | undefined;
  let pending = '';
  let lineNo = 0;
  let recordStart = 0;
  let group: { path: string; fulfillmentId: string; status: unknown; lines: unknown[] } | undefined;
  const spec = COLUMNS[kind];
  for await (const line of lines) {
    lineNo++;
    if (pending === '') recordStart = lineNo;
    pending = pending === '' ? line : `${pending}\n${line}`;
    // A record ends where its quotes balance: a quoted field may hold a line break.
    if ((pending.split('"').length - 1) % 2 === 1) continue;
    const text = pending;
    pending = '';
    if (text.trim() === '') continue;
    const read = readCsv(text);
    const record = read.ok ? read.records[0] : undefined;
    if (!read.ok || !record || record.error) {
      yield { error: { path: `line ${recordStart}`, message: read.ok ? (record?.error ?? 'unreadable record') : read.message } };
      continue;
    }
    if (!index) {
      const h = headerIndex(record.fields);
      if (!h.ok) return yield { error: { path: `line ${recordStart}`, message: h.message } };
      const missing = spec.required.filter((alternatives) => !alternatives.some((a) => h.index.has(a.toLowerCase()))).map((a) => a.join(' or '));
      if (missing.length > 0) return yield { error: { path: `line ${recordStart}`, message: `a ${kind} snapshot needs the column(s) ${missing.join(', ')}` } };
      index = h.index;
      continue;
    }
    const at = index;
    const get = (name: string): string | undefined => {
      const i = at.get(name.toLowerCase());
      return i === undefined ? undefined : record.fields[i]?.trim();
    };
    const value = (name: string) => cell(get(name), spec.numbers.includes(name));
    const path = `line ${recordStart}`;
    if (kind === 'orders') {
      const fulfillmentId = get('fulfillmentId') ?? '';
      const line = { lineId: value('lineId'), quantity: value('quantity'), shipped: value('shipped') };
      if (group && group.fulfillmentId === fulfillmentId && fulfillmentId !== '') {
        if (value('status') !== group.status) yield { error: { path: `${path}.status`, message: `differs from the first line of ${fulfillmentId} (${String(group.status)})` } };
        group.lines.push(line);
        continue;
      }
      if (group) yield { input: { fulfillmentId: group.fulfillmentId, status: group.status, lines: group.lines }, path: group.path };
      group = { path, fulfillmentId, status: value('status'), lines: [line] };
      continue;
    }
    const input =
      kind === 'inventory'
        ? { nodeId: get('nodeId') ?? get('location'), sku: value('sku'), onHand: value('onHand'), ...(get('asOf') ? { asOf: get('asOf') } : {}) }
        : { orderId: value('orderId'), authorized: value('authorized'), captured: value('captured'), refunded: value('refunded'), ...(get('currency') ? { currency: get('currency') } : {}) };
    yield { input, path };
  }
  if (pending !== '') yield { error: { path: `line ${recordStart}`, message: 'a quoted field is never closed' } };
  if (!index) yield { error: { path: 'line 1', message: 'the file is empty: expected a header row' } };
  if (group) yield { input: { fulfillmentId: group.fulfillmentId, status: group.status, lines: group.lines }, path: group.path };
}

/** Rows of a JSON-lines snapshot: one JSON object per line. */
export async function* jsonLineRows(lines: AsyncIterable<string> | Iterable<string>): AsyncGenerator<RawItem, void, undefined> {
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    try {
      yield { input: JSON.parse(line) as unknown, path: `line ${n}` };
    } catch (err) {
      yield { error: { path: `line ${n}`, message: `not JSON: ${(err as Error).message}` } };
    }
  }
}

/**
 * The mapping of an 846 from a target without its own tables: location codes and item ids are
 * Orderly's node ids and SKUs, units are eaches, and QTY 17 is on hand (33 available is kept
 * apart, 63 on order ignored). Any other qualifier is an error, never guessed.
 */
export const DEFAULT_846_MAPPING: MappingTables = (() => {
  const r = parseMappingTables({
    tables: {
      locations: { passthrough: true },
      skus: { passthrough: true },
      units: { codes: { EA: { unit: 'EA', factor: 1 } }, default: { unit: 'EA', factor: 1 } },
      quantityQualifiers: { codes: { '17': 'onHand', '33': 'available', '63': 'ignore', QH: 'ignore' } },
    },
  });
  if (!r.ok) throw new Error('the default 846 mapping is not valid');
  return r.value;
})();

/**
 * Inventory rows of an X12 846 (every location it reports), each dated by its BIA date. The
 * target's own tables (its batch connector's) take precedence, table by table, over the default.
 */
export function x12InventoryRows(text: string, mapping?: MappingTables, utcOffset = '+00:00'): { rows: RawRow[]; asOf?: string; errors: FieldError[] } {
  const parsed = parseX12(text);
  const errors: FieldError[] = parsed.errors.filter((e) => e.severity === 'error').map((e) => ({ path: e.segment === undefined ? 'x12' : `segment ${e.segment}`, message: e.message }));
  const rows: RawRow[] = [];
  let asOf: string | undefined;
  const tables = { ...DEFAULT_846_MAPPING, tables: { ...DEFAULT_846_MAPPING.tables, ...(mapping?.tables ?? {}) } };
  const translations = translateX12(parsed, { mapper: createMapper(tables), utcOffset });
  if (translations.length === 0 && errors.length === 0) errors.push({ path: 'x12', message: 'no 846 transaction in the file' });
  for (const t of translations) {
    if (t.type !== '846') errors.push({ path: `transaction ${t.position}`, message: `a ${t.type} is not an inventory snapshot (846)` });
    for (const p of t.problems) errors.push({ path: `transaction ${t.position} ${p.field}`.trim(), message: p.message });
    for (const m of t.messages) {
      if (m.message.type !== 'inventory.snapshot') continue;
      const fact = m.message;
      if (asOf === undefined || fact.asOf < asOf) asOf = fact.asOf;
      fact.positions.forEach((p, i) => rows.push({ input: { nodeId: fact.nodeId, sku: p.sku, onHand: p.onHand, asOf: fact.asOf }, path: `transaction ${t.position} ${fact.nodeId} position ${i + 1}` }));
    }
  }
  return { rows, ...(asOf !== undefined ? { asOf } : {}), errors };
}
