/**
 * Inbound CSV files → canonical messages (docs/connectors/batch-files.md). The kind of file is
 * told by its header: `onHand` → inventory snapshot, `accepted` → acknowledgements, `shipmentId`
 * → shipments. Rows of one shipment (fulfillmentId + shipmentId) or one snapshot (node + asOf)
 * become one message, withheld whole if any of its rows fails. Pure.
 */
import type { Fact, FactLine, InboundMessage } from '../port.js';
import type { Checked, Mapper, UnknownCode } from '../mapping/index.js';
import { checked, problem } from '../mapping/index.js';
import { headerIndex, readCsv, type CsvRecord } from './csv.js';

export const CSV_KINDS = ['shipments', 'inventory', 'acknowledgements'] as const;
export type CsvKind = (typeof CSV_KINDS)[number];

export interface CsvInboundOptions {
  readonly mapper: Mapper;
  /** Offset for date-times written without one (and bare dates), `+HH:MM`; default `+00:00`. */
  readonly utcOffset?: string;
}

export interface CsvMessage {
  /** The first row of the message: with the file's hash, its source message id. */
  readonly key: string;
  readonly rows: readonly number[];
  readonly message: InboundMessage;
}

export interface RowError {
  readonly row: number;
  /** The column, as written in the header; empty for the record as a whole. */
  readonly field: string;
  readonly message: string;
  readonly unknown?: UnknownCode;
}

export type CsvTranslation =
  | {
      readonly ok: true;
      readonly kind: CsvKind;
      readonly header: CsvRecord;
      readonly records: readonly CsvRecord[];
      readonly messages: readonly CsvMessage[];
      /** Messages not sent because a row of theirs failed: each is quarantined once, with its rows. */
      readonly withheld: readonly { readonly key: string; readonly rows: readonly number[] }[];
      readonly errors: readonly RowError[];
    }
  | { readonly ok: false; readonly row?: number; readonly message: string };

const REQUIRED: Readonly<Record<CsvKind, readonly (readonly string[])[]>> = {
  shipments: [['fulfillmentId'], ['shipmentId'], ['sku', 'lineId'], ['quantity'], ['shippedAt']],
  inventory: [['nodeId', 'location'], ['sku'], ['onHand'], ['asOf']],
  acknowledgements: [['fulfillmentId'], ['accepted']],
};

/** One row's cells by column name (case-insensitive), and its error collector. */
export interface Row {
  readonly record: CsvRecord;
  get(column: string): string | undefined;
  take<T>(c: Checked<T>, column: string): T | undefined;
  fail(column: string, message: string): void;
}

export function translateCsv(text: string, o: CsvInboundOptions): CsvTranslation {
  const read = readCsv(text);
  if (!read.ok) return { ok: false, row: read.row, message: `row ${read.row}: ${read.message}` };
  const [header, ...records] = read.records;
  if (!header) return { ok: false, message: 'the file is empty: expected a header row' };
  const columns = headerIndex(header.fields);
  if (!columns.ok) return { ok: false, row: header.row, message: columns.message };
  const has = (name: string): boolean => columns.index.has(name.toLowerCase());
  const kind: CsvKind | undefined = has('onHand') ? 'inventory' : has('accepted') ? 'acknowledgements' : has('shipmentId') ? 'shipments' : undefined;
  if (!kind) return { ok: false, row: header.row, message: 'cannot tell the kind of file: the header has none of onHand (inventory), accepted (acknowledgements), shipmentId (shipments)' };
  const missing = REQUIRED[kind].filter((alternatives) => !alternatives.some(has)).map((a) => a.join(' or '));
  if (missing.length > 0) return { ok: false, row: header.row, message: `a ${kind} file needs the column(s) ${missing.join(', ')}` };

  const errors: RowError[] = [];
  const nameOf = (column: string): string => header.fields[columns.index.get(column.toLowerCase()) ?? -1]?.trim() ?? column;
  const rows: Row[] = records.map((record) => {
    const fail = (column: string, message: string, unknown?: UnknownCode): void => {
      errors.push({ row: record.row, field: column === '' ? '' : nameOf(column), message, ...(unknown ? { unknown } : {}) });
    };
    if (record.error) fail('', record.error);
    if (record.fields.length !== header.fields.length) fail('', `has ${record.fields.length} fields, the header has ${header.fields.length}`);
    return {
      record,
      get: (column) => {
        const at = columns.index.get(column.toLowerCase());
        const v = at === undefined ? undefined : record.fields[at]?.trim();
        return v === '' ? undefined : v;
      },
      take: (c, column) => {
        if (c.ok) return c.value;
        fail(column, c.problem.message, c.problem.unknown);
        return undefined;
      },
      fail: (column, message) => fail(column, message),
    };
  });
  const failedRows = (): Set<number> => new Set(errors.map((e) => e.row));
  const built = kind === 'shipments' ? buildShipments(rows, o) : kind === 'inventory' ? buildSnapshots(rows, o) : buildAcks(rows);
  // A message with any failed row is withheld whole, and its other rows say so.
  const failed = failedRows();
  const messages: CsvMessage[] = [];
  const withheld: { key: string; rows: number[] }[] = [];
  for (const m of built) {
    const bad = m.rows.filter((r) => failed.has(r));
    if (bad.length === 0 && m.message) {
      messages.push({ key: m.key, rows: m.rows, message: m.message });
      continue;
    }
    withheld.push({ key: m.key, rows: m.rows });
    for (const r of m.rows.filter((x) => !failed.has(x))) {
      errors.push({ row: r, field: '', message: `not sent: row ${bad.join(', ')} of the same ${kind === 'inventory' ? 'snapshot' : 'shipment'} failed` });
    }
  }
  errors.sort((a, b) => a.row - b.row);
  return { ok: true, kind, header, records, messages, withheld, errors };
}

