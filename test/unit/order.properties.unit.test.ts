import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
  Buckets,
  LineDraft,
  Order,
  OrderCommand,
  OrderDraft,
  OrderEvent,
  OrderState,
  ReservationHeld,
  RouteDecisionInput,
} from '../../src/domain/order/index.js';
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

const NODE_IDS = ['node_a', 'node_b', 'node_c', 'node_d'] as const;
/** Fulfillment and reservation ids derive from the order id without its `ord_` prefix. */
const ID_BASE = ORDER_ID.slice('ord_'.length);

/** Mostly a real line with its sku; sometimes an unknown line, a wrong sku, or a quantity no unit can have. */
const routeLineArb = fc
  .record({
    lineId: fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...LINE_IDS) }, { weight: 1, arbitrary: fc.constant('l_unknown') }),
    skuMatches: fc.oneof({ weight: 12, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    quantity: fc.oneof(
      { weight: 10, arbitrary: fc.integer({ min: 1, max: 4 }) },
      { weight: 1, arbitrary: fc.constantFrom(0, -1, 1.5, 13) },
    ),
  })
  .map(({ lineId, skuMatches, quantity }) => ({ lineId, sku: skuMatches ? `SKU-${lineId}` : 'SKU-other', quantity }));

const decisionHeaderArb = fc.record({
  decisionId: fc.constantFrom('dec_1', 'dec_2', 'dec_3'),
  rulesetVersion: fc.integer({ min: 1, max: 3 }),
  backorders: fc
    .array(fc.record({ lineId: fc.constantFrom(...LINE_IDS), reason: fc.constantFrom('no_stock', 'no_capacity', 'embargo') }), {
      maxLength: 2,
    })
    .map((bs) => bs.map((b) => ({ ...b, sku: `SKU-${b.lineId}`, quantity: 1 }))),
});

/** A decision drawn blind: over 1–3 nodes, quantities that may exceed what is routable, lines that may not exist. */
const blindRouteArb: fc.Arbitrary<OrderCommand> = fc
  .record({
    header: decisionHeaderArb,
    assignments: fc
      .uniqueArray(fc.constantFrom(...NODE_IDS), { minLength: 1, maxLength: 3 })
      .chain((nodes) => fc.tuple(...nodes.map((nodeId) => fc.array(routeLineArb, { maxLength: 3 }).map((lines) => ({ nodeId, lines }))))),
  })
  .map(({ header, assignments }) => ({ type: 'RouteOrder', decision: { ...header, assignments }, now: NOW }));

/**
 * A decision fitted to the order when the step runs (as a router would make it): each node asks for
 * up to 4 units per line and gets what is still routable. Blind decisions alone rarely fit twice.
 */
interface FitRoute {
  readonly type: 'FitRoute';
  readonly header: Omit<RouteDecisionInput, 'assignments'>;
  readonly nodes: readonly string[];
  /** wants[node][line]: units asked for line LINE_IDS[line] at nodes[node]. */
  readonly wants: readonly (readonly number[])[];
}
const fitRouteArb: fc.Arbitrary<FitRoute> = fc.record({
  type: fc.constant('FitRoute' as const),
  header: decisionHeaderArb,
  nodes: fc.uniqueArray(fc.constantFrom(...NODE_IDS), { minLength: 1, maxLength: 3 }),
  wants: fc.array(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: LINE_IDS.length, maxLength: LINE_IDS.length }), {
    minLength: 3,
    maxLength: 3,
  }),
});

type Step = OrderCommand | FitRoute;

function resolve(step: Step, state: OrderState): OrderCommand {
  if (step.type !== 'FitRoute') return step;
  const lines = state.kind === 'placed' ? state.order.lines : [];
  const left = new Map(lines.map((l) => [l.lineId, l.buckets.unallocated + l.buckets.backordered]));
  const assignments = step.nodes.map((nodeId, n) => ({
    nodeId,
    lines: lines.flatMap((l) => {
      const asked = step.wants[n]?.[LINE_IDS.indexOf(l.lineId as (typeof LINE_IDS)[number])] ?? 0;
      const take = Math.min(asked, left.get(l.lineId) ?? 0);
      left.set(l.lineId, (left.get(l.lineId) ?? 0) - take);
      return take > 0 ? [{ lineId: l.lineId, sku: l.sku, quantity: take }] : [];
    }),
  }));
  return { type: 'RouteOrder', decision: { ...step.header, assignments }, now: NOW };
}

const releaseAllocationArb: fc.Arbitrary<OrderCommand> = fc
  .record({
    nodeIds: fc.option(fc.subarray([...NODE_IDS]), { nil: undefined }),
    reason: fc.constantFrom('node_rejected', 'node_closed'),
  })
  .map(({ nodeIds, reason }) => ({ type: 'ReleaseAllocation', reason, now: NOW, ...(nodeIds ? { nodeIds } : {}) }));

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
  blindRouteArb,
  releaseAllocationArb,
);

