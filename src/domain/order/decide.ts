import type { BucketMove } from './buckets.js';
import { CANCELLABLE_BEFORE_RELEASE } from './buckets.js';
import type { OrderCommand } from './commands.js';
import type { OrderEvent } from './events.js';
import { decideReleaseAllocation, decideRoute, releasesFor } from './decideRouting.js';
import { accepts } from './lifecycle.js';
import type { Order, OrderState } from './state.js';
import { deriveStatus } from './status.js';
import { isMoney, validateDraft } from './validateDraft.js';
import type { FieldError, Result } from '../result.js';
import { assertNever, fail, illegal, invalid, ok } from '../result.js';

/**
 * The order decider: given the current state and a command, the events to append or a typed
 * refusal. Pure: no clock, no ids, no I/O — those travel in the command.
 */
export function decide(command: OrderCommand, state: OrderState): Result<readonly OrderEvent[]> {
  if (command.type === 'PlaceOrder') {
    if (state.kind === 'placed') return illegal(`order ${state.order.id} already exists`);
    const errors = validateDraft(command.order);
    if (errors.length > 0) return invalid('the order is not valid', errors);
    const events: OrderEvent[] = [{ type: 'OrderPlaced', data: { orderId: command.orderId, order: command.order } }];
    if (command.order.payment) {
      events.push({ type: 'PaymentAuthorized', data: { ...command.order.payment } });
    }
    return ok(events);
  }
  if (state.kind === 'absent') return fail({ code: 'not_found', message: 'order not found' });
  const order = state.order;
  const status = deriveStatus(order);
  if (!accepts(status, command.type)) {
    return illegal(`a ${status} order does not accept ${command.type}`);
  }
  switch (command.type) {
    case 'RecordPaymentAuthorization':
      if (!isMoney(command.amount) || command.amount === 0) {
        return invalid('the amount is not valid', [{ path: 'amount', message: 'must be whole minor units > 0' }]);
      }
      if (order.payment.authorizations.some((a) => a.authorizationId === command.authorizationId)) {
        return illegal(`authorization ${command.authorizationId} is already recorded`);
      }
      return ok([{ type: 'PaymentAuthorized', data: { authorizationId: command.authorizationId, amount: command.amount } }]);
    case 'HoldOrder':
      if (order.holds.some((h) => h.type === command.holdType)) {
        return illegal(`the order already has a ${command.holdType} hold`);
      }
      return ok([
        {
          type: 'OrderHeld',
          data: { holdType: command.holdType, at: command.now, ...(command.note !== undefined ? { note: command.note } : {}) },
        },
      ]);
    case 'ReleaseHold':
      if (!order.holds.some((h) => h.type === command.holdType)) {
        return illegal(`the order has no ${command.holdType} hold`);
      }
      return ok([
        { type: 'HoldReleased', data: { holdType: command.holdType, ...(command.note !== undefined ? { note: command.note } : {}) } },
      ]);
    case 'CancelOrder':
      return decideCancel(order, command);
    case 'RouteOrder':
      return decideRoute(order, command);
    case 'ReleaseAllocation':
      return decideReleaseAllocation(order, command);
    default:
      return assertNever(command);
  }
}

function decideCancel(order: Order, command: Extract<OrderCommand, { type: 'CancelOrder' }>): Result<readonly OrderEvent[]> {
  const wanted = command.lines ?? order.lines.map((l) => ({ lineId: l.lineId, quantity: cancellable(l.buckets) }));
  const errors: FieldError[] = [];
  const moves: BucketMove[] = [];
  const seen = new Set<string>();
  wanted.forEach((w, i) => {
    const line = order.lines.find((l) => l.lineId === w.lineId);
    if (!line) {
      errors.push({ path: `lines[${i}].lineId`, message: `the order has no line ${w.lineId}` });
      return;
    }
    // Each entry is checked against the line alone, so a repeat could over-draw it and corrupt the stream.
    if (seen.has(w.lineId)) {
      errors.push({ path: `lines[${i}].lineId`, message: `duplicate lineId ${w.lineId}` });
      return;
    }
    seen.add(w.lineId);
    if (command.lines && (!Number.isInteger(w.quantity) || w.quantity < 1)) {
      errors.push({ path: `lines[${i}].quantity`, message: 'must be a whole number ≥ 1' });
      return;
    }
    moves.push(...takeCancellable(line.lineId, line.buckets, w.quantity));
  });
  if (errors.length > 0) return invalid('the cancellation is not valid', errors);
  for (const w of wanted) {
    const line = order.lines.find((l) => l.lineId === w.lineId);
    const can = line ? cancellable(line.buckets) : 0;
    if (command.lines && w.quantity > can) {
      return illegal(`line ${w.lineId}: ${w.quantity} requested but only ${can} can be cancelled before release`);
    }
  }
  if (moves.length === 0) return illegal('nothing is left to cancel before release');
  const releases = moves.filter((m) => m.from === 'allocated').flatMap((m) => releasesFor(order, m.lineId, m.quantity));
  return ok([
    {
      type: 'OrderCancelled',
      data: { reason: command.reason, scope: command.lines ? 'lines' : 'order', moves, ...(releases.length > 0 ? { releases } : {}) },
    },
  ]);
}

const cancellable = (b: Readonly<Record<string, number>>): number =>
  CANCELLABLE_BEFORE_RELEASE.reduce((s, k) => s + (b[k] ?? 0), 0);

/** Least-committed quantity first: unallocated, then backordered, then allocated. */
function takeCancellable(lineId: string, b: Readonly<Record<string, number>>, quantity: number): BucketMove[] {
  const moves: BucketMove[] = [];
  let left = quantity;
  for (const from of CANCELLABLE_BEFORE_RELEASE) {
    const take = Math.min(left, b[from] ?? 0);
    if (take > 0) moves.push({ lineId, from, to: 'cancelled', quantity: take });
    left -= take;
  }
  return moves;
}
