import type { OrderView } from '../../domain/order/index.js';
import type { Rows } from '../../reconcile/index.js';
import type { ReconciliationRunRow } from '../../store/port.js';
import { coordinates } from './driftExceptions.js';
import { ledgerFulfillments, toLedgerFulfillment } from './ledgerFulfillments.js';
import { ledgerPayments, paymentTarget, toLedgerPayment } from './ledgerPayments.js';
import { ledgerPositions, toLedgerPosition } from './ledgerPositions.js';
import { recentChanges } from './recentChanges.js';
import type { LedgerEntry } from './runEngine.js';
import type { RunDeps, RunScopeDoc } from './runModel.js';
import { kindOf } from './runModel.js';

/** Movements and money changes are netted from the snapshot's asOf less the clock skew on. */
const since = (deps: RunDeps, run: ReconciliationRunRow): string => new Date(Date.parse(run.asOf) - deps.policy.timing.clockSkewMs).toISOString();

/** The ledger side of a run, in key order, after `after` when resuming. */
export async function ledgerRows(deps: RunDeps, run: ReconciliationRunRow, after: string | undefined): Promise<Rows<LedgerEntry>> {
  const scope = run.scope as RunScopeDoc;
  const { store, pageRows } = deps;
  switch (kindOf(run)) {
    case 'orders':
      return ledgerFulfillments(store, { nodeIds: scope.nodeIds, target: run.target, pageSize: pageRows, ...(after !== undefined ? { afterId: after } : {}) });
    case 'inventory': {
      const { movements } = await recentChanges(store, { since: since(deps, run), nodeIds: scope.nodeIds });
      const at = after === undefined ? undefined : coordinates('inventory', after);
      return ledgerPositions(store, {
        nodeIds: scope.nodeIds, pageSize: pageRows, movements, velocityClasses: deps.velocityClasses,
        ...(at?.nodeId !== undefined ? { after: { nodeId: at.nodeId, sku: at.sku ?? '' } } : {}),
      });
    }
    case 'payments': {
      const { money } = await recentChanges(store, { since: since(deps, run), money: true });
      return ledgerPayments(store, { target: run.target, paymentConnector: scope.paymentConnector, pageSize: pageRows, changes: money, ...(after !== undefined ? { afterId: after } : {}) });
    }
  }
}

/** The ledger's entry for one key now (a deferral due, a resync), or undefined when the ledger has none in the run's scope. */
export async function ledgerEntry(deps: RunDeps, run: ReconciliationRunRow, key: string): Promise<LedgerEntry | undefined> {
  const scope = run.scope as RunScopeDoc;
  const { store } = deps;
  switch (kindOf(run)) {
    case 'orders': {
      const [row] = await store.listFulfillmentsForReconciliation({ ids: [key] });
      return row && scope.nodeIds.includes(row.nodeId) ? toLedgerFulfillment(row, run.target) : undefined;
    }
    case 'inventory': {
      const { nodeId = '', sku = '' } = coordinates('inventory', key);
      const [p] = await store.listPositions({ nodeId, skus: [sku] });
      if (!p) return undefined;
      const { movements } = await recentChanges(store, { since: since(deps, run), nodeIds: [nodeId] });
      return toLedgerPosition(p, movements, deps.velocityClasses);
    }
    case 'payments': {
      const row = await store.getOrder(key);
      if (!row || paymentTarget(row.view as OrderView, scope.paymentConnector) !== run.target) return undefined;
      const { money } = await recentChanges(store, { since: since(deps, run), money: true });
      return toLedgerPayment(row, run.target, money);
    }
  }
}