/** Any command, or a routing decision fitted to the order; fitted routes and releases weigh more so orders get routed. */
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: commandArb },
  { weight: 3, arbitrary: fitRouteArb },
  { weight: 1, arbitrary: releaseAllocationArb },
);

const scenarioArb = fc.record({ placed: draftArb, commands: fc.array(stepArb, { maxLength: 25 }) });

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
  if (command.type === 'RecordFact') throw new Error('facts are not generated here: see order.lifecycle.properties');
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
    case 'RouteOrder': {
      const wanted = new Map<string, number>();
      for (const a of command.decision.assignments) {
        const ids = a.lines.map((l) => l.lineId);
        if (new Set(ids).size !== ids.length) return 'validation_failed';
        for (const l of a.lines) {
          const line = order.lines.find((x) => x.lineId === l.lineId);
          if (!line || line.sku !== l.sku || !Number.isInteger(l.quantity) || l.quantity < 1) return 'validation_failed';
          wanted.set(l.lineId, (wanted.get(l.lineId) ?? 0) + l.quantity);
        }
      }
      const routable = (lineId: string): number => {
        const b = order.lines.find((l) => l.lineId === lineId)!.buckets;
        return b.unallocated + b.backordered;
      };
      if ([...wanted].some(([lineId, q]) => q > routable(lineId))) return 'validation_failed';
      // Something must move: units to allocate, or unallocated units to backorder.
      return wanted.size > 0 || order.lines.some((l) => l.buckets.unallocated > 0) ? 'ok' : 'illegal_transition';
    }
    case 'ReleaseAllocation':
      return order.fulfillments.some(
        (f) => f.status !== 'cancelled' && (!command.nodeIds || command.nodeIds.includes(f.nodeId)),
      )
        ? 'ok'
        : 'illegal_transition';
    // This generator stops at allocation (nothing is released, so no cancellation asks a node);
    // the lifecycle commands have their own properties in order.lifecycle.properties.
    case 'ReleaseFulfillments':
    case 'AuthorizeReturn':
    case 'RaiseException':
    case 'WithdrawFulfillment':
    case 'SettlePayments':
    case 'RetryPayments':
    case 'AcceptExternalShipment':
    case 'CloseOrder':
      throw new Error(`${command.type} is not generated here`);
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

/** The reservations left once `quantity` units of a line are given back, newest first (the rule, restated). */
function releaseNewestFirst(held: readonly ReservationHeld[], lineId: string, quantity: number): ReservationHeld[] {
  let left = quantity;
  const kept: ReservationHeld[] = [];
  for (const r of [...held].reverse()) {
    const take = r.lineId === lineId ? Math.min(left, r.quantity) : 0;
    left -= take;
    if (r.quantity > take) kept.unshift(take > 0 ? { ...r, quantity: r.quantity - take } : r);
  }
  return kept;
}

function expectCancelEffect(command: OrderCommand, before: OrderState, after: OrderState): void {
  if (command.type !== 'CancelOrder' || before.kind !== 'placed' || after.kind !== 'placed') return;
  let held: readonly ReservationHeld[] = before.order.reservations;
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
    held = releaseNewestFirst(held, line.lineId, line.buckets.allocated - next.buckets.allocated);
  });
  // Only the allocated part gives stock back, newest reservation first.
  expect(after.order.reservations, 'reservations released newest first').toStrictEqual(held);
  expect(after.order.cancelReason).toBe(command.reason);
}

