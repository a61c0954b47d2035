import { describe, expect, it } from 'vitest';
import { formatPath } from '../../src/routing/fieldErrors.js';
import { parseRoutingNode } from '../../src/routing/nodeSchema.js';
import { DEFAULT_RULESET, lineSplitAllowed, parseRuleset } from '../../src/routing/ruleset.js';

/** The field errors of a document that must be refused. */
function errorsOf(doc: unknown): Record<string, string> {
  const r = parseRuleset(doc);
  if (r.ok) throw new Error('expected the ruleset to be refused');
  expect(r.error.code).toBe('validation_failed');
  return Object.fromEntries((r.error.errors ?? []).map((e) => [e.path, e.message]));
}

describe('ruleset documents', () => {
  it('fill every default from a document naming only itself', () => {
    const r = parseRuleset({ name: 'minimal' });
    expect(r).toEqual({
      ok: true,
      value: {
        name: 'minimal',
        routeOn: 'placement',
        release: { auto: true },
        split: { allowed: true, maxShipments: 3, mode: 'ship_as_available' },
        scoring: 'lexicographic',
        objectives: [{ type: 'fewest_shipments' }, { type: 'distance' }, { type: 'priority' }],
        inventory: { freshnessMinutes: 1440, staleMode: 'exclude' },
        safetyStock: {},
        exclusions: [],
        pickup: { allowNearby: false, radiusKm: 25, collectWithinHours: 72 },
        ackSlaAction: 'exception',
        cancelSlaMinutes: 240,
      },
    });
  });

  it('keep what a full document says, defaulting inside nested objects', () => {
    const r = parseRuleset({
      name: 'holiday',
      description: 'ship from stores in peak',
      routeOn: 'payment_authorized',
      release: { auto: false },
      split: { maxShipments: 2, mode: 'ship_complete' },
      scoring: 'weighted',
      objectives: [{ type: 'cost', weight: 2 }, { type: 'stock_balance' }],
      inventory: { freshnessMinutes: 30, staleMode: 'buffer', staleBuffer: { percent: 20 } },
      safetyStock: { byNodeType: { store: 2 }, byNode: { 'store-12': 0 }, bySku: { HOT: 5 } },
      exclusions: [{ attribute: 'hazmat', nodeTypes: ['store'] }, { attribute: 'size', equals: 'oversize', nodeIds: ['store-1'] }],
      pickup: { allowNearby: true },
      ackSlaMinutes: 30,
      ackSlaAction: 'reroute',
    });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(r.value.split).toEqual({ allowed: true, maxShipments: 2, mode: 'ship_complete' });
    expect(r.value.exclusions[0]).toEqual({ attribute: 'hazmat', equals: true, nodeTypes: ['store'] });
    expect(r.value.exclusions[1]?.equals).toBe('oversize');
    expect(r.value.pickup).toEqual({ allowNearby: true, radiusKm: 25, collectWithinHours: 72 });
    expect([r.value.ackSlaMinutes, r.value.ackSlaAction, r.value.cancelSlaMinutes]).toEqual([30, 'reroute', 240]);
    expect(r.value.inventory.staleBuffer).toEqual({ percent: 20 });
  });

  it('point each error at the offending field', () => {
    const errors = errorsOf({
      name: 'bad',
      objectives: [{ type: 'distance' }, { type: 'speed' }],
      split: { maxShipments: 0, mode: 'whenever' },
      scoring: 'vibes',
      exclusions: [{ attribute: 'hazmat', nodeTypes: ['shop'] }],
      pickup: { radiusKm: -1 },
    });
    expect(Object.keys(errors).sort()).toEqual([
      'exclusions[0].nodeTypes[0]',
      'objectives[1].type',
      'pickup.radiusKm',
      'scoring',
      'split.maxShipments',
      'split.mode',
    ]);
  });

  it('report an unknown field at the field itself, so a typo is found', () => {
    expect(errorsOf({ name: 'x', split: { maxShipment: 2 } })).toEqual({ 'split.maxShipment': 'unknown field' });
    expect(errorsOf({ name: 'x', safetyStock: { byNodeType: { warehouse: 1 } } })).toEqual({
      'safetyStock.byNodeType.warehouse': 'unknown field',
    });
  });

  it('refuse a version in the document: the store assigns versions', () => {
    expect(errorsOf({ name: 'x', version: 7 })).toEqual({ version: 'version numbers are assigned by the store, not the document' });
  });

  it('refuse duplicate objectives, an empty list and negative weights', () => {
    expect(errorsOf({ name: 'x', objectives: [{ type: 'cost' }, { type: 'cost' }] })).toEqual({ 'objectives[1].type': 'duplicate objective cost' });
    expect(errorsOf({ name: 'x', objectives: [] })).toHaveProperty('objectives');
    expect(errorsOf({ name: 'x', objectives: [{ type: 'cost', weight: -1 }] })).toHaveProperty(['objectives[0].weight']);
  });

  it('require a buffer when stale positions are buffered, in units or percent', () => {
    expect(errorsOf({ name: 'x', inventory: { staleMode: 'buffer' } })).toEqual({ 'inventory.staleBuffer': 'required when staleMode is buffer' });
    expect(errorsOf({ name: 'x', inventory: { staleMode: 'buffer', staleBuffer: { units: 1.5 } } })).toHaveProperty([
      'inventory.staleBuffer.units',
    ]);
    expect(errorsOf({ name: 'x', inventory: { staleMode: 'buffer', staleBuffer: { litres: 1 } } })).toHaveProperty(['inventory.staleBuffer.litres']);
    expect(errorsOf({ name: 'x', inventory: { staleMode: 'buffer', staleBuffer: { units: 1, percent: 5 } } })).toEqual({
      'inventory.staleBuffer': 'give either units or percent',
    });
  });

  it('quote keys that are not identifiers in paths', () => {
    expect(errorsOf({ name: 'x', safetyStock: { byNode: { 'store-12': -1 } } })).toEqual({ 'safetyStock.byNode["store-12"]': 'must be ≥ 0' });
    expect(formatPath(['a', 0, 'b c'])).toBe('a[0]["b c"]');
  });

  it('refuse what is not a document, and a document without a name', () => {
    expect(errorsOf(null)).toHaveProperty(['']);
    expect(errorsOf('name: x')).toHaveProperty(['']);
    expect(errorsOf({})).toHaveProperty('name');
  });

  it('resolve line splitting from the mode unless stated', () => {
    expect(lineSplitAllowed({ allowed: true, maxShipments: 3, mode: 'ship_as_available' })).toBe(true);
    expect(lineSplitAllowed({ allowed: true, maxShipments: 3, mode: 'ship_complete' })).toBe(false);
    expect(lineSplitAllowed({ allowed: true, maxShipments: 3, mode: 'ship_complete', splitLines: true })).toBe(true);
  });
});

