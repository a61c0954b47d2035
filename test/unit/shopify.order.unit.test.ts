// orders/create rules beyond the fixtures: SKUs, ship methods and pickup, payment, ids, addresses.
import { describe, expect, it } from 'vitest';
import { PlaceOrderSchema } from '../../src/api/schemas.js';
import { mapShopifyWebhook, parseShopifyMapping, type ShopifyMapping } from '../../src/connectors/shopify/index.js';
import { MAPPING, base, draftOf, failure } from './shopify.support.js';

const place = (body: unknown, mapping: ShopifyMapping = MAPPING) => mapShopifyWebhook('orders/create', body, mapping);
const line = (over: Record<string, unknown>) => ({ id: 11, sku: 'SKU-1', variant_id: 21, quantity: 2, price: '12.50', ...over });

describe('SKU rule', () => {
  it('keeps a present SKU, or its alias', () => {
    expect(draftOf(place(base())).lines[0]?.sku).toBe('SKU-1');
    expect(draftOf(place(base(), { ...MAPPING, skuAliases: { 'SKU-1': 'ERP-77' } })).lines[0]?.sku).toBe('ERP-77');
  });

  it.each([null, '', '   ', undefined])('a line with sku %j and a variant is refused by default, saying how to fix it', (sku) => {
    const f = failure(place(base({ line_items: [line({ sku })] })));
    expect(f).toMatchObject({ paths: ['line_items[0].sku'], code: 'missing_sku' });
    expect(f.reason).toContain('variant:21');
  });

  it("uses the variant's alias when one is configured, else variant:<id> when missingSku is 'variant'", () => {
    const body = base({ line_items: [line({ sku: null })] });
    expect(draftOf(place(body, { ...MAPPING, skuAliases: { 'variant:21': 'ERP-21' } })).lines[0]?.sku).toBe('ERP-21');
    expect(draftOf(place(body, { ...MAPPING, missingSku: 'variant' })).lines[0]?.sku).toBe('variant:21');
  });

  it('never reads the prototype as an alias table', () => {
    const body = base({ line_items: [line({ sku: 'constructor' })] });
    expect(draftOf(place(body, { ...MAPPING, skuAliases: {} })).lines[0]?.sku).toBe('constructor');
  });

  it('refuses a SKU longer than Orderly keeps, and a non-string SKU', () => {
    expect(failure(place(base({ line_items: [line({ sku: 'X'.repeat(129) })] }))).paths).toEqual(['line_items[0].sku']);
    expect(failure(place(base({ line_items: [line({ sku: 42 })] }))).paths).toEqual(['line_items[0].sku']);
  });
});

describe('ship method and pickup', () => {
  it('matches the shipping line code case-insensitively, then its title', () => {
    const byCode = base({ shipping_lines: [{ code: ' std ', title: 'whatever' }] });
    expect(draftOf(place(byCode)).fulfillment).toEqual({ type: 'ship', shipMethod: 'standard' });
    const byTitle = base({ shipping_lines: [{ code: 'X-99', title: 'Overnight Air' }] });
    expect(draftOf(place(byTitle, { shipMethods: { 'overnight air': 'overnight' } })).fulfillment).toEqual({ type: 'ship', shipMethod: 'overnight' });
  });

  it('an unknown code fails without a default, and takes the configured default with one', () => {
    const body = base({ shipping_lines: [{ code: 'DRONE', title: 'Drone' }] });
    expect(failure(place(body))).toMatchObject({ paths: ['shipping_lines[0].code'], code: 'unknown_code' });
    expect(draftOf(place(body, { ...MAPPING, defaultShipMethod: 'same_day' })).fulfillment).toEqual({ type: 'ship', shipMethod: 'same_day' });
  });

  it('a line mapped in pickupStores makes a pickup order, which needs no address', () => {
    const body = base({ shipping_lines: [{ code: 'Pickup', title: 'Pick up at Main St' }], shipping_address: null });
    const draft = draftOf(place(body, { ...MAPPING, pickupStores: { pickup: 'store-12' } }));
    expect(draft.fulfillment).toEqual({ type: 'pickup', storeId: 'store-12' });
    expect(draft.shipTo).toBeUndefined();
    expect(PlaceOrderSchema.safeParse(draft).success).toBe(true);
  });

  it('a shipped order without an address fails at shipping_address', () => {
    expect(failure(place(base({ shipping_address: null }))).paths).toEqual(['shipping_address']);
  });

  it('ignores removed shipping lines, and refuses lines that disagree', () => {
    const removed = base({ shipping_lines: [{ code: 'DRONE', is_removed: true }, { code: 'STD' }] });
    expect(draftOf(place(removed)).fulfillment).toEqual({ type: 'ship', shipMethod: 'standard' });
    const mixed = base({ shipping_lines: [{ code: 'STD' }, { code: 'EXP' }] });
    expect(failure(place(mixed, { shipMethods: { STD: 'standard', EXP: 'expedited' } }))).toMatchObject({ paths: ['shipping_lines'], code: 'needs_review' });
  });

  it('no shipping lines: the default, or a failure naming shipping_lines', () => {
    expect(failure(place(base({ shipping_lines: [] })))).toMatchObject({ paths: ['shipping_lines'], code: 'unknown_code' });
    expect(draftOf(place(base({ shipping_lines: [] }), { defaultShipMethod: 'standard' })).fulfillment).toEqual({ type: 'ship', shipMethod: 'standard' });
  });
});

