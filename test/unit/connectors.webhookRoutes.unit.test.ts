import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiDeps } from '../../src/api/context.js';
import { buildServer } from '../../src/api/server.js';
import { createLogger } from '../../src/app/logger.js';
import { createMetrics } from '../../src/app/metrics.js';
import type { WebhookConnector } from '../../src/connectors/http/connectorWebhookRoutes.js';
import { connectorWebhookRoutes } from '../../src/connectors/http/connectorWebhookRoutes.js';
import { signWebhook } from '../../src/connectors/http/webhook.js';
import type { InboundOutcome } from '../../src/connectors/port.js';
import type { RecordingSink } from '../support/recordingSink.js';
import { createRecordingSink } from '../support/recordingSink.js';

const NOW = 1_795_000_000;
const SECRET = 'whsec_wms_east';
const shipped = (fulfillmentId: string, quantity: unknown = 1) => ({
  type: 'fulfillment.shipped', fulfillmentId, shipmentId: `S-${fulfillmentId}`, lines: [{ lineId: '1', quantity }], shippedAt: '2026-11-25T10:00:00Z',
});

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function setup(options: { connectors?: Record<string, WebhookConnector>; decide?: Parameters<typeof createRecordingSink>[0] } = {}) {
  const logs: string[] = [];
  const log = createLogger({ level: 'info', destination: new Writable({ write: (c: Buffer, _e, cb) => (logs.push(c.toString()), cb()) }) });
  const deps = { log, metrics: createMetrics(), authenticate: async () => undefined } as unknown as ApiDeps;
  const server = buildServer(deps, { bodyLimitBytes: 1024 * 1024, version: 'test' });
  const sink = createRecordingSink(options.decide);
  const connectors = options.connectors ?? { 'wms-east': { secret: SECRET } };
  connectorWebhookRoutes(server, { connectors: (id) => connectors[id], sink, log, nowSeconds: () => NOW });
  await server.ready();
  app = server;
  const post = (body: unknown, opts: { id?: string; signature?: string | null; raw?: string } = {}) => {
    const raw = opts.raw ?? JSON.stringify(body);
    const signature = opts.signature === undefined ? signWebhook(SECRET, raw, NOW) : opts.signature;
    return server.inject({
      method: 'POST',
      url: `/v1/connectors/${opts.id ?? 'wms-east'}/webhooks`,
      headers: { 'content-type': 'application/json', ...(signature !== null ? { 'x-orderly-signature': signature } : {}) },
      payload: raw,
    });
  };
  return { sink, post, logs };
}

const expectUntouched = (sink: RecordingSink) => {
  expect(sink.calls).toEqual([]);
  expect(sink.quarantined).toEqual([]);
};

