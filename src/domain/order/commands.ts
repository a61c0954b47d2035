import type { FactLine, OrderFact } from './facts.js';
import type { PaymentMode } from './events.js';
import type { HoldType, OrderDraft } from './model.js';

/** A routing decision as the decider needs it: where each unit goes, and what is backordered. */
export interface RouteDecisionInput {
  readonly decisionId: string;
  readonly rulesetVersion: number;
  readonly assignments: readonly { readonly nodeId: string; readonly lines: readonly { readonly lineId: string; readonly sku: string; readonly quantity: number }[] }[];
  readonly backorders: readonly { readonly lineId: string; readonly sku: string; readonly quantity: number; readonly reason: string }[];
}

/** What a node can be asked to do after release (its capabilities and its connector's). */
export interface NodeCancelCapability {
  readonly cancel: boolean;
  readonly partialCancel: boolean;
}

/** Commands are imperative intents; the clock, generated ids and looked-up facts travel inside them. */
export type OrderCommand =
  | { readonly type: 'PlaceOrder'; readonly orderId: string; readonly order: OrderDraft; readonly payments?: PaymentMode; readonly now: string }
  | {
      readonly type: 'RecordPaymentAuthorization';
      readonly authorizationId: string;
      readonly amount: number;
      readonly now: string;
    }
  | { readonly type: 'HoldOrder'; readonly holdType: HoldType; readonly note?: string; readonly now: string }
  | { readonly type: 'ReleaseHold'; readonly holdType: HoldType; readonly note?: string; readonly now: string }
  | {
      readonly type: 'CancelOrder';
      readonly reason: string;
      readonly lines?: readonly { readonly lineId: string; readonly quantity: number }[];
      /** Per node: whether it can cancel what was released to it. Absent node: it cannot. */
      readonly nodes?: Readonly<Record<string, NodeCancelCapability>>;
      /** Base of the ids of exceptions raised for released units no node can cancel. */
      readonly exceptionId?: string;
      readonly now: string;
    }
  | { readonly type: 'RouteOrder'; readonly decision: RouteDecisionInput; readonly now: string }
  | { readonly type: 'ReleaseAllocation'; readonly nodeIds?: readonly string[]; readonly reason: string; readonly now: string }
  | {
      /** Hands allocated fulfillments to their nodes (all of them, or those named). */
      readonly type: 'ReleaseFulfillments';
      readonly fulfillmentIds?: readonly string[];
      readonly now: string;
    }
  | {
      /** A fact reported by a system of record: never refused for the order's state (DESIGN §2.2). */
      readonly type: 'RecordFact';
      readonly fact: OrderFact;
      /** Used when the fact contradicts the ledger: the exception raised for it. */
      readonly exceptionId: string;
      readonly now: string;
    }
  | {
      /** The return's id derives from the order's (`ret_<order>-<n>`). */
      readonly type: 'AuthorizeReturn';
      readonly lines: readonly FactLine[];
      readonly reason: string;
      readonly exchangeOrderId?: string;
      readonly now: string;
    }
  | {
      readonly type: 'RaiseException';
      readonly exceptionId: string;
      readonly exceptionType: string;
      readonly reason: string;
      readonly fulfillmentId?: string;
      readonly now: string;
    }
  | {
      /** Takes back a released fulfillment the node has not acknowledged in time, to route it elsewhere. */
      readonly type: 'WithdrawFulfillment';
      readonly fulfillmentId: string;
      readonly reason: string;
      readonly now: string;
    }
  | { readonly type: 'SettlePayments'; readonly now: string }
  | {
      /** Adopt a node's shipment recorded as a `shipment_after_cancel` conflict (issue 6: accept_external). */
      readonly type: 'AcceptExternalShipment';
      readonly exceptionId: string;
      /** The shipment fact as the conflict recorded it. */
      readonly fact: Extract<OrderFact, { type: 'fulfillment.shipped' }>;
      readonly note?: string;
      readonly now: string;
    }
  | {
      /** Declined captures, voids and refunds are tried again (an operator's retry of a payment exception). */
      readonly type: 'RetryPayments';
      readonly note?: string;
      readonly now: string;
    }
  | {
      /** Closes the order when every line is terminal, its money is settled and its return window is over. */
      readonly type: 'CloseOrder';
      readonly returnWindowDays: number;
      readonly now: string;
    };

export type OrderCommandType = OrderCommand['type'];
export type { FactLine, OrderFact } from './facts.js';
