import { describe, expect, it } from 'vitest';
import { factSchema } from '../../src/connectors/factSchema.js';
import type { Envelope, OutboundMessage, PaymentAuthorizeMessage } from '../../src/connectors/port.js';
import { createInProcessConnector } from '../../src/connectors/sim/inProcessConnector.js';
import type { PaymentGatewayInput } from '../../src/connectors/sim/paymentGatewaySimulator.js';
import { createPaymentGatewaySimulator } from '../../src/connectors/sim/paymentGatewaySimulator.js';
import { failureOf, signal } from './sim.fixtures.js';

const ORDER = 'ord_1';
const authorize = (amount: number): PaymentAuthorizeMessage => ({ type: 'payment.authorize', orderId: ORDER, amount, currency: 'USD' });
const capture = (authorizationId: string, amount: number, reference: string): OutboundMessage => ({ type: 'payment.capture', orderId: ORDER, authorizationId, amount, currency: 'USD', reference });
const voidAuth = (authorizationId: string, amount: number): OutboundMessage => ({ type: 'payment.void', orderId: ORDER, authorizationId, amount, currency: 'USD', reference: 'cancel-1' });
const refund = (amount: number, reference: string): OutboundMessage => ({ type: 'payment.refund', orderId: ORDER, amount, currency: 'USD', reference });

function setup(over: PaymentGatewayInput = {}) {
  const gateway = createPaymentGatewaySimulator({ runId: 'r1', ...over });
  const connector = createInProcessConnector(gateway);
  let n = 0;
  const send = (message: OutboundMessage, key = `k${++n}`) => connector.send({ messageId: key, idempotencyKey: key, attempt: 1, message } satisfies Envelope, { signal: signal() });
  return { gateway, connector, send };
}

