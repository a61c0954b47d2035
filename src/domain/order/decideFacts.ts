import type { BucketMove } from './buckets.js';
import { handBack, reservationsOf } from './decideCancel.js';
import type { ConflictKind, OrderEvent, ShipmentLine } from './events.js';
import { FULFILLMENT_STAGES } from './events.js';
import type { FactLine, OrderFact } from './facts.js';
import type { Fulfillment } from './fulfillment.js';
import { isOpenAtNode, openQuantity } from './fulfillment.js';
import type { Order } from './state.js';
import { answeredRequest } from './state.js';
import type { Result } from '../result.js';
import { assertNever, fail, invalid, ok } from '../result.js';

type Fact<T extends OrderFact['type']> = Extract<OrderFact, { type: T }>;

/**
 * Facts from systems of record (issue 5 §1, §7). A fact is never refused for the order's state:
 * what it says that fits the ledger is applied; what contradicts it is recorded whole in a
 * ConflictDetected event with the exception a human will work. A fact already applied (the same
 * shipment, acknowledgement or payment result again) decides no events: a duplicate.
 */
export function decideFact(order: Order, fact: OrderFact, exceptionId: string, now: string): Result<readonly OrderEvent[]> {
  const invalidLines = validateLines(fact);
  if (invalidLines) return invalidLines;
  const c = conflicts(fact, exceptionId);
  switch (fact.type) {
    case 'fulfillment.acknowledged':
      return withFulfillment(order, fact.fulfillmentId, (f) => acknowledged(order, f, fact, c, now));
    case 'fulfillment.progress':
      return withFulfillment(order, fact.fulfillmentId, (f) => progressed(f, fact, c, now));
    case 'fulfillment.shipped':
      return withFulfillment(order, fact.fulfillmentId, (f) => shipped(order, f, fact, c));
    case 'fulfillment.delivered':
      return withFulfillment(order, fact.fulfillmentId, (f) => delivered(order, f, fact, c));
    case 'fulfillment.cancellation_result':
      return withFulfillment(order, fact.fulfillmentId, (f) => cancellationResult(order, f, fact, c, now));
    case 'return.received':
      return returnReceived(order, fact, c, now);
    case 'payment.authorized':
      if (order.payment.authorizations.some((a) => a.authorizationId === fact.authorizationId)) return ok([]);
      return ok([{ type: 'PaymentAuthorized', data: { authorizationId: fact.authorizationId, amount: fact.amount } }]);
    case 'payment.authorization_failed': {
      if (fact.reference !== undefined && order.payment.settled.includes(fact.reference)) return ok([]);
      const events: OrderEvent[] = [{ type: 'PaymentAuthorizationFailed', data: { reason: fact.reason, ...(fact.reference !== undefined ? { reference: fact.reference } : {}) } }];
      if (!order.holds.some((h) => h.type === 'payment')) events.push({ type: 'OrderHeld', data: { holdType: 'payment', note: `authorization failed: ${fact.reason}`, at: now } });
      return ok(events);
    }
    case 'payment.captured':
    case 'payment.voided':
    case 'payment.refunded':
    case 'payment.failed':
      return paymentResult(order, fact, c, exceptionId);
    default:
      return assertNever(fact);
  }
}

/** Builds the one ConflictDetected a fact may produce (it carries the fact and the exception id). */
const conflicts =
  (fact: OrderFact, exceptionId: string) =>
  (kind: ConflictKind, detail: string, applied: boolean, suggestedActions: readonly string[], fulfillmentId?: string): OrderEvent => ({
    type: 'ConflictDetected',
    data: { kind, detail, fact, applied, exceptionId, suggestedActions, ...(fulfillmentId ? { fulfillmentId } : {}) },
  });
type Conflict = ReturnType<typeof conflicts>;

function withFulfillment(order: Order, fulfillmentId: string, decide: (f: Fulfillment) => OrderEvent[]): Result<readonly OrderEvent[]> {
  const f = order.fulfillments.find((x) => x.id === fulfillmentId);
  if (!f) return fail({ code: 'not_found', message: `order ${order.id} has no fulfillment ${fulfillmentId}` });
  return ok(decide(f));
}

