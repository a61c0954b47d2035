import type { LedgerPosition, StockMovement } from '../../reconcile/index.js';
import { compareKeys, positionKey } from '../../reconcile/index.js';
import type { PositionRow, Store } from '../../store/port.js';

/**
 * The ledger side of an `inventory` run: the positions of the nodes the snapshot counts, in
 * (node, sku) order, with the movements recorded since the snapshot's asOf (less the skew) and the
 * SKU's velocity class when one is configured.
 */
export function toLedgerPosition(p: PositionRow, movements: ReadonlyMap<string, StockMovement[]>, velocityClasses: Readonly<Record<string, string>>): LedgerPosition {
  const moved = movements.get(positionKey(p.nodeId, p.sku));
  const velocityClass = Object.prototype.hasOwnProperty.call(velocityClasses, p.sku) ? velocityClasses[p.sku] : undefined;
  return { nodeId: p.nodeId, sku: p.sku, onHand: p.onHand, asOf: p.asOf, ...(moved ? { movements: moved } : {}), ...(velocityClass !== undefined ? { velocityClass } : {}) };
}

export function ledgerPositions(
  store: Store,
  input: { nodeIds: readonly string[]; after?: { nodeId: string; sku: string }; pageSize: number; movements: ReadonlyMap<string, StockMovement[]>; velocityClasses: Readonly<Record<string, string>> },
): { pages: AsyncIterable<LedgerPosition[]> } {
  return {
    pages: (async function* () {
      // Node by node (the nodes in key order): each page is one range of the primary key.
      for (const nodeId of [...input.nodeIds].sort(compareKeys)) {
        if (input.after && compareKeys(nodeId, input.after.nodeId) < 0) continue;
        let after = input.after && input.after.nodeId === nodeId ? input.after : undefined;
        for (;;) {
          const rows = await store.listPositionsPage({ nodeIds: [nodeId], limit: input.pageSize, ...(after ? { after } : {}) });
          if (rows.length > 0) yield rows.map((p) => toLedgerPosition(p, input.movements, input.velocityClasses));
          if (rows.length < input.pageSize) break;
          const last = rows.at(-1)!;
          after = { nodeId: last.nodeId, sku: last.sku };
        }
      }
    })(),
  };
}
