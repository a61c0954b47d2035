// Every real Shopify payload in ../shared/fixtures/real/shopify, mapped as the webhook it stands for.
import { describe, expect, it } from 'vitest';
import { PlaceOrderSchema } from '../../src/api/schemas.js';
import type { InboundMessage } from '../../src/connectors/port.js';
import { mapShopifyWebhook, type ShopifyMapResult, type ShopifyMapping } from '../../src/connectors/shopify/index.js';
import type { OrderDraft } from '../../src/domain/order/model.js';
import { validateDraft } from '../../src/domain/order/validateDraft.js';
import { copy, shopifyFixtureFiles, webhookBody } from './shopify.support.js';

const FREE_SHIPPING: ShopifyMapping = { shipMethods: { 'Free Shipping': 'standard' } };

/** Which webhook each fixture stands for (SOURCES.md), and the root key its file keeps. */
const FIXTURES: Record<string, { topic: string; root?: 'order' | 'refund' | 'fulfillment' }> = {
  'api-js-2024-01_fulfillment_create_partial_ups.response.json': { topic: 'fulfillments/create', root: 'fulfillment' },
  'api-js-2024-01_order_create_multi_line.response.json': { topic: 'orders/create', root: 'order' },
  'api-js-2024-01_order_create_with_customer_addresses.response.json': { topic: 'orders/create', root: 'order' },
  'api-js-2024-01_refund_create.response.json': { topic: 'refunds/create', root: 'refund' },
  'api-ruby-2025-07_order_cancel.response.json': { topic: 'orders/cancelled', root: 'order' },
  'fulfillment_webhook.json': { topic: 'fulfillments/create' },
  'order.json': { topic: 'orders/create', root: 'order' },
};

const map = (name: string, mapping: ShopifyMapping = {}, topic?: string): ShopifyMapResult => {
  const f = FIXTURES[name];
  if (!f) throw new Error(`no entry for ${name}`);
  return mapShopifyWebhook(topic ?? f.topic, webhookBody(name, f.root), mapping);
};

function messages(r: ShopifyMapResult): readonly InboundMessage[] {
  if (!r.ok) throw new Error(`expected a mapping, got: ${r.reason}`);
  return r.messages;
}

function draftOf(r: ShopifyMapResult): OrderDraft {
  const [first, ...rest] = messages(r);
  if (first?.type !== 'order.place') throw new Error(`expected order.place, got ${first?.type}`);
  expect(rest.every((m) => m.type === 'order.fulfilled_by_channel')).toBe(true);
  return first.draft;
}

/** What POST /v1/orders would accept, and what the decider's last line of defence accepts. */
function expectPlaceable(draft: OrderDraft): void {
  const parsed = PlaceOrderSchema.safeParse(draft);
  expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
  expect(validateDraft(draft)).toEqual([]);
}

describe('the fixture table', () => {
  it('covers every file in fixtures/real/shopify, and every file either maps or fails with a reason', () => {
    expect(shopifyFixtureFiles()).toEqual(Object.keys(FIXTURES).sort());
    for (const name of shopifyFixtureFiles()) {
      const r = map(name, { ...FREE_SHIPPING, defaultShipMethod: 'standard' });
      if (!r.ok) {
        expect(r.reason.length, name).toBeGreaterThan(0);
        for (const e of r.errors) expect(r.reason, name).toContain(`${e.path}: ${e.message}`);
      } else expect(r.messages.length > 0 || (r.ignored ?? '').length > 0, name).toBe(true);
    }
  });
});

