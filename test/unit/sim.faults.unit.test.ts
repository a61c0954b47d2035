import { describe, expect, it } from 'vitest';
import type { SimFaultsInput } from '../../src/connectors/sim/faults.js';
import { NO_FAULTS, decideRequestFaults, sampleLatency, simFaultsSchema } from '../../src/connectors/sim/faults.js';
import { createInProcessConnector } from '../../src/connectors/sim/inProcessConnector.js';
import { createRandom, randomFor } from '../../src/connectors/sim/random.js';
import { createSimClock } from '../../src/connectors/sim/simClock.js';
import { createWmsSimulator } from '../../src/connectors/sim/wmsSimulator.js';
import { createRecordingSink } from '../support/recordingSink.js';
import { TIMINGS, cancel, envelope, failureOf, release, signal, wire } from './sim.fixtures.js';

function setup(faults: SimFaultsInput, seed = 7, dedupe = true) {
  const clock = createSimClock();
  const sink = createRecordingSink();
  const wms = createWmsSimulator({ id: 'wms-east', nodeId: 'dc-east', seed, runId: 'r1', dedupe, stock: { 'SKU-RED': 1000 }, timings: TIMINGS, clock, report: { kind: 'sink', sink }, faults });
  return { clock, sink, wms, connector: createInProcessConnector(wms) };
}

/** Releases `n` fulfillments and runs the clock until everything was reported. */
async function run(faults: SimFaultsInput, seed = 7, n = 5) {
  const s = setup(faults, seed);
  for (let i = 1; i <= n; i++) s.wms.receive(wire(release(`ful_${i}`, [{ sku: 'SKU-RED', quantity: 1 }])));
  await s.clock.runUntilIdle();
  return s;
}

describe('fault decisions', () => {
  it('are a pure function of the seed: the same seed decides the same, another seed differently', () => {
    const faults = simFaultsSchema.parse({ transientErrorRate: 0.3, businessErrorRate: 0.2, dropAckRate: 0.2, latency: { kind: 'lognormal', medianMs: 50, sigma: 0.5 } });
    const decide = (seed: number) => Array.from({ length: 50 }, (_, i) => decideRequestFaults(faults, 1, randomFor(seed, 'k', i)));
    expect(decide(1)).toEqual(decide(1));
    expect(decide(1)).not.toEqual(decide(2));
    const kinds = decide(1).map((d) => d.before.kind);
    expect(new Set(kinds)).toEqual(new Set(['none', 'transient', 'business']));
  });

  it('changing one rate does not reshuffle the other decisions', () => {
    const a = simFaultsSchema.parse({ businessErrorRate: 0.5 });
    const b = simFaultsSchema.parse({ businessErrorRate: 0.5, latency: { kind: 'fixed', ms: 10 }, dropAckRate: 0 });
    const kinds = (f: typeof a) => Array.from({ length: 40 }, (_, i) => decideRequestFaults(f, 1, randomFor(3, i)).before.kind);
    expect(kinds(a)).toEqual(kinds(b));
  });

  it('latency distributions stay in their bounds', () => {
    const rng = createRandom(5);
    expect(sampleLatency({ kind: 'fixed', ms: 40 }, rng)).toBe(40);
    for (let i = 0; i < 200; i++) {
      const u = sampleLatency({ kind: 'uniform', minMs: 10, maxMs: 20 }, rng);
      expect(u).toBeGreaterThanOrEqual(10);
      expect(u).toBeLessThanOrEqual(20);
      expect(sampleLatency({ kind: 'lognormal', medianMs: 30, sigma: 0.4 }, rng)).toBeGreaterThan(0);
    }
    expect(sampleLatency(undefined, rng)).toBe(0);
    expect(NO_FAULTS.transientErrorRate).toBe(0);
  });
});