describe('payment gateway simulator', () => {
  it('authorizes, captures in parts, voids the rest and refunds, answering each with its fact; the ledger is exact to the cent', async () => {
    const { gateway, send } = setup();
    const auth = await send(authorize(10_000));
    expect(auth.facts).toEqual([{ type: 'payment.authorized', orderId: ORDER, authorizationId: 'payments-r1-auth-1', amount: 10_000 }]);
    const first = await send(capture('payments-r1-auth-1', 3_999, 'shp_1'));
    expect(first.facts).toEqual([{ type: 'payment.captured', orderId: ORDER, captureId: 'payments-r1-cap-2', amount: 3_999, reference: 'shp_1' }]);
    await send(capture('payments-r1-auth-1', 4_001, 'shp_2'));
    expect((await send(voidAuth('payments-r1-auth-1', 2_000))).facts).toEqual([{ type: 'payment.voided', orderId: ORDER, amount: 2_000, reference: 'cancel-1' }]);
    expect((await send(refund(1_001, 'ret_1'))).facts).toMatchObject([{ type: 'payment.refunded', amount: 1_001, reference: 'ret_1' }]);
    expect(gateway.snapshot().orders).toEqual([{ orderId: ORDER, currency: 'USD', authorized: 10_000, captured: 8_000, voided: 2_000, refunded: 1_001, declined: 0 }]);
    expect(gateway.reconciliationRows()).toEqual([{ orderId: ORDER, authorized: 10_000, captured: 8_000, refunded: 1_001 }]);
    expect(gateway.duplicateReferences()).toEqual([]);
  });

  it('every fact it answers with is canonical', async () => {
    const { send } = setup();
    const facts = [
      ...((await send(authorize(500))).facts ?? []),
      ...((await send(authorize(1013))).facts ?? []),
      ...((await send(capture('payments-r1-auth-1', 500, 'x'))).facts ?? []),
    ];
    expect(facts).toHaveLength(3);
    for (const f of facts) expect(factSchema.safeParse(f).success).toBe(true);
  });

  it('declines amounts ending in 13 (by rule) with an authorization_failed fact', async () => {
    const { gateway, send } = setup();
    expect((await send(authorize(4_213))).facts).toEqual([{ type: 'payment.authorization_failed', orderId: ORDER, reason: 'declined' }]);
    expect((await send(authorize(4_214))).facts![0]!.type).toBe('payment.authorized');
    expect(gateway.snapshot().orders[0]).toMatchObject({ authorized: 4_214, declined: 4_213 });
  });

  it('declines at a configured rate, the same way for the same seed', async () => {
    const outcomes = async (seed: number) => {
      const { send } = setup({ seed, declines: { amountsEndingIn: [], rate: 0.5 } });
      const out: string[] = [];
      for (let i = 0; i < 20; i++) out.push((await send(authorize(1_000 + i))).facts![0]!.type);
      return out;
    };
    const a = await outcomes(9);
    expect(new Set(a)).toEqual(new Set(['payment.authorized', 'payment.authorization_failed']));
    expect(await outcomes(9)).toEqual(a);
  });

  it('refuses more than is open, more than was captured, a currency change, an unknown authorization when strict', async () => {
    const { send } = setup({ unknownAuthorizations: 'refuse' });
    await send(authorize(1_000));
    const code = async (p: Promise<unknown>) => failureOf(p).then((e) => `${e.kind}:${e.code}`);
    expect(await code(send(capture('payments-r1-auth-1', 1_001, 's')))).toBe('business:amount_exceeds_authorization');
    expect(await code(send(refund(1, 'r')))).toBe('business:amount_exceeds_captured');
    expect(await code(send({ ...authorize(5), currency: 'EUR' }))).toBe('business:currency_mismatch');
    expect(await code(send(capture('auth-from-checkout', 100, 's')))).toBe('business:unknown_authorization');
    expect(await code(send({ ...authorize(5), amount: -1 } as OutboundMessage))).toBe('business:invalid_message');
  });

  it('takes a checkout authorization on trust by default', async () => {
    const { gateway, send } = setup();
    expect((await send(capture('auth-77', 3_998, 'shp_1'))).facts![0]).toMatchObject({ type: 'payment.captured', amount: 3_998 });
    expect(gateway.snapshot().orders[0]).toMatchObject({ authorized: 3_998, captured: 3_998 });
  });

  it('is idempotent by key: a resend gets the first answer (same capture id) and charges once; another body is refused', async () => {
    const { gateway, send } = setup();
    await send(authorize(5_000), 'auth-key');
    const first = await send(capture('payments-r1-auth-1', 2_000, 'shp_1'), 'cap-key');
    const again = await send(capture('payments-r1-auth-1', 2_000, 'shp_1'), 'cap-key');
    expect(again).toEqual(first);
    expect(gateway.snapshot().orders[0]!.captured).toBe(2_000);
    expect(gateway.counters().byKey['cap-key']).toEqual({ arrived: 2, accepted: 1 });
    await expect(send(capture('payments-r1-auth-1', 2_500, 'shp_1'), 'cap-key')).rejects.toMatchObject({ kind: 'business', code: 'idempotency_key_reused' });
  });

  it('without deduplication a resend charges twice, and duplicateReferences shows it', async () => {
    const { gateway, send } = setup({ dedupe: false });
    await send(authorize(5_000), 'auth-key');
    await send(capture('payments-r1-auth-1', 2_000, 'shp_1'), 'cap-key');
    await send(capture('payments-r1-auth-1', 2_000, 'shp_1'), 'cap-key');
    expect(gateway.snapshot().orders[0]!.captured).toBe(4_000);
    expect(gateway.duplicateReferences()).toEqual([`payment.capture ${ORDER}/shp_1`]);
  });

  it('a dropped answer to a capture: the status query returns the capture fact', async () => {
    const { connector, gateway } = setup({ dedupe: false, faults: { dropAckOnFirst: 1 } });
    const e: Envelope = { messageId: 'm', idempotencyKey: 'cap-1', attempt: 1, message: capture('auth-77', 700, 'shp_9') };
    await expect(connector.send(e, { signal: signal() })).rejects.toMatchObject({ kind: 'ambiguous' });
    const status = await connector.queryStatus!(e, { signal: signal() });
    expect(status).toMatchObject({ status: 'received', facts: [{ type: 'payment.captured', amount: 700, reference: 'shp_9' }] });
    expect(gateway.snapshot().orders[0]!.captured).toBe(700);
  });
});
