// Simulated worlds for the reconciliation properties (not a test file itself): what really
// happened at the target and when each message and fact travelled, from which both the ledger's
// view at `now` and the target's snapshot at asOf are derived independently of the comparators.
// Times are whole minutes relative to asOf (0). Transit of facts is at most 40 minutes, inside the
// 60-minute inbound grace: a world where the systems agree, with messages in flight.
import fc from 'fast-check';
import type {
  FulfillmentChange,
  InventoryTargetRow,
  LedgerFulfillment,
  LedgerPayment,
  LedgerPosition,
  MoneyChange,
  OrdersTargetRow,
  PaymentsTargetRow,
  StockMovement,
} from '../../src/reconcile/index.js';
import { defaultPaymentExpectationPolicy, positionKey, sortByKey } from '../../src/reconcile/index.js';
import { t } from './reconcile.fixtures.js';

/** `certain`: nothing within ±10 minutes of asOf and everything arrived by now (10): no range, no deferral. */
export type Mode = 'in_flight' | 'certain';
export const CERTAIN_NOW = 10;
const quiet = (mode: Mode, at: number): boolean => mode === 'certain' && at > -10 && at < 10;

// ---- orders -------------------------------------------------------------------------------------

export interface OrdersWorld {
  readonly now: number;
  readonly ledger: LedgerFulfillment[];
  readonly snapshot: OrdersTargetRow[];
  /** Per fulfillment: the target holds it at asOf, it refused it. */
  readonly facts: Map<string, { held: boolean; rejected: boolean }>;
}

const releaseArb = fc.oneof(
  fc.constant({ kind: 'outbox' as const, s: 0, delta: 0, apply: 0, lost: false }),
  fc.record({ kind: fc.constant('delivered' as const), s: fc.integer({ min: -300, max: 30 }), delta: fc.integer({ min: 0, max: 10 }), apply: fc.double({ min: 0, max: 1, noNaN: true }), lost: fc.constant(false) }),
  fc.record({ kind: fc.constant('unconfirmed' as const), s: fc.integer({ min: -300, max: 30 }), delta: fc.integer({ min: 0, max: 10 }), apply: fc.constant(0), lost: fc.boolean() }),
);
const eventArb = fc.record({ gap: fc.integer({ min: 1, max: 40 }), ship: fc.boolean(), line: fc.nat(2), qty: fc.integer({ min: 1, max: 3 }), transit: fc.integer({ min: 0, max: 40 }) });
const fulfillmentArb = fc.record({
  quantities: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }),
  release: releaseArb,
  ack: fc.constantFrom('none', 'accept', 'reject'),
  ackDelay: fc.integer({ min: 0, max: 5 }),
  ackTransit: fc.integer({ min: 0, max: 40 }),
  showRejected: fc.boolean(),
  events: fc.array(eventArb, { maxLength: 5 }),
});

export const ordersWorldArb = (mode: Mode): fc.Arbitrary<OrdersWorld> =>
  fc
    .record({ specs: fc.array(fulfillmentArb, { maxLength: 8 }), now: fc.integer({ min: 0, max: 200 }) })
    .map(({ specs, now: n }) => {
      const now = mode === 'certain' ? CERTAIN_NOW : n;
      const ledger: LedgerFulfillment[] = [];
      const snapshot: OrdersTargetRow[] = [];
      const facts = new Map<string, { held: boolean; rejected: boolean }>();
      specs.forEach((spec, i) => {
        const id = `ful_${String(i).padStart(4, '0')}`;
        const lines = spec.quantities.map((quantity, j) => ({ lineId: `l${j}`, sku: `SKU-${j}`, quantity }));
        const r = spec.release;
        // In a certain world a release is long delivered (or not sent); a send after `now` has not happened.
        const s = mode === 'certain' ? r.s - 150 : r.s;
        const sent = r.kind !== 'outbox' && s <= now;
        const delivered = sent && r.kind === 'delivered' && s + r.delta <= now;
        const history: FulfillmentChange[] = [
          { type: 'released', at: t(Math.min(s, now) - 1), ...(sent ? { sentAt: t(s) } : {}), ...(delivered ? { deliveredAt: t(s + r.delta) } : {}) },
        ];
        // When the target applied it: between the send and delivery plus the apply lag; never if lost.
        const lostOk = r.kind === 'unconfirmed' && r.lost && s > -60 && mode === 'in_flight';
        const applied = !sent || lostOk ? undefined : r.kind === 'delivered' ? s + Math.round(r.apply * (r.delta + 5)) : s + r.delta;
        const record = (change: FulfillmentChange, occurred: number, transit: number) => {
          if (occurred > now || quiet(mode, occurred)) return;
          const arrived = mode === 'certain' ? Math.min(occurred + transit, now) : occurred + transit;
          if (arrived <= now) history.push({ ...change, at: t(arrived) });
        };
        let rejectedAt: number | undefined;
        const shippedAt0 = lines.map(() => 0);
        const cancelledAt0 = lines.map(() => 0);
        if (applied !== undefined) {
          let time = applied;
          const shipped = lines.map(() => 0);
          const cancelled = lines.map(() => 0);
          if (spec.ack !== 'none') {
            time += spec.ackDelay;
            if (!quiet(mode, time)) {
              record({ type: 'acknowledged', at: '', occurredAt: t(time), accepted: spec.ack === 'accept' }, time, spec.ackTransit);
              if (spec.ack === 'reject') rejectedAt = time;
            }
          }
          for (const e of rejectedAt === undefined ? spec.events : []) {
            time += e.gap;
            const j = e.line % lines.length;
            const qty = Math.min(e.qty, lines[j]!.quantity - shipped[j]! - cancelled[j]!);
            if (qty <= 0 || quiet(mode, time)) continue;
            (e.ship ? shipped : cancelled)[j]! += qty;
            if (time <= 0) (e.ship ? shippedAt0 : cancelledAt0)[j]! += qty;
            record({ type: e.ship ? 'shipped' : 'cancelled', at: '', occurredAt: t(time), lines: [{ lineId: `l${j}`, quantity: qty }] }, time, e.transit);
          }
        }
        const held = applied !== undefined && applied <= 0;
        const rejected = rejectedAt !== undefined && rejectedAt <= 0;
        facts.set(id, { held, rejected });
        ledger.push({ fulfillmentId: id, orderId: `ord_${i}`, nodeId: 'dc-1', target: 'wms', lines, history, value: 1000, currency: 'USD', customerTier: 'standard' });
        if (held && rejected && spec.showRejected) snapshot.push({ fulfillmentId: id, status: 'cancelled', lines: lines.map((l) => ({ lineId: l.lineId, quantity: 0, shipped: 0 })) });
        if (held && !rejected) {
          const rowLines = lines.map((l, j) => ({ lineId: l.lineId, quantity: l.quantity - cancelledAt0[j]!, shipped: shippedAt0[j]! }));
          snapshot.push({ fulfillmentId: id, status: targetStatus(rowLines), lines: rowLines });
        }
      });
      return { now, ledger, snapshot, facts };
    });

