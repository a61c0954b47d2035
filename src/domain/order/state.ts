import type { Bucket, Buckets } from './buckets.js';
import { applyMove, emptyBuckets } from './buckets.js';
import type { OrderEvent } from './events.js';
import type {
  Address,
  Customer,
  ExternalRef,
  FulfillmentPreference,
  Hold,
  OrderLine,
  PaymentSummary,
} from './model.js';
import { assertNever } from '../result.js';

export interface Order {
  readonly id: string;
  readonly externalId: string;
  readonly channel: string;
  readonly currency: string;
  readonly placedAt: string;
  readonly customer: Customer;
  readonly shipTo?: Address;
  readonly fulfillment: FulfillmentPreference;
  readonly lines: readonly OrderLine[];
  readonly payment: PaymentSummary;
  readonly holds: readonly Hold[];
  readonly externalRefs: readonly ExternalRef[];
  readonly cancelReason?: string;
  readonly closed: boolean;
}

/** The decider's state: a union keyed on `kind`, never an object of nullable fields. */
export type OrderState = { readonly kind: 'absent' } | { readonly kind: 'placed'; readonly order: Order };

export const initialState: OrderState = { kind: 'absent' };

/** The fold: state after one more event. Pure and total over the event union. */
export function evolve(state: OrderState, event: OrderEvent): OrderState {
  if (event.type === 'OrderPlaced') {
    const d = event.data.order;
    return {
      kind: 'placed',
      order: {
        id: event.data.orderId,
        externalId: d.externalId,
        channel: d.channel,
        currency: d.currency,
        placedAt: d.placedAt,
        customer: d.customer,
        ...(d.shipTo ? { shipTo: d.shipTo } : {}),
        fulfillment: d.fulfillment,
        lines: d.lines.map((l) => ({ ...l, buckets: { ...emptyBuckets(), unallocated: l.quantity } })),
        payment: { authorized: 0, captured: 0, refunded: 0, authorizations: [] },
        holds: [],
        externalRefs: [{ system: d.channel, id: d.externalId }, ...(d.externalRefs ?? [])],
        closed: false,
      },
    };
  }
  if (state.kind === 'absent') return state; // events of a stream always start with OrderPlaced
  const order = state.order;
  switch (event.type) {
    case 'PaymentAuthorized':
      return placed({
        ...order,
        payment: {
          ...order.payment,
          authorized: order.payment.authorized + event.data.amount,
          authorizations: [...order.payment.authorizations, { ...event.data }],
        },
      });
    case 'OrderHeld':
      return placed({
        ...order,
        holds: [
          ...order.holds,
          {
            type: event.data.holdType,
            placedAt: event.data.at,
            ...(event.data.note !== undefined ? { note: event.data.note } : {}),
          },
        ],
      });
    case 'HoldReleased':
      return placed({ ...order, holds: order.holds.filter((h) => h.type !== event.data.holdType) });
    case 'OrderCancelled':
      return placed({ ...applyMoves(order, event.data.moves), cancelReason: event.data.reason });
    default:
      return assertNever(event);
  }
}

export const fold = (events: readonly OrderEvent[], from: OrderState = initialState): OrderState =>
  events.reduce(evolve, from);

function placed(order: Order): OrderState {
  return { kind: 'placed', order };
}

/** Moves recorded in an event were validated when decided; applying them cannot fail on replay. */
function applyMoves(order: Order, moves: readonly { lineId: string; from: Bucket; to: Bucket; quantity: number }[]): Order {
  const lines = order.lines.map((line) => {
    let buckets: Buckets = line.buckets;
    for (const m of moves) {
      if (m.lineId !== line.lineId) continue;
      const r = applyMove(buckets, m);
      if (!r.ok) throw new Error(`corrupt stream for ${order.id}: ${r.error.message}`);
      buckets = r.value;
    }
    return buckets === line.buckets ? line : { ...line, buckets };
  });
  return { ...order, lines };
}