function validateLines(fact: OrderFact): Result<never> | undefined {
  const lines: readonly FactLine[] = 'lines' in fact && fact.lines ? fact.lines : [];
  const errors = lines.flatMap((l, i) => [
    ...(!Number.isInteger(l.quantity) || l.quantity < 1 ? [{ path: `lines[${i}].quantity`, message: 'must be a whole number ≥ 1' }] : []),
    ...(l.lineId === undefined && l.sku === undefined ? [{ path: `lines[${i}]`, message: 'give lineId or sku' }] : []),
  ]);
  if ('amount' in fact && (!Number.isInteger(fact.amount) || fact.amount < 0)) errors.push({ path: 'amount', message: 'must be whole minor units ≥ 0' });
  return errors.length > 0 ? invalid('the fact is not valid', errors) : undefined;
}

/**
 * The node itself confirmed the fulfillment's cancellation: an acknowledgement or progress it sent
 * before that (delivered after it) says nothing new — the node's later word wins. A shipment would
 * still be a conflict.
 */
const cancelledByNode = (f: Fulfillment): boolean => f.rejected === undefined && f.status === 'cancelled' && (f.cancellations?.length ?? 0) > 0;

function acknowledged(order: Order, f: Fulfillment, fact: Fact<'fulfillment.acknowledged'>, c: Conflict, now: string): OrderEvent[] {
  if (cancelledByNode(f)) return [];
  if (f.rejected !== undefined || f.status === 'cancelled') {
    if (!fact.accepted) return []; // both sides agree it will not ship
    return [c('activity_after_cancel', `${f.nodeId} acknowledged ${f.id}, which is ${f.rejected !== undefined ? 'rejected and re-routed' : 'cancelled'}: the node may still ship it`, false, ['cancel', 'resync', 'resolve'], f.id)];
  }
  if (f.stage === 'allocated') {
    return [c('activity_after_cancel', `${f.nodeId} answered for ${f.id}, which was never released to it`, false, ['resync', 'resolve'], f.id)];
  }
  if (fact.accepted) return f.stage === 'released' ? [{ type: 'FulfillmentAcknowledged', data: { fulfillmentId: f.id, at: now } }] : [];
  const shippedAny = f.lines.some((l) => l.shipped > 0);
  if (shippedAny) return [c('activity_after_cancel', `${f.nodeId} rejected ${f.id} after shipping part of it`, false, ['resync', 'escalate'], f.id)];
  return [{ type: 'FulfillmentRejected', data: { fulfillmentId: f.id, nodeId: f.nodeId, reason: fact.reason ?? 'rejected', ...handBack(order, f), at: now } }];
}

/** How far a stage is along picked → packed → ready_for_pickup (-1 before picking). */
const stageRank = (stage: string): number => (FULFILLMENT_STAGES as readonly string[]).indexOf(stage);

function progressed(f: Fulfillment, fact: Fact<'fulfillment.progress'>, c: Conflict, now: string): OrderEvent[] {
  // A stage reported late or again (facts arrive out of order and twice) never takes the fulfillment back.
  if (isOpenAtNode(f)) return stageRank(fact.stage) <= stageRank(f.stage) ? [] : [{ type: 'FulfillmentProgressed', data: { fulfillmentId: f.id, stage: fact.stage, at: now } }];
  if (cancelledByNode(f)) return [];
  if (f.rejected !== undefined || f.status === 'cancelled') {
    return [c('activity_after_cancel', `${f.nodeId} reports ${f.id} ${fact.stage}, but it is ${f.rejected !== undefined ? 'rejected and re-routed' : 'cancelled'}`, false, ['cancel', 'resync', 'resolve'], f.id)];
  }
  return []; // progress reported after shipment: nothing left to record
}

/**
 * Resolves fact lines (by lineId, or by SKU within the candidates) to the candidates' lines,
 * summing repeats; SKU-only quantities are spread over the lines with that SKU in order.
 */
