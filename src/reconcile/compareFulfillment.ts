import type { Checkpoint, Instant } from './checkpoint.js';
import { instant } from './checkpoint.js';
import type {
  Deferral,
  Direction,
  Finding,
  FulfillmentExpectation,
  OrderDrift,
  OrdersTargetRow,
  Severity,
  TargetFulfillmentStatus,
} from './drift.js';
import { NO_FINDINGS, formatRange, stakes } from './drift.js';
import type { LedgerFulfillment } from './expectFulfillment.js';
import { expectFulfillment } from './expectFulfillment.js';
import type { CompareContext } from './reconcilePolicy.js';

/**
 * Compares one fulfillment: the ledger's (undefined when the ledger has none under this key) with
 * the target's rows for the same fulfillmentId (none, one, or duplicates). At most one drift per
 * class. `rows` may be a buffer the caller reuses: whatever is kept is copied.
 */
export function compareFulfillment(ledger: LedgerFulfillment | undefined, rows: readonly OrdersTargetRow[], ctx: CompareContext): readonly Finding[] {
  const row = rows[0];
  if (ledger === undefined) {
    if (row === undefined) return NO_FINDINGS;
    return [
      {
        ...base('missing_in_ledger', row.fulfillmentId, undefined, null, row),
        detail: `${ctx.snapshot.target} holds fulfillment ${row.fulfillmentId} (${row.status}), unknown to the ledger`,
        severity: 'medium',
        ...(rows.length > 1 ? { duplicates: rows.slice() } : {}),
      },
    ];
  }
  const cp = ctx.checkpoint;
  const expected = expectFulfillment(ledger, cp, ctx.snapshot.scope === 'open_only');
  if (row === undefined) {
    if (expected.presence !== 'required') return NO_FINDINGS;
    const explained = missingExplainedUntil(ledger, cp, ctx.snapshot.scope === 'open_only');
    if (explained !== undefined && cp.now.ms < explained.until.ms) {
      const reason = `absent at ${ctx.snapshot.target}: ${explained.why}`;
      return [{ type: 'deferral', kind: 'orders', class: 'missing_in_target', key: ledger.fulfillmentId, reason, until: explained.until.iso }];
    }
    return [
      {
        ...base('missing_in_target', ledger.fulfillmentId, ledger, expected, null),
        detail: `${ctx.snapshot.target} does not hold fulfillment ${ledger.fulfillmentId} of ${ledger.orderId}, released to ${ledger.nodeId} before ${cp.asOf.iso}`,
        severity: 'high',
        direction: 'target_behind',
      },
    ];
  }
  const out: Finding[] = [];
  if (rows.length > 1) {
    out.push({
      ...base('duplicate_in_target', ledger.fulfillmentId, ledger, expected, row),
      detail: `${ctx.snapshot.target} holds fulfillment ${ledger.fulfillmentId} ${rows.length} times: it may ship twice`,
      severity: 'high',
      duplicates: rows.slice(),
    });
  }
  if (expected.presence === 'absent') {
    out.push({
      ...base('status_mismatch', ledger.fulfillmentId, ledger, expected, row),
      detail: `${ctx.snapshot.target} holds fulfillment ${ledger.fulfillmentId} (${row.status}), which the ledger had not sent as of ${cp.asOf.iso}`,
      severity: 'medium',
      direction: 'diverged',
    });
    return out;
  }
  // One drift per cause: a status that differs carries its line differences in its detail.
  const lines = lineDifferences(expected, row);
  if (!expected.statuses.includes(row.status)) {
    const statusDir = statusDirection(expected.statuses, row.status);
    const direction = lines === undefined || lines.direction === statusDir ? statusDir : 'diverged';
    const detail = `status at ${ctx.snapshot.target} is ${row.status}; the ledger expects ${expected.statuses.join(' or ')}${lines ? `; ${lines.detail}` : ''}`;
    const severity: Severity = statusDir === 'diverged' ? 'critical' : direction === 'target_ahead' ? 'medium' : 'high';
    out.push(judge('status_mismatch', direction, cp, ledger, expected, row, detail, severity));
  } else if (lines !== undefined) {
    const severity: Severity = lines.direction === 'target_ahead' ? 'medium' : 'high';
    out.push(judge('quantity_mismatch', lines.direction, cp, ledger, expected, row, lines.detail, severity));
  }
  return out.length === 0 ? NO_FINDINGS : out;
}

type OrderClass = OrderDrift['class'];