describe('payment', () => {
  it.each([
    ['authorized', 2500],
    ['paid', 2500],
    ['partially_refunded', 2500],
    ['pending', undefined],
    ['unpaid', undefined],
    ['voided', undefined],
    [null, undefined],
  ])('financial_status %s → amount %s', (status, amount) => {
    const draft = draftOf(place(base({ financial_status: status })));
    expect(draft.payment).toEqual(amount === undefined ? undefined : { authorizationId: 'shopify:1001', amount });
  });

  it('partially_paid records what was received; an outstanding amount beyond the total is refused', () => {
    expect(draftOf(place(base({ financial_status: 'partially_paid', total_outstanding: '5.01' }))).payment).toEqual({ authorizationId: 'shopify:1001', amount: 1999 });
    expect(failure(place(base({ financial_status: 'partially_paid', total_outstanding: '30.00' }))).paths).toEqual(['total_outstanding']);
  });

  it('an unknown financial status is not guessed', () => {
    expect(failure(place(base({ financial_status: 'sort_of_paid' })))).toMatchObject({ paths: ['financial_status'], code: 'unknown_code' });
  });
});

describe('ids, lines and times', () => {
  it('takes an id sent as a string; refuses one past 2^53, a negative one, and none', () => {
    expect(draftOf(place(base({ id: '5468795191489' }))).externalId).toBe('5468795191489');
    const f = failure(place(base({ id: 2 ** 53 + 2 })));
    expect(f.paths).toEqual(['id']);
    expect(f.reason).toContain('beyond 2^53');
    expect(failure(place(base({ id: -4 }))).paths).toEqual(['id']);
    expect(failure(place(base({ id: undefined }))).paths).toEqual(['id']);
  });

  it('reports every bad field of a payload at once', () => {
    const body = base({
      created_at: 'yesterday',
      line_items: [line({ quantity: 0 }), line({ id: 12, quantity: 1.5 }), line({ id: 11 }), 'nope'],
    });
    expect(failure(place(body)).paths).toEqual(['created_at', 'line_items[0].quantity', 'line_items[1].quantity', 'line_items[3]']);
    expect(failure(place(base({ line_items: [line({}), line({})] }))).paths).toEqual(['line_items[1].id']);
    expect(failure(place(base({ line_items: [] }))).paths).toEqual(['line_items']);
    expect(failure(place(base({ line_items: undefined }))).paths).toEqual(['line_items']);
  });

  it('places the ordered quantity, not what is left to fulfil', () => {
    const body = base({ line_items: [line({ quantity: 3, fulfillable_quantity: 1, current_quantity: 2 })], total_price: '37.50' });
    expect(draftOf(place(body)).lines[0]?.quantity).toBe(3);
  });
});

