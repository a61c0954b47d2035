import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { e2eStores, startTestServer } from '../support/server.js';
import type { ApiResponse, OrderBody } from './orders.helpers.js';
import { byExternalId, countOrders, expectProblem, expectValidation, orderBody, uid } from './orders.helpers.js';

/**
 * Bad input gets a clear error naming the field, and writes nothing (issue 2, §7): every case
 * checks 400 validation_failed, an errors[].path, no order under its externalId, and an unchanged
 * count of all orders.
 */
const line = (extra: Record<string, unknown> = {}) => ({ lineId: '1', sku: 'SKU-RED', quantity: 2, unitPrice: 1999, ...extra });
const omit = (key: keyof OrderBody) => (b: OrderBody): Record<string, unknown> => {
  const copy: Record<string, unknown> = { ...b };
  delete copy[key];
  return copy;
};

interface Case {
  readonly name: string;
  readonly body: (base: OrderBody) => unknown;
  readonly path: string | RegExp;
}

const CASES: Case[] = [
  // wrong types
  { name: 'quantity as a string', body: (b) => ({ ...b, lines: [line({ quantity: '2' })] }), path: 'lines[0].quantity' },
  { name: 'unitPrice as a string', body: (b) => ({ ...b, lines: [line({ unitPrice: '19.99' })] }), path: 'lines[0].unitPrice' },
  { name: 'externalId as a number', body: (b) => ({ ...b, externalId: 1001 }), path: 'externalId' },
  { name: 'lines as an object', body: (b) => ({ ...b, lines: { lineId: '1' } }), path: 'lines' },
  { name: 'a line that is not an object', body: (b) => ({ ...b, lines: ['SKU-RED'] }), path: 'lines[0]' },
  { name: 'payment as a string', body: (b) => ({ ...b, payment: 'paid' }), path: 'payment' },
  { name: 'shipTo.lat as a string', body: (b) => ({ ...b, shipTo: { ...b.shipTo, lat: 'north' } }), path: 'shipTo.lat' },
  // missing required fields
  { name: 'missing externalId', body: omit('externalId'), path: 'externalId' },
  { name: 'missing lines', body: omit('lines'), path: 'lines' },
  { name: 'missing currency', body: omit('currency'), path: 'currency' },
  { name: 'missing channel', body: omit('channel'), path: 'channel' },
  { name: 'a line without sku', body: (b) => ({ ...b, lines: [{ lineId: '1', quantity: 1, unitPrice: 1 }] }), path: 'lines[0].sku' },
  { name: 'a line without lineId', body: (b) => ({ ...b, lines: [{ sku: 'S', quantity: 1, unitPrice: 1 }] }), path: 'lines[0].lineId' },
  { name: 'a line without quantity', body: (b) => ({ ...b, lines: [{ lineId: '1', sku: 'S', unitPrice: 1 }] }), path: 'lines[0].quantity' },
  { name: 'a line without unitPrice', body: (b) => ({ ...b, lines: [{ lineId: '1', sku: 'S', quantity: 1 }] }), path: 'lines[0].unitPrice' },
  { name: 'empty externalId', body: (b) => ({ ...b, externalId: '' }), path: 'externalId' },
  { name: 'no lines', body: (b) => ({ ...b, lines: [] }), path: 'lines' },
  { name: 'payment without amount', body: (b) => ({ ...b, payment: { authorizationId: 'a-1' } }), path: 'payment.amount' },
  // quantities
  { name: 'quantity beyond the per-line maximum', body: (b) => ({ ...b, lines: [line({ quantity: 1_000_001 })] }), path: 'lines[0].quantity' },
  { name: 'zero quantity', body: (b) => ({ ...b, lines: [line({ quantity: 0 })] }), path: 'lines[0].quantity' },
  { name: 'negative quantity', body: (b) => ({ ...b, lines: [line({ quantity: -1 })] }), path: 'lines[0].quantity' },
  { name: 'fractional quantity', body: (b) => ({ ...b, lines: [line({ quantity: 1.5 })] }), path: 'lines[0].quantity' },
  { name: 'fractional quantity on the second line', body: (b) => ({ ...b, lines: [line(), line({ lineId: '2', quantity: 0.5 })] }), path: 'lines[1].quantity' },
  // money
  { name: 'unitPrice beyond the largest amount', body: (b) => ({ ...b, lines: [line({ unitPrice: 1_000_000_000_001 })] }), path: 'lines[0].unitPrice' },
  { name: 'unitPrice beyond 2^53', body: (b) => ({ ...b, lines: [line({ unitPrice: 2 ** 60 })] }), path: 'lines[0].unitPrice' },
  { name: 'non-integer unitPrice', body: (b) => ({ ...b, lines: [line({ unitPrice: 19.99 })] }), path: 'lines[0].unitPrice' },
  { name: 'negative unitPrice', body: (b) => ({ ...b, lines: [line({ unitPrice: -1 })] }), path: 'lines[0].unitPrice' },
  { name: 'non-integer payment amount', body: (b) => ({ ...b, payment: { authorizationId: 'a-1', amount: 39.98 } }), path: 'payment.amount' },
  { name: 'negative payment amount', body: (b) => ({ ...b, payment: { authorizationId: 'a-1', amount: -3998 } }), path: 'payment.amount' },
  // currency
  { name: 'unknown currency XYZ', body: (b) => ({ ...b, currency: 'XYZ' }), path: 'currency' },
  { name: 'lower-case currency', body: (b) => ({ ...b, currency: 'usd' }), path: 'currency' },
  { name: 'currency as a number', body: (b) => ({ ...b, currency: 840 }), path: 'currency' },
  // lines
  { name: 'duplicate lineIds', body: (b) => ({ ...b, lines: [line(), line({ sku: 'SKU-BLUE' })] }), path: 'lines[1].lineId' },
  {
    name: 'more than 200 lines',
    body: (b) => ({ ...b, lines: Array.from({ length: 201 }, (_, i) => line({ lineId: `l${i}`, quantity: 1 })) }),
    path: 'lines',
  },
  // over-long strings
  { name: 'externalId of 129 characters', body: (b) => ({ ...b, externalId: `E${'x'.repeat(128)}` }), path: 'externalId' },
  { name: 'sku of 200 characters', body: (b) => ({ ...b, lines: [line({ sku: 'S'.repeat(200) })] }), path: 'lines[0].sku' },
  { name: 'channel of 65 characters', body: (b) => ({ ...b, channel: 'c'.repeat(65) }), path: 'channel' },
  { name: 'lineId of 65 characters', body: (b) => ({ ...b, lines: [line({ lineId: 'l'.repeat(65) })] }), path: 'lines[0].lineId' },
  { name: 'payment authorizationId of 129 characters', body: (b) => ({ ...b, payment: { authorizationId: 'a'.repeat(129), amount: 3998 } }), path: 'payment.authorizationId' },
  // fulfillment and address
  { name: 'shipTo missing for a ship order', body: omit('shipTo'), path: 'shipTo' },
  { name: 'shipTo missing when fulfillment is omitted (ship by default)', body: (b) => omit('fulfillment')(omit('shipTo')(b) as OrderBody), path: 'shipTo' },
  { name: 'unknown fulfillment type', body: (b) => ({ ...b, fulfillment: { type: 'teleport' } }), path: /^fulfillment/ },
  { name: 'unknown shipMethod', body: (b) => ({ ...b, fulfillment: { type: 'ship', shipMethod: 'carrier_pigeon' } }), path: 'fulfillment.shipMethod' },
  { name: 'pickup without storeId', body: (b) => ({ ...b, fulfillment: { type: 'pickup' } }), path: 'fulfillment.storeId' },
  { name: 'shipTo country not ISO 3166', body: (b) => ({ ...b, shipTo: { ...b.shipTo, country: 'USA' } }), path: 'shipTo.country' },
  { name: 'invalid customer email', body: (b) => ({ ...b, customer: { ...b.customer, email: 'not-an-email' } }), path: 'customer.email' },
  // placedAt
  { name: 'placedAt not a date', body: (b) => ({ ...b, placedAt: 'yesterday' }), path: 'placedAt' },
  { name: 'placedAt impossible date', body: (b) => ({ ...b, placedAt: '2026-13-45T25:61:00Z' }), path: 'placedAt' },
  { name: 'placedAt without a time zone', body: (b) => ({ ...b, placedAt: '2026-11-25T10:00:00' }), path: 'placedAt' },
  { name: 'placedAt as epoch millis', body: (b) => ({ ...b, placedAt: 1_764_064_800_000 }), path: 'placedAt' },
];

