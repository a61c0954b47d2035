import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
  FactLine,
  HoldType,
  NodeCancelCapability,
  Order,
  OrderCommand,
  OrderDraft,
  OrderEvent,
  OrderFact,
  OrderState,
  PaymentOperation,
} from '../../src/domain/order/index.js';
import {
  BUCKETS,
  FULFILLMENT_STAGES,
  ORDER_STATUSES,
  bucketTotal,
  decide,
  deriveStatus,
  fold,
  initialState,
  moneyView,
  openAuthorization,
  paymentSettled,
} from '../../src/domain/order/index.js';
import type { Result } from '../../src/domain/result.js';
import { deepFreeze } from '../support/deciderSpec.js';
import { CANNOT_CANCEL, CAN_CANCEL, NOW, ORDER_ID, WHOLE_ONLY, draft, lineDraft } from '../support/orderFixtures.js';

/**
 * Properties of the fulfillment lifecycle over random scenarios: routing, release, holds,
 * cancellations, withdrawals, returns and payment settlement mixed with facts from nodes and the
 * payment gateway — acknowledgements, progress, partial shipments, deliveries, cancellation
 * results, return receipts and payment results — out of order, repeated and contradictory.
 */

const RUNS = { numRuns: 200 };
const NODES = ['node_a', 'node_b', 'node_c'] as const;
const HOLDS: readonly HoldType[] = ['fraud', 'manual'];
const DAY = 86_400_000;
const later = (days: number): string => new Date(Date.parse(NOW) + days * DAY).toISOString();

// Scenario steps: symbolic, resolved against the state when they run (indices pick among what exists).

type Step =
  | { readonly kind: 'route'; readonly nodes: readonly string[]; readonly wants: readonly (readonly number[])[] }
  | { readonly kind: 'releaseAllocation'; readonly nodes?: readonly string[] }
  | { readonly kind: 'release'; readonly pick?: number }
  | { readonly kind: 'hold' | 'unhold'; readonly holdType: HoldType }
  | { readonly kind: 'cancel'; readonly lines?: readonly (readonly [number, number])[]; readonly caps: readonly number[] }
  | { readonly kind: 'withdraw'; readonly pick: number }
  | { readonly kind: 'authorizeReturn'; readonly lines: readonly (readonly [number, number])[] }
  | { readonly kind: 'settle' }
  | { readonly kind: 'close'; readonly days: number }
  | { readonly kind: 'ack'; readonly pick: number; readonly accepted: boolean }
  | { readonly kind: 'progress'; readonly pick: number; readonly stage: number }
  | { readonly kind: 'ship'; readonly pick: number; readonly shipment: number; readonly lines: readonly (readonly [number, number, boolean])[]; readonly stray: boolean }
  | { readonly kind: 'deliver'; readonly pick: number; readonly shipment?: number }
  | { readonly kind: 'cancelResult'; readonly pick: number; readonly cancelled: boolean; readonly lines?: readonly (readonly [number, number])[] }
  | { readonly kind: 'receive'; readonly pick: number; readonly lines: readonly (readonly [number, number, boolean])[] }
  | { readonly kind: 'pay'; readonly how: 'honest' | 'duplicate' | 'wild'; readonly pick: number; readonly amount: number; readonly decline: boolean }
  | { readonly kind: 'redeliver'; readonly pick: number };

const idx = fc.nat({ max: 50 });
const qty = (max: number, malformed: boolean) =>
  malformed ? fc.oneof({ weight: 15, arbitrary: fc.integer({ min: 1, max }) }, { weight: 1, arbitrary: fc.constant(0) }) : fc.integer({ min: 1, max });
const linePicks = (max: number) => fc.array(fc.tuple(idx, fc.integer({ min: 1, max })), { minLength: 1, maxLength: 3 });

