import { describe, expect, it } from 'vitest';
import type { OrderEvent, OrderFact, PaymentOperation } from '../../src/domain/order/index.js';
import { deriveStatus, fold, openAuthorization, paymentSettled } from '../../src/domain/order/index.js';
import { deciderSpec } from '../support/deciderSpec.js';
import {
  CAN_CANCEL,
  NOW,
  ORDER_ID,
  ORDER_VALUE,
  ROUTE_ALL_AT_A,
  authorizeReturn,
  cancelAtNodes,
  closeOrder,
  conflictDetected,
  decided,
  draft,
  gatewayPlaced,
  factCancellation,
  factDelivered,
  factReturnReceived,
  factShipped,
  ful,
  noPayment,
  orderDecider,
  orderOf,
  orderPlaced,
  paymentAuthorized,
  recordFact,
  releaseFulfillments,
  ret,
  settlePayments,
} from '../support/orderFixtures.js';

const spec = deciderSpec(orderDecider);

const UNIT = 1999;
const LATE = '2026-03-01T10:00:00.000Z';

const requested = (operation: PaymentOperation, amount: number, reference: string, authorizationId?: string): OrderEvent => ({
  type: 'PaymentRequested',
  data: { operation, amount, reference, ...(authorizationId !== undefined ? { authorizationId } : {}) },
});

const captured = (amount: number, reference: string, captureId = `cap_${reference}`): OrderFact => ({ type: 'payment.captured', captureId, amount, reference });
const voided = (amount: number, reference: string): OrderFact => ({ type: 'payment.voided', amount, reference });
const refunded = (amount: number, reference: string, refundId = `rfd_${reference}`): OrderFact => ({ type: 'payment.refunded', refundId, amount, reference });

/** Gateway payments, authorized for the whole order by the channel, routed whole to node_a and released. */
const authorizedAndReleased = (): OrderEvent[] =>
  decided([gatewayPlaced(), paymentAuthorized('auth_1', ORDER_VALUE)], ROUTE_ALL_AT_A, releaseFulfillments());

describe('placing an order under gateway payments', () => {
  it('records the payment mode, and an authorization the channel brought', () => {
    const withPayment = draft({ payment: { authorizationId: 'auth_1', amount: ORDER_VALUE } });
    const state = spec
      .given([])
      .when({ type: 'PlaceOrder', orderId: ORDER_ID, order: withPayment, payments: 'gateway', now: NOW })
      .then([{ type: 'OrderPlaced', data: { orderId: ORDER_ID, order: withPayment, payments: 'gateway' } }, paymentAuthorized('auth_1', ORDER_VALUE)]);
    expect(orderOf(state).paymentMode).toBe('gateway');
  });

  it('asks the gateway to authorize the live value when the channel brought no authorization', () => {
    const state = spec.given([gatewayPlaced()]).when(settlePayments()).then([requested('authorize', ORDER_VALUE, 'authorize-1')]);
    expect(orderOf(state).payment).toEqual(noPayment({ pending: { authorize: ORDER_VALUE, capture: 0, void: 0, refund: 0 }, requests: 1 }));
    // Asked once: nothing more until the gateway answers.
    spec.givenState(state).when(settlePayments()).thenFails('illegal_transition', /in line with its goods/);
  });

  it('records the authorization when it comes, once', () => {
    const asked = decided([gatewayPlaced()], settlePayments());
    const fact: OrderFact = { type: 'payment.authorized', authorizationId: 'auth_g', amount: ORDER_VALUE, reference: 'authorize-1' };
    const state = spec.given(asked).when(recordFact(fact)).then([paymentAuthorized('auth_g', ORDER_VALUE)]);
    expect(orderOf(state).payment).toMatchObject({ authorized: ORDER_VALUE, pending: { authorize: 0 } });
    spec.givenState(state).when(recordFact(fact)).then([]);
    // Authorized for all of it: release may go ahead.
    spec.givenState(state).when(ROUTE_ALL_AT_A).then([expect.objectContaining({ type: 'OrderRouted' }) as OrderEvent]);
  });

  it('holds the order when the authorization fails, blocks release and asks nothing more', () => {
    const asked = decided([gatewayPlaced()], ROUTE_ALL_AT_A, settlePayments());
    const fact: OrderFact = { type: 'payment.authorization_failed', reason: 'declined', reference: 'authorize-1' };
    const state = spec
      .given(asked)
      .when(recordFact(fact))
      .then([
        { type: 'PaymentAuthorizationFailed', data: { reason: 'declined', reference: 'authorize-1' } },
        { type: 'OrderHeld', data: { holdType: 'payment', note: 'authorization failed: declined', at: NOW } },
      ]);
    expect(orderOf(state).payment).toMatchObject({ pending: { authorize: 0 }, settled: ['authorize-1'] });
    expect(deriveStatus(orderOf(state))).toBe('on_hold');
    spec.givenState(state).when(releaseFulfillments()).thenFails('illegal_transition', /on hold \(payment\)/);
    spec.givenState(state).when(settlePayments()).thenFails('illegal_transition');
    spec.givenState(state).when(recordFact(fact)).then([]);
  });
});

