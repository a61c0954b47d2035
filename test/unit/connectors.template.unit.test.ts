import { describe, expect, it } from 'vitest';
import { loadHttpConnectorConfig } from '../../src/connectors/http/httpConnectorConfig.js';
import type { LoadedHttpConnectorConfig } from '../../src/connectors/http/httpConnectorConfig.js';
import { renderRequest } from '../../src/connectors/http/template.js';
import { createHttpConnector } from '../../src/connectors/http/httpConnector.js';
import type { Envelope, FulfillmentReleaseMessage } from '../../src/connectors/port.js';

const release: FulfillmentReleaseMessage = {
  type: 'fulfillment.release',
  fulfillmentId: 'ful_1/a b',
  orderId: 'ord_1',
  nodeId: 'dc-east',
  order: { externalId: 'WEB-1', channel: 'web', currency: 'USD', placedAt: '2026-11-25T10:00:00Z' },
  delivery: { type: 'ship', shipMethod: 'standard' },
  shipTo: { name: 'Ada L', line1: '1 Main St', country: 'US' },
  customer: { email: 'ada@example.com' },
  lines: [
    { lineId: '1', sku: 'SKU-RED', quantity: 2, unitPrice: 1999 },
    { lineId: '2', sku: 'SKU-BLUE', quantity: 1, unitPrice: 500 },
  ],
  releasedAt: '2026-11-25T10:05:00Z',
};
const envelope: Envelope = { messageId: 'out_1', idempotencyKey: 'ful_1:release', attempt: 2, message: release };
const env = (message: object = release) => ({ messageId: 'out_1', idempotencyKey: 'ful_1:release', attempt: 2, type: 'fulfillment.release', message });

const base = { id: 'wms-east', baseUrl: 'http://127.0.0.1:9/api/' };
function load(config: object): LoadedHttpConnectorConfig {
  const r = loadHttpConnectorConfig({ ...base, ...config });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}
function errorsOf(config: object) {
  const r = loadHttpConnectorConfig({ ...base, ...config });
  if (r.ok) throw new Error('expected the configuration to be refused');
  return r.error;
}

