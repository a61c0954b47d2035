import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { factMessageId } from '../../src/app/dispatch/applyFacts.js';
import type { Fact } from '../../src/connectors/port.js';
import { ConnectorError } from '../../src/connectors/port.js';
import type { Harness } from '../support/dispatchHarness.js';
import { TEST_POLICY, cancel, createHarness, drain, release } from '../support/dispatchHarness.js';
import { createFakeTarget } from '../support/fakeConnector.js';
import { at, putOutbox } from '../support/outbox.js';

const ack = (n: number): Fact => ({ type: 'fulfillment.acknowledged', fulfillmentId: `ful_${n}`, accepted: true });
const http503 = (retryAfterMs?: number) => new ConnectorError('transient', 'http_503', 'Service Unavailable', retryAfterMs);

describe('outbox dispatcher', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(async () => h.close());

  it('delivers each message once with its envelope, stores the reference, and applies returned facts with deterministic ids', async () => {
    const wms = createFakeTarget({ id: 'wms', clock: h.clock, behave: (e) => ({ kind: 'ok', reference: `W-${e.messageId}`, facts: [ack(Number(e.messageId.slice(4)))] }) });
    await putOutbox(h.store, release(1), release(2));
    const d = h.dispatcher([wms.connector]);
    expect(await h.clock.settle(d.runOnce())).toMatchObject({ claimed: 2, dispatched: 2, retried: 0, dead: 0 });
    expect(wms.calls.map((e) => [e.messageId, e.idempotencyKey, e.attempt, e.message.type])).toEqual([
      ['rel-1', 'key-rel-1', 1, 'fulfillment.release'],
      ['rel-2', 'key-rel-2', 1, 'fulfillment.release'],
    ]);
    expect(await h.store.getOutboxMessage('rel-1')).toMatchObject({ status: 'dispatched', reference: 'W-rel-1', attempts: 1, dispatchedAt: at(0) });
    expect(h.sink.applied.map((a) => a.source)).toEqual([
      { system: 'wms', messageId: factMessageId('key-rel-1', ack(1)) },
      { system: 'wms', messageId: factMessageId('key-rel-2', ack(2)) },
    ]);
    expect(factMessageId('key-rel-1', ack(1))).toBe(factMessageId('key-rel-1', { accepted: true, fulfillmentId: 'ful_1', type: 'fulfillment.acknowledged' }));
    expect(factMessageId('key-rel-1', ack(1))).not.toBe(factMessageId('key-rel-1', ack(2)));
  });

  it('retries transient failures (reset, 503 with Retry-After, 429, anything thrown) with backoff, then delivers', async () => {
    const faults = [new ConnectorError('transient', 'connection_reset', 'ECONNRESET'), http503(20_000), new ConnectorError('transient', 'rate_limited', '429', 5_000), new TypeError('bug')];
    const wms = createFakeTarget({ id: 'wms', clock: h.clock, behave: (_e, n) => (n <= faults.length ? { kind: 'throw', error: faults[n - 1] } : { kind: 'ok' }) });
    await putOutbox(h.store, release(1));
    const d = h.dispatcher([wms.connector]);
    await h.clock.settle(d.runOnce());
    expect(await h.store.getOutboxMessage('rel-1')).toMatchObject({ status: 'pending', attempts: 1, lastError: { kind: 'transient', code: 'connection_reset' } });
    await h.clock.settle(d.runOnce()); // not due yet: nothing sent
    expect(wms.calls).toHaveLength(1);
    h.clock.set(Date.parse((await h.store.getOutboxMessage('rel-1'))!.availableAt));
    await h.clock.settle(d.runOnce());
    const after503 = (await h.store.getOutboxMessage('rel-1'))!;
    expect(after503).toMatchObject({ attempts: 2, lastError: { code: 'http_503' } });
    expect(Date.parse(after503.availableAt) - h.clock.nowMs()).toBeGreaterThanOrEqual(20_000); // Retry-After honoured
    await drain(d, h.store, h.clock);
    expect(await h.store.getOutboxMessage('rel-1')).toMatchObject({ status: 'dispatched', attempts: 5 });
    expect(wms.calls.map((e) => e.attempt)).toEqual([1, 2, 3, 4, 5]);
    expect(wms.received).toHaveLength(1);
  });

  it('dead-letters a message as exhausted past maxAttempts, or past the time budget', async () => {
    const wms = createFakeTarget({ id: 'wms', clock: h.clock, behave: () => ({ kind: 'throw', error: http503() }) });
    await putOutbox(h.store, release(1));
    await drain(h.dispatcher([wms.connector]), h.store, h.clock);
    expect(wms.calls).toHaveLength(6);
    const dead = (await h.store.listDeadLetters({ limit: 10 }))[0];
    expect(dead).toMatchObject({ id: 'rel-1', reason: 'exhausted', attempts: 6, error: { code: 'http_503', message: expect.stringContaining('gave up after 6 attempts') } });
    expect(h.hooks.dead).toEqual([{ id: 'rel-1', reason: 'exhausted', code: 'http_503' }]);

    const h2 = await createHarness();
    try {
      const pos = createFakeTarget({ id: 'pos', clock: h2.clock, behave: () => ({ kind: 'throw', error: http503(4_000) }) });
      await putOutbox(h2.store, release(2, { destination: 'pos' }));
      await drain(h2.dispatcher([pos.connector], { policy: { ...TEST_POLICY, defaults: { ...TEST_POLICY.defaults, retry: { maxAttempts: 100, baseDelayMs: 1_000, maxDelayMs: 30_000, budgetMs: 10_000 } } } }), h2.store, h2.clock);
      const [d2] = await h2.store.listDeadLetters({ limit: 10 });
      expect(d2).toMatchObject({ reason: 'exhausted', error: { message: expect.stringContaining('10000 ms budget') } });
      expect(Date.parse(d2!.lastAttemptAt!) - Date.parse(d2!.firstAttemptAt!)).toBeLessThanOrEqual(10_000);
    } finally {
      await h2.close();
    }
  });

  it('never retries a business refusal: dead at once, the app told to raise an exception, and the breaker stays closed', async () => {
    const wms = createFakeTarget({ id: 'wms', clock: h.clock, behave: () => ({ kind: 'throw', error: new ConnectorError('business', 'unknown_sku', 'SKU-X is not known (422)') }) });
    await putOutbox(h.store, ...Array.from({ length: 12 }, (_, i) => release(i)));
    const d = h.dispatcher([wms.connector], { policy: { ...TEST_POLICY, defaults: { ...TEST_POLICY.defaults, breaker: { consecutiveFailures: 3 } } } });
    await drain(d, h.store, h.clock);
    expect(wms.calls).toHaveLength(12);
    expect((await h.store.listDeadLetters({ limit: 20 })).map((x) => [x.reason, x.attempts])).toEqual(Array(12).fill(['business', 1]));
    expect(h.hooks.business).toHaveLength(12);
    expect(h.hooks.business[0]).toEqual({ key: 'key-rel-0', code: 'unknown_sku' });
    expect(d.degradedConnectors()).toEqual([]);
    expect(h.hooks.breaker).toEqual([]);
  });

  it('dead-letters a message its connector does not handle, or whose payload does not match its type', async () => {
    const wms = createFakeTarget({ id: 'wms', clock: h.clock, handles: ['fulfillment.release'] });
    await putOutbox(h.store, cancel(1), { ...release(2), payload: { type: 'payment.capture' } });
    await drain(h.dispatcher([wms.connector]), h.store, h.clock);
    expect(wms.calls).toEqual([]);
    expect(h.hooks.dead).toEqual([
      { id: 'can-1', reason: 'business', code: 'unsupported_message_type' },
      { id: 'rel-2', reason: 'business', code: 'malformed_message' },
    ]);
  });

  it('dead-letters a message for a destination with no connector as unroutable, without an attempt', async () => {
    const wms = createFakeTarget({ id: 'wms', clock: h.clock });
    await putOutbox(h.store, release(1, { destination: 'erp-legacy' }), release(2));
    const d = h.dispatcher([wms.connector]);
    expect(await h.clock.settle(d.runOnce())).toMatchObject({ dispatched: 1, dead: 1 });
    expect(await h.store.getOutboxMessage('rel-1')).toMatchObject({ status: 'dead', deadReason: 'unroutable', attempts: 0, lastError: { code: 'no_connector' } });
    expect(h.hooks.dead).toEqual([{ id: 'rel-1', reason: 'unroutable', code: 'no_connector' }]);
  });

  it('keeps partition order: a cancel is never sent before its release is delivered, and never after a release that died', async () => {
    let releaseCalls = 0;
    const wms = createFakeTarget({
      id: 'wms', clock: h.clock,
      behave: (e) => (e.message.type === 'fulfillment.release' && e.messageId === 'rel-1' && ++releaseCalls <= 2 ? { kind: 'throw', error: http503() } : { kind: 'ok' }),
    });
    await putOutbox(h.store, release(1), cancel(1), release(2));
    await drain(h.dispatcher([wms.connector]), h.store, h.clock);
    expect(wms.calls.map((e) => e.messageId)).toEqual(['rel-1', 'rel-2', 'rel-1', 'rel-1', 'can-1']);

    const h2 = await createHarness();
    try {
      const pos = createFakeTarget({ id: 'pos', clock: h2.clock, behave: (e) => (e.message.type === 'fulfillment.release' ? { kind: 'throw', error: new ConnectorError('business', 'node_closed', 'closed') } : { kind: 'ok' }) });
      await putOutbox(h2.store, release(1, { destination: 'pos' }), cancel(1, { destination: 'pos' }));
      await drain(h2.dispatcher([pos.connector]), h2.store, h2.clock);
      expect(pos.calls.map((e) => e.messageId)).toEqual(['rel-1']); // the cancel waits behind the dead release
      expect(await h2.store.getOutboxMessage('can-1')).toMatchObject({ status: 'pending', attempts: 0 });
    } finally {
      await h2.close();
    }
  });

  it('never has more sends in flight to a connector than its concurrency limit', async () => {
    const wms = createFakeTarget({ id: 'wms', clock: h.clock, behave: () => ({ kind: 'slow', ms: 1_000 }) });
    await putOutbox(h.store, ...Array.from({ length: 10 }, (_, i) => release(i)));
    const d = h.dispatcher([wms.connector], { policy: { ...TEST_POLICY, connectors: { wms: { concurrency: 3 } } } });
    await drain(d, h.store, h.clock);
    expect(wms.received).toHaveLength(10);
    expect(wms.maxConcurrent()).toBe(3);
  });
});
