// The benchmark's world, the same for every process of one run: fulfillment i (its projection
// row, its release message, and what the WMS holds for it at asOf, with ~0.1% seeded drift), and
// position i (the ledger's count and the 846's). Stateless per index, so the seeder, the measured
// run and the checker each generate exactly what they need, in any order, holding nothing.
import type { InventoryTargetRow, OrdersTargetRow } from '../../src/reconcile/index.js';

export const AS_OF_MS = Date.parse('2026-11-25T12:00:00.000Z');
export const AS_OF = new Date(AS_OF_MS).toISOString();
/** 90 minutes after asOf: past the inbound grace, so a seeded target-ahead difference is a drift. */
export const NOW = new Date(AS_OF_MS + 90 * 60_000).toISOString();
export const NODES = 40;
const TIMES = Array.from({ length: 4100 }, (_, m) => new Date(AS_OF_MS + (m - 4000) * 60_000).toISOString());
const at = (minutes: number): string => TIMES[minutes + 4000]!;

/** A stateless integer hash in [0, 1). */
export function rnd(i: number, salt: number): number {
  let x = (Math.imul(i, 0x9e3779b1) + Math.imul(salt, 0x85ebca6b)) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return (x >>> 0) / 4294967296;
}

export const fid = (i: number): string => `ful_${String(i).padStart(8, '0')}`;
export const nodeOf = (i: number): string => `dc-${String(i % NODES).padStart(2, '0')}`;

export interface SeededFulfillment {
  readonly id: string;
  readonly orderId: string;
  readonly nodeId: string;
  readonly status: string;
  readonly releasedAt: string;
  readonly updatedAt: string;
  readonly view: unknown;
  /** The release message's send and delivery (absent: still in the outbox). */
  readonly release: { readonly firstAttemptAt: string | null; readonly dispatchedAt: string | null };
  /** What the WMS holds for it at asOf (undefined: it never got it). */
  readonly row: OrdersTargetRow | undefined;
}

/**
 * Fulfillment i: released long before asOf, acknowledged, then (by a draw) shipped whole or in
 * part, cancelled by the node, shipped after asOf, or still in the outbox (3%).
 */
export function fulfillment(i: number): SeededFulfillment {
  const n = 1 + Math.floor(rnd(i, 1) * 3);
  const sent = -60 - Math.floor(rnd(i, 2) * 3000);
  const kind = rnd(i, 3);
  const id = fid(i);
  const inFlight = kind >= 0.97;
  const fact = inFlight ? 'none' : kind < 0.2 ? 'ship' : kind < 0.3 ? 'half' : kind < 0.37 ? 'cancel' : kind < 0.41 ? 'later' : 'none';
  const released: { lineId: string; sku: string; quantity: number; shipped: number; delivered: number }[] = [];
  const current: { lineId: string; sku: string; quantity: number; shipped: number; delivered: number }[] = [];
  const moved: { lineId: string; quantity: number }[] = [];
  const rowLines: OrdersTargetRow['lines'][number][] = [];
  for (let j = 0; j < n; j++) {
    const lineId = `${j + 1}`;
    const quantity = 1 + Math.floor(rnd(i, 20 + j) * 4);
    const sku = `SKU-${Math.floor(rnd(i, 10 + j) * 5000)}`;
    released.push({ lineId, sku, quantity, shipped: 0, delivered: 0 });
    const units = fact === 'none' ? 0 : fact === 'half' ? quantity >> 1 : quantity;
    if (units > 0) moved.push({ lineId, quantity: units });
    if (fact === 'cancel') {
      if (quantity - units > 0) current.push({ lineId, sku, quantity: quantity - units, shipped: 0, delivered: 0 });
    } else current.push({ lineId, sku, quantity, shipped: units, delivered: 0 });
    const before = fact !== 'later' ? units : 0;
    rowLines.push({ lineId, quantity: fact === 'cancel' ? quantity - before : quantity, shipped: fact === 'cancel' ? 0 : before });
  }
  const shippedAt = fact === 'later' ? at(30) : at(sent + 30);
  const shipments = fact === 'ship' || fact === 'half' || fact === 'later' ? [{ shipmentId: `S-${i}`, lines: moved, shippedAt }] : [];
  const cancellations = fact === 'cancel' ? [{ at: at(sent + 20), lines: moved }] : [];
  const live = current.reduce((s, l) => s + l.quantity, 0);
  const shippedUnits = current.reduce((s, l) => s + l.shipped, 0);
  const status = live === 0 ? 'cancelled' : shippedUnits === live ? 'shipped' : shippedUnits > 0 ? 'partially_shipped' : 'acknowledged';
  const releasedAt = at(sent - 1);
  const view = {
    id, orderId: `ord_${i}`, nodeId: nodeOf(i), stage: 'acknowledged', status, lines: current, shipments, releasedAt,
    ...(inFlight ? {} : { acknowledgedAt: at(sent + 2) }), releasedLines: released, ...(cancellations.length ? { cancellations } : {}),
  };
  let held = false;
  let allShipped = true;
  for (const l of rowLines) {
    if (l.quantity > 0) held = true;
    if (l.shipped < l.quantity) allShipped = false;
  }
  const row: OrdersTargetRow | undefined = inFlight ? undefined : { fulfillmentId: id, status: !held ? 'cancelled' : allShipped ? 'shipped' : 'open', lines: rowLines };
  return {
    id, orderId: `ord_${i}`, nodeId: nodeOf(i), status, releasedAt, updatedAt: fact === 'later' ? at(32) : at(sent + 32), view,
    release: inFlight ? { firstAttemptAt: null, dispatchedAt: null } : { firstAttemptAt: at(sent), dispatchedAt: at(sent + 1) },
    row,
  };
}