function stepArb(wild: boolean): fc.Arbitrary<Step> {
  const w = (weight: number, arbitrary: fc.Arbitrary<Step>) => ({ weight, arbitrary });
  return fc.oneof(
    w(4, fc.record({ kind: fc.constant('route' as const), nodes: fc.uniqueArray(fc.constantFrom(...NODES), { minLength: 1, maxLength: 2 }), wants: fc.array(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 3, maxLength: 3 }), { minLength: 2, maxLength: 2 }) })),
    w(1, fc.record({ kind: fc.constant('releaseAllocation' as const), nodes: fc.subarray([...NODES], { minLength: 1 }) }, { requiredKeys: ['kind'] })),
    w(4, fc.oneof({ weight: 3, arbitrary: fc.constant<Step>({ kind: 'release' }) }, { weight: 1, arbitrary: fc.record({ kind: fc.constant('release' as const), pick: idx }) })),
    w(1, fc.record({ kind: fc.constant('hold' as const), holdType: fc.constantFrom(...HOLDS) })),
    w(2, fc.record({ kind: fc.constant('unhold' as const), holdType: fc.constantFrom(...HOLDS) })),
    w(2, fc.record({ kind: fc.constant('cancel' as const), lines: fc.oneof({ weight: 4, arbitrary: linePicks(2) }, { weight: 1, arbitrary: fc.constant(undefined) }), caps: fc.array(fc.nat({ max: 3 }), { minLength: 3, maxLength: 3 }) })),
    w(1, fc.record({ kind: fc.constant('withdraw' as const), pick: idx })),
    w(3, fc.record({ kind: fc.constant('authorizeReturn' as const), lines: linePicks(2) })),
    w(2, fc.constant<Step>({ kind: 'settle' })),
    w(1, fc.record({ kind: fc.constant('close' as const), days: fc.constantFrom(0, 31) })),
    w(3, fc.record({ kind: fc.constant('ack' as const), pick: idx, accepted: fc.boolean() })),
    w(2, fc.record({ kind: fc.constant('progress' as const), pick: idx, stage: fc.nat({ max: FULFILLMENT_STAGES.length - 1 }) })),
    // Mostly small shipments, so that fulfillments ship in several parts; shipment ids repeat (duplicates, changes).
    w(6, fc.record({ kind: fc.constant('ship' as const), pick: idx, shipment: fc.nat({ max: 4 }), lines: fc.array(fc.tuple(idx, fc.oneof({ weight: 4, arbitrary: qty(1, wild) }, { weight: 1, arbitrary: qty(4, wild) }), fc.boolean()), { minLength: 1, maxLength: 2 }), stray: wild ? fc.oneof({ weight: 15, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }) : fc.constant(false) })),
    w(3, fc.oneof(fc.record({ kind: fc.constant('deliver' as const), pick: idx, shipment: idx }), fc.record({ kind: fc.constant('deliver' as const), pick: idx }))),
    w(2, fc.record({ kind: fc.constant('cancelResult' as const), pick: idx, cancelled: fc.boolean(), lines: linePicks(3) }, { requiredKeys: ['kind', 'pick', 'cancelled'] })),
    w(3, fc.record({ kind: fc.constant('receive' as const), pick: idx, lines: fc.array(fc.tuple(idx, qty(3, wild), fc.boolean()), { minLength: 1, maxLength: 2 }) })),
    w(4, fc.record({ kind: fc.constant('pay' as const), how: wild ? fc.constantFrom('honest' as const, 'duplicate' as const, 'wild' as const) : fc.constantFrom('honest' as const, 'duplicate' as const), pick: idx, amount: fc.integer({ min: 0, max: 5000 }), decline: fc.boolean().map((b) => b && wild) })),
    w(3, fc.record({ kind: fc.constant('redeliver' as const), pick: idx })),
  );
}

const draftArb: fc.Arbitrary<{ draft: OrderDraft; gateway: boolean }> = fc
  .record({
    lines: fc.array(fc.record({ quantity: fc.integer({ min: 1, max: 5 }), unitPrice: fc.integer({ min: 0, max: 5000 }) }), { minLength: 1, maxLength: 3 }),
    gateway: fc.boolean(),
    channelAuthorization: fc.option(fc.integer({ min: 0, max: 2000 }), { nil: undefined }),
  })
  .map(({ lines, gateway, channelAuthorization }) => {
    const drafted = lines.map((l, i) => lineDraft(`l${i + 1}`, l.quantity, { unitPrice: l.unitPrice }));
    const total = drafted.reduce((s, l) => s + l.quantity * l.unitPrice, 0);
    // A channel-brought authorization covers the order, sometimes with room to spare.
    const payment = channelAuthorization !== undefined ? { payment: { authorizationId: 'auth_channel', amount: total + channelAuthorization } } : {};
    return { draft: draft({ lines: drafted, ...payment }), gateway };
  });

/**
 * Every scenario starts by routing, asking for payment (gateway orders), the gateway answering
 * (now and then declining, when the gateway may misbehave) and releasing; anything may follow.
 */
const scenarioArb = (wild: boolean) =>
  fc.record({
    placed: draftArb,
    steps: fc
      .tuple(
        stepArb(wild).filter((s) => s.kind === 'route'),
        wild ? fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }) : fc.constant(false),
        fc.array(stepArb(wild), { minLength: 15, maxLength: 60, size: 'medium' }),
      )
      .map(([route, decline, rest]): Step[] => [route, { kind: 'settle' }, { kind: 'pay', how: 'honest', pick: 0, amount: 0, decline }, { kind: 'release' }, ...rest]),
  });

