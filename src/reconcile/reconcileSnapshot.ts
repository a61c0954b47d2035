import type { KeyRange } from './compareKeys.js';
import { compareFulfillment } from './compareFulfillment.js';
import type { LedgerPayment } from './comparePayment.js';
import { comparePayment } from './comparePayment.js';
import type { LedgerPosition } from './comparePosition.js';
import { comparePosition, positionKey } from './comparePosition.js';
import type { Deferral, Drift, Finding, InventoryTargetRow, OrdersTargetRow, PaymentsTargetRow, ReconcileKind, SnapshotHeader } from './drift.js';
import type { LedgerFulfillment } from './expectFulfillment.js';
import { staleFeed } from './feedAgePolicy.js';
import type { CompareContext, ReconcilePolicy } from './reconcilePolicy.js';
import { compareContext } from './reconcilePolicy.js';
import type { Progress } from './reconcileStream.js';
import { reconcileStream } from './reconcileStream.js';
import type { Rows } from './rowCursor.js';

export interface RunOptions {
  /** The run's clock reading (ISO), passed in: the core reads no clock. */
  readonly now: string;
  readonly policy?: ReconcilePolicy;
  /** The keys compared; a resumed run sets `after` to the last progress cursor. */
  readonly range?: KeyRange;
  readonly progressEvery?: number;
  readonly maxGroup?: number;
}

export type RunEvent = Drift | Deferral | Progress;

/**
 * One reconciliation run of an `orders` snapshot (a WMS or POS listing fulfillments) against the
 * ledger's fulfillments for that target. Both inputs sorted by fulfillmentId (compareKeys order).
 * First a `stale_feed` drift if the snapshot is too old (one per run, repeated by a resumed run),
 * then the join's drifts, deferrals and progress.
 */
export function reconcileOrders(snapshot: SnapshotHeader, ledger: Rows<LedgerFulfillment>, target: Rows<OrdersTargetRow>, options: RunOptions): AsyncGenerator<RunEvent, void, undefined> {
  return run('orders', snapshot, ledger, target, options, (l) => l.fulfillmentId, (t) => t.fulfillmentId, compareFulfillment);
}

/** An `inventory` run (846 or CSV on-hand) against the ledger's positions; both sorted by positionKey. */
export function reconcileInventory(snapshot: SnapshotHeader, ledger: Rows<LedgerPosition>, target: Rows<InventoryTargetRow>, options: RunOptions): AsyncGenerator<RunEvent, void, undefined> {
  return run('inventory', snapshot, ledger, target, options, (l) => positionKey(l.nodeId, l.sku), (t) => positionKey(t.nodeId, t.sku), comparePosition);
}

/** A `payments` run (gateway totals per order) against the ledger's money; both sorted by orderId. */
export function reconcilePayments(snapshot: SnapshotHeader, ledger: Rows<LedgerPayment>, target: Rows<PaymentsTargetRow>, options: RunOptions): AsyncGenerator<RunEvent, void, undefined> {
  return run('payments', snapshot, ledger, target, options, (l) => l.orderId, (t) => t.orderId, comparePayment);
}

async function* run<L, T>(
  kind: ReconcileKind,
  snapshot: SnapshotHeader,
  ledger: Rows<L>,
  target: Rows<T>,
  options: RunOptions,
  ledgerKey: (row: L) => string,
  targetKey: (row: T) => string,
  compare: (ledger: L | undefined, rows: readonly T[], ctx: CompareContext) => readonly Finding[],
): AsyncGenerator<RunEvent, void, undefined> {
  if (snapshot.kind !== kind) throw new RangeError(`a ${snapshot.kind} snapshot cannot be reconciled as ${kind}`);
  const ctx = compareContext(snapshot, options.now, options.policy);
  const stale = staleFeed({ target: snapshot.target, kind, asOf: snapshot.asOf, now: ctx.checkpoint.now }, ctx.policy.feedAge);
  if (stale) yield stale;
  yield* reconcileStream(ledger, target, {
    ledgerKey,
    targetKey,
    compare: (l, t) => compare(l, t, ctx),
    ...(options.range !== undefined ? { range: options.range } : {}),
    ...(options.progressEvery !== undefined ? { progressEvery: options.progressEvery } : {}),
    ...(options.maxGroup !== undefined ? { maxGroup: options.maxGroup } : {}),
  });
}