describe('SettlePayments under gateway payments: money follows goods', () => {
  it('captures per shipment, against the authorization', () => {
    const firstShipped = decided(authorizedAndReleased(), recordFact(factShipped(ful(1), 'shp_1', [['l1', 1]])));
    const asked = spec.given(firstShipped).when(settlePayments()).then([requested('capture', UNIT, 'capture-1', 'auth_1')]);
    expect(orderOf(asked).payment.pending.capture).toBe(UNIT);
    // A second shipment before the first capture is answered asks only for the new goods.
    const second = decided([...firstShipped, requested('capture', UNIT, 'capture-1', 'auth_1')], recordFact(factShipped(ful(1), 'shp_2', [['l1', 2], ['l2', 2]])));
    spec.given(second).when(settlePayments()).then([requested('capture', 4 * UNIT, 'capture-2', 'auth_1')]);
  });

  it('records a capture once, by its reference; settled once every shipment is captured', () => {
    const all = decided(authorizedAndReleased(), recordFact(factShipped(ful(1), 'shp_1', [['l1', 3], ['l2', 2]])), settlePayments());
    const state = spec
      .given(all)
      .when(recordFact(captured(ORDER_VALUE, 'capture-1')))
      .then([{ type: 'PaymentCaptured', data: { captureId: 'cap_capture-1', amount: ORDER_VALUE, reference: 'capture-1' } }]);
    expect(orderOf(state).payment).toMatchObject({ captured: ORDER_VALUE, pending: { capture: 0 }, settled: ['capture-1'] });
    expect(paymentSettled(orderOf(state))).toBe(true);
    spec.givenState(state).when(recordFact(captured(ORDER_VALUE, 'capture-1', 'cap_other'))).then([]);
    spec.givenState(state).when(settlePayments()).thenFails('illegal_transition', /in line with its goods/);
  });

  it('voids what was cancelled before release at once', () => {
    const given = decided([gatewayPlaced(), paymentAuthorized('auth_1', ORDER_VALUE)], ROUTE_ALL_AT_A, cancelAtNodes({}, [{ lineId: 'l2', quantity: 2 }]));
    const state = spec.given(given).when(settlePayments()).then([requested('void', 2 * UNIT, 'void-1', 'auth_1')]);
    // The rest stays authorized for what may still ship.
    expect(openAuthorization(orderOf(state))).toBe(3 * UNIT);
  });

  it('voids part after a cancellation at the node, once the node has cancelled', () => {
    const asked = decided(authorizedAndReleased(), cancelAtNodes({ node_a: CAN_CANCEL }, [{ lineId: 'l2', quantity: 2 }]));
    spec.given(asked).when(settlePayments()).thenFails('illegal_transition', /in line with its goods/);
    const cancelled = decided(asked, recordFact(factCancellation(ful(1), 'cancelled')));
    spec.given(cancelled).when(settlePayments()).then([requested('void', 2 * UNIT, 'void-1', 'auth_1')]);
  });

  it('voids all of it when nothing can ship any more', () => {
    const cancelled = decided([gatewayPlaced(), paymentAuthorized('auth_1', ORDER_VALUE)], cancelAtNodes({}));
    const asked = spec.given(cancelled).when(settlePayments()).then([requested('void', ORDER_VALUE, 'void-1', 'auth_1')]);
    const state = spec
      .givenState(asked)
      .when(recordFact(voided(ORDER_VALUE, 'void-1')))
      .then([{ type: 'PaymentVoided', data: { amount: ORDER_VALUE, reference: 'void-1' } }]);
    expect(paymentSettled(orderOf(state))).toBe(true);
    // Settled, and final as cancelled: closing would only hide why it ended.
    spec.givenState(state).when(closeOrder(NOW)).thenFails('illegal_transition', /a cancelled order stays cancelled/);
  });

  it('captures what shipped and voids the rest of an over-authorization in one go once nothing else can ship', () => {
    const given = decided(
      [gatewayPlaced(), paymentAuthorized('auth_1', ORDER_VALUE + 500)],
      ROUTE_ALL_AT_A,
      releaseFulfillments(),
      recordFact(factShipped(ful(1), 'shp_1', [['l1', 3]])),
      cancelAtNodes({ node_a: CAN_CANCEL }),
      recordFact(factCancellation(ful(1), 'cancelled')),
    );
    spec
      .given(given)
      .when(settlePayments())
      .then([requested('capture', 3 * UNIT, 'capture-1', 'auth_1'), requested('void', 2 * UNIT + 500, 'void-2', 'auth_1')]);
  });

  it('refunds what came back', () => {
    const returned = decided(
      authorizedAndReleased(),
      recordFact(factShipped(ful(1), 'shp_1', [['l1', 3], ['l2', 2]])),
      settlePayments(),
      recordFact(captured(ORDER_VALUE, 'capture-1')),
      recordFact(factDelivered(ful(1), 'shp_1')),
      authorizeReturn([{ lineId: 'l1', quantity: 1 }]),
      recordFact(factReturnReceived(ret(1), [['l1', 1, 'damaged']])),
    );
    const asked = spec.given(returned).when(settlePayments()).then([requested('refund', UNIT, 'refund-2')]);
    const state = spec
      .givenState(asked)
      .when(recordFact(refunded(UNIT, 'refund-2')))
      .then([{ type: 'RefundIssued', data: { refundId: 'rfd_refund-2', amount: UNIT, reference: 'refund-2' } }]);
    expect(orderOf(state).payment).toMatchObject({ captured: ORDER_VALUE, refunded: UNIT, pending: { refund: 0 } });
    expect(paymentSettled(orderOf(state))).toBe(true);
  });

  it('does not refund before the capture it would give back is answered', () => {
    const given = decided(
      authorizedAndReleased(),
      recordFact(factShipped(ful(1), 'shp_1', [['l1', 1]])),
      settlePayments(),
      authorizeReturn([{ lineId: 'l1', quantity: 1 }]),
      recordFact(factReturnReceived(ret(1), [['l1', 1, 'restock']])),
    );
    spec.given(given).when(settlePayments()).thenFails('illegal_transition', /in line with its goods/);
    spec.given(decided(given, recordFact(captured(UNIT, 'capture-1')))).when(settlePayments()).then([requested('refund', UNIT, 'refund-2')]);
  });
});

