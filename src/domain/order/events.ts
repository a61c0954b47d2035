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
  | { readonly type: 'AllocationReleased'; readonly data: AllocationReleasedData }
  | { readonly type: 'FulfillmentReleased'; readonly data: FulfillmentReleasedData }
  | { readonly type: 'FulfillmentAcknowledged'; readonly data: FulfillmentAcknowledgedData }
  | { readonly type: 'FulfillmentRejected'; readonly data: FulfillmentRejectedData }
  | { readonly type: 'FulfillmentProgressed'; readonly data: FulfillmentProgressedData }
  | { readonly type: 'ShipmentConfirmed'; readonly data: ShipmentConfirmedData }
  | { readonly type: 'DeliveryConfirmed'; readonly data: DeliveryConfirmedData }
  | { readonly type: 'DeliveryHeld'; readonly data: DeliveryHeldData }
  | { readonly type: 'CancellationRequested'; readonly data: CancellationRequestedData }
  | { readonly type: 'FulfillmentCancelled'; readonly data: FulfillmentCancelledData }
  | { readonly type: 'CancellationRefused'; readonly data: CancellationRefusedData }
  | { readonly type: 'PaymentRequested'; readonly data: PaymentRequestedData }
  | { readonly type: 'PaymentAuthorizationFailed'; readonly data: PaymentAuthorizationFailedData }
  | { readonly type: 'PaymentCaptured'; readonly data: PaymentCapturedData }
  | { readonly type: 'PaymentVoided'; readonly data: PaymentVoidedData }
  | { readonly type: 'RefundIssued'; readonly data: RefundIssuedData }
  | { readonly type: 'PaymentOperationFailed'; readonly data: PaymentOperationFailedData }
  | { readonly type: 'PaymentFailuresCleared'; readonly data: PaymentFailuresClearedData }
  | { readonly type: 'ExternalShipmentAccepted'; readonly data: ExternalShipmentAcceptedData }
  | { readonly type: 'ReturnAuthorized'; readonly data: ReturnAuthorizedData }
  | { readonly type: 'ReturnReceived'; readonly data: ReturnReceivedData }
  | { readonly type: 'ConflictDetected'; readonly data: ConflictDetectedData }
  | { readonly type: 'ExceptionRaised'; readonly data: ExceptionRaisedData }
  | { readonly type: 'OrderClosed'; readonly data: OrderClosedData };

export type OrderEventType = OrderEvent['type'];

export interface OrderPlacedData {
  readonly orderId: string;
  readonly order: OrderDraft;
  /**
   * `gateway`: Orderly drives the payment connector (authorize, capture per shipment, void,
   * refund); `channel` (the default, and every event written before payments existed): the
   * channel settles payment itself and Orderly only records what it is told.
   */
  readonly payments?: PaymentMode;
}

export type PaymentMode = 'gateway' | 'channel';

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

/** A fulfillment handed to its node (its connector gets a `fulfillment.release` message). */
export interface FulfillmentReleasedData {
  readonly fulfillmentId: string;
  readonly nodeId: string;
  readonly moves: readonly BucketMove[];
  readonly at: string;
}

export interface FulfillmentAcknowledgedData {
  readonly fulfillmentId: string;
  readonly at: string;
}

/** The node refused the fulfillment: its units go back to `unallocated` to be routed elsewhere. */
export interface FulfillmentRejectedData {
  readonly fulfillmentId: string;
  readonly nodeId: string;
  readonly reason: string;
  /** Orderly withdrew it (the node did not answer in time): the node is told to cancel it. */
  readonly withdrawn?: boolean;
  readonly moves: readonly BucketMove[];
  readonly releases: readonly ReservationRelease[];
  /** When the ledger recorded it (absent in events written before reconciliation needed it). */
  readonly at?: string;
}

export const FULFILLMENT_STAGES = ['picked', 'packed', 'ready_for_pickup'] as const;
export type FulfillmentStage = (typeof FULFILLMENT_STAGES)[number];

export interface FulfillmentProgressedData {
  readonly fulfillmentId: string;
  readonly stage: FulfillmentStage;
  readonly at: string;
}

/** Reserved units that left the building: the node's reserved and on-hand both go down. */
export interface ReservationCommit {
  readonly reservationId: string;
  readonly nodeId: string;
  readonly sku: string;
  readonly quantity: number;
}

export interface ShipmentLine {
  readonly lineId: string;
  readonly sku: string;
  readonly quantity: number;
}

export interface ShipmentConfirmedData {
  readonly fulfillmentId: string;
  readonly nodeId: string;
  readonly shipmentId: string;
  readonly lines: readonly ShipmentLine[];
  readonly carrier?: string;
  readonly trackingNumber?: string;
  readonly packages?: readonly { readonly trackingNumber?: string; readonly lines?: readonly { readonly lineId: string; readonly quantity: number }[] }[];
  readonly shippedAt: string;
  readonly moves: readonly BucketMove[];
  readonly commits: readonly ReservationCommit[];
}

export interface DeliveryConfirmedData {
  readonly fulfillmentId: string;
  readonly shipmentId: string;
  readonly deliveredAt: string;
  readonly moves: readonly BucketMove[];
}

/** A delivery reported before the shipment it names (facts overtake each other): kept until the shipment arrives. */
export interface DeliveryHeldData {
  readonly fulfillmentId: string;
  readonly shipmentId: string;
  readonly deliveredAt: string;
}

/**
 * A released fulfillment (or part of it) should be cancelled. `node`: the node was asked and its
 * answer is awaited; `manual`: the node cannot cancel, a human must (an exception is raised).
 */
