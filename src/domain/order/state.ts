import type { Bucket, Buckets } from './buckets.js';
import { applyMove, emptyBuckets } from './buckets.js';
import type { CancellationRequestedData, OrderEvent, PaymentMode, ReservationCommit, ReservationHeld, ReservationRelease } from './events.js';
import type { Fulfillment, FulfillmentLineState, OrderReturn, Shipment } from './fulfillment.js';
import { withStatus } from './fulfillment.js';
import type { Address, Customer, ExternalRef, FulfillmentPreference, Hold, OrderLine, PaymentSummary } from './model.js';
import { assertNever } from '../result.js';

export type { Fulfillment, FulfillmentLineState, FulfillmentStatus, OrderReturn, Shipment } from './fulfillment.js';

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
  readonly paymentMode: PaymentMode;
  readonly holds: readonly Hold[];
  readonly externalRefs: readonly ExternalRef[];
  readonly cancelReason?: string;
  readonly closed: boolean;
  readonly fulfillments: readonly Fulfillment[];
  /** Stock currently held for this order, per node/line/fulfillment. */
  readonly reservations: readonly ReservationHeld[];
  readonly returns: readonly OrderReturn[];
  /** Exceptions raised in this stream (conflicts, cancellations needing a human, SLA breaches). */
  readonly exceptions: readonly { readonly exceptionId: string; readonly type: string; readonly fulfillmentId?: string; readonly accepted?: boolean }[];
  readonly lastDecision?: { readonly decisionId: string; readonly rulesetVersion: number };
}

/** The decider's state: a union keyed on `kind`, never an object of nullable fields. */
export type OrderState = { readonly kind: 'absent' } | { readonly kind: 'placed'; readonly order: Order };

export const initialState: OrderState = { kind: 'absent' };

