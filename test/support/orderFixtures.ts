import { expect } from 'vitest';
import type {
  Buckets,
  ConflictKind,
  FactLine,
  Fulfillment,
  FulfillmentLineState,
  HoldType,
  LineDraft,
  NodeCancelCapability,
  Order,
  OrderCommand,
  OrderDraft,
  OrderEvent,
  OrderFact,
  OrderState,
  OrderStatus,
  PaymentSummary,
} from '../../src/domain/order/index.js';
import { decide, emptyBuckets, evolve, fold, initialState } from '../../src/domain/order/index.js';
import type { Decider } from './deciderSpec.js';

/** Builders for order-domain tests: small, explicit data rather than a shared mutable world. */
export const NOW = '2025-03-01T10:00:00.000Z';
export const ORDER_ID = 'ord_01jn8x5y0000000000';

// Ids derived from the order id without its `ord_` prefix (fulfillment n, its reservation of the
// order's line at 1-based position `line`, return n).
export const ID_BASE = ORDER_ID.slice('ord_'.length);
export const ful = (n: number): string => `ful_${ID_BASE}-${n}`;
export const rsv = (n: number, line: number): string => `rsv_${ID_BASE}-${n}-${line}`;
export const ret = (n: number): string => `ret_${ID_BASE}-${n}`;

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

export type Lines = readonly (readonly [lineId: string, quantity: number])[];

/** Lines of the default-draft form (`SKU-<lineId>`), as commands and events carry them. */
export const skuLines = (lines: Lines) => lines.map(([lineId, quantity]) => ({ lineId, sku: `SKU-${lineId}`, quantity }));

export const routeOrder = (
  assignments: readonly (readonly [nodeId: string, lines: Lines])[],
  backorders: readonly (readonly [lineId: string, quantity: number, reason: string])[] = [],
  decisionId = 'dec_1',
): OrderCommand => ({
  type: 'RouteOrder',
  now: NOW,
  decision: {
    decisionId,
    rulesetVersion: 4,
    assignments: assignments.map(([nodeId, lines]) => ({ nodeId, lines: skuLines(lines) })),
    backorders: backorders.map(([lineId, quantity, reason]) => ({ lineId, sku: `SKU-${lineId}`, quantity, reason })),
  },
});

export const releaseFulfillments = (fulfillmentIds?: readonly string[], now = NOW): OrderCommand => ({
  type: 'ReleaseFulfillments',
  now,
  ...(fulfillmentIds ? { fulfillmentIds } : {}),
});

/** A cancellation that says what each node can cancel after release (as the order service fills it in). */
export const cancelAtNodes = (
  nodes: Readonly<Record<string, NodeCancelCapability>>,
  lines?: readonly { lineId: string; quantity: number }[],
  reason = 'customer_request',
  exceptionId = 'exc_cancel',
): OrderCommand => ({ type: 'CancelOrder', reason, now: NOW, nodes, exceptionId, ...(lines ? { lines } : {}) });

export const CAN_CANCEL: NodeCancelCapability = { cancel: true, partialCancel: true };
export const WHOLE_ONLY: NodeCancelCapability = { cancel: true, partialCancel: false };
export const CANNOT_CANCEL: NodeCancelCapability = { cancel: false, partialCancel: false };

export const recordFact = (fact: OrderFact, exceptionId = 'exc_fact', now = NOW): OrderCommand => ({ type: 'RecordFact', fact, exceptionId, now });

export const authorizeReturn = (lines: readonly FactLine[], reason = 'too_small', now = NOW): OrderCommand => ({
  type: 'AuthorizeReturn',
  lines,
  reason,
  now,
});

export const withdrawFulfillment = (fulfillmentId: string, reason = 'ack_sla_breached'): OrderCommand => ({
  type: 'WithdrawFulfillment',
  fulfillmentId,
  reason,
  now: NOW,
});

export const settlePayments = (): OrderCommand => ({ type: 'SettlePayments', now: NOW });

export const closeOrder = (now: string, returnWindowDays = 30): OrderCommand => ({ type: 'CloseOrder', returnWindowDays, now });

// Facts, in the canonical form connectors translate into

export const factShipped = (fulfillmentId: string, shipmentId: string, lines: Lines, shippedAt = NOW): OrderFact => ({
  type: 'fulfillment.shipped',
  fulfillmentId,
  shipmentId,
  lines: lines.map(([lineId, quantity]) => ({ lineId, quantity })),
  shippedAt,
});

export const factDelivered = (fulfillmentId: string, shipmentId?: string, deliveredAt = NOW): OrderFact => ({
  type: 'fulfillment.delivered',
  fulfillmentId,
  deliveredAt,
  ...(shipmentId !== undefined ? { shipmentId } : {}),
});

export const factAcknowledged = (fulfillmentId: string, accepted = true, reason?: string): OrderFact => ({
  type: 'fulfillment.acknowledged',
  fulfillmentId,
  accepted,
  ...(reason !== undefined ? { reason } : {}),
});