type OrderMutation = 'drop' | 'foreign' | 'duplicate' | 'status' | 'shipped';
export const ORDER_CLASS: Record<OrderMutation, string> = { drop: 'missing_in_target', foreign: 'missing_in_ledger', duplicate: 'duplicate_in_target', status: 'status_mismatch', shipped: 'quantity_mismatch' };

export function orderMutation(i: number, drift: number, row: OrdersTargetRow | undefined): OrderMutation | undefined {
  if (rnd(i, 4) >= drift) return undefined;
  const m = (['drop', 'foreign', 'duplicate', 'status', 'shipped'] as const)[Math.floor(rnd(i, 5) * 5)]!;
  return row === undefined && m !== 'foreign' ? undefined : m;
}

/** The WMS's rows for fulfillment i, seeded drift applied. */
export function orderSnapshotRows(i: number, drift: number, out: OrdersTargetRow[]): void {
  const { row } = fulfillment(i);
  const m = orderMutation(i, drift, row);
  const foreign: OrdersTargetRow = { fulfillmentId: `${fid(i)}x`, status: 'open', lines: [{ lineId: '1', quantity: 1, shipped: 0 }] };
  if (row === undefined) {
    if (m === 'foreign') out.push(foreign);
    return;
  }
  switch (m) {
    case undefined:
      out.push(row);
      return;
    case 'drop':
      return;
    case 'foreign':
      out.push(row, foreign);
      return;
    case 'duplicate':
      out.push(row, row);
      return;
    case 'status':
      out.push({ ...row, status: row.status === 'open' ? 'cancelled' : 'open' });
      return;
    case 'shipped':
      out.push({ ...row, lines: row.lines.map((l, j) => (j === 0 ? { ...l, shipped: l.shipped + 1 } : l)) });
  }
}

// ---- inventory: 50 nodes × 2,000 SKUs ----------------------------------------------------------

export const SKUS_PER_NODE = 2000;
export const posNode = (i: number): string => `inv-${String(Math.floor(i / SKUS_PER_NODE)).padStart(3, '0')}`;
export const posSku = (i: number): string => `SKU-${String(i % SKUS_PER_NODE).padStart(5, '0')}`;
export const onHandOf = (i: number): number => 20 + Math.floor(rnd(i, 30) * 480);

type PositionMutation = 'count' | 'drop' | 'foreign' | 'duplicate';
export const POSITION_CLASS: Record<PositionMutation, string> = { count: 'inventory_drift', drop: 'missing_in_target', foreign: 'missing_in_ledger', duplicate: 'duplicate_in_target' };

export function positionMutation(i: number, drift: number): PositionMutation | undefined {
  if (rnd(i, 33) >= drift) return undefined;
  return (['count', 'drop', 'foreign', 'duplicate'] as const)[Math.floor(rnd(i, 34) * 4)];
}

export function inventorySnapshotRows(i: number, drift: number, out: InventoryTargetRow[]): void {
  const r: InventoryTargetRow = { nodeId: posNode(i), sku: posSku(i), onHand: onHandOf(i) };
  switch (positionMutation(i, drift)) {
    case undefined:
      out.push(r);
      return;
    case 'count':
      out.push({ ...r, onHand: r.onHand - 50 < 0 ? r.onHand + 50 : r.onHand - 50 });
      return;
    case 'drop':
      return;
    case 'foreign':
      out.push(r, { nodeId: posNode(i), sku: `${posSku(i)}x`, onHand: 7 });
      return;
    case 'duplicate':
      out.push(r, r);
  }
}

/** A cheap permutation of 0…n−1 (a stride coprime with n): snapshots arrive in no particular order. */
export function scrambled(n: number): (k: number) => number {
  let stride = 7_919;
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  while (gcd(stride, n) !== 1) stride += 2;
  return (k) => (k * stride) % n;
}

export function seededCounts<K extends string>(n: number, mutation: (i: number) => K | undefined, classOf: Record<K, string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const m = mutation(i);
    if (m !== undefined) out[classOf[m]] = (out[classOf[m]] ?? 0) + 1;
  }
  return out;
}
