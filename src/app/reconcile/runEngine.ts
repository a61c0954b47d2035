import type {
  Finding,
  InventoryTargetRow,
  KeyRange,
  LedgerFulfillment,
  LedgerPayment,
  LedgerPosition,
  OrdersTargetRow,
  PaymentsTargetRow,
  Progress,
  ReconcileKind,
  ReconcilePolicy,
  Rows,
  SnapshotHeader,
} from '../../reconcile/index.js';
import { compareContext, compareFulfillment, comparePayment, comparePosition, positionKey, reconcileStream, staleFeed } from '../../reconcile/index.js';
import type { TargetRow } from './snapshotRows.js';

/** A finding with what it was found on: the ledger's entry and the target's rows for its key. */
export type Found = Finding & { readonly context?: { readonly ledger: LedgerEntry | undefined; readonly rows: readonly TargetRow[] } };
export type LedgerEntry = LedgerFulfillment | LedgerPosition | LedgerPayment;

type Compare = (ledger: LedgerEntry | undefined, rows: readonly TargetRow[], ctx: ReturnType<typeof compareContext>) => readonly Finding[];

const KINDS: Readonly<Record<ReconcileKind, { ledgerKey: (l: LedgerEntry) => string; targetKey: (t: TargetRow) => string; compare: Compare }>> = {
  orders: { ledgerKey: (l) => (l as LedgerFulfillment).fulfillmentId, targetKey: (t) => (t as OrdersTargetRow).fulfillmentId, compare: compareFulfillment as Compare },
  inventory: {
    ledgerKey: (l) => positionKey((l as LedgerPosition).nodeId, (l as LedgerPosition).sku),
    targetKey: (t) => positionKey((t as InventoryTargetRow).nodeId, (t as InventoryTargetRow).sku),
    compare: comparePosition as Compare,
  },
  payments: { ledgerKey: (l) => (l as LedgerPayment).orderId, targetKey: (t) => (t as PaymentsTargetRow).orderId, compare: comparePayment as Compare },
};

/**
 * The pure engine's run (reconcileOrders / reconcileInventory / reconcilePayments, the same
 * steps), keeping beside each finding the ledger entry and target rows it was found on: an
 * exception shows both sides and their payloads, and a deferral can be compared again at its
 * `until` without the snapshot.
 */
export async function* runEngine(
  kind: ReconcileKind,
  header: SnapshotHeader,
  ledger: Rows<LedgerEntry>,
  target: Rows<TargetRow>,
  options: { now: string; policy: ReconcilePolicy; range?: KeyRange; progressEvery?: number },
): AsyncGenerator<Found | Progress, void, undefined> {
  const ctx = compareContext(header, options.now, options.policy);
  const stale = staleFeed({ target: header.target, kind, asOf: header.asOf, now: ctx.checkpoint.now }, ctx.policy.feedAge);
  if (stale) yield stale;
  const spec = KINDS[kind];
  yield* reconcileStream<LedgerEntry, TargetRow, Found>(ledger, target, {
    ledgerKey: spec.ledgerKey,
    targetKey: spec.targetKey,
    compare: (l, rows) => {
      const found = spec.compare(l, rows, ctx);
      return found.length === 0 ? found : found.map((f) => ({ ...f, context: { ledger: l, rows: rows.slice() } }) as Found);
    },
    ...(options.range !== undefined ? { range: options.range } : {}),
    ...(options.progressEvery !== undefined ? { progressEvery: options.progressEvery } : {}),
  });
}

/** One key compared again (a deferral due, a resync): the findings for it now. */
export function compareOne(kind: ReconcileKind, header: SnapshotHeader, now: string, policy: ReconcilePolicy, ledger: LedgerEntry | undefined, rows: readonly TargetRow[]): Found[] {
  const ctx = compareContext(header, now, policy);
  return KINDS[kind].compare(ledger, rows, ctx).map((f) => ({ ...f, context: { ledger, rows } }) as Found);
}
