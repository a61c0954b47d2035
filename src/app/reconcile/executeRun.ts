import type { Deferral, Drift, Finding, SnapshotHeader } from '../../reconcile/index.js';
import { FEED_KEY, dedupeKey, diffOpenDrifts, parseDedupeKey } from '../../reconcile/index.js';
import type { ExceptionStatus, ReconciliationDriftRow, ReconciliationRunRow } from '../../store/port.js';
import { coordinates, deferralDoc, driftDoc, driftException, withStakes } from './driftExceptions.js';
import { ledgerRows } from './ledgerEntries.js';
import type { Found } from './runEngine.js';
import { runEngine } from './runEngine.js';
import type { ProgressDoc, RunDeps, RunScopeDoc, TotalsDoc } from './runModel.js';
import { LeaseLostError, kindOf } from './runModel.js';
import { spilledRows } from './snapshotSpill.js';

const iso = (ms: number): string => new Date(ms).toISOString();

export const headerOf = (run: ReconciliationRunRow): SnapshotHeader => ({ target: run.target, kind: kindOf(run), asOf: run.asOf, scope: (run.scope as RunScopeDoc).snapshotScope });

/**
 * Stores findings and raises their exceptions: drifts become (or find, while open) an exception
 * each; deferrals are kept with the rows to compare again at their `until`. Idempotent: a resumed
 * run finds the same exceptions and keeps the findings it stored before.
 */
export async function storeFindings(deps: RunDeps, run: ReconciliationRunRow, found: readonly Found[]): Promise<{ raised: number; rows: ReconciliationDriftRow[] }> {
  if (found.length === 0) return { raised: 0, rows: [] };
  const staked = await withStakes(deps.store, found);
  const drifts = staked.filter((f): f is Found & Drift => f.type === 'drift');
  const inputs = drifts.map((d) => driftException(d, run, deps.triage));
  const held = await deps.exceptions.raise(inputs);
  const rows: ReconciliationDriftRow[] = drifts.map((d, i) => ({
    runId: run.id, dedupeKey: inputs[i]!.dedupeKey, class: d.class, status: 'drift', until: null, exceptionId: held[i]!.id, doc: driftDoc(d),
  }));
  for (const f of staked) {
    if (f.type !== 'deferral') continue;
    rows.push({ runId: run.id, dedupeKey: dedupeKey(f, run.target), class: f.class, status: 'deferral', until: f.until ?? null, exceptionId: null, doc: deferralDoc(f, f.context) });
  }
  await deps.store.putReconciliationDrifts(rows);
  return { raised: held.filter((h) => h.created).length, rows };
}

/**
 * Runs a claimed run to its end: the ledger and the spilled snapshot streamed through the engine
 * from the run's cursor, findings stored and raised at every progress point, the cursor and the
 * lease saved with them; then open exceptions of the target that the run compared and no longer
 * finds are resolved, with a record. Memory holds a page of each side and one progress interval's
 * findings.
 */
export async function executeRun(deps: RunDeps, claimed: ReconciliationRunRow, owner: string): Promise<ReconciliationRunRow> {
  const { store, clock } = deps;
  let run = claimed;
  const save = async (next: ReconciliationRunRow): Promise<void> => {
    if (!(await store.updateReconciliationRun(next, owner))) throw new LeaseLostError(run.id);
    run = next;
    deps.onProgress?.(run);
  };
  const lease = (): string => iso(Date.parse(clock.now()) + deps.leaseMs);
  const kind = kindOf(run);
  const totals = run.totals as TotalsDoc;
  const base = run.progress as ProgressDoc;
  const resumed = base.phase === 'comparing';
  const start: ProgressDoc = resumed ? { ...base, resumed: base.resumed + 1 } : { ...base, phase: 'comparing', ledgerRows: 0, targetRows: 0, keys: 0, drifts: 0, deferrals: 0, percent: 0 };
  try {
    const after = run.cursor === null ? undefined : (JSON.parse(run.cursor) as string);
    await save({ ...run, progress: start, leaseUntil: lease() });
    const now = clock.now();
    const ledger = await ledgerRows(deps, run, after);
    const target = spilledRows(store, run.id, kind, after);
    let buffer: Found[] = [];
    let raised = totals.exceptionsRaised;
    const events = runEngine(kind, headerOf(run), ledger, target, { now, policy: deps.policy, progressEvery: deps.progressEvery, ...(after !== undefined ? { range: { after } } : {}) });
    for await (const e of events) {
      if (e.type !== 'progress') {
        buffer.push(e);
        continue;
      }
      raised += (await storeFindings(deps, run, buffer)).raised;
      buffer = [];
      const targetRows = start.targetRows + e.targetRows;
      const progress: ProgressDoc = {
        ...start, ledgerRows: start.ledgerRows + e.ledgerRows, targetRows, keys: start.keys + e.keys, drifts: start.drifts + e.drifts, deferrals: start.deferrals + e.deferrals,
        percent: totals.targetRows === 0 ? 100 : Math.min(100, Math.floor((targetRows / totals.targetRows) * 100)),
      };
      await save({ ...run, cursor: e.cursor === null ? run.cursor : JSON.stringify(e.cursor), progress, totals: { ...totals, exceptionsRaised: raised }, leaseUntil: lease() });
      if (deps.shouldStop?.() && !e.done) {
        // Shutting down: the lease is given back at this checkpoint, so the next process resumes at once.
        await store.updateReconciliationRun({ ...run, leaseUntil: clock.now() }, owner);
        throw new LeaseLostError(run.id);
      }
    }
    return await finish(deps, run, save);
  } catch (err) {
    if (err instanceof LeaseLostError) throw err;
    const failed: ReconciliationRunRow = { ...run, status: 'failed', error: (err as Error).message, finishedAt: clock.now(), owner: null, leaseUntil: null };
    await store.updateReconciliationRun(failed, owner);
    await store.deleteReconciliationPages(run.id);
    deps.onProgress?.(failed);
    return failed;
  }
}