// The simulated world: what was sent, what was asked, what the gateway answered.

interface Applied {
  readonly fact: OrderFact;
  /** Whether the fact carries its own identity (shipment id, payment reference, …) so a later repeat is recognisable. */
  readonly identified: boolean;
}

interface World {
  state: OrderState;
  readonly accepted: OrderEvent[];
  readonly states: OrderState[];
  /** Facts whose decision applied something. */
  readonly applied: Applied[];
  readonly paymentFacts: OrderFact[];
  readonly answered: Set<string>;
  readonly seen: Map<string, number>;
  readonly stock: StockTally;
}

const pick = <T>(xs: readonly T[], i: number): T | undefined => (xs.length > 0 ? xs[i % xs.length] : undefined);
const order = (w: World): Order => {
  if (w.state.kind !== 'placed') throw new Error('no order');
  return w.state.order;
};
const CAPS: readonly (NodeCancelCapability | undefined)[] = [CAN_CANCEL, WHOLE_ONLY, CANNOT_CANCEL, undefined];
const capsOf = (caps: readonly number[]): Record<string, NodeCancelCapability> =>
  Object.fromEntries(NODES.flatMap((n, i) => (CAPS[caps[i] ?? 0] ? [[n, CAPS[caps[i] ?? 0]!]] : [])));

/** Unanswered payment requests, as the simulated gateway sees them (from the events). */
function openRequests(w: World): { operation: PaymentOperation; amount: number; reference: string }[] {
  return w.accepted.flatMap((e) => (e.type === 'PaymentRequested' && !w.answered.has(e.data.reference) ? [e.data] : []));
}

function honestAnswer(r: { operation: PaymentOperation; amount: number; reference: string }, decline: boolean): OrderFact {
  switch (r.operation) {
    case 'authorize':
      return decline
        ? { type: 'payment.authorization_failed', reason: 'declined', reference: r.reference }
        : { type: 'payment.authorized', authorizationId: `auth_${r.reference}`, amount: r.amount, reference: r.reference };
    case 'capture':
      return decline
        ? { type: 'payment.failed', operation: 'capture', amount: r.amount, reference: r.reference, reason: 'declined' }
        : { type: 'payment.captured', captureId: `cap_${r.reference}`, amount: r.amount, reference: r.reference };
    case 'void':
      return { type: 'payment.voided', amount: r.amount, reference: r.reference };
    case 'refund':
      return { type: 'payment.refunded', refundId: `rfd_${r.reference}`, amount: r.amount, reference: r.reference };
  }
}

