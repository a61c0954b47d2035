import type { OrderEvent, PaymentOperation } from './events.js';
import type { Order } from './state.js';

/**
 * The money of an order follows its goods (issue 5): capture per shipment, void what can no longer
 * ship, refund what came back. Under `gateway` payments Orderly asks the payment connector for the
 * difference between what should have happened and what has (settled or pending), so the rule
 * converges whatever order facts arrive in and never asks twice for the same money.
 */
export interface MoneyView {
  /** Value of units that left a node: shipped, delivered or returned. */
  readonly shipped: number;
  /** Value of units the customer keeps: shipped or delivered, not returned. */
  readonly kept: number;
  /** Value of units that may still ship: unallocated, backordered, allocated, released. */
  readonly open: number;
  /** Value of cancelled units. */
  readonly cancelled: number;
  /** Value of every unit not cancelled. */
  readonly live: number;
}

export function moneyView(order: Order): MoneyView {
  let shipped = 0;
  let kept = 0;
  let open = 0;
  let cancelled = 0;
  for (const l of order.lines) {
    const b = l.buckets;
    shipped += l.unitPrice * (b.shipped + b.delivered + b.returned);
    kept += l.unitPrice * (b.shipped + b.delivered);
    open += l.unitPrice * (b.unallocated + b.backordered + b.allocated + b.released);
    cancelled += l.unitPrice * b.cancelled;
  }
  return { shipped, kept, open, cancelled, live: shipped + open };
}

/** Authorized money not yet captured, voided or asked to be (what a capture may still take). */
export function openAuthorization(order: Order): number {
  const p = order.payment;
  return p.authorized - p.captured - p.voided - p.pending.capture - p.pending.void - p.failed.capture - p.failed.void;
}

/**
 * The payment requests that bring the order's money in line with its goods, as PaymentRequested
 * events. Only for `gateway` orders; `channel` orders are settled by the channel.
 */
export function paymentRequests(order: Order): OrderEvent[] {
  if (order.paymentMode !== 'gateway') return [];
  const p = order.payment;
  const m = moneyView(order);
  const out: OrderEvent[] = [];
  let n = p.requests;
  const request = (operation: PaymentOperation, amount: number, authorizationId?: string) => {
    n += 1;
    out.push({
      type: 'PaymentRequested',
      data: { operation, amount, reference: `${operation}-${n}`, ...(authorizationId !== undefined ? { authorizationId } : {}) },
    });
  };
  const authorizationId = p.authorizations[0]?.authorizationId;

  // Authorize once, for the live value, when the channel brought no authorization.
  if (p.authorized === 0 && p.pending.authorize === 0 && p.authorizations.length === 0 && !authorizationFailed(order) && m.open > 0) {
    request('authorize', m.live);
    return out;
  }
  if (authorizationId === undefined) return out;
  let available = openAuthorization(order);

  const capture = Math.min(m.shipped - p.captured - p.pending.capture - p.failed.capture, available);
  if (capture > 0) {
    request('capture', capture, authorizationId);
    available -= capture;
  }
  // Reduce the authorization by what was cancelled; release all of it once nothing can ship.
  const voidable = m.open === 0 ? available : Math.min(available - m.open, m.cancelled - p.voided - p.pending.void - p.failed.void);
  if (voidable > 0) request('void', voidable, authorizationId);

  const refund = p.captured - m.kept - p.refunded - p.pending.refund - p.failed.refund;
  if (refund > 0) request('refund', refund);
  return out;
}

/** Whether the order's money is settled: nothing pending or failed, captures match what is kept, no authorization left open. */
export function paymentSettled(order: Order): boolean {
  if (order.paymentMode !== 'gateway') return true;
  const p = order.payment;
  const pending = p.pending.authorize + p.pending.capture + p.pending.void + p.pending.refund;
  const failed = p.failed.capture + p.failed.void + p.failed.refund;
  return pending === 0 && failed === 0 && p.captured - p.refunded === moneyView(order).kept && openAuthorization(order) === 0;
}

const authorizationFailed = (order: Order): boolean => order.holds.some((h) => h.type === 'payment');

/** Whether the order may be released to nodes: no hold, and under `gateway` payments an authorization that covers it. */
export function releaseBlocker(order: Order): string | undefined {
  if (order.holds.length > 0) return `the order is on hold (${order.holds.map((h) => h.type).join(', ')})`;
  if (order.paymentMode !== 'gateway') return undefined;
  const p = order.payment;
  const covered = p.authorized - p.voided - p.failed.void;
  const needed = moneyView(order).live;
  if (covered < needed) return `payment authorized for ${covered}, the order needs ${needed}`;
  return undefined;
}
