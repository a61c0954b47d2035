import type { Bucket } from './buckets.js';
import { BUCKETS, emptyBuckets } from './buckets.js';
import type { Order } from './state.js';

/** Derived order statuses (API.md). Never stored independently of the buckets. */
export const ORDER_STATUSES = [
  'created',
  'on_hold',
  'backordered',
  'allocated',
  'partially_released',
  'released',
  'partially_shipped',
  'shipped',
  'delivered',
  'partially_returned',
  'returned',
  'partially_cancelled',
  'cancelled',
  'closed',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export function lineTotals(order: Order): Record<Bucket, number> {
  const t = emptyBuckets();
  for (const line of order.lines) for (const b of BUCKETS) t[b] += line.buckets[b];
  return t;
}

/**
 * Status from the buckets, holds and closure. Precedence: closed, cancelled, then the furthest
 * progress of the live (not cancelled) quantity; holds show while nothing has shipped; a partial
 * cancellation shows while the rest has not moved past allocation.
 */
export function deriveStatus(order: Order): OrderStatus {
  if (order.closed) return 'closed';
  const t = lineTotals(order);
  const total = order.lines.reduce((s, l) => s + l.quantity, 0);
  const live = total - t.cancelled;
  if (live === 0) return 'cancelled';
  const out = t.shipped + t.delivered + t.returned;
  if (t.returned > 0) return t.returned === live ? 'returned' : 'partially_returned';
  if (t.delivered === live) return 'delivered';
  if (out === live) return 'shipped';
  if (out > 0) return 'partially_shipped';
  if (order.holds.length > 0) return 'on_hold';
  if (t.released === live) return 'released';
  if (t.released > 0) return 'partially_released';
  if (t.cancelled > 0) return 'partially_cancelled';
  if (t.allocated === live) return 'allocated';
  if (t.backordered > 0) return 'backordered';
  return 'created';
}
