import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClaimedOutboxMessage, OutboxClaimQuery, OutboxError, OutboxMessage, Store } from '../../src/store/port.js';
import { storeFactories } from '../support/stores.js';
import { at, claimWith, openSecondStore, outboxMessage as msg, putOutbox as put } from '../support/outbox.js';

const err: OutboxError = { kind: 'transient', code: 'http_503', message: 'Service Unavailable' };

for (const factory of storeFactories()) {
  describe(`Outbox dispatch contract: ${factory.name}`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    let location: string;
    beforeEach(async () => {
      ({ store, dispose, location } = await factory.create());
    });
    afterEach(async () => dispose());
    const claim = (q: Partial<OutboxClaimQuery> = {}) => claimWith(store, q);
    const ids = (claimed: readonly ClaimedOutboxMessage[]) => claimed.map((m) => m.id);
    const complete = (m: ClaimedOutboxMessage, ms = 1, reference?: string) =>
      store.settleOutbox([{ kind: 'complete', id: m.id, lease: m.lease, at: at(ms), attemptedAt: at(ms - 1), ...(reference ? { reference } : {}) }]);
    const kill = (m: ClaimedOutboxMessage, reason: 'business' | 'exhausted' = 'business', ms = 1) =>
      store.settleOutbox([{ kind: 'dead', id: m.id, lease: m.lease, at: at(ms), attemptedAt: at(ms), reason, error: { ...err, kind: reason } }]);

    it('rows written by the commit path are pending, due at their creation, and claimed oldest first with a lease', async () => {
      await put(store, msg('m1', 'p1'), msg('m2', 'p2'), msg('m3', 'p3', { createdMs: 5_000 }));
      const detail = await store.getOutboxMessage('m1');
      expect(detail).toMatchObject({ status: 'pending', attempts: 0, inDoubt: false, availableAt: at(0), traceparent: null, lastError: null, history: [] });
      const first = await claim({ now: at(1_000), limit: 10 });
      expect(ids(first)).toEqual(['m1', 'm2']); // m3 is not due yet
      expect(first[0]).toMatchObject({ status: 'pending', lease: { owner: 'w1' }, leaseUntil: at(61_000), inDoubt: false, payload: { id: 'm1' }, idempotencyKey: 'key-m1' });
      // Leased: nobody gets them again while the lease holds.
      expect(ids(await claim({ workerId: 'w2', now: at(5_000) }))).toEqual(['m3']);
      expect(await claim({ workerId: 'w2', now: at(6_000) })).toEqual([]);
    });

    it('honours limit and the destination filter', async () => {
      await put(store, msg('a1', 'p1', { destination: 'a' }), msg('b1', 'p2', { destination: 'b' }), msg('a2', 'p3', { destination: 'a' }));
      expect(ids(await claim({ limit: 1, destinations: ['a'] }))).toEqual(['a1']);
      expect(await claim({ destinations: [] })).toEqual([]);
      expect(ids(await claim({ destinations: ['b', 'c'] }))).toEqual(['b1']);
      expect(ids(await claim({ limit: 0 }))).toEqual([]);
      expect(ids(await claim())).toEqual(['a2']);
    });

    it('keeps partition order: a later message waits until the one before it is dispatched', async () => {
      await put(store, msg('release', 'ord_1:dc'), msg('cancel', 'ord_1:dc'), msg('other', 'ord_2:dc'));
      const [release, other] = await claim();
      expect([release?.id, other?.id]).toEqual(['release', 'other']);
      expect(await claim({ workerId: 'w2' })).toEqual([]); // the cancel waits behind its leased release
      expect(await complete(release!, 1, 'WMS-77')).toEqual(['applied']);
      expect(ids(await claim({ workerId: 'w2', now: at(2) }))).toEqual(['cancel']);
      expect(await store.getOutboxMessage('release')).toMatchObject({
        status: 'dispatched', reference: 'WMS-77', dispatchedAt: at(1), attempts: 1, firstAttemptAt: at(0), lastAttemptAt: at(0),
      });
    });

    it('a rescheduled head counts the attempt and blocks its partition until it is due again', async () => {
      await put(store, msg('m1', 'p'), msg('m2', 'p'));
      const [m1] = await claim();
      expect(await store.settleOutbox([{ kind: 'reschedule', id: 'm1', lease: m1!.lease, attemptedAt: at(0), availableAt: at(10_000), error: err, inDoubt: false }])).toEqual(['applied']);
      expect(await claim({ now: at(5_000) })).toEqual([]);
      const again = await claim({ now: at(10_000) });
      expect(again).toMatchObject([{ id: 'm1', attempts: 1, firstAttemptAt: at(0), lastError: err, inDoubt: false }]);
      expect(again[0]!.lease.token).not.toBe(m1!.lease.token);
    });

    it('defer puts a message back without counting an attempt; in-doubt is kept for the next claim', async () => {
      await put(store, msg('m1', 'p'));
      const [m1] = await claim();
      await store.settleOutbox([{ kind: 'defer', id: 'm1', lease: m1!.lease, availableAt: at(3_000), inDoubt: true }]);
      expect(await claim({ now: at(2_999) })).toEqual([]);
      expect(await claim({ now: at(3_000) })).toMatchObject([{ id: 'm1', attempts: 0, inDoubt: true, firstAttemptAt: null }]);
    });

    it('a lease that runs out is reclaimed in doubt, and the old lease can no longer settle it', async () => {
      await put(store, msg('m1', 'p'), msg('m2', 'p'));
      const [old] = await claim({ now: at(0), leaseMs: 1_000 });
      expect(await claim({ workerId: 'w2', now: at(999) })).toEqual([]);
      const [taken] = await claim({ workerId: 'w2', now: at(1_000) });
      expect(taken).toMatchObject({ id: 'm1', lease: { owner: 'w2' }, inDoubt: true });
      // The first worker comes back late: its outcome is refused, nothing changes.
      expect(await complete(old!)).toEqual(['lease_lost']);
      expect(await store.getOutboxMessage('m1')).toMatchObject({ status: 'pending', attempts: 0 });
      expect(await complete(taken!, 2)).toEqual(['applied']);
      expect(await complete(taken!, 3)).toEqual(['lease_lost']); // settled once only
      expect(ids(await claim({ now: at(3) }))).toEqual(['m2']);
    });

    it('a dead message blocks its partition until it is redriven, and the redrive is audited', async () => {
      await put(store, msg('create', 'ord_1:dc'), msg('cancel', 'ord_1:dc'));
      const [create] = await claim();
      expect(await kill(create!, 'business', 5)).toEqual(['applied']);
      expect(await claim({ now: at(100_000) })).toEqual([]); // the cancel never overtakes a create that never arrived
      expect(await store.getOutboxMessage('create')).toMatchObject({
        status: 'dead', deadReason: 'business', deadAt: at(5), attempts: 1, lastError: { kind: 'business' },
        history: [{ action: 'dead_lettered', actor: 'w1', at: at(5), reason: 'business', attempts: 1, error: { kind: 'business', code: 'http_503' } }],
      });
      const redriven = await store.redriveDeadLetter({ id: 'create', actor: 'idn_ops', at: at(200_000) });
      expect(redriven).toMatchObject({ status: 'ok', message: { status: 'pending', attempts: 0, deadReason: null, firstAttemptAt: null, availableAt: at(200_000) } });
      expect(redriven.status === 'ok' && redriven.message.history.map((h) => [h.action, h.actor, h.at])).toEqual([
        ['dead_lettered', 'w1', at(5)],
        ['redriven', 'idn_ops', at(200_000)],
      ]);
      const [again] = await claim({ now: at(200_000) });
      expect(again).toMatchObject({ id: 'create', attempts: 0, inDoubt: false });
      await complete(again!, 200_001);
      expect(ids(await claim({ now: at(200_002) }))).toEqual(['cancel']);
    });

    it('discarding a dead letter is final, keeps the note, and unblocks the partition', async () => {
      await put(store, msg('m1', 'p'), msg('m2', 'p'));
      const [m1] = await claim();
      await kill(m1!, 'exhausted');
      const discarded = await store.discardDeadLetter({ id: 'm1', actor: 'idn_ops', at: at(10), note: 'sent by hand' });
      expect(discarded).toMatchObject({ status: 'ok', message: { status: 'discarded', deadReason: 'exhausted' } });
      expect(discarded.status === 'ok' && discarded.message.history.at(-1)).toEqual({ action: 'discarded', actor: 'idn_ops', at: at(10), note: 'sent by hand' });
      expect(ids(await claim({ now: at(11) }))).toEqual(['m2']);
      expect(await store.redriveDeadLetter({ id: 'm1', actor: 'x', at: at(12) })).toEqual({ status: 'not_dead', current: 'discarded' });
      expect(await store.discardDeadLetter({ id: 'm2', actor: 'x', at: at(12), note: 'n' })).toEqual({ status: 'not_dead', current: 'pending' });
      expect(await store.redriveDeadLetter({ id: 'nope', actor: 'x', at: at(12) })).toEqual({ status: 'not_found' });
      expect((await store.listOutbox(0, 10)).map((m) => [m.id, m.status])).toEqual([['m1', 'discarded'], ['m2', 'pending']]);
    });

    it('lists dead letters oldest first, filtered by destination and reason, page by page', async () => {
      const rows = Array.from({ length: 5 }, (_, i) => msg(`m${i}`, `p${i}`, { destination: i % 2 ? 'pos' : 'wms' }));
      await put(store, ...rows);
      for (const m of await claim()) await kill(m, Number(m.id.slice(1)) < 3 ? 'business' : 'exhausted');
      const page1 = await store.listDeadLetters({ limit: 2 });
      expect(page1.map((d) => d.id)).toEqual(['m0', 'm1']);
      expect(page1[0]).toMatchObject({ status: 'dead', reason: 'business', error: { kind: 'business' }, deadAt: at(1), attempts: 1, lastAttemptAt: at(1) });
      expect((await store.listDeadLetters({ limit: 2, afterSeq: page1[1]!.seq })).map((d) => d.id)).toEqual(['m2', 'm3']);
      expect((await store.listDeadLetters({ limit: 10, destination: 'wms' })).map((d) => d.id)).toEqual(['m0', 'm2', 'm4']);
      expect((await store.listDeadLetters({ limit: 10, reason: 'exhausted' })).map((d) => d.id)).toEqual(['m3', 'm4']);
      expect((await store.listDeadLetters({ limit: 10, destination: 'pos', reason: 'business' })).map((d) => d.id)).toEqual(['m1']);
    });

    it('reports depth, oldest pending and dead count per destination, and when the next head is due', async () => {
      expect(await store.outboxStats()).toEqual([]);
      expect(await store.nextOutboxDue({})).toBeUndefined();
      await put(store, msg('w1', 'p1', { createdMs: 10 }), msg('w2', 'p1', { createdMs: 20 }), msg('w3', 'p2', { createdMs: 30 }), msg('s1', 'p3', { destination: 'pos', createdMs: 40 }));
      const [w1] = await claim({ destinations: ['wms'], limit: 1, now: at(100) });
      await kill(w1!);
      expect(await store.outboxStats()).toEqual([
        { destination: 'pos', pending: 1, oldestPendingAt: at(40), dead: 0 },
        { destination: 'wms', pending: 2, oldestPendingAt: at(20), dead: 1 },
      ]);
      // p1 is blocked by its dead head; p2's head is due at 30; pos's at 40.
      expect(await store.nextOutboxDue({ destinations: ['wms'] })).toBe(at(30));
      expect(await store.nextOutboxDue({})).toBe(at(30));
      const [w3] = await claim({ destinations: ['wms'], now: at(100), leaseMs: 5_000 });
      expect(w3?.id).toBe('w3');
      expect(await store.nextOutboxDue({ destinations: ['wms'] })).toBe(at(5_100)); // its lease's end
      await store.settleOutbox([{ kind: 'reschedule', id: 'w3', lease: w3!.lease, attemptedAt: at(100), availableAt: at(9_000), error: err, inDoubt: false }]);
      expect(await store.nextOutboxDue({ destinations: ['wms'] })).toBe(at(9_000));
      expect(await store.nextOutboxDue({ destinations: [] })).toBeUndefined();
    });

    it('refuses bad input with a clear error and writes nothing', async () => {
      await put(store, msg('m1', 'p'));
      await expect(claim({ now: 'yesterday' })).rejects.toThrow(/now must be an ISO-8601 time/);
      await expect(claim({ limit: -1 })).rejects.toThrow(/limit/);
      await expect(claim({ workerId: '' })).rejects.toThrow(/workerId/);
      const [m1] = await claim();
      await expect(store.settleOutbox([
        { kind: 'complete', id: 'm1', lease: m1!.lease, at: at(1), attemptedAt: at(1) },
        { kind: 'reschedule', id: 'm1', lease: m1!.lease, attemptedAt: at(1), availableAt: 'soon', error: err, inDoubt: false },
      ])).rejects.toThrow(/availableAt must be an ISO-8601 time/);
      await expect(store.settleOutbox([{ kind: 'dead', id: 'm1', lease: m1!.lease, at: at(1), reason: 'lost' as never, error: err }])).rejects.toThrow(/reason must be one of/);
      expect(await store.getOutboxMessage('m1')).toMatchObject({ status: 'pending', attempts: 0, history: [] });
    });

    it.runIf(factory.name === 'postgres')('passes over rows another claimer has locked instead of waiting for them (SKIP LOCKED)', async () => {
      await put(store, msg('m1', 'p1'), msg('m2', 'p2'));
      const { default: pg } = await import('pg');
      const other = new pg.Client({ connectionString: location });
      await other.connect();
      try {
        await other.query('BEGIN');
        await other.query("SELECT 1 FROM outbox WHERE id = 'm1' FOR UPDATE"); // another claimer, mid-transaction
        // A claim that waited for the lock would hang until the other transaction ends; the timer
        // only turns such a hang into a failure (10 s against a query of milliseconds).
        let timer: NodeJS.Timeout | undefined;
        const waited = new Promise<'waited'>((resolve) => (timer = setTimeout(() => resolve('waited'), 10_000)));
        const got = await Promise.race([claim({ limit: 2 }), waited]);
        clearTimeout(timer);
        expect(got === 'waited' ? got : ids(got)).toEqual(['m2']);
      } finally {
        await other.query('ROLLBACK');
        await other.end();
      }
    });

    it('two concurrent claimers never hold the same message and never break partition order', async () => {
      const second = await openSecondStore(factory.name, location);
      try {
        const messages: OutboxMessage[] = [];
        for (let i = 0; i < 6; i++) for (let p = 0; p < 30; p++) messages.push(msg(`m${p}-${i}`, `ord_${p}:dc`, { destination: p % 3 ? 'wms' : 'pos' }));
        // Interleave partitions in seq order, as real traffic does.
        for (let i = 0; i < messages.length; i += 20) await put(store, ...messages.slice(i, i + 20));
        const settled = new Set<string>();
        const held = new Set<string>();
        const claims: { worker: string; id: string; predecessorSettled: boolean }[] = [];
        const violations: string[] = [];
        const worker = async (name: string, s: Store) => {
          for (let idle = 0; idle < 3; ) {
            const got = await s.claimOutbox({ workerId: name, limit: 7, now: at(1_000), leaseMs: 600_000 });
            idle = got.length === 0 ? idle + 1 : 0;
            for (const m of got) {
              if (held.has(m.id)) violations.push(`${m.id} held twice`);
              held.add(m.id);
              const [p, i] = m.id.slice(1).split('-').map(Number);
              claims.push({ worker: name, id: m.id, predecessorSettled: i === 0 || settled.has(`m${p}-${i! - 1}`) });
            }
            await new Promise((r) => setImmediate(r));
            const results = await s.settleOutbox(got.map((m) => ({ kind: 'complete' as const, id: m.id, lease: m.lease, at: at(1_001), attemptedAt: at(1_000) })));
            if (results.some((r) => r !== 'applied')) violations.push(`lost a lease: ${results.join(',')}`);
            for (const m of got) {
              held.delete(m.id);
              settled.add(m.id);
            }
          }
        };
        await Promise.all([worker('w1', store), worker('w2', second)]);
        expect(violations).toEqual([]);
        expect(claims).toHaveLength(messages.length);
        expect(new Set(claims.map((c) => c.id)).size).toBe(messages.length);
        expect(claims.filter((c) => !c.predecessorSettled)).toEqual([]);
        expect(new Set(claims.map((c) => c.worker))).toEqual(new Set(['w1', 'w2'])); // both did share the work
        expect((await store.listOutbox(0, 1000)).every((m) => m.status === 'dispatched' && m.attempts === 1)).toBe(true);
      } finally {
        await second.close();
      }
    });
  });
}
