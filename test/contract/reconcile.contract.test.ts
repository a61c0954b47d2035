import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReconciliationRunRow, Store } from '../../src/store/port.js';
import { compareKeys } from '../../src/reconcile/index.js';
import { storeFactories } from '../support/stores.js';

const T0 = '2026-11-25T10:00:00.000Z';
// Ids whose bytewise (UTF-8) order differs from JavaScript's `<` and from a linguistic collation.
const IDS = ['ful_B', 'ful_a', 'ful_é', 'ful_\u{1F600}', 'ful_\uFFFD', 'ful_A', 'ful_a-2'];

const fulfillmentRow = (id: string, nodeId: string) => ({
  id, orderId: `ord_${id}`, nodeId, status: 'released', releasedAt: T0, updatedAt: T0, view: { id, nodeId, lines: [{ lineId: '1', quantity: 2 }] },
});
const run = (id: string, over: Partial<ReconciliationRunRow> = {}): ReconciliationRunRow => ({
  id, target: 'wms-main', kind: 'orders', asOf: T0, status: 'queued', source: 'api', scope: { nodeIds: ['dc-1'] }, progress: { keys: 0 }, cursor: null,
  totals: {}, error: null, createdBy: 'idn_test', createdAt: T0, startedAt: null, finishedAt: null, owner: null, leaseUntil: null, ...over,
});

