import { describe, expect, it } from 'vitest';
import type { FulfillmentChange, OrderDrift, OrdersTargetRow } from '../../src/reconcile/index.js';
import { compareFulfillment, expectFulfillment, reconcileOrders } from '../../src/reconcile/index.js';
import {
  acknowledged,
  cancelled,
  classes,
  collect,
  ctxFor,
  deferrals,
  drifts,
  fulfillment,
  header,
  released,
  row,
  shipped,
  t,
} from './reconcile.fixtures.js';

const ID = 'ful_0001';
const compare = (history: readonly FulfillmentChange[], rows: readonly OrdersTargetRow[], nowMinutes = 10, scope: 'all' | 'open_only' = 'all') =>
  compareFulfillment(fulfillment(ID, history), rows, ctxFor('orders', nowMinutes, { snapshot: { scope } }));
const only = (found: ReturnType<typeof compare>): OrderDrift => {
  const d = drifts(found);
  expect(d).toHaveLength(1);
  return d[0] as OrderDrift;
};

describe('orders: a clean snapshot taken while messages are in flight raises nothing', () => {
  it('agrees when both sides hold the released fulfillment', () => {
    expect(compare([released(-120)], [row(ID, 'open')])).toEqual([]);
  });

  it('does not expect a release still in the outbox at asOf', () => {
    expect(compare([{ type: 'released', at: t(-1) }], [])).toEqual([]);
  });

  it('accepts either side of a release sent before asOf and delivered after it', () => {
    const history = [released(-1, 3)];
    expect(compare(history, [])).toEqual([]);
    expect(compare(history, [row(ID, 'open')])).toEqual([]);
  });

  it('gives a delivered release the apply lag before it must show', () => {
    expect(compare([released(-5, 1)], [])).toEqual([]);
    expect(classes(compare([released(-20, 1)], [], 45))).toEqual(['missing_in_target']);
  });

  it('defers a missing fulfillment while the node\'s rejection may still be on its way', () => {
    const found = compare([released(-20, 1)], [], 10);
    expect(drifts(found)).toEqual([]);
    expect(deferrals(found)).toEqual([expect.objectContaining({ class: 'missing_in_target', until: t(41) })]);
    expect(classes(compare([released(-20, 1), acknowledged(-15, true)], [], 10))).toEqual(['missing_in_target']);
  });

  it('accepts an unconfirmed send either way until it is old enough to have arrived', () => {
    expect(compare([released(-30, null)], [])).toEqual([]);
    expect(compare([released(-30, null)], [row(ID, 'open')])).toEqual([]);
    expect(compare([released(-90, null)], [row(ID, 'open')])).toEqual([]);
    const lost = only(compare([released(-90, null)], []));
    expect(lost).toMatchObject({ class: 'missing_in_target', direction: 'target_behind' });
  });

  it('counts a shipment by when it happened at the target, not when the ledger recorded it', () => {
    // shipped 30 min before asOf, recorded 40 min after asOf
    expect(compare([released(-120), shipped(-30, 3, 'l1', 40)], [row(ID, 'shipped', [['l1', 3, 3]])])).toEqual([]);
  });

  it('does not expect a shipment that happened after asOf', () => {
    expect(compare([released(-120), shipped(5, 3)], [row(ID, 'open')])).toEqual([]);
  });

  it('accepts either side of a change within the clock skew of asOf', () => {
    const history = [released(-120), shipped(-1, 3)];
    expect(compare(history, [row(ID, 'open')])).toEqual([]);
    expect(compare(history, [row(ID, 'shipped', [['l1', 3, 3]])])).toEqual([]);
  });

  it('defers a target ahead of the ledger (a shipment fact on its way) during the inbound grace', () => {
    const found = compare([released(-120)], [row(ID, 'shipped', [['l1', 3, 3]])], 10);
    expect(drifts(found)).toEqual([]);
    expect(deferrals(found)).toEqual([expect.objectContaining({ class: 'status_mismatch', until: t(60) })]);
  });

  it('defers a cancellation result on its way', () => {
    const found = compare([released(-120)], [row(ID, 'cancelled', [['l1', 3, 0]])], 10);
    expect(drifts(found)).toEqual([]);
    expect(deferrals(found).map((d) => d.class)).toEqual(['status_mismatch']);
  });

  it('raises the same target-ahead difference once the grace is over', () => {
    const d = only(compare([released(-120)], [row(ID, 'shipped', [['l1', 3, 3]])], 90));
    expect(d).toMatchObject({ class: 'status_mismatch', direction: 'target_ahead', severity: 'medium' });
    expect(d.detail).toContain('line l1 shipped 3, ledger 0');
  });

  it('lets an open-only snapshot leave out finished fulfillments', () => {
    const history = [released(-120), shipped(-60, 3)];
    expect(compare(history, [], 10, 'open_only')).toEqual([]);
    expect(classes(compare(history, [], 10, 'all'))).toEqual(['missing_in_target']);
  });

  it('defers an open fulfillment absent from an open-only snapshot: it may have finished there', () => {
    const found = compare([released(-120), acknowledged(-100, true)], [], 10, 'open_only');
    expect(deferrals(found)).toEqual([expect.objectContaining({ class: 'missing_in_target', until: t(60) })]);
    expect(classes(compare([released(-120), acknowledged(-100, true)], [], 90, 'open_only'))).toEqual(['missing_in_target']);
  });

  it('lets a node that rejected the fulfillment hold nothing, or show it cancelled, but not open', () => {
    const history = [released(-120), acknowledged(-100, false)];
    expect(compare(history, [])).toEqual([]);
    expect(compare(history, [row(ID, 'cancelled', [['l1', 0, 0]])])).toEqual([]);
    expect(only(compare(history, [row(ID, 'open')]))).toMatchObject({ class: 'status_mismatch', direction: 'target_behind' });
  });

  it('treats an acceptance as proof the node holds it', () => {
    const history = [released(-30, null), acknowledged(-20, true)];
    expect(classes(compare(history, []))).toEqual(['missing_in_target']);
  });
});

