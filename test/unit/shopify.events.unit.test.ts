// orders/cancelled, refunds/create and fulfillments/* rules beyond the fixtures; topics and bodies.
import { describe, expect, it } from 'vitest';
import { mapShopifyWebhook, SHOPIFY_TOPICS } from '../../src/connectors/shopify/index.js';
import { failure } from './shopify.support.js';

const only = (topic: string, body: unknown) => {
  const r = mapShopifyWebhook(topic, body);
  if (!r.ok) throw new Error(r.reason);
  expect(r.messages).toHaveLength(1);
  return r.messages[0];
};

describe('topics and bodies', () => {
  it('maps exactly the five topics; any other is ignored with its name', () => {
    expect(SHOPIFY_TOPICS).toEqual(['orders/create', 'orders/cancelled', 'refunds/create', 'fulfillments/create', 'fulfillments/update']);
    expect(mapShopifyWebhook('products/update', { id: 1 })).toEqual({ ok: true, messages: [], ignored: "topic 'products/update' is not handled" });
  });

  it.each([[[]], ['text'], [null], [42]])('a body that is not an object (%j) fails at body', (body) => {
    expect(failure(mapShopifyWebhook('orders/cancelled', body))).toMatchObject({ paths: ['body'], code: 'invalid_payload' });
  });
});

describe('orders/cancelled', () => {
  const cancelled = (over: Record<string, unknown>) => ({ id: 1001, cancelled_at: '2024-05-02T08:00:00Z', cancel_reason: 'customer', ...over });

  it.each([
    ['customer', 'customer_request'],
    ['fraud', 'fraud'],
    ['inventory', 'out_of_stock'],
    ['declined', 'payment_declined'],
    ['staff', 'staff_error'],
    ['other', 'other'],
    [null, 'unspecified'],
    ['new_reason', 'shopify_new_reason'],
  ])('cancel_reason %s → %s', (code, reason) => {
    expect(only('orders/cancelled', cancelled({ cancel_reason: code }))).toEqual({ type: 'order.cancel', channel: 'shopify', externalId: '1001', reason });
  });

  it('refuses a body that is not a cancelled order, naming the fields', () => {
    expect(failure(mapShopifyWebhook('orders/cancelled', cancelled({ id: null, cancelled_at: null }))).paths).toEqual(['id', 'cancelled_at']);
    expect(failure(mapShopifyWebhook('orders/cancelled', cancelled({ cancel_reason: 'Drop Table' })))).toMatchObject({ paths: ['cancel_reason'], code: 'unknown_code' });
  });
});

describe('refunds/create', () => {
  const tx = (over: Record<string, unknown>) => ({ id: 1, kind: 'refund', status: 'success', amount: '10.00', currency: 'USD', ...over });
  const refund = (over: Record<string, unknown>) => ({
    id: 77,
    order_id: 1001,
    refund_line_items: [{ line_item_id: 11, quantity: 1, restock_type: 'return' }],
    transactions: [tx({})],
    ...over,
  });

  it.each([
    ['no_restock', false],
    ['cancel', true],
    ['return', true],
    ['legacy_restock', true],
  ])('restock_type %s → restock %s', (restock_type, restock) => {
    const m = only('refunds/create', refund({ refund_line_items: [{ line_item_id: 11, quantity: 2, restock_type }] }));
    expect(m).toMatchObject({ lines: [{ lineId: '11', quantity: 2, restock }] });
  });

  it('falls back to the refund restock flag for payloads older than restock_type; refuses unknown types', () => {
    const old = refund({ restock: true, refund_line_items: [{ line_item_id: 11, quantity: 1 }] });
    expect(only('refunds/create', old)).toMatchObject({ lines: [{ lineId: '11', quantity: 1, restock: true }] });
    expect(failure(mapShopifyWebhook('refunds/create', refund({ refund_line_items: [{ line_item_id: 11, quantity: 1 }] }))).paths).toEqual([
      'refund_line_items[0].restock_type',
    ]);
    const odd = refund({ refund_line_items: [{ line_item_id: 11, quantity: 1, restock_type: 'recycle' }] });
    expect(failure(mapShopifyWebhook('refunds/create', odd))).toMatchObject({ paths: ['refund_line_items[0].restock_type'], code: 'unknown_code' });
  });

  it('sums the successful refund transactions only', () => {
    const transactions = [
      tx({ amount: '10.00' }),
      tx({ id: 2, amount: '5.55' }),
      tx({ id: 3, amount: '99.00', status: 'failure' }),
      tx({ id: 4, kind: 'suggested_refund', amount: '1.00' }),
      tx({ id: 5, kind: 'sale', amount: '50.00' }),
    ];
    expect(only('refunds/create', refund({ transactions }))).toEqual({
      type: 'order.refunded', channel: 'shopify', externalId: '1001', refundId: '77', amount: 1555, currency: 'USD',
      lines: [{ lineId: '11', quantity: 1, restock: true }],
    });
  });

  it('a restock-only refund has amount 0 and no currency', () => {
    expect(only('refunds/create', refund({ transactions: [] }))).toMatchObject({ amount: 0 });
    expect(only('refunds/create', refund({ transactions: [] }))).not.toHaveProperty('currency');
  });

  it('reads the transaction currency exactly: JPY without decimals, KWD with three', () => {
    expect(only('refunds/create', refund({ transactions: [tx({ amount: '1500', currency: 'JPY' })] }))).toMatchObject({ amount: 1500, currency: 'JPY' });
    expect(only('refunds/create', refund({ transactions: [tx({ amount: '2.125', currency: 'KWD' })] }))).toMatchObject({ amount: 2125, currency: 'KWD' });
  });

  it('a pending refund is not final: a human decides rather than the amount being counted or dropped', () => {
    expect(failure(mapShopifyWebhook('refunds/create', refund({ transactions: [tx({ status: 'pending' })] })))).toMatchObject({
      paths: ['transactions[0].status'],
      code: 'needs_review',
    });
  });

  it('refuses mixed currencies, bad amounts and bad lines, each at its path', () => {
    const body = refund({
      transactions: [tx({}), tx({ id: 2, currency: 'EUR' }), tx({ id: 3, amount: '1.005' })],
      refund_line_items: [{ line_item_id: 'x', quantity: 0, restock_type: 'return' }],
    });
    expect(failure(mapShopifyWebhook('refunds/create', body)).paths).toEqual([
      'refund_line_items[0].line_item_id',
      'refund_line_items[0].quantity',
      'transactions[1].currency',
      'transactions[2].amount',
    ]);
    expect(failure(mapShopifyWebhook('refunds/create', refund({ id: undefined, order_id: undefined }))).paths).toEqual(['id', 'order_id']);
  });
});

