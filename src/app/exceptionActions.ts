import type { ExceptionDoc } from '../domain/exception/exception.js';
import type { OrderFact } from '../domain/order/index.js';
import type { DeadLetterService } from './dispatch/index.js';
import type { ActionHandler, ActionResult } from './exceptions.js';
import type { CommandContext, CommandOutcome, OrderService } from './orderService.js';

/**
 * The effects of the workbench's actions on the world (issue 6 §4), by action (`retry`) or by
 * action and exception type (`accept_external:shipment_after_cancel`). Each is an ordinary,
 * idempotent command or dead-letter operation, so what an operator does is what the API does.
 */
export function exceptionActionHandlers(deps: { orders: OrderService; deadLetters: DeadLetterService; nudge: () => void }): Map<string, ActionHandler> {
  const { orders, deadLetters, nudge } = deps;
  const ctx = (doc: ExceptionDoc, actor: { id: string }): CommandContext => ({
    correlationId: `exception:${doc.id}`,
    causationId: doc.id,
    actor: { kind: 'operator', id: actor.id },
  });
  const commandResult = (what: string, outcome: CommandOutcome): ActionResult => {
    if (outcome.kind === 'ok' || outcome.kind === 'replayed') return { resolved: true, result: what };
    if (outcome.kind === 'refused') throw new Error(outcome.error.message);
    throw new Error(`${what} was not applied (${outcome.kind})`);
  };
  const needOrder = (doc: ExceptionDoc): string => {
    if (!doc.orderId) throw new Error('this exception concerns no order');
    return doc.orderId;
  };

  const redrive: ActionHandler = async (doc, input) => {
    const id = (doc.context as { messageId?: string }).messageId;
    if (!id) throw new Error('this exception names no outbox message');
    const r = await deadLetters.redrive(id, input.actor.id);
    if (r.status !== 'ok') throw new Error(r.status === 'not_found' ? `message ${id} not found` : `message ${id} is ${r.current}, not a dead letter`);
    nudge();
    // Resolved when the resend gets through; a new dead letter raises a new exception.
    return { resolved: true, result: `dead letter ${id} sent again` };
  };

  return new Map<string, ActionHandler>([
    ['retry:dead_letter', redrive],
    // A declined capture, void or refund: owed again, asked again of the gateway (the order's follow-ups ask).
    [
      'retry:payment_failed',
      async (doc, input) =>
        commandResult(
          `declined payment operations of order ${needOrder(doc)} asked again`,
          await orders.execute(needOrder(doc), { type: 'RetryPayments', ...(input.note !== undefined ? { note: input.note } : {}) }, ctx(doc, input.actor)),
        ),
    ],
    ['resend:dead_letter', redrive],
    // The node's word is the truth of what left its building: the shipment recorded as a conflict is adopted.
    [
      'accept_external:shipment_after_cancel',
      async (doc, input) => {
        const fact = doc.context.target as { type?: string } | undefined;
        if (fact?.type !== 'fulfillment.shipped') throw new Error('this exception carries no shipment to adopt');
        return commandResult(
          `shipment adopted: the customer keeps the goods${input.note ? ` (${input.note})` : ''}`,
          await orders.execute(
            needOrder(doc),
            { type: 'AcceptExternalShipment', exceptionId: doc.id, fact: fact as Extract<OrderFact, { type: 'fulfillment.shipped' }>, ...(input.note !== undefined ? { note: input.note } : {}) },
            ctx(doc, input.actor),
          ),
        );
      },
    ],
    ['cancel', async (doc, input) => commandResult(`order ${needOrder(doc)} cancelled`, await orders.execute(needOrder(doc), { type: 'CancelOrder', reason: 'exception' }, ctx(doc, input.actor)))],
    ['release', async (doc, input) => commandResult(`order ${needOrder(doc)} released to its nodes`, await orders.release(needOrder(doc), {}, ctx(doc, input.actor)))],
  ]);
}
