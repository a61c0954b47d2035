import type { ReconcileKind, ReconcilePolicy, TriagePolicy } from '../../reconcile/index.js';
import type { ReconciliationRunRow, Store } from '../../store/port.js';
import type { Clock } from '../clock.js';
import type { ExceptionService } from '../exceptions.js';

/** What a run compares beyond target and kind, fixed when its snapshot is received. */
export interface RunScopeDoc {
  readonly snapshotScope: 'all' | 'open_only';
  /** orders: the nodes the target serves; inventory: the nodes the snapshot counts. */
  readonly nodeIds: readonly string[];
  /** payments: the payment connector (gateway orders are its); other orders are their channel's. */
  readonly paymentConnector?: string;
}

/** Counts so far; a resumed run adds to them. */
export interface ProgressDoc {
  readonly phase: 'receiving' | 'queued' | 'comparing' | 'resolving' | 'done';
  readonly ledgerRows: number;
  readonly targetRows: number;
  readonly keys: number;
  readonly drifts: number;
  readonly deferrals: number;
  /** Target rows compared out of those received, in percent. */
  readonly percent: number;
  readonly resumed: number;
}

export interface TotalsDoc {
  readonly targetRows: number;
  readonly chunks: number;
  readonly exceptionsRaised: number;
  readonly exceptionsResolved: number;
}

export const EMPTY_PROGRESS: ProgressDoc = { phase: 'receiving', ledgerRows: 0, targetRows: 0, keys: 0, drifts: 0, deferrals: 0, percent: 0, resumed: 0 };
export const EMPTY_TOTALS: TotalsDoc = { targetRows: 0, chunks: 0, exceptionsRaised: 0, exceptionsResolved: 0 };

/** Everything a run needs, given by the composition root (or the CLI). */
export interface RunDeps {
  readonly store: Store;
  readonly exceptions: ExceptionService;
  readonly clock: Clock;
  readonly policy: ReconcilePolicy;
  readonly triage: TriagePolicy;
  /** SKU → velocity class (A/B/C or the policy's own) for inventory thresholds. */
  readonly velocityClasses: Readonly<Record<string, string>>;
  /** How long a claim holds a run without progress before another process may resume it. */
  readonly leaseMs: number;
  /** Rows between progress saves (and flushes of findings). */
  readonly progressEvery: number;
  /** Rows per ledger page read from the store. */
  readonly pageRows: number;
  /** Told at every progress save (the CLI's progress display). */
  readonly onProgress?: (run: ReconciliationRunRow) => void;
  /** Asked at every checkpoint: true when the process is stopping (the run is left to be resumed). */
  readonly shouldStop?: () => boolean;
}

/** The run's lease was taken over by another process: this one stops, the other resumes. */
export class LeaseLostError extends Error {
  constructor(runId: string) {
    super(`run ${runId} was taken over by another process`);
    this.name = 'LeaseLostError';
  }
}

export const kindOf = (run: ReconciliationRunRow): ReconcileKind => run.kind as ReconcileKind;