interface Built {
  readonly key: string;
  readonly rows: number[];
  /** Undefined when a row of it failed. */
  message?: InboundMessage;
}

const OFFSET = /^[+-]\d{2}:\d{2}$/;

/** ISO 8601 date-time (offset or `Z` optional) or bare date → UTC ISO text. */
export function isoTimestamp(v: string | undefined, utcOffset = '+00:00'): Checked<string> {
  if (v === undefined) return problem('missing_reference', 'is required');
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:\d{2})?)?$/.exec(v);
  if (!m || !OFFSET.test(utcOffset)) return problem('invalid', `'${v}' is not an ISO 8601 date or date-time`);
  const [, date = '', time = '00:00', zone = utcOffset] = m;
  const d = new Date(`${date}T${time}${zone}`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== new Date(`${date}T00:00Z`).toISOString().slice(0, 10)) {
    return problem('invalid', `'${v}' is not a real date`);
  }
  return checked(d.toISOString());
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)$/;

function quantity(row: Row, column: string, o: CsvInboundOptions, min: number): number | undefined {
  const v = row.get(column);
  if (v === undefined) {
    row.fail(column, 'is required');
    return undefined;
  }
  if (!DECIMAL.test(v)) {
    row.fail(column, `'${v}' is not a number`);
    return undefined;
  }
  // Without a uom column the file speaks in eaches; with one, the units table converts.
  const uom = row.get('uom');
  const eaches = uom === undefined ? row.take(wholeEaches(Number(v)), column) : row.take(o.mapper.toEaches(Number(v), uom), 'uom');
  if (eaches !== undefined && eaches < min) row.fail(column, `must be at least ${min}`);
  return eaches;
}

const wholeEaches = (n: number): Checked<number> => (Number.isInteger(n) ? checked(n) : problem('invalid', `${n} is not a whole number of eaches`));

function required(row: Row, column: string): string | undefined {
  const v = row.get(column);
  if (v === undefined) row.fail(column, 'is required');
  return v;
}