function resolveLines(candidates: readonly { lineId: string; sku: string; room: number }[], lines: readonly FactLine[]): { resolved: ShipmentLine[]; unknown: FactLine[] } {
  const totals = new Map<string, number>();
  const unknown: FactLine[] = [];
  for (const l of lines) {
    if (l.lineId !== undefined) {
      if (candidates.some((x) => x.lineId === l.lineId)) totals.set(l.lineId, (totals.get(l.lineId) ?? 0) + l.quantity);
      else unknown.push(l);
      continue;
    }
    const bySku = candidates.filter((x) => x.sku === l.sku);
    if (bySku.length === 0) {
      unknown.push(l);
      continue;
    }
    let left = l.quantity;
    for (const [i, x] of bySku.entries()) {
      const q = i === bySku.length - 1 ? left : Math.min(left, Math.max(0, x.room - (totals.get(x.lineId) ?? 0)));
      if (q > 0) totals.set(x.lineId, (totals.get(x.lineId) ?? 0) + q);
      left -= q;
    }
  }
  const resolved = candidates.filter((x) => totals.has(x.lineId)).map((x) => ({ lineId: x.lineId, sku: x.sku, quantity: totals.get(x.lineId)! }));
  return { resolved, unknown };
}

const describe = (lines: readonly FactLine[]): string => lines.map((l) => `${l.quantity} × ${l.lineId ?? l.sku}`).join(', ');
const sameLines = (a: readonly { lineId: string; quantity: number }[], b: readonly { lineId: string; quantity: number }[]): boolean =>
  a.length === b.length && a.every((x) => b.some((y) => y.lineId === x.lineId && y.quantity === x.quantity));

function shipped(order: Order, f: Fulfillment, fact: Fact<'fulfillment.shipped'>, c: Conflict): OrderEvent[] {
  const candidates = f.lines.map((l) => ({ lineId: l.lineId, sku: l.sku, room: f.stage === 'allocated' ? 0 : openQuantity(l) }));
  const { resolved, unknown } = resolveLines(candidates, fact.lines);
  const existing = f.shipments.find((s) => s.shipmentId === fact.shipmentId);
  if (existing) {
    if (unknown.length === 0 && sameLines(existing.lines, resolved)) return [];
    return [c('shipment_changed', `shipment ${fact.shipmentId} of ${f.id} was reported again with different lines (${describe(fact.lines)})`, false, ['resync', 'accept_external', 'resolve'], f.id)];
  }
  const applied: ShipmentLine[] = [];
  const excess: ShipmentLine[] = [];
  for (const r of resolved) {
    const room = candidates.find((x) => x.lineId === r.lineId)!.room;
    const q = Math.min(r.quantity, room);
    if (q > 0) applied.push({ ...r, quantity: q });
    if (r.quantity > q) excess.push({ ...r, quantity: r.quantity - q });
  }
  const events: OrderEvent[] = [];
  if (applied.length > 0) {
    events.push({
      type: 'ShipmentConfirmed',
      data: {
        fulfillmentId: f.id,
        nodeId: f.nodeId,
        shipmentId: fact.shipmentId,
        lines: applied,
        ...(fact.carrier !== undefined ? { carrier: fact.carrier } : {}),
        ...(fact.trackingNumber !== undefined ? { trackingNumber: fact.trackingNumber } : {}),
        ...(fact.packages ? { packages: fact.packages.map((p) => ({ ...(p.trackingNumber !== undefined ? { trackingNumber: p.trackingNumber } : {}), ...(p.lines ? { lines: resolveLines(candidates, p.lines).resolved.map((l) => ({ lineId: l.lineId, quantity: l.quantity })) } : {}) })) } : {}),
        shippedAt: fact.shippedAt,
        moves: applied.map((l) => ({ lineId: l.lineId, from: 'released', to: 'shipped', quantity: l.quantity })),
        commits: reservationsOf(order, f.id, applied),
      },
    });
    // Its delivery arrived first and waited: it is applied now.
    const held = f.heldDeliveries?.find((h) => h.shipmentId === fact.shipmentId);
    if (held) {
      events.push({
        type: 'DeliveryConfirmed',
        data: { fulfillmentId: f.id, shipmentId: fact.shipmentId, deliveredAt: held.deliveredAt, moves: applied.map((l) => ({ lineId: l.lineId, from: 'shipped', to: 'delivered', quantity: l.quantity })) },
      });
    }
  }
  if (excess.length > 0 || unknown.length > 0) {
    // A line cancelled whole at this fulfillment, or handed back when it was rejected or withdrawn,
    // is no longer among its lines: shipping it is still a shipment after cancel (it may ship twice).
    const orderLine = (l: FactLine) => order.lines.find((x) => (l.lineId !== undefined ? x.lineId === l.lineId : x.sku === l.sku));
    const cancelledHere = [...excess, ...unknown].some((e) => (orderLine(e)?.buckets.cancelled ?? 0) > 0);
    const takenBack = f.rejected !== undefined && [...excess, ...unknown].some((e) => orderLine(e) !== undefined);
    const parts = [
      ...(excess.length > 0 ? [`${describe(excess)} shipped beyond what ${f.id} holds open at ${f.nodeId}`] : []),
      ...(unknown.length > 0 ? [`lines not in ${f.id}: ${describe(unknown)}`] : []),
    ];
    const kind: ConflictKind = cancelledHere || takenBack ? 'shipment_after_cancel' : excess.length === 0 ? 'unknown_line' : 'over_shipment';
    const suggested = kind === 'shipment_after_cancel' ? ['accept_external', 'resolve', 'escalate'] : ['resync', 'accept_external', 'escalate'];
    events.push(c(kind, `${parts.join('; ')}${kind === 'shipment_after_cancel' ? ': the customer has goods that were cancelled — charge them (accept_external) or ask for a return' : ''}`, applied.length > 0, suggested, f.id));
  }
  return events;
}

