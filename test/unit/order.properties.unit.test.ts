import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Buckets, LineDraft, Order, OrderCommand, OrderDraft, OrderEvent, OrderState } from '../../src/domain/order/index.js';
import {
  BUCKETS,
  CANCELLABLE_BEFORE_RELEASE,
  HOLD_TYPES,
  ORDER_LIFECYCLE,
  ORDER_STATUSES,
  bucketTotal,
  decide,
  deriveStatus,
  fold,
  initialState,
  validateDraft,
} from '../../src/domain/order/index.js';
import { MAX_MINOR_AMOUNT } from '../../src/domain/money.js';
import type { DomainErrorCode } from '../../src/domain/result.js';
import { assertNever } from '../../src/domain/result.js';
import { deepFreeze } from '../support/deciderSpec.js';
import { NOW, ORDER_ID, draft, lineDraft, orderWithBuckets, placedState } from '../support/orderFixtures.js';

const RUNS = { numRuns: 300 };
const LINE_IDS = ['l1', 'l2', 'l3', 'l4'] as const;

// Arbitraries

const lineArb = (lineId: string): fc.Arbitrary<LineDraft> =>
  fc
    .record({ quantity: fc.integer({ min: 1, max: 12 }), unitPrice: fc.integer({ min: 0, max: 100_000 }) })
    .map(({ quantity, unitPrice }) => lineDraft(lineId, quantity, { unitPrice }));

const validDraftArb: fc.Arbitrary<OrderDraft> = fc
  .record({
    lineCount: fc.integer({ min: 1, max: LINE_IDS.length }),
    lines: fc.tuple(...LINE_IDS.map(lineArb)),
    currency: fc.constantFrom('EUR', 'USD', 'JPY', 'KWD'),
    payment: fc.option(
      fc.record({ authorizationId: fc.constantFrom('auth_0', 'auth_1'), amount: fc.integer({ min: 0, max: 1_000_000 }) }),
      { nil: undefined },
    ),
  })
  .map(({ lineCount, lines, currency, payment }) =>
    draft({ currency, lines: lines.slice(0, lineCount), ...(payment ? { payment } : {}) }),
  );

/** Mostly valid drafts; sometimes one the decider must refuse, after which every command is not_found. */
const draftArb: fc.Arbitrary<OrderDraft> = fc.oneof(
  { weight: 9, arbitrary: validDraftArb },
  {
    weight: 1,
    arbitrary: validDraftArb.chain((d) =>
      fc.constantFrom<OrderDraft>(
        { ...d, currency: 'XXX' },
        { ...d, lines: [] },
        { ...d, lines: [...d.lines, { ...lineDraft('l1', 1) }] },
        { ...d, lines: d.lines.map((l) => ({ ...l, quantity: 0 })) },
      ),
    ),
  },
);

const quantityArb = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 8 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -1, 1.5, 13) },
);

const commandArb: fc.Arbitrary<OrderCommand> = fc.oneof(
  fc.record({ type: fc.constant('HoldOrder' as const), holdType: fc.constantFrom(...HOLD_TYPES), now: fc.constant(NOW) }),
  fc.record({ type: fc.constant('ReleaseHold' as const), holdType: fc.constantFrom(...HOLD_TYPES), now: fc.constant(NOW) }),
  fc.record({ type: fc.constant('CancelOrder' as const), reason: fc.constantFrom('customer', 'fraud'), now: fc.constant(NOW) }),
  fc.record({
    type: fc.constant('CancelOrder' as const),
    reason: fc.constantFrom('customer', 'stock'),
    lines: fc.array(fc.record({ lineId: fc.constantFrom(...LINE_IDS, 'l_unknown'), quantity: quantityArb }), {
      minLength: 0,
      maxLength: 3,
    }),
    now: fc.constant(NOW),
  }),
  fc.record({
    type: fc.constant('RecordPaymentAuthorization' as const),
    authorizationId: fc.constantFrom('auth_0', 'auth_1', 'auth_2', 'auth_3'),
    amount: fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 1, max: 1_000_000 }) },
      { weight: 1, arbitrary: fc.constantFrom(0, -5, 2.5) },
    ),
    now: fc.constant(NOW),
  }),
  fc.constant<OrderCommand>({ type: 'PlaceOrder', orderId: ORDER_ID, order: draft(), now: NOW }),
);

const scenarioArb = fc.record({ placed: draftArb, commands: fc.array(commandArb, { maxLength: 25 }) });

