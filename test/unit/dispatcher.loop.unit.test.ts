import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../src/app/dispatch/createDispatcher.js';
import { DEFAULT_CONNECTOR_POLICY } from '../../src/app/dispatch/dispatchPolicy.js';
import { resolveMessage } from '../../src/app/dispatch/resolveMessage.js';
import { createMetrics } from '../../src/app/metrics.js';
import { ConnectorError } from '../../src/connectors/port.js';
import type { Harness } from '../support/dispatchHarness.js';
import { TEST_POLICY, createHarness, quietLog, release } from '../support/dispatchHarness.js';
import { flush } from '../support/fakeClock.js';
import { createFakeTarget } from '../support/fakeConnector.js';
import { T0, putOutbox } from '../support/outbox.js';

describe('outbox dispatcher: breaker, loop, metrics, configuration', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(async () => h.close());

  it('an outage opens the breaker: nothing is sent while it is open, one probe per cooldown, and a successful probe closes it', async () => {
    const OUTAGE_END = T0 + 60_000;
    const callTimes: number[] = [];
    const wms = createFakeTarget({
      id: 'wms', clock: h.clock,
      behave: () => {
        callTimes.push(h.clock.nowMs());
        return h.clock.nowMs() < OUTAGE_END ? { kind: 'throw', error: new ConnectorError('transient', 'http_503', 'down') } : { kind: 'ok' };
      },
    });
    const changes: { state: string; at: number }[] = [];
    await putOutbox(h.store, ...Array.from({ length: 6 }, (_, i) => release(i)));
    const d = h.dispatcher([wms.connector], {
      onBreakerChange: (_id, state) => void changes.push({ state, at: h.clock.nowMs() }),
      policy: {
        ...TEST_POLICY,
        defaults: { ...TEST_POLICY.defaults, concurrency: 2, retry: { maxAttempts: 50, baseDelayMs: 500, maxDelayMs: 2_000, budgetMs: 3_600_000 }, breaker: { consecutiveFailures: 3, cooldownMs: 10_000 } },
      },
    });
    let sawDegraded = false;
    for (let pass = 0; pass < 200 && (await h.store.nextOutboxDue({})) !== undefined; pass++) {
      const s = await h.clock.settle(d.runOnce());
      const states = d.breakerStates();
      if (states.wms === 'open') {
        sawDegraded ||= d.degradedConnectors().includes('wms');
        // Open, with messages waiting: the loop sleeps until the probe time, not the messages' due times.
        const opened = changes.filter((c) => c.state === 'open').at(-1)!;
        expect(Date.parse(s.wakeAt)).toBe(opened.at + 10_000);
      }
      h.clock.set(Date.parse(s.wakeAt));
    }
    expect((await h.store.listOutbox(0, 10)).every((m) => m.status === 'dispatched')).toBe(true);
    expect(sawDegraded).toBe(true);
    expect(d.degradedConnectors()).toEqual([]);
    expect(changes[0]?.state).toBe('open');
    expect(changes.at(-1)?.state).toBe('closed');
    // Between opening and its probe time, no send at all; each probe is a single call.
    const opens = changes.filter((c) => c.state === 'open');
    for (const o of opens) expect(callTimes.filter((t) => t > o.at && t < o.at + 10_000)).toEqual([]);
    expect(opens.length).toBeGreaterThanOrEqual(5); // ~60 s of outage / 10 s cooldown
    // Before it opened: the 3 failures in a row, plus at most one more already in flight (concurrency 2);
    // after: exactly one probe per half-open — not one send per message per retry.
    const beforeOpen = callTimes.filter((t) => t <= opens[0]!.at).length;
    expect(beforeOpen).toBeLessThanOrEqual(3 + 1);
    const probes = changes.filter((c) => c.state === 'half_open' && c.at < OUTAGE_END).length;
    expect(callTimes.filter((t) => t < OUTAGE_END).length).toBe(beforeOpen + probes);
    expect(changes.map((c) => c.state).join(',')).toMatch(/^open,(half_open,open,)*half_open,closed$/);
  });

  it('an unexpected fault after a send keeps the message in doubt: it is asked about, not resent blind', async () => {
    let calls = 0;
    const buggy = createFakeTarget({ id: 'wms', clock: h.clock, statusQuery: true });
    const send = buggy.connector.send.bind(buggy.connector);
    const connector = {
      ...buggy.connector,
      async send(...args: Parameters<typeof send>) {
        calls += 1;
        // A connector bug: its result throws when read, after the target may have acted.
        if (calls === 1) return { get facts(): never { throw new Error('connector bug'); } };
        return send(...args);
      },
    };
    await putOutbox(h.store, release(1));
    const d = h.dispatcher([connector]);
    let s = await h.clock.settle(d.runOnce());
    expect(await h.store.getOutboxMessage('rel-1')).toMatchObject({ status: 'pending', inDoubt: true, attempts: 1, lastError: { code: 'dispatcher_error', message: 'connector bug' } });
    for (let i = 0; i < 20 && (await h.store.nextOutboxDue({})) !== undefined; i++) {
      h.clock.set(Date.parse(s.wakeAt));
      s = await h.clock.settle(d.runOnce());
    }
    expect(buggy.statusQueries).toHaveLength(1); // asked first; the target says not received, so it is sent
    expect(calls).toBe(2);
    expect(await h.store.getOutboxMessage('rel-1')).toMatchObject({ status: 'dispatched' });
  });

  it('a message claimed while its breaker refuses calls is deferred to the probe time without counting an attempt', async () => {
    const wms = createFakeTarget({ id: 'wms', clock: h.clock, statusQuery: true });
    await putOutbox(h.store, release(1));
    const [m] = await h.store.claimOutbox({ workerId: 'w', limit: 1, now: new Date(T0).toISOString(), leaseMs: 60_000 });
    const r = await resolveMessage({ ...m!, inDoubt: true }, {
      connector: wms.connector, policy: DEFAULT_CONNECTOR_POLICY, sink: h.sink.sink, timers: h.clock.timers, random: () => 0.5, now: () => T0,
      breaker: { admit: () => false, record: () => {}, nextProbe: () => T0 + 30_000 }, onSend: () => {},
    });
    expect(r).toEqual({ kind: 'defer', availableAt: new Date(T0 + 30_000).toISOString(), inDoubt: true });
    expect(wms.calls).toEqual([]);
    expect(wms.statusQueries).toEqual([]);
  });

  it('the loop sends at once when nudged, polls otherwise, wakes when a retry is due, and stop() lets an in-flight send finish', async () => {
    let slowNext = false;
    const wms = createFakeTarget({
      id: 'wms', clock: h.clock,
      behave: (e) => (e.messageId === 'rel-3' && e.attempt === 1 ? { kind: 'throw', error: new ConnectorError('transient', 'http_503', 'busy', 5_000) } : slowNext ? { kind: 'slow', ms: 3_000 } : { kind: 'ok' }),
    });
    const d = h.dispatcher([wms.connector], { policy: { ...TEST_POLICY, idlePollMs: 60_000 } });
    d.start();
    await flush();
    await putOutbox(h.store, release(1));
    d.nudge();
    await flush();
    expect(wms.received.map((e) => e.messageId)).toEqual(['rel-1']); // no time passed: the nudge did it
    await putOutbox(h.store, release(2));
    await flush();
    expect(wms.received).toHaveLength(1); // not nudged: waits for the poll
    await h.clock.advanceTo(h.clock.nowMs() + 60_000);
    expect(wms.received.map((e) => e.messageId)).toEqual(['rel-1', 'rel-2']);
    await putOutbox(h.store, release(3));
    d.nudge();
    await flush();
    expect(wms.calls.at(-1)).toMatchObject({ messageId: 'rel-3', attempt: 1 });
    await h.clock.advanceTo(h.clock.nowMs() + 5_000); // Retry-After: the loop wakes when it is due
    expect(wms.received.map((e) => e.messageId)).toEqual(['rel-1', 'rel-2', 'rel-3']);
    slowNext = true;
    await putOutbox(h.store, release(4));
    d.nudge();
    await flush();
    let stopped = false;
    const stopping = d.stop().then(() => (stopped = true));
    await flush();
    expect(stopped).toBe(false); // rel-4 is still being sent
    await h.clock.advanceTo(h.clock.nowMs() + 3_000);
    await stopping;
    expect(await h.store.getOutboxMessage('rel-4')).toMatchObject({ status: 'dispatched' });
    await putOutbox(h.store, release(5));
    d.nudge();
    await flush();
    expect(wms.calls.map((e) => e.messageId)).not.toContain('rel-5'); // stopped means stopped
  });

  it('the running loop refills a connector as sends finish, never past its concurrency limit', async () => {
    // Sends of different lengths finish one by one, so the loop claims while others are in flight.
    const wms = createFakeTarget({ id: 'wms', clock: h.clock, behave: (e) => ({ kind: 'slow', ms: 500 + 700 * (Number(e.messageId.slice(4)) % 4) }) });
    const pos = createFakeTarget({ id: 'pos', clock: h.clock, behave: () => ({ kind: 'slow', ms: 300 }) });
    await putOutbox(h.store, ...Array.from({ length: 16 }, (_, i) => release(i)), ...Array.from({ length: 6 }, (_, i) => release(100 + i, { destination: 'pos' })));
    const d = h.dispatcher([wms.connector, pos.connector], { policy: { ...TEST_POLICY, connectors: { wms: { concurrency: 3 }, pos: { concurrency: 1 } } } });
    d.start();
    d.nudge();
    await h.clock.advanceTo(h.clock.nowMs() + 60_000);
    await d.stop();
    expect(wms.received).toHaveLength(16);
    expect(pos.received).toHaveLength(6);
    expect(wms.maxConcurrent()).toBe(3);
    expect(pos.maxConcurrent()).toBe(1);
  });

  it('exports depth, oldest age, sends by outcome, retries, dead letters and breaker state', async () => {
    const metrics = createMetrics();
    const wms = createFakeTarget({
      id: 'wms', clock: h.clock,
      behave: (e) => (e.messageId === 'rel-2' ? { kind: 'throw', error: new ConnectorError('business', 'unknown_sku', 'x') } : e.messageId === 'rel-3' ? { kind: 'throw', error: new Error('reset') } : { kind: 'ok' }),
    });
    await putOutbox(h.store, release(1), release(2), release(3), release(4, { destination: 'erp' }));
    h.clock.set(T0 + 90_000);
    const d = h.dispatcher([wms.connector], { metrics });
    await h.clock.settle(d.runOnce());
    const text = await metrics.registry.metrics();
    expect(text).toContain('orderly_outbox_sends_total{connector="wms",outcome="ok"} 1');
    expect(text).toContain('orderly_outbox_sends_total{connector="wms",outcome="business"} 1');
    expect(text).toContain('orderly_outbox_sends_total{connector="wms",outcome="transient"} 1');
    expect(text).toContain('orderly_outbox_retries_total{connector="wms"} 1');
    expect(text).toContain('orderly_outbox_dead_lettered_total{destination="wms",reason="business"} 1');
    expect(text).toContain('orderly_outbox_dead_lettered_total{destination="erp",reason="unroutable"} 1');
    expect(text).toContain('orderly_outbox_depth{destination="wms"} 1');
    expect(text).toContain('orderly_outbox_oldest_pending_age_seconds{destination="wms"} 90');
    expect(text).toContain('orderly_outbox_dead_letters{destination="wms"} 1');
    expect(text).toContain('orderly_connector_breaker_state{connector="wms"} 0');
  });

  it('refuses a bad configuration with an error that names every problem', () => {
    const wms = createFakeTarget({ id: 'wms', clock: h.clock });
    const base = { store: h.store, sink: h.sink.sink, clock: h.clock.clock, log: quietLog };
    expect(() => createDispatcher({ ...base, connectors: [wms.connector], policy: { defaults: { concurrency: 0, sendTimeoutMs: -1 } } })).toThrow(
      /concurrency must be an integer ≥ 1, not 0\n.*sendTimeoutMs must be an integer ≥ 1, not -1/,
    );
    expect(() => createDispatcher({ ...base, connectors: [wms.connector, wms.connector] })).toThrow('Two connectors have the id wms');
    expect(() => createDispatcher({ ...base, connectors: [wms.connector], policy: { connectors: { wsm: { concurrency: 1 } } } })).toThrow('names connectors that do not exist: wsm');
    const d = createDispatcher({ ...base, connectors: [wms.connector], timers: h.clock.timers });
    d.start();
    return expect(d.runOnce()).rejects.toThrow(/runOnce\(\) is for a stopped dispatcher/).finally(() => d.stop());
  });
});