function expectRouteEffect(command: OrderCommand, before: OrderState, after: OrderState, events: readonly OrderEvent[]): void {
  if (command.type !== 'RouteOrder' || before.kind !== 'placed' || after.kind !== 'placed') return;
  const { decision } = command;
  const assigned = (lineId: string): number =>
    decision.assignments.flatMap((a) => a.lines).filter((l) => l.lineId === lineId).reduce((s, l) => s + l.quantity, 0);
  // Assigned units are allocated (unallocated first); whatever is still unallocated is backordered.
  before.order.lines.forEach((line, i) => {
    const b = line.buckets;
    const a = assigned(line.lineId);
    expect(after.order.lines[i]!.buckets, line.lineId).toStrictEqual({
      ...b,
      unallocated: 0,
      allocated: b.allocated + a,
      backordered: b.backordered + b.unallocated - a,
    });
  });
  const expectedBackorders = before.order.lines.flatMap((line) => {
    const quantity = line.buckets.unallocated - Math.min(line.buckets.unallocated, assigned(line.lineId));
    const reason = decision.backorders.find((b) => b.lineId === line.lineId)?.reason ?? 'no_stock';
    return quantity > 0 ? [{ lineId: line.lineId, sku: line.sku, quantity, reason }] : [];
  });
  expect(events.flatMap((e) => (e.type === 'OrderRouted' ? e.data.backorders : []))).toStrictEqual(expectedBackorders);

  // One fulfillment per non-empty assignment, numbered on from the ones before; one reservation per fulfillment line.
  const had = before.order.fulfillments.length;
  expect(after.order.fulfillments.slice(0, had)).toStrictEqual(before.order.fulfillments);
  const made = after.order.fulfillments.slice(had);
  expect(made.map((f) => [f.id, f.nodeId, f.stage, f.status, f.lines, f.shipments])).toEqual(
    decision.assignments
      .filter((a) => a.lines.length > 0)
      .map((a, k) => [`ful_${ID_BASE}-${had + k + 1}`, a.nodeId, 'allocated', 'allocated', a.lines.map((l) => ({ ...l, shipped: 0, delivered: 0 })), []]),
  );
  const heldBefore = before.order.reservations.length;
  expect(after.order.reservations.slice(0, heldBefore)).toStrictEqual(before.order.reservations);
  expect(after.order.reservations.slice(heldBefore).map((r) => [r.fulfillmentId, r.nodeId, r.lineId, r.sku, r.quantity])).toEqual(
    made.flatMap((f) => f.lines.map((l) => [f.id, f.nodeId, l.lineId, l.sku, l.quantity])),
  );
  expect(after.order.lastDecision).toStrictEqual({ decisionId: decision.decisionId, rulesetVersion: decision.rulesetVersion });
}

function expectReleaseEffect(command: OrderCommand, before: OrderState, after: OrderState): void {
  if (command.type !== 'ReleaseAllocation' || before.kind !== 'placed' || after.kind !== 'placed') return;
  const at = (nodeId: string): boolean => !command.nodeIds || command.nodeIds.includes(nodeId);
  // Every unit held at those nodes goes back to unallocated; nothing held elsewhere moves.
  before.order.lines.forEach((line, i) => {
    const q = before.order.reservations.filter((r) => r.lineId === line.lineId && at(r.nodeId)).reduce((s, r) => s + r.quantity, 0);
    expect(after.order.lines[i]!.buckets, line.lineId).toStrictEqual({
      ...line.buckets,
      allocated: line.buckets.allocated - q,
      unallocated: line.buckets.unallocated + q,
    });
  });
  expect(after.order.reservations).toStrictEqual(before.order.reservations.filter((r) => !at(r.nodeId)));
  expect(after.order.fulfillments).toHaveLength(before.order.fulfillments.length);
  before.order.fulfillments.forEach((f, k) => {
    expect(after.order.fulfillments[k], f.id).toStrictEqual(at(f.nodeId) ? { ...f, status: 'cancelled', lines: [] } : f);
  });
}

/**
 * Reservations are the stock behind `allocated`: per line they sum to it (`exact`), or at most to it
 * from a start built from buckets alone, where allocated units may have no reservation. Each live
 * fulfillment's lines are exactly what its reservations hold; a cancelled one holds nothing; ids are unique.
 */
function expectReservationsMatchAllocation(state: OrderState, exact: boolean): void {
  if (state.kind !== 'placed') return;
  const { order } = state;
  const problems: string[] = [];
  const heldWhere = (pred: (r: ReservationHeld) => boolean): number =>
    order.reservations.filter(pred).reduce((s, r) => s + r.quantity, 0);
  for (const line of order.lines) {
    const held = heldWhere((r) => r.lineId === line.lineId);
    const allocated = line.buckets.allocated;
    if (exact ? held !== allocated : held > allocated) problems.push(`${line.lineId}: ${held} reserved, ${allocated} allocated`);
  }
  for (const f of order.fulfillments) {
    const held = heldWhere((r) => r.fulfillmentId === f.id);
    const lines = f.lines.reduce((s, l) => s + l.quantity, 0);
    if (f.status === 'cancelled') {
      if (f.lines.length > 0 || held > 0) problems.push(`cancelled ${f.id} still has ${lines} units, ${held} reserved`);
      continue;
    }
    if (lines === 0) problems.push(`${f.id} is live but empty`);
    if (held !== lines) problems.push(`${f.id}: lines sum to ${lines}, reservations to ${held}`);
    for (const l of f.lines) {
      const forLine = heldWhere((r) => r.fulfillmentId === f.id && r.lineId === l.lineId);
      if (forLine !== l.quantity) problems.push(`${f.id}/${l.lineId}: ${l.quantity} in the fulfillment, ${forLine} reserved`);
    }
  }
  for (const r of order.reservations) {
    const f = order.fulfillments.find((x) => x.id === r.fulfillmentId);
    if (!f || f.status === 'cancelled' || f.nodeId !== r.nodeId) problems.push(`${r.reservationId} holds for no live fulfillment at ${r.nodeId}`);
    if (!Number.isInteger(r.quantity) || r.quantity < 1) problems.push(`${r.reservationId} holds ${r.quantity}`);
    if (order.lines.find((l) => l.lineId === r.lineId)?.sku !== r.sku) problems.push(`${r.reservationId} holds ${r.sku} for ${r.lineId}`);
  }
  problems.push(...duplicates(order.fulfillments.map((f) => f.id)), ...duplicates(order.reservations.map((r) => r.reservationId)));
  expect(problems).toEqual([]);
}

