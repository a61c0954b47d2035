// The webhook route on the real HTTP edge (buildServer: raw body, signature auth), through inject.
import { createHmac } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiDeps } from '../../src/api/context.js';
import { buildServer } from '../../src/api/server.js';
import { createLogger } from '../../src/app/logger.js';
import { createMetrics } from '../../src/app/metrics.js';
import type { InboundMessage, InboundOutcome, InboundSink, InboundSource } from '../../src/connectors/port.js';
import { SHOPIFY_WEBHOOK_PATH, shopifyWebhookRoutes, type ShopifyMapping } from '../../src/connectors/shopify/index.js';
import { base, fixtureText } from './shopify.support.js';

const SECRET = 'shpss_route-test-secret';
const MAPPING: ShopifyMapping = { shipMethods: { 'Free Shipping': 'standard', STD: 'standard' } };

interface Recorded {
  readonly received: { message: InboundMessage; source: InboundSource }[];
  readonly quarantined: Parameters<InboundSink['quarantine']>[0][];
}

/** A sink that records every call; by default it applies once per source id and reports duplicates after. */
function recordingSink(outcome?: (message: InboundMessage, source: InboundSource) => InboundOutcome | Promise<InboundOutcome>): InboundSink & Recorded {
  const received: Recorded['received'] = [];
  const quarantined: Recorded['quarantined'] = [];
  const seen = new Set<string>();
  return {
    received,
    quarantined,
    async receive(message, source) {
      received.push({ message, source });
      if (outcome) return outcome(message, source);
      const key = `${source.system}/${source.messageId}`;
      const status = seen.has(key) ? 'duplicate' : 'applied';
      seen.add(key);
      return { status, orderId: 'ord_1' };
    },
    async quarantine(input) {
      quarantined.push(input);
      return { exceptionId: `exc_${quarantined.length}` };
    },
  };
}

let app: FastifyInstance | undefined;
let logs: string[] = [];

async function serve(sink: InboundSink, mapping: ShopifyMapping = MAPPING): Promise<FastifyInstance> {
  logs = [];
  const destination = new Writable({ write: (chunk: Buffer, _enc, cb) => (logs.push(chunk.toString('utf8')), cb()) });
  const log = createLogger({ level: 'info', destination });
  const deps = { log, metrics: createMetrics(), authenticate: async () => undefined } as unknown as ApiDeps;
  app = buildServer(deps, { bodyLimitBytes: 1024 * 1024, version: 'test' });
  shopifyWebhookRoutes(app, { secret: SECRET, sink, log, mapping });
  await app.ready();
  return app;
}

afterEach(async () => {
  await app?.close();
  app = undefined;
});

const sign = (body: string, secret = SECRET) => createHmac('sha256', secret).update(Buffer.from(body, 'utf8')).digest('base64');

function post(server: FastifyInstance, body: string, headers: Record<string, string | undefined> = {}) {
  const all: Record<string, string | undefined> = {
    'content-type': 'application/json',
    'x-shopify-topic': 'orders/create',
    'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
    'x-shopify-shop-domain': 'example.myshopify.com',
    'x-shopify-api-version': '2024-01',
    'x-shopify-hmac-sha256': sign(body),
    ...headers,
  };
  const defined = Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined));
  return server.inject({ method: 'POST', url: SHOPIFY_WEBHOOK_PATH, payload: body, headers: defined });
}

// order.json as Shopify would send it: the order itself, not the API's {"order": ...}.
const ORDER_BODY = JSON.stringify((JSON.parse(fixtureText('order.json')) as { order: unknown }).order);