describe('orders: each drift class is found and classified', () => {
  it('missing_in_target: released and delivered, absent at the target', () => {
    const d = only(compare([released(-120)], []));
    expect(d).toMatchObject({
      class: 'missing_in_target',
      key: ID,
      fulfillmentId: ID,
      orderId: 'ord_0001',
      nodeId: 'dc-east',
      target: null,
      severity: 'high',
      value: 5997,
      currency: 'USD',
    });
    expect(d.ledger?.presence).toBe('required');
  });

  it('missing_in_ledger: a fulfillment the ledger does not know', () => {
    const found = compareFulfillment(undefined, [row('ful_9999', 'open')], ctxFor('orders'));
    expect(only(found)).toMatchObject({ class: 'missing_in_ledger', key: 'ful_9999', ledger: null });
  });

  it('duplicate_in_target: one drift listing every copy, and nothing else for identical copies', () => {
    const d = only(compare([released(-120)], [row(ID, 'open'), row(ID, 'open')]));
    expect(d.class).toBe('duplicate_in_target');
    expect(d.duplicates).toHaveLength(2);
  });

  it('status_mismatch behind: the ledger has the cancellation confirmed, the target still shows it open', () => {
    const d = only(compare([released(-120), cancelled(-30, 3)], [row(ID, 'open')]));
    expect(d).toMatchObject({ class: 'status_mismatch', direction: 'target_behind', severity: 'high' });
    expect(d.detail).toContain('line l1 quantity 3, ledger 0');
  });

  it('status_mismatch diverged: shipped at the target, cancelled in the ledger (critical)', () => {
    const d = only(compare([released(-120), cancelled(-30, 3)], [row(ID, 'shipped', [['l1', 0, 3]])]));
    expect(d).toMatchObject({ class: 'status_mismatch', direction: 'diverged', severity: 'critical' });
  });

  it('status_mismatch: a status ahead but a count behind diverges', () => {
    const d = only(compare([released(-120), shipped(-60, 2)], [row(ID, 'shipped', [['l1', 3, 1]])], 90));
    expect(d).toMatchObject({ class: 'status_mismatch', direction: 'diverged' });
  });

  it('status_mismatch: the target holds a fulfillment the ledger had not sent by asOf', () => {
    const d = only(compare([released(10)], [row(ID, 'open')]));
    expect(d).toMatchObject({ class: 'status_mismatch', direction: 'diverged' });
  });

  it('quantity_mismatch behind: fewer units shipped at the target than the ledger recorded', () => {
    const d = only(compare([released(-120), shipped(-60, 2)], [row(ID, 'open', [['l1', 3, 1]])]));
    expect(d).toMatchObject({ class: 'quantity_mismatch', direction: 'target_behind' });
    expect(d.detail).toContain('line l1 shipped 1, ledger 2');
  });

  it('quantity_mismatch behind: the target still holds units the ledger has cancelled', () => {
    const d = only(compare([released(-120), cancelled(-60, 1)], [row(ID, 'open', [['l1', 3, 0]])]));
    expect(d).toMatchObject({ class: 'quantity_mismatch', direction: 'target_behind' });
  });

  it('quantity_mismatch diverged: a line unknown to the ledger', () => {
    const d = only(compare([released(-120)], [row(ID, 'open', [['l1', 3, 0], ['l9', 1, 0]])]));
    expect(d).toMatchObject({ class: 'quantity_mismatch', direction: 'diverged' });
  });
});

