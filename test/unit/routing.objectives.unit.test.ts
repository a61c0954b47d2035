import { describe, expect, it } from 'vitest';
import { haversineKm } from '../../src/routing/geo.js';
import type { RoutingNode } from '../../src/routing/node.js';
import { compareScored, objectiveValue, scored } from '../../src/routing/objectives.js';
import { route } from '../../src/routing/route.js';
import type { RulesetDocument } from '../../src/routing/ruleset.js';
import { PLACES, dc, input, line, position, rules, shipOrder, store } from './routing.fixtures.js';

const chosen = (nodes: readonly RoutingNode[], positions: Parameters<typeof input>[2], doc: Partial<RulesetDocument>, lines = [line('1', 'A', 2)]) =>
  route(input(shipOrder(lines), nodes, positions, { ruleset: rules(doc) }));
const nodeIds = (d: ReturnType<typeof route>): string[] => d.assignments.map((a) => a.nodeId);

describe('great-circle distance', () => {
  it('matches known distances', () => {
    expect(haversineKm(PLACES.seattle, PLACES.portland)).toBeCloseTo(233.9, 0);
    expect(haversineKm(PLACES.newYork, PLACES.chicago)).toBeCloseTo(1144, 0);
    expect(haversineKm({ lat: 0, lon: 0 }, { lat: 0, lon: 180 })).toBeCloseTo(Math.PI * 6371.0088, 3);
    expect(haversineKm(PLACES.seattle, PLACES.seattle)).toBe(0);
  });
});

describe('objective values are costs: lower is better', () => {
  const m = { shipments: 2, distanceKm: 12.5, cost: 900, priority: 3, minRemaining: 7 };
  it('read the plan metrics', () => {
    expect(objectiveValue('fewest_shipments', m)).toBe(2);
    expect(objectiveValue('distance', m)).toBe(12.5);
    expect(objectiveValue('cost', m)).toBe(900);
    expect(objectiveValue('priority', m)).toBe(3);
    expect(objectiveValue('stock_balance', m)).toBe(-7);
    expect(objectiveValue('stock_balance', { ...m, shipments: 0, minRemaining: Infinity })).toBe(0);
  });
  it('sum with weights (default 1), and compare lexicographically in ruleset order', () => {
    const objectives = [{ type: 'distance' as const, weight: 2 }, { type: 'cost' as const }];
    expect(scored(objectives, m).total).toBe(925);
    const a = scored([{ type: 'distance' }, { type: 'cost' }], { ...m, distanceKm: 1, cost: 100 });
    const b = scored([{ type: 'distance' }, { type: 'cost' }], { ...m, distanceKm: 2, cost: 0 });
    expect(compareScored(objectives, 'lexicographic', a, b)).toBeLessThan(0);
    expect(compareScored(objectives, 'weighted', a, b)).toBeGreaterThan(0);
  });
});

