import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Fact } from '../port.js';
import type { SimFaultsInput } from './faults.js';
import { randomFor } from './random.js';
import type { SimClock } from './simClock.js';
import { createSimClock } from './simClock.js';
import type { SimAnswer, SimCounters, SimRequest, Simulator } from './simCore.js';
import { createSimCore, invalidAnswer, refuseAnswer } from './simCore.js';

export const paymentGatewaySchema = z.strictObject({
  id: z.string().min(1).max(128).default('payments'),
  seed: z.int().default(1),
  runId: z.string().regex(/^[A-Za-z0-9]{1,16}$/).optional(),
  /** Gateways deduplicate by Idempotency-Key; turn it off to watch a resend charge twice. */
  dedupe: z.boolean().default(true),
  /** Authorizations declined: amounts (minor units) whose last two digits are listed, and a random rate. */
  declines: z
    .strictObject({ amountsEndingIn: z.array(z.int().min(0).max(99)).default([13]), rate: z.number().min(0).max(1).default(0) })
    .default({ amountsEndingIn: [13], rate: 0 }),
  /**
   * A capture or void naming an authorization this gateway never issued (the storefront
   * authorized at checkout): `accept` records it as authorized for that amount; `refuse` answers 422.
   */
  unknownAuthorizations: z.enum(['accept', 'refuse']).default('accept'),
});
export type PaymentGatewayInput = z.input<typeof paymentGatewaySchema> & { readonly faults?: SimFaultsInput; readonly clock?: SimClock };

const money = z.int().min(0);
const base = { orderId: z.string().min(1), amount: money, currency: z.string().regex(/^[A-Z]{3}$/) };
const messages = {
  'payment.authorize': z.object(base),
  'payment.capture': z.object({ ...base, authorizationId: z.string().min(1), reference: z.string().min(1) }),
  'payment.void': z.object({ ...base, authorizationId: z.string().min(1), reference: z.string().min(1) }),
  'payment.refund': z.object({ ...base, reference: z.string().min(1) }),
};
type PaymentType = keyof typeof messages;
const isPaymentType = (t: string): t is PaymentType => Object.prototype.hasOwnProperty.call(messages, t);

interface Authorization {
  readonly amount: number;
  captured: number;
  voided: number;
  /** Issued elsewhere (at checkout) and taken on trust. */
  readonly implicit: boolean;
}
interface Ledger {
  readonly currency: string;
  readonly authorizations: Map<string, Authorization>;
  declined: number;
  refunded: number;
}

/**
 * A payment gateway: authorize, capture, void and refund in the wire format, idempotent by key,
 * answering each with the fact it produced (`{ facts: [...] }`), and keeping a per-order ledger
 * to the cent for reconciliation.
 */