/** The target's status rule, written out again here rather than borrowed from the code under test. */
function targetStatus(lines: readonly { quantity: number; shipped: number }[]): OrdersTargetRow['status'] {
  if (lines.every((l) => l.quantity === 0)) return 'cancelled';
  return lines.every((l) => l.shipped >= l.quantity) ? 'shipped' : 'open';
}

// ---- inventory ----------------------------------------------------------------------------------

export interface InventoryWorld {
  readonly now: number;
  readonly ledger: LedgerPosition[];
  readonly snapshot: InventoryTargetRow[];
  /** On-hand at the node at asOf, per position key. */
  readonly truth: Map<string, number>;
}

const NODES = ['dc-1', 'dc-1x', 'st-9'];
const SKUS = ['A', 'B', 'C', 'D'];
const positionArb = fc.record({
  node: fc.nat(NODES.length - 1),
  sku: fc.nat(SKUS.length - 1),
  velocityClass: fc.constantFrom('A', 'B', 'C', undefined),
  counted: fc.option(fc.integer({ min: -3000, max: -15 }), { nil: null }),
  count: fc.integer({ min: 0, max: 100 }),
  movements: fc.array(fc.record({ delta: fc.integer({ min: -5, max: 5 }).filter((d) => d !== 0), at: fc.integer({ min: 1, max: 700 }) }), { maxLength: 6 }),
  omitZero: fc.boolean(),
});

export const inventoryWorldArb = (mode: Mode): fc.Arbitrary<InventoryWorld> =>
  fc
    .record({ positions: fc.uniqueArray(positionArb, { maxLength: 10, selector: (p) => `${p.node}/${p.sku}` }), now: fc.integer({ min: 0, max: 200 }) })
    .map(({ positions, now: n }) => {
      const now = mode === 'certain' ? CERTAIN_NOW : n;
      const ledger: LedgerPosition[] = [];
      const snapshot: InventoryTargetRow[] = [];
      const truth = new Map<string, number>();
      for (const p of positions) {
        const nodeId = NODES[p.node]!;
        const sku = SKUS[p.sku]!;
        const start = p.counted ?? -3000;
        const base = p.counted === null ? 0 : p.count;
        // Movements after the count, up to now; the ledger records each as it happens.
        const movements: StockMovement[] = p.movements
          .map((m) => ({ delta: m.delta, at: start + m.at * 5 }))
          .filter((m) => m.at <= now && !quiet(mode, m.at))
          .map((m) => ({ delta: m.delta, occurredAt: t(m.at) }));
        const onHand = base + movements.reduce((s, m) => s + m.delta, 0);
        const atAsOf = base + movements.filter((m) => m.occurredAt <= t(0)).reduce((s, m) => s + m.delta, 0);
        ledger.push({ nodeId, sku, onHand, asOf: p.counted === null ? null : t(p.counted), movements, ...(p.velocityClass ? { velocityClass: p.velocityClass } : {}) });
        truth.set(positionKey(nodeId, sku), atAsOf);
        if (atAsOf !== 0 || !p.omitZero) snapshot.push({ nodeId, sku, onHand: atAsOf });
      }
      const byKey = (r: { nodeId: string; sku: string }) => positionKey(r.nodeId, r.sku);
      return { now, ledger: sortByKey(ledger, byKey), snapshot: sortByKey(snapshot, byKey), truth };
    });

