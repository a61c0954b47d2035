/**
 * Facts about one order reported by systems of record (WMS, store, payment gateway), in the
 * canonical form the connectors translate into. A fact is never refused because of the order's
 * state: when it contradicts the ledger it is recorded with a ConflictDetected event.
 */
export interface FactLine {
  /** Absent when the sender only knows SKUs (X12, CSV): resolved within the fulfillment or return. */
  readonly lineId?: string;
  readonly sku?: string;
  readonly quantity: number;
}

export type OrderFact =
  | { readonly type: 'fulfillment.acknowledged'; readonly fulfillmentId: string; readonly accepted: boolean; readonly reason?: string }
  | { readonly type: 'fulfillment.progress'; readonly fulfillmentId: string; readonly stage: 'picked' | 'packed' | 'ready_for_pickup' }
  | {
      readonly type: 'fulfillment.shipped';
      readonly fulfillmentId: string;
      readonly shipmentId: string;
      readonly lines: readonly FactLine[];
      readonly carrier?: string;
      readonly trackingNumber?: string;
      readonly packages?: readonly { readonly trackingNumber?: string; readonly lines?: readonly FactLine[] }[];
      readonly shippedAt: string;
    }
  | { readonly type: 'fulfillment.delivered'; readonly fulfillmentId: string; readonly shipmentId?: string; readonly deliveredAt: string }
  | {
      readonly type: 'fulfillment.cancellation_result';
      readonly fulfillmentId: string;
      readonly outcome: 'cancelled' | 'refused';
      readonly lines?: readonly FactLine[];
      readonly reason?: string;
    }
  | {
      readonly type: 'return.received';
      readonly returnId: string;
      readonly nodeId: string;
      readonly lines: readonly (FactLine & { readonly disposition: 'restock' | 'damaged' })[];
    }
  | { readonly type: 'payment.authorized'; readonly authorizationId: string; readonly amount: number; readonly reference?: string }
  | { readonly type: 'payment.authorization_failed'; readonly reason: string; readonly reference?: string }
  | { readonly type: 'payment.captured'; readonly captureId: string; readonly amount: number; readonly reference: string }
  | { readonly type: 'payment.voided'; readonly amount: number; readonly reference: string }
  | { readonly type: 'payment.refunded'; readonly refundId: string; readonly amount: number; readonly reference: string }
  | { readonly type: 'payment.failed'; readonly operation: 'capture' | 'void' | 'refund'; readonly amount: number; readonly reference: string; readonly reason: string };

export type OrderFactType = OrderFact['type'];
