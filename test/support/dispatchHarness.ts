import type { Dispatcher, DispatcherDeps, RunSummary } from '../../src/app/dispatch/createDispatcher.js';
import { createDispatcher } from '../../src/app/dispatch/createDispatcher.js';
import type { DispatchPolicyInput } from '../../src/app/dispatch/dispatchPolicy.js';
import type { Connector } from '../../src/connectors/port.js';
import type { OutboxMessage, Store } from '../../src/store/port.js';
import { createSqliteStore } from '../../src/store/sqlite/sqliteStore.js';
import type { FakeClock } from './fakeClock.js';
import { createFakeClock } from './fakeClock.js';
import { createRecordingSink } from './fakeConnector.js';
import { T0, outboxMessage } from './outbox.js';
import { seededRandom } from './random.js';

export const quietLog = { info: () => {}, warn: () => {}, error: () => {} };

/** Timings small enough to read, polls long enough that the loop only wakes for real work. */
export const TEST_POLICY: DispatchPolicyInput = {
  defaults: { sendTimeoutMs: 5_000, abortGraceMs: 100, concurrency: 4, retry: { maxAttempts: 6, baseDelayMs: 1_000, maxDelayMs: 30_000, budgetMs: 600_000 } },
  leaseMs: 60_000,
  idlePollMs: 3_600_000,
  statsIntervalMs: 3_600_000,
};

/** A fresh in-memory store (the real SQLite adapter), a fake clock, a recording sink. */
export async function createHarness() {
  const store = createSqliteStore(':memory:');
  await store.migrate();
  const clock = createFakeClock(T0);
  const sinkRec = createRecordingSink();
  const hooks = {
    business: [] as { key: string; code: string }[],
    ambiguous: [] as { key: string; code: string }[],
    dead: [] as { id: string; reason: string; code: string }[],
    breaker: [] as [string, string][],
  };
  const dispatcher = (connectors: Connector[], extra: Partial<DispatcherDeps> & { policy?: DispatchPolicyInput; seed?: number } = {}): Dispatcher =>
    createDispatcher({
      store,
      connectors,
      sink: sinkRec.sink,
      clock: clock.clock,
      timers: clock.timers,
      log: quietLog,
      random: seededRandom(extra.seed ?? 7),
      workerId: 'w-test',
      onBusinessFailure: (e, err) => void hooks.business.push({ key: e.idempotencyKey, code: err.code }),
      onAmbiguous: (e, err) => void hooks.ambiguous.push({ key: e.idempotencyKey, code: err.code }),
      onDeadLetter: (m, reason, err) => void hooks.dead.push({ id: m.id, reason, code: err.code }),
      onBreakerChange: (id, state) => void hooks.breaker.push([id, state]),
      ...extra,
      policy: extra.policy ?? TEST_POLICY,
    });
  return { store, clock, sink: sinkRec, hooks, dispatcher, close: () => store.close() };
}
export type Harness = Awaited<ReturnType<typeof createHarness>>;

/** Outbox rows for a fulfillment: a release, or a cancel, in the (order, node) partition. */
export function release(n: number, options: { node?: string; destination?: string } = {}): OutboxMessage {
  const node = options.node ?? 'dc-east';
  return outboxMessage(`rel-${n}`, `ord_${n}:${node}`, {
    destination: options.destination ?? 'wms',
    type: 'fulfillment.release',
    payload: { type: 'fulfillment.release', fulfillmentId: `ful_${n}`, orderId: `ord_${n}`, nodeId: node, lines: [] },
  });
}
export function cancel(n: number, options: { node?: string; destination?: string } = {}): OutboxMessage {
  const node = options.node ?? 'dc-east';
  return outboxMessage(`can-${n}`, `ord_${n}:${node}`, {
    destination: options.destination ?? 'wms',
    type: 'fulfillment.cancel',
    payload: { type: 'fulfillment.cancel', fulfillmentId: `ful_${n}`, orderId: `ord_${n}`, nodeId: node, reason: 'customer_request' },
  });
}

/**
 * Runs passes until no partition has a pending head (everything dispatched, or dead and blocking
 * what follows it), jumping the fake clock to each pass's wake time; returns every pass's summary.
 */
export async function drain(d: Dispatcher, store: Store, clock: FakeClock, maxPasses = 500): Promise<RunSummary[]> {
  const passes: RunSummary[] = [];
  for (let i = 0; i < maxPasses; i++) {
    const s = await clock.settle(d.runOnce());
    passes.push(s);
    if ((await store.nextOutboxDue({})) === undefined) return passes;
    clock.set(Date.parse(s.wakeAt));
  }
  throw new Error(`the outbox did not drain in ${maxPasses} passes`);
}
