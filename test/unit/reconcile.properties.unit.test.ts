import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DriftClass, InventoryTargetRow, OrdersTargetRow, PaymentsTargetRow, ReconcilePolicy, RunEvent, SnapshotHeader } from '../../src/reconcile/index.js';
import {
  createFeedAgePolicy,
  defaultInventoryThresholdPolicy,
  defaultReconcilePolicy,
  positionKey,
  reconcileInventory,
  reconcileOrders,
  reconcilePayments,
  sortByKey,
} from '../../src/reconcile/index.js';
import { collect, drifts, header, t } from './reconcile.fixtures.js';
import type { InventoryWorld, OrdersWorld, PaymentsWorld } from './reconcile.worlds.js';
import { CERTAIN_NOW, inventoryWorldArb, ordersWorldArb, paymentsWorldArb } from './reconcile.worlds.js';

const RUNS = { numRuns: 250 };
const AFTER_GRACE = 90;
// Order feeds never stale here (runs go past the hour), so a run's findings are the rows' own; stale feeds have their own property.
const ORDERS_POLICY: ReconcilePolicy = { ...defaultReconcilePolicy, feedAge: createFeedAgePolicy({ byKind: { orders: 1e6, inventory: 1e6, payments: 1e6 } }) };
const findings = (events: readonly RunEvent[]) => events.filter((e) => e.type !== 'progress');

const runOrders = (w: OrdersWorld, rows: OrdersTargetRow[], now: number, snapshot: Partial<SnapshotHeader> = {}) =>
  collect(reconcileOrders(header('orders', snapshot), w.ledger, sortByKey(rows, (r) => r.fulfillmentId), { now: t(now), policy: ORDERS_POLICY, progressEvery: 3 }));
const runInventory = (w: InventoryWorld, rows: InventoryTargetRow[], now: number) =>
  collect(reconcileInventory(header('inventory'), { pages: [w.ledger] }, sortByKey(rows, (r) => positionKey(r.nodeId, r.sku)), { now: t(now) }));
const runPayments = (w: PaymentsWorld, rows: PaymentsTargetRow[], now: number) =>
  collect(reconcilePayments(header('payments', { target: 'gateway' }), w.ledger, sortByKey(rows, (r) => r.orderId), { now: t(now) }));

/** Exactly one finding, of `cls`, for `key`: at `now` (a deferral allowed while in grace) and, after the grace, a drift. */
async function expectOneFinding(run: (now: number) => Promise<RunEvent[]>, cls: DriftClass, key: string): Promise<void> {
  const inGrace = findings(await run(CERTAIN_NOW));
  expect(inGrace).toHaveLength(1);
  expect(inGrace[0]).toMatchObject({ class: cls, key });
  const later = findings(await run(AFTER_GRACE));
  expect(later).toHaveLength(1);
  expect(later[0]).toMatchObject({ type: 'drift', class: cls, key });
}

const pick = <T>(xs: readonly T[], n: number): T | undefined => xs[n % Math.max(1, xs.length)];
const mutationArb = <K extends string>(kinds: readonly K[]) => fc.record({ kind: fc.constantFrom(...kinds), n: fc.nat(), m: fc.nat(), up: fc.boolean() });

describe('orders: a snapshot of the target as of asOf raises no drift, whatever is in flight', () => {
  it('every kind of release, acknowledgement, shipment and cancellation, delivered or still travelling', async () => {
    await fc.assert(
      fc.asyncProperty(ordersWorldArb('in_flight'), async (w) => {
        expect(drifts(await runOrders(w, w.snapshot, w.now))).toEqual([]);
      }),
      RUNS,
    );
  });

  it('an open-only snapshot of the same world', async () => {
    await fc.assert(
      fc.asyncProperty(ordersWorldArb('in_flight'), async (w) => {
        const open = w.snapshot.filter((r) => r.status === 'open');
        expect(drifts(await runOrders(w, open, w.now, { scope: 'open_only' }))).toEqual([]);
      }),
      RUNS,
    );
  });

  it('nothing at all, not even a deferral, when nothing is in flight', async () => {
    await fc.assert(
      fc.asyncProperty(ordersWorldArb('certain'), async (w) => {
        expect(findings(await runOrders(w, w.snapshot, CERTAIN_NOW))).toEqual([]);
        expect(findings(await runOrders(w, w.snapshot, AFTER_GRACE))).toEqual([]);
      }),
      RUNS,
    );
  });
});