describe('POST /v1/connectors/:id/webhooks', () => {
  it('delivers verified facts to the sink with stable message ids, without an API key', async () => {
    const { sink, post } = await setup();
    const body = { messageId: 'wms-77', facts: [shipped('ful_1'), { type: 'fulfillment.delivered', fulfillmentId: 'ful_1', deliveredAt: '2026-11-26T10:00:00Z' }] };
    const res = await post(body);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ messageId: 'wms-77', outcomes: [{ messageId: 'wms-77#0', status: 'applied' }, { messageId: 'wms-77#1', status: 'applied' }] });
    expect(sink.calls.map((c) => c.source)).toEqual([{ system: 'wms-east', messageId: 'wms-77#0' }, { system: 'wms-east', messageId: 'wms-77#1' }]);
    expect(sink.calls[0]!.message).toEqual(shipped('ful_1'));
    // Redelivery: the same ids, so the sink acknowledges and ignores them.
    const again = await post(body);
    expect(again.json().outcomes.map((o: InboundOutcome) => o.status)).toEqual(['duplicate', 'duplicate']);
    // A single fact keeps the sender's id as it is.
    await post({ messageId: 'wms-78', facts: [shipped('ful_2')] });
    expect(sink.calls.at(-1)!.source.messageId).toBe('wms-78');
  });

  it('answers 202 when a fact conflicts with the ledger or names nothing known', async () => {
    const { post } = await setup({
      decide: (m) => (m.type === 'fulfillment.shipped' && m.fulfillmentId === 'ful_cancelled' ? { status: 'conflict', exceptionId: 'exc_1', message: 'shipped after cancellation' } : { status: 'applied' }),
    });
    const res = await post({ messageId: 'm1', facts: [shipped('ful_ok'), shipped('ful_cancelled')] });
    expect(res.statusCode).toBe(202);
    expect(res.json().outcomes[1]).toEqual({ messageId: 'm1#1', status: 'conflict', exceptionId: 'exc_1', message: 'shipped after cancellation' });
  });

  it('a forged, tampered, stale or missing signature is 401 invalid_signature and the sink is never called', async () => {
    const { sink, post, logs } = await setup();
    const body = { messageId: 'm1', facts: [shipped('ful_1')] };
    const raw = JSON.stringify(body);
    const cases = [
      { signature: null },
      { signature: 'garbage' },
      { signature: signWebhook('not-the-secret', raw, NOW) },
      { signature: signWebhook(SECRET, raw, NOW - 301) },
      { signature: signWebhook(SECRET, raw, NOW + 301) },
      { signature: signWebhook(SECRET, raw, NOW), raw: raw.replace('"quantity":1', '"quantity":100') },
    ];
    for (const c of cases) {
      const res = await post(body, c);
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.json()).toMatchObject({ code: 'invalid_signature', status: 401 });
    }
    expectUntouched(sink);
    expect(logs.join('')).toContain('webhook signature refused');
    expect(logs.join('')).not.toContain('ful_1');
  });

  it('an unknown connector is 404 and nothing is written', async () => {
    const { sink, post } = await setup();
    for (const id of ['wms-west', 'bad%20id']) {
      const res = await post({ messageId: 'm', facts: [shipped('f')] }, { id });
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('not_found');
    }
    expectUntouched(sink);
  });

  it('verified but invalid: 400 validation_failed naming each field, nothing written', async () => {
    const { sink, post } = await setup();
    const res = await post({ messageId: 'm1', facts: [shipped('a'), shipped('b'), shipped('c', 'two')] });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'validation_failed', errors: [{ path: 'facts[2].lines[0].quantity' }] });
    const more = await post({ facts: [{ type: 'fulfillment.teleported', fulfillmentId: 'x' }, { ...shipped('d'), shippedAt: 'yesterday' }] });
    expect(more.json().errors.map((e: { path: string }) => e.path)).toEqual(['messageId', 'facts[0].type', 'facts[1].shippedAt']);
    expect((await post({ messageId: 'm', facts: [] })).json().errors).toEqual([{ path: 'facts', message: 'at least one fact' }]);
    const broken = await post(undefined, { raw: '{"messageId":"m","facts":[' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().errors).toEqual([{ path: 'body', message: 'malformed JSON' }]);
    const poisoned = await post(undefined, { raw: '{"messageId":"m","facts":[],"__proto__":{"x":1}}' });
    expect(poisoned.statusCode).toBe(400);
    expectUntouched(sink);
  });

  it('accepts any of several secrets during a rotation', async () => {
    const { sink, post } = await setup({ connectors: { 'wms-east': { secret: ['whsec_new', SECRET] } } });
    const raw = JSON.stringify({ messageId: 'm1', facts: [shipped('f')] });
    expect((await post(undefined, { raw })).statusCode).toBe(200);
    expect((await post(undefined, { raw: raw.replace('m1', 'm2'), signature: signWebhook('whsec_new', raw.replace('m1', 'm2'), NOW) })).statusCode).toBe(200);
    expect(sink.calls).toHaveLength(2);
  });

  it('a connector translation maps native codes; one it cannot translate is quarantined raw, not guessed', async () => {
    const translate: WebhookConnector['translate'] = (body) => {
      const b = body as { id: string; status: string; order: string };
      if (b.status === 'SHP') return { ok: true, body: { messageId: b.id, facts: [{ ...shipped(b.order) }] } };
      return { ok: false, reason: `unknown status code ${b.status}`, code: 'unknown_status', messageId: b.id };
    };
    const { sink, post } = await setup({ connectors: { 'wms-east': { secret: SECRET, translate } } });
    expect((await post({ id: 'n1', status: 'SHP', order: 'ful_9' })).statusCode).toBe(200);
    expect(sink.calls[0]!.message).toMatchObject({ type: 'fulfillment.shipped', fulfillmentId: 'ful_9' });
    const odd = await post({ id: 'n2', status: 'ZZ', order: 'ful_9' });
    expect(odd.statusCode).toBe(202);
    expect(odd.json()).toEqual({ messageId: 'n2', quarantined: true, exceptionId: 'exc_1' });
    expect(sink.quarantined).toEqual([{ connector: 'wms-east', reason: 'unknown status code ZZ', code: 'unknown_status', raw: '{"id":"n2","status":"ZZ","order":"ful_9"}', source: { system: 'wms-east', messageId: 'n2' } }]);
    expect(sink.calls).toHaveLength(1);
  });
});
