import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../src/app/dispatch/createDispatcher.js';
import { systemClock } from '../../src/app/clock.js';
import { ConnectorError } from '../../src/connectors/port.js';
import type { Store } from '../../src/store/port.js';
import { TEST_POLICY, cancel, quietLog, release } from '../support/dispatchHarness.js';
import { createFakeClock } from '../support/fakeClock.js';
import { createFakeTarget, createRecordingSink } from '../support/fakeConnector.js';
import { T0, openSecondStore, putOutbox } from '../support/outbox.js';
import { seededRandom } from '../support/random.js';
import { storeFactories } from '../support/stores.js';

/** The dispatcher on each real store: several workers sharing one outbox, and the loop in real time. */
for (const factory of storeFactories()) {
  describe(`outbox dispatcher on ${factory.name}`, () => {
    let store: Store;
    let second: Store;
    let dispose: () => Promise<void>;
    beforeEach(async () => {
      const made = await factory.create();
      ({ store, dispose } = made);
      second = await openSecondStore(factory.name, made.location);
    });
    afterEach(async () => {
      await second.close();
      await dispose();
    });

    it('two dispatchers on two store instances share the work: each message reaches a non-deduplicating target once, in partition order', async () => {
      const clock = createFakeClock(T0);
      const faults = seededRandom(11);
      // One target both workers talk to; a fifth of first attempts fail transiently.
      const wms = createFakeTarget({ id: 'wms', clock, behave: (e) => (e.attempt === 1 && faults() < 0.2 ? { kind: 'throw', error: new ConnectorError('transient', 'http_503', 'busy') } : { kind: 'ok' }) });
      const sink = createRecordingSink();
      const make = (s: Store, workerId: string) =>
        createDispatcher({ store: s, connectors: [wms.connector], sink: sink.sink, clock: clock.clock, timers: clock.timers, log: quietLog, workerId, random: seededRandom(workerId.length), policy: TEST_POLICY });
      const [d1, d2] = [make(store, 'worker-1'), make(second, 'worker-2')];
      const messages = Array.from({ length: 24 }, (_, p) => [release(p), cancel(p)]).flat();
      for (let i = 0; i < messages.length; i += 8) await putOutbox(store, ...messages.slice(i, i + 8));
      const claimedBy = { 'worker-1': 0, 'worker-2': 0 };
      for (let pass = 0; pass < 200 && (await store.nextOutboxDue({})) !== undefined; pass++) {
        const [s1, s2] = await clock.settle(Promise.all([d1.runOnce(), d2.runOnce()]), { ioWaitMs: factory.name === 'postgres' ? 2 : 0 });
        claimedBy['worker-1'] += s1.claimed;
        claimedBy['worker-2'] += s2.claimed;
        clock.set(Math.min(Date.parse(s1.wakeAt), Date.parse(s2.wakeAt)));
      }
      expect((await store.listOutbox(0, 100)).every((m) => m.status === 'dispatched')).toBe(true);
      expect(wms.received.map((e) => e.messageId).sort()).toEqual(messages.map((m) => m.id).sort());
      for (let p = 0; p < 24; p++) {
        const calls = (id: string) => wms.calls.flatMap((e, i) => (e.messageId === id ? [i] : []));
        expect(Math.min(...calls(`can-${p}`))).toBeGreaterThan(Math.max(...calls(`rel-${p}`)));
      }
      expect(claimedBy['worker-1']).toBeGreaterThan(0);
      expect(claimedBy['worker-2']).toBeGreaterThan(0);
    });

    it('the loop on real time: started, nudged after a commit, delivers; stop() returns once it is idle', async () => {
      const wms = createFakeTarget({ id: 'wms', clock: createFakeClock(T0) });
      const d = createDispatcher({ store, connectors: [wms.connector], sink: createRecordingSink().sink, clock: systemClock, log: quietLog, policy: { idlePollMs: 60_000 } });
      d.start();
      try {
        await putOutbox(store, release(1), cancel(1));
        d.nudge();
        // Waiting for the outcome, not timing it: the bound only turns a hang into a failure.
        for (let i = 0; i < 500 && (await store.listOutbox(0, 10)).some((m) => m.status !== 'dispatched'); i++) await new Promise((r) => setTimeout(r, 20));
        expect(wms.received.map((e) => e.messageId)).toEqual(['rel-1', 'can-1']);
      } finally {
        await d.stop();
      }
    });
  });
}
