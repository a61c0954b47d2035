import type { FulfillmentStage } from './events.js';

/**
 * A fulfillment: one shipment group at one node (DESIGN §3). Its `stage` is how far the node has
 * taken it; its `status` is derived from the stage and the line quantities (never stored apart
 * from them) and recomputed by `withStatus` whenever the fold touches it.
 */
export const FULFILLMENT_STATUSES = [
  'allocated',
  'released',
  'acknowledged',
  'picked',
  'packed',
  'ready_for_pickup',
  'partially_shipped',
  'shipped',
  'delivered',
  'cancel_requested',
  'cancelled',
  'rejected',
] as const;
export type FulfillmentStatus = (typeof FULFILLMENT_STATUSES)[number];

export interface FulfillmentLineState {
  readonly lineId: string;
  readonly sku: string;
  /** Units this node holds for the line: assigned, minus what was cancelled or handed back. */
  readonly quantity: number;
  readonly shipped: number;
  readonly delivered: number;
}

export interface Shipment {
  readonly shipmentId: string;
  readonly lines: readonly { readonly lineId: string; readonly quantity: number }[];
  readonly carrier?: string;
  readonly trackingNumber?: string;
  readonly shippedAt: string;
  readonly deliveredAt?: string;
}

export interface Fulfillment {
  readonly id: string;
  readonly nodeId: string;
  readonly stage: 'allocated' | 'released' | 'acknowledged' | FulfillmentStage;
  readonly status: FulfillmentStatus;
  readonly lines: readonly FulfillmentLineState[];
  readonly shipments: readonly Shipment[];
  readonly releasedAt?: string;
  readonly acknowledgedAt?: string;
  readonly readyAt?: string;
  /** Why the node rejected it (its units went back to be routed again). */
  readonly rejected?: string;
  readonly cancelRequest?: {
    readonly lines: readonly { readonly lineId: string; readonly quantity: number }[];
    readonly reason: string;
    readonly requestedAt: string;
    readonly mode: 'node' | 'manual';
  };
  /**
   * What reconciliation compares against a node's own listing (docs/reconciliation.md): the lines
   * as released (before any cancellation at the node), the cancellations the node confirmed, and
   * when a rejection or withdrawal was recorded. Absent on fulfillments from before they were kept.
   */
  readonly releasedLines?: readonly FulfillmentLineState[];
  readonly cancellations?: readonly { readonly at?: string; readonly lines: readonly { readonly lineId: string; readonly quantity: number }[] }[];
  readonly rejectedAt?: string;
  /** Deliveries reported before the shipment they name: applied when it arrives. */
  readonly heldDeliveries?: readonly { readonly shipmentId: string; readonly deliveredAt: string }[];
  /** Orderly took it back (re-route) rather than the node refusing it; the node was told to cancel. */
  readonly withdrawn?: boolean;
}

export interface OrderReturn {
  readonly returnId: string;
  readonly reason: string;
  readonly authorizedAt: string;
  readonly lines: readonly { readonly lineId: string; readonly sku: string; readonly quantity: number; readonly received: number }[];
  readonly nodeId?: string;
  readonly receivedAt?: string;
  readonly exchangeOrderId?: string;
}

type Unstatused = Omit<Fulfillment, 'status'> & { readonly status?: FulfillmentStatus };

/** The fulfillment with its status derived from stage, quantities and any pending cancellation. */
export function withStatus(f: Unstatused): Fulfillment {
  return { ...f, status: fulfillmentStatus(f) };
}

export function fulfillmentStatus(f: Unstatused): FulfillmentStatus {
  if (f.rejected !== undefined) return 'rejected';
  const live = f.lines.reduce((s, l) => s + l.quantity, 0);
  if (live === 0) return 'cancelled';
  const shipped = f.lines.reduce((s, l) => s + l.shipped, 0);
  const delivered = f.lines.reduce((s, l) => s + l.delivered, 0);
  if (delivered === live) return 'delivered';
  if (shipped === live) return 'shipped';
  if (f.cancelRequest) return 'cancel_requested';
  if (shipped > 0) return 'partially_shipped';
  return f.stage;
}

/** Units of a line still at the node, released and not shipped: what a cancellation could take. */
export const openQuantity = (l: FulfillmentLineState): number => l.quantity - l.shipped;

/** Whether a node still holds work for this fulfillment (released and something left to ship). */
export const isOpenAtNode = (f: Fulfillment): boolean =>
  f.stage !== 'allocated' && f.rejected === undefined && f.lines.some((l) => openQuantity(l) > 0);

/** The order id a fulfillment, reservation, shipment or return id derives from (`ful_<base>-2` → `ord_<base>`). */
export function orderIdOf(id: string): string | undefined {
  const m = /^(?:ful|rsv|ret)_(.+)-\d+(?:-\d+)?$/.exec(id);
  return m ? `ord_${m[1]}` : undefined;
}
