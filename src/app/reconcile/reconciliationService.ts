import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { FieldError } from '../../domain/result.js';
import type { InventoryTargetRow } from '../../reconcile/index.js';
import { compareKeys } from '../../reconcile/index.js';
import type { ReconciliationRunRow, ReconciliationRunStatus, StoredReconciliationDrift } from '../../store/port.js';
import type { IdGenerator } from '../ids.js';
import { executeRun } from './executeRun.js';
import { nodesServedBy } from './ledgerFulfillments.js';
import { recheckDue } from './recheck.js';
import type { ProgressDoc, RunDeps, RunScopeDoc, TotalsDoc } from './runModel.js';
import { EMPTY_PROGRESS, EMPTY_TOTALS, LeaseLostError } from './runModel.js';
import type { RawItem } from './snapshotFormats.js';
import type { SnapshotHeaderInput } from './snapshotRows.js';
import { MAX_ERRORS, SnapshotError, checkRow } from './snapshotRows.js';
import type { SpillSizes } from './snapshotSpill.js';
import { DEFAULT_SPILL, createSpill } from './snapshotSpill.js';

export interface ReconciliationServiceDeps extends RunDeps {
  readonly newId: IdGenerator;
  readonly log?: Pick<Logger, 'info' | 'warn' | 'error'>;
  readonly paymentConnector?: string;
  readonly spill?: SpillSizes;
  /** How often the worker looks for runs to start or resume and deferrals due (default 1 s / 30 s). */
  readonly pollMs?: number;
  readonly recheckMs?: number;
}

export interface ReceiveInput {
  readonly header: SnapshotHeaderInput;
  readonly rows: AsyncIterable<RawItem> | Iterable<RawItem>;
  /** api, cli, file, connector. */
  readonly source: string;
  readonly createdBy: string;
  /** Run it in this process at once (the CLI): received already leased to this owner. */
  readonly owner?: string;
}

/**
 * Reconciliation runs (issue 6): a snapshot is received (checked row by row, spilled sorted,
 * nothing kept if any row is wrong), queued, and run by a worker in this process — or by any
 * process sharing the store, which also resumes a run whose process died from its cursor. The
 * same worker compares deferrals again when they fall due.
 */
