import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { NewEvent, OrderRow, Store, UnitOfWork } from '../../src/store/port.js';
import { storeFactories } from '../support/stores.js';

const meta = { correlationId: 'c-1', actor: { kind: 'service' as const, id: 'idn_test' } };
const ev = (type: string, data: unknown = {}): NewEvent => ({
  eventId: `evt_${randomUUID()}`,
  type,
  schemaVersion: 1,
  occurredAt: '2026-11-25T10:00:00.000Z',
  data,
  metadata: meta,
});
const append = (streamId: string, expectedVersion: number, ...events: NewEvent[]): UnitOfWork => ({
  append: { streamId, streamType: 'order', expectedVersion, events, recordedAt: '2026-11-25T10:00:01.000Z' },
});
const orderRow = (id: string, over: Partial<OrderRow> = {}): OrderRow => ({
  id,
  channel: 'web',
  externalId: `X-${id}`,
  status: 'created',
  version: 1,
  createdAt: '2026-11-25T10:00:00.000Z',
  updatedAt: '2026-11-25T10:00:00.000Z',
  view: { id, note: 'view' },
  ...over,
});

for (const factory of storeFactories()) {
  describe(`Store contract: ${factory.name}`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    beforeEach(async () => {
      const made = await factory.create();
      store = made.store;
      dispose = made.dispose;
    });
    afterEach(async () => dispose());

    it('applies migrations once, and again is a no-op', async () => {
      expect(await store.migrate()).toEqual([]);
      await store.ping();
    });

    it('appends with an expected version and reads the stream back in order', async () => {
      const [r] = await store.commit([append('ord_1', 0, ev('A', { n: 1 }), ev('B', { n: 2 }))]);
      expect(r).toMatchObject({ ok: true });
      const [r2] = await store.commit([append('ord_1', 2, ev('C', { n: 3 }))]);
      expect(r2).toMatchObject({ ok: true });
      const events = await store.readStream('ord_1');
      expect(events.map((e) => [e.type, e.version, e.data])).toEqual([
        ['A', 1, { n: 1 }],
        ['B', 2, { n: 2 }],
        ['C', 3, { n: 3 }],
      ]);
      expect(events[0]!.metadata).toEqual(meta);
      expect(events[0]!.recordedAt).toBe('2026-11-25T10:00:01.000Z');
      expect(await store.readStream('ord_none')).toEqual([]);
    });

    it('refuses a stale expected version and reports the actual one, writing nothing', async () => {
      await store.commit([append('ord_1', 0, ev('A'))]);
      expect(await store.commit([append('ord_1', 0, ev('B'))])).toEqual([
        { ok: false, reason: 'version_conflict', actualVersion: 1 },
      ]);
      expect(await store.commit([append('ord_1', 5, ev('B'))])).toEqual([
        { ok: false, reason: 'version_conflict', actualVersion: 1 },
      ]);
      expect((await store.readStream('ord_1')).map((e) => e.type)).toEqual(['A']);
    });

    it('two concurrent writers on one stream: exactly one wins', async () => {
      await store.commit([append('ord_1', 0, ev('A'))]);
      const results = await Promise.all([
        store.commit([append('ord_1', 1, ev('W1'))]),
        store.commit([append('ord_1', 1, ev('W2'))]),
      ]);
      const flat = results.flat();
      expect(flat.filter((r) => r.ok)).toHaveLength(1);
      expect(flat.filter((r) => !r.ok)).toEqual([{ ok: false, reason: 'version_conflict', actualVersion: 2 }]);
      expect(await store.readStream('ord_1')).toHaveLength(2);
    });

    it('group commit: a failing unit rolls back alone, the others commit', async () => {
      await store.commit([append('ord_x', 0, ev('A'))]);
      const outcomes = await store.commit([
        { ...append('ord_a', 0, ev('A')), orderRow: orderRow('ord_a') },
        { ...append('ord_x', 0, ev('Dup')), orderRow: orderRow('ord_x'), outbox: [outbox('m-x')] },
        { ...append('ord_b', 0, ev('A')), orderRow: orderRow('ord_b') },
        { ...append('ord_a', 1, ev('A2')), orderRow: orderRow('ord_a', { version: 2 }) },
      ]);
      expect(outcomes.map((o) => o.ok)).toEqual([true, false, true, true]);
      expect(await store.getOrder('ord_x')).toBeUndefined();
      expect((await store.readStream('ord_x')).map((e) => e.type)).toEqual(['A']);
      expect((await store.getOrder('ord_a'))?.version).toBe(2);
      expect(await store.listOutbox(0, 10)).toEqual([]);
    });

    it('reads all events from a global position, in commit order', async () => {
      await store.commit([append('s1', 0, ev('A')), append('s2', 0, ev('B'))]);
      await store.commit([append('s1', 1, ev('C'))]);
      const all = await store.readAll(0, 100);
      expect(all.map((e) => e.type)).toEqual(['A', 'B', 'C']);
      const positions = all.map((e) => e.position);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      expect(new Set(positions).size).toBe(3);
      const after = await store.readAll(all[0]!.position, 1);
      expect(after.map((e) => e.type)).toEqual(['B']);
      const outcomes = await store.commit([append('s3', 0, ev('D'))]);
      expect(outcomes[0]).toMatchObject({ ok: true, lastPosition: expect.any(Number) });
    });

    it('stores idempotency records with the events, atomically, and refuses a reused key', async () => {
      const idem = { scope: 'idn_1', key: 'k-1', fingerprint: 'fp', status: 201, body: { id: 'ord_1', v: [1] } };
      expect(await store.commit([{ ...append('ord_1', 0, ev('A')), idempotency: idem }])).toEqual([
        expect.objectContaining({ ok: true }),
      ]);
      expect(await store.getIdempotency('idn_1', 'k-1')).toMatchObject({ ...idem, createdAt: expect.any(String) });
      expect(await store.getIdempotency('idn_2', 'k-1')).toBeUndefined();
      // The same key again (another process racing): refused, and its events are not written.
      expect(await store.commit([{ ...append('ord_2', 0, ev('A')), idempotency: { ...idem, body: {} } }])).toEqual([
        { ok: false, reason: 'idempotency_key_exists' },
      ]);
      expect(await store.readStream('ord_2')).toEqual([]);
      // A unit that fails for another reason leaves no idempotency record behind.
      await store.commit([{ ...append('ord_1', 0, ev('B')), idempotency: { ...idem, key: 'k-2' } }]);
      expect(await store.getIdempotency('idn_1', 'k-2')).toBeUndefined();
    });

    it('writes outbox rows in the same transaction as the events', async () => {
      await store.commit([{ ...append('ord_1', 0, ev('A')), outbox: [outbox('m1'), outbox('m2')] }]);
      await store.commit([{ ...append('ord_1', 0, ev('B')), outbox: [outbox('m3')] }]); // conflict: no row
      const rows = await store.listOutbox(0, 10);
      expect(rows.map((r) => [r.id, r.status, r.attempts, r.payload])).toEqual([
        ['m1', 'pending', 0, { id: 'm1' }],
        ['m2', 'pending', 0, { id: 'm2' }],
      ]);
      expect(rows[0]!.seq).toBeLessThan(rows[1]!.seq);
      expect(await store.listOutbox(rows[0]!.seq, 10)).toHaveLength(1);
    });

    it('enforces a unique (channel, externalId) and names the existing order', async () => {
      const ref = { channel: 'web', externalId: 'WEB-1', orderId: 'ord_1' };
      await store.commit([{ ...append('ord_1', 0, ev('A')), externalRef: ref }]);
      expect(await store.commit([{ ...append('ord_2', 0, ev('A')), externalRef: { ...ref, orderId: 'ord_2' } }])).toEqual([
        { ok: false, reason: 'duplicate_external', orderId: 'ord_1' },
      ]);
      expect(await store.readStream('ord_2')).toEqual([]);
      expect(await store.findOrderIdByExternal('web', 'WEB-1')).toBe('ord_1');
      expect(await store.findOrderIdByExternal('pos', 'WEB-1')).toBeUndefined();
      // Same externalId on another channel is a different order.
      const [ok] = await store.commit([{ ...append('ord_3', 0, ev('A')), externalRef: { ...ref, channel: 'pos', orderId: 'ord_3' } }]);
      expect(ok).toMatchObject({ ok: true });
    });

    it('keeps the order projection in step, queryable with filters and cursor pagination', async () => {
      const ids = Array.from({ length: 7 }, (_, i) => `ord_${String(i).padStart(3, '0')}`);
      await store.commit(
        ids.map((id, i) => ({
          ...append(id, 0, ev('A')),
          orderRow: orderRow(id, { channel: i % 2 ? 'pos' : 'web', status: i < 3 ? 'cancelled' : 'created' }),
        })),
      );
      const page1 = await store.listOrders({ limit: 3 });
      expect(page1.map((o) => o.id)).toEqual(['ord_006', 'ord_005', 'ord_004']);
      const page2 = await store.listOrders({ limit: 3, beforeId: page1.at(-1)!.id });
      expect(page2.map((o) => o.id)).toEqual(['ord_003', 'ord_002', 'ord_001']);
      expect((await store.listOrders({ limit: 10, channel: 'pos' })).map((o) => o.id)).toEqual(['ord_005', 'ord_003', 'ord_001']);
      expect((await store.listOrders({ limit: 10, status: 'cancelled' })).map((o) => o.id)).toEqual(['ord_002', 'ord_001', 'ord_000']);
      expect((await store.listOrders({ limit: 10, externalId: 'X-ord_004', channel: 'web' })).map((o) => o.id)).toEqual(['ord_004']);
      const one = await store.getOrder('ord_004');
      expect(one).toEqual(orderRow('ord_004', { channel: 'web', status: 'created' }));
      await store.commit([{ ...append('ord_004', 1, ev('B')), orderRow: orderRow('ord_004', { status: 'on_hold', version: 2 }) }]);
      expect(await store.getOrder('ord_004')).toMatchObject({ status: 'on_hold', version: 2 });
    });

    it('stores identities by key hash', async () => {
      expect(await store.countIdentities()).toBe(0);
      await store.createIdentity({ id: 'idn_1', name: 'svc', scopes: ['orders:read'], createdAt: '2026-11-25T10:00:00.000Z' }, 'h1');
      expect(await store.findIdentityByKeyHash('h1')).toEqual({ id: 'idn_1', name: 'svc', scopes: ['orders:read'], createdAt: '2026-11-25T10:00:00.000Z' });
      expect(await store.findIdentityByKeyHash('h2')).toBeUndefined();
      expect(await store.countIdentities()).toBe(1);
    });
  });
}

function outbox(id: string) {
  return {
    id,
    destination: 'wms-main',
    partitionKey: 'ord_1:dc-east',
    type: 'ReleaseFulfillment',
    payload: { id },
    idempotencyKey: `key-${id}`,
    createdAt: '2026-11-25T10:00:00.000Z',
  };
}
