import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Deferral, Drift, InventoryDrift, OrderDrift, PaymentDrift } from '../../src/reconcile/index.js';
import {
  DEFAULT_TRIAGE,
  DRIFT_CLASSES,
  FEED_KEY,
  RECONCILE_KINDS,
  actionsFor,
  compareFulfillment,
  comparePosition,
  coveredRange,
  createTriagePolicy,
  dedupeKey,
  defaultTriagePolicy,
  diffOpenDrifts,
  nodeKeyRange,
  parseDedupeKey,
  positionKey,
} from '../../src/reconcile/index.js';
import { ctxFor, fulfillment, released, row } from './reconcile.fixtures.js';

const orderDrift = (key: string, o: Partial<OrderDrift> = {}): OrderDrift => ({
  type: 'drift',
  kind: 'orders',
  class: 'missing_in_target',
  key,
  fulfillmentId: key,
  ledger: null,
  target: null,
  detail: '',
  severity: 'medium',
  ...o,
});
const deferral = (key: string, cls: Deferral['class'] = 'missing_in_target'): Deferral => ({ type: 'deferral', kind: 'orders', class: cls, key, reason: '' });
const scope = (range = {}) => ({ target: 'wms', kind: 'orders' as const, range });

describe('dedupeKey', () => {
  it('round-trips every target, kind, class and key, printable', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom(...RECONCILE_KINDS), fc.constantFrom(...DRIFT_CLASSES), fc.string({ unit: 'binary' }), (target, kind, cls, key) => {
        const k = dedupeKey({ kind, class: cls, key }, target);
        expect(parseDedupeKey(k)).toEqual({ target, kind, class: cls, key });
        expect(k.includes('\u0000')).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('is the same for the same disagreement whatever the amounts, and differs by class', () => {
    const cp = ctxFor('orders');
    const a = compareFulfillment(fulfillment('ful_1', [released(-120)]), [row('ful_1', 'open', [['l1', 3, 1]])], cp)[0]!;
    const b = compareFulfillment(fulfillment('ful_1', [released(-120)]), [row('ful_1', 'open', [['l1', 3, 2]])], cp)[0]!;
    expect(dedupeKey(a, 'wms')).toBe(dedupeKey(b, 'wms'));
    expect(dedupeKey(a, 'wms')).not.toBe(dedupeKey({ ...a, class: 'status_mismatch' }, 'wms'));
    expect(dedupeKey(a, 'wms')).not.toBe(dedupeKey(a, 'pos'));
  });

  it('rejects what it did not make', () => {
    expect(parseDedupeKey('a|b|c')).toBeUndefined();
    expect(parseDedupeKey('wms|orders|nope|k')).toBeUndefined();
    expect(parseDedupeKey('wms|orders|missing_in_target|%E0%A4%A')).toBeUndefined();
  });
});

describe('diffOpenDrifts', () => {
  const open = (key: string, cls: Drift['class'] = 'missing_in_target') => dedupeKey({ kind: 'orders', class: cls, key }, 'wms');

  it('raises what is new, keeps what is found again, resolves what is gone', () => {
    const r = diffOpenDrifts([open('ful_1'), open('ful_2')], [orderDrift('ful_2'), orderDrift('ful_3')], scope());
    expect(r.raise.map((d) => d.key)).toEqual(['ful_3']);
    expect(r.stillOpen).toEqual([open('ful_2')]);
    expect(r.resolved).toEqual([open('ful_1')]);
  });

  it('resolves only keys the run covered', () => {
    const r = diffOpenDrifts([open('ful_1'), open('ful_5'), open('ful_9')], [], scope({ after: 'ful_3', through: 'ful_7' }));
    expect(r.resolved).toEqual([open('ful_5')]);
    expect(r.stillOpen).toEqual([open('ful_1'), open('ful_9')]);
  });

  it('keeps open a drift whose key is deferred (in flight), and raises nothing for a deferral', () => {
    const r = diffOpenDrifts([open('ful_1')], [deferral('ful_1'), deferral('ful_2')], scope());
    expect(r).toEqual({ raise: [], stillOpen: [open('ful_1')], resolved: [] });
  });

  it('leaves other targets, kinds and foreign keys alone, and always covers the feed', () => {
    const other = dedupeKey({ kind: 'orders', class: 'missing_in_target', key: 'ful_1' }, 'pos');
    const inv = dedupeKey({ kind: 'inventory', class: 'inventory_drift', key: 'x' }, 'wms');
    const feed = open(FEED_KEY, 'stale_feed');
    const r = diffOpenDrifts([other, inv, 'garbage', feed], [], scope({ before: FEED_KEY }));
    expect(r.stillOpen).toEqual([other, inv, 'garbage']);
    expect(r.resolved).toEqual([feed]);
  });

  it('does not raise the same drift twice within one run', () => {
    expect(diffOpenDrifts([], [orderDrift('ful_1'), orderDrift('ful_1')], scope()).raise).toHaveLength(1);
  });

  it('covers an interrupted run up to its cursor, a finished one entirely', () => {
    expect(coveredRange({ from: 'a' }, { cursor: 'm', done: false })).toEqual({ from: 'a', through: 'm' });
    expect(coveredRange({ from: 'a' }, { cursor: 'm', done: true })).toEqual({ from: 'a' });
    const none = coveredRange({}, { cursor: null, done: false });
    expect(diffOpenDrifts([open('ful_1')], [], scope(none)).resolved).toEqual([]);
  });

  it('a node-limited inventory run resolves only that node', () => {
    const k = (node: string) => dedupeKey({ kind: 'inventory', class: 'inventory_drift', key: positionKey(node, 'A') }, 'wms');
    const r = diffOpenDrifts([k('dc-1'), k('dc-1x')], [], { target: 'wms', kind: 'inventory', range: nodeKeyRange('dc-1') });
    expect(r.resolved).toEqual([k('dc-1')]);
  });
});

describe('triage policy', () => {
  it('raises severity one step for a high-value drift and one for a VIP, up to critical', () => {
    const d = orderDrift('ful_1', { severity: 'medium', value: 99_999, currency: 'USD' });
    expect(defaultTriagePolicy.triage(d).severity).toBe('medium');
    expect(defaultTriagePolicy.triage({ ...d, value: 100_000 }).severity).toBe('high');
    expect(defaultTriagePolicy.triage({ ...d, value: 100_000, customerTier: 'vip' }).severity).toBe('critical');
    expect(defaultTriagePolicy.triage({ ...d, severity: 'critical', customerTier: 'vip' }).severity).toBe('critical');
  });

  it('reads the high-value threshold in the currency\'s own minor units, or a configured one', () => {
    const jpy = orderDrift('ful_1', { severity: 'low', value: 1_000, currency: 'JPY' });
    expect(defaultTriagePolicy.triage(jpy).severity).toBe('medium');
    const custom = createTriagePolicy({ ...DEFAULT_TRIAGE, highValue: { byCurrency: { JPY: 150_000 }, otherwiseMajorUnits: 1_000 } });
    expect(custom.triage(jpy).severity).toBe('low');
  });

  it('gives an owner and an SLA by severity', () => {
    expect(defaultTriagePolicy.triage(orderDrift('ful_1', { severity: 'high' }))).toMatchObject({ owner: { kind: 'team', id: 'fulfillment-ops' }, slaMinutes: 240 });
    const feed: Drift = { type: 'drift', kind: 'inventory', class: 'stale_feed', key: '', detail: '', severity: 'medium', ledger: { maxAgeMinutes: 1, now: '' }, target: { asOf: '' } };
    expect(defaultTriagePolicy.triage(feed).owner).toEqual({ kind: 'team', id: 'integrations' });
  });

  it('suggests bringing along the side that is behind; a divergence goes to a human first', () => {
    expect(actionsFor(orderDrift('f', { class: 'missing_in_target' }))[0]).toBe('resend');
    expect(actionsFor(orderDrift('f', { class: 'status_mismatch', direction: 'target_behind' }))[0]).toBe('resend');
    expect(actionsFor(orderDrift('f', { class: 'status_mismatch', direction: 'target_ahead' }))).toContain('accept_external');
    expect(actionsFor(orderDrift('f', { class: 'quantity_mismatch', direction: 'diverged' }))[0]).toBe('escalate');
    expect(actionsFor(orderDrift('f', { class: 'duplicate_in_target' }))[0]).toBe('cancel');
    const inv = comparePosition({ nodeId: 'n', sku: 's', onHand: 9, asOf: null }, [{ nodeId: 'n', sku: 's', onHand: 1 }], ctxFor('inventory'))[0] as InventoryDrift;
    expect(actionsFor(inv)[0]).toBe('accept_external');
  });

  it('suggests resending what the goods owe and taking what the gateway is ahead on', () => {
    const pay = (findings: PaymentDrift['findings']): PaymentDrift => ({ type: 'drift', kind: 'payments', class: 'amount_mismatch', key: 'o', orderId: 'o', ledger: null, target: null, detail: '', severity: 'high', findings });
    expect(actionsFor(pay([{ source: 'goods', field: 'captured', owed: 'capture', detail: '' }]))).toEqual(['resend', 'escalate']);
    expect(actionsFor(pay([{ source: 'target', field: 'captured', direction: 'target_ahead', detail: '' }]))).toEqual(['resync', 'accept_external', 'escalate']);
    expect(actionsFor(pay([{ source: 'target', field: 'captured', direction: 'target_behind', detail: '' }]))).toEqual(['escalate']);
  });

  it('has actions for every class', () => {
    for (const cls of DRIFT_CLASSES) expect(actionsFor({ ...orderDrift('f'), class: cls } as Drift).length).toBeGreaterThan(0);
  });
});
