import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { ADMIN_KEY, e2eStores, startTestServer } from '../support/server.js';
import {
  BUCKET_NAMES,
  ORDER_STATUSES,
  bucketsOf,
  buckets,
  byExternalId,
  countOrders,
  expectProblem,
  expectValidation,
  freshChannel,
  orderBody,
  orderBodyNoPayment,
  place,
  uid,
} from './orders.helpers.js';
import type { TimelineEvent } from './orders.helpers.js';

/**
 * Black-box acceptance of the order API (API.md, issue 2) over real HTTP, on every store.
 * Validation and idempotency live in their own files.
 */
for (const store of e2eStores()) {
  describe(`order API over HTTP [${store}]`, () => {
    let s: TestServer;
    beforeAll(async () => {
      s = await startTestServer(store);
    });
    afterAll(async () => {
      await s?.close();
    });

    describe('auth and operations endpoints', () => {
      it('answers 401 problem+json unauthorized without an Authorization header', async () => {
        const res = await s.api('/v1/orders', { headers: { authorization: '' } });
        expectProblem(res, 401, 'unauthorized');
        expect(res.headers.get('x-correlation-id')).toBeTruthy();
      });

      it('answers 401 for a wrong key, a non-Bearer scheme and an empty Bearer', async () => {
        for (const authorization of [`Bearer ${ADMIN_KEY}x`, `Bearer wrong-key-0123456789abcdef`, `Basic ${Buffer.from(`u:${ADMIN_KEY}`).toString('base64')}`, 'Bearer ', ADMIN_KEY]) {
          const res = await s.api('/v1/orders', { headers: { authorization } });
          expectProblem(res, 401, 'unauthorized');
        }
      });

      it('refuses an unauthenticated POST and writes nothing', async () => {
        const before = await countOrders(s);
        const body = orderBody();
        const res = await s.api('/v1/orders', { body, headers: { authorization: 'Bearer nope-nope-nope-nope' } });
        expectProblem(res, 401, 'unauthorized');
        const none = await s.api('/v1/orders', { body, headers: { authorization: '' } });
        expectProblem(none, 401, 'unauthorized');
        expect(await byExternalId(s, body.externalId)).toEqual([]);
        expect(await countOrders(s)).toBe(before);
      });

      it('requires auth on every /v1 read, including by id and timeline', async () => {
        const order = (await place(s)).body;
        for (const path of [`/v1/orders/${order.id}`, `/v1/orders/${order.id}/events`, '/v1/orders?limit=1']) {
          expectProblem(await s.api(path, { headers: { authorization: '' } }), 401, 'unauthorized');
        }
      });

      it('serves /healthz and /readyz without auth', async () => {
        const health = await s.api('/healthz', { headers: { authorization: '' } });
        expect(health.status).toBe(200);
        const ready = await s.api('/readyz', { headers: { authorization: '' } });
        expect(ready.status).toBe(200);
        expect(ready.headers.get('x-correlation-id')).toBeTruthy();
      });

      it('publishes /openapi.json with the order paths and the request schema', async () => {
        const res = await s.api('/openapi.json', { headers: { authorization: '' } });
        expect(res.status).toBe(200);
        const doc = res.body;
        expect(doc.openapi).toMatch(/^3\./);
        for (const p of ['/v1/orders', '/v1/orders/{id}', '/v1/orders/{id}/events', '/v1/orders/{id}/cancel', '/v1/orders/{id}/holds', '/v1/orders/{id}/holds/{type}/release']) {
          expect(doc.paths[p], p).toBeDefined();
        }
        expect(doc.paths['/v1/orders'].get).toBeDefined();
        const schema = doc.paths['/v1/orders'].post.requestBody.content['application/json'].schema;
        expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['externalId', 'channel', 'currency', 'lines', 'payment', 'shipTo', 'fulfillment', 'placedAt']));
        expect(schema.required).toEqual(expect.arrayContaining(['externalId', 'channel', 'currency', 'lines']));
        // The documented limits are the ones enforced.
        expect(schema.properties.lines.maxItems).toBe(200);
        expect(schema.properties.externalId.maxLength).toBe(128);
        const idem = (doc.paths['/v1/orders'].post.parameters as { name: string; in: string; required: boolean }[]).find((p) => p.name.toLowerCase() === 'idempotency-key');
        expect(idem).toMatchObject({ in: 'header', required: true });
        const cancel = doc.paths['/v1/orders/{id}/cancel'].post.requestBody.content['application/json'].schema;
        expect(Object.keys(cancel.properties)).toEqual(expect.arrayContaining(['reason', 'lines']));
        const hold = doc.paths['/v1/orders/{id}/holds'].post.requestBody.content['application/json'].schema;
        expect(hold.properties.type.enum).toEqual(expect.arrayContaining(['fraud', 'payment', 'address', 'manual']));
      });

      it('documents every other endpoint from the schema it validates with', async () => {
        const doc = (await s.api('/openapi.json', { headers: { authorization: '' } })).body;
        const paths = [
          '/v1/orders/{id}/release', '/v1/orders/{id}/returns', '/v1/returns/{id}', '/v1/returns/{id}/receipts', '/v1/orders/{id}/routing', '/v1/orders/{id}/reroute',
          '/v1/fulfillments', '/v1/fulfillments/{id}', '/v1/fulfillments/{id}/acknowledgement', '/v1/fulfillments/{id}/progress', '/v1/fulfillments/{id}/shipments',
          '/v1/fulfillments/{id}/deliveries', '/v1/fulfillments/{id}/cancellation-result', '/v1/exceptions', '/v1/exceptions/{id}', '/v1/exceptions/{id}/actions',
          '/v1/dead-letters', '/v1/dead-letters/{id}', '/v1/dead-letters/{id}/redrive', '/v1/dead-letters/{id}/discard', '/v1/outbox/stats',
          '/v1/reconciliations', '/v1/reconciliations/{id}', '/v1/nodes', '/v1/nodes/{id}', '/v1/inventory', '/v1/inventory/snapshots', '/v1/inventory/adjustments',
          '/v1/rulesets', '/v1/rulesets/{version}/activate', '/v1/rulesets/{version}/what-if', '/v1/routing/simulate', '/v1/connectors/{id}/webhooks',
          '/healthz', '/readyz', '/metrics',
        ];
        for (const p of paths) expect(doc.paths[p], p).toBeDefined();
        const shipment = doc.paths['/v1/fulfillments/{id}/shipments'].post;
        expect(shipment.requestBody.content['application/json'].schema.required).toEqual(expect.arrayContaining(['shipmentId', 'lines', 'sourceMessageId']));
        expect(shipment.description).toContain('fulfillment:write');
        const action = doc.paths['/v1/exceptions/{id}/actions'].post.requestBody.content['application/json'].schema;
        expect(action.properties.action.enum).toEqual(expect.arrayContaining(['retry', 'resend', 'resync', 'cancel', 'release', 'accept_external', 'escalate', 'resolve']));
        expect(doc.paths['/v1/connectors/{id}/webhooks'].post.security).toEqual([]);
        expect(doc.paths['/v1/exceptions'].get.parameters.map((x: { name: string }) => x.name)).toEqual(expect.arrayContaining(['status', 'type', 'severity', 'owner', 'orderId']));
      });

      it('answers an unknown route with 404 problem+json', async () => {
        const res = await s.api('/v1/nothing-here');
        expectProblem(res, 404, 'not_found');
        expect(res.headers.get('x-correlation-id')).toBeTruthy();
        expectProblem(await s.api('/no/such/thing', { headers: { authorization: '' } }), 404, 'not_found');
      });
    });

    describe('POST /v1/orders', () => {
      it('creates the order: 201, the API.md shape, ETag = version', async () => {
        const body = orderBody({
          lines: [
            { lineId: '1', sku: 'SKU-RED', quantity: 2, unitPrice: 1999 },
            { lineId: '2', sku: 'SKU-BLUE', quantity: 1, unitPrice: 500 },
          ],
          payment: { authorizationId: 'auth-77', amount: 4498 },
        });
        const res = await s.api('/v1/orders', { body });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        expect(res.headers.get('idempotent-replayed')).toBeNull();
        const o = res.body;
        expect(o.id).toMatch(/^ord_[A-Za-z0-9]+$/);
        expect(o).toMatchObject({ externalId: body.externalId, channel: 'web', currency: 'USD' });
        expect(ORDER_STATUSES).toContain(o.status);
        // OrderPlaced + PaymentAuthorized.
        expect(o.version).toBe(2);
        expect(res.headers.get('etag')).toBe(`"${o.version}"`);
        expect(o.lines).toHaveLength(2);
        expect(o.lines.map((l: { lineId: string }) => l.lineId)).toEqual(['1', '2']);
        for (const [i, line] of (o.lines as { lineId: string; sku: string; quantity: number; buckets: Record<string, number> }[]).entries()) {
          const sent = body.lines[i]!;
          expect(line).toMatchObject({ lineId: sent.lineId, sku: sent.sku, quantity: sent.quantity });
          expect(Object.keys(line.buckets).sort()).toEqual([...BUCKET_NAMES].sort());
          for (const b of BUCKET_NAMES) expect(Number.isInteger(line.buckets[b]) && line.buckets[b]! >= 0, b).toBe(true);
          expect(BUCKET_NAMES.reduce((sum, b) => sum + line.buckets[b]!, 0)).toBe(line.quantity);
          // Nothing has been shipped, cancelled or returned on a new order.
          expect(line.buckets).toMatchObject({ shipped: 0, delivered: 0, cancelled: 0, returned: 0, released: 0 });
        }
        expect(Array.isArray(o.fulfillments)).toBe(true);
        for (const f of o.fulfillments as { id: string }[]) expect(f.id).toMatch(/^ful_/);
        expect(o.holds).toEqual([]);
        expect(o.exceptions).toEqual([]);
      });

      it('a new order without payment is at version 1', async () => {
        const res = await place(s, orderBodyNoPayment());
        expect(res.body.version).toBe(1);
        expect(res.headers.get('etag')).toBe('"1"');
      });

      it('accepts a pickup order without shipTo', async () => {
        const { shipTo: _shipTo, ...body } = orderBody({ fulfillment: { type: 'pickup', storeId: 'store-12' } });
        const res = await s.api('/v1/orders', { body });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        expect(res.body.fulfillment).toEqual({ type: 'pickup', storeId: 'store-12' });
      });

      it('echoes X-Correlation-Id when sent and generates one when not', async () => {
        const cid = `corr-${uid()}`;
        const sent = await s.api('/v1/orders', { body: orderBody(), headers: { 'x-correlation-id': cid } });
        expect(sent.status).toBe(201);
        expect(sent.headers.get('x-correlation-id')).toBe(cid);
        const a = await s.api('/v1/orders', { body: orderBody() });
        const b = await s.api('/v1/orders', { body: orderBody() });
        const ga = a.headers.get('x-correlation-id');
        const gb = b.headers.get('x-correlation-id');
        expect(ga).toBeTruthy();
        expect(gb).toBeTruthy();
        expect(ga).not.toBe(gb);
        // Error responses carry it too.
        const bad = await s.api('/v1/orders', { body: { nope: true }, headers: { 'x-correlation-id': cid } });
        expect(bad.status).toBe(400);
        expect(bad.headers.get('x-correlation-id')).toBe(cid);
      });

      it('refuses a second (channel, externalId) under a new key: 409 duplicate_order, nothing written', async () => {
        const body = orderBody();
        const first = await place(s, body);
        const before = await countOrders(s);
        const again = await s.api('/v1/orders', { body: { ...body, lines: [{ lineId: 'x', sku: 'SKU-OTHER', quantity: 9, unitPrice: 1 }], payment: { authorizationId: 'auth-2', amount: 9 } } });
        expectProblem(again, 409, 'duplicate_order');
        const same = await s.api('/v1/orders', { body });
        expectProblem(same, 409, 'duplicate_order');
        expect(await countOrders(s)).toBe(before);
        const items = await byExternalId(s, body.externalId);
        expect(items.map((o) => o.id)).toEqual([first.body.id]);
        const read = await s.api(`/v1/orders/${first.body.id}`);
        expect(read.body.version).toBe(first.body.version);
        expect(read.body.lines).toEqual(first.body.lines);
        expect((await s.api(`/v1/orders/${first.body.id}/events`)).body.items).toHaveLength(2);
      });

      it('allows the same externalId on another channel', async () => {
        const body = orderBody();
        const a = await place(s, body);
        const b = await place(s, { ...body, channel: freshChannel('other') });
        expect(b.body.id).not.toBe(a.body.id);
        expect((await byExternalId(s, body.externalId)).map((o) => o.id).sort()).toEqual([a.body.id, b.body.id].sort());
      });

      it('under 20 simultaneous POSTs of one (channel, externalId) with distinct keys, exactly one order is created', async () => {
        const body = orderBody();
        const results = await Promise.all(Array.from({ length: 20 }, () => s.api('/v1/orders', { body })));
        const created = results.filter((r) => r.status === 201);
        expect(created, JSON.stringify(results.map((r) => [r.status, r.body?.code]))).toHaveLength(1);
        for (const r of results) if (r.status !== 201) expectProblem(r, 409, 'duplicate_order');
        expect((await byExternalId(s, body.externalId)).map((o) => o.id)).toEqual([created[0]!.body.id]);
      });
    });

    describe('GET /v1/orders/{id}', () => {
      it('returns the order with its ETag, equal to what POST returned', async () => {
        const created = await place(s);
        const res = await s.api(`/v1/orders/${created.body.id}`);
        expect(res.status).toBe(200);
        expect(res.headers.get('etag')).toBe(`"${created.body.version}"`);
        expect(res.body).toEqual(created.body);
      });

      it('answers 404 problem+json not_found for an unknown id', async () => {
        expectProblem(await s.api(`/v1/orders/ord_${uid()}`), 404, 'not_found');
        expectProblem(await s.api('/v1/orders/not-even-an-order'), 404, 'not_found');
        expectProblem(await s.api(`/v1/orders/ord_${uid()}/events`), 404, 'not_found');
      });

      it('answers 404 for commands on an unknown order and writes nothing', async () => {
        const before = await countOrders(s);
        const id = `ord_${uid()}`;
        expectProblem(await s.api(`/v1/orders/${id}/cancel`, { body: {} }), 404, 'not_found');
        expectProblem(await s.api(`/v1/orders/${id}/holds`, { body: { type: 'fraud' } }), 404, 'not_found');
        expectProblem(await s.api(`/v1/orders/${id}/holds/fraud/release`, { body: {} }), 404, 'not_found');
        expect(await countOrders(s)).toBe(before);
        expectProblem(await s.api(`/v1/orders/${id}/events`), 404, 'not_found');
      });
    });

    describe('GET /v1/orders (list)', () => {
      it('filters by channel, externalId and status', async () => {
        const channel = freshChannel('flt');
        const a = await place(s, orderBody({ channel }));
        const b = await place(s, orderBody({ channel }));
        const other = await place(s, orderBody({ channel: freshChannel('flt') }));

        const byChannel = await s.api(`/v1/orders?channel=${channel}`);
        expect(byChannel.status).toBe(200);
        expect(byChannel.body.nextCursor).toBeNull();
        expect(byChannel.body.items.map((o: { id: string }) => o.id).sort()).toEqual([a.body.id, b.body.id].sort());
        for (const o of byChannel.body.items) expect(o.channel).toBe(channel);

        const byExt = await s.api(`/v1/orders?externalId=${encodeURIComponent(other.body.externalId)}`);
        expect(byExt.body.items.map((o: { id: string }) => o.id)).toEqual([other.body.id]);
        expect(byExt.body.items[0]).toEqual(other.body);

        const combo = await s.api(`/v1/orders?channel=${channel}&externalId=${encodeURIComponent(other.body.externalId)}`);
        expect(combo.body.items).toEqual([]);

        const cancelled = await s.api(`/v1/orders/${a.body.id}/cancel`, { body: { reason: 'customer_request' } });
        expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
        const byStatus = await s.api(`/v1/orders?channel=${channel}&status=cancelled`);
        expect(byStatus.body.items.map((o: { id: string }) => o.id)).toEqual([a.body.id]);
        // The listed view is the current one, not the one at creation.
        expect(byStatus.body.items[0]).toMatchObject({ status: 'cancelled', version: cancelled.body.version });
        const live = await s.api(`/v1/orders?channel=${channel}&status=${b.body.status}`);
        expect(live.body.items.map((o: { id: string }) => o.id)).toEqual([b.body.id]);
      });

      it('pages with limit and cursor across 3 pages, without duplicates or omissions', async () => {
        const channel = freshChannel('page');
        const ids: string[] = [];
        for (let i = 0; i < 7; i++) ids.push((await place(s, orderBody({ channel }))).body.id as string);
        const whole = await s.api(`/v1/orders?channel=${channel}&limit=500`);
        expect(whole.body.items).toHaveLength(7);
        expect(whole.body.nextCursor).toBeNull();

        const seen: string[] = [];
        const sizes: number[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const res: Awaited<ReturnType<TestServer['api']>> = await s.api(`/v1/orders?channel=${channel}&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
          expect(res.status, JSON.stringify(res.body)).toBe(200);
          sizes.push(res.body.items.length);
          seen.push(...res.body.items.map((o: { id: string }) => o.id));
          cursor = res.body.nextCursor;
          if (cursor !== null) expect(typeof cursor).toBe('string');
          // An order placed mid-pagination must not shift the pages already promised.
          if (pages === 0) await place(s, orderBody({ channel }));
          pages++;
        } while (cursor && pages < 10);
        expect(sizes).toEqual([3, 3, 1]);
        expect(new Set(seen).size).toBe(7);
        expect([...seen].sort()).toEqual([...ids].sort());
        expect(seen).toEqual(whole.body.items.map((o: { id: string }) => o.id));
      });

      it('defaults to 50 items and accepts 500', async () => {
        const channel = freshChannel('lim');
        await place(s, orderBody({ channel }));
        const res = await s.api(`/v1/orders?limit=500&channel=${channel}`);
        expect(res.status).toBe(200);
        expect(res.body.items).toHaveLength(1);
        expect(Object.keys(res.body).sort()).toEqual(['items', 'nextCursor']);
      });

      it('rejects limit 0, 501, non-numeric and negative with 400 naming limit', async () => {
        for (const limit of ['0', '501', 'abc', '-1', '2.5']) {
          expectValidation(await s.api(`/v1/orders?limit=${limit}`), 'limit');
        }
      });

      it('rejects a cursor it did not issue with 400 naming cursor', async () => {
        for (const cursor of ['garbage!!', Buffer.from('{"x":1}').toString('base64url'), 'bm90LWpzb24']) {
          expectValidation(await s.api(`/v1/orders?cursor=${encodeURIComponent(cursor)}`), 'cursor');
        }
      });

      it('rejects an unknown status filter with 400 naming status', async () => {
        expectValidation(await s.api('/v1/orders?status=teleported'), 'status');
      });
    });

    describe('GET /v1/orders/{id}/events (timeline)', () => {
      it('records OrderPlaced then PaymentAuthorized with full envelope and metadata', async () => {
        const cid = `corr-${uid()}`;
        const created = await place(s, orderBody(), { 'x-correlation-id': cid });
        const res = await s.api(`/v1/orders/${created.body.id}/events`);
        expect(res.status).toBe(200);
        const items = res.body.items as TimelineEvent[];
        expect(items.map((e) => e.type)).toEqual(['OrderPlaced', 'PaymentAuthorized']);
        expect(items.map((e) => e.version)).toEqual([1, 2]);
        expect(new Set(items.map((e) => e.eventId)).size).toBe(2);
        for (const e of items) {
          expect(typeof e.eventId).toBe('string');
          expect(e.eventId.length).toBeGreaterThan(0);
          expect(Number.isNaN(Date.parse(e.occurredAt))).toBe(false);
          expect(Number.isNaN(Date.parse(e.recordedAt))).toBe(false);
          expect(e.occurredAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
          expect(e.recordedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
          expect(e.data).toBeTypeOf('object');
          expect(e.metadata).toHaveProperty('causationId');
          expect(e.metadata.correlationId).toBe(cid);
          expect(e.metadata.actor).toMatchObject({ kind: 'service' });
          expect(typeof e.metadata.actor.id).toBe('string');
          expect(e.metadata.actor.id.length).toBeGreaterThan(0);
          expect(e.metadata.source).toBeTruthy();
        }
        expect(items[0]!.data).toMatchObject({ orderId: created.body.id });
        expect(items[1]!.data).toMatchObject({ authorizationId: 'auth-77', amount: 3998 });
      });

      it('grows in order through hold, release and cancel, each with its own correlation id', async () => {
        const created = await place(s);
        const id = created.body.id as string;
        const steps: [string, unknown, string][] = [
          [`/v1/orders/${id}/holds`, { type: 'fraud', note: 'velocity' }, 'OrderHeld'],
          [`/v1/orders/${id}/holds/fraud/release`, {}, 'HoldReleased'],
          [`/v1/orders/${id}/cancel`, { reason: 'customer_request' }, 'OrderCancelled'],
        ];
        const cids: string[] = [];
        for (const [path, body] of steps) {
          const cid = `step-${uid()}`;
          cids.push(cid);
          const res = await s.api(path, { body, headers: { 'x-correlation-id': cid } });
          expect(res.status, JSON.stringify(res.body)).toBe(200);
          expect(res.headers.get('x-correlation-id')).toBe(cid);
        }
        const items = (await s.api(`/v1/orders/${id}/events`)).body.items as TimelineEvent[];
        expect(items.map((e) => e.type)).toEqual(['OrderPlaced', 'PaymentAuthorized', ...steps.map((x) => x[2])]);
        expect(items.map((e) => e.version)).toEqual([1, 2, 3, 4, 5]);
        expect(items.slice(2).map((e) => e.metadata.correlationId)).toEqual(cids);
        expect(items[2]!.data).toMatchObject({ holdType: 'fraud', note: 'velocity' });
        expect(items[3]!.data).toMatchObject({ holdType: 'fraud' });
        expect(items[4]!.data).toMatchObject({ reason: 'customer_request' });
        // recordedAt never goes backwards along the stream.
        for (let i = 1; i < items.length; i++) expect(Date.parse(items[i]!.recordedAt)).toBeGreaterThanOrEqual(Date.parse(items[i - 1]!.recordedAt));
        const read = await s.api(`/v1/orders/${id}`);
        expect(read.body.version).toBe(5);
        expect(read.headers.get('etag')).toBe('"5"');
      });

      it('honours W3C traceparent in the event metadata', async () => {
        const traceparent = `00-${randomUUID().replaceAll('-', '')}-${randomUUID().replaceAll('-', '').slice(0, 16)}-01`;
        const created = await place(s, orderBodyNoPayment(), { traceparent });
        const items = (await s.api(`/v1/orders/${created.body.id}/events`)).body.items as TimelineEvent[];
        expect(items[0]!.metadata.traceparent).toBe(traceparent);
      });
    });

    describe('POST /v1/orders/{id}/cancel', () => {
      it('cancels the whole order, then refuses a second cancel with 409 illegal_transition', async () => {
        const body = orderBody({
          lines: [
            { lineId: '1', sku: 'SKU-RED', quantity: 2, unitPrice: 1999 },
            { lineId: '2', sku: 'SKU-BLUE', quantity: 3, unitPrice: 100 },
          ],
        });
        const created = await place(s, body);
        const res = await s.api(`/v1/orders/${created.body.id}/cancel`, { body: { reason: 'customer_request' } });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(res.body.status).toBe('cancelled');
        expect(res.body.version).toBe(created.body.version + 1);
        expect(res.headers.get('etag')).toBe(`"${res.body.version}"`);
        expect(bucketsOf(res.body, 0)).toEqual(buckets({ cancelled: 2 }));
        expect(bucketsOf(res.body, 1)).toEqual(buckets({ cancelled: 3 }));
        expect((await s.api(`/v1/orders/${created.body.id}`)).body).toEqual(res.body);

        const again = await s.api(`/v1/orders/${created.body.id}/cancel`, { body: { reason: 'customer_request' } });
        expectProblem(again, 409, 'illegal_transition');
        const read = await s.api(`/v1/orders/${created.body.id}`);
        expect(read.body.version).toBe(res.body.version);
        expect((await s.api(`/v1/orders/${created.body.id}/events`)).body.items).toHaveLength(res.body.version);
      });

      it('cancels with an empty body (no lines = whole order)', async () => {
        const created = await place(s, orderBodyNoPayment());
        const res = await s.api(`/v1/orders/${created.body.id}/cancel`, { method: 'POST' });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(res.body.status).toBe('cancelled');
      });

      it('cancels part of a line: partially_cancelled with the right buckets', async () => {
        const body = orderBody({
          lines: [
            { lineId: '1', sku: 'SKU-RED', quantity: 3, unitPrice: 1999 },
            { lineId: '2', sku: 'SKU-BLUE', quantity: 2, unitPrice: 100 },
          ],
        });
        const created = await place(s, body);
        const untouched1 = bucketsOf(created.body, 1);
        const res = await s.api(`/v1/orders/${created.body.id}/cancel`, { body: { reason: 'customer_request', lines: [{ lineId: '1', quantity: 2 }] } });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(res.body.status).toBe('partially_cancelled');
        const b0 = bucketsOf(res.body, 0);
        expect(b0.cancelled).toBe(2);
        expect(BUCKET_NAMES.reduce((sum, k) => sum + b0[k]!, 0)).toBe(3);
        expect(b0.unallocated! + b0.backordered! + b0.allocated!).toBe(1);
        expect(bucketsOf(res.body, 1)).toEqual(untouched1);

        // The rest of line 1 and all of line 2: now fully cancelled.
        const rest = await s.api(`/v1/orders/${created.body.id}/cancel`, { body: { reason: 'customer_request', lines: [{ lineId: '1', quantity: 1 }, { lineId: '2', quantity: 2 }] } });
        expect(rest.status, JSON.stringify(rest.body)).toBe(200);
        expect(rest.body.status).toBe('cancelled');
        expect(bucketsOf(rest.body, 0)).toEqual(buckets({ cancelled: 3 }));
        expect(bucketsOf(rest.body, 1)).toEqual(buckets({ cancelled: 2 }));
      });

      it('refuses more than is left with 409 and writes nothing', async () => {
        const created = await place(s);
        const res = await s.api(`/v1/orders/${created.body.id}/cancel`, { body: { reason: 'x', lines: [{ lineId: '1', quantity: 3 }] } });
        expectProblem(res, 409, 'illegal_transition');
        const read = await s.api(`/v1/orders/${created.body.id}`);
        expect(read.body).toEqual(created.body);
      });

      it('refuses an unknown lineId with 400 naming it and writes nothing', async () => {
        const created = await place(s);
        const res = await s.api(`/v1/orders/${created.body.id}/cancel`, { body: { reason: 'x', lines: [{ lineId: 'nope', quantity: 1 }] } });
        expectValidation(res, /^lines\[0\]\.lineId$/);
        expect((await s.api(`/v1/orders/${created.body.id}`)).body).toEqual(created.body);
      });

      it('refuses bad cancel quantities with 400 naming the field', async () => {
        const created = await place(s);
        for (const quantity of [0, -1, 1.5, '1']) {
          const res = await s.api(`/v1/orders/${created.body.id}/cancel`, { body: { reason: 'x', lines: [{ lineId: '1', quantity }] } });
          expectValidation(res, 'lines[0].quantity');
        }
        expectValidation(await s.api(`/v1/orders/${created.body.id}/cancel`, { body: { reason: 'x', lines: [{ lineId: '1', quantity: 1 }, { lineId: '1', quantity: 1 }] } }), /^lines\[1\]\.lineId$/);
        expectValidation(await s.api(`/v1/orders/${created.body.id}/cancel`, { body: { reason: 'r'.repeat(65) } }), 'reason');
        expectValidation(await s.api(`/v1/orders/${created.body.id}/cancel`, { body: { reason: 'x', lines: [] } }), 'lines');
        expectValidation(await s.api(`/v1/orders/${created.body.id}/cancel`, { rawBody: '{"reason":' }), 'body');
        expectValidation(await s.api(`/v1/orders/${created.body.id}/cancel`, { rawBody: '["all"]' }), 'body');
        expect((await s.api(`/v1/orders/${created.body.id}`)).body).toEqual(created.body);
      });

      it('honours If-Match: current → 200, stale → 412 version_conflict and nothing written, malformed → 400', async () => {
        const created = await place(s);
        const id = created.body.id as string;
        const etag = created.headers.get('etag')!;
        expect(etag).toBe('"2"');

        const held = await s.api(`/v1/orders/${id}/holds`, { body: { type: 'manual' }, headers: { 'if-match': etag } });
        expect(held.status, JSON.stringify(held.body)).toBe(200);
        expect(held.headers.get('etag')).toBe('"3"');

        const stale = await s.api(`/v1/orders/${id}/cancel`, { body: { reason: 'customer_request' }, headers: { 'if-match': etag } });
        expectProblem(stale, 412, 'version_conflict');
        const afterStale = await s.api(`/v1/orders/${id}`);
        expect(afterStale.body).toEqual(held.body);
        expect((await s.api(`/v1/orders/${id}/events`)).body.items).toHaveLength(3);

        const ahead = await s.api(`/v1/orders/${id}/cancel`, { body: { reason: 'customer_request' }, headers: { 'if-match': '"99"' } });
        expectProblem(ahead, 412, 'version_conflict');

        for (const bad of ['abc', '"three"', 'W/', '-1', '"3.0"']) {
          const res = await s.api(`/v1/orders/${id}/cancel`, { body: { reason: 'customer_request' }, headers: { 'if-match': bad } });
          expectProblem(res, 400, 'validation_failed');
        }
        expect((await s.api(`/v1/orders/${id}`)).body.version).toBe(3);

        const ok = await s.api(`/v1/orders/${id}/cancel`, { body: { reason: 'customer_request' }, headers: { 'if-match': held.headers.get('etag')! } });
        expect(ok.status, JSON.stringify(ok.body)).toBe(200);
        expect(ok.body.status).toBe('cancelled');
        expect(ok.body.version).toBe(4);
        expect(ok.headers.get('etag')).toBe('"4"');
      });

      it('two simultaneous commands with the same current If-Match: exactly one wins, the other gets 412', async () => {
        const created = await place(s, orderBodyNoPayment({ lines: [{ lineId: '1', sku: 'SKU-RED', quantity: 4, unitPrice: 10 }] }));
        const id = created.body.id as string;
        const etag = created.headers.get('etag')!;
        const results = await Promise.all([
          s.api(`/v1/orders/${id}/cancel`, { body: { reason: 'a', lines: [{ lineId: '1', quantity: 1 }] }, headers: { 'if-match': etag } }),
          s.api(`/v1/orders/${id}/holds`, { body: { type: 'fraud' }, headers: { 'if-match': etag } }),
          s.api(`/v1/orders/${id}/cancel`, { body: { reason: 'b', lines: [{ lineId: '1', quantity: 2 }] }, headers: { 'if-match': etag } }),
          s.api(`/v1/orders/${id}/holds`, { body: { type: 'address' }, headers: { 'if-match': etag } }),
        ]);
        const summary = JSON.stringify(results.map((r) => [r.status, r.body?.code]));
        expect(results.filter((r) => r.status === 200), summary).toHaveLength(1);
        for (const r of results) if (r.status !== 200) expectProblem(r, 412, 'version_conflict');
        const events = (await s.api(`/v1/orders/${id}/events`)).body.items as TimelineEvent[];
        expect(events.map((e) => e.version)).toEqual([1, 2]);
        expect((await s.api(`/v1/orders/${id}`)).body.version).toBe(2);
      });

      it('refuses an If-Match that is not a well-formed entity-tag (unbalanced quotes) with 400, even when its digits are current', async () => {
        const got: Record<string, number> = {};
        for (const bad of ['"1', '1"']) {
          const created = await place(s, orderBodyNoPayment());
          expect(created.headers.get('etag')).toBe('"1"');
          const res = await s.api(`/v1/orders/${created.body.id}/holds`, { body: { type: 'manual' }, headers: { 'if-match': bad } });
          got[bad] = res.status;
          if (res.status === 400) expectProblem(res, 400, 'validation_failed');
          else expect((await s.api(`/v1/orders/${created.body.id}`)).body.version, 'the malformed If-Match was acted on').toBe(2);
        }
        expect(got).toEqual({ '"1': 400, '1"': 400 });
      });
    });

    describe('holds', () => {
      it('holds, refuses the same hold twice, releases back to the prior status, refuses releasing an absent hold', async () => {
        const created = await place(s);
        const id = created.body.id as string;
        const prior = created.body.status as string;

        const held = await s.api(`/v1/orders/${id}/holds`, { body: { type: 'fraud', note: 'score 97' } });
        expect(held.status, JSON.stringify(held.body)).toBe(200);
        expect(held.body.status).toBe('on_hold');
        expect(held.body.holds).toHaveLength(1);
        expect(held.body.holds[0]).toMatchObject({ type: 'fraud', note: 'score 97' });
        expect(held.body.version).toBe(created.body.version + 1);
        expect(held.headers.get('etag')).toBe(`"${held.body.version}"`);

        expectProblem(await s.api(`/v1/orders/${id}/holds`, { body: { type: 'fraud' } }), 409, 'illegal_transition');
        expect((await s.api(`/v1/orders/${id}`)).body.version).toBe(held.body.version);

        const second = await s.api(`/v1/orders/${id}/holds`, { body: { type: 'address' } });
        expect(second.status).toBe(200);
        expect(second.body.holds.map((h: { type: string }) => h.type).sort()).toEqual(['address', 'fraud']);

        const r1 = await s.api(`/v1/orders/${id}/holds/fraud/release`, { body: {} });
        expect(r1.status, JSON.stringify(r1.body)).toBe(200);
        expect(r1.body.status).toBe('on_hold');
        const r2 = await s.api(`/v1/orders/${id}/holds/address/release`, { body: { note: 'verified' } });
        expect(r2.status).toBe(200);
        expect(r2.body.status).toBe(prior);
        expect(r2.body.holds).toEqual([]);

        const absent = await s.api(`/v1/orders/${id}/holds/payment/release`, { body: {} });
        expectProblem(absent, 409, 'illegal_transition');
        expect((await s.api(`/v1/orders/${id}`)).body.version).toBe(r2.body.version);
      });

      it('lists on_hold orders by status', async () => {
        const channel = freshChannel('hold');
        const created = await place(s, orderBody({ channel }));
        await place(s, orderBody({ channel }));
        expect((await s.api(`/v1/orders/${created.body.id}/holds`, { body: { type: 'payment' } })).status).toBe(200);
        const res = await s.api(`/v1/orders?channel=${channel}&status=on_hold`);
        expect(res.body.items.map((o: { id: string }) => o.id)).toEqual([created.body.id]);
      });

      it('refuses an invalid hold type with 400 naming type, on hold and on release', async () => {
        const created = await place(s);
        const id = created.body.id as string;
        expectValidation(await s.api(`/v1/orders/${id}/holds`, { body: { type: 'whim' } }), 'type');
        expectValidation(await s.api(`/v1/orders/${id}/holds`, { body: {} }), 'type');
        expectValidation(await s.api(`/v1/orders/${id}/holds`, { body: { type: 7 } }), 'type');
        expectValidation(await s.api(`/v1/orders/${id}/holds`, { body: { type: 'fraud', note: 'n'.repeat(513) } }), 'note');
        expectProblem(await s.api(`/v1/orders/${id}/holds/whim/release`, { body: {} }), 400, 'validation_failed');
        expect((await s.api(`/v1/orders/${id}`)).body).toEqual(created.body);
      });

      it('a cancelled order cannot be held', async () => {
        const created = await place(s);
        expect((await s.api(`/v1/orders/${created.body.id}/cancel`, { body: {} })).status).toBe(200);
        expectProblem(await s.api(`/v1/orders/${created.body.id}/holds`, { body: { type: 'fraud' } }), 409, 'illegal_transition');
      });
    });

    describe('logs', () => {
      it('never contain names, emails, phones, addresses or the API key', async () => {
        const pii = {
          customerName: `Grace Hopper ${uid()}`,
          email: `grace.${uid()}@navy.example.org`,
          phone: `+1-555-${uid().slice(0, 7)}`,
          shipName: `Admiral Hopper ${uid()}`,
          line1: `${uid()} Pentagon Way`,
          line2: `Suite ${uid()}`,
          city: `Arlington${uid()}`,
          postalCode: `Z${uid().slice(0, 8)}`,
          shipPhone: `+1-555-${uid().slice(0, 6)}9`,
        };
        const body = orderBody({
          customer: { id: 'cus-9', email: pii.email, phone: pii.phone, name: pii.customerName, tier: 'standard' },
          shipTo: { name: pii.shipName, line1: pii.line1, line2: pii.line2, city: pii.city, region: 'VA', postalCode: pii.postalCode, country: 'US', phone: pii.shipPhone, lat: 38.87, lon: -77.05 },
        });
        const created = await place(s, body);
        await s.api(`/v1/orders/${created.body.id}`);
        await s.api(`/v1/orders/${created.body.id}/events`);
        // Rejected requests carrying PII must not leak it either.
        await s.api('/v1/orders', { body: { ...body, externalId: `WEB-${uid()}`, currency: 'XYZ' } });
        await s.api('/v1/orders', { body: { ...body, externalId: `WEB-${uid()}`, customer: { ...body.customer, email: `not-an-email ${pii.email}x` } } });
        await s.api('/v1/orders', { rawBody: `{"customer":{"name":"${pii.customerName}"`, headers: {} });
        await s.api('/v1/orders', { body }); // duplicate_order
        expect(s.logs.length).toBeGreaterThan(0);
        const all = s.logs.join('\n');
        for (const [what, value] of Object.entries(pii)) expect(all.includes(value), `${what} (${value}) appears in the logs`).toBe(false);
        expect(all.includes(ADMIN_KEY), 'the API key appears in the logs').toBe(false);
        // And the request log lines are there, with the correlation id.
        expect(all).toMatch(/"correlationId"/);
      });
    });
  });
}