// ---- payments -----------------------------------------------------------------------------------

export interface PaymentsWorld {
  readonly now: number;
  readonly ledger: LedgerPayment[];
  readonly snapshot: PaymentsTargetRow[];
}

const goodsEventArb = fc.record({ gap: fc.integer({ min: 1, max: 300 }), kind: fc.constantFrom('ship', 'cancel', 'return'), line: fc.nat(1), qty: fc.integer({ min: 1, max: 3 }), lag: fc.integer({ min: 0, max: 120 }), transit: fc.integer({ min: 0, max: 40 }) });
const orderMoneyArb = fc.record({
  lines: fc.array(fc.record({ unitPrice: fc.integer({ min: 1, max: 5000 }), quantity: fc.integer({ min: 1, max: 4 }) }), { minLength: 1, maxLength: 2 }),
  charges: fc.integer({ min: 0, max: 1000 }),
  start: fc.integer({ min: -1200, max: -100 }),
  events: fc.array(goodsEventArb, { maxLength: 6 }),
});

export const paymentsWorldArb = (mode: Mode): fc.Arbitrary<PaymentsWorld> =>
  fc.record({ orders: fc.array(orderMoneyArb, { maxLength: 6 }), now: fc.integer({ min: 0, max: 200 }) }).map(({ orders, now: n }) => {
    const now = mode === 'certain' ? CERTAIN_NOW : n;
    const ledger: LedgerPayment[] = [];
    const snapshot: PaymentsTargetRow[] = [];
    orders.forEach((o, i) => {
      const orderId = `ord_${String(i).padStart(3, '0')}`;
      const goods = o.lines.map((l, j) => ({ lineId: `l${j}`, unitPrice: l.unitPrice, quantity: l.quantity, shipped: 0, cancelled: 0, returned: 0 }));
      const due = () => defaultPaymentExpectationPolicy.dueFromGoods({ lines: goods, charges: o.charges });
      // Money at the gateway: when it happened there, and when the ledger heard.
      const money: (MoneyChange & { happened: number; arrived: number })[] = [];
      const pay = (type: MoneyChange['type'], amount: number, happened: number, transit: number) => {
        const arrived = mode === 'certain' ? Math.min(happened + transit, now) : happened + transit;
        if (amount > 0) money.push({ type, amount, occurredAt: t(happened), happened, arrived });
      };
      pay('authorized', due().authorized, o.start, 1);
      let time = o.start;
      let goodsChangedAt: number | undefined;
      for (const e of o.events) {
        time += e.gap;
        const g = goods[e.line % goods.length]!;
        const room = e.kind === 'ship' ? g.quantity - g.cancelled - g.shipped : e.kind === 'cancel' ? g.quantity - g.cancelled - g.shipped : g.shipped - g.returned;
        const qty = Math.min(e.qty, room);
        const settles = time + e.lag;
        if (qty <= 0 || time > now || (mode === 'certain' && settles > -10)) continue;
        const before = due();
        if (e.kind === 'ship') g.shipped += qty;
        else if (e.kind === 'cancel') g.cancelled += qty;
        else g.returned += qty;
        goodsChangedAt = time;
        const after = due();
        pay('captured', after.captured - before.captured, settles, e.transit);
        pay('refunded', after.refunded - before.refunded, settles, e.transit);
        pay('voided', before.authorized - after.authorized, settles, e.transit);
      }
      const known = money.filter((m) => m.happened <= now && m.arrived <= now);
      const total = (list: typeof money, type: MoneyChange['type']) => list.filter((m) => m.type === type).reduce((s, m) => s + m.amount, 0);
      ledger.push({
        orderId,
        target: 'gateway',
        currency: 'EUR',
        authorized: total(known, 'authorized') - total(known, 'voided'),
        captured: total(known, 'captured'),
        refunded: total(known, 'refunded'),
        changes: known.map(({ type, amount, occurredAt }) => ({ type, amount, occurredAt })),
        goods: { lines: goods.map((g) => ({ ...g })), charges: o.charges },
        ...(goodsChangedAt !== undefined ? { goodsChangedAt: t(goodsChangedAt) } : {}),
        value: due().authorized,
      });
      const atAsOf = money.filter((m) => m.happened <= 0);
      snapshot.push({ orderId, authorized: total(atAsOf, 'authorized') - total(atAsOf, 'voided'), captured: total(atAsOf, 'captured'), refunded: total(atAsOf, 'refunded'), currency: 'EUR' });
    });
    return { now, ledger, snapshot };
  });