describe('each objective decides when it leads', () => {
  const near = dc('near', { at: 'tacoma', priority: 5, cost: { perShipment: 900, perKm: 1 } });
  const far = dc('far', { at: 'portland', priority: 1, cost: { perShipment: 100, perKm: 1 } });
  const stock = [position('near', 'A', 3), position('far', 'A', 50)];

  it('distance: the node nearest the ship-to', () => {
    const d = chosen([near, far], stock, { objectives: [{ type: 'distance' }] });
    expect(nodeIds(d)).toEqual(['near']);
    expect(d.summary.distanceKm).toBeCloseTo(40.876, 3);
    expect(d.plan.score?.breakdown).toEqual({ distance: 40.876 });
  });

  it('cost: per shipment plus per km (plus per unit), in whole minor units', () => {
    const d = chosen([near, far], stock, { objectives: [{ type: 'cost' }] });
    expect(nodeIds(d)).toEqual(['far']);
    expect(d.summary.cost).toBe(Math.round(100 + 233.932));
    const perUnit = chosen([dc('u', { cost: { perShipment: 10, perUnit: 7 } })], [position('u', 'A', 9)], { objectives: [{ type: 'cost' }] }, [line('1', 'A', 3)]);
    expect(perUnit.summary.cost).toBe(10 + 3 * 7);
  });

  it('priority: the lower number', () => {
    expect(nodeIds(chosen([near, far], stock, { objectives: [{ type: 'priority' }, { type: 'distance' }] }))).toEqual(['far']);
  });

  it('stock_balance: the node left with more sellable', () => {
    const d = chosen([near, far], stock, { objectives: [{ type: 'stock_balance' }] });
    expect(nodeIds(d)).toEqual(['far']);
    expect(d.plan.score?.breakdown).toEqual({ stock_balance: -48 });
  });

  it('fewest_shipments: two shipments from afar over three nearby', () => {
    const nodes = [
      dc('x-far', { at: 'chicago' }),
      store('n1', { at: 'seattle' }),
      store('n2', { at: 'tacoma' }),
      store('n3', { at: 'portland' }),
    ];
    const positions = [position('x-far', 'A', 5), position('x-far', 'B', 5), position('n1', 'A', 5), position('n2', 'B', 5), position('n3', 'C', 5)];
    const lines = [line('1', 'A', 1), line('2', 'B', 1), line('3', 'C', 1)];
    const fewest = chosen(nodes, positions, { objectives: [{ type: 'fewest_shipments' }, { type: 'distance' }] }, lines);
    expect(nodeIds(fewest)).toEqual(['n3', 'x-far']);
    const nearest = chosen(nodes, positions, { objectives: [{ type: 'distance' }] }, lines);
    expect(nodeIds(nearest)).toEqual(['n1', 'n2', 'n3']);
    expect(nearest.summary).toMatchObject({ shipments: 3, split: true, backorderedUnits: 0 });
  });
});

describe('scoring modes', () => {
  const nearPricey = dc('near', { at: 'tacoma', cost: { perShipment: 1000 } });
  const farCheap = dc('far', { at: 'chicago', cost: { perShipment: 10 } });
  const stock = [position('near', 'A', 5), position('far', 'A', 5)];

  it('lexicographic: a later objective only breaks ties of the earlier ones', () => {
    expect(nodeIds(chosen([nearPricey, farCheap], stock, { objectives: [{ type: 'distance' }, { type: 'cost' }] }))).toEqual(['near']);
    expect(nodeIds(chosen([nearPricey, farCheap], stock, { objectives: [{ type: 'cost' }, { type: 'distance' }] }))).toEqual(['far']);
  });

  it('weighted: the smallest weighted sum, shown as the total', () => {
    const doc = { scoring: 'weighted' as const, objectives: [{ type: 'distance' as const, weight: 0.1 }, { type: 'cost' as const, weight: 1 }] };
    const d = chosen([nearPricey, farCheap], stock, doc);
    expect(nodeIds(d)).toEqual(['far']);
    const candidate = d.lines[0]?.candidates.find((c) => c.nodeId === 'far');
    const km = candidate?.score?.breakdown.distance ?? NaN;
    expect(candidate?.score?.total).toBeCloseTo(0.1 * km + 10, 6);
    const heavyDistance = { ...doc, objectives: [{ type: 'distance' as const, weight: 10 }, { type: 'cost' as const, weight: 1 }] };
    expect(nodeIds(chosen([nearPricey, farCheap], stock, heavyDistance))).toEqual(['near']);
  });

  it('lexicographic totals are ranks; ties fall to the lower node id', () => {
    const twins = [dc('twin-b'), dc('twin-a'), dc('twin-c', { at: 'newYork' })];
    const d = chosen(twins, twins.map((n) => position(n.id, 'A', 5)), {});
    expect(nodeIds(d)).toEqual(['twin-a']);
    const ranks = Object.fromEntries((d.lines[0]?.candidates ?? []).map((c) => [c.nodeId, [c.rank, c.score?.total]]));
    expect(ranks).toEqual({ 'twin-a': [1, 1], 'twin-b': [2, 2], 'twin-c': [3, 3] });
  });

  it('without ship-to coordinates, distance is neutral rather than guessed', () => {
    const order = { ...shipOrder([line('1', 'A', 1)]), shipTo: { country: 'US' } };
    const d = route(input(order, [dc('b', { at: 'newYork' }), dc('a')], [position('a', 'A', 1), position('b', 'A', 1)]));
    expect(nodeIds(d)).toEqual(['a']);
    expect(d.summary.distanceKm).toBe(0);
  });
});
