import type { Drift } from '../../reconcile/index.js';
import { parseDedupeKey } from '../../reconcile/index.js';
import type { ReconciliationDriftRow, ReconciliationRunRow } from '../../store/port.js';
import { driftDoc } from './driftExceptions.js';
import { headerOf, storeFindings } from './executeRun.js';
import { ledgerEntry } from './ledgerEntries.js';
import type { Found } from './runEngine.js';
import { compareOne } from './runEngine.js';
import type { RunDeps } from './runModel.js';
import { kindOf } from './runModel.js';
import type { TargetRow } from './snapshotRows.js';

export type RecheckOutcome =
  | { readonly status: 'cleared'; readonly why: string }
  | { readonly status: 'deferral'; readonly until: string | null; readonly reason: string }
  | { readonly status: 'drift'; readonly exceptionId: string; readonly drift: Drift };

/**
 * Compares one key of a run again — the ledger as it is now against `rows` (the run's snapshot
 * rows for a deferral that fell due; fresh rows from the target for a resync) — and records what
 * it finds: a drift raises (or finds) its exception, a deferral waits again, agreement clears it.
 */
export async function recheckKey(deps: RunDeps, run: ReconciliationRunRow, row: Pick<ReconciliationDriftRow, 'dedupeKey' | 'class'>, rows: readonly TargetRow[]): Promise<RecheckOutcome> {
  const id = parseDedupeKey(row.dedupeKey);
  if (!id) return { status: 'cleared', why: 'not a reconciliation key' };
  const now = deps.clock.now();
  const entry = await ledgerEntry(deps, run, id.key);
  const found = compareOne(kindOf(run), headerOf(run), now, deps.policy, entry, rows).find((f) => f.class === row.class);
  if (!found) {
    await deps.store.updateReconciliationDrift({ runId: run.id, dedupeKey: row.dedupeKey, class: row.class, status: 'cleared', until: null, exceptionId: null, doc: { clearedAt: now, rows } });
    return { status: 'cleared', why: `the ledger and ${run.target} agree on it as of ${now}` };
  }
  if (found.type === 'deferral') {
    const until = found.until !== undefined && found.until > now ? found.until : null;
    await deps.store.updateReconciliationDrift({ runId: run.id, dedupeKey: row.dedupeKey, class: row.class, status: 'deferral', until, exceptionId: null, doc: { reason: found.reason, rows } });
    return { status: 'deferral', until, reason: found.reason };
  }
  const stored = await storeFindings(deps, run, [found as Found]);
  const exceptionId = stored.rows[0]?.exceptionId ?? '';
  // The finding may already be stored as a deferral: it becomes the drift it turned out to be.
  await deps.store.updateReconciliationDrift({ runId: run.id, dedupeKey: row.dedupeKey, class: row.class, status: 'drift', until: null, exceptionId, doc: driftDoc(found) });
  return { status: 'drift', exceptionId, drift: found };
}

/**
 * Deferrals due by now (docs/reconciliation.md: "a deferral is a promise to look again"): each is
 * compared again against the same snapshot row, unless a later run of the same target and kind
 * has been completed since (its comparison supersedes the promise).
 */
export async function recheckDue(deps: RunDeps, limit = 100): Promise<{ checked: number; drifts: number }> {
  const due = await deps.store.dueReconciliationDeferrals({ now: deps.clock.now(), limit });
  const runs = new Map<string, ReconciliationRunRow | undefined>();
  let drifts = 0;
  for (const d of due) {
    if (!runs.has(d.runId)) runs.set(d.runId, await deps.store.getReconciliationRun(d.runId));
    const run = runs.get(d.runId);
    if (!run) continue;
    const [latest] = await deps.store.listReconciliationRuns({ target: run.target, kind: run.kind, status: 'completed', limit: 1 });
    if (latest && latest.id > run.id) {
      await deps.store.updateReconciliationDrift({ ...d, status: 'cleared', until: null, doc: { supersededBy: latest.id } });
      continue;
    }
    const rows = ((d.doc as { rows?: TargetRow[] }).rows ?? []) as TargetRow[];
    if ((await recheckKey(deps, run, d, rows)).status === 'drift') drifts++;
  }
  return { checked: due.length, drifts };
}
