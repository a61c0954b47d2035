import type { Checkpoint } from './checkpoint.js';
import { factKnowledge } from './checkpoint.js';
import type { AmountFinding, Finding, MoneyField, PaymentDrift, PaymentExpectation, PaymentsTargetRow, Severity } from './drift.js';
import { NO_FINDINGS, formatRange, stakes } from './drift.js';
import type { OrderGoods } from './paymentExpectationPolicy.js';
import type { CompareContext } from './reconcilePolicy.js';

/**
 * An order's money as the ledger knows it, for a `payments` run against a gateway: one per order
 * with payment activity in the compared range, sorted by orderId.
 */
export interface LedgerPayment {
  readonly orderId: string;
  /** The gateway connector: the target whose snapshots should list this order. */
  readonly target: string;
  readonly currency: string;
  /** Totals now, as the gateway confirmed them: `authorized` net of voids and expiries. */
  readonly authorized: number;
  readonly captured: number;
  readonly refunded: number;
  /**
   * The gateway-confirmed changes behind those totals: at least every one that occurred after the
   * snapshot's asOf less the clock skew (older ones may be left out).
   */
  readonly changes?: readonly MoneyChange[];
  /** The order's goods now: what the money should match (see PaymentExpectationPolicy). */
  readonly goods: OrderGoods;
  /** When goods last moved (shipped, cancelled, returned): money may lag by the settlement grace. */
  readonly goodsChangedAt?: string;
  readonly value?: number;
  readonly customerTier?: string;
}

export interface MoneyChange {
  readonly type: 'authorized' | 'voided' | 'captured' | 'refunded';
  /** Minor units, positive. */
  readonly amount: number;
  /** When it happened at the gateway (its clock, like the snapshot's asOf). */
  readonly occurredAt: string;
}

const FIELDS: readonly MoneyField[] = ['authorized', 'captured', 'refunded'];

/** The ledger's amounts at the checkpoint (ranges), now, and as the goods say they should be. */
export function expectPayment(p: LedgerPayment, cp: Checkpoint, ctx: Pick<CompareContext, 'policy'>): PaymentExpectation {
  const lo = { authorized: p.authorized, captured: p.captured, refunded: p.refunded };
  const hi = { ...lo };
  for (const c of p.changes ?? []) {
    const k = factKnowledge(c.occurredAt, cp);
    if (k === 'known') continue;
    const field: MoneyField = c.type === 'voided' ? 'authorized' : c.type;
    const delta = c.type === 'voided' ? -c.amount : c.amount;
    // Not yet at the gateway at the checkpoint: take it back out; perhaps: either way.
    if (k === 'unknown' || delta > 0) lo[field] -= delta;
    if (k === 'unknown' || delta < 0) hi[field] -= delta;
  }
  return {
    currency: p.currency,
    asOfCheckpoint: {
      authorized: { min: lo.authorized, max: hi.authorized },
      captured: { min: lo.captured, max: hi.captured },
      refunded: { min: lo.refunded, max: hi.refunded },
    },
    now: { authorized: p.authorized, captured: p.captured, refunded: p.refunded },
    dueFromGoods: ctx.policy.payments.dueFromGoods(p.goods),
  };
}

/**
 * Compares one order's money: the gateway's totals against the ledger's at the checkpoint, and the
 * ledger's against what its goods say is due. All disagreements of an order make one
 * `amount_mismatch`; while every one of them can still be explained (a fact in flight from the
 * gateway, a capture or refund or void that normally follows the goods) it is a deferral.
 */