for (const factory of storeFactories()) {
  describe(`Reconciliation store contract: ${factory.name}`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    beforeEach(async () => {
      const made = await factory.create();
      store = made.store;
      dispose = made.dispose;
    });
    afterEach(async () => dispose());

    it('pages fulfillments of some nodes in bytewise id order, with their release message joined', async () => {
      const rows = IDS.map((id, i) => fulfillmentRow(id, i % 3 === 2 ? 'dc-other' : 'dc-1'));
      const release = { id: 'msg_1', destination: 'wms-main', partitionKey: 'p', type: 'fulfillment.release', payload: { lines: [] }, idempotencyKey: 'fulfillment.release:ful_a', createdAt: T0 };
      const cancel = { ...release, id: 'msg_2', type: 'fulfillment.cancel', idempotencyKey: 'fulfillment.cancel:ful_B@3' };
      expect(await store.commit([{ fulfillmentRows: rows, outbox: [release, cancel] }])).toEqual([{ ok: true }]);
      const mine = IDS.filter((_, i) => i % 3 !== 2).sort(compareKeys);
      const all = await store.listFulfillmentsForReconciliation({ nodeIds: ['dc-1'], limit: 100 });
      expect(all.map((r) => r.id)).toEqual(mine);
      const a = all.find((r) => r.id === 'ful_a')!;
      expect(a).toMatchObject({ orderId: 'ord_ful_a', nodeId: 'dc-1', releasedAt: T0, view: { id: 'ful_a' }, release: { messageId: 'msg_1', status: 'pending', firstAttemptAt: null, dispatchedAt: null } });
      // Only the release message counts, never another message of the fulfillment.
      expect(all.find((r) => r.id === 'ful_B')!.release).toBeNull();
      const first = await store.listFulfillmentsForReconciliation({ nodeIds: ['dc-1'], limit: 2 });
      const rest = await store.listFulfillmentsForReconciliation({ nodeIds: ['dc-1'], afterId: first.at(-1)!.id, limit: 100 });
      expect([...first, ...rest].map((r) => r.id)).toEqual(mine);
      expect((await store.listFulfillmentsForReconciliation({ ids: ['ful_a', 'ful_none'] })).map((r) => r.id)).toEqual(['ful_a']);
      expect(await store.listFulfillmentsForReconciliation({ nodeIds: [], limit: 10 })).toEqual([]);
    });

    it('pages positions of some nodes in (node, sku) bytewise order', async () => {
      const skus = ['b', 'B', 'é', '\u{1F600}', '\uFFFD', 'a'];
      for (const node of ['dc-1', 'dc-10', 'dc-2']) await store.applySnapshot(node, T0, skus.map((sku, i) => ({ sku, onHand: i })));
      const expected = ['dc-1', 'dc-10'].flatMap((n) => [...skus].sort(compareKeys).map((s) => `${n}/${s}`));
      const seen: string[] = [];
      let after: { nodeId: string; sku: string } | undefined;
      for (;;) {
        const page = await store.listPositionsPage({ nodeIds: ['dc-10', 'dc-1'], limit: 4, ...(after ? { after } : {}) });
        seen.push(...page.map((p) => `${p.nodeId}/${p.sku}`));
        if (page.length < 4) break;
        after = { nodeId: page.at(-1)!.nodeId, sku: page.at(-1)!.sku };
      }
      expect(seen).toEqual(expected);
      expect((await store.listPositionsPage({ nodeIds: ['dc-2'], limit: 1 }))[0]).toMatchObject({ nodeId: 'dc-2', sku: 'B', onHand: 1, reserved: 0, asOf: T0 });
    });

    it('reads orders ascending and adjustments since a time', async () => {
      const order = (id: string) => ({ id, channel: 'web', externalId: id, status: 'created', version: 1, createdAt: T0, updatedAt: T0, view: { id } });
      await store.commit(['ord_b', 'ord_a', 'ord_c'].map((id) => ({ orderRow: order(id) })));
      expect((await store.listOrdersAscending({ limit: 2 })).map((o) => o.id)).toEqual(['ord_a', 'ord_b']);
      expect((await store.listOrdersAscending({ afterId: 'ord_b', limit: 2 })).map((o) => [o.id, o.view])).toEqual([['ord_c', { id: 'ord_c' }]]);
      await store.applyAdjustment({ nodeId: 'dc-1', sku: 'A', delta: -2, reason: 'damage', sourceId: 's1', at: '2026-11-25T09:00:00.000Z' });
      await store.applyAdjustment({ nodeId: 'dc-1', sku: 'A', delta: 5, reason: 'count', sourceId: 's2', at: '2026-11-25T11:00:00.000Z' });
      await store.applyAdjustment({ nodeId: 'dc-2', sku: 'A', delta: 1, reason: 'count', sourceId: 's3', at: '2026-11-25T11:00:00.000Z' });
      expect(await store.listAdjustmentsSince({ since: T0, nodeIds: ['dc-1'] })).toEqual([{ nodeId: 'dc-1', sku: 'A', delta: 5, reason: 'count', at: '2026-11-25T11:00:00.000Z' }]);
    });

    it('keeps runs: list newest first by target, update fenced by owner, claim queued then expired leases', async () => {
      await store.createReconciliationRun(run('rec_1'));
      await store.createReconciliationRun(run('rec_2', { target: 'pos-1' }));
      await store.createReconciliationRun(run('rec_3', { status: 'completed' }));
      expect((await store.listReconciliationRuns({ limit: 10 })).map((r) => r.id)).toEqual(['rec_3', 'rec_2', 'rec_1']);
      expect((await store.listReconciliationRuns({ target: 'wms-main', limit: 10 })).map((r) => r.id)).toEqual(['rec_3', 'rec_1']);
      expect((await store.listReconciliationRuns({ status: 'queued', beforeId: 'rec_2', limit: 10 })).map((r) => r.id)).toEqual(['rec_1']);

      const claimed = await store.claimReconciliationRun({ owner: 'w1', now: T0, leaseUntil: '2026-11-25T10:01:00.000Z' });
      expect(claimed).toMatchObject({ id: 'rec_1', status: 'running', owner: 'w1', startedAt: T0 });
      expect(await store.claimReconciliationRun({ owner: 'w2', now: T0, leaseUntil: '2026-11-25T10:01:00.000Z', id: 'rec_1' })).toBeUndefined();
      const progressed = { ...claimed!, cursor: JSON.stringify('ful_9'), progress: { keys: 9 }, totals: { drifts: { missing_in_target: 1 } }, scope: { nodeIds: ['dc-1', 'dc-2'] } };
      expect(await store.updateReconciliationRun(progressed, 'w2')).toBe(false);
      expect(await store.updateReconciliationRun(progressed, 'w1')).toBe(true);
      expect(await store.getReconciliationRun('rec_1')).toMatchObject({ cursor: '"ful_9"', progress: { keys: 9 }, totals: { drifts: { missing_in_target: 1 } }, scope: { nodeIds: ['dc-1', 'dc-2'] } });
      // The lease runs out (its process died): another claimer takes it over, keeping the cursor.
      const later = '2026-11-25T10:05:00.000Z';
      expect(await store.claimReconciliationRun({ owner: 'w2', now: later, leaseUntil: '2026-11-25T10:06:00.000Z', id: 'rec_1' })).toMatchObject({ owner: 'w2', cursor: '"ful_9"', startedAt: T0 });
      expect(await store.updateReconciliationRun(progressed, 'w1')).toBe(false);
      expect((await store.claimReconciliationRun({ owner: 'w3', now: later, leaseUntil: later }))?.id).toBe('rec_2');
      expect(await store.claimReconciliationRun({ owner: 'w3', now: later, leaseUntil: later })).toBeUndefined();
      await store.deleteReconciliationRun('rec_2');
      expect(await store.getReconciliationRun('rec_2')).toBeUndefined();
    });

    it('keeps a spilled snapshot as pages per chunk, and findings once per dedupe key', async () => {
      await store.createReconciliationRun(run('rec_1'));
      const page = (chunk: number, p: number) => ({ chunk, page: p, firstKey: JSON.stringify(`k${chunk}${p}a`), lastKey: JSON.stringify(`k${chunk}${p}z`), count: 2, rows: JSON.stringify([{ c: chunk, p }]) });
      await store.putReconciliationPages('rec_1', [page(0, 0), page(0, 1), page(1, 0), page(0, 2)]);
      expect((await store.listReconciliationPageHeads('rec_1')).map((h) => [h.chunk, h.page, h.count])).toEqual([[0, 0, 2], [0, 1, 2], [0, 2, 2], [1, 0, 2]]);
      expect((await store.readReconciliationPages('rec_1', 0, 1, 5)).map((p) => [p.page, JSON.parse(p.rows)])).toEqual([[1, [{ c: 0, p: 1 }]], [2, [{ c: 0, p: 2 }]]]);

      const drift = (key: string, status: 'drift' | 'deferral', until: string | null = null) => ({ runId: 'rec_1', dedupeKey: key, class: 'status_mismatch', status, until, exceptionId: status === 'drift' ? `exc_${key}` : null, doc: { key } });
      await store.putReconciliationDrifts([drift('a', 'drift'), drift('b', 'deferral', '2026-11-25T11:00:00.000Z'), drift('c', 'deferral', '2026-11-25T12:00:00.000Z')]);
      await store.putReconciliationDrifts([{ ...drift('a', 'drift'), doc: { key: 'changed' } }]);
      const listed = await store.listReconciliationDrifts({ runId: 'rec_1', limit: 10 });
      expect(listed.map((d) => [d.dedupeKey, d.status, d.exceptionId, d.doc])).toEqual([['a', 'drift', 'exc_a', { key: 'a' }], ['b', 'deferral', null, { key: 'b' }], ['c', 'deferral', null, { key: 'c' }]]);
      expect((await store.listReconciliationDrifts({ runId: 'rec_1', status: 'deferral', afterSeq: listed[1]!.seq, limit: 10 })).map((d) => d.dedupeKey)).toEqual(['c']);
      expect((await store.dueReconciliationDeferrals({ now: '2026-11-25T11:30:00.000Z', limit: 10 })).map((d) => d.dedupeKey)).toEqual(['b']);
      await store.updateReconciliationDrift({ ...drift('b', 'drift'), class: 'quantity_mismatch' });
      expect(await store.dueReconciliationDeferrals({ now: '2026-11-25T11:30:00.000Z', limit: 10 })).toEqual([]);
      expect(await store.countReconciliationDrifts('rec_1')).toEqual([
        { class: 'quantity_mismatch', status: 'drift', count: 1 },
        { class: 'status_mismatch', status: 'deferral', count: 1 },
        { class: 'status_mismatch', status: 'drift', count: 1 },
      ]);
      await store.deleteReconciliationPages('rec_1');
      expect(await store.listReconciliationPageHeads('rec_1')).toEqual([]);
      await store.deleteReconciliationRun('rec_1');
      expect(await store.listReconciliationDrifts({ runId: 'rec_1', limit: 10 })).toEqual([]);
    });
  });
}
