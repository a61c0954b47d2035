/**
 * The reconciliation part of the storage port (re-exported by port.ts): keyset-paged reads of the
 * ledger in key order (the pure engine's merge-join needs both sides sorted bytewise), and the
 * runs, their spilled snapshot pages and their drifts. Both adapters implement it; the
 * reconciliation contract suite (test/contract/reconcile.contract.test.ts) holds them to it.
 *
 * Keys that may hold U+0000 (inventory position keys) never reach a column as such: page bounds and
 * cursors are stored JSON-encoded as text, and drift rows are keyed by their printable dedupe key.
 */
import type { FulfillmentRow, OrderRow, PositionRow } from './port.js';

/** A fulfillment projection row with the outbox row of its release message (`fulfillment.release:<id>`), if any. */
export interface ReconciliationFulfillmentRow extends FulfillmentRow {
  readonly release: {
    readonly messageId: string;
    readonly status: string;
    readonly firstAttemptAt: string | null;
    readonly dispatchedAt: string | null;
  } | null;
}

/** Fulfillments at these nodes after `afterId` (ascending, bytewise), or exactly these ids. */
export type ReconciliationFulfillmentQuery =
  | { readonly nodeIds: readonly string[]; readonly afterId?: string; readonly limit: number }
  | { readonly ids: readonly string[] };

export interface PositionPageQuery {
  readonly nodeIds: readonly string[];
  /** Exclusive: positions after this (node, sku), in (node_id, sku) bytewise order. */
  readonly after?: { readonly nodeId: string; readonly sku: string };
  readonly limit: number;
}

/** A stock movement recorded by an adjustment (its `at`: when it happened at the node, else when recorded). */
export interface AdjustmentRow {
  readonly nodeId: string;
  readonly sku: string;
  readonly delta: number;
  readonly reason: string;
  readonly at: string;
}

export const RECONCILIATION_RUN_STATUSES = ['receiving', 'queued', 'running', 'completed', 'failed'] as const;
export type ReconciliationRunStatus = (typeof RECONCILIATION_RUN_STATUSES)[number];

/**
 * A reconciliation run. `scope`, `progress` and `totals` are JSON documents of the app layer;
 * `cursor` is the last key fully compared, JSON-encoded. `owner`/`leaseUntil` fence the process
 * running it: a run whose lease ran out (its process died) is claimed again and resumed.
 */
export interface ReconciliationRunRow {
  readonly id: string;
  readonly target: string;
  readonly kind: string;
  readonly asOf: string;
  readonly status: ReconciliationRunStatus;
  readonly source: string;
  readonly scope: unknown;
  readonly progress: unknown;
  readonly cursor: string | null;
  readonly totals: unknown;
  readonly error: string | null;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly owner: string | null;
  readonly leaseUntil: string | null;
}

export interface ReconciliationRunQuery {
  readonly target?: string;
  readonly kind?: string;
  readonly status?: ReconciliationRunStatus;
  readonly limit: number;
  /** Exclusive: runs with an id before this one (newest first). */
  readonly beforeId?: string;
}

/** One page of a spilled snapshot: rows of one sorted chunk, as JSON array text, with its first and last key (JSON-encoded). */
export interface ReconciliationPage {
  readonly chunk: number;
  readonly page: number;
  readonly firstKey: string;
  readonly lastKey: string;
  readonly count: number;
  readonly rows: string;
}

export type ReconciliationPageHead = Omit<ReconciliationPage, 'rows'>;

/** A drift or deferral a run found, unique per (run, dedupe key). `doc` is the finding as the API shows it. */
export interface ReconciliationDriftRow {
  readonly runId: string;
  readonly dedupeKey: string;
  readonly class: string;
  readonly status: 'drift' | 'deferral' | 'cleared';
  /** For a deferral: when to compare the key again. */
  readonly until: string | null;
  readonly exceptionId: string | null;
  readonly doc: unknown;
}

export interface StoredReconciliationDrift extends ReconciliationDriftRow {
  readonly seq: number;
}

export interface ReconciliationStore {
  listFulfillmentsForReconciliation(query: ReconciliationFulfillmentQuery): Promise<ReconciliationFulfillmentRow[]>;
  listPositionsPage(query: PositionPageQuery): Promise<PositionRow[]>;
  /** Orders ascending by id (bytewise), after `afterId`. */
  listOrdersAscending(query: { readonly afterId?: string; readonly limit: number }): Promise<OrderRow[]>;
  /** Adjustments recorded at or after `since` (their `at`), at these nodes. */
  listAdjustmentsSince(query: { readonly since: string; readonly nodeIds: readonly string[] }): Promise<AdjustmentRow[]>;

  createReconciliationRun(run: ReconciliationRunRow): Promise<void>;
  getReconciliationRun(id: string): Promise<ReconciliationRunRow | undefined>;
  listReconciliationRuns(query: ReconciliationRunQuery): Promise<ReconciliationRunRow[]>;
  /** Replaces the mutable fields (status, scope, progress, cursor, totals, error, times, owner, lease) while `owner` still holds it (false: it was taken over). */
  updateReconciliationRun(run: ReconciliationRunRow, expectedOwner: string | null): Promise<boolean>;
  /**
   * Leases a run to `owner`: the one named (`id`), else the oldest queued, else the oldest running
   * one whose lease ran out. Status becomes `running`. Safe under concurrent claimers.
   */
  claimReconciliationRun(query: { readonly owner: string; readonly now: string; readonly leaseUntil: string; readonly id?: string }): Promise<ReconciliationRunRow | undefined>;
  /** A run, its pages and its drifts (a snapshot refused while being received). */
  deleteReconciliationRun(id: string): Promise<void>;

  putReconciliationPages(runId: string, pages: readonly ReconciliationPage[]): Promise<void>;
  listReconciliationPageHeads(runId: string): Promise<ReconciliationPageHead[]>;
  /** Pages `fromPage`… of one chunk, at most `limit`, in page order. */
  readReconciliationPages(runId: string, chunk: number, fromPage: number, limit: number): Promise<ReconciliationPage[]>;
  deleteReconciliationPages(runId: string): Promise<void>;

  /** Inserts findings; one already stored for (run, dedupe key) is kept as it is. */
  putReconciliationDrifts(rows: readonly ReconciliationDriftRow[]): Promise<void>;
  /** A stored finding's status, until, exception and doc (a deferral re-checked). */
  updateReconciliationDrift(row: ReconciliationDriftRow): Promise<void>;
  listReconciliationDrifts(query: { readonly runId: string; readonly status?: ReconciliationDriftRow['status']; readonly class?: string; readonly afterSeq?: number; readonly limit: number }): Promise<StoredReconciliationDrift[]>;
  /** Deferrals of any run due by `now`, oldest first. */
  dueReconciliationDeferrals(query: { readonly now: string; readonly limit: number }): Promise<StoredReconciliationDrift[]>;
  countReconciliationDrifts(runId: string): Promise<{ readonly class: string; readonly status: string; readonly count: number }[]>;
}