/**
 * Moves of a delivery, never more than is still out (`shipped`: units returned before their delivery
 * was reported are not delivered). `taken` counts what earlier deliveries of the same decision moved.
 */
function deliveryMoves(order: Order, lines: readonly { lineId: string; quantity: number }[], taken: Map<string, number>): BucketMove[] {
  return lines.flatMap((l) => {
    const out = (order.lines.find((x) => x.lineId === l.lineId)?.buckets.shipped ?? 0) - (taken.get(l.lineId) ?? 0);
    const q = Math.min(l.quantity, out);
    if (q <= 0) return [];
    taken.set(l.lineId, (taken.get(l.lineId) ?? 0) + q);
    return [{ lineId: l.lineId, from: 'shipped' as const, to: 'delivered' as const, quantity: q }];
  });
}

function delivered(order: Order, f: Fulfillment, fact: Fact<'fulfillment.delivered'>, c: Conflict): OrderEvent[] {
  const taken = new Map<string, number>();
  const deliver = (shipmentId: string, lines: readonly { lineId: string; quantity: number }[]): OrderEvent => ({
    type: 'DeliveryConfirmed',
    data: { fulfillmentId: f.id, shipmentId, deliveredAt: fact.deliveredAt, moves: deliveryMoves(order, lines, taken) },
  });
  if (fact.shipmentId !== undefined) {
    const s = f.shipments.find((x) => x.shipmentId === fact.shipmentId);
    if (!s) {
      // A carrier's scan can overtake the node's shipment report: while the node still holds units
      // the delivery waits for its shipment, and is applied with it.
      if (isOpenAtNode(f)) {
        return f.heldDeliveries?.some((h) => h.shipmentId === fact.shipmentId)
          ? []
          : [{ type: 'DeliveryHeld', data: { fulfillmentId: f.id, shipmentId: fact.shipmentId, deliveredAt: fact.deliveredAt } }];
      }
      return [c('unknown_shipment', `a delivery of shipment ${fact.shipmentId}, which ${f.id} never reported shipped`, false, ['resync', 'resolve'], f.id)];
    }
    return s.deliveredAt !== undefined ? [] : [deliver(s.shipmentId, s.lines)];
  }
  const pending = f.shipments.filter((s) => s.deliveredAt === undefined);
  if (pending.length > 0) return pending.map((s) => deliver(s.shipmentId, s.lines));
  // Every shipment is delivered: this is that delivery again (a fact without a shipment id says no
  // more), not a collection of units still open — a retry must not ship what the node still holds.
  if (f.shipments.length > 0) return [];
  // A pickup collected (or a delivery with no shipment before it): what is open ships and is delivered at once.
  const open = f.stage === 'allocated' ? [] : f.lines.filter((l) => openQuantity(l) > 0).map((l) => ({ lineId: l.lineId, sku: l.sku, quantity: openQuantity(l) }));
  if (open.length === 0) return [c('unknown_shipment', `a delivery for ${f.id}, which holds nothing to deliver`, false, ['resync', 'resolve'], f.id)];
  const shipmentId = `${f.id}-collected`;
  return [
    {
      type: 'ShipmentConfirmed',
      data: {
        fulfillmentId: f.id,
        nodeId: f.nodeId,
        shipmentId,
        lines: open,
        shippedAt: fact.deliveredAt,
        moves: open.map((l) => ({ lineId: l.lineId, from: 'released', to: 'shipped', quantity: l.quantity })),
        commits: reservationsOf(order, f.id, open),
      },
    },
    {
      type: 'DeliveryConfirmed',
      data: { fulfillmentId: f.id, shipmentId, deliveredAt: fact.deliveredAt, moves: open.map((l) => ({ lineId: l.lineId, from: 'shipped', to: 'delivered', quantity: l.quantity })) },
    },
  ];
}