function resolve(step: Step, w: World): OrderCommand | undefined {
  const o = order(w);
  const fs = o.fulfillments;
  const lineId = (i: number) => pick(o.lines, i)!.lineId;
  const fact = (f: OrderFact): OrderCommand => ({ type: 'RecordFact', fact: f, exceptionId: `exc_${w.accepted.length}`, now: NOW });
  switch (step.kind) {
    case 'route': {
      const left = new Map(o.lines.map((l) => [l.lineId, l.buckets.unallocated + l.buckets.backordered]));
      const assignments = step.nodes.map((nodeId, n) => ({
        nodeId,
        lines: o.lines.flatMap((l, li) => {
          const take = Math.min(step.wants[n]?.[li] ?? 0, left.get(l.lineId) ?? 0);
          left.set(l.lineId, (left.get(l.lineId) ?? 0) - take);
          return take > 0 ? [{ lineId: l.lineId, sku: l.sku, quantity: take }] : [];
        }),
      }));
      return { type: 'RouteOrder', decision: { decisionId: `dec_${w.accepted.length}`, rulesetVersion: 1, assignments, backorders: [] }, now: NOW };
    }
    case 'releaseAllocation':
      return { type: 'ReleaseAllocation', reason: 'node_closed', now: NOW, ...(step.nodes ? { nodeIds: step.nodes } : {}) };
    case 'release': {
      const f = step.pick === undefined ? undefined : pick(fs, step.pick);
      return { type: 'ReleaseFulfillments', now: NOW, ...(f ? { fulfillmentIds: [f.id] } : {}) };
    }
    case 'hold':
      return { type: 'HoldOrder', holdType: step.holdType, now: NOW };
    case 'unhold':
      return { type: 'ReleaseHold', holdType: step.holdType, now: NOW };
    case 'cancel': {
      const lines = step.lines ? [...new Map(step.lines.map(([l, q]) => [lineId(l), q])).entries()].map(([id, quantity]) => ({ lineId: id, quantity })) : undefined;
      return { type: 'CancelOrder', reason: 'customer', nodes: capsOf(step.caps), exceptionId: `exc_c${w.accepted.length}`, now: NOW, ...(lines ? { lines } : {}) };
    }
    case 'withdraw': {
      const f = pick(fs, step.pick);
      return f ? { type: 'WithdrawFulfillment', fulfillmentId: f.id, reason: 'ack_sla_breached', now: NOW } : undefined;
    }
    case 'authorizeReturn': {
      // Mostly lines something of which left a node.
      const out = o.lines.filter((l) => l.buckets.shipped + l.buckets.delivered > 0);
      const named = out.length > 0 ? out : o.lines;
      return { type: 'AuthorizeReturn', lines: step.lines.map(([l, q]) => ({ lineId: pick(named, l)!.lineId, quantity: q })), reason: 'changed_mind', now: NOW };
    }
    case 'settle':
      return { type: 'SettlePayments', now: NOW };
    case 'close':
      return { type: 'CloseOrder', returnWindowDays: 30, now: later(step.days) };
    case 'ack': {
      const f = pick(fs, step.pick);
      return f ? fact({ type: 'fulfillment.acknowledged', fulfillmentId: f.id, accepted: step.accepted, ...(step.accepted ? {} : { reason: 'no_stock' }) }) : undefined;
    }
    case 'progress': {
      const f = pick(fs, step.pick);
      return f ? fact({ type: 'fulfillment.progress', fulfillmentId: f.id, stage: FULFILLMENT_STAGES[step.stage]! }) : undefined;
    }
    case 'ship': {
      // Mostly a fulfillment its node holds open; now and then any (rejected, cancelled, never released).
      const open = fs.filter((x) => x.rejected === undefined && x.stage !== 'allocated' && x.lines.some((l) => l.quantity > l.shipped));
      const f = step.pick % 4 === 0 ? pick(fs, step.pick) : (pick(open, step.pick) ?? pick(fs, step.pick));
      if (!f) return undefined;
      // Mostly lines of the fulfillment; now and then another line of the order, or one the order does not have.
      const named = [...[...f.lines, ...f.lines, ...f.lines, ...o.lines].map((l) => ({ lineId: l.lineId, sku: l.sku })), { lineId: 'l9', sku: 'SKU-l9' }];
      const lines: FactLine[] = step.lines.map(([l, q, bySku]) => {
        const line = named[l % named.length]!;
        return bySku ? { sku: line.sku, quantity: q } : { lineId: line.lineId, quantity: q };
      });
      return fact({ type: 'fulfillment.shipped', fulfillmentId: step.stray ? 'ful_unknown-1' : f.id, shipmentId: `shp_${f.id.split('-').pop()}_${step.shipment}`, lines, shippedAt: NOW });
    }
    case 'deliver': {
      const f = pick(fs, step.pick);
      if (!f) return undefined;
      const shipmentId = step.shipment === undefined ? undefined : (pick([...f.shipments.map((s) => s.shipmentId), 'shp_never'], step.shipment) ?? 'shp_never');
      return fact({ type: 'fulfillment.delivered', fulfillmentId: f.id, deliveredAt: NOW, ...(shipmentId ? { shipmentId } : {}) });
    }
    case 'cancelResult': {
      const f = pick(fs, step.pick);
      if (!f) return undefined;
      const lines = step.lines?.map(([l, q]) => ({ lineId: lineId(l), quantity: q }));
      return fact({ type: 'fulfillment.cancellation_result', fulfillmentId: f.id, outcome: step.cancelled ? 'cancelled' : 'refused', ...(lines ? { lines } : {}) });
    }
    case 'receive': {
      const r = pick(o.returns, step.pick);
      if (!r) return undefined;
      // Mostly lines of the return; now and then one it does not hold.
      const named = [...r.lines.map((l) => l.lineId), ...r.lines.map((l) => l.lineId), lineId(step.pick)];
      const lines = step.lines.map(([l, q, damaged]) => ({ lineId: pick(named, l)!, quantity: q, disposition: damaged ? ('damaged' as const) : ('restock' as const) }));
      return fact({ type: 'return.received', returnId: r.returnId, nodeId: 'node_a', lines });
    }
    case 'pay': {
      if (step.how === 'honest') {
        const r = pick(openRequests(w), step.pick);
        return r ? fact(honestAnswer(r, step.decline)) : undefined;
      }
      if (step.how === 'duplicate') {
        const f = pick(w.paymentFacts, step.pick);
        return f ? fact(f) : undefined;
      }
      const reference = `${(['capture', 'void', 'refund'] as const)[step.pick % 3]}-${(step.pick % 5) + 1}`;
      const wild: readonly OrderFact[] = [
        { type: 'payment.captured', captureId: `cap_w${step.pick}`, amount: step.amount, reference },
        { type: 'payment.voided', amount: step.amount, reference },
        { type: 'payment.refunded', refundId: `rfd_w${step.pick}`, amount: step.amount, reference },
        { type: 'payment.failed', operation: 'refund', amount: step.amount, reference, reason: 'declined' },
      ];
      return fact(wild[step.pick % wild.length]!);
    }
    case 'redeliver': {
      const a = pick(w.applied.filter((x) => x.identified), step.pick);
      return a ? fact(a.fact) : undefined;
    }
  }
}

