// Builders shared by the reconciliation unit tests (not a test file itself).
import type {
  CompareContext,
  Finding,
  FulfillmentChange,
  LedgerFulfillment,
  LedgerPayment,
  LedgerPosition,
  ReconcileKind,
  ReconcilePolicy,
  RunEvent,
  SnapshotHeader,
  Timing,
} from '../../src/reconcile/index.js';
import { DEFAULT_TIMING, compareContext, defaultReconcilePolicy } from '../../src/reconcile/index.js';

/** The snapshot's asOf in every test; times are minutes relative to it. */
export const AS_OF = '2026-11-25T12:00:00.000Z';
export const TARGET = 'wms-main';
const AS_OF_MS = Date.parse(AS_OF);

/** `m` minutes after asOf (negative: before), as canonical ISO. */
export const t = (m: number): string => new Date(AS_OF_MS + m * 60_000).toISOString();

export const header = (kind: ReconcileKind, o: Partial<SnapshotHeader> = {}): SnapshotHeader => ({ target: TARGET, kind, asOf: AS_OF, ...o });

export const policyWith = (timing: Partial<Timing>): ReconcilePolicy => ({ ...defaultReconcilePolicy, timing: { ...DEFAULT_TIMING, ...timing } });

/** A context `nowMinutes` after asOf (default 10: inside the 60-minute inbound grace). */
export const ctxFor = (kind: ReconcileKind, nowMinutes = 10, o: { snapshot?: Partial<SnapshotHeader>; policy?: ReconcilePolicy } = {}): CompareContext =>
  compareContext(header(kind, o.snapshot), t(nowMinutes), o.policy);

/** A fulfillment released (sent and delivered) `releasedMinutes` before asOf, with one line of 3 units unless told. */
export function fulfillment(id: string, history: readonly FulfillmentChange[] = [released(-120)], o: Partial<LedgerFulfillment> = {}): LedgerFulfillment {
  return {
    fulfillmentId: id,
    orderId: `ord_${id.slice(4)}`,
    nodeId: 'dc-east',
    target: TARGET,
    lines: [{ lineId: 'l1', sku: 'SKU-RED', quantity: 3 }],
    history,
    value: 5997,
    currency: 'USD',
    customerTier: 'standard',
    ...o,
  };
}

export const released = (sentMinutes: number, deliveredAfter: number | null = 1): FulfillmentChange => ({
  type: 'released',
  at: t(sentMinutes - 1),
  sentAt: t(sentMinutes),
  ...(deliveredAfter !== null ? { deliveredAt: t(sentMinutes + deliveredAfter) } : {}),
});

/** A fact from the target: it happened at `occurred`, reached the ledger `arrivedAfter` minutes later. */
export const shipped = (occurred: number, quantity: number, lineId = 'l1', arrivedAfter = 1): FulfillmentChange => ({
  type: 'shipped',
  at: t(occurred + arrivedAfter),
  occurredAt: t(occurred),
  lines: [{ lineId, quantity }],
});

export const cancelled = (occurred: number, quantity: number, lineId = 'l1', arrivedAfter = 1): FulfillmentChange => ({
  type: 'cancelled',
  at: t(occurred + arrivedAfter),
  occurredAt: t(occurred),
  lines: [{ lineId, quantity }],
});

export const acknowledged = (occurred: number, accepted: boolean): FulfillmentChange => ({
  type: 'acknowledged',
  at: t(occurred + 1),
  occurredAt: t(occurred),
  accepted,
});

export const row = (id: string, status: 'open' | 'shipped' | 'cancelled', lines: readonly [string, number, number][] = [['l1', 3, 0]]) => ({
  fulfillmentId: id,
  status,
  lines: lines.map(([lineId, quantity, shipped]) => ({ lineId, quantity, shipped })),
});

export const position = (nodeId: string, sku: string, onHand: number, o: Partial<LedgerPosition> = {}): LedgerPosition => ({
  nodeId,
  sku,
  onHand,
  asOf: t(-600),
  ...o,
});

export function payment(orderId: string, o: Partial<LedgerPayment> = {}): LedgerPayment {
  // Two units of 1000 and charges of 500: one unit shipped (1000 + charges captured), nothing returned.
  return {
    orderId,
    target: 'gateway',
    currency: 'USD',
    authorized: 2500,
    captured: 1500,
    refunded: 0,
    changes: [
      { type: 'authorized', amount: 2500, occurredAt: t(-300) },
      { type: 'captured', amount: 1500, occurredAt: t(-200) },
    ],
    goods: { lines: [{ lineId: 'l1', unitPrice: 1000, quantity: 2, shipped: 1, cancelled: 0, returned: 0 }], charges: 500 },
    goodsChangedAt: t(-210),
    value: 2500,
    customerTier: 'standard',
    ...o,
  };
}

export const drifts = (found: readonly (Finding | RunEvent)[]) => found.filter((f) => f.type === 'drift');
export const deferrals = (found: readonly (Finding | RunEvent)[]) => found.filter((f) => f.type === 'deferral');
export const classes = (found: readonly (Finding | RunEvent)[]): string[] => drifts(found).map((f) => (f.type === 'drift' ? f.class : ''));

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
