import type { OrderView } from '../../domain/order/index.js';
import type { LedgerPayment, MoneyChange } from '../../reconcile/index.js';
import type { OrderRow, Store } from '../../store/port.js';

/**
 * The ledger side of a `payments` run: an order's money as the gateway confirmed it and its goods
 * now, from the orders projection in id order. Whose books an order's money is in: the payment
 * connector's for `gateway` orders, the channel's own for orders whose channel settles payment.
 */
export function paymentTarget(view: Pick<OrderView, 'paymentMode' | 'channel'>, paymentConnector: string | undefined): string {
  return view.paymentMode === 'gateway' && paymentConnector !== undefined ? paymentConnector : view.channel;
}

export function toLedgerPayment(row: OrderRow, target: string, changes: ReadonlyMap<string, MoneyChange[]>): LedgerPayment {
  const o = row.view as OrderView;
  const p = o.payment;
  let returnedValue = 0;
  const lines = o.lines.map((l) => {
    const b = l.buckets;
    returnedValue += b.returned * l.unitPrice;
    return { lineId: l.lineId, unitPrice: l.unitPrice, quantity: l.quantity, shipped: b.shipped + b.delivered + b.returned, cancelled: b.cancelled, returned: b.returned };
  });
  // Orderly refunds only for returns on gateway orders; a channel settling its own payments may
  // refund without a return (an appeasement), which the ledger records as told.
  const refundsWithoutReturn = o.paymentMode === 'channel' ? Math.max(0, p.refunded - returnedValue) : 0;
  const moved = changes.get(row.id);
  return {
    orderId: row.id,
    target,
    currency: o.currency,
    authorized: p.authorized - p.voided,
    captured: p.captured,
    refunded: p.refunded,
    ...(moved ? { changes: moved } : {}),
    goods: { lines, ...(refundsWithoutReturn > 0 ? { refundsWithoutReturn } : {}) },
    goodsChangedAt: row.updatedAt,
    value: o.totals.items,
    customerTier: o.customer.tier,
  };
}

export function ledgerPayments(
  store: Store,
  input: { target: string; paymentConnector: string | undefined; afterId?: string; pageSize: number; changes: ReadonlyMap<string, MoneyChange[]> },
): { pages: AsyncIterable<LedgerPayment[]> } {
  return {
    pages: (async function* () {
      let afterId = input.afterId;
      for (;;) {
        const rows = await store.listOrdersAscending({ limit: input.pageSize, ...(afterId !== undefined ? { afterId } : {}) });
        if (rows.length === 0) return;
        const mine = rows.filter((r) => paymentTarget(r.view as OrderView, input.paymentConnector) === input.target).map((r) => toLedgerPayment(r, input.target, input.changes));
        if (mine.length > 0) yield mine;
        if (rows.length < input.pageSize) return;
        afterId = rows.at(-1)!.id;
      }
    })(),
  };
}