/** Any order whose lines sit in any buckets: reaches states the events of this slice cannot yet. */
const bucketsArb: fc.Arbitrary<Partial<Buckets>> = fc.record(
  Object.fromEntries(BUCKETS.map((b) => [b, fc.integer({ min: 0, max: 3 })])) as Record<keyof Buckets, fc.Arbitrary<number>>,
);
const anyOrderArb: fc.Arbitrary<Order> = fc
  .record({
    lines: fc.array(bucketsArb, { minLength: 1, maxLength: LINE_IDS.length }),
    holds: fc.subarray([...HOLD_TYPES]),
  })
  .filter(({ lines }) => lines.every((b) => Object.values(b).some((n) => n > 0)))
  .map(({ lines, holds }) => orderWithBuckets(lines, { holds: holds.map((type) => ({ type, placedAt: NOW })) }));

// An independent oracle of what the decider should say, written from the rules, not from decide.ts.

const cancellableOf = (b: Buckets): number => CANCELLABLE_BEFORE_RELEASE.reduce((s, k) => s + b[k], 0);

function expectedOutcome(command: OrderCommand, state: OrderState): 'ok' | DomainErrorCode {
  if (command.type === 'PlaceOrder') {
    if (state.kind === 'placed') return 'illegal_transition';
    return validateDraft(command.order).length > 0 ? 'validation_failed' : 'ok';
  }
  if (state.kind === 'absent') return 'not_found';
  const order = state.order;
  if (!ORDER_LIFECYCLE[deriveStatus(order)].includes(command.type)) return 'illegal_transition';
  switch (command.type) {
    case 'RecordPaymentAuthorization': {
      const { amount } = command;
      if (!Number.isInteger(amount) || amount < 1 || amount > MAX_MINOR_AMOUNT) return 'validation_failed';
      return order.payment.authorizations.some((a) => a.authorizationId === command.authorizationId) ? 'illegal_transition' : 'ok';
    }
    case 'HoldOrder':
      return order.holds.some((h) => h.type === command.holdType) ? 'illegal_transition' : 'ok';
    case 'ReleaseHold':
      return order.holds.some((h) => h.type === command.holdType) ? 'ok' : 'illegal_transition';
    case 'CancelOrder': {
      if (!command.lines) return order.lines.some((l) => cancellableOf(l.buckets) > 0) ? 'ok' : 'illegal_transition';
      const ids = command.lines.map((w) => w.lineId);
      const known = ids.every((id) => order.lines.some((l) => l.lineId === id));
      const wholeUnits = command.lines.every((w) => Number.isInteger(w.quantity) && w.quantity >= 1);
      if (!known || !wholeUnits || new Set(ids).size !== ids.length) return 'validation_failed';
      const fits = command.lines.every((w) => w.quantity <= cancellableOf(order.lines.find((l) => l.lineId === w.lineId)!.buckets));
      return fits && command.lines.length > 0 ? 'ok' : 'illegal_transition';
    }
    default:
      return assertNever(command);
  }
}

// The run: decide, fold what was accepted, keep refused commands out of the stream.

function expectConservedBuckets(state: OrderState): void {
  if (state.kind !== 'placed') return;
  const violations = state.order.lines.flatMap((line) => [
    ...BUCKETS.filter((b) => !Number.isInteger(line.buckets[b]) || line.buckets[b] < 0).map(
      (b) => `${line.lineId}.${b} = ${line.buckets[b]}`,
    ),
    ...(bucketTotal(line.buckets) === line.quantity ? [] : [`${line.lineId} sums to ${bucketTotal(line.buckets)} ≠ ${line.quantity}`]),
  ]);
  expect(violations).toEqual([]);
}

function expectCancelEffect(command: OrderCommand, before: OrderState, after: OrderState): void {
  if (command.type !== 'CancelOrder' || before.kind !== 'placed' || after.kind !== 'placed') return;
  before.order.lines.forEach((line, i) => {
    const next = after.order.lines[i]!;
    const asked = command.lines
      ? command.lines.filter((w) => w.lineId === line.lineId).reduce((s, w) => s + w.quantity, 0)
      : cancellableOf(line.buckets);
    expect(next.buckets.cancelled - line.buckets.cancelled, `${line.lineId} cancelled by ${asked}`).toBe(asked);
    // Least committed first: a bucket is only touched once every earlier one is empty.
    let left = asked;
    for (const k of CANCELLABLE_BEFORE_RELEASE) {
      const take = Math.min(left, line.buckets[k]);
      expect(next.buckets[k], `${line.lineId}.${k}`).toBe(line.buckets[k] - take);
      left -= take;
    }
    for (const k of ['released', 'shipped', 'delivered', 'returned'] as const) expect(next.buckets[k]).toBe(line.buckets[k]);
  });
  expect(after.order.cancelReason).toBe(command.reason);
}

