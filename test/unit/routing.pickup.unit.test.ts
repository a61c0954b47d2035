import { describe, expect, it } from 'vitest';
import type { RoutingDecision } from '../../src/routing/decision.js';
import { route } from '../../src/routing/route.js';
import type { RulesetDocument } from '../../src/routing/ruleset.js';
import { dc, input, line, pickupOrder, position, rules, store } from './routing.fixtures.js';

// st-sea is the named store; st-tac is ~41 km away, st-pdx ~234 km; dc-sea is not a store.
const nodes = [store('st-sea', { at: 'seattle' }), store('st-tac', { at: 'tacoma' }), store('st-pdx', { at: 'portland' }), dc('dc-sea', { at: 'seattle', capabilities: ['ship', 'pickup'] })];
const nearby = { pickup: { allowNearby: true, radiusKm: 50 } };
const pick = (positions: Parameters<typeof input>[2], doc: Partial<RulesetDocument> = {}, storeId = 'st-sea', qty = 2): RoutingDecision =>
  route(input(pickupOrder(storeId, [line('1', 'A', qty)]), nodes, positions, { ruleset: rules(doc) }));
const reasons = (d: RoutingDecision): Record<string, string> =>
  Object.fromEntries((d.lines[0]?.candidates ?? []).map((c) => [c.nodeId, c.excluded ?? `rank ${c.rank ?? '?'}`]));

describe('pickup', () => {
  it('at the named store when it has the stock', () => {
    const d = pick([position('st-sea', 'A', 2), position('st-tac', 'A', 9)], { ...nearby, objectives: [{ type: 'stock_balance' }] });
    expect(d.assignments).toEqual([{ nodeId: 'st-sea', lines: [{ lineId: '1', sku: 'A', quantity: 2 }] }]);
    expect(d.summary).toMatchObject({ shipments: 1, distanceKm: 0, backorderedUnits: 0 });
  });

  it('only the named store unless the ruleset allows nearby stores', () => {
    const d = pick([position('st-sea', 'A', 0), position('st-tac', 'A', 9)]);
    expect(d.assignments).toEqual([]);
    expect(d.backorders).toEqual([{ lineId: '1', sku: 'A', quantity: 2, reason: 'no_stock' }]);
    expect(reasons(d)).toEqual({ 'dc-sea': 'not_pickup_store', 'st-pdx': 'not_pickup_store', 'st-sea': 'no_stock', 'st-tac': 'not_pickup_store' });
  });

  it('at a store within the radius of the named one when allowed, never beyond it, never at a non-store', () => {
    const d = pick([position('st-sea', 'A', 0), position('st-tac', 'A', 9), position('st-pdx', 'A', 9), position('dc-sea', 'A', 9)], nearby);
    expect(d.assignments.map((a) => a.nodeId)).toEqual(['st-tac']);
    expect(d.summary.distanceKm).toBeCloseTo(40.876, 3);
    expect(reasons(d)).toEqual({ 'dc-sea': 'not_pickup_store', 'st-pdx': 'outside_pickup_radius', 'st-sea': 'no_stock', 'st-tac': 'rank 1' });
  });

  it('prefers the named store over a nearby one that could also serve everything', () => {
    const d = pick([position('st-sea', 'A', 2), position('st-tac', 'A', 2)], { ...nearby, objectives: [{ type: 'priority' }] });
    expect(d.assignments.map((a) => a.nodeId)).toEqual(['st-sea']);
  });

  it('a nearby store that can serve everything beats a named store that cannot', () => {
    const d = pick([position('st-sea', 'A', 1), position('st-tac', 'A', 2)], nearby);
    expect(d.assignments.map((a) => a.nodeId)).toEqual(['st-tac']);
  });

  it('never splits a pickup: the rest is backordered', () => {
    const d = pick([position('st-sea', 'A', 1), position('st-tac', 'A', 1)], nearby);
    expect(d.assignments).toEqual([{ nodeId: 'st-sea', lines: [{ lineId: '1', sku: 'A', quantity: 1 }] }]);
    expect(d.backorders).toEqual([{ lineId: '1', sku: 'A', quantity: 1, reason: 'split_not_allowed' }]);
  });

  it('needs the pickup capability at the store', () => {
    const noPickup = [store('st-sea', { capabilities: ['ship_from_store'] })];
    const d = route(input(pickupOrder('st-sea', [line('1', 'A', 1)]), noPickup, [position('st-sea', 'A', 5)]));
    expect(d.lines[0]?.candidates).toEqual([{ nodeId: 'st-sea', excluded: 'capability_missing:pickup' }]);
    expect(d.backorders[0]?.reason).toBe('no_eligible_node');
  });

  it('a closed named store still anchors the nearby search', () => {
    const closed = nodes.map((n) => (n.id === 'st-sea' ? { ...n, status: 'closed' as const } : n));
    const d = route(input(pickupOrder('st-sea', [line('1', 'A', 1)]), closed, [position('st-sea', 'A', 5), position('st-tac', 'A', 5)], { ruleset: rules(nearby) }));
    expect(d.assignments.map((a) => a.nodeId)).toEqual(['st-tac']);
  });

  it('an unknown store: nothing is assigned and the reason says so', () => {
    const d = pick([position('st-tac', 'A', 9)], nearby, 'st-nowhere');
    expect(d.assignments).toEqual([]);
    expect(d.backorders).toEqual([{ lineId: '1', sku: 'A', quantity: 2, reason: 'pickup_store_unknown' }]);
    expect(Object.values(reasons(d))).toEqual(['not_pickup_store', 'not_pickup_store', 'not_pickup_store', 'not_pickup_store']);
  });
});