function base(
  cls: OrderClass,
  fulfillmentId: string,
  ledger: LedgerFulfillment | undefined,
  expected: FulfillmentExpectation | null,
  row: OrdersTargetRow | null,
): Omit<OrderDrift, 'detail' | 'severity'> {
  return {
    type: 'drift',
    kind: 'orders',
    class: cls,
    key: fulfillmentId,
    fulfillmentId,
    ...(ledger !== undefined ? { orderId: ledger.orderId, nodeId: ledger.nodeId } : {}),
    ...stakes(ledger),
    ledger: expected,
    target: row,
  };
}

/** A target-ahead difference is a fact on its way to the ledger while the inbound grace lasts. */
function judge(
  cls: OrderClass,
  direction: Direction,
  cp: Checkpoint,
  ledger: LedgerFulfillment,
  expected: FulfillmentExpectation,
  row: OrdersTargetRow,
  detail: string,
  severity: Severity,
): Finding {
  if (direction === 'target_ahead' && cp.inGrace) {
    const deferral: Deferral = { type: 'deferral', kind: 'orders', class: cls, key: ledger.fulfillmentId, reason: `${detail} (a fact may be in flight)`, until: cp.graceUntil.iso };
    return deferral;
  }
  return { ...base(cls, ledger.fulfillmentId, ledger, expected, row), detail, severity, direction };
}

/**
 * Facts that would explain an absence may still be on their way: the node's refusal of the release
 * (until the inbound grace after the release reached it, when the ledger has no answer yet), or —
 * in an open-only snapshot — whatever finished the fulfillment there (until the grace after asOf).
 */
function missingExplainedUntil(ledger: LedgerFulfillment, cp: Checkpoint, openOnly: boolean): { until: Instant; why: string } | undefined {
  let sent: string | undefined;
  let answered = false;
  for (const ch of ledger.history) {
    if (ch.type === 'acknowledged') answered = true;
    if (ch.type === 'released') sent = ch.deliveredAt ?? ch.sentAt;
  }
  const ms = sent === undefined || answered ? NaN : Date.parse(sent) + cp.timing.inboundGraceMs;
  const rejection = Number.isNaN(ms) ? undefined : { until: instant(ms), why: 'its rejection may be on its way' };
  const finished = openOnly ? { until: cp.graceUntil, why: 'it may have finished there, the fact on its way' } : undefined;
  if (rejection === undefined) return finished;
  return finished === undefined || rejection.until.ms >= finished.until.ms ? rejection : finished;
}

function statusDirection(expected: readonly TargetFulfillmentStatus[], actual: TargetFulfillmentStatus): Direction {
  if (actual === 'open') return 'target_behind';
  return expected.includes('open') ? 'target_ahead' : 'diverged';
}

/**
 * Per line: shipped beyond the ledger's range is ahead (a shipment not yet received), short of it
 * behind; held quantity below the range is ahead (a cancellation not yet received), above it
 * behind. A line missing from the row, or unknown to the ledger, diverges. A row the target shows
 * cancelled is judged on shipped units only: targets differ in what quantity a cancelled line keeps.
 */
function lineDifferences(expected: FulfillmentExpectation, row: OrdersTargetRow): { direction: Direction; detail: string } | undefined {
  const checkHeld = row.status !== 'cancelled';
  let ahead = false;
  let behind = false;
  let diverged = false;
  const notes: string[] = [];
  for (const e of expected.lines) {
    const t = row.lines.find((l) => l.lineId === e.lineId);
    if (t === undefined) {
      if (checkHeld && e.quantity.max > 0) {
        diverged = true;
        notes.push(`line ${e.lineId} missing at the target (ledger holds ${formatRange(e.quantity)})`);
      }
      continue;
    }
    if (t.shipped > e.shipped.max || t.shipped < e.shipped.min) {
      if (t.shipped > e.shipped.max) ahead = true;
      else behind = true;
      notes.push(`line ${e.lineId} shipped ${t.shipped}, ledger ${formatRange(e.shipped)}`);
    }
    if (checkHeld && (t.quantity < e.quantity.min || t.quantity > e.quantity.max)) {
      if (t.quantity < e.quantity.min) ahead = true;
      else behind = true;
      notes.push(`line ${e.lineId} quantity ${t.quantity}, ledger ${formatRange(e.quantity)}`);
    }
  }
  for (const t of row.lines) {
    if ((t.quantity > 0 || t.shipped > 0) && !expected.lines.some((e) => e.lineId === t.lineId)) {
      diverged = true;
      notes.push(`line ${t.lineId} unknown to the ledger`);
    }
  }
  if (notes.length === 0) return undefined;
  const direction: Direction = diverged || (ahead && behind) ? 'diverged' : ahead ? 'target_ahead' : 'target_behind';
  return { direction, detail: notes.join('; ') };
}