for (const store of e2eStores()) {
  describe(`order API validation over HTTP [${store}]`, () => {
    let s: TestServer;
    beforeAll(async () => {
      s = await startTestServer(store);
      // A few orders so that "nothing written" is checked against a non-empty store.
      for (let i = 0; i < 3; i++) expect((await s.api('/v1/orders', { body: orderBody() })).status).toBe(201);
    });
    afterAll(async () => {
      await s?.close();
    });

    /** Sends `send()`, which must not create the order with `externalId`, and the total must not move. */
    async function expectNothingWritten(externalId: string | undefined, send: () => Promise<ApiResponse>): Promise<ApiResponse> {
      const before = await countOrders(s);
      const res = await send();
      // The list filter itself caps externalId at 128 characters; longer ones are covered by the count.
      if (externalId !== undefined && externalId.length <= 128) expect(await byExternalId(s, externalId)).toEqual([]);
      expect(await countOrders(s)).toBe(before);
      return res;
    }

    for (const c of CASES) {
      it(`${c.name} → 400 validation_failed naming ${String(c.path)}, nothing written`, async () => {
        const base = orderBody();
        const body = c.body(base) as Record<string, unknown>;
        const externalId = typeof body.externalId === 'string' && body.externalId.length > 0 ? body.externalId : base.externalId;
        const res = await expectNothingWritten(externalId, () => s.api('/v1/orders', { body }));
        expectValidation(res, c.path);
      });
    }

    it('malformed JSON → 400 validation_failed naming body, nothing written', async () => {
      const externalId = `WEB-${uid()}`;
      for (const raw of [`{"externalId":"${externalId}","channel":"web",`, `{'externalId':'${externalId}'}`, `{"externalId":"${externalId}"}}`, 'not json at all']) {
        const res = await expectNothingWritten(externalId, () => s.api('/v1/orders', { rawBody: raw }));
        expectValidation(res, 'body');
      }
    });

    it('a JSON body that is not an object → 400 validation_failed naming body, nothing written', async () => {
      for (const raw of ['[]', `[${JSON.stringify(orderBody())}]`, '"an order"', '42', 'true', 'null']) {
        const res = await expectNothingWritten(undefined, () => s.api('/v1/orders', { rawBody: raw }));
        expectValidation(res, 'body');
      }
    });

    it('an empty body → 400 validation_failed, nothing written', async () => {
      const res = await expectNothingWritten(undefined, () => s.api('/v1/orders', { rawBody: '' }));
      expectProblem(res, 400, 'validation_failed');
    });

    it('names every offending field at once', async () => {
      const base = orderBody();
      const res = await expectNothingWritten(base.externalId, () =>
        s.api('/v1/orders', { body: { ...base, currency: 'XYZ', lines: [line({ quantity: 0, unitPrice: -5 })] } }),
      );
      expectValidation(res, 'currency');
      expectValidation(res, 'lines[0].quantity');
      expectValidation(res, 'lines[0].unitPrice');
    });

    it('accepts the documented limits exactly: 200 lines, externalId of 128, sku of 128', async () => {
      const body = orderBody({
        externalId: `E${uid()}`.padEnd(128, 'x'),
        lines: Array.from({ length: 200 }, (_, i) => line({ lineId: `l${i}`, sku: i === 0 ? 'S'.repeat(128) : `SKU-${i}`, quantity: 1 })),
      });
      const res = await s.api('/v1/orders', { body });
      expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(201);
      expect(res.body.lines).toHaveLength(200);
      expect(res.body.externalId).toHaveLength(128);
    });

    it('a body over 1 MiB → 413 payload_too_large, nothing written', async () => {
      const base = orderBody();
      const big = { ...base, lines: [line({ attributes: { note: 'x'.repeat(512) } })], padding: 'p'.repeat(1024 * 1024 + 16) };
      const res = await expectNothingWritten(base.externalId, () => s.api('/v1/orders', { body: big }));
      expectProblem(res, 413, 'payload_too_large');
      // A body of many lines that is just over the limit too.
      const lines = Array.from({ length: 150 }, (_, i) => line({ lineId: `l${i}`, sku: `SKU-${i}`, attributes: Object.fromEntries(Array.from({ length: 20 }, (_, k) => [`a${k}`, 'v'.repeat(400)])) }));
      const many = { ...orderBody(), lines };
      expect(JSON.stringify(many).length).toBeGreaterThan(1024 * 1024);
      const res2 = await expectNothingWritten(many.externalId, () => s.api('/v1/orders', { body: many }));
      expectProblem(res2, 413, 'payload_too_large');
    });

    it('a wrong content-type → 415 problem+json, nothing written', async () => {
      const got: Record<string, number> = {};
      for (const type of ['text/plain', 'text/plain; charset=utf-8', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x']) {
        const body = orderBody();
        const res = await expectNothingWritten(body.externalId, () => s.api('/v1/orders', { rawBody: JSON.stringify(body), headers: { 'content-type': type } }));
        got[type] = res.status;
        if (res.status === 415) {
          expect(res.headers.get('content-type') ?? '').toMatch(/^application\/problem\+json/);
          expect(res.body).toMatchObject({ status: 415 });
        }
      }
      expect(got, JSON.stringify(got)).toEqual(Object.fromEntries(Object.keys(got).map((k) => [k, 415])));
    });

    it('application/json with a charset is accepted', async () => {
      const res = await s.api('/v1/orders', { rawBody: JSON.stringify(orderBody()), headers: { 'content-type': 'application/json; charset=utf-8' } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    });

    it('a rejected request does not consume its Idempotency-Key', async () => {
      const key = `k-${uid()}`;
      const body = orderBody();
      const bad = await s.api('/v1/orders', { body: { ...body, lines: [line({ quantity: 0 })] }, headers: { 'idempotency-key': key } });
      expectValidation(bad, 'lines[0].quantity');
      const good = await s.api('/v1/orders', { body, headers: { 'idempotency-key': key } });
      expect(good.status, JSON.stringify(good.body)).toBe(201);
      expect(good.headers.get('idempotent-replayed')).toBeNull();
    });
  });
}

for (const store of e2eStores()) {
  describe(`characters no store can keep (${store})`, () => {
    let srv: Awaited<ReturnType<typeof startTestServer>>;
    beforeAll(async () => {
      srv = await startTestServer(store);
    });
    afterAll(async () => srv.close());
    for (const [name, raw] of [
      ['escaped NUL', '"A\\u0000B"'],
      ['lone high surrogate', '"A\\ud800B"'],
      ['lone low surrogate', '"A\\udc00B"'],
    ] as const) {
      it(`refuses ${name} with 400 and writes nothing`, async () => {
        const rawBody = `{"externalId":${raw},"channel":"web","currency":"USD","shipTo":{"country":"US"},"lines":[{"lineId":"1","sku":"S","quantity":1,"unitPrice":1}]}`;
        const res = await srv.api('/v1/orders', { rawBody });
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('validation_failed');
        expect((await srv.api('/v1/orders')).body.items).toEqual([]);
      });
    }
    it('accepts a proper surrogate pair (an emoji)', async () => {
      const rawBody = `{"externalId":"E-\\ud83d\\ude00","channel":"web","currency":"USD","shipTo":{"country":"US"},"lines":[{"lineId":"1","sku":"S","quantity":1,"unitPrice":1}]}`;
      const res = await srv.api('/v1/orders', { rawBody });
      expect(res.status).toBe(201);
      expect(res.body.externalId).toBe('E-😀');
    });
  });
}
