import type { MoneyTotals } from './drift.js';

/**
 * One order line's goods, in units, as the ledger's buckets say now. `shipped` counts every unit
 * that ever left a node (buckets shipped + delivered + returned); `returned` the units received
 * back; `cancelled` the units cancelled before shipping.
 */
export interface GoodsLine {
  readonly lineId: string;
  /** Minor units of the order's currency. */
  readonly unitPrice: number;
  readonly quantity: number;
  readonly shipped: number;
  readonly cancelled: number;
  readonly returned: number;
}

export interface OrderGoods {
  readonly lines: readonly GoodsLine[];
  /** Order-level amounts beyond the lines (shipping, taxes, fees), in minor units. */
  readonly charges?: number;
  /** Refunds not tied to returned units (appeasements, price adjustments) the ledger recorded. */
  readonly refundsWithoutReturn?: number;
}

/** What the money should be, given the goods: the rule behind `amount_mismatch` against the goods. */
export interface PaymentExpectationPolicy {
  dueFromGoods(goods: OrderGoods): MoneyTotals;
}

/**
 * The default rule (capture per shipment, DESIGN §3 lifecycle):
 * - captured = value of units shipped, plus the order-level charges once anything shipped
 *   (charges ride on the first shipment);
 * - refunded = value of units returned, plus refunds not tied to a return (charges are not
 *   refunded on a return);
 * - authorized (net of voids) = value of units not cancelled, plus the charges while anything is
 *   live: cancelled value is voided, never captured.
 */
export const defaultPaymentExpectationPolicy: PaymentExpectationPolicy = {
  dueFromGoods(goods) {
    let shippedValue = 0;
    let shippedUnits = 0;
    let returnedValue = 0;
    let liveValue = 0;
    let liveUnits = 0;
    for (const l of goods.lines) {
      shippedValue += l.shipped * l.unitPrice;
      shippedUnits += l.shipped;
      returnedValue += l.returned * l.unitPrice;
      liveValue += (l.quantity - l.cancelled) * l.unitPrice;
      liveUnits += l.quantity - l.cancelled;
    }
    const charges = goods.charges ?? 0;
    return {
      authorized: liveValue + (liveUnits > 0 ? charges : 0),
      captured: shippedValue + (shippedUnits > 0 ? charges : 0),
      refunded: returnedValue + (goods.refundsWithoutReturn ?? 0),
    };
  },
};
