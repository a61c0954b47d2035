import type { InventoryTargetRow, OrdersTargetRow, PaymentsTargetRow, ReconcileKind } from '../../reconcile/index.js';
import { RECONCILE_KINDS, positionKey } from '../../reconcile/index.js';
import { MAX_MINOR_AMOUNT, isCurrencyCode } from '../../domain/money.js';
import type { FieldError } from '../../domain/result.js';

/**
 * What a target says it holds (API.md "Exceptions and reconciliation"), checked row by row before
 * anything is written: every problem names its row and field (`rows[3].lines[0].shipped`).
 * Hand-written rather than a zod schema per row: a million rows go through here.
 */
export type TargetRow = OrdersTargetRow | InventoryTargetRow | PaymentsTargetRow;

export interface SnapshotHeaderInput {
  readonly target: string;
  readonly kind: ReconcileKind;
  readonly asOf: string;
  readonly scope: 'all' | 'open_only';
}

/** A snapshot that cannot be taken: nothing was written. */
export class SnapshotError extends Error {
  constructor(
    message: string,
    readonly errors: readonly FieldError[],
  ) {
    super(message);
    this.name = 'SnapshotError';
  }
}

/** Errors kept per snapshot: enough to fix a file, without building a response as big as the file. */
export const MAX_ERRORS = 100;
const MAX_LINES = 500;
const MAX_QUANTITY = 1_000_000_000;
const ID = /^[\x21-\x7e\u00a0-\uffff][\x20-\x7e\u00a0-\uffff]{0,127}$/u;
export const TARGET_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** The key a row is sorted and joined by (compareKeys order). */
export function rowKey(kind: ReconcileKind, row: TargetRow): string {
  switch (kind) {
    case 'orders':
      return (row as OrdersTargetRow).fulfillmentId;
    case 'inventory':
      return positionKey((row as InventoryTargetRow).nodeId, (row as InventoryTargetRow).sku);
    case 'payments':
      return (row as PaymentsTargetRow).orderId;
  }
}

export const isIsoTime = (v: unknown): v is string => typeof v === 'string' && ISO.test(v) && !Number.isNaN(Date.parse(v));

/** The header of a snapshot (target, kind, asOf, scope), or the problems with it. */
export function checkHeader(input: { target?: unknown; kind?: unknown; asOf?: unknown; scope?: unknown }, now: string): { ok: true; header: SnapshotHeaderInput } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  if (typeof input.target !== 'string' || !TARGET_ID.test(input.target)) errors.push({ path: 'target', message: 'a connector or system id: letters, digits, . _ : - (1–128)' });
  if (typeof input.kind !== 'string' || !(RECONCILE_KINDS as readonly string[]).includes(input.kind)) errors.push({ path: 'kind', message: `one of ${RECONCILE_KINDS.join(', ')}` });
  if (!isIsoTime(input.asOf)) errors.push({ path: 'asOf', message: 'an RFC 3339 date-time with an offset, e.g. 2026-11-25T10:00:00Z' });
  // The target's clock may run a little ahead of ours; a snapshot from the future is a mistake.
  else if (Date.parse(input.asOf) > Date.parse(now) + 5 * 60_000) errors.push({ path: 'asOf', message: `is in the future (now is ${now})` });
  if (input.scope !== undefined && input.scope !== 'all' && input.scope !== 'open_only') errors.push({ path: 'scope', message: 'all or open_only' });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, header: { target: input.target as string, kind: input.kind as ReconcileKind, asOf: new Date(Date.parse(input.asOf as string)).toISOString(), scope: (input.scope as 'all' | 'open_only' | undefined) ?? 'all' } };
}

/** Collects a row's problems under its path. */
class Problems {
  readonly list: FieldError[] = [];
  constructor(private readonly base: string) {}
  add(field: string, message: string): void {
    this.list.push({ path: field === '' ? this.base : `${this.base}.${field}`, message });
  }
  id(obj: Record<string, unknown>, field: string): string {
    const v = obj[field];
    if (typeof v !== 'string' || !ID.test(v)) this.add(field, v === undefined ? 'required' : 'a string of 1–128 printable characters');
    return v as string;
  }
  count(obj: Record<string, unknown>, field: string, max: number): number {
    const v = obj[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) this.add(field, v === undefined ? 'required' : `a whole number from 0 to ${max}`);
    return v as number;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks one row of `kind` at `path` (e.g. `rows[3]`): the row to keep (known fields only) or its
 * problems.
 */
export function checkRow(kind: ReconcileKind, input: unknown, path: string): { ok: true; row: TargetRow } | { ok: false; errors: FieldError[] } {
  const p = new Problems(path);
  if (!isObject(input)) return { ok: false, errors: [{ path, message: 'must be an object' }] };
  let row: TargetRow;
  switch (kind) {
    case 'orders': {
      const fulfillmentId = p.id(input, 'fulfillmentId');
      const status = input.status;
      if (status !== 'open' && status !== 'shipped' && status !== 'cancelled') p.add('status', 'one of open, shipped, cancelled');
      const lines: { lineId: string; quantity: number; shipped: number }[] = [];
      if (!Array.isArray(input.lines) || input.lines.length > MAX_LINES) p.add('lines', `an array of at most ${MAX_LINES} lines`);
      else {
        const seen = new Set<string>();
        input.lines.forEach((l: unknown, i) => {
          const lp = new Problems(`${path}.lines[${i}]`);
          if (!isObject(l)) return p.add(`lines[${i}]`, 'must be an object');
          const lineId = lp.id(l, 'lineId');
          const quantity = lp.count(l, 'quantity', MAX_QUANTITY);
          const shipped = lp.count(l, 'shipped', MAX_QUANTITY);
          if (typeof lineId === 'string' && seen.has(lineId)) lp.add('lineId', `duplicate lineId ${lineId}`);
          seen.add(lineId);
          p.list.push(...lp.list);
          lines.push({ lineId, quantity, shipped });
        });
      }
      row = { fulfillmentId, status: status as OrdersTargetRow['status'], lines };
      break;
    }
    case 'inventory': {
      const nodeId = p.id(input, 'nodeId');
      const sku = p.id(input, 'sku');
      const onHand = p.count(input, 'onHand', MAX_QUANTITY);
      if (input.asOf !== undefined && !isIsoTime(input.asOf)) p.add('asOf', 'an RFC 3339 date-time with an offset');
      row = { nodeId, sku, onHand, ...(typeof input.asOf === 'string' ? { asOf: new Date(Date.parse(input.asOf)).toISOString() } : {}) };
      break;
    }
    case 'payments': {
      const orderId = p.id(input, 'orderId');
      const authorized = p.count(input, 'authorized', MAX_MINOR_AMOUNT);
      const captured = p.count(input, 'captured', MAX_MINOR_AMOUNT);
      const refunded = p.count(input, 'refunded', MAX_MINOR_AMOUNT);
      if (input.currency !== undefined && (typeof input.currency !== 'string' || !isCurrencyCode(input.currency))) p.add('currency', 'an ISO 4217 code such as USD');
      row = { orderId, authorized, captured, refunded, ...(typeof input.currency === 'string' ? { currency: input.currency } : {}) };
      break;
    }
  }
  return p.list.length > 0 ? { ok: false, errors: p.list } : { ok: true, row };
}
