import { describe, expect, it } from 'vitest';
import type { FilterContext } from '../../src/routing/eligibility.js';
import {
  exclusionsFor,
  hasCapacity,
  nodeExclusion,
  nodeOpen,
  pickupCapability,
  pickupLocation,
  servesChannel,
  shipCapability,
  shipMethodSupported,
  shipsToCountry,
  skuExclusion,
  stockExclusion,
} from '../../src/routing/eligibility.js';
import { route } from '../../src/routing/route.js';
import { PLACES, dc, input, line, minutesBefore, position, rules, shipOrder, store } from './routing.fixtures.js';

const ship = (shipMethod: 'standard' | 'expedited' | 'overnight' | 'same_day' = 'standard', o: Partial<FilterContext> = {}): FilterContext => ({
  channel: 'web',
  fulfillment: { type: 'ship', shipMethod },
  shipToCountry: 'US',
  pickup: { allowNearby: false, radiusKm: 25, collectWithinHours: 72 },
  capacityUsed: {},
  ...o,
});
const pickupAt = (storeId: string, allowNearby = false, radiusKm = 25): FilterContext => ({
  channel: 'web',
  fulfillment: { type: 'pickup', storeId },
  pickupCenter: { ...PLACES.seattle },
  pickup: { allowNearby, radiusKm, collectWithinHours: 72 },
  capacityUsed: {},
});

describe('node filters', () => {
  it('node_closed: a closed node is excluded, a degraded one is not', () => {
    expect(nodeOpen(dc('d', { status: 'closed' }), ship())).toBe('node_closed');
    expect(nodeOpen(dc('d', { status: 'degraded' }), ship())).toBeUndefined();
  });

  it('channel_not_served: only when the node lists channels and not this one', () => {
    expect(servesChannel(dc('d', { channels: ['pos'] }), ship())).toBe('channel_not_served');
    expect(servesChannel(dc('d', { channels: ['pos', 'web'] }), ship())).toBeUndefined();
    expect(servesChannel(dc('d', { channels: [] }), ship())).toBeUndefined();
    expect(servesChannel(dc('d'), ship())).toBeUndefined();
  });

  it('capability_missing: stores ship with ship_from_store, others with ship; same-day needs same_day', () => {
    expect(shipCapability(store('s', { capabilities: ['pickup', 'ship'] }), ship())).toBe('capability_missing:ship_from_store');
    expect(shipCapability(store('s'), ship())).toBeUndefined();
    expect(shipCapability(dc('d', { capabilities: ['returns'] }), ship())).toBe('capability_missing:ship');
    expect(shipCapability(dc('d'), ship('same_day'))).toBe('capability_missing:same_day');
    expect(shipCapability(dc('d', { capabilities: ['ship', 'same_day'] }), ship('same_day'))).toBeUndefined();
    expect(shipCapability(dc('d', { capabilities: [] }), pickupAt('s'))).toBeUndefined();
  });

  it('ship_method_unsupported: names the method', () => {
    expect(shipMethodSupported(store('s'), ship('overnight'))).toBe('ship_method_unsupported:overnight');
    expect(shipMethodSupported(dc('d'), ship('overnight'))).toBeUndefined();
  });

  it('country_mismatch: shipping is domestic, unless the ship-to has no country', () => {
    expect(shipsToCountry(dc('d', { at: 'toronto', country: 'CA' }), ship())).toBe('country_mismatch');
    expect(shipsToCountry(dc('d', { country: 'us' }), ship())).toBeUndefined();
    const { shipToCountry: _omitted, ...noCountry } = ship();
    expect(shipsToCountry(dc('d', { at: 'toronto', country: 'CA' }), noCountry)).toBeUndefined();
  });

  it('capacity_exhausted: when today’s fulfillments reach the daily capacity', () => {
    expect(hasCapacity(dc('d', { dailyCapacity: 10 }), ship('standard', { capacityUsed: { d: 10 } }))).toBe('capacity_exhausted');
    expect(hasCapacity(dc('d', { dailyCapacity: 10 }), ship('standard', { capacityUsed: { d: 9 } }))).toBeUndefined();
    expect(hasCapacity(dc('d', { dailyCapacity: 0 }), ship())).toBe('capacity_exhausted');
    expect(hasCapacity(dc('d'), ship('standard', { capacityUsed: { d: 1e6 } }))).toBeUndefined();
  });

  it('not_pickup_store / outside_pickup_radius: the named store, or stores nearby when allowed', () => {
    expect(pickupLocation(store('s-sea'), pickupAt('s-sea'))).toBeUndefined();
    expect(pickupLocation(store('s-tac', { at: 'tacoma' }), pickupAt('s-sea'))).toBe('not_pickup_store');
    expect(pickupLocation(store('s-tac', { at: 'tacoma' }), pickupAt('s-sea', true, 50))).toBeUndefined();
    expect(pickupLocation(store('s-tac', { at: 'tacoma' }), pickupAt('s-sea', true, 30))).toBe('outside_pickup_radius');
    expect(pickupLocation(dc('d-sea', { at: 'seattle' }), pickupAt('s-sea', true, 50))).toBe('not_pickup_store');
    expect(pickupLocation(dc('d'), ship())).toBeUndefined();
  });

  it('capability_missing:pickup: the pickup store must offer pickup', () => {
    expect(pickupCapability(store('s', { capabilities: ['ship_from_store'] }), pickupAt('s'))).toBe('capability_missing:pickup');
    expect(pickupCapability(store('s'), pickupAt('s'))).toBeUndefined();
  });

  it('report the first failing filter, in a fixed order', () => {
    expect(nodeExclusion(store('s', { status: 'closed', channels: ['pos'] }), ship('overnight'))).toBe('node_closed');
    expect(nodeExclusion(store('s', { channels: ['pos'] }), ship('overnight'))).toBe('channel_not_served');
    expect(nodeExclusion(store('s'), ship('overnight'))).toBe('ship_method_unsupported:overnight');
    expect(nodeExclusion(dc('d'), ship())).toBeUndefined();
  });
});