// Invariants

/** (a) every line's buckets are whole, non-negative and sum to its quantity. */
function expectConserved(o: Order): void {
  const problems = o.lines.flatMap((l) => [
    ...BUCKETS.filter((b) => !Number.isInteger(l.buckets[b]) || l.buckets[b] < 0).map((b) => `${l.lineId}.${b} = ${l.buckets[b]}`),
    ...(bucketTotal(l.buckets) === l.quantity ? [] : [`${l.lineId} sums to ${bucketTotal(l.buckets)} ≠ ${l.quantity}`]),
  ]);
  expect(problems).toEqual([]);
}

/** The stock effects decided so far (reserve, release, commit), added up as the store would apply them. */
interface StockTally {
  readonly lineOfReservation: Map<string, string>;
  /** Per `node/sku`: reserved − released − committed. */
  readonly net: Map<string, number>;
  /** Per line: units committed by shipments, and units moved to shipped. */
  readonly committed: Map<string, number>;
  readonly shipped: Map<string, number>;
}

const newTally = (): StockTally => ({ lineOfReservation: new Map(), net: new Map(), committed: new Map(), shipped: new Map() });
const bump = (m: Map<string, number>, key: string, q: number) => m.set(key, (m.get(key) ?? 0) + q);

function tally(t: StockTally, events: readonly OrderEvent[]): void {
  for (const e of events) {
    if (e.type === 'OrderRouted') {
      for (const r of e.data.reservations) {
        t.lineOfReservation.set(r.reservationId, r.lineId);
        bump(t.net, `${r.nodeId}/${r.sku}`, r.quantity);
      }
    }
    if (e.type === 'OrderCancelled' || e.type === 'AllocationReleased' || e.type === 'FulfillmentRejected' || e.type === 'FulfillmentCancelled') {
      for (const r of e.data.releases ?? []) bump(t.net, `${r.nodeId}/${r.sku}`, -r.quantity);
    }
    if (e.type === 'ShipmentConfirmed') {
      for (const c of e.data.commits) {
        bump(t.net, `${c.nodeId}/${c.sku}`, -c.quantity);
        bump(t.committed, t.lineOfReservation.get(c.reservationId) ?? '?', c.quantity);
      }
      for (const m of e.data.moves) bump(t.shipped, m.lineId, m.quantity);
    }
  }
}

/** (d) stock held is exactly what may still ship from a node: per line, per fulfillment, and as the stock effects add up. */
function expectReservations(o: Order, t: StockTally): void {
  const problems: string[] = [];
  const held = (p: (r: Order['reservations'][number]) => boolean) => o.reservations.filter(p).reduce((s, r) => s + r.quantity, 0);
  for (const l of o.lines) {
    const h = held((r) => r.lineId === l.lineId);
    if (h !== l.buckets.allocated + l.buckets.released) problems.push(`${l.lineId}: ${h} reserved, ${l.buckets.allocated} allocated + ${l.buckets.released} released`);
  }
  for (const f of o.fulfillments) {
    for (const fl of f.lines) {
      const expected = f.rejected !== undefined ? 0 : fl.quantity - fl.shipped;
      const h = held((r) => r.fulfillmentId === f.id && r.lineId === fl.lineId);
      if (h !== expected) problems.push(`${f.id}/${fl.lineId}: ${h} reserved, ${expected} open`);
      if (fl.shipped > fl.quantity || fl.delivered > fl.shipped) problems.push(`${f.id}/${fl.lineId}: ${fl.quantity} held, ${fl.shipped} shipped, ${fl.delivered} delivered`);
    }
  }
  for (const [key, q] of t.net) {
    const [nodeId, sku] = key.split('/');
    const h = held((r) => r.nodeId === nodeId && r.sku === sku);
    if (q !== h) problems.push(`${key}: events net ${q}, ${h} held`);
  }
  // Committed units are the units that left a node: shipped, delivered or returned since.
  for (const l of o.lines) {
    const out = l.buckets.shipped + l.buckets.delivered + l.buckets.returned;
    if ((t.committed.get(l.lineId) ?? 0) !== out) problems.push(`${l.lineId}: ${t.committed.get(l.lineId) ?? 0} committed, ${out} shipped`);
    if ((t.shipped.get(l.lineId) ?? 0) !== out) problems.push(`${l.lineId}: ${t.shipped.get(l.lineId) ?? 0} moved to shipped, ${out} shipped`);
  }
  expect(problems).toEqual([]);
}

