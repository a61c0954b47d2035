import type { Buckets } from './buckets.js';
import type { Address, Customer, FulfillmentPreference, Hold, PaymentSummary } from './model.js';
import type { Order } from './state.js';
import type { OrderStatus } from './status.js';
import { deriveStatus } from './status.js';

/** The order as the API returns it and the order projection stores it. */
export interface OrderView {
  readonly id: string;
  readonly externalId: string;
  readonly channel: string;
  readonly status: OrderStatus;
  readonly version: number;
  readonly currency: string;
  readonly placedAt: string;
  readonly customer: Customer;
  readonly shipTo?: Address;
  readonly fulfillment: FulfillmentPreference;
  readonly lines: readonly {
    readonly lineId: string;
    readonly sku: string;
    readonly quantity: number;
    readonly unitPrice: number;
    readonly attributes?: Readonly<Record<string, string | number | boolean>>;
    readonly buckets: Buckets;
  }[];
  readonly totals: { readonly items: number; readonly quantity: number };
  readonly payment: Omit<PaymentSummary, 'authorizations'> & {
    readonly authorizations: PaymentSummary['authorizations'];
  };
  readonly paymentMode: Order['paymentMode'];
  readonly fulfillments: Order['fulfillments'];
  readonly returns: Order['returns'];
  readonly routing?: { readonly decisionId: string; readonly rulesetVersion: number };
  readonly holds: readonly Hold[];
  readonly exceptions: Order['exceptions'];
  readonly externalRefs: Order['externalRefs'];
  readonly cancelReason?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export function toOrderView(order: Order, meta: { version: number; createdAt: string; updatedAt: string }): OrderView {
  return {
    id: order.id,
    externalId: order.externalId,
    channel: order.channel,
    status: deriveStatus(order),
    version: meta.version,
    currency: order.currency,
    placedAt: order.placedAt,
    customer: order.customer,
    ...(order.shipTo ? { shipTo: order.shipTo } : {}),
    fulfillment: order.fulfillment,
    lines: order.lines.map((l) => ({
      lineId: l.lineId,
      sku: l.sku,
      quantity: l.quantity,
      unitPrice: l.unitPrice,
      ...(l.attributes ? { attributes: l.attributes } : {}),
      buckets: l.buckets,
    })),
    totals: {
      items: order.lines.reduce((s, l) => s + l.quantity * l.unitPrice, 0),
      quantity: order.lines.reduce((s, l) => s + l.quantity, 0),
    },
    payment: order.payment,
    paymentMode: order.paymentMode,
    fulfillments: order.fulfillments,
    returns: order.returns,
    ...(order.lastDecision ? { routing: order.lastDecision } : {}),
    holds: order.holds,
    exceptions: order.exceptions,
    externalRefs: order.externalRefs,
    ...(order.cancelReason !== undefined ? { cancelReason: order.cancelReason } : {}),
    createdAt: meta.createdAt,
    updatedAt: meta.updatedAt,
  };
}