describe('orders/create', () => {
  it('order.json (#1001, authorized, legacy schema without *_set): the full draft', () => {
    const r = map('order.json', FREE_SHIPPING);
    expect(messages(r)).toHaveLength(1); // its one fulfillment has status failure: nothing shipped
    const draft = draftOf(r);
    expect(draft).toEqual({
      externalId: '450789469',
      channel: 'shopify',
      currency: 'USD',
      placedAt: '2008-01-10T11:00:00-05:00',
      customer: { id: '207119551', email: 'bob.norman@hostmail.com', name: 'Bob Norman', tier: 'standard' },
      shipTo: {
        name: 'Bob Norman', line1: 'Chestnut Street 92', city: 'Louisville', region: 'KY', postalCode: '40202',
        country: 'US', phone: '555-625-1199', lat: 45.41634, lon: -75.6868,
      },
      fulfillment: { type: 'ship', shipMethod: 'standard' },
      lines: [
        { lineId: '466157049', sku: 'IPOD2008GREEN', quantity: 1, unitPrice: 19900 },
        { lineId: '518995019', sku: 'IPOD2008RED', quantity: 1, unitPrice: 19900 },
        { lineId: '703073504', sku: 'IPOD2008BLACK', quantity: 1, unitPrice: 19900 },
      ],
      payment: { authorizationId: 'shopify:450789469', amount: 40994 },
      externalRefs: [{ system: 'shopify.name', id: '#1001' }],
    });
    expect('line2' in (draft.shipTo ?? {})).toBe(false); // address2 "" is absent, not an empty string
    expectPlaceable(draft);
  });

  it('order.json without a ship-method table: the unknown code is not guessed', () => {
    const r = map('order.json');
    expect(r).toMatchObject({ ok: false, code: 'unknown_code' });
    expect(r.ok ? [] : r.errors.map((e) => e.path)).toEqual(['shipping_lines[0].code']);
    expect(r.ok ? '' : r.reason).toContain("'Free Shipping'");
  });

  it('with customer and addresses (Canada, partially_paid, no shipping lines): paid part is the payment', () => {
    expect(map('api-js-2024-01_order_create_with_customer_addresses.response.json')).toMatchObject({
      ok: false,
      errors: [{ path: 'shipping_lines', code: 'unknown_code' }],
    });
    const draft = draftOf(map('api-js-2024-01_order_create_with_customer_addresses.response.json', { defaultShipMethod: 'expedited' }));
    expect(draft.externalId).toBe('1073459969');
    expect(draft.currency).toBe('USD');
    expect(draft.lines).toEqual([{ lineId: '1071823199', sku: 'IPOD2009BLACK', quantity: 1, unitPrice: 19900 }]);
    expect(draft.fulfillment).toEqual({ type: 'ship', shipMethod: 'expedited' });
    // latitude/longitude are null here: absent, not 0
    expect(draft.shipTo).toEqual({ name: 'Jane Smith', line1: '123 Fake Street', city: 'Fakecity', region: 'ON', postalCode: 'K2P 1L4', country: 'CA', phone: '777-777-7777' });
    expect(draft.customer).toEqual({ id: '1073339463', email: 'jane@example.com', name: 'John Smith', tier: 'standard' });
    // partially_paid: total_price 199.00 − total_outstanding 149.00
    expect(draft.payment).toEqual({ authorizationId: 'shopify:1073459969', amount: 5000 });
    expect(draft.externalRefs).toEqual([
      { system: 'shopify.name', id: '#1002' },
      { system: 'shopify.gid', id: 'gid://shopify/Order/1073459969' },
    ]);
    expectPlaceable(draft);
  });

  it('multi-line custom items (null SKUs, no variant, no address): fails naming each field', () => {
    const r = map('api-js-2024-01_order_create_multi_line.response.json', { defaultShipMethod: 'standard', missingSku: 'variant' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe('missing_sku');
    expect(r.errors.map((e) => e.path)).toEqual(['line_items[0].sku', 'line_items[1].sku', 'line_items[2].sku', 'shipping_address']);
    expect(r.reason).toContain('custom line item');
  });

  it('multi-line, once the test supplies SKUs and an address: exact prices, quantity 2, paid total', () => {
    const body = copy(webhookBody('api-js-2024-01_order_create_multi_line.response.json', 'order')) as {
      line_items: { sku: string | null }[];
      shipping_address: unknown;
    };
    body.line_items.forEach((li, i) => (li.sku = `CUSTOM-${i}`));
    body.shipping_address = { address1: '1 Main St', city: 'Ottawa', zip: 'K1A 0B1', country_code: 'CA', latitude: null, longitude: null };
    const draft = draftOf(mapShopifyWebhook('orders/create', body, { defaultShipMethod: 'standard' }));
    expect(draft.lines).toEqual([
      { lineId: '1071823190', sku: 'CUSTOM-0', quantity: 1, unitPrice: 12999 },
      { lineId: '1071823191', sku: 'CUSTOM-1', quantity: 1, unitPrice: 8595 },
      { lineId: '1071823192', sku: 'CUSTOM-2', quantity: 2, unitPrice: 1999 },
    ]);
    expect(draft.payment).toEqual({ authorizationId: 'shopify:1073459962', amount: 27037 }); // paid: total incl. 14.45 tax
    expect(draft.customer).toEqual({ tier: 'standard' }); // customer null, email ""
    expectPlaceable(draft);
  });

  it('the 2025-07 order (current_quantity 0 after refunds, partially_refunded) places what was ordered', () => {
    const draft = draftOf(map('api-ruby-2025-07_order_cancel.response.json', FREE_SHIPPING, 'orders/create'));
    expect(draft.lines.map((l) => [l.lineId, l.sku, l.quantity, l.unitPrice])).toEqual([
      ['466157049', 'IPOD2008GREEN', 1, 19900],
      ['518995019', 'IPOD2008RED', 1, 19900],
      ['703073504', 'IPOD2008BLACK', 1, 19900],
    ]);
    expect(draft.payment).toEqual({ authorizationId: 'shopify:450789469', amount: 59894 });
    expect(draft.customer.phone).toBe('+557734881234');
    expectPlaceable(draft);
  });
});

describe('orders/cancelled', () => {
  it('the cancel response (#1001, cancel_reason other) → order.cancel of the whole order', () => {
    expect(messages(map('api-ruby-2025-07_order_cancel.response.json'))).toEqual([
      { type: 'order.cancel', channel: 'shopify', externalId: '450789469', reason: 'other' },
    ]);
  });
});

describe('refunds/create', () => {
  it('refund 929361466: 41.94 from the refund transaction, one line, no restock', () => {
    expect(messages(map('api-js-2024-01_refund_create.response.json'))).toEqual([
      {
        type: 'order.refunded',
        channel: 'shopify',
        externalId: '450789469',
        refundId: '929361466',
        amount: 4194,
        currency: 'USD',
        lines: [{ lineId: '518995019', quantity: 1, restock: false }],
      },
    ]);
  });

  it('the refunds inside the 2025-07 order, posted as refunds/create: 209.00, two legacy restocks', () => {
    const order = webhookBody('api-ruby-2025-07_order_cancel.response.json', 'order') as { refunds: unknown[] };
    expect(messages(mapShopifyWebhook('refunds/create', order.refunds[0]))).toEqual([
      {
        type: 'order.refunded', channel: 'shopify', externalId: '450789469', refundId: '509562969', amount: 20900, currency: 'USD',
        lines: [
          { lineId: '703073504', quantity: 1, restock: true },
          { lineId: '466157049', quantity: 1, restock: true },
        ],
      },
    ]);
  });
});

describe('fulfillments', () => {
  it('the partial UPS fulfillment (success) → order.fulfilled_by_channel of its one line', () => {
    expect(messages(map('api-js-2024-01_fulfillment_create_partial_ups.response.json'))).toEqual([
      {
        type: 'order.fulfilled_by_channel',
        channel: 'shopify',
        externalId: '450789469',
        shipmentId: '1069019875',
        lines: [{ lineId: '1071823181', quantity: 1 }], // quantity, not fulfillable_quantity (0)
        carrier: 'UPS',
        trackingNumber: '1Z001985YW99744790',
        shippedAt: '2024-01-02T09:01:51-05:00',
      },
    ]);
  });

  it('the fulfillment-service webhook (pending) is acknowledged with nothing to do', () => {
    expect(map('fulfillment_webhook.json')).toEqual({ ok: true, messages: [], ignored: 'fulfillment status pending: nothing shipped' });
  });

  it('the same fulfillment updated to success ships at updated_at, with no carrier when tracking_company is null', () => {
    const body = { ...webhookBody('fulfillment_webhook.json'), status: 'success', updated_at: '2014-04-29T09:00:00-04:00' };
    expect(messages(mapShopifyWebhook('fulfillments/update', body))).toEqual([
      {
        type: 'order.fulfilled_by_channel', channel: 'shopify', externalId: '450789469', shipmentId: '255858046',
        lines: [{ lineId: '466157049', quantity: 1 }], trackingNumber: '1Z2345', shippedAt: '2014-04-29T09:00:00-04:00',
      },
    ]);
  });
});

describe('API responses are not webhook bodies', () => {
  it('a body wrapped in its own resource key (as the real samples are) maps exactly as the bare resource', () => {
    const r = mapShopifyWebhook('orders/create', webhookBody('order.json'), FREE_SHIPPING);
    expect(r.ok).toBe(true);
    expect(r).toEqual(mapShopifyWebhook('orders/create', webhookBody('order.json', 'order'), FREE_SHIPPING));
  });

  it('a body wrapped in another resource key fails plainly instead of being guessed at', () => {
    const r = mapShopifyWebhook('refunds/create', webhookBody('order.json'), FREE_SHIPPING);
    expect(r).toMatchObject({ ok: false, code: 'invalid_payload', errors: [{ path: 'id' }] });
    expect(r.ok ? '' : r.reason).toContain('root key (order)');
  });
});