const duplicates = (ids: readonly string[]): string[] => ids.filter((id, i) => ids.indexOf(id) !== i).map((id) => `duplicate id ${id}`);

interface Run {
  readonly start: OrderState;
  readonly commands: readonly OrderCommand[];
  readonly accepted: readonly OrderEvent[];
  readonly states: readonly OrderState[];
}

function run(steps: readonly Step[], start: OrderState = initialState): Run {
  // From an event-built start, reservations must equal allocation; a bucket-built start has none.
  const exact = start.kind === 'absent';
  let state = deepFreeze(start);
  const commands: OrderCommand[] = [];
  const accepted: OrderEvent[] = [];
  const states: OrderState[] = [state];
  for (const step of steps) {
    const command = resolve(step, state);
    commands.push(command);
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
      expectRouteEffect(command, before, state, result.value);
      expectReleaseEffect(command, before, state);
    }
    expectConservedBuckets(state);
    expectReservationsMatchAllocation(state, exact);
    if (state.kind === 'placed') expect(ORDER_STATUSES).toContain(deriveStatus(state.order));
    states.push(state);
  }
  return { start, commands, accepted, states };
}

const placeThen = ({ placed, commands }: { placed: OrderDraft; commands: readonly Step[] }): Run =>
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
      fc.property(anyOrderArb, fc.array(stepArb, { maxLength: 15 }), (order, commands) => {
        const start = placedState(order);
        const { accepted, states } = run(commands, start);
        expect(fold(accepted, start)).toStrictEqual(states.at(-1));
      }),
      RUNS,
    );
  });

  it('(5) reservations hold exactly the allocated units, live fulfillments match them, ids are unique and replay keeps them', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        // `run` checks the reservation invariant after every step; here the ids across the whole stream.
        const { accepted, states, commands } = placeThen(s);
        const routed = accepted.flatMap((e) => (e.type === 'OrderRouted' ? [e.data] : []));
        const fulfillmentIds = routed.flatMap((d) => d.fulfillments.map((f) => f.fulfillmentId));
        const reservationIds = routed.flatMap((d) => d.reservations.map((r) => r.reservationId));
        expect(duplicates(fulfillmentIds)).toEqual([]);
        expect(duplicates(reservationIds)).toEqual([]);
        expect(fulfillmentIds).toEqual(fulfillmentIds.map((_, k) => `ful_${ID_BASE}-${k + 1}`));

        // Deciding the same commands again appends the very same events, ids included.
        expect(run(commands).accepted).toStrictEqual(accepted);
        // Replaying the accepted events rebuilds the same fulfillments and reservations.
        const live = states.at(-1)!;
        const replayed = fold(accepted);
        if (live.kind !== 'placed' || replayed.kind !== 'placed') return;
        expect(replayed.order.fulfillments.map((f) => f.id)).toEqual(fulfillmentIds);
        expect(replayed.order.reservations).toStrictEqual(live.order.reservations);
        for (const r of replayed.order.reservations) expect(reservationIds).toContain(r.reservationId);
      }),
      RUNS,
    );
  });

  it('the generated scenarios do reach routing, re-routing, releases and cancels that give stock back', () => {
    const seen = new Map<string, number>();
    const count = (k: string): void => void seen.set(k, (seen.get(k) ?? 0) + 1);
    for (const s of fc.sample(scenarioArb, { numRuns: 300, seed: 7 })) {
      const { accepted } = placeThen(s);
      let routes = 0;
      for (const e of accepted) {
        if (e.type === 'OrderRouted') {
          routes += 1;
          if (routes > 1) count('re-routed');
          if (e.data.moves.some((m) => m.from === 'backordered')) count('backorder allocated');
          if (e.data.fulfillments.length > 1) count('split');
        }
        if (e.type === 'AllocationReleased') count(e.data.nodeIds.length === 1 ? 'released one node' : 'released');
        if (e.type === 'OrderCancelled' && e.data.releases) count('cancel released stock');
      }
    }
    for (const k of ['re-routed', 'backorder allocated', 'split', 'released one node', 'cancel released stock']) {
      expect(seen.get(k) ?? 0, k).toBeGreaterThan(5);
    }
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