describe('request faults through the in-process connector', () => {
  it('transientOnFirst: the first attempt is a transient 503 with Retry-After, the retry succeeds and creates once', async () => {
    const { connector, wms } = setup({ transientOnFirst: 1, transientKinds: ['503'], retryAfterSeconds: 3 });
    const e = envelope(release('ful_1', [{ sku: 'SKU-RED', quantity: 1 }]));
    expect(await failureOf(connector.send(e, { signal: signal() }))).toMatchObject({ kind: 'transient', code: 'http_503', retryAfterMs: 3000 });
    await expect(connector.send({ ...e, attempt: 2 }, { signal: signal() })).resolves.toEqual({ reference: 'wms-east-r1-wo-1' });
    expect(wms.counters().byKey[e.idempotencyKey]).toEqual({ arrived: 2, accepted: 1 });
    expect(wms.createdTwice()).toEqual([]);
  });

  it('business errors carry the simulated code and are never processed', async () => {
    const { connector, wms } = setup({ businessErrorRate: 1, businessErrorCodes: ['node_closed'] });
    expect(await failureOf(connector.send(envelope(release('ful_1', [{ sku: 'SKU-RED', quantity: 1 }])), { signal: signal() }))).toMatchObject({ kind: 'business', code: 'node_closed' });
    expect(wms.snapshot().fulfillments).toEqual([]);
  });

  it('a dropped acknowledgement is ambiguous to a non-deduplicating target; the status query says it was received', async () => {
    const s = setup({ dropAckOnFirst: 1 }, 7, false);
    const e = envelope(release('ful_1', [{ sku: 'SKU-RED', quantity: 1 }]));
    expect(await failureOf(s.connector.send(e, { signal: signal() }))).toMatchObject({ kind: 'ambiguous', code: 'connection_reset' });
    expect(s.wms.snapshot().fulfillments).toHaveLength(1); // processed, only the answer was lost
    await expect(s.connector.queryStatus!(e, { signal: signal() })).resolves.toEqual({ status: 'received' });
    await expect(s.connector.queryStatus!(envelope(release('ful_x', [{ sku: 'SKU-RED', quantity: 1 }])), { signal: signal() })).resolves.toEqual({ status: 'not_received' });
  });

  it('to a deduplicating target the same loss is transient, and the resend counts once', async () => {
    const s = setup({ dropAckOnFirst: 1, dropAckMode: 'hang' });
    const e = envelope(release('ful_1', [{ sku: 'SKU-RED', quantity: 1 }]));
    expect(await failureOf(s.connector.send(e, { signal: signal() }))).toMatchObject({ kind: 'transient', code: 'timeout' });
    await s.connector.send({ ...e, attempt: 2 }, { signal: signal() });
    expect(s.wms.counters().byKey[e.idempotencyKey]).toEqual({ arrived: 2, accepted: 1 });
    expect(s.wms.counters().created).toEqual({ ful_1: 1 });
  });

  it('outage windows: 503 with Retry-After to the end of the window, or refused connections; before and after, normal', async () => {
    const s = setup({ outages: [{ fromMs: 10_000, toMs: 25_000, mode: '503' }, { fromMs: 40_000, toMs: 50_000, mode: 'refuse' }] });
    const send = (id: string) => s.connector.send(envelope(release(id, [{ sku: 'SKU-RED', quantity: 1 }])), { signal: signal() });
    await expect(send('a')).resolves.toBeDefined();
    await s.clock.advance(12_000);
    expect(await failureOf(send('b'))).toMatchObject({ kind: 'transient', code: 'http_503', retryAfterMs: 13_000 });
    await s.clock.advance(13_000); // 25 s: the window is [from, to)
    await expect(send('c')).resolves.toBeDefined();
    await s.clock.advance(15_000);
    expect(await failureOf(send('d'))).toMatchObject({ kind: 'transient', code: 'connection_refused' });
    await expect(s.connector.queryStatus!(envelope(release('a', [])), { signal: signal() })).resolves.toEqual({ status: 'unknown' });
    await s.clock.advance(10_000);
    await expect(send('e')).resolves.toBeDefined();
    expect(s.wms.snapshot().fulfillments.map((f) => f.fulfillmentId)).toEqual(['a', 'c', 'e']);
  });

  it('strips personal data when the connector says pii: false', async () => {
    const clock = createSimClock();
    const wms = createWmsSimulator({ id: 'w', nodeId: 'dc-east', stock: { 'SKU-RED': 5 }, clock });
    const seen: unknown[] = [];
    const spy = { ...wms, receive: (r: Parameters<typeof wms.receive>[0]) => (seen.push(r.message), wms.receive(r)) };
    await createInProcessConnector(spy, { pii: false }).send(envelope(release('f', [{ sku: 'SKU-RED', quantity: 1 }], { customer: { email: 'a@b.c' } })), { signal: signal() });
    expect(seen[0]).not.toHaveProperty('shipTo');
    expect(seen[0]).not.toHaveProperty('customer');
  });
});

