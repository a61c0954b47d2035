import { describe, expect, it } from 'vitest';
import type { LedgerPayment, PaymentDrift, PaymentsTargetRow } from '../../src/reconcile/index.js';
import { comparePayment, defaultPaymentExpectationPolicy, expectPayment } from '../../src/reconcile/index.js';
import { collect, ctxFor, deferrals, drifts, header, payment, t } from './reconcile.fixtures.js';
import { reconcilePayments } from '../../src/reconcile/index.js';

const cmp = (ledger: LedgerPayment | undefined, rows: readonly PaymentsTargetRow[], nowMinutes = 10) => comparePayment(ledger, rows, ctxFor('payments', nowMinutes));
const gateway = (authorized: number, captured: number, refunded = 0, o: Partial<PaymentsTargetRow> = {}): PaymentsTargetRow => ({
  orderId: 'ord_1',
  authorized,
  captured,
  refunded,
  ...o,
});
const only = (found: ReturnType<typeof cmp>): PaymentDrift => {
  const d = drifts(found);
  expect(d).toHaveLength(1);
  return d[0] as PaymentDrift;
};

describe('payments: what is due from the goods (default rule)', () => {
  const due = (lines: { quantity: number; shipped: number; cancelled: number; returned: number }[], charges = 0, refundsWithoutReturn = 0) =>
    defaultPaymentExpectationPolicy.dueFromGoods({ lines: lines.map((l, i) => ({ lineId: `l${i}`, unitPrice: 1999, ...l })), charges, refundsWithoutReturn });

  it('captures shipped value, with the charges on the first shipment', () => {
    expect(due([{ quantity: 3, shipped: 0, cancelled: 0, returned: 0 }], 500)).toEqual({ authorized: 6497, captured: 0, refunded: 0 });
    expect(due([{ quantity: 3, shipped: 1, cancelled: 0, returned: 0 }], 500)).toEqual({ authorized: 6497, captured: 2499, refunded: 0 });
  });

  it('voids cancelled value, and the charges once nothing is live', () => {
    expect(due([{ quantity: 3, shipped: 1, cancelled: 2, returned: 0 }], 500)).toEqual({ authorized: 2499, captured: 2499, refunded: 0 });
    expect(due([{ quantity: 3, shipped: 0, cancelled: 3, returned: 0 }], 500)).toEqual({ authorized: 0, captured: 0, refunded: 0 });
  });

  it('refunds returned value (not the charges) and refunds not tied to a return, to the cent', () => {
    expect(due([{ quantity: 3, shipped: 3, cancelled: 0, returned: 1 }], 500, 101)).toEqual({ authorized: 6497, captured: 6497, refunded: 2100 });
  });
});

