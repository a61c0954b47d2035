import type { OrderCommand } from './commands.js';
import type { OrderEvent } from './events.js';
import { decideCancel } from './decideCancel.js';
import { decideFact } from './decideFacts.js';
import { decideAcceptExternalShipment, decideAuthorizeReturn, decideClose, decideRelease, decideSettlePayments, decideWithdraw } from './decideLifecycle.js';
import { decideReleaseAllocation, decideRoute } from './decideRouting.js';
import { accepts } from './lifecycle.js';
import type { OrderState } from './state.js';
import { deriveStatus } from './status.js';
import { isMoney, validateDraft } from './validateDraft.js';
import type { Result } from '../result.js';
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
    const events: OrderEvent[] = [
      { type: 'OrderPlaced', data: { orderId: command.orderId, order: command.order, ...(command.payments === 'gateway' ? { payments: 'gateway' as const } : {}) } },
    ];
    if (command.order.payment) {
      events.push({ type: 'PaymentAuthorized', data: { ...command.order.payment } });
    }
    return ok(events);
  }
  if (state.kind === 'absent') return fail({ code: 'not_found', message: 'order not found' });
  const order = state.order;
  // Facts are never refused for the order's state (DESIGN §2.2); conflicts are recorded instead.
  if (command.type === 'RecordFact') return decideFact(order, command.fact, command.exceptionId, command.now);
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
    case 'ReleaseFulfillments':
      return decideRelease(order, command);
    case 'AuthorizeReturn':
      return decideAuthorizeReturn(order, command);
    case 'WithdrawFulfillment':
      return decideWithdraw(order, command);
    case 'RaiseException':
      if (order.exceptions.some((e) => e.type === command.exceptionType && e.fulfillmentId === command.fulfillmentId)) {
        return illegal(`a ${command.exceptionType} exception is already raised${command.fulfillmentId ? ` for ${command.fulfillmentId}` : ''}`);
      }
      return ok([
        {
          type: 'ExceptionRaised',
          data: { exceptionId: command.exceptionId, type: command.exceptionType, reason: command.reason, ...(command.fulfillmentId ? { fulfillmentId: command.fulfillmentId } : {}) },
        },
      ]);
    case 'SettlePayments':
      return decideSettlePayments(order);
    case 'AcceptExternalShipment':
      return decideAcceptExternalShipment(order, command);
    case 'RetryPayments': {
      const f = order.payment.failed;
      if (f.capture + f.void + f.refund === 0) return illegal('no payment operation has failed');
      return ok([{ type: 'PaymentFailuresCleared', data: { ...f, ...(command.note !== undefined ? { note: command.note } : {}) } }]);
    }
    case 'CloseOrder':
      return decideClose(order, command);
    default:
      return assertNever(command);
  }
}
