import type { MoneyChange, StockMovement } from '../../reconcile/index.js';
import { positionKey } from '../../reconcile/index.js';
import type { Store, StoredEvent } from '../../store/port.js';

/**
 * What moved since a snapshot's asOf (less the clock skew): the stock movements and the money
 * changes the ledger recorded, which the engine nets out to see the ledger as of the snapshot.
 * Events are found by time with a search over positions (commit order follows the recording
 * clock), so no index on recorded_at is needed on the hot intake path; memory holds only what
 * changed since.
 */
export interface RecentChanges {
  /** By positionKey: shipments (−), restocks (+) and adjustments. */
  readonly movements: ReadonlyMap<string, StockMovement[]>;
  /** By order id: authorizations, voids, captures, refunds. */
  readonly money: ReadonlyMap<string, MoneyChange[]>;
}

const PAGE = 1000;

/** The position after which every event was recorded at or after `since` (0: from the start). */
async function positionBefore(store: Store, since: string): Promise<number> {
  const first = (await store.readAll(0, 1))[0];
  if (!first || first.recordedAt >= since) return 0;
  let lo = first.position; // recorded before `since`
  let step = 1024;
  let hi = -1;
  while (hi < 0) {
    const e = (await store.readAll(lo + step - 1, 1))[0];
    if (!e || e.recordedAt >= since) hi = lo + step;
    else {
      lo = e.position;
      step *= 2;
    }
  }
  // Invariant: the event at `lo` is before `since`; every event after `hi` is at or after it.
  while (hi - lo > 1) {
    const mid: number = lo + Math.floor((hi - lo) / 2);
    const e = (await store.readAll(mid, 1))[0];
    if (!e || e.position > hi || e.recordedAt >= since) hi = mid;
    else lo = e.position;
  }
  return lo;
}

async function* eventsSince(store: Store, since: string): AsyncGenerator<StoredEvent, void, undefined> {
  let after = await positionBefore(store, since);
  for (;;) {
    const page = await store.readAll(after, PAGE);
    yield* page;
    if (page.length < PAGE) return;
    after = page.at(-1)!.position;
  }
}

interface Line { readonly nodeId: string; readonly sku: string; readonly quantity?: number }

export async function recentChanges(store: Store, input: { since: string; nodeIds?: readonly string[]; money?: boolean }): Promise<RecentChanges> {
  const movements = new Map<string, StockMovement[]>();
  const money = new Map<string, MoneyChange[]>();
  const nodes = input.nodeIds ? new Set(input.nodeIds) : undefined;
  const move = (l: Line, delta: number, occurredAt: string, reason: string) => {
    if (nodes && !nodes.has(l.nodeId)) return;
    const key = positionKey(l.nodeId, l.sku);
    const list = movements.get(key) ?? [];
    list.push({ delta, occurredAt, reason });
    movements.set(key, list);
  };
  const pay = (orderId: string, change: MoneyChange) => {
    const list = money.get(orderId) ?? [];
    list.push(change);
    money.set(orderId, list);
  };
  for await (const e of eventsSince(store, input.since)) {
    const d = e.data as Record<string, unknown>;
    switch (e.type) {
      case 'ShipmentConfirmed':
        if (nodes) for (const c of d.commits as Line[]) move(c, -(c.quantity ?? 0), d.shippedAt as string, 'shipment');
        break;
      case 'ReturnReceived':
        if (nodes) for (const r of d.restock as Line[]) move(r, r.quantity ?? 0, (d.at as string | undefined) ?? e.occurredAt, 'return');
        break;
      case 'PaymentAuthorized':
      case 'PaymentVoided':
      case 'PaymentCaptured':
      case 'RefundIssued':
        if (input.money) pay(e.streamId, { type: MONEY_TYPE[e.type], amount: d.amount as number, occurredAt: e.occurredAt });
        break;
      default:
        break;
    }
  }
  if (nodes && input.nodeIds) {
    for (const a of await store.listAdjustmentsSince({ since: input.since, nodeIds: input.nodeIds })) move(a, a.delta, a.at, a.reason);
  }
  return { movements, money };
}

const MONEY_TYPE = { PaymentAuthorized: 'authorized', PaymentVoided: 'voided', PaymentCaptured: 'captured', RefundIssued: 'refunded' } as const;