describe('payment results that do not fit', () => {
  const shippedAndAsked = (): OrderEvent[] => decided(authorizedAndReleased(), recordFact(factShipped(ful(1), 'shp_1', [['l1', 1]])), settlePayments());

  it('a failure gives up the amount asked, raises an exception, and nothing is asked again', () => {
    const fact: OrderFact = { type: 'payment.failed', operation: 'capture', amount: UNIT, reference: 'capture-1', reason: 'expired' };
    const state = spec
      .given(shippedAndAsked())
      .when(recordFact(fact))
      .then([{ type: 'PaymentOperationFailed', data: { operation: 'capture', amount: UNIT, reference: 'capture-1', reason: 'expired', exceptionId: 'exc_fact' } }]);
    const order = orderOf(state);
    expect(order.payment).toMatchObject({ failed: { capture: UNIT }, pending: { capture: 0 }, settled: ['capture-1'] });
    expect(order.exceptions).toEqual([{ exceptionId: 'exc_fact', type: 'payment_failed' }]);
    expect(paymentSettled(order)).toBe(false);
    spec.givenState(state).when(settlePayments()).thenFails('illegal_transition');
    spec.givenState(state).when(recordFact(fact)).then([]);
  });

  it('an operator retry clears the failures, and the owed capture is asked again under a new reference', () => {
    const failed = spec
      .given(shippedAndAsked())
      .when(recordFact({ type: 'payment.failed', operation: 'capture', amount: UNIT, reference: 'capture-1', reason: 'expired' }))
      .then([{ type: 'PaymentOperationFailed', data: { operation: 'capture', amount: UNIT, reference: 'capture-1', reason: 'expired', exceptionId: 'exc_fact' } }]);
    const retried = spec
      .givenState(failed)
      .when({ type: 'RetryPayments', note: 'card updated', now: NOW })
      .then([{ type: 'PaymentFailuresCleared', data: { capture: UNIT, void: 0, refund: 0, note: 'card updated' } }]);
    expect(orderOf(retried).payment.failed).toEqual({ capture: 0, void: 0, refund: 0 });
    const asked = spec.givenState(retried).when(settlePayments()).then([requested('capture', UNIT, 'capture-2', 'auth_1')]);
    expect(orderOf(asked).payment.pending.capture).toBe(UNIT);
    // Nothing failed any more: a second retry is refused.
    spec.givenState(asked).when({ type: 'RetryPayments', now: NOW }).thenFails('illegal_transition', /no payment operation has failed/);
  });

  it('a capture of more than asked is recorded as it happened, with a conflict; the excess is refunded', () => {
    const fact = captured(UNIT + 100, 'capture-1');
    const state = spec
      .given(shippedAndAsked())
      .when(recordFact(fact))
      .then([
        { type: 'PaymentCaptured', data: { captureId: 'cap_capture-1', amount: UNIT + 100, reference: 'capture-1' } },
        conflictDetected('payment_unexpected', fact, true, ['resync', 'resolve', 'escalate'], undefined, expect.stringMatching(/the gateway reports a capture of 2099 \(capture-1\)/)),
      ]);
    expect(orderOf(state).payment).toMatchObject({ captured: UNIT + 100, pending: { capture: 0 } });
    spec.givenState(state).when(settlePayments()).then([requested('refund', 100, 'refund-2')]);
  });

  it('a capture under a reference never asked is recorded with a conflict', () => {
    const fact = captured(UNIT, 'capture-9');
    spec
      .given(authorizedAndReleased())
      .when(recordFact(fact))
      .then([
        { type: 'PaymentCaptured', data: { captureId: 'cap_capture-9', amount: UNIT, reference: 'capture-9' } },
        conflictDetected('payment_unexpected', fact, true, ['resync', 'resolve', 'escalate']),
      ]);
  });

  it('a capture of less than asked is recorded with a conflict, and the rest is asked again rather than awaited forever', () => {
    const fact = captured(1000, 'capture-1');
    const state = spec
      .given(shippedAndAsked())
      .when(recordFact(fact))
      .then([
        { type: 'PaymentCaptured', data: { captureId: 'cap_capture-1', amount: 1000, reference: 'capture-1' } },
        conflictDetected('payment_unexpected', fact, true, ['resync', 'resolve', 'escalate'], undefined, expect.stringMatching(/capture of 1000 \(capture-1\) but 1999 was asked/)),
      ]);
    expect(orderOf(state).payment).toMatchObject({ captured: 1000, pending: { capture: 0 } });
    spec.givenState(state).when(settlePayments()).then([requested('capture', UNIT - 1000, 'capture-2', 'auth_1')]);
  });

  it('a void of less than asked leaves the rest to be voided again', () => {
    const given = decided([gatewayPlaced(), paymentAuthorized('auth_1', ORDER_VALUE)], cancelAtNodes({}), settlePayments());
    const state = fold(decided(given, recordFact(voided(ORDER_VALUE - 5, 'void-1'))));
    expect(orderOf(state).payment.pending.void).toBe(0);
    spec.givenState(state).when(settlePayments()).then([requested('void', 5, 'void-2', 'auth_1')]);
  });
});

