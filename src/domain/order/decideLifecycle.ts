import type { OrderCommand } from './commands.js';
import { handBack } from './decideCancel.js';
import type { OrderEvent, ShipmentLine } from './events.js';
import type { Fulfillment } from './fulfillment.js';
import { paymentRequests, paymentSettled, releaseBlocker } from './payments.js';
import type { Order } from './state.js';
import type { FieldError, Result } from '../result.js';
import { illegal, invalid, ok } from '../result.js';

type Cmd<T extends OrderCommand['type']> = Extract<OrderCommand, { type: T }>;

const base = (orderId: string): string => orderId.replace(/^ord_/, '');

/** Hands allocated fulfillments to their nodes, unless a hold or missing payment blocks the order. */
export function decideRelease(order: Order, command: Cmd<'ReleaseFulfillments'>): Result<readonly OrderEvent[]> {
  const candidates = order.fulfillments.filter(
    (f) => f.stage === 'allocated' && f.status !== 'cancelled' && (!command.fulfillmentIds || command.fulfillmentIds.includes(f.id)),
  );
  if (candidates.length === 0) return illegal('nothing is allocated and waiting to be released');
  const blocker = releaseBlocker(order);
  if (blocker) return illegal(`cannot release: ${blocker}`);
  return ok(
    candidates.map((f) => ({
      type: 'FulfillmentReleased' as const,
      data: {
        fulfillmentId: f.id,
        nodeId: f.nodeId,
        moves: f.lines.map((l) => ({ lineId: l.lineId, from: 'allocated' as const, to: 'released' as const, quantity: l.quantity })),
        at: command.now,
      },
    })),
  );
}

/** Released to a node, nothing shipped, not rejected or cancelled: Orderly may take it back. */
export const withdrawable = (f: Fulfillment): boolean =>
  f.stage !== 'allocated' && f.rejected === undefined && f.status !== 'cancelled' && f.lines.every((l) => l.shipped === 0);

/**
 * Withdraws a released fulfillment nothing of which has shipped (the node did not acknowledge it
 * in time, or an operator re-routes away from the node): its units go
 * back to `unallocated` (to be routed elsewhere) and the node is told to cancel it. Should the
 * node act on it anyway, its late facts are conflicts, never double counts.
 */
export function decideWithdraw(order: Order, command: Cmd<'WithdrawFulfillment'>): Result<readonly OrderEvent[]> {
  const f = order.fulfillments.find((x) => x.id === command.fulfillmentId);
  if (!f) return invalid('no such fulfillment', [{ path: 'fulfillmentId', message: `the order has no fulfillment ${command.fulfillmentId}` }]);
  if (!withdrawable(f)) return illegal(`${f.id} is ${f.status}: only a released fulfillment nothing of which has shipped can be withdrawn`);
  return ok([{ type: 'FulfillmentRejected', data: { fulfillmentId: f.id, nodeId: f.nodeId, reason: command.reason, withdrawn: true, ...handBack(order, f), at: command.now } }]);
}

/**
 * A return may take back what left a node and has not come back or been promised back already:
 * shipped + delivered − returned − (authorized, not yet received). Lines are named by lineId or SKU.
 */
export function decideAuthorizeReturn(order: Order, command: Cmd<'AuthorizeReturn'>): Result<readonly OrderEvent[]> {
  const errors: FieldError[] = [];
  const wanted = new Map<string, number>();
  command.lines.forEach((l, i) => {
    const line = order.lines.find((x) => (l.lineId !== undefined ? x.lineId === l.lineId : x.sku === l.sku));
    if (!line) errors.push({ path: `lines[${i}]`, message: `the order has no line ${l.lineId ?? l.sku}` });
    else if (!Number.isInteger(l.quantity) || l.quantity < 1) errors.push({ path: `lines[${i}].quantity`, message: 'must be a whole number ≥ 1' });
    else wanted.set(line.lineId, (wanted.get(line.lineId) ?? 0) + l.quantity);
  });
  if (command.lines.length === 0) errors.push({ path: 'lines', message: 'at least one line' });
  if (errors.length > 0) return invalid('the return is not valid', errors);
  const lines: ShipmentLine[] = [];
  for (const [lineId, quantity] of wanted) {
    const line = order.lines.find((x) => x.lineId === lineId)!;
    const promised = order.returns.reduce((s, r) => s + r.lines.filter((x) => x.lineId === lineId).reduce((t, x) => t + x.quantity - x.received, 0), 0);
    const returnable = line.buckets.shipped + line.buckets.delivered - promised;
    if (quantity > returnable) return illegal(`line ${lineId}: ${quantity} to return but only ${returnable} shipped and not already returned or being returned`);
    lines.push({ lineId, sku: line.sku, quantity });
  }
  return ok([
    {
      type: 'ReturnAuthorized',
      data: {
        returnId: `ret_${base(order.id)}-${order.returns.length + 1}`,
        lines,
        reason: command.reason,
        at: command.now,
        ...(command.exchangeOrderId ? { exchangeOrderId: command.exchangeOrderId } : {}),
      },
    },
  ]);
}

