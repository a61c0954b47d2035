import type { Buckets } from './buckets.js';

/** The slim canonical order (DESIGN §3). Money is integer minor units in `currency`. */
export const HOLD_TYPES = ['fraud', 'payment', 'address', 'manual'] as const;
export type HoldType = (typeof HOLD_TYPES)[number];

export const SHIP_METHODS = ['standard', 'expedited', 'overnight', 'same_day'] as const;
export type ShipMethod = (typeof SHIP_METHODS)[number];

export type FulfillmentPreference =
  | { readonly type: 'ship'; readonly shipMethod: ShipMethod }
  | { readonly type: 'pickup'; readonly storeId: string };

export interface Address {
  readonly name?: string;
  readonly line1?: string;
  readonly line2?: string;
  readonly city?: string;
  readonly region?: string;
  readonly postalCode?: string;
  readonly country: string;
  readonly phone?: string;
  readonly lat?: number;
  readonly lon?: number;
}

export interface Customer {
  readonly id?: string;
  readonly email?: string;
  readonly phone?: string;
  readonly name?: string;
  readonly tier: string;
}

export interface ExternalRef {
  readonly system: string;
  readonly id: string;
}

/** What a channel sends to place an order, after validation. */
export interface OrderDraft {
  readonly externalId: string;
  readonly channel: string;
  readonly currency: string;
  readonly placedAt: string;
  readonly customer: Customer;
  readonly shipTo?: Address;
  readonly fulfillment: FulfillmentPreference;
  readonly lines: readonly LineDraft[];
  readonly payment?: { readonly authorizationId: string; readonly amount: number };
  readonly externalRefs?: readonly ExternalRef[];
}

export interface LineDraft {
  readonly lineId: string;
  readonly sku: string;
  readonly quantity: number;
  readonly unitPrice: number;
  readonly attributes?: Readonly<Record<string, string | number | boolean>>;
}

export interface OrderLine extends LineDraft {
  readonly buckets: Buckets;
}

/** Money in minor units of the order's currency; `pending` is asked of the gateway and not yet answered. */
export interface PaymentSummary {
  readonly authorized: number;
  readonly captured: number;
  readonly voided: number;
  readonly refunded: number;
  /** Amounts the gateway declined to capture, void or refund (each an exception for a human). */
  readonly failed: { readonly capture: number; readonly void: number; readonly refund: number };
  /** References of payment requests whose result has been recorded (a repeated result is ignored). */
  readonly settled: readonly string[];
  readonly pending: { readonly authorize: number; readonly capture: number; readonly void: number; readonly refund: number };
  /**
   * Capture, void and refund requests not yet answered. A result answers its request whole: its
   * amount leaves `pending` even when the gateway did more or less (that difference is a conflict).
   */
  readonly outstanding: readonly { readonly reference: string; readonly operation: 'capture' | 'void' | 'refund'; readonly amount: number }[];
  /** Payment requests made so far: numbers each request's reference. */
  readonly requests: number;
  readonly authorizations: readonly { readonly authorizationId: string; readonly amount: number }[];
}

export interface Hold {
  readonly type: HoldType;
  readonly note?: string;
  readonly placedAt: string;
}