export function comparePayment(ledger: LedgerPayment | undefined, rows: readonly PaymentsTargetRow[], ctx: CompareContext): readonly Finding[] {
  const row = rows[0];
  const target = ctx.snapshot.target;
  if (ledger === undefined) {
    if (row === undefined || (row.authorized === 0 && row.captured === 0 && row.refunded === 0)) return NO_FINDINGS;
    return [{ ...base(row.orderId, 'missing_in_ledger', undefined, null, row), severity: 'high', detail: `${target} holds payments for ${row.orderId}, unknown to the ledger` }];
  }
  const cp = ctx.checkpoint;
  const expected = expectPayment(ledger, cp, ctx);
  const out: Finding[] = [];
  if (rows.length > 1) {
    out.push({ ...base(ledger.orderId, 'duplicate_in_target', ledger, expected, row ?? null), severity: 'high', duplicates: rows.slice(), detail: `${target} lists ${ledger.orderId} ${rows.length} times` });
  }
  const findings: AmountFinding[] = [];
  let explained = true;
  let severity: Severity = 'high';
  if (row === undefined) {
    if (FIELDS.some((f) => expected.asOfCheckpoint[f].min > 0)) {
      out.push({ ...base(ledger.orderId, 'missing_in_target', ledger, expected, null), severity: 'high', direction: 'target_behind', detail: `${target} has no payments for ${ledger.orderId}` });
    }
  } else {
    if (row.currency !== undefined && row.currency !== ledger.currency) {
      findings.push({ source: 'target', field: 'currency', direction: 'diverged', detail: `currency at ${target} ${row.currency}, ledger ${ledger.currency}` });
      explained = false;
    }
    for (const field of FIELDS) {
      const r = expected.asOfCheckpoint[field];
      const t = row[field];
      if (t >= r.min && t <= r.max) continue;
      // Authorizations move both ways unseen (expiry, re-authorization); captures and refunds only grow.
      const direction = field === 'authorized' || t > r.max ? 'target_ahead' : 'target_behind';
      findings.push({ source: 'target', field, direction, detail: `${field} at ${target} ${t}, ledger ${formatRange(r)} as of ${cp.asOf.iso}` });
      if (direction === 'target_behind') severity = 'critical';
      if (direction !== 'target_ahead' || !cp.inGrace) explained = false;
    }
  }
  const settledBy = ledger.goodsChangedAt === undefined ? NaN : Date.parse(ledger.goodsChangedAt) + cp.timing.settlementGraceMs;
  const settling = cp.now.ms < settledBy;
  let until = findings.length > 0 ? cp.graceUntil.ms : -Infinity;
  for (const field of FIELDS) {
    const money = expected.now[field];
    const due = expected.dueFromGoods[field];
    if (money === due) continue;
    const owed = owedBy(field, money, due);
    findings.push({ source: 'goods', field, ...(owed ? { owed } : {}), detail: `${field} ${money}, goods say ${due}${owed ? ` (${owed} owed)` : ''}` });
    if (!owed) severity = 'critical';
    if (!owed || !settling) explained = false;
    until = Math.max(until, settledBy);
  }
  if (findings.length > 0) {
    if (explained) {
      const reason = findings.map((f) => f.detail).join('; ');
      out.push({ type: 'deferral', kind: 'payments', class: 'amount_mismatch', key: ledger.orderId, reason, until: new Date(until).toISOString() });
    } else {
      out.push({ ...base(ledger.orderId, 'amount_mismatch', ledger, expected, row ?? null), severity, findings, detail: findings.map((f) => f.detail).join('; ') });
    }
  }
  return out.length === 0 ? NO_FINDINGS : out;
}

/** The operation that normally follows the goods and would settle the difference, if any. */
function owedBy(field: MoneyField, money: number, due: number): 'capture' | 'refund' | 'void' | undefined {
  if (field === 'captured') return money < due ? 'capture' : undefined;
  if (field === 'refunded') return money < due ? 'refund' : undefined;
  return money > due ? 'void' : undefined;
}

function base(
  orderId: string,
  cls: PaymentDrift['class'],
  ledger: LedgerPayment | undefined,
  expected: PaymentExpectation | null,
  row: PaymentsTargetRow | null,
): Omit<PaymentDrift, 'detail' | 'severity'> {
  return {
    type: 'drift',
    kind: 'payments',
    class: cls,
    key: orderId,
    orderId,
    ...stakes(ledger),
    ledger: expected,
    target: row,
  };
}
