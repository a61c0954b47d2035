/**
 * What a reconciliation run finds (DESIGN §8): drifts, one per (class, key), each with the ledger's
 * and the target's view side by side; and deferrals, differences a message still in flight can
 * explain, which are neither raised nor allowed to resolve an open drift.
 */

export const RECONCILE_KINDS = ['orders', 'inventory', 'payments'] as const;
export type ReconcileKind = (typeof RECONCILE_KINDS)[number];

export const DRIFT_CLASSES = [
  'missing_in_target',
  'missing_in_ledger',
  'status_mismatch',
  'quantity_mismatch',
  'duplicate_in_target',
  'stale_feed',
  'inventory_drift',
  'amount_mismatch',
] as const;
export type DriftClass = (typeof DRIFT_CLASSES)[number];

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * Which side is further along: `target_ahead` (the target knows something the ledger has not
 * recorded: a fact on its way to us, or lost), `target_behind` (the ledger recorded something the
 * target should know and does not), `diverged` (neither explains the other).
 */
export type Direction = 'target_ahead' | 'target_behind' | 'diverged';

/** The key of a run-level finding (the feed as a whole): always covered by a run, sorts first. */
export const FEED_KEY = '';

/** The header every snapshot carries (API.md): who says it, what it lists, as of when (the target's clock). */
export interface SnapshotHeader {
  readonly target: string;
  readonly kind: ReconcileKind;
  readonly asOf: string;
  /**
   * `all` (default): every key in the compared range the target holds. `open_only`: the target
   * lists only work still open (many WMS exports), so a finished fulfillment may be absent.
   */
  readonly scope?: 'all' | 'open_only';
}

// Target rows (API.md). Amounts in minor units; quantities in units.

export type TargetFulfillmentStatus = 'open' | 'shipped' | 'cancelled';

/**
 * One fulfillment as the WMS/POS holds it: `quantity` is what it still holds to fulfil on the line
 * net of cancellations it applied (shipped units included), `shipped` what it shipped. `status` is
 * `cancelled` when nothing shipped and nothing remains, `shipped` when nothing remains open.
 */
export interface OrdersTargetRow {
  readonly fulfillmentId: string;
  readonly status: TargetFulfillmentStatus;
  readonly lines: readonly { readonly lineId: string; readonly quantity: number; readonly shipped: number }[];
}

/** On-hand at a node; `asOf` when the row was counted, if the feed says so per row (X12 846 DTM). */
export interface InventoryTargetRow {
  readonly nodeId: string;
  readonly sku: string;
  readonly onHand: number;
  readonly asOf?: string;
}

/** Totals to date at the gateway: `authorized` net of voids and expiries. */
export interface PaymentsTargetRow {
  readonly orderId: string;
  readonly authorized: number;
  readonly captured: number;
  readonly refunded: number;
  readonly currency?: string;
}

/** An inclusive range: the values the target may hold given what was in flight at the checkpoint. */
export interface Range {
  readonly min: number;
  readonly max: number;
}

export interface LineExpectation {
  readonly lineId: string;
  readonly sku: string;
  readonly quantity: Range;
  readonly shipped: Range;
}

/** What the target should hold for a fulfillment as of the checkpoint. */
export interface FulfillmentExpectation {
  /** `required`: the target must list it; `optional`: it may (a send in flight, a rejection); `absent`: it cannot know it yet. */
  readonly presence: 'required' | 'optional' | 'absent';
  /** The statuses the target may show. */
  readonly statuses: readonly TargetFulfillmentStatus[];
  readonly lines: readonly LineExpectation[];
}

export interface PositionExpectation {
  readonly onHand: Range;
  readonly velocityClass: string;
  /** Units of difference the thresholds tolerate here. */
  readonly tolerance: number;
  /** The checkpoint the expectation was computed for (the row's own asOf, else the snapshot's). */
  readonly asOf: string;
}

export interface PaymentExpectation {
  readonly currency: string;
  /** The ledger's amounts as of the checkpoint (what the gateway should report). */
  readonly asOfCheckpoint: { readonly authorized: Range; readonly captured: Range; readonly refunded: Range };
  /** The ledger's amounts now, and what the goods (shipped, cancelled, returned) say they should be. */
  readonly now: MoneyTotals;
  readonly dueFromGoods: MoneyTotals;
}

export interface MoneyTotals {
  readonly authorized: number;
  readonly captured: number;
  readonly refunded: number;
}

