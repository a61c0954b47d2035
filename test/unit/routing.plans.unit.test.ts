import { describe, expect, it } from 'vitest';
import type { RoutingDecision } from '../../src/routing/decision.js';
import type { RoutingLine } from '../../src/routing/input.js';
import { route } from '../../src/routing/route.js';
import type { RulesetDocument } from '../../src/routing/ruleset.js';
import { dc, input, line, minutesBefore, position, rules, shipOrder, store } from './routing.fixtures.js';

const nodes = [dc('dc-east', { at: 'newYork' }), dc('dc-mid', { at: 'chicago' }), store('st-sea', { at: 'seattle' })];
const decide = (lines: readonly RoutingLine[], positions: Parameters<typeof input>[2], doc: Partial<RulesetDocument> = {}): RoutingDecision =>
  route(input(shipOrder(lines), nodes, positions, { ruleset: rules(doc) }));
const shipped = (d: RoutingDecision): Record<string, Record<string, number>> =>
  Object.fromEntries(d.assignments.map((a) => [a.nodeId, Object.fromEntries(a.lines.map((l) => [l.lineId, l.quantity]))]));
const backordered = (d: RoutingDecision): Record<string, [number, string]> =>
  Object.fromEntries(d.backorders.map((b) => [b.lineId, [b.quantity, b.reason]]));

describe('single-node plans come first', () => {
  it('one node that serves every line beats a nearer split', () => {
    const d = decide([line('1', 'A', 1), line('2', 'B', 1)], [
      position('st-sea', 'A', 5),
      position('dc-mid', 'B', 5),
      position('dc-east', 'A', 5),
      position('dc-east', 'B', 5),
    ], { objectives: [{ type: 'distance' }] });
    expect(shipped(d)).toEqual({ 'dc-east': { 1: 1, 2: 1 } });
    expect(d.plan.kind).toBe('single_node');
    expect(d.summary).toMatchObject({ shipments: 1, split: false, backorderedUnits: 0 });
  });

  it('records the ruleset version it was given', () => {
    const d = route(input(shipOrder([line('1', 'A', 1)]), nodes, [position('dc-mid', 'A', 1)], { rulesetVersion: 42 }));
    expect(d.rulesetVersion).toBe(42);
  });

  it('lines of the same SKU share the node’s stock', () => {
    const d = decide([line('1', 'A', 3), line('2', 'A', 3)], [position('dc-mid', 'A', 4), position('dc-east', 'A', 6)]);
    expect(shipped(d)).toEqual({ 'dc-east': { 1: 3, 2: 3 } });
  });
});

describe('splits', () => {
  const apart = [position('dc-east', 'A', 5), position('dc-mid', 'B', 5)];
  const lines = [line('1', 'A', 2), line('2', 'B', 2)];

  it('split across nodes when no single node can serve everything', () => {
    const d = decide(lines, apart);
    expect(shipped(d)).toEqual({ 'dc-east': { 1: 2 }, 'dc-mid': { 2: 2 } });
    expect(d.plan.kind).toBe('split');
    expect(d.summary).toMatchObject({ shipments: 2, split: true, backorderedUnits: 0 });
  });

  it('without splits, serve what the best single node can and backorder the rest', () => {
    const d = decide(lines, apart, { split: { allowed: false } });
    expect(d.assignments).toHaveLength(1);
    expect(d.summary).toMatchObject({ shipments: 1, split: false, backorderedUnits: 2 });
    expect(Object.values(backordered(d))).toEqual([[2, 'split_not_allowed']]);
  });

  it('stop at maxShipments and backorder what another node would have needed', () => {
    const three = [position('dc-east', 'A', 5), position('dc-mid', 'B', 5), position('st-sea', 'C', 5)];
    const d = decide([...lines, line('3', 'C', 1)], three, { split: { maxShipments: 2 } });
    expect(d.summary.shipments).toBe(2);
    expect(d.backorders).toHaveLength(1);
    expect(d.backorders[0]?.reason).toBe('max_shipments');
    expect(decide([...lines, line('3', 'C', 1)], three).summary).toMatchObject({ shipments: 3, backorderedUnits: 0 });
  });

  it('split one line across nodes under ship_as_available', () => {
    const d = decide([line('1', 'A', 7)], [position('dc-east', 'A', 4), position('dc-mid', 'A', 4)]);
    expect(shipped(d)).toEqual({ 'dc-east': { 1: 3 }, 'dc-mid': { 1: 4 } });
  });

  it('prefer giving a line whole to one node over splitting it when the node set allows', () => {
    const d = decide([line('1', 'A', 3), line('2', 'B', 1)], [position('dc-east', 'A', 2), position('dc-east', 'B', 1), position('dc-mid', 'A', 3)]);
    expect(shipped(d)).toEqual({ 'dc-east': { 2: 1 }, 'dc-mid': { 1: 3 } });
  });
});