export function createPaymentGatewaySimulator(input: PaymentGatewayInput = {}) {
  const { faults, clock: givenClock, ...data } = input;
  const options = paymentGatewaySchema.parse(data);
  const clock = givenClock ?? createSimClock();
  const runId = options.runId ?? randomBytes(3).toString('hex');
  const core = createSimCore({ id: options.id, seed: options.seed, clock, dedupe: options.dedupe, ...(faults ? { faults } : {}) });
  const ledgers = new Map<string, Ledger>();
  const references = new Map<string, number>();
  let serial = 0;
  const newId = (kind: string) => `${options.id}-${runId}-${kind}-${++serial}`;

  function ledgerFor(orderId: string, currency: string): Ledger | SimAnswer {
    const existing = ledgers.get(orderId);
    if (existing && existing.currency !== currency) return refuseAnswer('currency_mismatch', `the order is in ${existing.currency}`);
    if (existing) return existing;
    const fresh: Ledger = { currency, authorizations: new Map(), declined: 0, refunded: 0 };
    ledgers.set(orderId, fresh);
    return fresh;
  }

  const counted = (type: PaymentType, reference: string | undefined, fact: Fact): SimAnswer => {
    // A reference is the merchant's per order (`capture-2` recurs across orders): counted per order.
    const key = `${type} ${'orderId' in fact ? fact.orderId : ''}/${reference}`;
    if (reference !== undefined) references.set(key, (references.get(key) ?? 0) + 1);
    return { status: 200, body: { facts: [fact] } };
  };

  function authorize(m: z.output<(typeof messages)['payment.authorize']>, ledger: Ledger, key: string): SimAnswer {
    const declined = options.declines.amountsEndingIn.includes(m.amount % 100) || randomFor(options.seed, options.id, 'decline', key).chance(options.declines.rate);
    if (declined) {
      ledger.declined += m.amount;
      return counted('payment.authorize', undefined, { type: 'payment.authorization_failed', orderId: m.orderId, reason: 'declined' });
    }
    const authorizationId = newId('auth');
    ledger.authorizations.set(authorizationId, { amount: m.amount, captured: 0, voided: 0, implicit: false });
    return counted('payment.authorize', undefined, { type: 'payment.authorized', orderId: m.orderId, authorizationId, amount: m.amount });
  }

  function settle(type: 'payment.capture' | 'payment.void', m: z.output<(typeof messages)['payment.capture']>, ledger: Ledger): SimAnswer {
    let auth = ledger.authorizations.get(m.authorizationId);
    if (!auth && options.unknownAuthorizations === 'refuse') return refuseAnswer('unknown_authorization', `no authorization ${m.authorizationId} for this order`);
    if (!auth) {
      auth = { amount: m.amount, captured: 0, voided: 0, implicit: true };
      ledger.authorizations.set(m.authorizationId, auth);
    }
    const open = auth.amount - auth.captured - auth.voided;
    if (m.amount > open) return refuseAnswer('amount_exceeds_authorization', `${open} remains on the authorization`);
    if (type === 'payment.void') {
      auth.voided += m.amount;
      return counted(type, m.reference, { type: 'payment.voided', orderId: m.orderId, amount: m.amount, reference: m.reference });
    }
    auth.captured += m.amount;
    return counted(type, m.reference, { type: 'payment.captured', orderId: m.orderId, captureId: newId('cap'), amount: m.amount, reference: m.reference });
  }

  function refund(m: z.output<(typeof messages)['payment.refund']>, ledger: Ledger): SimAnswer {
    const refundable = sum(ledger, 'captured') - ledger.refunded;
    if (m.amount > refundable) return refuseAnswer('amount_exceeds_captured', `${refundable} is refundable`);
    ledger.refunded += m.amount;
    return counted('payment.refund', m.reference, { type: 'payment.refunded', orderId: m.orderId, refundId: newId('ref'), amount: m.amount, reference: m.reference });
  }

  function handle(type: PaymentType, message: unknown, key: string): SimAnswer {
    const parsed = messages[type].safeParse(message);
    if (!parsed.success) return invalidAnswer(parsed.error.issues);
    const ledger = ledgerFor(parsed.data.orderId, parsed.data.currency);
    if ('status' in ledger) return ledger;
    switch (type) {
      case 'payment.authorize':
        return authorize(parsed.data, ledger, key);
      case 'payment.capture':
      case 'payment.void':
        return settle(type, messages[type].parse(message), ledger);
      case 'payment.refund':
        return refund(messages[type].parse(message), ledger);
    }
  }

  const view = () =>
    [...ledgers].map(([orderId, l]) => ({
      orderId,
      currency: l.currency,
      authorized: sum(l, 'amount'),
      captured: sum(l, 'captured'),
      voided: sum(l, 'voided'),
      refunded: l.refunded,
      declined: l.declined,
    }));

  const simulator = {
    id: options.id,
    kind: 'payment' as const,
    clock,
    capabilities: { deduplicates: options.dedupe, canCancel: false, partialCancel: false, statusQuery: true },
    handles: Object.keys(messages) as PaymentType[],
    receive: (request: SimRequest) =>
      core.receive(request, (r) => (isPaymentType(r.type) ? handle(r.type, r.message, r.idempotencyKey) : refuseAnswer('unsupported_message', `${r.type} is not handled here`))),
    status: core.status,
    faults: core.faults,
    setFaults: core.setFaults,
    watchFaults: core.watchFaults,
    counters: (): SimCounters => core.counters(),
    /** Captures, voids or refunds that happened more than once for the same order and reference (`<type> <orderId>/<reference>`): empty in a correct run. */
    duplicateReferences: (): string[] => [...references].filter(([, n]) => n > 1).map(([k]) => k),
    /** Amounts per order, in minor units. */
    snapshot: () => ({ asOf: clock.now(), orders: view() }),
    /** Rows for `POST /v1/reconciliations` of kind `payments` (docs/api.md). */
    reconciliationRows: () => view().map(({ orderId, authorized, captured, refunded }) => ({ orderId, authorized, captured, refunded })),
  } satisfies Simulator & Record<string, unknown>;
  return simulator;
}

export type PaymentGatewaySimulator = ReturnType<typeof createPaymentGatewaySimulator>;

function sum(ledger: Ledger, field: 'amount' | 'captured' | 'voided'): number {
  let total = 0;
  for (const a of ledger.authorizations.values()) total += a[field];
  return total;
}