describe('orders: exactly one mutation of the snapshot gives exactly one finding of its class', () => {
  const KINDS = ['drop', 'foreign', 'duplicate', 'status', 'shipped', 'quantity', 'phantom'] as const;
  it.each(KINDS)('%s', async (kind) => {
    await fc.assert(
      fc.asyncProperty(ordersWorldArb('certain'), mutationArb([kind]), async (w, mu) => {
        const rows = w.snapshot.map((r) => ({ ...r, lines: r.lines.map((l) => ({ ...l })) }));
        const target = pick(rows, mu.n);
        let cls: DriftClass;
        let key: string;
        switch (kind) {
          case 'drop': {
            const droppable = rows.filter((r) => !w.facts.get(r.fulfillmentId)!.rejected);
            const r = pick(droppable, mu.n);
            fc.pre(r !== undefined);
            rows.splice(rows.indexOf(r!), 1);
            [cls, key] = ['missing_in_target', r!.fulfillmentId];
            break;
          }
          case 'foreign':
            rows.push({ fulfillmentId: 'ful_zzzz', status: 'open', lines: [{ lineId: 'l0', quantity: 1, shipped: 0 }] });
            [cls, key] = ['missing_in_ledger', 'ful_zzzz'];
            break;
          case 'duplicate':
            fc.pre(target !== undefined);
            rows.push({ ...target! });
            [cls, key] = ['duplicate_in_target', target!.fulfillmentId];
            break;
          case 'status': {
            fc.pre(target !== undefined);
            const others = (['open', 'shipped', 'cancelled'] as const).filter((s) => s !== target!.status);
            target!.status = others[mu.m % 2]!;
            [cls, key] = ['status_mismatch', target!.fulfillmentId];
            break;
          }
          case 'shipped': {
            const line = target && pick(target.lines, mu.m);
            fc.pre(line !== undefined && (mu.up || line.shipped > 0));
            line!.shipped += mu.up ? 1 : -1;
            [cls, key] = ['quantity_mismatch', target!.fulfillmentId];
            break;
          }
          case 'quantity': {
            const line = target && target.status !== 'cancelled' ? pick(target.lines, mu.m) : undefined;
            fc.pre(line !== undefined);
            line!.quantity += 1;
            [cls, key] = ['quantity_mismatch', target!.fulfillmentId];
            break;
          }
          case 'phantom': {
            const unsent = pick(w.ledger.filter((f) => !w.facts.get(f.fulfillmentId)!.held), mu.n);
            fc.pre(unsent !== undefined);
            rows.push({ fulfillmentId: unsent!.fulfillmentId, status: 'open', lines: unsent!.lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity, shipped: 0 })) });
            [cls, key] = ['status_mismatch', unsent!.fulfillmentId];
            break;
          }
        }
        await expectOneFinding((now) => runOrders(w, rows, now), cls, key);
      }),
      { numRuns: 120 },
    );
  });
});

describe('inventory: a snapshot of on-hand as of asOf raises no drift', () => {
  it('with movements before, around and after asOf', async () => {
    await fc.assert(
      fc.asyncProperty(inventoryWorldArb('in_flight'), async (w) => {
        expect(findings(await runInventory(w, w.snapshot, w.now))).toEqual([]);
      }),
      RUNS,
    );
  });
});

