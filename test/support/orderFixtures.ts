import type {
  Buckets,
  HoldType,
  LineDraft,
  Order,
  OrderCommand,
  OrderDraft,
  OrderEvent,
  OrderState,
  OrderStatus,
} from '../../src/domain/order/index.js';
import { decide, emptyBuckets, evolve, fold, initialState } from '../../src/domain/order/index.js';
import type { Decider } from './deciderSpec.js';

/** Builders for order-domain tests: small, explicit data rather than a shared mutable world. */
export const NOW = '2025-03-01T10:00:00.000Z';
export const ORDER_ID = 'ord_01jn8x5y0000000000';

export const orderDecider: Decider<OrderCommand, OrderEvent, OrderState> = { decide, evolve, initialState };

export const lineDraft = (lineId: string, quantity: number, extra: Partial<LineDraft> = {}): LineDraft => ({
  lineId,
  sku: `SKU-${lineId}`,
  quantity,
  unitPrice: 1999,
  ...extra,
});

export const draft = (extra: Partial<OrderDraft> = {}): OrderDraft => ({
  externalId: 'WEB-1001',
  channel: 'web',
  currency: 'EUR',
  placedAt: '2025-03-01T09:59:00.000Z',
  customer: { id: 'cus_1', tier: 'standard' },
  shipTo: { country: 'FR', city: 'Lyon' },
  fulfillment: { type: 'ship', shipMethod: 'standard' },
  lines: [lineDraft('l1', 3), lineDraft('l2', 2)],
  ...extra,
});

// Commands

export const placeOrder = (order: OrderDraft = draft()): OrderCommand => ({
  type: 'PlaceOrder',
  orderId: ORDER_ID,
  order,
  now: NOW,
});

export const authorize = (authorizationId: string, amount: number): OrderCommand => ({
  type: 'RecordPaymentAuthorization',
  authorizationId,
  amount,
  now: NOW,
});

export const holdOrder = (holdType: HoldType, note?: string): OrderCommand => ({
  type: 'HoldOrder',
  holdType,
  now: NOW,
  ...(note !== undefined ? { note } : {}),
});

export const releaseHold = (holdType: HoldType, note?: string): OrderCommand => ({
  type: 'ReleaseHold',
  holdType,
  now: NOW,
  ...(note !== undefined ? { note } : {}),
});

export const cancelOrder = (
  reason = 'customer_request',
  lines?: readonly { lineId: string; quantity: number }[],
): OrderCommand => ({ type: 'CancelOrder', reason, now: NOW, ...(lines ? { lines } : {}) });

// Events

export const orderPlaced = (order: OrderDraft = draft()): OrderEvent => ({
  type: 'OrderPlaced',
  data: { orderId: ORDER_ID, order },
});

export const paymentAuthorized = (authorizationId: string, amount: number): OrderEvent => ({
  type: 'PaymentAuthorized',
  data: { authorizationId, amount },
});

export const orderHeld = (holdType: HoldType, at = NOW): OrderEvent => ({ type: 'OrderHeld', data: { holdType, at } });

export const holdReleased = (holdType: HoldType): OrderEvent => ({ type: 'HoldReleased', data: { holdType } });

// States

export function placedOrder(events: readonly OrderEvent[]): Order {
  const state = fold(events);
  if (state.kind !== 'placed') throw new Error('the events did not place an order');
  return state.order;
}

/**
 * An order whose lines hold the given buckets (quantity = their sum). Buckets beyond `unallocated`
 * and `cancelled` have no event yet in this slice, so status tests construct them directly.
 */
export function orderWithBuckets(
  lines: readonly Partial<Buckets>[],
  extra: Partial<Pick<Order, 'holds' | 'closed'>> = {},
): Order {
  const base = placedOrder([orderPlaced(draft({ lines: lines.map((_, i) => lineDraft(`l${i + 1}`, 1)) }))]);
  return {
    ...base,
    lines: base.lines.map((line, i) => {
      const buckets = { ...emptyBuckets(), ...lines[i] };
      const quantity = Object.values(buckets).reduce((s, n) => s + n, 0);
      return { ...line, quantity, buckets };
    }),
    ...extra,
  };
}

export const placedState = (order: Order): OrderState => ({ kind: 'placed', order });

const manualHold = { type: 'manual', placedAt: NOW } as const;

/** One order per derived status, built from chosen buckets; the status tests prove each mapping. */
export const STATUS_EXAMPLES: Readonly<Record<OrderStatus, () => Order>> = {
  created: () => orderWithBuckets([{ unallocated: 2 }, { unallocated: 1 }]),
  on_hold: () => orderWithBuckets([{ allocated: 2 }], { holds: [manualHold] }),
  backordered: () => orderWithBuckets([{ backordered: 1, allocated: 1 }, { unallocated: 1 }]),
  allocated: () => orderWithBuckets([{ allocated: 2 }, { allocated: 1 }]),
  partially_released: () => orderWithBuckets([{ released: 1, allocated: 1 }]),
  released: () => orderWithBuckets([{ released: 2 }, { released: 1 }]),
  partially_shipped: () => orderWithBuckets([{ shipped: 1, released: 1 }], { holds: [manualHold] }),
  shipped: () => orderWithBuckets([{ shipped: 1, delivered: 1 }, { cancelled: 1 }]),
  delivered: () => orderWithBuckets([{ delivered: 2 }, { cancelled: 1 }]),
  partially_returned: () => orderWithBuckets([{ delivered: 1, returned: 1 }]),
  returned: () => orderWithBuckets([{ returned: 2, cancelled: 1 }]),
  partially_cancelled: () => orderWithBuckets([{ cancelled: 1, allocated: 1 }, { allocated: 1 }]),
  cancelled: () => orderWithBuckets([{ cancelled: 2 }, { cancelled: 1 }], { holds: [manualHold] }),
  closed: () => orderWithBuckets([{ delivered: 1 }], { closed: true }),
};