/** (b) the refusal a fact may get: only for malformed input, never for the order's state. */
function factRefusal(fact: OrderFact, o: Order): 'validation_failed' | 'not_found' | undefined {
  const lines: readonly FactLine[] = 'lines' in fact && fact.lines ? fact.lines : [];
  if (lines.some((l) => !Number.isInteger(l.quantity) || l.quantity < 1 || (l.lineId === undefined && l.sku === undefined))) return 'validation_failed';
  if ('amount' in fact && (!Number.isInteger(fact.amount) || fact.amount < 0)) return 'validation_failed';
  if ('fulfillmentId' in fact && !o.fulfillments.some((f) => f.id === fact.fulfillmentId)) return 'not_found';
  if (fact.type === 'return.received' && !o.returns.some((r) => r.returnId === fact.returnId)) return 'not_found';
  return undefined;
}

/** (c) a repeat decides nothing that applies: no events, or conflicts recorded with nothing applied. */
function expectNothingApplied(result: Result<readonly OrderEvent[]>, label: string): void {
  if (!result.ok) expect.fail(`${label}: a repeated fact was refused (${result.error.code}: ${result.error.message})`);
  const applying = result.value.filter((e) => e.type !== 'ConflictDetected' || e.data.applied);
  expect(applying, label).toEqual([]);
}

const identified = (f: OrderFact): boolean =>
  f.type === 'fulfillment.shipped' ||
  f.type === 'fulfillment.acknowledged' ||
  f.type === 'fulfillment.progress' ||
  (f.type === 'fulfillment.delivered' && f.shipmentId !== undefined) ||
  f.type.startsWith('payment.');

/** A return receipt carries no id of its own: a repeat of one that left units awaited cannot be told from a second receipt. */
const partialReceipt = (f: OrderFact, after: Order): boolean =>
  f.type === 'return.received' && after.returns.some((r) => r.returnId === f.returnId && r.lines.some((l) => l.received < l.quantity));

function step(w: World, command: OrderCommand): Result<readonly OrderEvent[]> {
  // The state is deep-frozen: a decider or fold that mutated it would throw here.
  const before = w.state;
  const result = decide(command, before);
  expect(decide(command, before), 'the same decision twice').toStrictEqual(result);
  if (command.type === 'RecordFact' && before.kind === 'placed') {
    const expected = factRefusal(command.fact, before.order);
    expect(result.ok ? undefined : result.error.code, `${command.fact.type} refused only when malformed`).toBe(expected);
  }
  if (!result.ok) {
    expect(['validation_failed', 'not_found', 'illegal_transition']).toContain(result.error.code);
    return result;
  }
  if (command.type !== 'RecordFact') expect(result.value.length, `${command.type} accepted with events`).toBeGreaterThan(0);
  w.state = deepFreeze(fold(result.value, before));
  w.accepted.push(...deepFreeze(result.value));
  w.states.push(w.state);
  const count = (key: string) => w.seen.set(key, (w.seen.get(key) ?? 0) + 1);
  for (const e of result.value) {
    count(e.type === 'ConflictDetected' ? `Conflict:${e.data.kind}` : e.type);
    if (e.type === 'ReturnReceived' && e.data.moves.some((m) => m.from === 'shipped')) count('returned before delivery');
  }
  if (result.value.filter((e) => e.type === 'DeliveryConfirmed').length > 1) count('several deliveries at once');
  if (result.value.some((e) => e.type === 'ShipmentConfirmed') && order(w).fulfillments.some((f) => f.shipments.length > 1)) count('shipped in parts');
  const o = order(w);
  expectConserved(o);
  tally(w.stock, result.value);
  expectReservations(o, w.stock);
  expect(ORDER_STATUSES).toContain(deriveStatus(o));
  for (const e of result.value) if (e.type === 'ConflictDetected') expect(o.exceptions.map((x) => x.exceptionId)).toContain(e.data.exceptionId);

  if (command.type === 'RecordFact') {
    const f = command.fact;
    if (f.type.startsWith('payment.')) {
      w.paymentFacts.push(f);
      if ('reference' in f && f.reference !== undefined) w.answered.add(f.reference);
    }
    const appliedSomething = result.value.some((e) => e.type !== 'ConflictDetected' || e.data.applied);
    if (appliedSomething) {
      w.applied.push({ fact: f, identified: identified(f) });
      // (c) delivered again at once — a retry — it applies nothing more.
      if (!partialReceipt(f, o)) expectNothingApplied(decide(command, w.state), `${f.type} repeated at once`);
    }
  }
  return result;
}

