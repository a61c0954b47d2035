import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ConnectorError } from '../../src/connectors/port.js';
import type { OutboxMessage } from '../../src/store/port.js';
import { TEST_POLICY, cancel, createHarness, drain, release } from '../support/dispatchHarness.js';
import type { Behaviour } from '../support/fakeConnector.js';
import { createFakeTarget } from '../support/fakeConnector.js';
import { putOutbox } from '../support/outbox.js';
import { seededRandom } from '../support/random.js';

/** Faults by weight: mostly successes, every kind of failure the dispatcher must survive. */
const FAULTS: [number, () => Behaviour][] = [
  [8, () => ({ kind: 'ok' })],
  [2, () => ({ kind: 'throw', error: new ConnectorError('transient', 'connection_reset', 'ECONNRESET') })],
  [2, () => ({ kind: 'throw', error: new ConnectorError('transient', 'http_503', 'busy', 3_000) })],
  [1, () => ({ kind: 'throw', error: new ConnectorError('transient', 'rate_limited', '429', 1_000) })],
  [1, () => ({ kind: 'throw', error: new Error('unexpected') })],
  [1, () => ({ kind: 'throw', error: new ConnectorError('business', 'unknown_sku', '422') })],
  [1, () => ({ kind: 'silent', received: true })],
  [1, () => ({ kind: 'silent', received: false })],
  [1, () => ({ kind: 'receive_then_throw', error: new ConnectorError('ambiguous', 'read_timeout', 'after sending') })],
  [1, () => ({ kind: 'slow', ms: 2_000 })],
];
const pick = (r: number): Behaviour => {
  const total = FAULTS.reduce((n, [w]) => n + w, 0);
  let x = r * total;
  for (const [w, f] of FAULTS) if ((x -= w) < 0) return f();
  return { kind: 'ok' };
};

const Config = fc.record({
  partitions: fc.integer({ min: 1, max: 8 }),
  cancels: fc.boolean(),
  seed: fc.integer(),
  wmsStatusQuery: fc.boolean(),
  wmsConcurrency: fc.integer({ min: 1, max: 3 }),
  maxAttempts: fc.integer({ min: 1, max: 6 }),
});

describe('outbox dispatcher under random faults', () => {
  it('every message ends dispatched or dead with a reason (or waits behind a dead one); order per partition, concurrency and no blind resend hold', async () => {
    await fc.assert(
      fc.asyncProperty(Config, async (cfg) => {
        const h = await createHarness();
        try {
          const faults = seededRandom(cfg.seed);
          // wms cannot deduplicate (and may be able to answer status queries); pos deduplicates.
          const wms = createFakeTarget({ id: 'wms', clock: h.clock, statusQuery: cfg.wmsStatusQuery, behave: () => pick(faults()) });
          const pos = createFakeTarget({ id: 'pos', clock: h.clock, deduplicates: true, behave: () => pick(faults()) });
          const messages: OutboxMessage[] = [];
          for (let p = 0; p < cfg.partitions; p++) {
            const destination = p % 2 ? 'pos' : 'wms';
            messages.push(release(p, { destination }));
            if (cfg.cancels) messages.push(cancel(p, { destination }));
          }
          await putOutbox(h.store, ...messages);
          const policy = {
            ...TEST_POLICY,
            defaults: { ...TEST_POLICY.defaults, retry: { ...TEST_POLICY.defaults!.retry, maxAttempts: cfg.maxAttempts } },
            connectors: { wms: { concurrency: cfg.wmsConcurrency } },
          };
          await drain(h.dispatcher([wms.connector, pos.connector], { policy, seed: cfg.seed }), h.store, h.clock);

          const rows = await h.store.listOutbox(0, 1_000);
          for (const row of rows) {
            expect(row.attempts).toBeLessThanOrEqual(cfg.maxAttempts);
            if (row.status === 'dead') expect((await h.store.getOutboxMessage(row.id))?.deadReason).toMatch(/^(exhausted|business|ambiguous)$/);
            if (row.status === 'pending') {
              const before = rows.filter((r) => r.partitionKey === row.partitionKey && r.seq < row.seq);
              expect(before.some((r) => r.status === 'dead')).toBe(true);
            }
            expect(['dispatched', 'dead', 'pending']).toContain(row.status);
          }
          // A target that cannot deduplicate never processes a message twice.
          expect(new Set(wms.received.map((e) => e.idempotencyKey)).size).toBe(wms.received.length);
          // Per partition: a later message is sent only after every call of the earlier one, and only if it was dispatched.
          for (const target of [wms, pos]) {
            const callIndex = (id: string) => target.calls.map((e, i) => (e.messageId === id ? i : -1)).filter((i) => i >= 0);
            for (let p = 0; p < cfg.partitions && cfg.cancels; p++) {
              const [rel, can] = [callIndex(`rel-${p}`), callIndex(`can-${p}`)];
              if (can.length === 0) continue;
              expect(Math.min(...can)).toBeGreaterThan(Math.max(...rel));
              expect(rows.find((r) => r.id === `rel-${p}`)?.status).toBe('dispatched');
            }
          }
          expect(wms.maxConcurrent()).toBeLessThanOrEqual(cfg.wmsConcurrency);
          expect(pos.maxConcurrent()).toBeLessThanOrEqual(4);
        } finally {
          await h.close();
        }
      }),
      { numRuns: 60 },
    );
  });
});