/**
 * Adopts, on an operator's word, a node's shipment that the ledger recorded as a
 * `shipment_after_cancel` conflict: the cancelled units it names move to shipped (at most what
 * is cancelled on each line), once per exception.
 */
export function decideAcceptExternalShipment(order: Order, command: Cmd<'AcceptExternalShipment'>): Result<readonly OrderEvent[]> {
  const e = order.exceptions.find((x) => x.exceptionId === command.exceptionId);
  if (!e || e.type !== 'shipment_after_cancel') return illegal(`exception ${command.exceptionId} is not a shipment after cancel of this order`);
  if (e.accepted) return illegal(`the shipment of exception ${command.exceptionId} was already accepted`);
  const f = order.fulfillments.find((x) => x.id === command.fact.fulfillmentId);
  if (!f) return illegal(`the order has no fulfillment ${command.fact.fulfillmentId}`);
  const wanted = new Map<string, number>();
  for (const l of command.fact.lines) {
    const line = order.lines.find((x) => (l.lineId !== undefined ? x.lineId === l.lineId : x.sku === l.sku));
    if (line) wanted.set(line.lineId, (wanted.get(line.lineId) ?? 0) + l.quantity);
  }
  const lines: ShipmentLine[] = [];
  for (const [lineId, quantity] of wanted) {
    const line = order.lines.find((x) => x.lineId === lineId)!;
    const q = Math.min(quantity, line.buckets.cancelled);
    if (q > 0) lines.push({ lineId, sku: line.sku, quantity: q });
  }
  if (lines.length === 0) return illegal('nothing of that shipment is cancelled any more: there is nothing to adopt');
  return ok([
    {
      type: 'ExternalShipmentAccepted',
      data: {
        exceptionId: command.exceptionId,
        fulfillmentId: f.id,
        nodeId: f.nodeId,
        shipmentId: command.fact.shipmentId,
        lines,
        shippedAt: command.fact.shippedAt,
        moves: lines.map((l) => ({ lineId: l.lineId, from: 'cancelled' as const, to: 'shipped' as const, quantity: l.quantity })),
        ...(command.note !== undefined ? { note: command.note } : {}),
      },
    },
  ]);
}

export function decideSettlePayments(order: Order): Result<readonly OrderEvent[]> {
  const events = paymentRequests(order);
  return events.length > 0 ? ok(events) : illegal('the order’s payments are in line with its goods');
}

const DAY_MS = 86_400_000;

/**
 * An order closes when every unit is delivered, cancelled or returned, no return is awaited, its
 * money is settled, and — if anything was delivered — the return window after the last delivery is over.
 */
export function decideClose(order: Order, command: Cmd<'CloseOrder'>): Result<readonly OrderEvent[]> {
  if (order.closed) return illegal('the order is closed');
  // A wholly cancelled order is final as `cancelled`: closing it would only hide why it ended.
  if (order.lines.every((l) => l.buckets.cancelled === l.quantity)) return illegal('a cancelled order stays cancelled');
  const open = order.lines.reduce((s, l) => s + l.buckets.unallocated + l.buckets.backordered + l.buckets.allocated + l.buckets.released + l.buckets.shipped, 0);
  if (open > 0) return illegal(`${open} unit(s) are not yet delivered, cancelled or returned`);
  if (order.returns.some((r) => r.lines.some((l) => l.received < l.quantity))) return illegal('a return is still awaited');
  if (!paymentSettled(order)) return illegal('the order’s payments are not settled');
  const lastDelivery = order.fulfillments.flatMap((f) => f.shipments.map((s) => s.deliveredAt ?? '')).reduce((a, b) => (a > b ? a : b), '');
  const delivered = order.lines.some((l) => l.buckets.delivered > 0);
  if (delivered && lastDelivery !== '' && Date.parse(command.now) < Date.parse(lastDelivery) + command.returnWindowDays * DAY_MS) {
    return illegal(`the return window is open until ${new Date(Date.parse(lastDelivery) + command.returnWindowDays * DAY_MS).toISOString()}`);
  }
  return ok([{ type: 'OrderClosed', data: { at: command.now } }]);
}