function place(placed: { draft: OrderDraft; gateway: boolean }): World {
  const w: World = { state: deepFreeze(initialState), accepted: [], states: [], applied: [], paymentFacts: [], answered: new Set(), seen: new Map(), stock: newTally() };
  const r = step(w, { type: 'PlaceOrder', orderId: ORDER_ID, order: placed.draft, now: NOW, ...(placed.gateway ? { payments: 'gateway' as const } : {}) });
  if (!r.ok) throw new Error(r.error.message);
  return w;
}

function play(w: World, steps: readonly Step[]): void {
  for (const s of steps) {
    const command = resolve(s, w);
    if (!command) continue;
    // (c) a later repeat of a fact that carries its own identity applies nothing.
    const repeat = s.kind === 'redeliver';
    const result = step(w, command);
    if (repeat) expectNothingApplied(result, `${command.type === 'RecordFact' ? command.fact.type : command.type} repeated later`);
  }
}

/**
 * Drives an order to its end with honest systems: every payment request answered as asked, the
 * nodes ship what they hold open (every other fulfillment) or cancel it, every shipment is
 * delivered, every awaited return comes back, everything else is cancelled (nodes confirming), and
 * payments are settled until nothing is left to ask.
 */
function finish(w: World): void {
  const fact = (f: OrderFact) => step(w, { type: 'RecordFact', fact: f, exceptionId: `exc_f${w.accepted.length}`, now: NOW });
  const answerAll = () => {
    for (let r = openRequests(w)[0]; r; r = openRequests(w)[0]) fact(honestAnswer(r, false));
  };
  answerAll();
  for (const [i, f] of order(w).fulfillments.entries()) {
    if (i % 2 === 1) continue;
    const open = f.rejected === undefined && f.stage !== 'allocated' ? f.lines.filter((l) => l.quantity > l.shipped) : [];
    if (open.length > 0) fact({ type: 'fulfillment.shipped', fulfillmentId: f.id, shipmentId: `shp_final_${f.id}`, lines: open.map((l) => ({ lineId: l.lineId, quantity: l.quantity - l.shipped })), shippedAt: NOW });
  }
  for (const f of order(w).fulfillments) {
    for (const s of f.shipments) if (s.deliveredAt === undefined) fact({ type: 'fulfillment.delivered', fulfillmentId: f.id, shipmentId: s.shipmentId, deliveredAt: NOW });
  }
  for (const r of order(w).returns) {
    const lines = r.lines.filter((l) => l.received < l.quantity).map((l) => ({ lineId: l.lineId, quantity: l.quantity - l.received, disposition: 'restock' as const }));
    if (lines.length > 0) fact({ type: 'return.received', returnId: r.returnId, nodeId: 'node_a', lines });
  }
  step(w, { type: 'CancelOrder', reason: 'wrap_up', nodes: capsOf([0, 0, 0]), exceptionId: 'exc_wrap', now: NOW });
  for (const f of order(w).fulfillments) if (f.cancelRequest) fact({ type: 'fulfillment.cancellation_result', fulfillmentId: f.id, outcome: 'cancelled' });
  for (let i = 0; i < 10 && step(w, { type: 'SettlePayments', now: NOW }).ok; i++) answerAll();
  answerAll();
}

