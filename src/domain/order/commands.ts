import type { HoldType, OrderDraft } from './model.js';

/** A routing decision as the decider needs it: where each unit goes, and what is backordered. */
export interface RouteDecisionInput {
  readonly decisionId: string;
  readonly rulesetVersion: number;
  readonly assignments: readonly { readonly nodeId: string; readonly lines: readonly { readonly lineId: string; readonly sku: string; readonly quantity: number }[] }[];
  readonly backorders: readonly { readonly lineId: string; readonly sku: string; readonly quantity: number; readonly reason: string }[];
}

/** Commands are imperative intents; the clock and generated ids travel inside them. */
export type OrderCommand =
  | { readonly type: 'PlaceOrder'; readonly orderId: string; readonly order: OrderDraft; readonly now: string }
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
      readonly now: string;
    }
  | { readonly type: 'RouteOrder'; readonly decision: RouteDecisionInput; readonly now: string }
  | { readonly type: 'ReleaseAllocation'; readonly nodeIds?: readonly string[]; readonly reason: string; readonly now: string };

export type OrderCommandType = OrderCommand['type'];