interface Run {
  readonly start: OrderState;
  readonly accepted: readonly OrderEvent[];
  readonly states: readonly OrderState[];
}

function run(commands: readonly OrderCommand[], start: OrderState = initialState): Run {
  let state = deepFreeze(start);
  const accepted: OrderEvent[] = [];
  const states: OrderState[] = [state];
  for (const command of commands) {
    const snapshot = structuredClone(state);
    const expected = expectedOutcome(command, state);
    const result = decide(command, state);
    expect(state, 'decide leaves the state alone').toStrictEqual(snapshot);
    expect(decide(command, state), 'the same decision twice').toStrictEqual(result);
    if (!result.ok) {
      expect(result.error.code, `${command.type} refused as predicted`).toBe(expected);
      expect(result.error.message.length).toBeGreaterThan(0);
      // Refused: nothing is appended; the state stays the fold of what was accepted.
      expect(fold(accepted, start)).toStrictEqual(state);
    } else {
      expect(expected, `${command.type} accepted as predicted`).toBe('ok');
      expect(result.value.length).toBeGreaterThan(0);
      const before = state;
      state = deepFreeze(fold(result.value, state));
      accepted.push(...deepFreeze(result.value));
      expectCancelEffect(command, before, state);
    }
    expectConservedBuckets(state);
    if (state.kind === 'placed') expect(ORDER_STATUSES).toContain(deriveStatus(state.order));
    states.push(state);
  }
  return { start, accepted, states };
}

const placeThen = ({ placed, commands }: { placed: OrderDraft; commands: readonly OrderCommand[] }): Run =>
  run([{ type: 'PlaceOrder', orderId: ORDER_ID, order: placed, now: NOW }, ...commands]);

describe('order decider properties', () => {
  it('(1) every line’s buckets are whole, non-negative and sum to its quantity after every step', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { states } = placeThen(s);
        states.forEach(expectConservedBuckets);
      }),
      RUNS,
    );
  });

  it('(2) a refused command is an error from the taxonomy, predicted by the rules, and changes nothing', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        // `run` asserts each outcome against the oracle and, on refusal, state === fold(accepted).
        const { states, accepted } = placeThen(s);
        expect(states.at(-1)).toStrictEqual(fold(accepted));
      }),
      RUNS,
    );
  });

  it('(3) folding the accepted stream is deterministic: twice, in one go, or in any two parts', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { accepted, states } = placeThen(s);
        const once = fold(accepted);
        expect(fold(accepted)).toStrictEqual(once);
        expect(states.at(-1)).toStrictEqual(once);
        for (let k = 0; k <= accepted.length; k++) {
          expect(fold(accepted.slice(k), fold(accepted.slice(0, k)))).toStrictEqual(once);
        }
      }),
      RUNS,
    );
  });

  it('(4) the derived status is always one of ORDER_STATUSES', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { states } = placeThen(s);
        for (const st of states) {
          if (st.kind === 'placed') expect(ORDER_STATUSES).toContain(deriveStatus(st.order));
        }
      }),
      RUNS,
    );
  });

  it('holds (1)–(4) from any bucket distribution, where cancellation takes least-committed quantity first', () => {
    fc.assert(
      fc.property(anyOrderArb, fc.array(commandArb, { maxLength: 15 }), (order, commands) => {
        const start = placedState(order);
        const { accepted, states } = run(commands, start);
        expect(fold(accepted, start)).toStrictEqual(states.at(-1));
      }),
      RUNS,
    );
  });

  it('a whole-order cancel leaves nothing cancellable before release', () => {
    fc.assert(
      fc.property(anyOrderArb, (order) => {
        const result = decide({ type: 'CancelOrder', reason: 'r', now: NOW }, deepFreeze(placedState(order)));
        if (!result.ok) return;
        const after = fold(result.value, placedState(order));
        if (after.kind !== 'placed') throw new Error('order vanished');
        for (const line of after.order.lines) expect(cancellableOf(line.buckets)).toBe(0);
      }),
      RUNS,
    );
  });
});
