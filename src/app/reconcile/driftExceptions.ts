import type { ExceptionInput } from '../../domain/exception/exception.js';
import type { OrderView } from '../../domain/order/index.js';
import type { Deferral, Drift, ReconcileKind, TriagePolicy } from '../../reconcile/index.js';
import { FEED_KEY, dedupeKey } from '../../reconcile/index.js';
import type { Store } from '../../store/port.js';
import type { Found } from './runEngine.js';

/**
 * Drifts as exceptions (DESIGN §8): deduplicated by the engine's dedupe key, triaged by the
 * reconciliation TriagePolicy, and carrying what a person needs — the ledger's expectation and
 * the target's row side by side, the ledger entry it was computed from and the rows as the target
 * sent them. Position keys hold U+0000, which no JSON column may: documents carry node and SKU.
 */

/** Where a finding is: its coordinates from the key (orders: fulfillment; inventory: node + SKU; payments: order). */
export function coordinates(kind: ReconcileKind, key: string): { fulfillmentId?: string; nodeId?: string; sku?: string; orderId?: string } {
  if (key === FEED_KEY) return {};
  if (kind === 'orders') return { fulfillmentId: key };
  if (kind === 'payments') return { orderId: key };
  const at = key.indexOf('\u0000');
  return { nodeId: key.slice(0, at), sku: key.slice(at + 1) };
}

/** The stakes (value, currency, customer tier) of order drifts, read from their orders: severity rises for high value and VIPs. */
export async function withStakes(store: Store, found: readonly Found[]): Promise<Found[]> {
  const orders = new Map<string, OrderView | undefined>();
  const out: Found[] = [];
  for (const f of found) {
    if (f.type !== 'drift' || f.kind !== 'orders' || f.class === 'stale_feed' || f.orderId === undefined || f.value !== undefined) {
      out.push(f);
      continue;
    }
    if (!orders.has(f.orderId)) orders.set(f.orderId, (await store.getOrder(f.orderId))?.view as OrderView | undefined);
    const o = orders.get(f.orderId);
    out.push(o ? ({ ...f, value: o.totals.items, currency: o.currency, customerTier: o.customer.tier } as Found) : f);
  }
  return out;
}

/** The drift as the run's drift list shows it (GET /v1/reconciliations/{id}). */
export function driftDoc(d: Drift): Record<string, unknown> {
  const extra = d as Partial<{ findings: unknown; duplicates: unknown }>;
  return {
    class: d.class,
    kind: d.kind,
    ...coordinates(d.kind, d.key),
    ...('orderId' in d && d.orderId !== undefined ? { orderId: d.orderId } : {}),
    ...('nodeId' in d && d.nodeId !== undefined ? { nodeId: d.nodeId } : {}),
    ledger: d.ledger,
    target: d.target,
    detail: d.detail,
    severity: d.severity,
    ...(d.direction !== undefined ? { direction: d.direction } : {}),
    ...(extra.findings !== undefined ? { findings: extra.findings } : {}),
    ...(extra.duplicates !== undefined ? { duplicates: extra.duplicates } : {}),
  };
}

/** A deferral as stored: what to compare again at `until`, and with what. */
export function deferralDoc(d: Deferral, context: Found['context']): Record<string, unknown> {
  return { class: d.class, kind: d.kind, ...coordinates(d.kind, d.key), reason: d.reason, ...(d.until !== undefined ? { until: d.until } : {}), rows: context?.rows ?? [] };
}

const TITLES: Readonly<Record<Drift['class'], string>> = {
  missing_in_target: 'missing at',
  missing_in_ledger: 'unknown to the ledger, held by',
  status_mismatch: 'status differs at',
  quantity_mismatch: 'quantities differ at',
  duplicate_in_target: 'listed more than once by',
  stale_feed: 'feed is stale at',
  inventory_drift: 'on-hand differs at',
  amount_mismatch: 'amounts differ at',
};

/** The exception a drift raises (deduplicated while it stays open). */
export function driftException(d: Found & Drift, run: { id: string; target: string; asOf: string }, triage: TriagePolicy): Omit<ExceptionInput, 'id'> {
  const t = triage.triage(d);
  const where = coordinates(d.kind, d.key);
  const subject = where.fulfillmentId ?? (where.sku !== undefined ? `${where.sku} at ${where.nodeId}` : where.orderId) ?? `${d.kind} feed`;
  const orderId = 'orderId' in d && d.orderId !== undefined ? d.orderId : d.kind === 'payments' ? where.orderId : undefined;
  return {
    dedupeKey: dedupeKey(d, run.target),
    type: d.class,
    reasonCode: `${d.kind}.${d.class}${d.direction !== undefined ? `.${d.direction}` : ''}`,
    source: 'reconciliation',
    title: `${subject} ${TITLES[d.class]} ${run.target}`,
    detail: d.detail,
    ...(orderId !== undefined ? { orderId } : {}),
    ...(where.fulfillmentId !== undefined ? { fulfillmentId: where.fulfillmentId } : {}),
    target: run.target,
    context: {
      kind: d.kind,
      ...where,
      ...(d.direction !== undefined ? { direction: d.direction } : {}),
      run: { id: run.id, asOf: run.asOf },
      ledger: d.ledger,
      target: d.target,
      ...('findings' in d && d.findings !== undefined ? { findings: d.findings } : {}),
      ...('duplicates' in d && d.duplicates !== undefined ? { duplicates: d.duplicates } : {}),
      ledgerRecord: d.context?.ledger ?? null,
      payloads: d.context?.rows ?? [],
    },
    suggestedActions: t.actions,
    ...(d.value !== undefined ? { orderValue: d.value } : {}),
    ...(d.customerTier !== undefined ? { customerTier: d.customerTier } : {}),
    triage: { severity: t.severity, owner: t.owner.id, slaMinutes: t.slaMinutes },
  };
}
