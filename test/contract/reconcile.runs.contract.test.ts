import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../src/store/port.js';
import type { Connector } from '../../src/connectors/port.js';
import { createExceptionService } from '../../src/app/exceptions.js';
import { newId } from '../../src/app/ids.js';
import { executeRun } from '../../src/app/reconcile/executeRun.js';
import { NO_RECONCILIATION_FILE } from '../../src/app/reconcile/reconcileConfig.js';
import { createReconciliationService } from '../../src/app/reconcile/reconciliationService.js';
import { LeaseLostError } from '../../src/app/reconcile/runModel.js';
import type { RunDeps } from '../../src/app/reconcile/runModel.js';
import { reconciliationRunDeps } from '../../src/app/reconcile/setUpReconciliation.js';
import { createDropWatcher, createSweeps } from '../../src/app/reconcile/snapshotSources.js';
import { storeFactories } from '../support/stores.js';
import { MIN, T0, cleanRow, fid, fulfillmentRow, iso, openLine, seedOrders } from '../support/reconcileWorld.js';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
async function until(fn: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500 && !(await fn()); i++) await new Promise((r) => setTimeout(r, 10));
}

for (const factory of storeFactories()) {
  describe(`Reconciliation runs against the store: ${factory.name}`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    let nowMs: number;
    const clock = { now: () => iso(nowMs) };
    let deps: RunDeps;
    let service: ReturnType<typeof createReconciliationService>;
    beforeEach(async () => {
      const made = await factory.create();
      store = made.store;
      dispose = made.dispose;
      nowMs = T0 + 10 * MIN;
      // Small pages, chunks and progress steps: a 50-row snapshot spans many of each.
      deps = { ...reconciliationRunDeps({ store, exceptions: createExceptionService({ store, clock, newId }), clock, file: NO_RECONCILIATION_FILE }), progressEvery: 10, pageRows: 4 };
      service = createReconciliationService({ ...deps, newId, spill: { chunkRows: 7, pageRows: 3 } });
      await seedOrders(store, 50);
    });
    afterEach(async () => dispose());

    const header = (asOfMs = T0) => ({ target: 'dc-1', kind: 'orders' as const, asOf: iso(asOfMs), scope: 'all' as const });
    /** 50 rows, reversed (unsorted), with four drifts: #5 absent, #20 holding more than released, #40 twice, a fulfillment unknown to the ledger. */
    const driftRows = () => {
      const rows: unknown[] = [];
      for (let i = 49; i >= 0; i--) {
        if (i === 5) continue;
        if (i === 20) rows.push({ ...cleanRow(i), lines: [{ lineId: '1', quantity: 2, shipped: 0 }] });
        else rows.push(cleanRow(i));
        if (i === 40) rows.push(cleanRow(i));
      }
      rows.push({ fulfillmentId: 'ful_zzz-1', status: 'open', lines: [{ lineId: '1', quantity: 2, shipped: 0 }] });
      return rows.map((input, i) => ({ input, path: `rows[${i}]` }));
    };
    const classes = async (runId: string) => (await store.listReconciliationDrifts({ runId, status: 'drift', limit: 100 })).map((d) => `${d.class}:${d.dedupeKey.split('|')[3]}`).sort();
    const EXPECTED = ['duplicate_in_target:ful_040-1', 'missing_in_ledger:ful_zzz-1', 'missing_in_target:ful_005-1', 'quantity_mismatch:ful_020-1'];

    it('a run interrupted mid-way is resumed by another process from its cursor: the same drifts, once each', async () => {
      const run = await service.receive({ header: header(), rows: driftRows(), source: 'test', createdBy: 't', owner: 'A' });
      expect(run).toMatchObject({ status: 'running', owner: 'A', totals: { targetRows: 51, chunks: 8 } });
      expect((await store.listReconciliationPageHeads(run.id)).length).toBe(22);
      // A's process stops dead after its first checkpoint past #10 (nothing more written by it).
      const crashing: RunDeps = {
        ...deps,
        onProgress: (r) => {
          if (r.cursor !== null && (JSON.parse(r.cursor) as string) > fid(10)) throw new LeaseLostError(r.id);
        },
      };
      await expect(executeRun(crashing, run, 'A')).rejects.toBeInstanceOf(LeaseLostError);
      const stopped = (await store.getReconciliationRun(run.id))!;
      expect(stopped).toMatchObject({ status: 'running', owner: 'A' });
      // Its lease runs out; B (another process) claims the run and goes on from the cursor.
      expect(await store.claimReconciliationRun({ owner: 'B', now: stopped.leaseUntil!, leaseUntil: iso(nowMs + MIN) })).toBeUndefined();
      await store.claimReconciliationRun({ owner: 'B', now: iso(Date.parse(stopped.leaseUntil!) + 1), leaseUntil: iso(nowMs + MIN) });
      const midway = (await store.getReconciliationRun(run.id))!;
      expect(midway).toMatchObject({ status: 'running', owner: 'B' });
      expect(JSON.parse(midway.cursor!) > fid(10)).toBe(true);
      const done = await executeRun(deps, midway, 'B');
      expect(done).toMatchObject({ status: 'completed', owner: null, progress: { phase: 'done', resumed: 1 } });
      expect(await classes(run.id)).toEqual(EXPECTED);
      // Every drift became one exception; the pages of a finished run are gone.
      const raised = await store.listExceptions({ dedupeKeyPrefix: 'dc-1|orders|', limit: 100 });
      expect(raised.map((e) => e.type).sort()).toEqual(['duplicate_in_target', 'missing_in_ledger', 'missing_in_target', 'quantity_mismatch']);
      expect(await store.listReconciliationPageHeads(run.id)).toEqual([]);

      // The same snapshot run straight through finds the same drifts and the same (still open) exceptions.
      const again = await service.runNow({ header: header(), rows: driftRows(), source: 'test', createdBy: 't' });
      expect(await classes(again.id)).toEqual(EXPECTED);
      expect((again.totals as { exceptionsRaised: number }).exceptionsRaised).toBe(0);
      const ids = async (id: string) => (await store.listReconciliationDrifts({ runId: id, status: 'drift', limit: 100 })).map((d) => d.exceptionId).sort();
      expect(await ids(again.id)).toEqual(await ids(run.id));
    });

    it('a stopping process leaves its run at a checkpoint, lease given back, and the next one finishes it', async () => {
      const first: ReturnType<typeof createReconciliationService> = createReconciliationService({
        ...deps, newId, spill: { chunkRows: 7, pageRows: 3 }, log: silent,
        onProgress: (r) => {
          if (r.cursor !== null) void first.stop();
        },
      });
      first.start();
      const run = await first.receive({ header: header(), rows: driftRows(), source: 'test', createdBy: 't' });
      await until(async () => (await store.getReconciliationRun(run.id))?.cursor !== null);
      await first.stop();
      const left = (await store.getReconciliationRun(run.id))!;
      expect(left).toMatchObject({ status: 'running', leaseUntil: clock.now() });
      nowMs += 1;
      const next = createReconciliationService({ ...deps, newId, log: silent });
      next.start();
      await next.idle();
      await next.stop();
      expect(await store.getReconciliationRun(run.id)).toMatchObject({ status: 'completed', progress: { resumed: 1 } });
      expect(await classes(run.id)).toEqual(EXPECTED);
    });

    it('a deferral is compared again when due: a drift if the difference stayed, cleared if the ledger caught up', async () => {
      // At the node #1 and #2 shipped 5 minutes ago; the ledger has heard of neither yet (facts in flight).
      const rows = Array.from({ length: 50 }, (_, i) => (i === 1 || i === 2 ? { ...cleanRow(i), status: 'shipped', lines: [{ lineId: '1', quantity: 1, shipped: 1 }] } : cleanRow(i)));
      const run = await service.runNow({ header: header(nowMs - 5 * MIN), rows: rows.map((input, i) => ({ input, path: `rows[${i}]` })), source: 'test', createdBy: 't' });
      expect(await classes(run.id)).toEqual([]);
      const deferred = await store.listReconciliationDrifts({ runId: run.id, status: 'deferral', limit: 10 });
      expect(deferred.map((d) => [d.class, d.dedupeKey.split('|')[3], d.until])).toEqual([
        ['status_mismatch', fid(1), iso(nowMs - 5 * MIN + 60 * MIN)],
        ['status_mismatch', fid(2), iso(nowMs - 5 * MIN + 60 * MIN)],
      ]);
      expect(await service.recheckDue()).toEqual({ checked: 0, drifts: 0 });
      // #2's shipment reaches the ledger; #1's never does.
      await store.commit([{ fulfillmentRows: [fulfillmentRow(fid(2), [{ ...openLine(), shipped: 1 }], { shipments: [{ shipmentId: 'S', lines: [{ lineId: '1', quantity: 1 }], shippedAt: iso(nowMs - 6 * MIN) }] })] }]);
      nowMs += 61 * MIN;
      expect(await service.recheckDue()).toEqual({ checked: 2, drifts: 1 });
      const after = await store.listReconciliationDrifts({ runId: run.id, limit: 10 });
      expect(after.map((d) => [d.dedupeKey.split('|')[3], d.status, d.exceptionId !== null])).toEqual([[fid(1), 'drift', true], [fid(2), 'cleared', false]]);
      const e = (await store.getException(after[0]!.exceptionId!))!;
      expect(e).toMatchObject({ type: 'status_mismatch', status: 'open' });
    });

    it('a file dropped as <target>.<kind>.<anything> starts a run; a bad one goes to failed/ with its errors', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'orderly-drop-'));
      try {
        const watcher = createDropWatcher({ dir, pollMs: 60_000, service, mappingFor: () => undefined, clock, log: silent });
        const csv = ['fulfillmentId,status,lineId,quantity,shipped', ...Array.from({ length: 50 }, (_, i) => `${fid(i)},open,1,1,0`)].join('\n');
        writeFileSync(join(dir, 'dc-1.orders.nightly.csv'), csv);
        writeFileSync(join(dir, 'dc-1.orders.bad.csv'), 'fulfillmentId,status,lineId,quantity,shipped\nful_000-1,open,1,one,0\n');
        writeFileSync(join(dir, 'nonsense.csv'), 'x\n');
        const { utimesSync } = await import('node:fs');
        // As of the test's clock (a CSV is as of its modification time).
        for (const f of readdirSync(dir)) utimesSync(join(dir, f), new Date(T0), new Date(T0));
        await watcher.scan();
        const [run] = await service.list({ limit: 10 });
        expect(run).toMatchObject({ target: 'dc-1', kind: 'orders', source: 'file', createdBy: 'file:dc-1.orders.nightly.csv', status: 'queued' });
        expect(readdirSync(join(dir, 'processed'))).toEqual([`dc-1.orders.nightly.csv.${run!.id}`]);
        expect(readdirSync(join(dir, 'failed')).sort()).toEqual(['dc-1.orders.bad.csv', 'dc-1.orders.bad.csv.errors.json', 'nonsense.csv', 'nonsense.csv.errors.json']);
        const errors = JSON.parse(readFileSync(join(dir, 'failed', 'dc-1.orders.bad.csv.errors.json'), 'utf8')) as { errors: { path: string }[] };
        expect(errors.errors).toEqual([{ path: 'line 2.lines[0].quantity', message: 'a whole number from 0 to 1000000000' }]);
        const done = await executeRun(deps, (await store.claimReconciliationRun({ owner: 'W', now: clock.now(), leaseUntil: iso(nowMs + MIN), id: run!.id }))!, 'W');
        expect(done.status).toBe('completed');
        expect(await classes(run!.id)).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('a sweep pulls the snapshot from the target\'s connector; one that cannot list its state is refused at start', async () => {
      const base = { kind: 'test', capabilities: { deduplicates: true, canCancel: false, partialCancel: false, statusQuery: false }, handles: [], send: async () => ({}) } as const;
      const wms: Connector = { ...base, id: 'dc-1', snapshot: async (kind) => ({ asOf: iso(T0), rows: kind === 'orders' ? Array.from({ length: 50 }, (_, i) => cleanRow(i)) : [] }) };
      const sweeps = createSweeps({ schedule: [{ target: 'dc-1', kind: 'orders', everyMinutes: 60 }], connectors: [wms], service, clock, log: silent });
      const run = await sweeps.sweep('dc-1', 'orders');
      expect(run).toMatchObject({ source: 'connector', createdBy: 'sweep:dc-1', status: 'queued', totals: { targetRows: 50 } });
      expect(() => createSweeps({ schedule: [{ target: 'pos-1', kind: 'orders', everyMinutes: 5 }], connectors: [{ ...base, id: 'pos-1' }], service, clock, log: silent })).toThrow(/cannot list its state/);
    });
  });
}