describe('fulfillments/*', () => {
  const fulfillment = (over: Record<string, unknown>) => ({
    id: 501,
    order_id: 1001,
    status: 'success',
    created_at: '2024-05-01T10:05:00Z',
    updated_at: '2024-05-01T12:00:00Z',
    tracking_company: 'UPS',
    tracking_number: '1Z1',
    tracking_numbers: ['1Z1'],
    line_items: [{ id: 11, quantity: 2, fulfillable_quantity: 0 }],
    ...over,
  });

  it.each(['pending', 'open', 'failure', 'error'])('status %s is acknowledged with nothing to record', (status) => {
    expect(mapShopifyWebhook('fulfillments/update', fulfillment({ status }))).toEqual({ ok: true, messages: [], ignored: `fulfillment status ${status}: nothing shipped` });
  });

  it('a cancelled fulfillment may undo a recorded shipment: it goes to a human', () => {
    expect(failure(mapShopifyWebhook('fulfillments/update', fulfillment({ status: 'cancelled' })))).toMatchObject({ paths: ['status'], code: 'needs_review' });
    expect(failure(mapShopifyWebhook('fulfillments/update', fulfillment({ status: 'teleported' })))).toMatchObject({ paths: ['status'], code: 'unknown_code' });
  });

  it('several tracking numbers become packages; the first is the tracking number', () => {
    const m = only('fulfillments/create', fulfillment({ tracking_number: '1Z1', tracking_numbers: ['1Z1', '1Z2', ' 1Z2 '] }));
    expect(m).toMatchObject({ trackingNumber: '1Z1', packages: [{ trackingNumber: '1Z1' }, { trackingNumber: '1Z2' }], shippedAt: '2024-05-01T10:05:00Z' });
  });

  it('a create and an update of the same fulfillment name the same shipment', () => {
    const created = only('fulfillments/create', fulfillment({}));
    const updated = only('fulfillments/update', fulfillment({}));
    expect(created).toMatchObject({ shipmentId: '501', externalId: '1001', lines: [{ lineId: '11', quantity: 2 }] });
    expect(updated).toMatchObject({ shipmentId: '501', shippedAt: '2024-05-01T12:00:00Z' });
  });

  it('refuses a shipment of nothing, and one without its order, naming the fields', () => {
    expect(failure(mapShopifyWebhook('fulfillments/create', fulfillment({ line_items: [] }))).paths).toEqual(['line_items']);
    expect(failure(mapShopifyWebhook('fulfillments/create', fulfillment({ order_id: null, line_items: [{ id: 11 }] }))).paths).toEqual([
      'order_id',
      'line_items[0].quantity',
    ]);
  });
});
