import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { factMessageId } from '../../src/app/dispatch/applyFacts.js';
import type { Fact } from '../../src/connectors/port.js';
import { ConnectorError } from '../../src/connectors/port.js';
import type { Harness } from '../support/dispatchHarness.js';
import { cancel, createHarness, drain, release } from '../support/dispatchHarness.js';
import { createFakeTarget, createRecordingSink } from '../support/fakeConnector.js';
import { at, putOutbox } from '../support/outbox.js';

const captured: Fact = { type: 'payment.captured', orderId: 'ord_1', captureId: 'cap-1', amount: 100, reference: 'shp-1' };
const silentOnce = (received: boolean) => (_e: unknown, n: number) => (n === 1 ? { kind: 'silent' as const, received } : { kind: 'ok' as const });

describe('outbox dispatcher: sends that may or may not have arrived', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(async () => h.close());

  it('a timeout at a target that cannot deduplicate and cannot be asked: dead ambiguous at once, never resent', async () => {
    const wms = createFakeTarget({ id: 'wms', clock: h.clock, behave: silentOnce(true) });
    await putOutbox(h.store, release(1), cancel(1));
    await drain(h.dispatcher([wms.connector]), h.store, h.clock);
    expect(wms.calls.map((e) => e.messageId)).toEqual(['rel-1']); // not resent, and the cancel waits behind it
    expect(wms.received).toHaveLength(1);
    expect(await h.store.getOutboxMessage('rel-1')).toMatchObject({ status: 'dead', deadReason: 'ambiguous', attempts: 1, lastError: { kind: 'ambiguous', code: 'timeout' } });
    expect(h.hooks.ambiguous).toEqual([{ key: 'key-rel-1', code: 'timeout' }]);
    expect(h.hooks.dead).toEqual([{ id: 'rel-1', reason: 'ambiguous', code: 'timeout' }]);
  });

  it('the connector’s own ambiguous error is treated the same way', async () => {
    const wms = createFakeTarget({ id: 'wms', clock: h.clock, behave: () => ({ kind: 'receive_then_throw', error: new ConnectorError('ambiguous', 'read_timeout', 'socket timed out after sending') }) });
    await putOutbox(h.store, release(1));
    await drain(h.dispatcher([wms.connector]), h.store, h.clock);
    expect(wms.calls).toHaveLength(1);
    expect(h.hooks.ambiguous).toEqual([{ key: 'key-rel-1', code: 'read_timeout' }]);
  });

  it('a timeout at a deduplicating target is transient: resent with the same idempotency key, processed once', async () => {
    const pos = createFakeTarget({ id: 'pos', clock: h.clock, deduplicates: true, behave: silentOnce(true) });
    await putOutbox(h.store, release(1, { destination: 'pos' }));
    await drain(h.dispatcher([pos.connector]), h.store, h.clock);
    expect(pos.calls.map((e) => [e.idempotencyKey, e.attempt])).toEqual([['key-rel-1', 1], ['key-rel-1', 2]]);
    expect(pos.received).toHaveLength(1);
    expect(await h.store.getOutboxMessage('rel-1')).toMatchObject({ status: 'dispatched', attempts: 2 });
    expect(h.hooks.ambiguous).toEqual([]);
  });

  it('with a status query: received → dispatched with the facts it reports, and nothing resent', async () => {
    const psp = createFakeTarget({ id: 'psp', clock: h.clock, statusQuery: true, behave: silentOnce(true), statusFacts: () => [captured] });
    await putOutbox(h.store, release(1, { destination: 'psp' }));
    await drain(h.dispatcher([psp.connector]), h.store, h.clock);
    expect(psp.calls).toHaveLength(1);
    expect(psp.statusQueries).toHaveLength(1);
    expect(await h.store.getOutboxMessage('rel-1')).toMatchObject({ status: 'dispatched', attempts: 1 });
    expect(h.sink.applied).toEqual([{ message: captured, source: { system: 'psp', messageId: factMessageId('key-rel-1', captured) } }]);
  });

  it('with a status query: not_received → resent later (safe now) and delivered once', async () => {
    const psp = createFakeTarget({ id: 'psp', clock: h.clock, statusQuery: true, behave: silentOnce(false) });
    await putOutbox(h.store, release(1, { destination: 'psp' }));
    await drain(h.dispatcher([psp.connector]), h.store, h.clock);
    expect(psp.calls.map((e) => e.attempt)).toEqual([1, 2]);
    expect(psp.received).toHaveLength(1);
    expect(await h.store.getOutboxMessage('rel-1')).toMatchObject({ status: 'dispatched', attempts: 2 });
  });

  it('with a status query: unknown → dead ambiguous, the app told', async () => {
    const psp = createFakeTarget({ id: 'psp', clock: h.clock, statusQuery: true, behave: silentOnce(true), status: () => 'unknown' });
    await putOutbox(h.store, release(1, { destination: 'psp' }));
    await drain(h.dispatcher([psp.connector]), h.store, h.clock);
    expect(psp.calls).toHaveLength(1);
    expect(await h.store.getOutboxMessage('rel-1')).toMatchObject({ status: 'dead', deadReason: 'ambiguous', lastError: { message: expect.stringContaining('cannot say whether it received it') } });
    expect(h.hooks.ambiguous).toEqual([{ key: 'key-rel-1', code: 'timeout' }]);
  });

  it('a failing status query keeps the message in doubt: the next attempt asks again instead of resending', async () => {
    let queries = 0;
    const psp = createFakeTarget({ id: 'psp', clock: h.clock, statusQuery: true, behave: silentOnce(true), status: () => (++queries === 1 ? 'fail' : 'received') });
    await putOutbox(h.store, release(1, { destination: 'psp' }));
    const d = h.dispatcher([psp.connector]);
    await h.clock.settle(d.runOnce());
    expect(await h.store.getOutboxMessage('rel-1')).toMatchObject({ status: 'pending', inDoubt: true, attempts: 1, lastError: { code: 'status_query_failed' } });
    await drain(d, h.store, h.clock);
    expect(psp.calls).toHaveLength(1);
    expect(psp.statusQueries).toHaveLength(2);
    expect(await h.store.getOutboxMessage('rel-1')).toMatchObject({ status: 'dispatched', inDoubt: false, attempts: 2 });
  });

  it('a message whose worker died mid-send is reclaimed in doubt after its lease: never resent blind', async () => {
    await putOutbox(h.store, release(1), release(2, { destination: 'psp' }), release(3, { destination: 'pos' }));
    // Another worker claimed them and died: no outcome, the leases run out.
    expect(await h.store.claimOutbox({ workerId: 'dead-worker', limit: 10, now: at(0), leaseMs: 1_000 })).toHaveLength(3);
    h.clock.set(h.clock.nowMs() + 1_000);
    const wms = createFakeTarget({ id: 'wms', clock: h.clock });
    const psp = createFakeTarget({ id: 'psp', clock: h.clock, statusQuery: true });
    const pos = createFakeTarget({ id: 'pos', clock: h.clock, deduplicates: true });
    await drain(h.dispatcher([wms.connector, psp.connector, pos.connector]), h.store, h.clock);
    expect(wms.calls).toEqual([]); // cannot ask, cannot dedupe: a human decides
    expect(await h.store.getOutboxMessage('rel-1')).toMatchObject({ status: 'dead', deadReason: 'ambiguous', attempts: 0, lastError: { code: 'lease_expired' } });
    expect(psp.statusQueries).toHaveLength(1); // asked first: not received, so sent
    expect(psp.calls).toHaveLength(1);
    expect(pos.calls).toHaveLength(1); // a deduplicating target just gets it again
    expect((await h.store.listOutbox(0, 10)).map((m) => [m.id, m.status])).toEqual([['rel-1', 'dead'], ['rel-2', 'dispatched'], ['rel-3', 'dispatched']]);
  });

  it('facts are applied before the message counts as dispatched; a sink failure never loses them', async () => {
    // Deduplicating target: asked again, and the fact already applied is a duplicate for the sink.
    let receives = 0;
    const flaky = createRecordingSink({ fail: () => ++receives === 2 });
    const two: Fact[] = [captured, { ...captured, captureId: 'cap-2' }];
    const pos = createFakeTarget({ id: 'pos', clock: h.clock, deduplicates: true, behave: () => ({ kind: 'ok', facts: two }) });
    await putOutbox(h.store, release(1, { destination: 'pos' }));
    const wms = createFakeTarget({ id: 'wms', clock: h.clock, behave: () => ({ kind: 'ok', facts: [captured] }) });
    const failing = createRecordingSink({ fail: () => true });
    await drain(h.dispatcher([pos.connector], { sink: flaky.sink }), h.store, h.clock);
    expect(await h.store.getOutboxMessage('rel-1')).toMatchObject({ status: 'dispatched', attempts: 2 });
    expect(flaky.applied.map((a) => a.message)).toEqual(two);
    expect(flaky.duplicates).toHaveLength(1);
    // Another target with no dedupe and no status query: parked for a human, the facts in the error.
    await putOutbox(h.store, release(2));
    await drain(h.dispatcher([wms.connector, pos.connector], { sink: failing.sink }), h.store, h.clock);
    expect(await h.store.getOutboxMessage('rel-2')).toMatchObject({
      status: 'dead', deadReason: 'ambiguous', lastError: { code: 'facts_not_applied', message: expect.stringContaining('"captureId":"cap-1"') },
    });
    expect(wms.calls).toHaveLength(1);
  });

  it('a fact the sink rejects as malformed is quarantined with its raw form, not dropped', async () => {
    const strict = createRecordingSink({ reject: () => true });
    const psp = createFakeTarget({ id: 'psp', clock: h.clock, behave: () => ({ kind: 'ok', facts: [captured] }) });
    await putOutbox(h.store, release(1, { destination: 'psp' }));
    await drain(h.dispatcher([psp.connector], { sink: strict.sink }), h.store, h.clock);
    expect(strict.quarantined).toEqual([{ reason: 'malformed fact', raw: JSON.stringify(captured) }]);
    expect(await h.store.getOutboxMessage('rel-1')).toMatchObject({ status: 'dispatched' });
  });
});
