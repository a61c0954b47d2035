import type { Fulfillment } from '../../domain/order/index.js';
import type { FulfillmentChange, LedgerFulfillment } from '../../reconcile/index.js';
import type { NodeRecord, ReconciliationFulfillmentRow, Store } from '../../store/port.js';

/**
 * The ledger side of an `orders` run: every fulfillment at the nodes a target serves, in
 * fulfillmentId order (bytewise), as the pure engine's LedgerFulfillment, read in keyset pages.
 */

/**
 * The nodes a target serves: those whose connector it is, and a node without a connector is its
 * own target (it reports through the API, and its snapshots name it).
 */
export function nodesServedBy(nodes: readonly NodeRecord[], target: string): string[] {
  return nodes
    .filter((n) => {
      const connector = (n.doc as { connector?: unknown } | null)?.connector;
      return typeof connector === 'string' && connector !== '' ? connector === target : n.id === target;
    })
    .map((n) => n.id);
}

/**
 * One projection row as the engine reads it. Released lines are what the node was sent (before any
 * cancellation there); the history holds the release (its outbox send and delivery — a node
 * without a connector reads it from the API as soon as it is recorded), the acknowledgement or
 * rejection, each shipment at its shippedAt, and each cancellation the node confirmed. A
 * withdrawal (Orderly took it back and told the node to cancel) counts as a cancellation of what
 * was open.
 */
export function toLedgerFulfillment(row: ReconciliationFulfillmentRow, target: string): LedgerFulfillment {
  const f = row.view as Fulfillment;
  const history: FulfillmentChange[] = [];
  if (f.stage !== 'allocated' && row.releasedAt !== null) {
    const release = row.release;
    history.push(
      release === null
        ? { type: 'released', at: row.releasedAt, deliveredAt: row.releasedAt }
        : {
            type: 'released',
            at: row.releasedAt,
            ...(release.firstAttemptAt !== null ? { sentAt: release.firstAttemptAt } : {}),
            ...(release.dispatchedAt !== null ? { deliveredAt: release.dispatchedAt } : {}),
          },
    );
  }
  if (f.acknowledgedAt !== undefined) history.push({ type: 'acknowledged', at: f.acknowledgedAt, accepted: true });
  for (const s of f.shipments) history.push({ type: 'shipped', at: s.shippedAt, occurredAt: s.shippedAt, lines: s.lines });
  for (const c of f.cancellations ?? []) history.push({ type: 'cancelled', at: c.at ?? row.updatedAt, lines: c.lines });
  const released = releasedLines(f);
  if (f.rejected !== undefined && f.stage !== 'allocated') {
    const at = f.rejectedAt ?? row.updatedAt;
    if (f.withdrawn) {
      const shipped = new Map(f.lines.map((l) => [l.lineId, l.shipped]));
      const open = released.map((l) => ({ lineId: l.lineId, quantity: l.quantity - (shipped.get(l.lineId) ?? 0) })).filter((l) => l.quantity > 0);
      history.push({ type: 'cancelled', at, lines: open });
    } else {
      history.push({ type: 'acknowledged', at, accepted: false });
    }
  }
  return { fulfillmentId: row.id, orderId: row.orderId, nodeId: row.nodeId, target, lines: released, history };
}

/** The lines as released: kept since the release, else the current lines plus what the node cancelled. */
function releasedLines(f: Fulfillment): { lineId: string; sku: string; quantity: number }[] {
  if (f.releasedLines) return f.releasedLines.map((l) => ({ lineId: l.lineId, sku: l.sku, quantity: l.quantity }));
  const cancelled = new Map<string, number>();
  for (const c of f.cancellations ?? []) for (const l of c.lines) cancelled.set(l.lineId, (cancelled.get(l.lineId) ?? 0) + l.quantity);
  return f.lines.map((l) => ({ lineId: l.lineId, sku: l.sku, quantity: l.quantity + (cancelled.get(l.lineId) ?? 0) }));
}

/** Pages of the ledger's fulfillments at `nodeIds` after `afterId`, for the merge-join. */
export function ledgerFulfillments(store: Store, input: { nodeIds: readonly string[]; target: string; afterId?: string; pageSize: number }): { pages: AsyncIterable<LedgerFulfillment[]> } {
  return {
    pages: (async function* () {
      const read = (afterId: string | undefined) => store.listFulfillmentsForReconciliation({ nodeIds: input.nodeIds, limit: input.pageSize, ...(afterId !== undefined ? { afterId } : {}) });
      let next = read(input.afterId);
      for (;;) {
        const rows = await next;
        if (rows.length === 0) return;
        // The next page is read while this one is compared (a PostgreSQL round trip overlaps the work).
        const more = rows.length === input.pageSize;
        if (more) next = read(rows.at(-1)!.id);
        yield rows.map((r) => toLedgerFulfillment(r, input.target));
        if (!more) return;
      }
    })(),
  };
}
