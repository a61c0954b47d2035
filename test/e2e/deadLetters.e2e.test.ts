import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/app/apiKeys.js';
import { systemClock } from '../../src/app/clock.js';
import { newId } from '../../src/app/ids.js';
import type { TestServer } from '../support/server.js';
import { e2eStores, startTestServer } from '../support/server.js';
import { outboxMessage, parkDeadLetters, putOutbox } from '../support/outbox.js';

for (const storeKind of e2eStores()) {
  describe(`dead-letter API (${storeKind})`, () => {
    let srv: TestServer;
    let ops: string;
    let reader: string;
    beforeAll(async () => {
      srv = await startTestServer(storeKind);
      const deps = { store: srv.orderly.store, clock: systemClock, newId };
      ops = (await createApiKey(deps, { name: 'ops', scopes: ['ops:exceptions'] })).key;
      reader = (await createApiKey(deps, { name: 'reader', scopes: ['orders:read'] })).key;
      const store = srv.orderly.store;
      // Five dead letters across two destinations; m0 blocks a cancel behind it in its partition.
      await parkDeadLetters(
        store,
        Array.from({ length: 5 }, (_, i) => outboxMessage(`m${i}`, `ord_${i}:dc`, { destination: i % 2 ? 'pos' : 'wms', payload: { type: 'fulfillment.release', n: i } })),
        (m) => (m.id === 'm3' ? 'exhausted' : 'business'),
      );
      await putOutbox(store, outboxMessage('m0-cancel', 'ord_0:dc'), outboxMessage('pending-1', 'ord_9:dc', { destination: 'pos' }));
    });
    afterAll(async () => srv.close());
    const as = (key: string) => ({ authorization: `Bearer ${key}` });

    it('lists dead letters oldest first, filtered by destination and reason, page by page', async () => {
      const page1 = await srv.api('/v1/dead-letters?limit=2', { headers: as(ops) });
      expect(page1.status).toBe(200);
      expect(page1.body.items.map((d: { id: string }) => d.id)).toEqual(['m0', 'm1']);
      expect(page1.body.items[0]).toMatchObject({ destination: 'wms', partitionKey: 'ord_0:dc', reason: 'business', attempts: 1, error: { code: 'business_code' } });
      expect(page1.body.items[0]).not.toHaveProperty('payload');
      const page2 = await srv.api(`/v1/dead-letters?limit=2&cursor=${page1.body.nextCursor}`, { headers: as(ops) });
      expect(page2.body.items.map((d: { id: string }) => d.id)).toEqual(['m2', 'm3']);
      const last = await srv.api(`/v1/dead-letters?limit=2&cursor=${page2.body.nextCursor}`, { headers: as(ops) });
      expect(last.body).toMatchObject({ items: [{ id: 'm4' }], nextCursor: null });
      expect((await srv.api('/v1/dead-letters?destination=pos', { headers: as(ops) })).body.items.map((d: { id: string }) => d.id)).toEqual(['m1', 'm3']);
      expect((await srv.api('/v1/dead-letters?reason=exhausted')).body.items.map((d: { id: string }) => d.id)).toEqual(['m3']); // admin may too
    });

    it('refuses bad queries and missing scopes with problem+json', async () => {
      const bad = await srv.api('/v1/dead-letters?reason=lost&limit=0', { headers: as(ops) });
      expect(bad.status).toBe(400);
      expect(bad.headers.get('content-type')).toContain('application/problem+json');
      expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['limit', 'reason']);
      expect((await srv.api('/v1/dead-letters?cursor=bm9wZQ', { headers: as(ops) })).body).toMatchObject({ status: 400, errors: [{ path: 'cursor' }] });
      expect((await srv.api('/v1/dead-letters', { headers: as(reader) })).status).toBe(403);
      expect((await srv.api('/v1/dead-letters/m0/redrive', { method: 'POST', headers: as(reader) })).status).toBe(403);
      expect((await srv.api('/v1/outbox/stats', { headers: { authorization: '' } })).status).toBe(401);
    });

    it('shows one dead letter with its payload and history; 404 for an unknown one or one never dead', async () => {
      const shown = await srv.api('/v1/dead-letters/m2', { headers: as(ops) });
      expect(shown.status).toBe(200);
      expect(shown.body).toMatchObject({ id: 'm2', status: 'dead', deadReason: 'business', payload: { type: 'fulfillment.release', n: 2 }, history: [{ action: 'dead_lettered', actor: 'w-test', reason: 'business' }] });
      expect((await srv.api('/v1/dead-letters/nope', { headers: as(ops) })).body).toMatchObject({ status: 404, code: 'not_found' });
      expect((await srv.api('/v1/dead-letters/pending-1', { headers: as(ops) })).status).toBe(404);
    });

    it('redrives a dead letter once per Idempotency-Key, audited with the caller, unblocking nothing until it is delivered', async () => {
      const headers = { ...as(ops), 'idempotency-key': 'redrive-m0' };
      const first = await srv.api('/v1/dead-letters/m0/redrive', { method: 'POST', headers });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ id: 'm0', status: 'pending', attempts: 0, deadReason: null });
      const opsId = first.body.history.at(-1).actor;
      expect(first.body.history.map((e: { action: string }) => e.action)).toEqual(['dead_lettered', 'redriven']);
      expect(opsId).toMatch(/^idn_/);
      const replay = await srv.api('/v1/dead-letters/m0/redrive', { method: 'POST', headers });
      expect(replay.status).toBe(200);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body).toEqual(first.body);
      // A new key: it is pending now, not dead, so it cannot be redriven again.
      const again = await srv.api('/v1/dead-letters/m0/redrive', { method: 'POST', headers: as(ops) });
      expect(again.body).toMatchObject({ status: 409, code: 'not_dead_letter', current: 'pending' });
      expect((await srv.api('/v1/dead-letters/m0/redrive', { method: 'POST', headers: { ...as(ops), 'idempotency-key': '' } })).body.code).toBe('idempotency_key_required');
      expect((await srv.api('/v1/dead-letters/nope/redrive', { method: 'POST', headers: as(ops) })).status).toBe(404);
      const claimed = await srv.orderly.store.claimOutbox({ workerId: 'w2', limit: 10, now: new Date().toISOString(), leaseMs: 1_000, destinations: ['wms'] });
      expect(claimed.map((m) => m.id)).toEqual(['m0']); // the cancel behind it still waits
    });

    it('discards a dead letter with a required note, which unblocks its partition', async () => {
      const noNote = await srv.api('/v1/dead-letters/m4/discard', { body: {}, headers: as(ops) });
      expect(noNote.status).toBe(400);
      expect(noNote.body.errors).toEqual([{ path: 'note', message: expect.stringContaining('expected string') }]);
      expect((await srv.api('/v1/dead-letters/m4/discard', { body: { note: '   ' }, headers: as(ops) })).body.errors[0].path).toBe('note');
      expect((await srv.api('/v1/dead-letters/m4', { headers: as(ops) })).body.status).toBe('dead'); // refused requests changed nothing
      const done = await srv.api('/v1/dead-letters/m4/discard', { body: { note: 'shipped by hand, ticket OPS-12' }, headers: as(ops) });
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({ status: 'discarded', history: [{ action: 'dead_lettered' }, { action: 'discarded', note: 'shipped by hand, ticket OPS-12' }] });
      expect((await srv.api('/v1/dead-letters/m4/discard', { body: { note: 'again' }, headers: as(ops) })).body.code).toBe('not_dead_letter');
      expect((await srv.api('/v1/dead-letters', { headers: as(ops) })).body.items.map((d: { id: string }) => d.id)).not.toContain('m4');
    });

    it('reports the outbox per destination', async () => {
      const stats = await srv.api('/v1/outbox/stats', { headers: as(ops) });
      expect(stats.status).toBe(200);
      expect(stats.body.items).toEqual([
        { destination: 'pos', pending: 1, oldestPendingAt: expect.any(String), oldestPendingAgeSeconds: expect.any(Number), dead: 2 },
        { destination: 'wms', pending: 2, oldestPendingAt: expect.any(String), oldestPendingAgeSeconds: expect.any(Number), dead: 1 },
      ]);
      expect(stats.body.totals).toEqual({ pending: 3, dead: 3 });
    });
  });
}
