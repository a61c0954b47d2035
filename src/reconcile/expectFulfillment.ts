import type { Checkpoint, Knowledge } from './checkpoint.js';
import { factKnowledge, sendKnowledge, strongest } from './checkpoint.js';
import type { FulfillmentExpectation, LineExpectation, TargetFulfillmentStatus } from './drift.js';

/**
 * A fulfillment as the ledger knows it, produced from the store for an `orders` run: one per
 * fulfillment whose node the snapshot's target serves, sorted by fulfillmentId.
 */
export interface LedgerFulfillment {
  readonly fulfillmentId: string;
  readonly orderId: string;
  readonly nodeId: string;
  /** The connector the node uses: the target whose snapshots should list this fulfillment. */
  readonly target: string;
  /** Units released to the node per line, before any cancellation or shipment. */
  readonly lines: readonly { readonly lineId: string; readonly sku: string; readonly quantity: number }[];
  /** Every change the target takes part in, as recorded (order does not matter beyond that). */
  readonly history: readonly FulfillmentChange[];
  /** Minor units at stake (the fulfillment's or the order's value), its currency and the customer's tier: for triage. */
  readonly value?: number;
  readonly currency?: string;
  readonly customerTier?: string;
}

export interface ChangeLine {
  readonly lineId: string;
  readonly quantity: number;
}

/**
 * `at` is when the ledger recorded the change. Outbound messages (`released`) carry when the
 * outbox first sent them and when the target confirmed receipt; either is absent while not yet
 * so. Facts from the target carry `occurredAt`, the target's own time for it (shippedAt, the time
 * of the cancellation result …), which defaults to `at`.
 */
export type FulfillmentChange =
  | { readonly type: 'released'; readonly at: string; readonly sentAt?: string; readonly deliveredAt?: string }
  /** The node's acknowledgement: proof it holds the fulfillment (`accepted`) or refused it (rejected: it may hold nothing). */
  | { readonly type: 'acknowledged'; readonly at: string; readonly occurredAt?: string; readonly accepted: boolean }
  | { readonly type: 'shipped'; readonly at: string; readonly occurredAt?: string; readonly lines: readonly ChangeLine[] }
  /**
   * Units cancelled: confirmed by the node (its cancellation result), or by the ledger alone
   * before the release reached the node. A cancellation merely requested changes nothing at the
   * target until its result, so requests need not be listed.
   */
  | { readonly type: 'cancelled'; readonly at: string; readonly occurredAt?: string; readonly lines: readonly ChangeLine[] };

/**
 * What the target should hold for `f` at the checkpoint, as ranges: a change the target may or may
 * not have seen (within the clock skew, or an unconfirmed send) widens them.
 * `openOnly`: the snapshot lists open work only, so a finished fulfillment may be absent.
 */
export function expectFulfillment(f: LedgerFulfillment, cp: Checkpoint, openOnly = false): FulfillmentExpectation {
  const n = f.lines.length;
  const qLo: number[] = [];
  const qHi: number[] = [];
  const sLo: number[] = [];
  const sHi: number[] = [];
  for (const l of f.lines) {
    qLo.push(l.quantity);
    qHi.push(l.quantity);
    sLo.push(0);
    sHi.push(0);
  }
  let held: Knowledge = 'unknown';
  let rejected: Knowledge = 'unknown';
  let uncertain = false;
  for (const ch of f.history) {
    if (ch.type === 'released') {
      held = strongest(held, sendKnowledge(ch.sentAt, ch.deliveredAt, cp));
      continue;
    }
    const k = factKnowledge(ch.occurredAt ?? ch.at, cp);
    if (k === 'unknown') continue;
    if (k === 'maybe') uncertain = true;
    if (ch.type === 'acknowledged') {
      held = strongest(held, k);
      if (!ch.accepted) rejected = strongest(rejected, k);
      continue;
    }
    for (const cl of ch.lines) {
      const i = lineIndex(f, cl.lineId);
      if (i < 0) continue; // a line the fulfillment does not have: the store's problem, not the target's
      if (ch.type === 'shipped') {
        sHi[i] = sHi[i]! + cl.quantity;
        if (k === 'known') sLo[i] = sLo[i]! + cl.quantity;
      } else {
        qLo[i] = qLo[i]! - cl.quantity;
        if (k === 'known') qHi[i] = qHi[i]! - cl.quantity;
      }
    }
  }
  // A node that refused the fulfillment holds nothing of it (or shows it cancelled).
  if (rejected !== 'unknown') {
    for (let i = 0; i < n; i++) {
      qLo[i] = 0;
      if (rejected === 'known') qHi[i] = 0;
    }
  }
  const statuses = uncertain ? statusSet(qLo, qHi, sLo, sHi) : [fulfillmentStatus(qHi, sLo)];
  let presence: FulfillmentExpectation['presence'] = held === 'known' ? 'required' : held === 'maybe' ? 'optional' : 'absent';
  if (presence === 'required' && (rejected !== 'unknown' || (openOnly && statuses.some((s) => s !== 'open')))) presence = 'optional';
  const lines: LineExpectation[] = f.lines.map((l, i) => ({
    lineId: l.lineId,
    sku: l.sku,
    quantity: { min: Math.max(0, qLo[i]!), max: Math.max(0, qHi[i]!) },
    shipped: { min: sLo[i]!, max: sHi[i]! },
  }));
  return { presence, statuses, lines };
}

function lineIndex(f: LedgerFulfillment, lineId: string): number {
  for (let i = 0; i < f.lines.length; i++) if (f.lines[i]!.lineId === lineId) return i;
  return -1;
}

/**
 * The target's status for a view of the lines: `cancelled` when nothing is held, `shipped` when
 * everything held has shipped, else `open`.
 */
export function fulfillmentStatus(quantity: readonly number[], shipped: readonly number[]): TargetFulfillmentStatus {
  let held = false;
  let allShipped = true;
  for (let i = 0; i < quantity.length; i++) {
    const q = quantity[i]!;
    if (q > 0) held = true;
    if ((shipped[i] ?? 0) < q) allShipped = false;
  }
  if (!held) return 'cancelled';
  return allShipped ? 'shipped' : 'open';
}

// The four corners of the ranges (least and most cancelled × least and most shipped) bound the statuses.
function statusSet(qLo: number[], qHi: number[], sLo: number[], sHi: number[]): TargetFulfillmentStatus[] {
  const out: TargetFulfillmentStatus[] = [fulfillmentStatus(qHi, sLo)];
  for (const s of [fulfillmentStatus(qLo, sLo), fulfillmentStatus(qHi, sHi), fulfillmentStatus(qLo, sHi)]) {
    if (!out.includes(s)) out.push(s);
  }
  return out;
}