export interface CancellationRequestedData {
  readonly fulfillmentId: string;
  readonly nodeId: string;
  readonly lines: readonly ShipmentLine[];
  readonly reason: string;
  readonly mode: 'node' | 'manual';
  readonly at: string;
  readonly exceptionId?: string;
}

/** The node cancelled: reservations released, units cancelled. */
export interface FulfillmentCancelledData {
  readonly fulfillmentId: string;
  readonly nodeId: string;
  readonly lines: readonly ShipmentLine[];
  readonly reason: string;
  readonly moves: readonly BucketMove[];
  readonly releases: readonly ReservationRelease[];
  /** When the ledger recorded the node's result (absent in events written before reconciliation needed it). */
  readonly at?: string;
}

/** The node could not cancel (typically: already shipped); the units stay with the node. */
export interface CancellationRefusedData {
  readonly fulfillmentId: string;
  readonly nodeId: string;
  readonly reason: string;
}

export const PAYMENT_OPERATIONS = ['authorize', 'capture', 'void', 'refund'] as const;
export type PaymentOperation = (typeof PAYMENT_OPERATIONS)[number];

/** An operation asked of the payment connector (an outbox message); its result arrives as a fact. */
export interface PaymentRequestedData {
  readonly operation: PaymentOperation;
  readonly amount: number;
  /** Unique per order and operation; the outbound idempotency key derives from it. */
  readonly reference: string;
  readonly authorizationId?: string;
}

export interface PaymentAuthorizationFailedData {
  readonly reason: string;
  readonly reference?: string;
}

export interface PaymentCapturedData {
  readonly captureId: string;
  readonly amount: number;
  readonly reference: string;
}

export interface PaymentVoidedData {
  readonly amount: number;
  readonly reference: string;
}

export interface RefundIssuedData {
  readonly refundId: string;
  readonly amount: number;
  readonly reference: string;
}

/** A capture, void or refund the gateway declined: the pending amount is given up, a human decides. */
export interface PaymentOperationFailedData {
  readonly operation: Exclude<PaymentOperation, 'authorize'>;
  readonly amount: number;
  readonly reference: string;
  readonly reason: string;
  readonly exceptionId: string;
}

/** An operator asked to try declined payment operations again: the amounts are owed anew and asked of the gateway. */
export interface PaymentFailuresClearedData {
  readonly capture: number;
  readonly void: number;
  readonly refund: number;
  readonly note?: string;
}

/**
 * An operator adopted the node's truth for a shipment of units that had been cancelled (a
 * `shipment_after_cancel` conflict): the customer has them, so they move from cancelled to
 * shipped, and the node's on-hand goes down (their reservation was already released).
 */
export interface ExternalShipmentAcceptedData {
  readonly exceptionId: string;
  readonly fulfillmentId: string;
  readonly nodeId: string;
  readonly shipmentId: string;
  readonly lines: readonly ShipmentLine[];
  readonly shippedAt: string;
  readonly moves: readonly BucketMove[];
  readonly note?: string;
}

export interface ReturnAuthorizedData {
  readonly returnId: string;
  readonly lines: readonly ShipmentLine[];
  readonly reason: string;
  readonly at: string;
  /** The new order an exchange ships, placed beside the return. */
  readonly exchangeOrderId?: string;
}

export interface ReturnReceivedData {
  readonly returnId: string;
  readonly nodeId: string;
  readonly lines: readonly (ShipmentLine & { readonly disposition: 'restock' | 'damaged' })[];
  readonly moves: readonly BucketMove[];
  /** Restocked units: on-hand at the receiving node goes up. */
  readonly restock: readonly { readonly nodeId: string; readonly sku: string; readonly quantity: number }[];
  readonly at: string;
}

export const CONFLICT_KINDS = [
  'shipment_after_cancel',
  'over_shipment',
  'unknown_shipment',
  'unknown_line',
  'activity_after_cancel',
  'unexpected_cancellation_result',
  'return_over_receipt',
  'payment_unexpected',
  'shipment_changed',
] as const;
export type ConflictKind = (typeof CONFLICT_KINDS)[number];

/**
 * A fact that contradicts the ledger (DESIGN §2.2): recorded whole — never dropped, never applied
 * twice — with the exception a human will work and the compensation suggested.
 */
export interface ConflictDetectedData {
  readonly kind: ConflictKind;
  readonly detail: string;
  readonly fulfillmentId?: string;
  /** The fact as received (canonical form). */
  readonly fact: unknown;
  /** What of the fact could be applied was applied by the events beside this one. */
  readonly applied: boolean;
  readonly exceptionId: string;
  readonly suggestedActions: readonly string[];
}

/** An exception about this order that is not a conflicting fact (SLA breach, cancellation needing a human, …). */
export interface ExceptionRaisedData {
  readonly exceptionId: string;
  readonly type: string;
  readonly reason: string;
  readonly fulfillmentId?: string;
}

export interface OrderClosedData {
  readonly at: string;
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
  FulfillmentReleased: 1,
  FulfillmentAcknowledged: 1,
  FulfillmentRejected: 1,
  FulfillmentProgressed: 1,
  ShipmentConfirmed: 1,
  DeliveryConfirmed: 1,
  DeliveryHeld: 1,
  CancellationRequested: 1,
  FulfillmentCancelled: 1,
  CancellationRefused: 1,
  PaymentRequested: 1,
  PaymentAuthorizationFailed: 1,
  PaymentCaptured: 1,
  PaymentVoided: 1,
  RefundIssued: 1,
  PaymentOperationFailed: 1,
  PaymentFailuresCleared: 1,
  ExternalShipmentAccepted: 1,
  ReturnAuthorized: 1,
  ReturnReceived: 1,
  ConflictDetected: 1,
  ExceptionRaised: 1,
  OrderClosed: 1,
};