describe('line filters', () => {
  const hazmatAtStores = rules({ exclusions: [{ attribute: 'hazmat', nodeTypes: ['store'] }] }).exclusions;

  it('sku_excluded: a rule triggered by the line covers the node types it names', () => {
    const triggered = exclusionsFor(line('1', 'A', 1, { hazmat: true }), hazmatAtStores);
    expect(skuExclusion(store('s'), triggered)).toBe('sku_excluded:hazmat');
    expect(skuExclusion(dc('d'), triggered)).toBeUndefined();
  });

  it('sku_excluded: not triggered when the attribute is absent or different', () => {
    expect(exclusionsFor(line('1', 'A', 1), hazmatAtStores)).toEqual([]);
    expect(exclusionsFor(line('1', 'A', 1, { hazmat: false }), hazmatAtStores)).toEqual([]);
    expect(exclusionsFor(line('1', 'A', 1, { hazmat: 'true' }), hazmatAtStores)).toEqual([]);
  });

  it('sku_excluded: matches a stated value, by node id, or everywhere when no node is named', () => {
    const byValue = rules({ exclusions: [{ attribute: 'size', equals: 'oversize', nodeIds: ['s-1'] }] }).exclusions;
    const triggered = exclusionsFor(line('1', 'A', 1, { size: 'oversize' }), byValue);
    expect(skuExclusion(store('s-1'), triggered)).toBe('sku_excluded:size');
    expect(skuExclusion(store('s-2'), triggered)).toBeUndefined();
    const everywhere = exclusionsFor(line('1', 'A', 1, { recalled: true }), rules({ exclusions: [{ attribute: 'recalled' }] }).exclusions);
    expect(skuExclusion(dc('d'), everywhere)).toBe('sku_excluded:recalled');
  });

  it('inventory_stale and no_stock', () => {
    expect(stockExclusion({ sellable: 0, safetyStock: 0, stale: true }, 'exclude')).toBe('inventory_stale');
    expect(stockExclusion({ sellable: 3, safetyStock: 0, stale: true }, 'buffer')).toBeUndefined();
    expect(stockExclusion({ sellable: 0, safetyStock: 2, stale: false }, 'exclude')).toBe('no_stock');
    expect(stockExclusion(undefined, 'exclude')).toBe('no_stock');
    expect(stockExclusion({ sellable: 1, safetyStock: 0, stale: false }, 'exclude')).toBeUndefined();
  });
});

describe('exclusions in a decision', () => {
  const nodes = [
    dc('a-closed', { status: 'closed' }),
    dc('b-pos-only', { channels: ['pos'] }),
    store('c-no-sfs', { capabilities: ['pickup'] }),
    dc('d-canada', { at: 'toronto', country: 'CA' }),
    dc('e-full', { dailyCapacity: 5 }),
    store('f-store'),
    dc('g-stale'),
    dc('h-empty'),
    dc('i-ok', { at: 'portland' }),
  ];
  const positions = [
    ...nodes.filter((n) => !['g-stale', 'h-empty'].includes(n.id)).map((n) => position(n.id, 'A', 10)),
    position('g-stale', 'A', 10, { asOf: minutesBefore(3 * 24 * 60) }),
    position('h-empty', 'A', 10, { reserved: 10 }),
  ];

  it('name, per line, every node and why it was excluded; the rest are scored', () => {
    const d = route(
      input(shipOrder([line('1', 'A', 2, { hazmat: true })]), nodes, positions, {
        ruleset: rules({ exclusions: [{ attribute: 'hazmat', nodeTypes: ['store'] }] }),
        capacityUsed: { 'e-full': 5 },
      }),
    );
    const why = Object.fromEntries((d.lines[0]?.candidates ?? []).map((c) => [c.nodeId, c.excluded ?? 'eligible']));
    expect(why).toEqual({
      'a-closed': 'node_closed',
      'b-pos-only': 'channel_not_served',
      'c-no-sfs': 'capability_missing:ship_from_store',
      'd-canada': 'country_mismatch',
      'e-full': 'capacity_exhausted',
      'f-store': 'sku_excluded:hazmat',
      'g-stale': 'inventory_stale',
      'h-empty': 'no_stock',
      'i-ok': 'eligible',
    });
    expect(d.assignments).toEqual([{ nodeId: 'i-ok', lines: [{ lineId: '1', sku: 'A', quantity: 2 }] }]);
  });

  it('use a degraded node only when no open node serves as much', () => {
    const degradedNear = store('a-near', { status: 'degraded' });
    const openFar = dc('b-far', { at: 'newYork' });
    const both = [position('a-near', 'A', 5), position('b-far', 'A', 5)];
    const d = route(input(shipOrder([line('1', 'A', 2)]), [degradedNear, openFar], both));
    expect(d.assignments.map((a) => a.nodeId)).toEqual(['b-far']);
    expect(d.lines[0]?.candidates[0]).toMatchObject({ nodeId: 'a-near', degraded: true, rank: 2 });

    const onlyDegradedHasEnough = [position('a-near', 'A', 5), position('b-far', 'A', 1)];
    const d2 = route(input(shipOrder([line('1', 'A', 2)]), [degradedNear, openFar], onlyDegradedHasEnough, { ruleset: rules({ split: { allowed: false } }) }));
    expect(d2.assignments.map((a) => a.nodeId)).toEqual(['a-near']);
  });
});