const NO_PENDING = { authorize: 0, capture: 0, void: 0, refund: 0 } as const;
const NO_FAILURES = { capture: 0, void: 0, refund: 0 } as const;

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
        payment: { authorized: 0, captured: 0, voided: 0, refunded: 0, pending: NO_PENDING, outstanding: [], failed: NO_FAILURES, settled: [], requests: 0, authorizations: [] },
        paymentMode: event.data.payments ?? 'channel',
        holds: [],
        externalRefs: [{ system: d.channel, id: d.externalId }, ...(d.externalRefs ?? [])],
        closed: false,
        fulfillments: [],
        reservations: [],
        returns: [],
        exceptions: [],
      },
    };
  }
  if (state.kind === 'absent') return state; // events of a stream always start with OrderPlaced
  const order = state.order;
  switch (event.type) {
    case 'PaymentAuthorized': {
      const pending = Math.max(0, order.payment.pending.authorize - event.data.amount);
      return placed({
        ...order,
        payment: {
          ...order.payment,
          authorized: order.payment.authorized + event.data.amount,
          pending: { ...order.payment.pending, authorize: pending },
          authorizations: [...order.payment.authorizations, { ...event.data }],
        },
      });
    }
    case 'OrderHeld':
      return placed({
        ...order,
        holds: [
          ...order.holds,
          { type: event.data.holdType, placedAt: event.data.at, ...(event.data.note !== undefined ? { note: event.data.note } : {}) },
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
          ...event.data.fulfillments.map((f) =>
            withStatus({
              id: f.fulfillmentId,
              nodeId: f.nodeId,
              stage: 'allocated',
              lines: f.lines.map((l) => ({ lineId: l.lineId, sku: l.sku, quantity: l.quantity, shipped: 0, delivered: 0 })),
              shipments: [],
            }),
          ),
        ],
        reservations: [...order.reservations, ...event.data.reservations],
        lastDecision: { decisionId: event.data.decisionId, rulesetVersion: event.data.rulesetVersion },
      });
    case 'AllocationReleased':
      return placed(releaseReservations(applyMoves(order, event.data.moves), event.data.releases));
    case 'FulfillmentReleased':
      return placed(updateFulfillment(applyMoves(order, event.data.moves), event.data.fulfillmentId, (f) => ({ ...f, stage: 'released', releasedAt: event.data.at, releasedLines: f.lines })));
    case 'FulfillmentAcknowledged':
      return placed(updateFulfillment(order, event.data.fulfillmentId, (f) => ({ ...f, stage: f.stage === 'released' ? 'acknowledged' : f.stage, acknowledgedAt: event.data.at })));
    case 'FulfillmentRejected': {
      // A cancellation awaited from the node is answered by the hand-back (its units are cancelled by the moves).
      const released = releaseReservations(applyMoves(order, event.data.moves), event.data.releases);
      const d = event.data;
      return placed(
        updateFulfillment(released, d.fulfillmentId, (f) => ({
          ...clearCancelRequest(f),
          rejected: d.reason,
          ...(d.at !== undefined ? { rejectedAt: d.at } : {}),
          ...(d.withdrawn ? { withdrawn: true } : {}),
        })),
      );
    }
    case 'FulfillmentProgressed':
      return placed(
        updateFulfillment(order, event.data.fulfillmentId, (f) => ({
          ...f,
          stage: event.data.stage,
          ...(event.data.stage === 'ready_for_pickup' ? { readyAt: event.data.at } : {}),
        })),
      );
    case 'ShipmentConfirmed': {
      const d = event.data;
      const committed = commitReservations(applyMoves(order, d.moves), d.commits);
      return placed(
        updateFulfillment(committed, d.fulfillmentId, (f) => ({
          ...f,
          lines: f.lines.map((l) => ({ ...l, shipped: l.shipped + sumFor(d.lines, l.lineId) })),
          shipments: [
            ...f.shipments,
            {
              shipmentId: d.shipmentId,
              lines: d.lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity })),
              shippedAt: d.shippedAt,
              ...(d.carrier !== undefined ? { carrier: d.carrier } : {}),
              ...(d.trackingNumber !== undefined ? { trackingNumber: d.trackingNumber } : {}),
            },
          ],
        })),
      );
    }
    case 'DeliveryConfirmed': {
      const d = event.data;
      return placed(
        updateFulfillment(applyMoves(order, d.moves), d.fulfillmentId, (f) => {
          const shipment = f.shipments.find((s) => s.shipmentId === d.shipmentId);
          const lines = shipment?.lines ?? [];
          return {
            ...f,
            lines: f.lines.map((l) => ({ ...l, delivered: l.delivered + sumFor(lines, l.lineId) })),
            shipments: f.shipments.map((s): Shipment => (s.shipmentId === d.shipmentId ? { ...s, deliveredAt: d.deliveredAt } : s)),
            ...(f.heldDeliveries ? { heldDeliveries: f.heldDeliveries.filter((h) => h.shipmentId !== d.shipmentId) } : {}),
          };
        }),
      );
    }
    case 'DeliveryHeld': {
      const d = event.data;
      return placed(updateFulfillment(order, d.fulfillmentId, (f) => ({ ...f, heldDeliveries: [...(f.heldDeliveries ?? []), { shipmentId: d.shipmentId, deliveredAt: d.deliveredAt }] })));
    }
    case 'CancellationRequested': {
      const d = event.data;
      const withRequest = updateFulfillment(order, d.fulfillmentId, (f) => ({ ...f, cancelRequest: addRequest(f.cancelRequest, d) }));
      return placed({
        ...withRequest,
        cancelReason: d.reason,
        ...(d.exceptionId ? { exceptions: [...order.exceptions, { exceptionId: d.exceptionId, type: 'cancellation_unsupported', fulfillmentId: d.fulfillmentId }] } : {}),
      });
    }
    case 'FulfillmentCancelled': {
      const d = event.data;
      const released = releaseReservations(applyMoves(order, d.moves), d.releases);
      const cancellation = { ...(d.at !== undefined ? { at: d.at } : {}), lines: d.lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity })) };
      return placed(updateFulfillment(released, d.fulfillmentId, (f) => clearCancelRequest({ ...f, cancellations: [...(f.cancellations ?? []), cancellation] })));
    }
    case 'CancellationRefused':
      return placed(updateFulfillment(order, event.data.fulfillmentId, clearCancelRequest));
    case 'PaymentRequested': {
      const d = event.data;
      const p = order.payment;
      return placed({
        ...order,
        payment: {
          ...p,
          requests: p.requests + 1,
          pending: { ...p.pending, [d.operation]: p.pending[d.operation] + d.amount },
          outstanding: d.operation === 'authorize' ? p.outstanding : [...p.outstanding, { reference: d.reference, operation: d.operation, amount: d.amount }],
        },
      });
    }
    case 'PaymentAuthorizationFailed':
      return placed({
        ...order,
        payment: { ...order.payment, pending: { ...order.payment.pending, authorize: 0 }, settled: settledWith(order.payment, event.data.reference) },
      });
    case 'PaymentCaptured':
      return placed({ ...order, payment: settle(order.payment, 'capture', event.data, { captured: order.payment.captured + event.data.amount }) });
    case 'PaymentVoided':
      return placed({ ...order, payment: settle(order.payment, 'void', event.data, { voided: order.payment.voided + event.data.amount }) });
    case 'RefundIssued':
      return placed({ ...order, payment: settle(order.payment, 'refund', event.data, { refunded: order.payment.refunded + event.data.amount }) });
    case 'PaymentOperationFailed': {
      const op = event.data.operation;
      return placed({
        ...order,
        payment: settle(order.payment, op, event.data, { failed: { ...order.payment.failed, [op]: order.payment.failed[op] + event.data.amount } }),
        exceptions: [...order.exceptions, { exceptionId: event.data.exceptionId, type: 'payment_failed' }],
      });
    }
    case 'ExternalShipmentAccepted': {
      const d = event.data;
      const moved = applyMoves(order, d.moves);
      const withExceptions = { ...moved, exceptions: order.exceptions.map((e) => (e.exceptionId === d.exceptionId ? { ...e, accepted: true } : e)) };
      return placed(
        updateFulfillment(withExceptions, d.fulfillmentId, (f) => {
          // The units come back to the fulfillment that shipped them, as shipped.
          const known = new Set(f.lines.map((l) => l.lineId));
          const lines = [
            ...f.lines.map((l) => ({ ...l, quantity: l.quantity + sumFor(d.lines, l.lineId), shipped: l.shipped + sumFor(d.lines, l.lineId) })),
            ...d.lines.filter((l) => !known.has(l.lineId)).map((l) => ({ lineId: l.lineId, sku: l.sku, quantity: l.quantity, shipped: l.quantity, delivered: 0 })),
          ];
          return {
            ...f,
            lines,
            shipments: [...f.shipments, { shipmentId: d.shipmentId, lines: d.lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity })), shippedAt: d.shippedAt }],
          };
        }),
      );
    }
    case 'PaymentFailuresCleared': {
      const f = order.payment.failed;
      const d = event.data;
      return placed({ ...order, payment: { ...order.payment, failed: { capture: f.capture - d.capture, void: f.void - d.void, refund: f.refund - d.refund } } });
    }
    case 'ReturnAuthorized': {
      const d = event.data;
      return placed({
        ...order,
        returns: [
          ...order.returns,
          {
            returnId: d.returnId,
            reason: d.reason,
            authorizedAt: d.at,
            lines: d.lines.map((l) => ({ lineId: l.lineId, sku: l.sku, quantity: l.quantity, received: 0 })),
            ...(d.exchangeOrderId ? { exchangeOrderId: d.exchangeOrderId } : {}),
          },
        ],
      });
    }
    case 'ReturnReceived': {
      const d = event.data;
      const moved = applyMoves(order, d.moves);
      return placed({
        ...moved,
        returns: order.returns.map((r) =>
          r.returnId === d.returnId
            ? { ...r, receivedAt: d.at, nodeId: d.nodeId, lines: r.lines.map((l) => ({ ...l, received: l.received + sumFor(d.lines, l.lineId) })) }
            : r,
        ),
      });
    }
    case 'ConflictDetected':
      return placed({
        ...order,
        exceptions: [
          ...order.exceptions,
          { exceptionId: event.data.exceptionId, type: event.data.kind, ...(event.data.fulfillmentId ? { fulfillmentId: event.data.fulfillmentId } : {}) },
        ],
      });
    case 'ExceptionRaised':
      return placed({
        ...order,
        exceptions: [
          ...order.exceptions,
          { exceptionId: event.data.exceptionId, type: event.data.type, ...(event.data.fulfillmentId ? { fulfillmentId: event.data.fulfillmentId } : {}) },
        ],
      });
    case 'OrderClosed':
      return placed({ ...order, closed: true });
    default:
      return assertNever(event);
  }
}