function cancellationResult(order: Order, f: Fulfillment, fact: Fact<'fulfillment.cancellation_result'>, c: Conflict, now: string): OrderEvent[] {
  const request = f.cancelRequest;
  if (!request) {
    if (fact.outcome === 'refused' || !isOpenAtNode(f)) return [];
    return [c('unexpected_cancellation_result', `${f.nodeId} reports ${f.id} cancelled, but no cancellation was asked: its units may not ship`, false, ['resync', 'cancel', 'escalate'], f.id)];
  }
  if (fact.outcome === 'refused') return [{ type: 'CancellationRefused', data: { fulfillmentId: f.id, nodeId: f.nodeId, reason: fact.reason ?? 'refused' } }];
  const candidates = f.lines.map((l) => ({ lineId: l.lineId, sku: l.sku, room: openQuantity(l) }));
  const asked = fact.lines ? resolveLines(candidates, fact.lines).resolved : request.lines.map((l) => ({ lineId: l.lineId, sku: f.lines.find((x) => x.lineId === l.lineId)?.sku ?? '', quantity: l.quantity }));
  const lines = asked.flatMap((l) => {
    const q = Math.min(l.quantity, candidates.find((x) => x.lineId === l.lineId)?.room ?? 0);
    return q > 0 ? [{ ...l, quantity: q }] : [];
  });
  const events: OrderEvent[] = [];
  if (lines.length > 0) {
    events.push({
      type: 'FulfillmentCancelled',
      data: {
        fulfillmentId: f.id,
        nodeId: f.nodeId,
        lines,
        reason: request.reason,
        moves: lines.map((l) => ({ lineId: l.lineId, from: 'released', to: 'cancelled', quantity: l.quantity })),
        releases: reservationsOf(order, f.id, lines),
        at: now,
      },
    });
  } else {
    events.push({ type: 'CancellationRefused', data: { fulfillmentId: f.id, nodeId: f.nodeId, reason: 'nothing left open to cancel' } });
  }
  const short = asked.reduce((s, l) => s + l.quantity, 0) - lines.reduce((s, l) => s + l.quantity, 0);
  if (short > 0) events.push(c('unexpected_cancellation_result', `${f.nodeId} reports ${short} unit(s) of ${f.id} cancelled that had already shipped or were not asked`, lines.length > 0, ['resync', 'escalate'], f.id));
  return events;
}