function group(rows: readonly Row[], keyOf: (r: Row) => string | undefined): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const k = keyOf(r) ?? `row:${r.record.row}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return groups;
}

/** A value every row of a group must agree on (the shipment's carrier, time…), compared once canonical. */
function same(rows: readonly Row[], column: string, value: (r: Row) => string | undefined): string | undefined {
  const [first, ...rest] = rows.map((r) => ({ r, v: value(r) }));
  for (const { r, v } of rest) {
    if (v !== first?.v) r.fail(column, `differs from row ${first?.r.record.row ?? ''} of the same shipment`);
  }
  return first?.v;
}

function buildShipments(rows: readonly Row[], o: CsvInboundOptions): Built[] {
  const groups = group(rows, (r) => {
    const [f, s] = [required(r, 'fulfillmentId'), required(r, 'shipmentId')];
    return f !== undefined && s !== undefined ? JSON.stringify([f, s]) : undefined;
  });
  return [...groups.values()].map((members) => {
    const lines = members.map((r) => {
      const [sku, lineId] = [r.get('sku'), r.get('lineId')];
      if (sku === undefined && lineId === undefined) r.fail('sku', 'a row needs a sku or a lineId');
      const mapped = sku === undefined ? undefined : r.take(o.mapper.check('skus', sku), 'sku');
      const q = quantity(r, 'quantity', o, 1);
      const tracking = r.get('trackingNumber');
      const line: FactLine = { ...(lineId !== undefined ? { lineId } : {}), ...(mapped !== undefined ? { sku: mapped } : {}), quantity: q ?? 0 };
      return { line, tracking };
    });
    const shippedAt = same(members, 'shippedAt', (r) => r.take(isoTimestamp(r.get('shippedAt'), o.utcOffset), 'shippedAt'));
    const carrier = same(members, 'carrier', (r) => {
      const code = r.get('carrier');
      return code === undefined ? undefined : (r.take(o.mapper.check('carriers', code), 'carrier') ?? undefined);
    });
    const first = members[0];
    const built: Built = { key: String(first?.record.row ?? 0), rows: members.map((r) => r.record.row) };
    const fulfillmentId = first?.get('fulfillmentId');
    const shipmentId = first?.get('shipmentId');
    if (!fulfillmentId || !shipmentId || !shippedAt) return built;
    const trackings = [...new Set(lines.map((l) => l.tracking))];
    const single = trackings.length === 1 ? trackings[0] : undefined;
    const packaged = trackings.length > 1;
    const fact: Fact = {
      type: 'fulfillment.shipped',
      fulfillmentId,
      shipmentId,
      lines: mergeFactLines(lines.map((l) => l.line)),
      ...(carrier ? { carrier } : {}),
      ...(single ? { trackingNumber: single } : {}),
      ...(packaged
        ? { packages: trackings.map((t) => ({ ...(t ? { trackingNumber: t } : {}), lines: mergeFactLines(lines.filter((l) => l.tracking === t).map((l) => l.line)) })) }
        : {}),
      shippedAt,
    };
    built.message = fact;
    return built;
  });
}

/** Lines naming the same lineId (or SKU) are one line. */
function mergeFactLines(lines: readonly FactLine[]): FactLine[] {
  const merged = new Map<string, FactLine>();
  for (const l of lines) {
    const k = JSON.stringify([l.lineId, l.sku]);
    const before = merged.get(k);
    merged.set(k, before ? { ...before, quantity: before.quantity + l.quantity } : l);
  }
  return [...merged.values()];
}

const NODE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

function buildSnapshots(rows: readonly Row[], o: CsvInboundOptions): Built[] {
  const nodes = new Map<Row, string | undefined>(rows.map((r) => {
    const [nodeId, location] = [r.get('nodeId'), r.get('location')];
    if (nodeId !== undefined) {
      if (!NODE_ID.test(nodeId)) r.fail('nodeId', `'${nodeId}' is not a node id`);
      return [r, NODE_ID.test(nodeId) ? nodeId : undefined];
    }
    if (location === undefined) r.fail('location', 'a row needs a nodeId or a location');
    return [r, location === undefined ? undefined : r.take(o.mapper.check('locations', location), 'location')];
  }));
  const asOfs = new Map<Row, string | undefined>(rows.map((r) => [r, r.take(isoTimestamp(r.get('asOf'), o.utcOffset), 'asOf')]));
  const groups = group(rows, (r) => {
    const [n, a] = [nodes.get(r), asOfs.get(r)];
    return n !== undefined && a !== undefined ? JSON.stringify([n, a]) : undefined;
  });
  return [...groups.values()].map((members) => {
    const seen = new Map<string, number>();
    const positions = members.map((r) => {
      const native = required(r, 'sku');
      const sku = native === undefined ? undefined : r.take(o.mapper.check('skus', native), 'sku');
      const onHand = quantity(r, 'onHand', o, 0);
      const available = r.get('available') === undefined ? undefined : quantity(r, 'available', o, 0);
      if (sku !== undefined && seen.has(sku)) r.fail('sku', `${sku} is already in row ${seen.get(sku) ?? ''} of the same snapshot`);
      if (sku !== undefined) seen.set(sku, r.record.row);
      return { sku: sku ?? '', onHand: onHand ?? 0, ...(available !== undefined ? { available } : {}) };
    });
    const first = members[0];
    const built: Built = { key: String(first?.record.row ?? 0), rows: members.map((r) => r.record.row) };
    const [nodeId, asOf] = first ? [nodes.get(first), asOfs.get(first)] : [];
    if (nodeId !== undefined && asOf !== undefined) built.message = { type: 'inventory.snapshot', nodeId, asOf, positions };
    return built;
  });
}

const YES = new Set(['true', 'yes', 'y', '1', 'accepted', 'accept', 'ok']);
const NO = new Set(['false', 'no', 'n', '0', 'rejected', 'reject']);

function buildAcks(rows: readonly Row[]): Built[] {
  return rows.map((r) => {
    const built: Built = { key: String(r.record.row), rows: [r.record.row] };
    const fulfillmentId = required(r, 'fulfillmentId');
    const raw = required(r, 'accepted')?.toLowerCase();
    const accepted = raw === undefined ? undefined : YES.has(raw) ? true : NO.has(raw) ? false : undefined;
    if (raw !== undefined && accepted === undefined) r.fail('accepted', `'${raw}' is not true/false (yes/no, 1/0, accepted/rejected)`);
    const reason = r.get('reason');
    if (fulfillmentId !== undefined && accepted !== undefined) {
      built.message = { type: 'fulfillment.acknowledged', fulfillmentId, accepted, ...(reason !== undefined ? { reason } : {}) };
    }
    return built;
  });
}
