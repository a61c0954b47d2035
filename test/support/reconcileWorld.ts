import type { Store } from '../../src/store/port.js';

/** A small orders world for reconciliation tests: node dc-1 without a connector (its own target), fulfillments held open there. */
export const T0 = Date.parse('2026-11-25T12:00:00.000Z');
export const MIN = 60_000;
export const iso = (ms: number): string => new Date(ms).toISOString();
export const fid = (i: number): string => `ful_${String(i).padStart(3, '0')}-1`;

export interface Line { lineId: string; sku: string; quantity: number; shipped: number; delivered: number }

/** A fulfillment projection row as the order's fold leaves it, released an hour before T0 and acknowledged. */
export function fulfillmentRow(id: string, lines: Line[], extra: Record<string, unknown> = {}) {
  const live = lines.reduce((s, l) => s + l.quantity, 0);
  const shipped = lines.reduce((s, l) => s + l.shipped, 0);
  const status = live === 0 ? 'cancelled' : shipped === live ? 'shipped' : shipped > 0 ? 'partially_shipped' : 'acknowledged';
  return {
    id, orderId: id.replace(/^ful_/, 'ord_').replace(/-1$/, ''), nodeId: 'dc-1', status, releasedAt: iso(T0 - 60 * MIN), updatedAt: iso(T0 - 30 * MIN),
    view: { id, nodeId: 'dc-1', stage: 'acknowledged', status, lines, shipments: [], releasedAt: iso(T0 - 60 * MIN), acknowledgedAt: iso(T0 - 59 * MIN), releasedLines: lines, ...extra },
  };
}

export const openLine = (quantity = 1): Line => ({ lineId: '1', sku: 'SKU-1', quantity, shipped: 0, delivered: 0 });

/** Node dc-1 and `count` open fulfillments there, written through the port. */
export async function seedOrders(store: Store, count: number): Promise<void> {
  await store.putNode({ id: 'dc-1', doc: { id: 'dc-1', type: 'dc', status: 'open' }, updatedAt: iso(T0) });
  const rows = Array.from({ length: count }, (_, i) => fulfillmentRow(fid(i), [openLine()]));
  const [ok] = await store.commit([{ fulfillmentRows: rows }]);
  if (!ok?.ok) throw new Error('seeding failed');
}

/** What dc-1 holds for fulfillment i when it agrees with the ledger. */
export const cleanRow = (i: number) => ({ fulfillmentId: fid(i), status: 'open', lines: [{ lineId: '1', quantity: 1, shipped: 0 }] });