describe('ship_complete', () => {
  const partial = [position('dc-east', 'A', 4), position('dc-mid', 'A', 4), position('dc-mid', 'B', 1)];

  it('never ships part of a line, and never splits a line across nodes', () => {
    const d = decide([line('1', 'A', 7), line('2', 'B', 1)], partial, { split: { mode: 'ship_complete' } });
    expect(shipped(d)).toEqual({ 'dc-mid': { 2: 1 } });
    expect(backordered(d)).toEqual({ 1: [7, 'ship_complete'] });
  });

  it('splits a line across nodes when splitLines allows, still in full', () => {
    const exact = [position('dc-east', 'A', 4), position('dc-mid', 'A', 3), position('st-sea', 'A', 2)];
    const d = decide([line('1', 'A', 7)], exact, { split: { mode: 'ship_complete', splitLines: true, maxShipments: 2 } });
    expect(shipped(d)).toEqual({ 'dc-east': { 1: 4 }, 'dc-mid': { 1: 3 } });
    const three = decide([line('1', 'A', 9)], exact, { split: { mode: 'ship_complete', splitLines: true } });
    expect(shipped(three)).toEqual({ 'dc-east': { 1: 4 }, 'dc-mid': { 1: 3 }, 'st-sea': { 1: 2 } });
    const short = decide([line('1', 'A', 9)], partial, { split: { mode: 'ship_complete', splitLines: true } });
    expect(short.assignments).toEqual([]);
    expect(backordered(short)).toEqual({ 1: [9, 'ship_complete'] });
  });

  it('ship_as_available without line splits fills a line in part from one node', () => {
    const d = decide([line('1', 'A', 7)], partial, { split: { splitLines: false } });
    expect(shipped(d)).toEqual({ 'dc-mid': { 1: 4 } });
    expect(backordered(d)).toEqual({ 1: [3, 'split_not_allowed'] });
  });
});