export type MoneyField = keyof MoneyTotals;

/**
 * One disagreement about money. `source: 'target'`: the gateway against the ledger at the
 * checkpoint, with its direction. `source: 'goods'`: the ledger's money now against what its goods
 * say is due; `owed` names the operation that normally follows the goods and would settle it
 * (absent when the money is ahead of the goods: over-captured, over-refunded, under-authorized).
 */
export interface AmountFinding {
  readonly source: 'target' | 'goods';
  readonly field: MoneyField | 'currency';
  readonly direction?: Direction;
  readonly owed?: 'capture' | 'refund' | 'void';
  readonly detail: string;
}

interface DriftCommon {
  readonly type: 'drift';
  readonly key: string;
  readonly detail: string;
  /** The comparator's hint; the triage policy raises it for value and customer tier. */
  readonly severity: Severity;
  readonly direction?: Direction;
  /** Minor units of `currency` at stake (order or fulfillment value), when the ledger knows it. */
  readonly value?: number;
  readonly currency?: string;
  readonly customerTier?: string;
}

export interface OrderDrift extends DriftCommon {
  readonly kind: 'orders';
  readonly class: 'missing_in_target' | 'missing_in_ledger' | 'status_mismatch' | 'quantity_mismatch' | 'duplicate_in_target';
  readonly fulfillmentId: string;
  readonly orderId?: string;
  readonly nodeId?: string;
  readonly ledger: FulfillmentExpectation | null;
  readonly target: OrdersTargetRow | null;
  /** Every copy, for duplicate_in_target (at most the stream's group limit). */
  readonly duplicates?: readonly OrdersTargetRow[];
}

export interface InventoryDrift extends DriftCommon {
  readonly kind: 'inventory';
  readonly class: 'missing_in_target' | 'missing_in_ledger' | 'inventory_drift' | 'duplicate_in_target';
  readonly nodeId: string;
  readonly sku: string;
  readonly ledger: PositionExpectation | null;
  readonly target: InventoryTargetRow | null;
  readonly duplicates?: readonly InventoryTargetRow[];
}

export interface PaymentDrift extends DriftCommon {
  readonly kind: 'payments';
  readonly class: 'missing_in_target' | 'missing_in_ledger' | 'amount_mismatch' | 'duplicate_in_target';
  readonly orderId: string;
  readonly ledger: PaymentExpectation | null;
  readonly target: PaymentsTargetRow | null;
  readonly findings?: readonly AmountFinding[];
  readonly duplicates?: readonly PaymentsTargetRow[];
}

/** The feed (key FEED_KEY), or one row that carries its own older timestamp, is older than allowed. */
export interface FeedDrift extends DriftCommon {
  readonly kind: ReconcileKind;
  readonly class: 'stale_feed';
  readonly nodeId?: string;
  readonly sku?: string;
  readonly ledger: { readonly maxAgeMinutes: number; readonly now: string };
  readonly target: { readonly asOf: string };
}

export type Drift = OrderDrift | InventoryDrift | PaymentDrift | FeedDrift;

/**
 * A difference a fact still on its way to the ledger can explain (the target is ahead and the
 * inbound grace has not run out, or the ledger's own checkpoint is newer than the snapshot). Not
 * raised; an open drift of the same class and key stays open rather than resolving.
 */
export interface Deferral {
  readonly type: 'deferral';
  readonly kind: ReconcileKind;
  readonly class: DriftClass;
  readonly key: string;
  readonly reason: string;
  /** When the grace ends and the difference becomes a drift, if it is still there. */
  readonly until?: string;
}

export type Finding = Drift | Deferral;

/** Shared by comparators: no finding (allocated once, never mutated). */
export const NO_FINDINGS: readonly Finding[] = Object.freeze([]);

/** The triage facts (value, currency, customer tier) a ledger entry carries, for a drift about it. */
export function stakes(entry: { readonly value?: number; readonly currency?: string; readonly customerTier?: string } | undefined): Pick<DriftCommon, 'value' | 'currency' | 'customerTier'> {
  if (entry === undefined) return {};
  return {
    ...(entry.value !== undefined ? { value: entry.value } : {}),
    ...(entry.currency !== undefined ? { currency: entry.currency } : {}),
    ...(entry.customerTier !== undefined ? { customerTier: entry.customerTier } : {}),
  };
}

export const formatRange = (r: Range): string => (r.min === r.max ? `${r.min}` : `${r.min}–${r.max}`);