describe('orders: the expectation', () => {
  it('is a range where a change may or may not be in the snapshot', () => {
    const cp = ctxFor('orders').checkpoint;
    const e = expectFulfillment(fulfillment(ID, [released(-120), shipped(-1, 2), cancelled(-60, 1)]), cp);
    expect(e.presence).toBe('required');
    expect(e.lines[0]).toMatchObject({ quantity: { min: 2, max: 2 }, shipped: { min: 0, max: 2 } });
    expect([...e.statuses].sort()).toEqual(['open', 'shipped']);
  });
});

describe('reconcileOrders: a run', () => {
  const ledger = [fulfillment('ful_0001'), fulfillment('ful_0002'), fulfillment('ful_0003', [released(-120), shipped(-60, 3)])];
  const target = [row('ful_0001', 'open'), row('ful_0003', 'shipped', [['l1', 3, 3]]), row('ful_0004', 'open')];

  it('yields the drifts in key order and a final progress', async () => {
    const events = await collect(reconcileOrders(header('orders'), ledger, target, { now: t(10) }));
    expect(drifts(events).map((d) => [d.class, d.key])).toEqual([
      ['missing_in_target', 'ful_0002'],
      ['missing_in_ledger', 'ful_0004'],
    ]);
    expect(events.at(-1)).toEqual({ type: 'progress', cursor: 'ful_0004', ledgerRows: 3, targetRows: 3, keys: 4, drifts: 2, deferrals: 0, droppedCopies: 0, done: true });
  });

  it('starts with one stale_feed drift when the snapshot is older than the feed may be', async () => {
    const events = await collect(reconcileOrders(header('orders'), ledger, target, { now: t(61) }));
    expect(events[0]).toMatchObject({ type: 'drift', class: 'stale_feed', key: '', kind: 'orders', target: { asOf: header('orders').asOf } });
    expect(classes(events).filter((c) => c === 'stale_feed')).toHaveLength(1);
  });

  it('refuses a snapshot of another kind', async () => {
    await expect(collect(reconcileOrders(header('inventory'), [], [], { now: t(10) }))).rejects.toThrow(/inventory snapshot/);
  });
});
