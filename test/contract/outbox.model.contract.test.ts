import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ClaimRuleRow } from '../../src/app/dispatch/partitionOrder.js';
import { claimableSeqs, isUnfinished } from '../../src/app/dispatch/partitionOrder.js';
import type { OutboxLease, Store } from '../../src/store/port.js';
import { storeFactories } from '../support/stores.js';
import { T0, at, outboxMessage, putOutbox } from '../support/outbox.js';

/**
 * Model-based: random sequences of claims, outcomes, redrives, discards and clock moves, applied
 * to a real store and to the pure claim rule side by side. Every claim must hand out exactly what
 * the rule says, every settlement must apply exactly when its lease is still the row's, and the
 * next-due time must agree.
 */
const Op = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 4_000 }) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('claim' as const),
      limit: fc.integer({ min: 0, max: 4 }),
      dest: fc.constantFrom('a', 'b', 'both', 'both'),
      leaseMs: fc.integer({ min: 500, max: 3_000 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('settle' as const),
      pick: fc.nat(),
      outcome: fc.constantFrom('complete', 'reschedule', 'defer', 'dead'),
      delayMs: fc.integer({ min: 0, max: 4_000 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('redrive' as const, 'discard' as const), pick: fc.nat() }) },
);
const Scenario = fc.record({
  messages: fc.array(fc.record({ partition: fc.integer({ min: 0, max: 2 }), dest: fc.constantFrom('a', 'b') }), { minLength: 2, maxLength: 8 }),
  ops: fc.array(Op, { minLength: 5, maxLength: 40 }),
});

type ModelRow = { -readonly [K in keyof ClaimRuleRow]: ClaimRuleRow[K] } & { id: string; token?: number };

for (const factory of storeFactories()) {
  describe(`Outbox claims follow the claim rule: ${factory.name}`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    beforeAll(async () => {
      ({ store, dispose } = await factory.create());
    });
    afterAll(async () => dispose());

    it('matches the pure model under random operations', async () => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(Scenario, async ({ messages, ops }) => {
          // Each run has its own destinations and partitions, so runs on one database never meet.
          const r = `r${++run}`;
          const base = run * 1_000_000;
          const dest = (d: string) => `${r}-${d}`;
          const written = messages.map((m, i) => outboxMessage(`${r}-m${i}`, `${r}-p${m.partition}`, { destination: dest(m.dest), createdMs: base }));
          for (let i = 0; i < written.length; i += 3) await putOutbox(store, ...written.slice(i, i + 3));
          const seqOf = new Map((await store.listOutbox(0, 100_000)).map((s) => [s.id, s.seq]));
          const model: ModelRow[] = written.map((m) => ({
            id: m.id, seq: seqOf.get(m.id)!, destination: m.destination, partitionKey: m.partitionKey, status: 'pending', availableAt: T0 + base, leaseUntil: null,
          }));
          const byId = new Map(model.map((m) => [m.id, m]));
          const held: { id: string; lease: OutboxLease }[] = [];
          let now = base;
          for (const op of ops) {
            if (op.kind === 'advance') now += op.ms;
            else if (op.kind === 'claim') {
              const destinations = op.dest === 'both' ? [dest('a'), dest('b')] : [dest(op.dest)];
              const expected = claimableSeqs(model, { now: T0 + now, limit: op.limit, destinations });
              const got = await store.claimOutbox({ workerId: 'w', limit: op.limit, now: at(now), leaseMs: op.leaseMs, destinations });
              expect(got.map((m) => m.seq)).toEqual(expected);
              for (const m of got) {
                const row = byId.get(m.id)!;
                expect(m.inDoubt).toBe(row.leaseUntil !== null); // reclaimed after its lease ran out
                row.leaseUntil = T0 + now + op.leaseMs;
                row.token = m.lease.token;
                held.push({ id: m.id, lease: m.lease });
              }
            } else if (op.kind === 'settle') {
              if (held.length === 0) continue;
              const [h] = held.splice(op.pick % held.length, 1);
              const row = byId.get(h!.id)!;
              const applies = row.status === 'pending' && row.token === h!.lease.token;
              const until = at(now + op.delayMs);
              const e = { kind: 'transient', code: 'x', message: 'x' };
              const settlement =
                op.outcome === 'complete' ? { kind: 'complete' as const, id: row.id, lease: h!.lease, at: at(now), attemptedAt: at(now) }
                : op.outcome === 'dead' ? { kind: 'dead' as const, id: row.id, lease: h!.lease, at: at(now), reason: 'exhausted' as const, error: e }
                : op.outcome === 'defer' ? { kind: 'defer' as const, id: row.id, lease: h!.lease, availableAt: until, inDoubt: false }
                : { kind: 'reschedule' as const, id: row.id, lease: h!.lease, attemptedAt: at(now), availableAt: until, error: e, inDoubt: false };
              expect(await store.settleOutbox([settlement])).toEqual([applies ? 'applied' : 'lease_lost']);
              if (!applies) continue;
              row.leaseUntil = null;
              row.token = undefined;
              if (op.outcome === 'complete') row.status = 'dispatched';
              else if (op.outcome === 'dead') row.status = 'dead';
              else row.availableAt = T0 + now + op.delayMs;
            } else {
              const row = model[op.pick % model.length]!;
              const result = op.kind === 'redrive'
                ? await store.redriveDeadLetter({ id: row.id, actor: 'ops', at: at(now) })
                : await store.discardDeadLetter({ id: row.id, actor: 'ops', at: at(now), note: 'n' });
              expect(result.status).toBe(row.status === 'dead' ? 'ok' : 'not_dead');
              if (row.status !== 'dead') continue;
              row.status = op.kind === 'redrive' ? 'pending' : 'discarded';
              if (op.kind === 'redrive') row.availableAt = T0 + now;
            }
            expect(await store.nextOutboxDue({ destinations: [dest('a'), dest('b')] })).toBe(expectedDue(model));
          }
        }),
        { numRuns: factory.name === 'sqlite' ? 60 : 25 },
      );
    });
  });
}

/** The rule for nextOutboxDue: the earliest time a pending partition head becomes claimable. */
function expectedDue(rows: readonly ModelRow[]): string | undefined {
  const heads = new Map<string, ModelRow>();
  for (const r of [...rows].sort((a, b) => a.seq - b.seq)) if (isUnfinished(r.status) && !heads.has(r.partitionKey)) heads.set(r.partitionKey, r);
  const due = [...heads.values()].filter((r) => r.status === 'pending').map((r) => Math.max(r.availableAt, r.leaseUntil ?? r.availableAt));
  return due.length === 0 ? undefined : new Date(Math.min(...due)).toISOString();
}
