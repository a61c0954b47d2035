import { z } from 'zod';

/**
 * A warehouse's (or store's) own lifecycle of a work order, as data: which status follows which,
 * after which delay. Ship: received → acknowledged → picked → packed → shipped → delivered.
 * Pickup at a store: received → acknowledged → picked → ready_for_pickup → collected.
 */
export const WORK_STATUSES = ['received', 'acknowledged', 'picked', 'packed', 'ready_for_pickup', 'shipped', 'collected', 'delivered', 'rejected', 'cancelled'] as const;
export type WorkStatus = (typeof WORK_STATUSES)[number];

const delay = z.number().finite().min(0);
export const timingsSchema = z.strictObject({
  acknowledgeMs: delay.default(1_000),
  pickMs: delay.default(60_000),
  packMs: delay.default(30_000),
  shipMs: delay.default(60_000),
  deliverMs: delay.default(24 * 3600_000),
  readyMs: delay.default(30_000),
  collectMs: delay.default(2 * 3600_000),
  /** Between accepting a cancel and reporting its result. */
  cancelMs: delay.default(1_000),
});
export type Timings = z.output<typeof timingsSchema>;

export type Flow = 'ship' | 'pickup';

export const WORK_FLOW: Readonly<Record<Flow, Partial<Record<WorkStatus, { readonly to: WorkStatus; readonly after: keyof Timings }>>>> = {
  ship: {
    received: { to: 'acknowledged', after: 'acknowledgeMs' },
    acknowledged: { to: 'picked', after: 'pickMs' },
    picked: { to: 'packed', after: 'packMs' },
    packed: { to: 'shipped', after: 'shipMs' },
    shipped: { to: 'delivered', after: 'deliverMs' },
  },
  pickup: {
    received: { to: 'acknowledged', after: 'acknowledgeMs' },
    acknowledged: { to: 'picked', after: 'pickMs' },
    picked: { to: 'ready_for_pickup', after: 'readyMs' },
    ready_for_pickup: { to: 'collected', after: 'collectMs' },
  },
};

/** Statuses in which stock is set aside for the work order. */
export const HOLDS_STOCK: ReadonlySet<WorkStatus> = new Set(['acknowledged', 'picked', 'packed', 'ready_for_pickup']);
/** Statuses past which a cancel comes too late. */
export const GONE: ReadonlySet<WorkStatus> = new Set(['shipped', 'collected', 'delivered']);
export const CLOSED: ReadonlySet<WorkStatus> = new Set(['rejected', 'cancelled']);

export const CARRIERS: Readonly<Record<string, string>> = { standard: 'UPS', expedited: 'FedEx', overnight: 'FedEx', same_day: 'Courier' };

/** The status a reconciliation row reports (docs/api.md: open | shipped | cancelled). */
export function reconciliationStatus(status: WorkStatus): 'open' | 'shipped' | 'cancelled' {
  return GONE.has(status) ? 'shipped' : CLOSED.has(status) ? 'cancelled' : 'open';
}
