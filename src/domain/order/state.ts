import type { Bucket, Buckets } from './buckets.js';
import { applyMove, emptyBuckets } from './buckets.js';
import type { FulfillmentLine, OrderEvent, ReservationHeld, ReservationRelease } from './events.js';
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
  readonly fulfillments: readonly Fulfillment[];
  /** Stock currently held for this order, per node/line/fulfillment. */
  readonly reservations: readonly ReservationHeld[];
  readonly lastDecision?: { readonly decisionId: string; readonly rulesetVersion: number };
}

export interface Fulfillment {
  readonly id: string;
  readonly nodeId: string;
  readonly status: 'allocated' | 'cancelled';
  readonly lines: readonly FulfillmentLine[];
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
        fulfillments: [],
        reservations: [],
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
      return placed({ ...releaseReservations(applyMoves(order, event.data.moves), event.data.releases ?? []), cancelReason: event.data.reason });
    case 'OrderRouted':
      return placed({
        ...applyMoves(order, event.data.moves),
        fulfillments: [
          ...order.fulfillments,
          ...event.data.fulfillments.map((f) => ({ id: f.fulfillmentId, nodeId: f.nodeId, status: 'allocated' as const, lines: f.lines })),
        ],
        reservations: [...order.reservations, ...event.data.reservations],
        lastDecision: { decisionId: event.data.decisionId, rulesetVersion: event.data.rulesetVersion },
      });
    case 'AllocationReleased':
      return placed(releaseReservations(applyMoves(order, event.data.moves), event.data.releases));
    default:
      return assertNever(event);
  }
}

export const fold = (events: readonly OrderEvent[], from: OrderState = initialState): OrderState =>
  events.reduce(evolve, from);

/**
 * Gives reservations back: each release lowers its reservation and the fulfillment line it holds
 * stock for; a fulfillment left with nothing is cancelled.
 */
function releaseReservations(order: Order, releases: readonly ReservationRelease[]): Order {
  if (releases.length === 0) return order;
  const byId = new Map(releases.map((r) => [r.reservationId, r.quantity]));
  const taken = new Map<string, number>(); // fulfillmentId:lineId → units released
  const reservations = order.reservations.flatMap((r) => {
    const q = byId.get(r.reservationId) ?? 0;
    if (q === 0) return [r];
    const key = `${r.fulfillmentId}:${r.lineId}`;
    taken.set(key, (taken.get(key) ?? 0) + q);
    return r.quantity - q > 0 ? [{ ...r, quantity: r.quantity - q }] : [];
  });
  const fulfillments = order.fulfillments.map((f) => {
    const lines = f.lines.flatMap((l) => {
      const q = taken.get(`${f.id}:${l.lineId}`) ?? 0;
      return l.quantity - q > 0 ? [{ ...l, quantity: l.quantity - q }] : [];
    });
    return lines.length === f.lines.length && lines.every((l, i) => l.quantity === f.lines[i]!.quantity)
      ? f
      : { ...f, lines, status: lines.length === 0 ? ('cancelled' as const) : f.status };
  });
  return { ...order, reservations, fulfillments };
}

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