describe('POST /v1/channels/shopify/webhooks: signature', () => {
  it.each([
    ['signed with another secret', { 'x-shopify-hmac-sha256': sign(ORDER_BODY, 'not-the-secret') }],
    ['without a signature', { 'x-shopify-hmac-sha256': undefined }],
    ['with an empty signature', { 'x-shopify-hmac-sha256': '' }],
    ['with a hex signature', { 'x-shopify-hmac-sha256': createHmac('sha256', SECRET).update(ORDER_BODY).digest('hex') }],
  ])('a request %s is 401 invalid_signature, and the sink is never called', async (_what, headers) => {
    const sink = recordingSink();
    const res = await post(await serve(sink), ORDER_BODY, headers);
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'invalid_signature', status: 401 });
    expect(sink.received).toHaveLength(0);
    expect(sink.quarantined).toHaveLength(0);
  });

  it('a body changed after signing is refused, even when it is still valid JSON', async () => {
    const sink = recordingSink();
    const tampered = ORDER_BODY.replace('"IPOD2008RED"', '"IPOD2008GOLD"');
    const res = await post(await serve(sink), tampered, { 'x-shopify-hmac-sha256': sign(ORDER_BODY) });
    expect(res.statusCode).toBe(401);
    expect(sink.received).toHaveLength(0);
  });

  it('an empty body is refused before anything else', async () => {
    const sink = recordingSink();
    const res = await post(await serve(sink), '', { 'x-shopify-hmac-sha256': sign('') });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'invalid_signature' });
    expect(sink.received.length + sink.quarantined.length).toBe(0);
  });

  it('takes no API key: the signature is the authentication', async () => {
    const sink = recordingSink();
    const res = await post(await serve(sink), ORDER_BODY, { authorization: undefined });
    expect(res.statusCode).toBe(200);
  });
});