describe('report faults', () => {
  it('duplicates: every report arrives twice under the same message id, and the sink sees duplicates', async () => {
    const { sink } = await run({ duplicateReportRate: 1 }, 7, 2);
    const ids = sink.calls.map((c) => c.source.messageId);
    expect(ids.length).toBe(2 * new Set(ids).size);
    expect(sink.calls.filter((c) => c.outcome.status === 'duplicate')).toHaveLength(ids.length / 2);
  });

  it('duplicates with new ids: the same facts under different message ids', async () => {
    const { sink } = await run({ duplicateReportRate: 1, duplicateReportMode: 'new_id' }, 7, 1);
    const shipped = sink.calls.filter((c) => c.message.type === 'fulfillment.shipped');
    expect(shipped).toHaveLength(2);
    expect(shipped[0]!.source.messageId).not.toBe(shipped[1]!.source.messageId);
    expect(shipped[0]!.message).toEqual(shipped[1]!.message);
  });

  it('out of order by delay: later facts overtake earlier ones, the same way for the same seed', async () => {
    const order = async (seed: number) => {
      const { sink } = await run({ reorderReports: { mode: 'delay', rate: 1, maxDelayMs: 5_000 } }, seed, 3);
      return sink.calls.map((c) => `${(c.message as { fulfillmentId: string }).fulfillmentId}:${c.message.type}:${'stage' in c.message ? c.message.stage : ''}`);
    };
    const a = await order(11);
    const inOrder = (await run({}, 11, 3)).sink.calls.map((c) => `${(c.message as { fulfillmentId: string }).fulfillmentId}:${c.message.type}:${'stage' in c.message ? c.message.stage : ''}`);
    expect([...a].sort()).toEqual([...inOrder].sort()); // nothing lost, nothing added
    expect(a).not.toEqual(inOrder);
    // A fulfillment's own facts arrive out of their lifecycle order somewhere.
    const positions = (f: string) => ['acknowledged', 'picked', 'packed', 'shipped', 'delivered'].map((step) => a.findIndex((x) => x.startsWith(`${f}:`) && x.includes(step)));
    expect(['ful_1', 'ful_2', 'ful_3'].some((f) => positions(f).some((p, i, all) => i > 0 && p < all[i - 1]!))).toBe(true);
    expect(await order(11)).toEqual(a);
  });

  it('out of order by shuffle: reports held for a window and released in a seeded order', async () => {
    const { sink, clock, wms } = setup({ reorderReports: { mode: 'shuffle', windowMs: 60_000 } }, 3);
    for (let i = 1; i <= 6; i++) wms.receive(wire(release(`ful_${i}`, [{ sku: 'SKU-RED', quantity: 1 }])));
    // The window opens with the first report (the acknowledgements, at 1 s).
    await clock.advance(60_999);
    expect(sink.calls).toHaveLength(0);
    await clock.advance(1);
    expect(sink.calls).toHaveLength(6 * 5);
    const acks = sink.calls.filter((c) => c.message.type === 'fulfillment.acknowledged').map((c) => (c.message as { fulfillmentId: string }).fulfillmentId);
    expect([...acks].sort()).toEqual(['ful_1', 'ful_2', 'ful_3', 'ful_4', 'ful_5', 'ful_6']);
    expect(acks).not.toEqual([...acks].sort());
  });

  it('a run with every report fault on delivers the same things in the same order for the same seed', async () => {
    const faults: SimFaultsInput = { duplicateReportRate: 0.3, duplicateReportMode: 'new_id', reorderReports: { mode: 'delay', rate: 0.5, maxDelayMs: 3_000 }, shipAfterCancelRate: 0.5 };
    const trace = async (seed: number) => {
      const s = setup(faults, seed);
      for (let i = 1; i <= 6; i++) s.wms.receive(wire(release(`ful_${i}`, [{ sku: 'SKU-RED', quantity: i }])));
      for (let i = 1; i <= 6; i += 2) s.wms.receive(wire(cancel(`ful_${i}`)));
      await s.clock.runUntilIdle();
      return s.wms.deliveries().map((d) => `${d.at} ${d.messageId} ${d.copy} ${d.facts.map((f) => f.type).join('+')}`);
    };
    const a = await trace(21);
    expect(a.length).toBeGreaterThan(20);
    expect(await trace(21)).toEqual(a);
    expect(await trace(22)).not.toEqual(a);
  });

  it('ship after cancel is deterministic for a seed at a partial rate', async () => {
    const ignored = async (seed: number) => {
      const s = setup({ shipAfterCancelRate: 0.5 }, seed);
      for (let i = 1; i <= 12; i++) s.wms.receive(wire(release(`ful_${i}`, [{ sku: 'SKU-RED', quantity: 1 }])));
      for (let i = 1; i <= 12; i++) s.wms.receive(wire(cancel(`ful_${i}`)));
      await s.clock.runUntilIdle();
      return s.sink.calls.filter((c) => c.message.type === 'fulfillment.shipped').map((c) => (c.message as { fulfillmentId: string }).fulfillmentId);
    };
    const a = await ignored(5);
    expect(a.length).toBeGreaterThan(0);
    expect(a.length).toBeLessThan(12);
    expect(await ignored(5)).toEqual(a);
  });
});