/** Every finding a run stored (drifts, deferrals, cleared), page by page. */
async function* runFindings(deps: RunDeps, runId: string): AsyncGenerator<ReconciliationDriftRow, void, undefined> {
  let afterSeq = 0;
  for (;;) {
    const page = await deps.store.listReconciliationDrifts({ runId, afterSeq, limit: 1000 });
    yield* page;
    if (page.length < 1000) return;
    afterSeq = page.at(-1)!.seq;
  }
}

/** Open exceptions of a target and kind, by dedupe key. */
async function openExceptions(deps: RunDeps, run: ReconciliationRunRow): Promise<Map<string, string>> {
  const prefix = `${encodeURIComponent(run.target)}|${encodeURIComponent(run.kind)}|`;
  const open = new Map<string, string>();
  for (const status of ['open', 'acknowledged', 'escalated'] satisfies ExceptionStatus[]) {
    let beforeId: string | undefined;
    for (;;) {
      const page = await deps.store.listExceptions({ status, dedupeKeyPrefix: prefix, limit: 500, ...(beforeId ? { beforeId } : {}) });
      for (const e of page) open.set(e.dedupeKey, e.id);
      if (page.length < 500) break;
      beforeId = page.at(-1)!.id;
    }
  }
  return open;
}

async function finish(deps: RunDeps, run: ReconciliationRunRow, save: (next: ReconciliationRunRow) => Promise<void>): Promise<ReconciliationRunRow> {
  const { store, clock } = deps;
  await save({ ...run, progress: { ...(run.progress as ProgressDoc), phase: 'resolving', percent: 100 } });
  const kind = kindOf(run);
  const scope = run.scope as RunScopeDoc;
  const found: Finding[] = [];
  for await (const row of runFindings(deps, run.id)) {
    const id = parseDedupeKey(row.dedupeKey);
    if (!id || row.status === 'cleared') continue;
    // Only identity matters to the diff: a drift or deferral of this class and key was found.
    found.push({ type: 'deferral', kind: id.kind, class: id.class, key: id.key, reason: '' } satisfies Deferral);
  }
  // An inventory run compares the nodes its snapshot counts, not every node of the target.
  const open = await openExceptions(deps, run);
  const covered = [...open.keys()].filter((k) => {
    const id = parseDedupeKey(k);
    return id !== undefined && (kind !== 'inventory' || id.key === FEED_KEY || scope.nodeIds.includes(coordinates('inventory', id.key).nodeId ?? ''));
  });
  const diff = diffOpenDrifts(covered, found, { target: run.target, kind, range: {} });
  const resolved = await deps.exceptions.autoResolve(
    diff.resolved.map((k) => open.get(k)!),
    `reconciliation run ${run.id} (${run.target} ${kind} as of ${run.asOf}) compared it and no longer finds it`,
  );
  // Deferrals keep their own rows: the snapshot's pages are not needed once the join is done.
  await store.deleteReconciliationPages(run.id);
  const totals = { ...(run.totals as TotalsDoc), exceptionsResolved: (run.totals as TotalsDoc).exceptionsResolved + resolved };
  const done: ReconciliationRunRow = { ...run, status: 'completed', totals, progress: { ...(run.progress as ProgressDoc), phase: 'done' }, finishedAt: clock.now(), owner: null, leaseUntil: null };
  await save(done);
  return done;
}