describe('POST /v1/channels/shopify/webhooks: delivery', () => {
  it('delivers the mapped order with the webhook id as the source message id', async () => {
    const sink = recordingSink();
    const res = await post(await serve(sink), ORDER_BODY);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'applied', orderId: 'ord_1' });
    expect(sink.received).toHaveLength(1);
    const [first] = sink.received;
    expect(first?.source).toEqual({ system: 'shopify', messageId: 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043' });
    expect(first?.message).toMatchObject({ type: 'order.place', draft: { externalId: '450789469', channel: 'shopify', currency: 'USD' } });
  });

  it('a redelivery carries the same message id and the same message, so the sink can drop it', async () => {
    const sink = recordingSink();
    const server = await serve(sink);
    const first = await post(server, ORDER_BODY);
    const again = await post(server, ORDER_BODY);
    expect([first.json().status, again.json().status]).toEqual(['applied', 'duplicate']);
    expect(again.statusCode).toBe(200);
    const [a, b] = sink.received;
    expect(b?.source).toEqual(a?.source);
    expect(b?.message).toEqual(a?.message);
  });

  it('the same order under a new webhook id, refused by the sink as duplicate_order, is a duplicate, not an exception', async () => {
    const sink = recordingSink(() => ({ status: 'rejected', code: 'duplicate_order', message: 'order exists' }));
    const res = await post(await serve(sink), ORDER_BODY, { 'x-shopify-webhook-id': 'wh-new' });
    expect([res.statusCode, res.json().status]).toEqual([200, 'duplicate']);
    expect(sink.quarantined).toHaveLength(0);
  });

  it('numbers the messages of a webhook that gives several', async () => {
    const body = JSON.stringify(base({ fulfillments: [{ id: 501, status: 'success', created_at: '2024-05-01T10:05:00Z', line_items: [{ id: 11, quantity: 2 }] }] }));
    const sink = recordingSink();
    const res = await post(await serve(sink), body, { 'x-shopify-webhook-id': 'wh-7' });
    expect(res.statusCode).toBe(200);
    expect(sink.received.map((r) => [r.source.messageId, r.message.type])).toEqual([
      ['wh-7:0', 'order.place'],
      ['wh-7:1', 'order.fulfilled_by_channel'],
    ]);
    expect(res.json().results).toHaveLength(2);
  });

  it.each([
    ['x-shopify-topic', 'header.X-Shopify-Topic'],
    ['x-shopify-webhook-id', 'header.X-Shopify-Webhook-Id'],
  ])('a signed request without %s is 400, naming the header, and writes nothing', async (name, path) => {
    const sink = recordingSink();
    const res = await post(await serve(sink), ORDER_BODY, { [name]: undefined });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'validation_failed', errors: [{ path, message: 'required' }] });
    expect(sink.received.length + sink.quarantined.length).toBe(0);
  });

  it('an unhandled topic is acknowledged 200 ignored; the sink is not called', async () => {
    const sink = recordingSink();
    const res = await post(await serve(sink), '{"id":1}', { 'x-shopify-topic': 'products/update' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ignored', reason: 'topic products/update is not handled' });
    expect(sink.received.length + sink.quarantined.length).toBe(0);
  });

  it('a fulfillment that has not shipped is acknowledged 200 ignored', async () => {
    const sink = recordingSink();
    const res = await post(await serve(sink), fixtureText('fulfillment_webhook.json'), { 'x-shopify-topic': 'fulfillments/create' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ignored' });
    expect(sink.received).toHaveLength(0);
  });
});

describe('POST /v1/channels/shopify/webhooks: quarantine (2xx, so Shopify stops retrying; nothing lost)', () => {
  it('an unmappable payload is quarantined raw with its reason, and answered 202 with the exception id', async () => {
    const body = JSON.stringify((JSON.parse(fixtureText('api-js-2024-01_order_create_multi_line.response.json')) as { order: unknown }).order);
    const sink = recordingSink();
    const res = await post(await serve(sink), body, { 'x-shopify-webhook-id': 'wh-9' });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ status: 'quarantined', exceptionId: 'exc_1', code: 'missing_sku' });
    expect(sink.received).toHaveLength(0);
    expect(sink.quarantined).toEqual([
      { connector: 'shopify', reason: expect.stringContaining('line_items[0].sku'), code: 'missing_sku', raw: body, source: { system: 'shopify', messageId: 'wh-9' } },
    ]);
  });

  it('a signed body that is not JSON is quarantined too, without quoting it in the log or the answer', async () => {
    const sink = recordingSink();
    const body = '{"name": Bob Norman}';
    const res = await post(await serve(sink), body);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ status: 'quarantined', reason: 'the body is not valid JSON' });
    expect(sink.quarantined).toMatchObject([{ code: 'invalid_payload', raw: body, reason: expect.stringContaining('not valid JSON') }]);
    expect(logs.join('')).not.toContain('Bob');
  });

  it('a message the sink refuses is quarantined with the sink’s reason', async () => {
    const sink = recordingSink(() => ({ status: 'rejected', code: 'validation_failed', message: 'invalid order', errors: [{ path: 'lines[0].sku', message: 'unknown SKU' }] }));
    const res = await post(await serve(sink), ORDER_BODY, { 'x-shopify-webhook-id': 'wh-10' });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ status: 'quarantined', exceptionId: 'exc_1', results: [{ messageId: 'wh-10', status: 'quarantined', code: 'validation_failed' }] });
    expect(sink.quarantined).toMatchObject([{ reason: 'invalid order (lines[0].sku: unknown SKU)', code: 'validation_failed', source: { messageId: 'wh-10' } }]);
  });

  it('an unknown reference the sink did not keep is quarantined; one it kept is not kept twice', async () => {
    const refund = fixtureText('api-js-2024-01_refund_create.response.json');
    const body = JSON.stringify((JSON.parse(refund) as { refund: unknown }).refund);
    const bare = recordingSink(() => ({ status: 'unknown_reference', message: 'no order shopify/450789469' }));
    const res = await post(await serve(bare), body, { 'x-shopify-topic': 'refunds/create' });
    expect([res.statusCode, res.json().status, res.json().exceptionId]).toEqual([202, 'unknown_reference', 'exc_1']);
    expect(bare.quarantined).toMatchObject([{ code: 'unknown_reference', reason: 'no order shopify/450789469' }]);
    await app?.close();
    const kept = recordingSink(() => ({ status: 'unknown_reference', exceptionId: 'exc_sink', message: 'no order' }));
    const res2 = await post(await serve(kept), body, { 'x-shopify-topic': 'refunds/create' });
    expect(res2.json()).toMatchObject({ status: 'unknown_reference', exceptionId: 'exc_sink' });
    expect(kept.quarantined).toHaveLength(0);
  });

  it('a failing sink is a 500, so that Shopify delivers again', async () => {
    const sink = recordingSink(() => Promise.reject(new Error('database is down')));
    const res = await post(await serve(sink), ORDER_BODY);
    expect(res.statusCode).toBe(500);
  });
});

describe('logs', () => {
  it('never carry the customer’s name, email, phone or address', async () => {
    const sink = recordingSink(() => ({ status: 'rejected', code: 'validation_failed', message: 'invalid order' }));
    const server = await serve(sink);
    await post(server, ORDER_BODY);
    await post(server, ORDER_BODY, { 'x-shopify-hmac-sha256': 'forged' });
    const text = logs.join('');
    expect(text).toContain('shopify webhook');
    for (const pii of ['Bob', 'Norman', 'bob.norman', 'Chestnut', 'Louisville', '40202', '555-625-1199']) expect(text).not.toContain(pii);
  });
});