function returnReceived(order: Order, fact: Fact<'return.received'>, c: Conflict, now: string): Result<readonly OrderEvent[]> {
  const r = order.returns.find((x) => x.returnId === fact.returnId);
  if (!r) return fail({ code: 'not_found', message: `order ${order.id} has no return ${fact.returnId}` });
  const candidates = r.lines.map((l) => ({ lineId: l.lineId, sku: l.sku, room: l.quantity - l.received }));
  const byDisposition = (['restock', 'damaged'] as const).map((d) => ({ d, ...resolveLines(candidates, fact.lines.filter((l) => l.disposition === d)) }));
  const room = new Map(candidates.map((x) => [x.lineId, x.room]));
  const lines: (ShipmentLine & { disposition: 'restock' | 'damaged' })[] = [];
  const excess: FactLine[] = [];
  for (const { d, resolved, unknown } of byDisposition) {
    excess.push(...unknown);
    for (const l of resolved) {
      const q = Math.min(l.quantity, room.get(l.lineId) ?? 0);
      room.set(l.lineId, (room.get(l.lineId) ?? 0) - q);
      if (q > 0) lines.push({ ...l, quantity: q, disposition: d });
      if (l.quantity > q) excess.push({ lineId: l.lineId, quantity: l.quantity - q });
    }
  }
  const events: OrderEvent[] = [];
  if (lines.length > 0) {
    const moves: BucketMove[] = [];
    const taken = new Map<string, { delivered: number; shipped: number }>();
    for (const l of lines) {
      const b = order.lines.find((x) => x.lineId === l.lineId)!.buckets;
      const t = taken.get(l.lineId) ?? { delivered: 0, shipped: 0 };
      const fromDelivered = Math.min(l.quantity, b.delivered - t.delivered);
      const fromShipped = Math.min(l.quantity - fromDelivered, b.shipped - t.shipped);
      if (fromDelivered > 0) moves.push({ lineId: l.lineId, from: 'delivered', to: 'returned', quantity: fromDelivered });
      if (fromShipped > 0) moves.push({ lineId: l.lineId, from: 'shipped', to: 'returned', quantity: fromShipped });
      taken.set(l.lineId, { delivered: t.delivered + fromDelivered, shipped: t.shipped + fromShipped });
    }
    events.push({
      type: 'ReturnReceived',
      data: {
        returnId: r.returnId,
        nodeId: fact.nodeId,
        lines,
        moves,
        restock: lines.filter((l) => l.disposition === 'restock').map((l) => ({ nodeId: fact.nodeId, sku: l.sku, quantity: l.quantity })),
        at: now,
      },
    });
  }
  if (excess.length > 0) events.push(c('return_over_receipt', `received more than return ${r.returnId} authorized: ${describe(excess)}`, lines.length > 0, ['accept_external', 'resolve', 'escalate']));
  return ok(events);
}

function paymentResult(
  order: Order,
  fact: Fact<'payment.captured' | 'payment.voided' | 'payment.refunded' | 'payment.failed'>,
  c: Conflict,
  exceptionId: string,
): Result<readonly OrderEvent[]> {
  const p = order.payment;
  if (p.settled.includes(fact.reference)) return ok([]);
  const operation = fact.type === 'payment.failed' ? fact.operation : fact.type === 'payment.captured' ? 'capture' : fact.type === 'payment.voided' ? 'void' : 'refund';
  const events: OrderEvent[] = [];
  switch (fact.type) {
    case 'payment.captured':
      events.push({ type: 'PaymentCaptured', data: { captureId: fact.captureId, amount: fact.amount, reference: fact.reference } });
      break;
    case 'payment.voided':
      events.push({ type: 'PaymentVoided', data: { amount: fact.amount, reference: fact.reference } });
      break;
    case 'payment.refunded':
      events.push({ type: 'RefundIssued', data: { refundId: fact.refundId, amount: fact.amount, reference: fact.reference } });
      break;
    case 'payment.failed':
      // The exception raised for it is the fact's own; no ConflictDetected besides.
      return ok([{ type: 'PaymentOperationFailed', data: { operation: fact.operation, amount: fact.amount, reference: fact.reference, reason: fact.reason, exceptionId } }]);
  }
  // Under channel payments the channel moves the money; Orderly records what it is told. Under
  // gateway payments a result that is not what was asked (more, less, or never asked) is a conflict;
  // the request counts as answered, so what is still owed is asked again rather than awaited forever.
  const asked = answeredRequest(p, operation, fact.reference);
  if (order.paymentMode === 'gateway' && asked?.amount !== fact.amount) {
    const expected = asked ? `${asked.amount} was asked` : 'no such request is awaited';
    events.push(c('payment_unexpected', `the gateway reports a ${operation} of ${fact.amount} (${fact.reference}) but ${expected}`, true, ['resync', 'resolve', 'escalate']));
  }
  return ok(events);
}
