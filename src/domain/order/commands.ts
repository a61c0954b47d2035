import type { HoldType, OrderDraft } from './model.js';

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
    };

export type OrderCommandType = OrderCommand['type'];