describe('DEFAULT_RULESET', () => {
  it('is the schema defaults, valid, and frozen so no caller can change it for everyone', () => {
    expect(parseRuleset(DEFAULT_RULESET)).toEqual({ ok: true, value: DEFAULT_RULESET });
    expect(Object.isFrozen(DEFAULT_RULESET.split)).toBe(true);
    expect(() => (DEFAULT_RULESET.objectives as { type: string }[]).push({ type: 'cost' })).toThrow(TypeError);
  });
});

describe('node documents', () => {
  it('validate with defaults and an upper-case country', () => {
    const r = parseRoutingNode('store-12', { type: 'store', location: { lat: 47.6, lon: -122.3, country: 'us' }, capabilities: ['pickup'] });
    expect(r).toEqual({
      ok: true,
      value: {
        id: 'store-12',
        type: 'store',
        location: { lat: 47.6, lon: -122.3, country: 'US' },
        capabilities: ['pickup'],
        shipMethods: [],
        status: 'open',
      },
    });
  });
  it('point at the offending fields', () => {
    const r = parseRoutingNode('dc-1', { type: 'warehouse', location: { lat: 95, lon: 0, country: 'USA' }, capabilities: ['fly'] });
    if (r.ok) throw new Error('expected refusal');
    expect((r.error.errors ?? []).map((e) => e.path).sort()).toEqual(['capabilities[0]', 'location.country', 'location.lat', 'type']);
    expect(parseRoutingNode('bad id!', {}).ok).toBe(false);
  });
});
