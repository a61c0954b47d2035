import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/app/apiKeys.js';
import { systemClock } from '../../src/app/clock.js';
import { newId } from '../../src/app/ids.js';
import type { TestServer } from '../support/server.js';
import { e2eStores, startTestServer } from '../support/server.js';

const body = {
  externalId: 'SC-1',
  channel: 'web',
  currency: 'EUR',
  shipTo: { country: 'DE' },
  lines: [{ lineId: '1', sku: 'S', quantity: 1, unitPrice: 100 }],
};

for (const store of e2eStores()) {
  describe(`API key scopes (${store})`, () => {
    let srv: TestServer;
    let reader: string;
    let writer: string;
    beforeAll(async () => {
      srv = await startTestServer(store);
      const deps = { store: srv.orderly.store, clock: systemClock, newId };
      reader = (await createApiKey(deps, { name: 'reader', scopes: ['orders:read'] })).key;
      writer = (await createApiKey(deps, { name: 'writer', scopes: ['orders:write'] })).key;
    });
    afterAll(async () => srv.close());

    it('refuses a call outside the key scopes with 403 forbidden, writing nothing', async () => {
      const res = await srv.api('/v1/orders', { body, headers: { authorization: `Bearer ${reader}` } });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('forbidden');
      expect((await srv.api('/v1/orders')).body.items).toEqual([]);
      expect((await srv.api('/v1/nodes/dc-1', { method: 'PUT', body: { type: 'dc', location: { lat: 1, lon: 1, country: 'DE' } }, headers: { authorization: `Bearer ${writer}` } })).status).toBe(403);
    });

    it('lets orders:write place and read (write implies read), and scopes idempotency keys per identity', async () => {
      const headers = { authorization: `Bearer ${writer}`, 'idempotency-key': 'shared-key' };
      const placed = await srv.api('/v1/orders', { body, headers });
      expect(placed.status).toBe(201);
      expect((await srv.api(`/v1/orders/${placed.body.id}`, { headers: { authorization: `Bearer ${writer}` } })).status).toBe(200);
      // The admin using the same key string is a different scope: not a replay, a new request.
      const other = await srv.api('/v1/orders', { body: { ...body, externalId: 'SC-2' }, headers: { 'idempotency-key': 'shared-key' } });
      expect(other.status).toBe(201);
      expect(other.headers.get('idempotent-replayed')).toBeNull();
    });
  });
}