describe('payments: in flight', () => {
  it('agrees with the gateway as of asOf', () => {
    expect(cmp(payment('ord_1'), [gateway(2500, 1500)])).toEqual([]);
  });

  it('takes back changes that happened at the gateway after asOf, and widens for those within the skew', () => {
    const p = payment('ord_1', {
      captured: 2500,
      changes: [
        { type: 'captured', amount: 600, occurredAt: t(30) },
        { type: 'captured', amount: 400, occurredAt: t(1) },
      ],
      goods: { lines: [{ lineId: 'l1', unitPrice: 1000, quantity: 2, shipped: 2, cancelled: 0, returned: 0 }], charges: 500 },
    });
    expect(expectPayment(p, ctxFor('payments').checkpoint, ctxFor('payments')).asOfCheckpoint.captured).toEqual({ min: 1500, max: 1900 });
    expect(cmp(p, [gateway(2500, 1500)])).toEqual([]);
    expect(cmp(p, [gateway(2500, 1900)])).toEqual([]);
  });

  it('defers a gateway ahead of the ledger (a capture result on its way) during the grace, then raises it', () => {
    const found = cmp(payment('ord_1'), [gateway(2500, 2500)]);
    expect(drifts(found)).toEqual([]);
    expect(deferrals(found)).toEqual([expect.objectContaining({ class: 'amount_mismatch', key: 'ord_1', until: t(60) })]);
    const d = only(cmp(payment('ord_1'), [gateway(2500, 2500)], 90));
    expect(d.findings).toEqual([expect.objectContaining({ source: 'target', field: 'captured', direction: 'target_ahead' })]);
  });

  it('defers money owed by recent goods movements for the settlement grace, then raises it', () => {
    const shippedAll = { lines: [{ lineId: 'l1', unitPrice: 1000, quantity: 2, shipped: 2, cancelled: 0, returned: 0 }], charges: 500 };
    const found = cmp(payment('ord_1', { goods: shippedAll, goodsChangedAt: t(-30) }), [gateway(2500, 1500)]);
    expect(deferrals(found)).toEqual([expect.objectContaining({ class: 'amount_mismatch', until: t(24 * 60 - 30) })]);
    const late = only(cmp(payment('ord_1', { goods: shippedAll, goodsChangedAt: t(-25 * 60) }), [gateway(2500, 1500)]));
    expect(late.findings).toEqual([expect.objectContaining({ source: 'goods', field: 'captured', owed: 'capture' })]);
    expect(late.severity).toBe('high');
  });
});

describe('payments: each drift class', () => {
  it('amount_mismatch behind: the gateway lacks a capture the ledger recorded (critical)', () => {
    const d = only(cmp(payment('ord_1'), [gateway(2500, 1000)]));
    expect(d).toMatchObject({ class: 'amount_mismatch', severity: 'critical', orderId: 'ord_1', currency: 'USD' });
    expect(d.findings).toEqual([expect.objectContaining({ field: 'captured', direction: 'target_behind' })]);
  });

  it('amount_mismatch: over-captured against the goods, at once', () => {
    const d = only(cmp(payment('ord_1', { captured: 2500, changes: [] }), [gateway(2500, 2500)]));
    expect(d.findings).toEqual([expect.objectContaining({ source: 'goods', field: 'captured' })]);
    expect(d.findings?.[0]?.owed).toBeUndefined();
    expect(d.severity).toBe('critical');
  });

  it('amount_mismatch: another currency at the gateway', () => {
    expect(only(cmp(payment('ord_1'), [gateway(2500, 1500, 0, { currency: 'EUR' })])).findings).toEqual([
      expect.objectContaining({ field: 'currency', direction: 'diverged' }),
    ]);
  });

  it('missing_in_target, missing_in_ledger, duplicate_in_target', () => {
    expect(only(cmp(payment('ord_1'), []))).toMatchObject({ class: 'missing_in_target' });
    expect(only(cmp(undefined, [gateway(100, 0)]))).toMatchObject({ class: 'missing_in_ledger' });
    expect(cmp(undefined, [gateway(0, 0)])).toEqual([]);
    expect(only(cmp(payment('ord_1'), [gateway(2500, 1500), gateway(2500, 1500)]))).toMatchObject({ class: 'duplicate_in_target' });
  });

  it('does not expect an order authorized after asOf', () => {
    const p = payment('ord_1', { captured: 0, changes: [{ type: 'authorized', amount: 2500, occurredAt: t(20) }], goods: { lines: [{ lineId: 'l1', unitPrice: 1000, quantity: 2, shipped: 0, cancelled: 0, returned: 0 }], charges: 500 } });
    expect(cmp(p, [])).toEqual([]);
  });
});

describe('reconcilePayments: a run', () => {
  it('joins by orderId', async () => {
    const events = await collect(reconcilePayments(header('payments', { target: 'gateway' }), [payment('ord_1'), payment('ord_2')], [gateway(2500, 1500), gateway(2500, 1500, 0, { orderId: 'ord_2' })], { now: t(10) }));
    expect(drifts(events)).toEqual([]);
    expect(events.at(-1)).toMatchObject({ type: 'progress', done: true, keys: 2 });
  });
});
