import type { OrderPlacedData } from '../domain/order/index.js';
import type { Position } from '../inventory/position.js';
import type { RoutingDecision, RoutingNode, Ruleset, WhatIfReport } from '../routing/index.js';
import { EMPTY_WHAT_IF_TOTALS, addWhatIfPair, finishWhatIf, route } from '../routing/index.js';
import type { Store } from '../store/port.js';

export interface WhatIfOptions {
  readonly from?: string;
  readonly to?: string;
  readonly limit?: number;
  readonly onProgress?: (done: number, scanned: number) => void;
}

/**
 * Replays a candidate ruleset over stored order history: for each order placed in [from, to) that
 * was routed, the first live decision is the baseline and the candidate decides the same lines
 * against the stock that decision saw (each candidate node's sellable, from its explanation), with
 * today's node configuration. Streams the event log page by page: memory stays flat.
 */
export async function whatIf(store: Store, nodes: readonly RoutingNode[], candidate: { ruleset: Ruleset; version: number }, options: WhatIfOptions = {}): Promise<WhatIfReport & { orders: number }> {
  const from = options.from ? Date.parse(options.from) : -Infinity;
  const to = options.to ? Date.parse(options.to) : Infinity;
  const limit = options.limit ?? Infinity;
  let totals = EMPTY_WHAT_IF_TOTALS;
  let done = 0;
  let scanned = 0;
  let after = 0;
  for (;;) {
    const page = await store.readAll(after, 1000);
    if (page.length === 0 || done >= limit) break;
    after = page.at(-1)!.position;
    for (const e of page) {
      if (e.type !== 'OrderPlaced' || done >= limit) continue;
      scanned++;
      const placedAt = Date.parse(e.occurredAt);
      if (placedAt < from || placedAt >= to) continue;
      const baseline = (await store.listDecisions({ orderId: e.streamId })).find((d) => d.kind === 'live')?.decision as RoutingDecision | undefined;
      if (!baseline) continue;
      const draft = (e.data as OrderPlacedData).order;
      const lines = baseline.lines.map((l) => ({ lineId: l.lineId, sku: l.sku, quantity: l.quantity, ...attributesOf(draft, l.lineId) }));
      const positions: Position[] = baseline.lines.flatMap((l) =>
        l.candidates.filter((c) => c.sellable !== undefined).map((c) => ({ nodeId: c.nodeId, sku: l.sku, onHand: c.sellable!, reserved: 0, asOf: null })),
      );
      const seen = new Set<string>();
      const unique = positions.filter((p) => (seen.has(`${p.nodeId}\u0000${p.sku}`) ? false : (seen.add(`${p.nodeId}\u0000${p.sku}`), true)));
      const decided = route({
        order: { channel: draft.channel, fulfillment: draft.fulfillment, ...(draft.shipTo ? { shipTo: draft.shipTo } : {}), lines },
        nodes,
        positions: unique,
        // The stock above is already net of safety stock and freshness as the baseline judged it.
        ruleset: { ...candidate.ruleset, safetyStock: {}, inventory: { ...candidate.ruleset.inventory, staleMode: 'buffer', staleBuffer: { units: 0 } } } as Ruleset,
        rulesetVersion: candidate.version,
        now: e.recordedAt,
      });
      totals = addWhatIfPair(totals, baseline, decided);
      done++;
      if (done % 500 === 0) options.onProgress?.(done, scanned);
    }
  }
  options.onProgress?.(done, scanned);
  return { ...finishWhatIf(totals), orders: done };
}

function attributesOf(draft: OrderPlacedData['order'], lineId: string) {
  const attributes = draft.lines.find((l) => l.lineId === lineId)?.attributes;
  return attributes ? { attributes } : {};
}