export function createReconciliationService(serviceDeps: ReconciliationServiceDeps) {
  const { store, clock, newId } = serviceDeps;
  // A run in hand stops at its next checkpoint when the process stops (its lease given back).
  let stopping = false;
  const deps: ReconciliationServiceDeps = { ...serviceDeps, shouldStop: () => stopping };
  const workerId = `reconciler-${randomUUID()}`;
  let timer: NodeJS.Timeout | undefined;
  let busy: Promise<void> | undefined;
  let stopped = true;
  let lastRecheck = 0;

  const receive = async (input: ReceiveInput): Promise<ReconciliationRunRow> => {
    const { header } = input;
    const now = clock.now();
    let nodeIds: string[] = [];
    if (header.kind === 'orders') {
      nodeIds = nodesServedBy(await store.listNodes(), header.target);
      if (nodeIds.length === 0) throw new SnapshotError(`no node is served by ${header.target}`, [{ path: 'target', message: `no node has connector ${header.target} (or is a node of that id without a connector)` }]);
    }
    const id = newId('reconciliation');
    const run: ReconciliationRunRow = {
      id, target: header.target, kind: header.kind, asOf: header.asOf, status: 'receiving', source: input.source,
      scope: { snapshotScope: header.scope, nodeIds } satisfies RunScopeDoc, progress: EMPTY_PROGRESS, cursor: null, totals: EMPTY_TOTALS,
      error: null, createdBy: input.createdBy, createdAt: now, startedAt: null, finishedAt: null, owner: null, leaseUntil: null,
    };
    await store.createReconciliationRun(run);
    const errors: FieldError[] = [];
    const counted = new Set<string>();
    const spill = createSpill(store, id, header.kind, deps.spill ?? DEFAULT_SPILL);
    try {
      for await (const item of input.rows) {
        if ('error' in item) errors.push(item.error);
        else {
          const checked = checkRow(header.kind, item.input, item.path);
          if (!checked.ok) errors.push(...checked.errors);
          else if (errors.length === 0) {
            let row = checked.row;
            if (header.kind === 'inventory') {
              const r = row as InventoryTargetRow;
              counted.add(r.nodeId);
              // A row dated like its snapshot is the snapshot: no row-level checkpoint or age.
              if (r.asOf === header.asOf) row = { nodeId: r.nodeId, sku: r.sku, onHand: r.onHand };
            }
            await spill.add(row);
          }
        }
        if (errors.length >= MAX_ERRORS) break;
      }
      if (errors.length > 0) throw new SnapshotError(`the snapshot has ${errors.length >= MAX_ERRORS ? `at least ${MAX_ERRORS}` : errors.length} problem(s); nothing was kept`, errors.slice(0, MAX_ERRORS));
      const spilled = await spill.finish();
      const scope: RunScopeDoc = {
        snapshotScope: header.scope,
        nodeIds: header.kind === 'inventory' ? [...counted].sort(compareKeys) : nodeIds,
        ...(header.kind === 'payments' && deps.paymentConnector !== undefined ? { paymentConnector: deps.paymentConnector } : {}),
      };
      const owner = input.owner ?? null;
      const queued: ReconciliationRunRow = {
        ...run, scope, status: owner ? 'running' : 'queued', progress: { ...EMPTY_PROGRESS, phase: 'queued' } satisfies ProgressDoc,
        totals: { ...EMPTY_TOTALS, targetRows: spilled.rows, chunks: spilled.chunks } satisfies TotalsDoc,
        ...(owner ? { owner, startedAt: clock.now(), leaseUntil: new Date(Date.parse(clock.now()) + deps.leaseMs).toISOString() } : {}),
      };
      if (!(await store.updateReconciliationRun(queued, null))) throw new Error(`run ${id} changed while it was received`);
      nudge();
      return queued;
    } catch (err) {
      await store.deleteReconciliationRun(id);
      throw err;
    }
  };

  /** Claims and runs what is due: runs queued or abandoned, then deferrals due. */
  const work = async (): Promise<void> => {
    for (;;) {
      if (stopped) return;
      const now = clock.now();
      const claimed = await store.claimReconciliationRun({ owner: workerId, now, leaseUntil: new Date(Date.parse(now) + deps.leaseMs).toISOString() });
      if (!claimed) break;
      deps.log?.info({ run: claimed.id, target: claimed.target, kind: claimed.kind, resumed: claimed.cursor !== null }, 'reconciliation run started');
      try {
        const done = await executeRun(deps, claimed, workerId);
        deps.log?.info({ run: done.id, status: done.status, error: done.error ?? undefined }, 'reconciliation run ended');
      } catch (err) {
        if (!(err instanceof LeaseLostError)) throw err;
        deps.log?.warn({ run: claimed.id }, err.message);
      }
    }
    if (Date.now() - lastRecheck >= (deps.recheckMs ?? 30_000)) {
      lastRecheck = Date.now();
      await recheckDue(deps);
      // A snapshot whose receiving process died part-way is dropped (its sender got no 202).
      const stale = new Date(Date.parse(clock.now()) - 60 * 60_000).toISOString();
      for (const r of await store.listReconciliationRuns({ status: 'receiving', limit: 50 })) if (r.createdAt < stale) await store.deleteReconciliationRun(r.id);
    }
  };

  const tick = (): void => {
    if (stopped || busy) return;
    busy = work()
      .catch((err: unknown) => deps.log?.error({ err }, 'reconciliation worker failed'))
      .finally(() => {
        busy = undefined;
        if (!stopped) timer = setTimeout(tick, deps.pollMs ?? 1_000);
      });
  };

  function nudge(): void {
    if (stopped || busy) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(tick, 0);
  }

  return {
    workerId,
    receive,
    /** Receives a snapshot and runs it here, now (the CLI); the finished run. */
    async runNow(input: Omit<ReceiveInput, 'owner'>): Promise<ReconciliationRunRow> {
      const owner = `cli-${randomUUID()}`;
      const run = await receive({ ...input, owner });
      return executeRun(deps, run, owner);
    },
    async get(id: string): Promise<ReconciliationRunRow | undefined> {
      return store.getReconciliationRun(id);
    },
    async list(query: { target?: string; kind?: string; status?: ReconciliationRunStatus; limit: number; beforeId?: string }): Promise<ReconciliationRunRow[]> {
      return store.listReconciliationRuns(query);
    },
    async findings(runId: string, query: { status?: 'drift' | 'deferral' | 'cleared'; class?: string; afterSeq?: number; limit: number }): Promise<StoredReconciliationDrift[]> {
      return store.listReconciliationDrifts({ runId, ...query });
    },
    async counts(runId: string) {
      return store.countReconciliationDrifts(runId);
    },
    /** Deferrals due now, compared again (the worker does it every recheckMs; tests call it). */
    recheckDue: () => recheckDue(deps),
    start(): void {
      stopped = false;
      stopping = false;
      tick();
    },
    nudge,
    /** Stops looking for work; the run in hand stops at its next checkpoint and is left to be resumed (by the next start, or another process). */
    async stop(): Promise<void> {
      stopped = true;
      stopping = true;
      if (timer) clearTimeout(timer);
      await busy;
    },
    /** Waits until nothing is queued or running here (tests). */
    async idle(): Promise<void> {
      for (;;) {
        await busy;
        const active = [...(await store.listReconciliationRuns({ status: 'queued', limit: 1 })), ...(await store.listReconciliationRuns({ status: 'running', limit: 1 }))];
        if (active.length === 0 && !busy) return;
        nudge();
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

export type ReconciliationService = ReturnType<typeof createReconciliationService>;