describe('channel payments', () => {
  it('ask nothing of a gateway: the channel settles', () => {
    const shipped = decided([orderPlaced()], ROUTE_ALL_AT_A, releaseFulfillments(), recordFact(factShipped(ful(1), 'shp_1', [['l1', 3], ['l2', 2]])));
    spec.given(shipped).when(settlePayments()).thenFails('illegal_transition', /in line with its goods/);
    expect(paymentSettled(orderOf(fold(shipped)))).toBe(true);
  });

  it('record what the channel reports without conflicts, once per reference', () => {
    const shipped = decided([orderPlaced(draft({ payment: { authorizationId: 'auth_c', amount: ORDER_VALUE } }))], ROUTE_ALL_AT_A);
    const state = spec
      .given(shipped)
      .when(recordFact(refunded(500, 'rf-77')))
      .then([{ type: 'RefundIssued', data: { refundId: 'rfd_rf-77', amount: 500, reference: 'rf-77' } }]);
    expect(orderOf(state).payment).toMatchObject({ refunded: 500, pending: { refund: 0 }, settled: ['rf-77'] });
    spec.givenState(state).when(recordFact(refunded(500, 'rf-77'))).then([]);
    spec
      .givenState(state)
      .when(recordFact(captured(ORDER_VALUE, 'cp-1')))
      .then([{ type: 'PaymentCaptured', data: { captureId: 'cap_cp-1', amount: ORDER_VALUE, reference: 'cp-1' } }]);
  });

  it('close without payment checks once the goods are done', () => {
    const delivered = decided(
      [orderPlaced()],
      ROUTE_ALL_AT_A,
      releaseFulfillments(),
      recordFact(factShipped(ful(1), 'shp_1', [['l1', 3], ['l2', 2]])),
      recordFact(factDelivered(ful(1), 'shp_1')),
    );
    spec.given(delivered).when(closeOrder(LATE)).then([{ type: 'OrderClosed', data: { at: LATE } }]);
  });
});

describe('payment facts that are malformed', () => {
  it('are refused as validation_failed on amount', () => {
    const error = spec.given(authorizedAndReleased()).when(recordFact(captured(-1, 'capture-1'))).thenFails('validation_failed');
    expect(error.errors).toEqual([{ path: 'amount', message: 'must be whole minor units ≥ 0' }]);
    spec.given(authorizedAndReleased()).when(recordFact(voided(1.5, 'void-1'))).thenFails('validation_failed');
  });
});