describe('backorders', () => {
  it('backorder the rest of a line under ship_as_available', () => {
    const d = decide([line('1', 'A', 5)], [position('dc-mid', 'A', 2)]);
    expect(shipped(d)).toEqual({ 'dc-mid': { 1: 2 } });
    expect(backordered(d)).toEqual({ 1: [3, 'no_stock'] });
  });

  it('say no_stock when nodes qualify but hold nothing, no_eligible_node when none qualifies', () => {
    const d = decide([line('1', 'A', 1), line('2', 'B', 1)], [position('dc-mid', 'A', 0, { reserved: 0 }), position('dc-east', 'B', 1)], {
      exclusions: [{ attribute: 'oversize' }],
    });
    expect(backordered(d)).toEqual({ 1: [1, 'no_stock'] });
    const nowhere = decide([line('1', 'A', 1, { oversize: true })], [position('dc-mid', 'A', 5)], { exclusions: [{ attribute: 'oversize' }] });
    expect(backordered(nowhere)).toEqual({ 1: [1, 'no_eligible_node'] });
    expect(nowhere.plan).toEqual({ kind: 'none', plansConsidered: 0, unitsServed: 0 });
    expect(nowhere.summary).toEqual({ shipments: 0, split: false, distanceKm: 0, cost: 0, backorderedUnits: 1 });
  });

  it('count stale stock as no stock, and buffer it when the ruleset says so', () => {
    const stale = [position('dc-mid', 'A', 10, { asOf: minutesBefore(2000) })];
    expect(backordered(decide([line('1', 'A', 2)], stale))).toEqual({ 1: [2, 'no_stock'] });
    const buffered = decide([line('1', 'A', 8)], stale, { inventory: { staleMode: 'buffer', staleBuffer: { percent: 50 } } });
    expect(shipped(buffered)).toEqual({ 'dc-mid': { 1: 5 } });
  });

  it('hold safety stock back', () => {
    const d = decide([line('1', 'A', 3)], [position('st-sea', 'A', 3), position('dc-mid', 'A', 3)], {
      safetyStock: { byNodeType: { store: 1 } },
      objectives: [{ type: 'distance' }],
    });
    expect(shipped(d)).toEqual({ 'dc-mid': { 1: 3 } });
  });

  it('skip a node at capacity', () => {
    const d = route(input(shipOrder([line('1', 'A', 1)]), [dc('a', { dailyCapacity: 2 }), dc('b', { at: 'newYork' })], [position('a', 'A', 1), position('b', 'A', 1)], { capacityUsed: { a: 2 } }));
    expect(d.assignments.map((a) => a.nodeId)).toEqual(['b']);
  });

  it('resolve duplicate positions the same whatever their order: the newer count wins', () => {
    const older = position('dc-mid', 'A', 9, { asOf: minutesBefore(60) });
    const newer = position('dc-mid', 'A', 1, { asOf: minutesBefore(5) });
    for (const positions of [[older, newer], [newer, older]]) {
      expect(backordered(decide([line('1', 'A', 3)], positions, { split: { allowed: false } }))).toEqual({ 1: [2, 'no_stock'] });
    }
  });

  it('same-day goes only to nodes able to deliver same day', () => {
    const order = shipOrder([line('1', 'A', 1)], { fulfillment: { type: 'ship', shipMethod: 'same_day' } });
    const d = route(input(order, nodes, [position('dc-mid', 'A', 5), position('st-sea', 'A', 5)]));
    expect(shipped(d)).toEqual({ 'st-sea': { 1: 1 } });
    expect(d.lines[0]?.candidates.find((c) => c.nodeId === 'dc-mid')?.excluded).toBe('capability_missing:same_day');
  });

  it('route nothing for a zero-quantity line, and backorder nothing for it', () => {
    const d = decide([line('1', 'A', 0)], [position('dc-mid', 'A', 5)]);
    expect(d.assignments).toEqual([]);
    expect(d.backorders).toEqual([]);
  });
});

describe('explanations', () => {
  it('list every node for every line, in node-id order, with the assigned share', () => {
    const d = decide([line('1', 'A', 2), line('2', 'B', 2)], [position('dc-east', 'A', 5), position('dc-mid', 'B', 5)]);
    for (const l of d.lines) expect(l.candidates.map((c) => c.nodeId)).toEqual(['dc-east', 'dc-mid', 'st-sea']);
    expect(d.lines[0]?.candidates[0]).toMatchObject({ nodeId: 'dc-east', sellable: 5, rank: 1, assigned: 2 });
    expect(d.lines[0]?.candidates[1]).toEqual({ nodeId: 'dc-mid', excluded: 'no_stock' });
    expect(d.lines[1]?.candidates[1]).toMatchObject({ nodeId: 'dc-mid', assigned: 2 });
  });

  it('is plain JSON: it survives a round trip unchanged', () => {
    const d = decide([line('1', 'A', 2)], [position('dc-east', 'A', 5)], { exclusions: [{ attribute: 'x' }] });
    expect(JSON.parse(JSON.stringify(d))).toStrictEqual(d);
  });

  it('refuse a now that is not a date-time', () => {
    expect(() => route(input(shipOrder([line('1', 'A', 1)]), nodes, [], { now: 'later' }))).toThrow(RangeError);
  });
});