export const fold = (events: readonly OrderEvent[], from: OrderState = initialState): OrderState => events.reduce(evolve, from);

const sumFor = (lines: readonly { lineId: string; quantity: number }[], lineId: string): number =>
  lines.reduce((s, l) => (l.lineId === lineId ? s + l.quantity : s), 0);

/**
 * A payment result: the request it answers (same reference) is no longer awaited — its whole amount
 * leaves `pending`, whatever amount the gateway reports — and its reference is remembered.
 */
function settle(
  p: PaymentSummary,
  operation: PaymentSummary['outstanding'][number]['operation'],
  result: { readonly amount: number; readonly reference: string },
  changes: Partial<PaymentSummary>,
): PaymentSummary {
  const asked = answeredRequest(p, operation, result.reference);
  return {
    ...p,
    ...changes,
    pending: asked ? { ...p.pending, [operation]: Math.max(0, p.pending[operation] - asked.amount) } : p.pending,
    outstanding: asked ? p.outstanding.filter((r) => r !== asked) : p.outstanding,
    settled: settledWith(p, result.reference),
  };
}

/** The request a payment result answers, if one is awaited under its reference. */
export const answeredRequest = (p: PaymentSummary, operation: string, reference: string): PaymentSummary['outstanding'][number] | undefined =>
  p.outstanding.find((r) => r.reference === reference && r.operation === operation);