export const factCancellation = (fulfillmentId: string, outcome: 'cancelled' | 'refused', lines?: Lines, reason?: string): OrderFact => ({
  type: 'fulfillment.cancellation_result',
  fulfillmentId,
  outcome,
  ...(lines ? { lines: lines.map(([lineId, quantity]) => ({ lineId, quantity })) } : {}),
  ...(reason !== undefined ? { reason } : {}),
});

export const factReturnReceived = (
  returnId: string,
  lines: readonly (readonly [lineId: string, quantity: number, disposition: 'restock' | 'damaged'])[],
  nodeId = 'node_a',
): OrderFact => ({ type: 'return.received', returnId, nodeId, lines: lines.map(([lineId, quantity, disposition]) => ({ lineId, quantity, disposition })) });

// Events

export const orderPlaced = (order: OrderDraft = draft()): OrderEvent => ({
  type: 'OrderPlaced',
  data: { orderId: ORDER_ID, order },
});

/** An order placed under gateway payments: Orderly drives authorization, capture, void and refund. */
export const gatewayPlaced = (order: OrderDraft = draft()): OrderEvent => ({
  type: 'OrderPlaced',
  data: { orderId: ORDER_ID, order, payments: 'gateway' },
});

export const paymentAuthorized = (authorizationId: string, amount: number): OrderEvent => ({
  type: 'PaymentAuthorized',
  data: { authorizationId, amount },
});

export const orderHeld = (holdType: HoldType, at = NOW): OrderEvent => ({ type: 'OrderHeld', data: { holdType, at } });

export const holdReleased = (holdType: HoldType): OrderEvent => ({ type: 'HoldReleased', data: { holdType } });

// States

/** What the fold holds for a fresh payment: nothing authorized, asked or settled. */
export const noPayment = (changes: Partial<PaymentSummary> = {}): PaymentSummary => ({
  authorized: 0,
  captured: 0,
  voided: 0,
  refunded: 0,
  pending: { authorize: 0, capture: 0, void: 0, refund: 0 },
  outstanding: [],
  failed: { capture: 0, void: 0, refund: 0 },
  settled: [],
  requests: 0,
  authorizations: [],
  ...changes,
});

/** Fulfillment lines as the fold holds them: `[lineId, quantity, shipped?, delivered?]`. */
export const heldLines = (lines: readonly (readonly [lineId: string, quantity: number, shipped?: number, delivered?: number])[]): FulfillmentLineState[] =>
  lines.map(([lineId, quantity, shipped = 0, delivered = 0]) => ({ lineId, sku: `SKU-${lineId}`, quantity, shipped, delivered }));

/** A fulfillment as the fold holds it before release: stage `allocated`, nothing shipped. */
export const allocatedFulfillment = (
  id: string,
  nodeId: string,
  status: 'allocated' | 'cancelled',
  lines: readonly (readonly [lineId: string, quantity: number])[],
): Fulfillment => ({ id, nodeId, stage: 'allocated', status, lines: heldLines(lines), shipments: [] });

/** The default draft (l1 × 3, l2 × 2 at 1999 each: 9995) routed whole to node_a as ful(1). */
export const ROUTE_ALL_AT_A = routeOrder([['node_a', [['l1', 3], ['l2', 2]]]]);
export const ORDER_VALUE = 9995;

/** Placed (channel payments unless said), routed whole to node_a and released to it. */
export const releasedAtA = (placed: OrderEvent = orderPlaced()): OrderEvent[] => decided([placed], ROUTE_ALL_AT_A, releaseFulfillments());

/** The ConflictDetected a fact decides when it contradicts the ledger (`detail` may be a matcher). */
export const conflictDetected = (
  kind: ConflictKind,
  fact: OrderFact,
  applied: boolean,
  suggestedActions: readonly string[],
  fulfillmentId?: string,
  detail: unknown = expect.any(String),
  exceptionId = 'exc_fact',
): OrderEvent => ({
  type: 'ConflictDetected',
  data: { kind, detail: detail as string, fact, applied, exceptionId, suggestedActions, ...(fulfillmentId ? { fulfillmentId } : {}) },
});

/**
 * The events the decider appends for these commands, one after the other from the given history:
 * a Given built from commands whose own events are asserted elsewhere. A refusal throws.
 */
export function decided(given: readonly OrderEvent[], ...commands: readonly OrderCommand[]): OrderEvent[] {
  const events = [...given];
  let state = fold(events);
  for (const command of commands) {
    const r = decide(command, state);
    if (!r.ok) throw new Error(`${command.type} refused while building a history: ${r.error.message}`);
    events.push(...r.value);
    state = r.value.reduce(evolve, state);
  }
  return events;
}

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

export function orderOf(state: OrderState): Order {
  if (state.kind !== 'placed') throw new Error('expected a placed order');
  return state.order;
}

export const bucketsOf = (state: OrderState, lineId: string): Buckets => orderOf(state).lines.find((l) => l.lineId === lineId)!.buckets;

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
