import type { BucketMove } from './buckets.js';
import type { HoldType, OrderDraft } from './model.js';

/**
 * Order events: past tense, one discriminated union. `data` is what the fold needs; quantity moves
 * are explicit so the fold is a plain application of the bucket table. Envelope fields (ids,
 * versions, times, metadata) are added by the application layer when the event is stored.
 */
export type OrderEvent =
  | { readonly type: 'OrderPlaced'; readonly data: OrderPlacedData }
  | { readonly type: 'PaymentAuthorized'; readonly data: PaymentAuthorizedData }
  | { readonly type: 'OrderHeld'; readonly data: OrderHeldData }
  | { readonly type: 'HoldReleased'; readonly data: HoldReleasedData }
  | { readonly type: 'OrderCancelled'; readonly data: OrderCancelledData }
  | { readonly type: 'OrderRouted'; readonly data: OrderRoutedData }
  | { readonly type: 'AllocationReleased'; readonly data: AllocationReleasedData };

export type OrderEventType = OrderEvent['type'];

export interface OrderPlacedData {
  readonly orderId: string;
  readonly order: OrderDraft;
}

export interface PaymentAuthorizedData {
  readonly authorizationId: string;
  readonly amount: number;
}

export interface OrderHeldData {
  readonly holdType: HoldType;
  readonly note?: string;
  readonly at: string;
}

export interface HoldReleasedData {
  readonly holdType: HoldType;
  readonly note?: string;
}

export interface OrderCancelledData {
  readonly reason: string;
  /** `order`: everything cancellable was cancelled; `lines`: the quantities asked for. */
  readonly scope: 'order' | 'lines';
  readonly moves: readonly BucketMove[];
  /** Reservations given back for cancelled allocated quantity (absent in events before routing). */
  readonly releases?: readonly ReservationRelease[];
}

export interface FulfillmentLine {
  readonly lineId: string;
  readonly sku: string;
  readonly quantity: number;
}

/** Stock held at a node for one line of one fulfillment (compensated by a ReservationRelease). */
export interface ReservationHeld {
  readonly reservationId: string;
  readonly fulfillmentId: string;
  readonly nodeId: string;
  readonly lineId: string;
  readonly sku: string;
  readonly quantity: number;
}

export interface ReservationRelease {
  readonly reservationId: string;
  readonly nodeId: string;
  readonly sku: string;
  readonly quantity: number;
}

/** A routing decision applied: fulfillments created, stock reserved, the rest backordered. */
export interface OrderRoutedData {
  readonly decisionId: string;
  readonly rulesetVersion: number;
  readonly fulfillments: readonly { readonly fulfillmentId: string; readonly nodeId: string; readonly lines: readonly FulfillmentLine[] }[];
  readonly reservations: readonly ReservationHeld[];
  readonly backorders: readonly (FulfillmentLine & { readonly reason: string })[];
  readonly moves: readonly BucketMove[];
}

/** Allocated quantity handed back (a node rejected or closed): reservations released, to be re-routed. */
export interface AllocationReleasedData {
  readonly reason: string;
  readonly nodeIds: readonly string[];
  readonly moves: readonly BucketMove[];
  readonly releases: readonly ReservationRelease[];
}

/** Current schema version per event type; older versions are upcast on read (see upcast.ts). */
export const EVENT_SCHEMA_VERSION: Readonly<Record<OrderEventType, number>> = {
  OrderPlaced: 1,
  PaymentAuthorized: 1,
  OrderHeld: 1,
  HoldReleased: 1,
  OrderCancelled: 1,
  OrderRouted: 1,
  AllocationReleased: 1,
};
