import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isStale, staleBufferUnits } from '../../src/inventory/freshness.js';
import { snapshotSupersedes } from '../../src/inventory/position.js';
import { safetyStockFor } from '../../src/inventory/safetyStock.js';
import type { InventoryRules } from '../../src/inventory/sellable.js';
import { sellable } from '../../src/inventory/sellable.js';
import { NOW, minutesBefore, position } from './routing.fixtures.js';

const storeNode = { id: 'store-12', type: 'store' };
const fresh = (o: Partial<InventoryRules['inventory']> = {}, safetyStock: InventoryRules['safetyStock'] = {}): InventoryRules => ({
  inventory: { freshnessMinutes: 60, staleMode: 'exclude', ...o },
  safetyStock,
});

describe('safety stock: the most specific rule wins', () => {
  const rules = { byNodeType: { store: 2 }, byNode: { 'store-12': 3 }, bySku: { HOT: 5 } };

  it('takes the SKU rule over the node and node-type rules', () => {
    expect(safetyStockFor(rules, storeNode, 'HOT')).toBe(5);
  });
  it('takes the node rule over the node-type rule', () => {
    expect(safetyStockFor(rules, storeNode, 'OTHER')).toBe(3);
  });
  it('falls back to the node-type rule, then to zero', () => {
    expect(safetyStockFor(rules, { id: 'store-9', type: 'store' }, 'OTHER')).toBe(2);
    expect(safetyStockFor(rules, { id: 'dc-1', type: 'dc' }, 'OTHER')).toBe(0);
  });
  it('does not read inherited properties as rules', () => {
    expect(safetyStockFor({ bySku: {} }, storeNode, 'constructor')).toBe(0);
  });
  it('lets an explicit 0 override a broader rule', () => {
    expect(safetyStockFor({ byNodeType: { store: 4 }, bySku: { A: 0 } }, storeNode, 'A')).toBe(0);
  });
});

describe('freshness', () => {
  const nowMs = Date.parse(NOW);
  it('is fresh up to the limit and stale past it', () => {
    expect(isStale(minutesBefore(60), { freshnessMinutes: 60 }, nowMs)).toBe(false);
    expect(isStale(minutesBefore(61), { freshnessMinutes: 60 }, nowMs)).toBe(true);
  });
  it('treats a position never counted, or with an unreadable time, as stale', () => {
    expect(isStale(null, { freshnessMinutes: 60 }, nowMs)).toBe(true);
    expect(isStale('yesterday-ish', { freshnessMinutes: 60 }, nowMs)).toBe(true);
  });
  it('treats a time in the future (source clock skew) as fresh', () => {
    expect(isStale(minutesBefore(-10), { freshnessMinutes: 60 }, nowMs)).toBe(false);
  });
  it('buffers in units or in a percentage rounded up', () => {
    expect(staleBufferUnits({ units: 3 }, 10)).toBe(3);
    expect(staleBufferUnits({ percent: 25 }, 10)).toBe(3);
    expect(staleBufferUnits({ percent: 25 }, 0)).toBe(0);
    expect(staleBufferUnits(undefined, 10)).toBe(0);
  });
});

describe('sellable = max(0, onHand − reserved − safety [− buffer])', () => {
  it('subtracts reservations and safety stock', () => {
    const p = position('store-12', 'A', 10, { reserved: 3 });
    expect(sellable(p, storeNode, fresh({}, { byNodeType: { store: 2 } }), NOW)).toEqual({ sellable: 5, safetyStock: 2, stale: false });
  });
  it('never goes below zero', () => {
    const p = position('store-12', 'A', 2, { reserved: 3 });
    expect(sellable(p, storeNode, fresh({}, { bySku: { A: 1 } }), NOW)).toEqual({ sellable: 0, safetyStock: 1, stale: false });
  });
  it('sells nothing from a stale position under staleMode exclude', () => {
    const p = position('store-12', 'A', 10, { asOf: minutesBefore(120) });
    expect(sellable(p, storeNode, fresh(), NOW)).toEqual({ sellable: 0, safetyStock: 0, stale: true });
  });
  it('sells a stale position less its buffer under staleMode buffer', () => {
    const p = position('store-12', 'A', 10, { reserved: 2, asOf: minutesBefore(120) });
    expect(sellable(p, storeNode, fresh({ staleMode: 'buffer', staleBuffer: { units: 3 } }), NOW).sellable).toBe(5);
    expect(sellable(p, storeNode, fresh({ staleMode: 'buffer', staleBuffer: { percent: 50 } }), NOW).sellable).toBe(4);
  });
  it('does not buffer a fresh position', () => {
    const p = position('store-12', 'A', 10);
    expect(sellable(p, storeNode, fresh({ staleMode: 'buffer', staleBuffer: { units: 3 } }), NOW).sellable).toBe(10);
  });
  it('refuses a now that is not a date-time', () => {
    expect(() => sellable(position('store-12', 'A', 1), storeNode, fresh(), 'soon')).toThrow(RangeError);
  });

  it('is a whole number between 0 and onHand − reserved, whatever the rules (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -50, max: 500 }),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 0, max: 3000 }),
        fc.constantFrom<'exclude' | 'buffer'>('exclude', 'buffer'),
        fc.oneof(fc.record({ units: fc.integer({ min: 0, max: 100 }) }), fc.record({ percent: fc.integer({ min: 0, max: 100 }) })),
        (onHand, reserved, safety, ageMinutes, staleMode, staleBuffer) => {
          const p = position('store-12', 'A', onHand, { reserved, asOf: minutesBefore(ageMinutes) });
          const s = sellable(p, storeNode, fresh({ staleMode, staleBuffer }, { bySku: { A: safety } }), NOW);
          expect(Number.isInteger(s.sellable)).toBe(true);
          expect(s.sellable).toBeGreaterThanOrEqual(0);
          expect(s.sellable).toBeLessThanOrEqual(Math.max(0, onHand - reserved - safety));
          expect(s.stale).toBe(ageMinutes > 60);
        },
      ),
    );
  });
});

describe('snapshots', () => {
  it('replace when newer or equal, are ignored when older', () => {
    expect(snapshotSupersedes(null, NOW)).toBe(true);
    expect(snapshotSupersedes(minutesBefore(10), NOW)).toBe(true);
    expect(snapshotSupersedes(NOW, NOW)).toBe(true);
    expect(snapshotSupersedes(NOW, minutesBefore(10))).toBe(false);
  });
  it('never let an unreadable time displace a readable one', () => {
    expect(snapshotSupersedes(NOW, 'garbage')).toBe(false);
    expect(snapshotSupersedes('garbage', NOW)).toBe(true);
  });
});
