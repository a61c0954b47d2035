import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mapShopifyWebhook, parseMinor } from '../../src/connectors/shopify/index.js';
import { MAX_MINOR_AMOUNT } from '../../src/domain/money.js';
import { MAPPING, base, draftOf, failure, set } from './shopify.support.js';

describe('parseMinor: Shopify amounts to exact minor units', () => {
  it.each([
    ['199.00', 'USD', 19900],
    ['0.1', 'USD', 10],
    ['10', 'USD', 1000],
    ['199.000', 'USD', 19900],
    ['0.00', 'USD', 0],
    ['4.35', 'USD', 435], // 4.35 * 100 is 434.99999999999994 in floating point
    [195.66, 'USD', 19566], // a JSON number (refund_line_items[].subtotal)
    [0.1, 'USD', 10],
    [10, 'USD', 1000],
    ['1.234', 'KWD', 1234],
    ['0.5', 'KWD', 500],
    ['1000', 'JPY', 1000],
    ['1000.0', 'JPY', 1000],
    [2980, 'JPY', 2980],
  ] as const)('%s %s → %d', (value, currency, minor) => {
    expect(parseMinor(value, currency)).toEqual({ ok: true, minor });
  });

  it.each([
    ['0.125', 'USD', /more decimal places than USD has \(2\)/],
    ['1000.5', 'JPY', /more decimal places than JPY has \(0\)/],
    ['1.2345', 'KWD', /more decimal places than KWD has \(3\)/],
    [0.30000000000000004, 'USD', /more decimal places/],
    ['abc', 'USD', /is not a decimal amount/],
    ['', 'USD', /is not a decimal amount/],
    ['1,000.00', 'USD', /is not a decimal amount/],
    ['1e3', 'USD', /is not a decimal amount/],
    [1e21, 'USD', /is not a decimal amount/],
    ['-1.00', 'USD', /is negative/],
    [Number.NaN, 'USD', /finite/],
    [Number.POSITIVE_INFINITY, 'USD', /finite/],
    [null, 'USD', /decimal amount such as/],
    [{ amount: '1.00' }, 'USD', /decimal amount such as/],
    ['12.50', 'XXX', /unknown ISO 4217 currency XXX/],
    ['99999999999999.99', 'USD', /is not a decimal amount/], // beyond MAX_MINOR_AMOUNT
  ] as const)('%s %s is refused', (value, currency, message) => {
    const r = parseMinor(value, currency);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.message).toMatch(message);
  });

  it('quotes at most 40 characters of a bad value', () => {
    const r = parseMinor('9'.repeat(5000), 'USD');
    expect(r.ok ? '' : r.message.length).toBeLessThan(80);
  });

  const CURRENCIES = [['JPY', 0], ['USD', 2], ['KWD', 3]] as const;
  const decimal = (minor: number, exponent: number): string => {
    const digits = String(minor).padStart(exponent + 1, '0');
    return exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
  };

  it('property: the decimal text of any amount, and the JSON number it reads as, parse back to it exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_MINOR_AMOUNT }), fc.constantFrom(...CURRENCIES), (minor, [currency, exponent]) => {
        const text = decimal(minor, exponent);
        expect(parseMinor(text, currency)).toEqual({ ok: true, minor });
        expect(parseMinor(Number(text), currency)).toEqual({ ok: true, minor });
      }),
      { numRuns: 500 },
    );
  });
});

describe('multi-currency orders', () => {
  /** A USD shop selling to a customer who pays in `code`. */
  const presented = (code: string, price: string, total: string) =>
    base({
      presentment_currency: code,
      line_items: [{ id: 11, sku: 'SKU-1', quantity: 2, price: '12.50', price_set: set('12.50', 'USD', price, code) }],
      total_price_set: set('25.00', 'USD', total, code),
    });

  it('keeps the order in the presentment currency by default: what the customer paid, as refunds are', () => {
    const draft = draftOf(mapShopifyWebhook('orders/create', presented('EUR', '11.60', '23.20'), MAPPING));
    expect(draft.currency).toBe('EUR');
    expect(draft.lines[0]?.unitPrice).toBe(1160);
    expect(draft.payment?.amount).toBe(2320);
  });

  it('or in the shop currency when the mapping says so', () => {
    const draft = draftOf(mapShopifyWebhook('orders/create', presented('EUR', '11.60', '23.20'), { ...MAPPING, currency: 'shop' }));
    expect([draft.currency, draft.lines[0]?.unitPrice, draft.payment?.amount]).toEqual(['USD', 1250, 2500]);
  });

  it('reads 0- and 3-decimal presentment currencies exactly', () => {
    const yen = draftOf(mapShopifyWebhook('orders/create', presented('JPY', '1980', '3960'), MAPPING));
    expect([yen.currency, yen.lines[0]?.unitPrice, yen.payment?.amount]).toEqual(['JPY', 1980, 3960]);
    const dinar = draftOf(mapShopifyWebhook('orders/create', presented('KWD', '3.875', '7.750'), MAPPING));
    expect([dinar.currency, dinar.lines[0]?.unitPrice, dinar.payment?.amount]).toEqual(['KWD', 3875, 7750]);
    expect(failure(mapShopifyWebhook('orders/create', presented('JPY', '1980.50', '3961'), MAPPING)).paths).toEqual([
      'line_items[0].price_set.presentment_money.amount',
    ]);
  });

  it('never reads a shop-currency plain field as a presentment amount', () => {
    const body = base({ presentment_currency: 'EUR' }); // plain price/total_price only: they are USD
    const f = failure(mapShopifyWebhook('orders/create', body, MAPPING));
    expect(f.paths).toEqual(['line_items[0].price_set', 'total_price_set']);
    expect(f.reason).toContain('only in the *_set object');
  });

  it('refuses a *_set whose currency is not the order currency, naming it', () => {
    const body = { ...presented('EUR', '11.60', '23.20'), line_items: [{ id: 11, sku: 'S', quantity: 2, price: '12.50', price_set: set('12.50', 'USD', '11.60', 'GBP') }] };
    expect(failure(mapShopifyWebhook('orders/create', body, MAPPING)).paths).toEqual(['line_items[0].price_set.presentment_money.currency_code']);
  });

  it('partially_paid in another presentment currency: the paid part is unknown, so a human decides', () => {
    const body = { ...presented('EUR', '11.60', '23.20'), financial_status: 'partially_paid', total_outstanding: '5.00' };
    expect(failure(mapShopifyWebhook('orders/create', body, MAPPING))).toMatchObject({ paths: ['total_outstanding'], code: 'needs_review' });
  });

  it('refuses an unknown currency and a malformed price, each at its own path', () => {
    expect(failure(mapShopifyWebhook('orders/create', base({ currency: 'ZZZ' }), MAPPING)).paths).toEqual(['currency']);
    const body = base({ line_items: [{ id: 11, sku: 'S', quantity: 1, price: '12.5.0' }], total_price: 'free' });
    expect(failure(mapShopifyWebhook('orders/create', body, MAPPING)).paths).toEqual(['line_items[0].price', 'total_price']);
  });
});
