import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { e2eStores, startTestServer } from '../support/server.js';
import { byExternalId, countOrders, expectProblem, orderBody, orderBodyNoPayment, place, uid } from './orders.helpers.js';

/**
 * The idempotency contract of API.md over HTTP: replay with its header, key reuse 422, missing key
 * 400, malformed keys 400, and many simultaneous requests with one key.
 */
for (const store of e2eStores()) {
  describe(`order API idempotency over HTTP [${store}]`, () => {
    let s: TestServer;
    beforeAll(async () => {
      s = await startTestServer(store);
    });
    afterAll(async () => {
      await s?.close();
    });

    it('same key + same body → the stored status and body, Idempotent-Replayed: true, one order', async () => {
      const key = `key-${uid()}`;
      const body = orderBody();
      const first = await s.api('/v1/orders', { body, headers: { 'idempotency-key': key } });
      expect(first.status).toBe(201);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      for (let i = 0; i < 3; i++) {
        const again = await s.api('/v1/orders', { body, headers: { 'idempotency-key': key } });
        expect(again.status).toBe(201);
        expect(again.headers.get('idempotent-replayed')).toBe('true');
        expect(again.body).toEqual(first.body);
        expect(again.headers.get('etag')).toBe(first.headers.get('etag'));
        expect(again.headers.get('content-type')).toMatch(/^application\/json/);
      }
      expect((await byExternalId(s, body.externalId)).map((o) => o.id)).toEqual([first.body.id]);
      expect((await s.api(`/v1/orders/${first.body.id}/events`)).body.items).toHaveLength(2);
    });

    it('the fingerprint ignores JSON key order and whitespace', async () => {
      const key = `key-${uid()}`;
      const body = orderBody();
      const first = await s.api('/v1/orders', { body, headers: { 'idempotency-key': key } });
      expect(first.status).toBe(201);
      const reordered = Object.fromEntries(Object.entries(body).reverse());
      const again = await s.api('/v1/orders', { rawBody: JSON.stringify(reordered, null, 2), headers: { 'idempotency-key': key } });
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body).toEqual(first.body);
    });

    it('a replay returns the stored response even after the order has moved on', async () => {
      const created = await place(s);
      const id = created.body.id as string;
      const key = `hold-${uid()}`;
      const held = await s.api(`/v1/orders/${id}/holds`, { body: { type: 'fraud' }, headers: { 'idempotency-key': key } });
      expect(held.status).toBe(200);
      const released = await s.api(`/v1/orders/${id}/holds/fraud/release`, { body: {} });
      expect(released.status).toBe(200);
      const replay = await s.api(`/v1/orders/${id}/holds`, { body: { type: 'fraud' }, headers: { 'idempotency-key': key } });
      expect(replay.status).toBe(200);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body).toEqual(held.body);
      // Nothing was done again: the order is not held, and no event was added.
      const now = await s.api(`/v1/orders/${id}`);
      expect(now.body.status).not.toBe('on_hold');
      expect(now.body.version).toBe(released.body.version);
      expect((await s.api(`/v1/orders/${id}/events`)).body.items).toHaveLength(released.body.version);
    });

    it('a replayed cancel does not cancel again and does not answer illegal_transition', async () => {
      const created = await place(s);
      const key = `cancel-${uid()}`;
      const first = await s.api(`/v1/orders/${created.body.id}/cancel`, { body: { reason: 'customer_request' }, headers: { 'idempotency-key': key } });
      expect(first.status).toBe(200);
      const again = await s.api(`/v1/orders/${created.body.id}/cancel`, { body: { reason: 'customer_request' }, headers: { 'idempotency-key': key } });
      expect(again.status).toBe(200);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body).toEqual(first.body);
    });

    it('same key + different body → 422 idempotency_key_reused, nothing written', async () => {
      const key = `key-${uid()}`;
      const body = orderBody();
      const first = await s.api('/v1/orders', { body, headers: { 'idempotency-key': key } });
      expect(first.status).toBe(201);
      const before = await countOrders(s);
      const other = orderBody();
      const res = await s.api('/v1/orders', { body: other, headers: { 'idempotency-key': key } });
      expectProblem(res, 422, 'idempotency_key_reused');
      expect(res.headers.get('idempotent-replayed')).toBeNull();
      expect(await byExternalId(s, other.externalId)).toEqual([]);
      expect(await countOrders(s)).toBe(before);
      // A small change in a nested field is a different request too.
      const tweaked = { ...body, lines: [{ ...body.lines[0], quantity: 3 }] };
      expectProblem(await s.api('/v1/orders', { body: tweaked, headers: { 'idempotency-key': key } }), 422, 'idempotency_key_reused');
      expect((await s.api(`/v1/orders/${first.body.id}`)).body).toEqual(first.body);
    });

    it('same key on a different path → 422 idempotency_key_reused, nothing written', async () => {
      const key = `key-${uid()}`;
      const created = await place(s, orderBody(), { 'idempotency-key': key });
      const res = await s.api(`/v1/orders/${created.body.id}/holds`, { body: { type: 'fraud' }, headers: { 'idempotency-key': key } });
      expectProblem(res, 422, 'idempotency_key_reused');
      expect((await s.api(`/v1/orders/${created.body.id}`)).body).toEqual(created.body);
    });

    it('missing Idempotency-Key → 400 idempotency_key_required, nothing written, on every mutation', async () => {
      const before = await countOrders(s);
      const body = orderBody();
      const res = await s.api('/v1/orders', { body, headers: { 'idempotency-key': '' } });
      expectProblem(res, 400, 'idempotency_key_required');
      expect(await byExternalId(s, body.externalId)).toEqual([]);
      expect(await countOrders(s)).toBe(before);

      const created = await place(s);
      const id = created.body.id as string;
      for (const [path, b] of [
        [`/v1/orders/${id}/cancel`, { reason: 'x' }],
        [`/v1/orders/${id}/holds`, { type: 'fraud' }],
        [`/v1/orders/${id}/holds/fraud/release`, {}],
      ] as const) {
        expectProblem(await s.api(path, { body: b, headers: { 'idempotency-key': '' } }), 400, 'idempotency_key_required');
      }
      expect((await s.api(`/v1/orders/${id}`)).body).toEqual(created.body);
    });

    it('a key of 255 printable ASCII characters is accepted; 256 → 400, nothing written', async () => {
      const ok = `k${uid()}`.padEnd(255, '~');
      expect((await s.api('/v1/orders', { body: orderBody(), headers: { 'idempotency-key': ok } })).status).toBe(201);
      const spaces = `with spaces and !"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}~ ${uid()}`;
      expect((await s.api('/v1/orders', { body: orderBody(), headers: { 'idempotency-key': spaces } })).status).toBe(201);

      const before = await countOrders(s);
      const body = orderBody();
      const res = await s.api('/v1/orders', { body, headers: { 'idempotency-key': 'k'.repeat(256) } });
      expectProblem(res, 400);
      expect(JSON.stringify(res.body)).toMatch(/idempotency-key/i);
      expect(await byExternalId(s, body.externalId)).toEqual([]);
      expect(await countOrders(s)).toBe(before);
    });

    it('a non-ASCII key → 400, nothing written', async () => {
      const before = await countOrders(s);
      for (const key of [`clé-${uid()}`, `key-\u00ff-${uid()}`, `tab\tkey-${uid()}`]) {
        const body = orderBody();
        const res = await s.api('/v1/orders', { body, headers: { 'idempotency-key': key } });
        expectProblem(res, 400);
        expect(JSON.stringify(res.body)).toMatch(/idempotency-key/i);
        expect(await byExternalId(s, body.externalId)).toEqual([]);
      }
      expect(await countOrders(s)).toBe(before);
    });

    it('20 simultaneous POSTs with one key → exactly one order; each answer is 201 or 409 request_in_progress', async () => {
      const key = `burst-${uid()}`;
      const body = orderBody();
      const results = await Promise.all(Array.from({ length: 20 }, () => s.api('/v1/orders', { body, headers: { 'idempotency-key': key } })));
      const summary = JSON.stringify(results.map((r) => [r.status, r.body?.code, r.headers.get('idempotent-replayed')]));
      const created = results.filter((r) => r.status === 201);
      expect(created.length, summary).toBeGreaterThanOrEqual(1);
      for (const r of results) {
        if (r.status === 201) continue;
        expectProblem(r, 409, 'request_in_progress');
      }
      // Exactly one original; the other 201s are replays of it.
      expect(created.filter((r) => r.headers.get('idempotent-replayed') !== 'true'), summary).toHaveLength(1);
      const ids = new Set(created.map((r) => r.body.id as string));
      expect(ids.size).toBe(1);
      for (const r of created) expect(r.body).toEqual(created[0]!.body);
      const items = await byExternalId(s, body.externalId);
      expect(items.map((o) => o.id)).toEqual([...ids]);
      const [id] = [...ids];
      expect((await s.api(`/v1/orders/${id}/events`)).body.items).toHaveLength(2);
      // Once settled, the same request replays.
      const later = await s.api('/v1/orders', { body, headers: { 'idempotency-key': key } });
      expect(later.status).toBe(201);
      expect(later.headers.get('idempotent-replayed')).toBe('true');
      expect(later.body.id).toBe(id);
    });

    it('20 simultaneous POSTs with one key and two different bodies → one order; each answer is 201, 409 request_in_progress or 422', async () => {
      const key = `mixed-${uid()}`;
      const a = orderBody();
      const b = orderBody();
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => s.api('/v1/orders', { body: i % 2 === 0 ? a : b, headers: { 'idempotency-key': key } })));
      const summary = JSON.stringify(results.map((r) => [r.status, r.body?.code]));
      const created = results.filter((r) => r.status === 201);
      expect(created.length, summary).toBeGreaterThanOrEqual(1);
      expect(new Set(created.map((r) => r.body.id as string)).size, summary).toBe(1);
      for (const r of results) {
        if (r.status === 201) continue;
        if (r.status === 422) expectProblem(r, 422, 'idempotency_key_reused');
        else expectProblem(r, 409, 'request_in_progress');
      }
      const winner = created[0]!.body.externalId as string;
      const loser = winner === a.externalId ? b.externalId : a.externalId;
      expect((await byExternalId(s, winner)).map((o) => o.id)).toEqual([created[0]!.body.id]);
      expect(await byExternalId(s, loser)).toEqual([]);
      // Every 201 carries the winner's body, never the loser's.
      for (const r of created) expect(r.body.externalId).toBe(winner);
    });

    it('20 simultaneous holds with one key on one order → one OrderHeld event', async () => {
      const created = await place(s, orderBodyNoPayment());
      const id = created.body.id as string;
      const key = `hburst-${uid()}`;
      const results = await Promise.all(Array.from({ length: 20 }, () => s.api(`/v1/orders/${id}/holds`, { body: { type: 'manual' }, headers: { 'idempotency-key': key } })));
      const summary = JSON.stringify(results.map((r) => [r.status, r.body?.code]));
      for (const r of results) if (r.status !== 200) expectProblem(r, 409, 'request_in_progress');
      expect(results.some((r) => r.status === 200), summary).toBe(true);
      const events = (await s.api(`/v1/orders/${id}/events`)).body.items as { type: string }[];
      expect(events.map((e) => e.type)).toEqual(['OrderPlaced', 'OrderHeld']);
    });

    it('many distinct keys at once on one order: each hold type once, a repeat type 409, versions dense', async () => {
      const created = await place(s, orderBodyNoPayment());
      const id = created.body.id as string;
      const types = ['fraud', 'payment', 'address', 'manual', 'fraud', 'payment'];
      const results = await Promise.all(types.map((type) => s.api(`/v1/orders/${id}/holds`, { body: { type } })));
      const summary = JSON.stringify(results.map((r) => [r.status, r.body?.code]));
      expect(results.filter((r) => r.status === 200), summary).toHaveLength(4);
      for (const r of results) if (r.status !== 200) expectProblem(r, 409, 'illegal_transition');
      const events = (await s.api(`/v1/orders/${id}/events`)).body.items as { type: string; version: number }[];
      expect(events.map((e) => e.version)).toEqual([1, 2, 3, 4, 5]);
      const order = await s.api(`/v1/orders/${id}`);
      expect(order.body.holds.map((h: { type: string }) => h.type).sort()).toEqual(['address', 'fraud', 'manual', 'payment']);
      expect(order.body.version).toBe(5);
    });
  });
}