describe('request templates', () => {
  it('substitutes placeholders: URL-encoded in the path, typed as whole values, interpolated in strings', () => {
    const loaded = load({
      pii: true,
      templates: {
        'fulfillment.release': {
          method: 'PUT',
          path: '/orders/{{message.fulfillmentId}}?attempt={{attempt}}',
          headers: { 'X-Request-Id': '{{messageId}}-{{attempt}}' },
          body: {
            orderNo: '{{message.order.externalId}}',
            label: 'Order {{message.order.externalId}} for node {{message.nodeId}}',
            qtyFirst: '{{message.lines}}',
            city: '{{message.shipTo.city}}',
            constant: 7,
            nested: [{ ship: '{{message.delivery.shipMethod}}' }, 'literal'],
            items: { $each: '{{message.lines}}', $template: { sku: '{{item.sku}}', qty: '{{item.quantity}}', ref: '{{message.orderId}}/{{item.lineId}}' } },
          },
        },
      },
    });
    expect(loaded.config.baseUrl).toBe('http://127.0.0.1:9/api');
    const out = renderRequest(loaded.requests.get('fulfillment.release')!, env());
    expect(out.method).toBe('PUT');
    expect(out.path).toBe('/orders/ful_1%2Fa%20b?attempt=2');
    expect(out.headers).toEqual({ 'x-request-id': 'out_1-2' });
    expect(JSON.parse(out.body!)).toEqual({
      orderNo: 'WEB-1',
      label: 'Order WEB-1 for node dc-east',
      qtyFirst: release.lines,
      // city: shipTo has none, so the key is dropped
      constant: 7,
      nested: [{ ship: 'standard' }, 'literal'],
      items: [
        { sku: 'SKU-RED', qty: 2, ref: 'ord_1/1' },
        { sku: 'SKU-BLUE', qty: 1, ref: 'ord_1/2' },
      ],
    });
  });

  it('without a body template the default wire format is sent, with the headers of the contract', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const fakeFetch = (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response(null, { status: 204 });
    }) as unknown as typeof fetch;
    const connector = createHttpConnector(
      { ...base, auth: { header: 'Authorization', value: 'Bearer k' }, templates: { 'fulfillment.release': { path: '/v1/messages' } } },
      { fetch: fakeFetch },
    );
    await connector.send({ ...envelope, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }, { signal: new AbortController().signal });
    const [call] = calls;
    expect(call!.url).toBe('http://127.0.0.1:9/api/v1/messages');
    expect(call!.init.method).toBe('POST');
    expect(call!.init.headers).toMatchObject({
      'content-type': 'application/json',
      'idempotency-key': 'ful_1:release',
      authorization: 'Bearer k',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    const body = JSON.parse(call!.init.body as string);
    expect(body.type).toBe('fulfillment.release');
    expect(body.idempotencyKey).toBe('ful_1:release');
    // pii defaults to false: ship-to and customer never leave
    expect(body.message.shipTo).toBeUndefined();
    expect(body.message.customer).toBeUndefined();
    expect(body.message.lines).toEqual(release.lines);
  });

  it('an unknown placeholder is refused at load, naming the template and the field', () => {
    const errors = errorsOf({ templates: { 'fulfillment.release': { path: '/o/{{message.fulfilmentId}}', body: { x: '{{message.order.externalID}}', y: 'a {{idempotencyKey}} {{message.nope.deeper}}' } } } });
    expect(errors).toEqual([
      { path: 'templates["fulfillment.release"].path', message: 'unknown placeholder {{message.fulfilmentId}}: message has no field fulfilmentId' },
      { path: 'templates["fulfillment.release"].body.x', message: 'unknown placeholder {{message.order.externalID}}: message.order has no field externalID' },
      { path: 'templates["fulfillment.release"].body.y', message: 'unknown placeholder {{message.nope.deeper}}: message has no field nope' },
    ]);
  });

  it('refuses at load what could not render well: optional or non-scalar values in a path, objects inside strings, PII without pii: true', () => {
    expect(errorsOf({ templates: { 'fulfillment.release': { path: '/o/{{message.delivery.storeId}}' } } })[0]!.message).toContain('optional');
    expect(errorsOf({ templates: { 'fulfillment.release': { path: '/o/{{message.lines}}' } } })[0]!.message).toContain('is an array');
    expect(errorsOf({ templates: { 'fulfillment.release': { path: '/o', body: { a: 'x {{message.order}}' } } } })[0]!.message).toContain('is an object');
    expect(errorsOf({ templates: { 'fulfillment.release': { path: '/o', body: { a: '{{message.shipTo.city}}' } } } })[0]!.message).toContain('personal data');
    expect(errorsOf({ templates: { 'fulfillment.release': { path: '/o', body: { a: '{{ message..x }}' } } } })[0]!.message).toContain('not a field path');
    expect(errorsOf({ templates: { 'fulfillment.release': { path: '/o/{{message.orderId' } } })[0]!.message).toContain('unclosed');
    expect(errorsOf({ templates: { 'fulfillment.release': { path: '/o', body: { $each: '{{message.orderId}}', $template: {} } } } })[0]!.message).toContain('not an array');
    expect(errorsOf({ templates: { 'fulfillment.release': { path: '/o', body: { $each: '{{message.lines}}', $template: '{{item.colour}}' } } } })[0]!.message).toContain('item has no field colour');
  });

  it('a status query may only name the fields every handled type shares', () => {
    const capabilities = { canCancel: true, statusQuery: { path: '/fulfillments/{{message.fulfillmentId}}/messages/{{idempotencyKey}}' } };
    const templates = { 'fulfillment.release': { path: '/r' }, 'fulfillment.cancel': { path: '/c' } };
    const loaded = load({ templates, capabilities });
    expect(renderRequest(loaded.statusQuery!, env()).path).toBe('/fulfillments/ful_1%2Fa%20b/messages/ful_1%3Arelease');
    const errors = errorsOf({ templates, capabilities: { canCancel: true, statusQuery: { path: '/s/{{message.releasedAt}}' } } });
    expect(errors[0]).toMatchObject({ path: 'capabilities.statusQuery.path' });
  });

  it('checks the rest of the configuration with field paths', () => {
    expect(errorsOf({ templates: {} })).toEqual([{ path: 'templates', message: 'at least one message type' }]);
    expect(errorsOf({ templates: { 'fulfillment.cancel': { path: '/c' } } })).toEqual([{ path: 'capabilities.canCancel', message: 'must be true when a fulfillment.cancel template is given' }]);
    expect(errorsOf({ templates: { 'order.ship': { path: '/x' } } })[0]!.path).toBe('templates["order.ship"]');
    expect(errorsOf({ baseUrl: 'ftp://x', templates: { 'payment.capture': { path: '/x' } } })[0]!.path).toBe('baseUrl');
    expect(errorsOf({ templates: { 'payment.capture': { path: 'x' } } })[0]).toEqual({ path: 'templates["payment.capture"].path', message: 'must start with /' });
    expect(errorsOf({ templates: { 'payment.capture': { path: '/x', headers: { 'Idempotency-Key': 'mine' } } } })[0]!.path).toBe('templates["payment.capture"].headers["Idempotency-Key"]');
    expect(errorsOf({ templates: { 'payment.capture': { path: '/x', method: 'GET', body: {} } } })[0]!.message).toBe('a GET request has no body');
    expect(errorsOf({ timeoutMs: 0, templates: { 'payment.capture': { path: '/x' } } })[0]!.path).toBe('timeoutMs');
    expect(errorsOf({ templates: { 'payment.capture': { path: '/x' } }, retries: 3 })).toEqual([{ path: 'retries', message: 'unknown field' }]);
    expect(errorsOf({ auth: { header: 'Authorization', value: 'Bearer k\r\nX-Admin: yes' }, templates: { 'payment.capture': { path: '/x' } } })[0]!.path).toBe('auth.value');
  });

  it('createHttpConnector throws a config error that lists the problems', () => {
    expect(() => createHttpConnector({ ...base, templates: { 'payment.capture': { path: '/c/{{message.captureId}}' } } })).toThrow(
      /connector wms-east is misconfigured: templates\["payment.capture"\].path: unknown placeholder \{\{message.captureId\}\}/,
    );
  });

  it('a send cancelled before it starts is transient and sends nothing', async () => {
    let sent = 0;
    const connector = createHttpConnector({ ...base, templates: { 'fulfillment.release': { path: '/r' } } }, { fetch: (async () => { sent++; return new Response(null); }) as unknown as typeof fetch });
    const aborted = new AbortController();
    aborted.abort();
    await expect(connector.send(envelope, { signal: aborted.signal })).rejects.toMatchObject({ kind: 'transient', code: 'aborted' });
    expect(sent).toBe(0);
  });

  it('a header value that would carry a line break is a business error at send, and nothing is sent', async () => {
    let sent = 0;
    const connector = createHttpConnector(
      { ...base, pii: true, templates: { 'fulfillment.release': { path: '/r', headers: { 'X-Ref': '{{message.order.externalId}}' } } } },
      { fetch: (async () => { sent++; return new Response(null, { status: 204 }); }) as unknown as typeof fetch },
    );
    const evil = { ...envelope, message: { ...release, order: { ...release.order, externalId: 'WEB-1\r\nX-Admin: yes' } } };
    await expect(connector.send(evil, { signal: new AbortController().signal })).rejects.toMatchObject({ kind: 'business', code: 'unrenderable_message' });
    expect(sent).toBe(0);
  });
});
