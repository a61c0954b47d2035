import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestServer } from '../support/server.js';
import { e2eStores, startTestServer } from '../support/server.js';

/** Shopify webhooks through the running service, with the real samples as they are (issue 4). */
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/fixtures/real/shopify');
const SECRET = 'shpss_test_secret_0123456789';
const raw = (name: string) => readFileSync(path.join(FIXTURES, name));

for (const store of e2eStores()) {
  describe(`Shopify webhooks (${store})`, () => {
    let srv: TestServer;
    const post = (topic: string, body: Buffer, opts: { id?: string; hmac?: string } = {}) =>
      fetch(`${srv.url}/v1/channels/shopify/webhooks`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-shopify-topic': topic,
          'x-shopify-webhook-id': opts.id ?? randomUUID(),
          'x-shopify-shop-domain': 'example.myshopify.com',
          'x-shopify-hmac-sha256': opts.hmac ?? createHmac('sha256', SECRET).update(body).digest('base64'),
        },
        body,
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
    const shopifyOrders = async () => (await srv.api('/v1/orders?channel=shopify&limit=500')).body.items as { id: string; externalId: string; status: string }[];

    beforeAll(async () => {
      srv = await startTestServer(store, { ORDERLY_SHOPIFY_SECRET: SECRET });
    });
    afterAll(async () => srv.close());

    it('refuses a forged webhook with 401 invalid_signature and writes nothing', async () => {
      const body = raw('order.json');
      const forged = await post('orders/create', body, { hmac: createHmac('sha256', 'not-the-secret').update(body).digest('base64') });
      expect(forged.status).toBe(401);
      expect(forged.body.code).toBe('invalid_signature');
      const tampered = await post('orders/create', Buffer.concat([body, Buffer.from(' ')]), { hmac: createHmac('sha256', SECRET).update(body).digest('base64') });
      expect(tampered.status).toBe(401);
      expect((await post('orders/create', body, { hmac: '' })).status).toBe(401);
      expect(await shopifyOrders()).toEqual([]);
    });

    it('places the real sample order once, however often it is delivered', async () => {
      const body = raw('order.json');
      const first = await post('orders/create', body, { id: 'wh-order-1' });
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      expect(first.body.status).toBe('applied');
      const again = await post('orders/create', body, { id: 'wh-order-1' });
      expect(again.status).toBe(200);
      expect(again.body.status).toBe('duplicate');
      // Shopify resending the same order under a new webhook id: still one order.
      expect((await post('orders/create', body, { id: 'wh-order-1-retry' })).body.status).toBe('duplicate');
      const orders = await shopifyOrders();
      expect(orders).toHaveLength(1);
      expect(orders[0]).toMatchObject({ externalId: '450789469' });
      const order = (await srv.api(`/v1/orders/${orders[0]!.id}`)).body;
      expect(order).toMatchObject({ channel: 'shopify', currency: 'USD', paymentMode: 'channel' });
      expect(order.lines.map((l: { sku: string }) => l.sku).sort()).toEqual(['IPOD2008BLACK', 'IPOD2008GREEN', 'IPOD2008RED']);
    });

    it('cancels it from the real orders/cancelled sample', async () => {
      const cancelled = await post('orders/cancelled', raw('api-ruby-2025-07_order_cancel.response.json'), { id: 'wh-cancel-1' });
      expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
      const [order] = await shopifyOrders();
      expect(order!.status).toBe('cancelled');
    });
  });
}
