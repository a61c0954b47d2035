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
  | { readonly type: 'OrderCancelled'; readonly data: OrderCancelledData };

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
}

/** Current schema version per event type; older versions are upcast on read (see upcast.ts). */
export const EVENT_SCHEMA_VERSION: Readonly<Record<OrderEventType, number>> = {
  OrderPlaced: 1,
  PaymentAuthorized: 1,
  OrderHeld: 1,
  HoldReleased: 1,
  OrderCancelled: 1,
};