const settledWith = (p: PaymentSummary, reference: string | undefined): readonly string[] =>
  reference === undefined || p.settled.includes(reference) ? p.settled : [...p.settled, reference];

/**
 * A further request for the same fulfillment adds to the one awaited (the node is asked for both):
 * quantities per line add up, the SLA runs from the first, and the node's answer is awaited if any part was asked of it.
 */
function addRequest(pending: Fulfillment['cancelRequest'], d: CancellationRequestedData): NonNullable<Fulfillment['cancelRequest']> {
  const lines = (pending?.lines ?? []).map((l) => ({ ...l }));
  for (const l of d.lines) {
    const same = lines.find((x) => x.lineId === l.lineId);
    if (same) same.quantity += l.quantity;
    else lines.push({ lineId: l.lineId, quantity: l.quantity });
  }
  return { lines, reason: d.reason, requestedAt: pending?.requestedAt ?? d.at, mode: pending?.mode === 'node' ? 'node' : d.mode };
}

function clearCancelRequest(f: Fulfillment): Fulfillment {
  const { cancelRequest: _done, ...rest } = f;
  return rest;
}

function updateFulfillment(order: Order, fulfillmentId: string, change: (f: Fulfillment) => Fulfillment): Order {
  return { ...order, fulfillments: order.fulfillments.map((f) => (f.id === fulfillmentId ? withStatus(change(f)) : f)) };
}

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
    if (!f.lines.some((l) => taken.has(`${f.id}:${l.lineId}`))) return f;
    const lines = f.lines.flatMap((l): FulfillmentLineState[] => {
      const q = taken.get(`${f.id}:${l.lineId}`) ?? 0;
      return l.quantity - q > 0 ? [{ ...l, quantity: l.quantity - q }] : [];
    });
    return withStatus({ ...f, lines });
  });
  return { ...order, reservations, fulfillments };
}

/** Shipped units consume their reservation; the fulfillment keeps its lines (they record what shipped). */
function commitReservations(order: Order, commits: readonly ReservationCommit[]): Order {
  if (commits.length === 0) return order;
  const byId = new Map(commits.map((c) => [c.reservationId, c.quantity]));
  return {
    ...order,
    reservations: order.reservations.flatMap((r) => {
      const q = byId.get(r.reservationId) ?? 0;
      return r.quantity - q > 0 ? [{ ...r, quantity: r.quantity - q }] : [];
    }),
  };
}

function placed(order: Order): OrderState {
  return { kind: 'placed', order };
}

/** Moves recorded in an event were validated when decided; applying them cannot fail on replay. */
function applyMoves(order: Order, moves: readonly { lineId: string; from: Bucket; to: Bucket; quantity: number }[]): Order {
  if (moves.length === 0) return order;
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