describe('order lifecycle properties', () => {
  it('(a) (b) (c) (d): buckets conserved, facts never refused for the state, repeats never count twice, reservations follow the goods — whatever the facts say', () => {
    fc.assert(
      fc.property(scenarioArb(true), ({ placed, steps }) => {
        play(place(placed), steps);
      }),
      RUNS,
    );
  });

  it('(e) with an honest gateway, once everything is answered and done, the money is settled to the cent and the order closes', () => {
    fc.assert(
      fc.property(scenarioArb(false), ({ placed, steps }) => {
        const w = place(placed);
        play(w, steps);
        finish(w);
        const o = order(w);
        if (o.closed) return; // closed during the scenario: CloseOrder itself required settled money
        const m = moneyView(o);
        expect(m.open, 'every unit is shipped, delivered, cancelled or returned').toBe(0);
        expect(o.returns.every((r) => r.lines.every((l) => l.received === l.quantity))).toBe(true);
        if (o.paymentMode === 'gateway') {
          expect(o.payment.captured - o.payment.refunded, 'captured − refunded = value kept').toBe(m.kept);
          // Never more money moved than the goods called for: captured what shipped, refunded what came back.
          expect(o.payment.captured, 'captured = value shipped').toBe(m.shipped);
          expect(o.payment.refunded, 'refunded = value returned').toBe(m.shipped - m.kept);
          expect(openAuthorization(o), 'no authorization left open').toBe(0);
          expect(o.payment.pending).toEqual({ authorize: 0, capture: 0, void: 0, refund: 0 });
          expect(o.payment.outstanding).toEqual([]);
          expect(o.exceptions.filter((e) => e.type === 'payment_unexpected' || e.type === 'payment_failed')).toEqual([]);
        }
        expect(paymentSettled(o)).toBe(true);
        const closed = step(w, { type: 'CloseOrder', returnWindowDays: 30, now: later(400) });
        // A wholly cancelled order stays `cancelled`; any other closes once settled and done.
        if (o.lines.every((l) => l.buckets.cancelled === l.quantity)) expect(closed.ok).toBe(false);
        else expect(closed.ok && closed.value).toEqual([{ type: 'OrderClosed', data: { at: later(400) } }]);
      }),
      RUNS,
    );
  });

  it('(f) folding is deterministic, in one go or in any two parts, and replaying the commands decides the same events', () => {
    fc.assert(
      fc.property(scenarioArb(true), ({ placed, steps }) => {
        const w = place(placed);
        play(w, steps);
        const once = fold(w.accepted);
        expect(fold(w.accepted)).toStrictEqual(once);
        expect(w.state).toStrictEqual(once);
        for (let k = 0; k <= w.accepted.length; k += 3) expect(fold(w.accepted.slice(k), fold(w.accepted.slice(0, k)))).toStrictEqual(once);
        // The whole run again, from scratch: the same events, the same states.
        const again = place(placed);
        play(again, steps);
        expect(again.accepted).toStrictEqual(w.accepted);
        expect(again.states).toStrictEqual(w.states);
      }),
      { numRuns: 100 },
    );
  });

  it('the generated scenarios do reach the lifecycle: shipments, deliveries, rejections, cancellations, returns, payments, conflicts, closing', () => {
    const seen = new Map<string, number>();
    for (const wild of [true, false]) {
      for (const { placed, steps } of fc.sample(scenarioArb(wild), { numRuns: 150, seed: 11 })) {
        const w = place(placed);
        play(w, steps);
        if (!wild) {
          finish(w);
          step(w, { type: 'CloseOrder', returnWindowDays: 30, now: later(400) });
        }
        for (const [k, n] of w.seen) seen.set(k, (seen.get(k) ?? 0) + n);
        for (const e of w.accepted) {
          if (e.type === 'FulfillmentRejected') seen.set(e.data.withdrawn ? 'withdrawn' : 'rejected', (seen.get(e.data.withdrawn ? 'withdrawn' : 'rejected') ?? 0) + 1);
          if (e.type === 'CancellationRequested') seen.set(`cancel:${e.data.mode}`, (seen.get(`cancel:${e.data.mode}`) ?? 0) + 1);
          if (e.type === 'PaymentRequested') seen.set(`request:${e.data.operation}`, (seen.get(`request:${e.data.operation}`) ?? 0) + 1);
        }
      }
    }
    const expected = [
      'FulfillmentReleased',
      'FulfillmentAcknowledged',
      'FulfillmentProgressed',
      'ShipmentConfirmed',
      'DeliveryConfirmed',
      'shipped in parts',
      'several deliveries at once',
      'returned before delivery',
      'rejected',
      'withdrawn',
      'cancel:node',
      'cancel:manual',
      'FulfillmentCancelled',
      'CancellationRefused',
      'ReturnAuthorized',
      'ReturnReceived',
      'request:authorize',
      'request:capture',
      'request:void',
      'request:refund',
      'PaymentCaptured',
      'PaymentVoided',
      'RefundIssued',
      'PaymentAuthorizationFailed',
      'PaymentOperationFailed',
      'Conflict:over_shipment',
      'Conflict:shipment_after_cancel',
      'Conflict:shipment_changed',
      'Conflict:unknown_line',
      'Conflict:unknown_shipment',
      'Conflict:activity_after_cancel',
      'Conflict:unexpected_cancellation_result',
      'Conflict:return_over_receipt',
      'Conflict:payment_unexpected',
      'OrderClosed',
    ];
    expect(expected.filter((k) => (seen.get(k) ?? 0) < 5)).toEqual([]);
  });
});