describe('inventory: exactly one mutation gives exactly one finding of its class', () => {
  const KINDS = ['count', 'drop', 'foreign', 'duplicate', 'stale_row'] as const;
  it.each(KINDS)('%s', async (kind) => {
    await fc.assert(
      fc.asyncProperty(inventoryWorldArb('certain'), mutationArb([kind]), async (w, mu) => {
        const rows = w.snapshot.map((r) => ({ ...r }));
        const ledgerOf = (r: InventoryTargetRow) => w.ledger.find((p) => p.nodeId === r.nodeId && p.sku === r.sku)!;
        const tolerance = (r: InventoryTargetRow) =>
          defaultInventoryThresholdPolicy.threshold({ velocityClass: ledgerOf(r).velocityClass ?? 'C', expected: r.onHand, nodeId: r.nodeId, sku: r.sku }).tolerance;
        // As of the ledger's own count, long ago, a row has the same on-hand if nothing moved since.
        const countedLongAgo = (r: InventoryTargetRow): boolean => {
          const p = ledgerOf(r);
          return p.asOf !== null && p.asOf < t(-1700) && (p.movements ?? []).every((m) => m.occurredAt > t(2));
        };
        const target = pick(kind === 'stale_row' ? rows.filter(countedLongAgo) : rows, mu.n);
        let cls: DriftClass;
        fc.pre(kind === 'foreign' || target !== undefined);
        switch (kind) {
          case 'count':
            target!.onHand += (mu.up ? 1 : -1) * (Math.floor(tolerance(target!)) + 1);
            cls = 'inventory_drift';
            break;
          case 'drop':
            fc.pre(Math.abs(target!.onHand) > tolerance(target!));
            rows.splice(rows.indexOf(target!), 1);
            cls = 'missing_in_target';
            break;
          case 'foreign':
            rows.push({ nodeId: 'zz', sku: 'X', onHand: 1 + (mu.n % 50) });
            await expectOneFinding((now) => runInventory(w, rows, now), 'missing_in_ledger', positionKey('zz', 'X'));
            return;
          case 'duplicate':
            rows.push({ ...target! });
            cls = 'duplicate_in_target';
            break;
          case 'stale_row':
            target!.asOf = ledgerOf(target!).asOf!;
            cls = 'stale_feed';
            break;
        }
        await expectOneFinding((now) => runInventory(w, rows, now), cls, positionKey(target!.nodeId, target!.sku));
      }),
      { numRuns: 120 },
    );
  });
});

describe('payments: the gateway as of asOf raises no drift, with captures, voids and refunds in flight', () => {
  it('in flight', async () => {
    await fc.assert(
      fc.asyncProperty(paymentsWorldArb('in_flight'), async (w) => {
        expect(drifts(await runPayments(w, w.snapshot, w.now))).toEqual([]);
      }),
      RUNS,
    );
  });

  it('nothing at all when nothing is in flight', async () => {
    await fc.assert(
      fc.asyncProperty(paymentsWorldArb('certain'), async (w) => {
        expect(findings(await runPayments(w, w.snapshot, CERTAIN_NOW))).toEqual([]);
      }),
      RUNS,
    );
  });
});

describe('payments: exactly one mutation gives exactly one finding of its class', () => {
  const KINDS = ['amount', 'drop', 'foreign', 'duplicate'] as const;
  it.each(KINDS)('%s', async (kind) => {
    await fc.assert(
      fc.asyncProperty(paymentsWorldArb('certain'), mutationArb([kind]), fc.constantFrom('authorized', 'captured', 'refunded'), async (w, mu, field) => {
        const rows = w.snapshot.map((r) => ({ ...r }));
        const target = pick(rows, mu.n);
        fc.pre(kind === 'foreign' || target !== undefined);
        let cls: DriftClass;
        switch (kind) {
          case 'amount':
            fc.pre(mu.up || target![field] > 0);
            target![field] += mu.up ? 1 : -1;
            cls = 'amount_mismatch';
            break;
          case 'drop':
            fc.pre(target!.authorized > 0 || target!.captured > 0 || target!.refunded > 0);
            rows.splice(rows.indexOf(target!), 1);
            cls = 'missing_in_target';
            break;
          case 'foreign':
            rows.push({ orderId: 'ord_zzz', authorized: 1 + mu.m, captured: 0, refunded: 0 });
            await expectOneFinding((now) => runPayments(w, rows, now), 'missing_in_ledger', 'ord_zzz');
            return;
          case 'duplicate':
            rows.push({ ...target! });
            cls = 'duplicate_in_target';
            break;
        }
        await expectOneFinding((now) => runPayments(w, rows, now), cls, target!.orderId);
      }),
      { numRuns: 120 },
    );
  });
});

describe('stale_feed: a clean snapshot older than the feed may be gives exactly that one drift', () => {
  it('once per run, before the rows', async () => {
    await fc.assert(
      fc.asyncProperty(ordersWorldArb('certain'), fc.integer({ min: 61, max: 5000 }), async (w, now) => {
        const events = await collect(reconcileOrders(header('orders'), w.ledger, w.snapshot, { now: t(now) }));
        expect(findings(events)).toEqual([expect.objectContaining({ type: 'drift', class: 'stale_feed', key: '' })]);
        expect(events[0]).toMatchObject({ class: 'stale_feed' });
      }),
      { numRuns: 100 },
    );
  });
});
