import { describe, expect, it } from 'vitest';
import type { InventoryDrift, InventoryTargetRow, LedgerPosition } from '../../src/reconcile/index.js';
import {
  compareKeys,
  comparePosition,
  createInventoryThresholdPolicy,
  defaultInventoryThresholdPolicy,
  defaultReconcilePolicy,
  expectOnHand,
  nodeKeyRange,
  positionKey,
  reconcileInventory,
  inKeyRange,
} from '../../src/reconcile/index.js';
import { classes, collect, ctxFor, deferrals, drifts, header, position, t } from './reconcile.fixtures.js';

const cmp = (ledger: LedgerPosition | undefined, rows: readonly InventoryTargetRow[], nowMinutes = 10) => comparePosition(ledger, rows, ctxFor('inventory', nowMinutes));
const target = (onHand: number, o: Partial<InventoryTargetRow> = {}): InventoryTargetRow => ({ nodeId: 'dc-east', sku: 'SKU-RED', onHand, ...o });

describe('inventory: the expectation nets the movements the target had not seen at asOf', () => {
  const p = position('dc-east', 'SKU-RED', 40, {
    movements: [
      { delta: -5, occurredAt: t(-120) }, // before asOf: counted by both
      { delta: -3, occurredAt: t(30) }, // after asOf: not yet at the target
      { delta: 8, occurredAt: t(-1) }, // within the clock skew: either way
    ],
  });

  it('is a range around the count the target should have', () => {
    expect(expectOnHand(p, ctxFor('inventory').checkpoint)).toEqual({ min: 35, max: 43 });
  });

  it('raises nothing for any count in the range', () => {
    expect(cmp(p, [target(35)])).toEqual([]);
    expect(cmp(p, [target(43)])).toEqual([]);
  });

  it('cannot say what the target had before the ledger last counted', () => {
    const found = cmp(position('dc-east', 'SKU-RED', 10, { asOf: t(30) }), [target(4)]);
    expect(drifts(found)).toEqual([]);
    expect(deferrals(found)).toEqual([expect.objectContaining({ class: 'inventory_drift' })]);
  });
});

describe('inventory: thresholds by velocity class', () => {
  it('tolerates max(units, percent of expected), per class, with the default class for an unclassified SKU', () => {
    const th = (velocityClass: string, expected: number) => defaultInventoryThresholdPolicy.threshold({ velocityClass, expected, nodeId: 'n', sku: 's' });
    expect(th('A', 100)).toEqual({ tolerance: 2, severity: 'high' });
    expect(th('A', 1000)).toEqual({ tolerance: 10, severity: 'high' });
    expect(th('B', 10)).toEqual({ tolerance: 1, severity: 'medium' });
    expect(th('C', 10)).toEqual({ tolerance: 0.5, severity: 'low' });
    expect(th('unknown', 10)).toEqual(th('C', 10));
    expect(th('constructor', 10)).toEqual(th('C', 10));
  });

  it('raises inventory_drift only past the tolerance of the position class', () => {
    const a = position('dc-east', 'SKU-RED', 100, { velocityClass: 'A' });
    expect(cmp(a, [target(98)])).toEqual([]);
    const d = drifts(cmp(a, [target(97)]));
    expect(d).toEqual([expect.objectContaining({ class: 'inventory_drift', severity: 'high', nodeId: 'dc-east', sku: 'SKU-RED' })]);
    expect((d[0] as InventoryDrift).ledger).toMatchObject({ onHand: { min: 100, max: 100 }, velocityClass: 'A', tolerance: 2 });
    expect(classes(cmp(position('dc-east', 'SKU-RED', 3), [target(2)]))).toEqual(['inventory_drift']);
  });

  it('refuses a default class with no threshold', () => {
    expect(() => createInventoryThresholdPolicy({ classes: {}, defaultClass: 'Z' })).toThrow(RangeError);
  });
});

describe('inventory: each drift class', () => {
  it('missing_in_target: the ledger expects stock the target does not list', () => {
    expect(drifts(cmp(position('dc-east', 'SKU-RED', 7), []))).toEqual([expect.objectContaining({ class: 'missing_in_target', target: null })]);
    expect(cmp(position('dc-east', 'SKU-RED', 0), [])).toEqual([]);
  });

  it('missing_in_ledger: stock at a position the ledger does not hold (zero is nothing)', () => {
    expect(drifts(cmp(undefined, [target(4)]))).toEqual([expect.objectContaining({ class: 'missing_in_ledger', ledger: null })]);
    expect(cmp(undefined, [target(0)])).toEqual([]);
  });

  it('duplicate_in_target', () => {
    const d = drifts(cmp(position('dc-east', 'SKU-RED', 4), [target(4), target(4)]));
    expect(d).toEqual([expect.objectContaining({ class: 'duplicate_in_target', duplicates: [target(4), target(4)] })]);
  });

  it('stale_feed per row: a row counted long ago, compared as of its own count', () => {
    const old = t(-30 * 60);
    const p = position('dc-east', 'SKU-RED', 5, { asOf: t(-40 * 60), movements: [{ delta: -2, occurredAt: t(-10 * 60) }] });
    // As of the row's count the ledger had 7: no inventory drift, but the row is older than a day.
    const found = cmp(p, [target(7, { asOf: old })]);
    expect(found).toEqual([expect.objectContaining({ class: 'stale_feed', key: positionKey('dc-east', 'SKU-RED'), target: { asOf: old } })]);
  });
});

describe('inventory: keys', () => {
  it('orders positions by node, then SKU, whatever characters the ids hold', () => {
    const keys = [positionKey('dc-1', 'B'), positionKey('dc-1', 'A'), positionKey('dc', 'Z'), positionKey('dc-1x', 'A')];
    expect([...keys].sort(compareKeys)).toEqual([positionKey('dc', 'Z'), positionKey('dc-1', 'A'), positionKey('dc-1', 'B'), positionKey('dc-1x', 'A')]);
  });

  it('gives a node its own key range', () => {
    const r = nodeKeyRange('dc-1');
    expect(inKeyRange(positionKey('dc-1', 'ANY'), r)).toBe(true);
    expect(inKeyRange(positionKey('dc-1x', 'ANY'), r)).toBe(false);
    expect(inKeyRange(positionKey('dc', 'ANY'), r)).toBe(false);
  });
});

describe('reconcileInventory: a run', () => {
  it('joins positions by node and SKU', async () => {
    const ledger = [position('dc-1', 'A', 5), position('dc-1', 'B', 5), position('dc-2', 'A', 5)];
    const rows = [target(5, { nodeId: 'dc-1', sku: 'A' }), target(1, { nodeId: 'dc-1', sku: 'B' }), target(9, { nodeId: 'dc-3', sku: 'A' })];
    const events = await collect(reconcileInventory(header('inventory'), ledger, rows, { now: t(10), policy: defaultReconcilePolicy }));
    expect(drifts(events).map((d) => [d.class, d.key])).toEqual([
      ['inventory_drift', positionKey('dc-1', 'B')],
      ['missing_in_target', positionKey('dc-2', 'A')],
      ['missing_in_ledger', positionKey('dc-3', 'A')],
    ]);
  });
});