describe('addresses and the customer', () => {
  it('needs an ISO country code on the shipping address', () => {
    expect(failure(place(base({ shipping_address: { city: 'Seattle' } }))).paths).toEqual(['shipping_address.country_code']);
    expect(failure(place(base({ shipping_address: { country_code: 'USA' } }))).paths).toEqual(['shipping_address.country_code']);
    expect(failure(place(base({ shipping_address: { country_code: 'U1' } }))).paths).toEqual(['shipping_address.country_code']);
  });

  it('reads coordinates as numbers or decimal strings, and refuses nonsense', () => {
    const address = { country_code: 'us', latitude: '47.61', longitude: -122.33 };
    expect(draftOf(place(base({ shipping_address: address }))).shipTo).toEqual({ country: 'US', lat: 47.61, lon: -122.33 });
    const bad = { country_code: 'US', latitude: 'north', longitude: 200 };
    expect(failure(place(base({ shipping_address: bad }))).paths).toEqual(['shipping_address.latitude', 'shipping_address.longitude']);
  });

  it('never quotes personal data in a reason', () => {
    const name = `Zebedee ${'Q'.repeat(200)}`;
    const email = `${'z'.repeat(250)}@example.com`;
    const body = base({ email, shipping_address: { name, address1: `${'9'.repeat(201)} Secret Lane`, country_code: 'US' } });
    const f = failure(place(body));
    expect(f.paths).toEqual(['shipping_address.name', 'shipping_address.address1', 'email']);
    expect(f.reason).not.toMatch(/Zebedee|Secret Lane|zzzz/);
  });

  it('takes email and phone from the order before the customer record, and the tier from the mapping', () => {
    const body = base({ email: 'order@example.com', phone: '+1 555 0100', customer: { id: 9, email: 'old@example.com', phone: '+1 555 0199', first_name: 'Ada', last_name: null } });
    expect(draftOf(place(body, { ...MAPPING, customerTier: 'gold' })).customer).toEqual({ id: '9', email: 'order@example.com', phone: '+1 555 0100', name: 'Ada', tier: 'gold' });
  });
});

describe('fulfillments Shopify already completed', () => {
  it('follow the order.place as order.fulfilled_by_channel messages, in order', () => {
    const body = base({
      fulfillments: [
        { id: 501, order_id: 1001, status: 'success', created_at: '2024-05-01T10:05:00Z', tracking_company: 'USPS', tracking_number: '9400', line_items: [{ id: 11, quantity: 2 }] },
        { id: 502, order_id: 1001, status: 'failure', created_at: '2024-05-01T10:06:00Z', line_items: [{ id: 11, quantity: 2 }] },
      ],
    });
    const r = place(body);
    expect(r.ok && r.messages.map((m) => m.type)).toEqual(['order.place', 'order.fulfilled_by_channel']);
    expect(r.ok && r.messages[1]).toEqual({
      type: 'order.fulfilled_by_channel', channel: 'shopify', externalId: '1001', shipmentId: '501',
      lines: [{ lineId: '11', quantity: 2 }], carrier: 'USPS', trackingNumber: '9400', shippedAt: '2024-05-01T10:05:00Z',
    });
  });
});

describe('parseShopifyMapping', () => {
  it('accepts a full mapping and names every bad field of a wrong one', () => {
    const good = { shipMethods: { STD: 'standard' }, defaultShipMethod: 'expedited', pickupStores: { Pickup: 'store-1' }, skuAliases: { 'variant:1': 'A' }, missingSku: 'variant', currency: 'shop', customerTier: 'gold' };
    expect(parseShopifyMapping(good)).toEqual({ ok: true, mapping: good });
    const bad = parseShopifyMapping({ shipMethods: { STD: 'teleport' }, missingSku: 'guess', colour: 'red' });
    expect(bad.ok ? [] : bad.errors.map((e) => e.path).sort()).toEqual(['mapping', 'missingSku', 'shipMethods.STD']);
  });
});
