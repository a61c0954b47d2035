import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Store, UnitOfWork } from '../../src/store/port.js';
import { storeFactories } from '../support/stores.js';

const T0 = '2026-11-25T10:00:00.000Z';
const T1 = '2026-11-25T11:00:00.000Z';

const unit = (streamId: string, extra: Partial<UnitOfWork>, expectedVersion = 0): UnitOfWork => ({
  append: {
    streamId,
    streamType: 'order',
    expectedVersion,
    recordedAt: T0,
    events: [{ eventId: `evt_${randomUUID()}`, type: 'X', schemaVersion: 1, occurredAt: T0, data: {}, metadata: { correlationId: 'c', actor: { kind: 'system', id: 't' } } }],
  },
  ...extra,
});

for (const factory of storeFactories()) {
  describe(`Store contract, inventory and routing: ${factory.name}`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    beforeEach(async () => {
      ({ store, dispose } = await factory.create());
    });
    afterEach(async () => dispose());

    it('stores nodes by id, replacing on put', async () => {
      await store.putNode({ id: 'dc-b', doc: { type: 'dc', name: 'B' }, updatedAt: T0 });
      await store.putNode({ id: 'dc-a', doc: { type: 'dc', name: 'A' }, updatedAt: T0 });
      await store.putNode({ id: 'dc-b', doc: { type: 'dc', name: 'B2' }, updatedAt: T1 });
      expect(await store.listNodes()).toEqual([
        { id: 'dc-a', doc: { type: 'dc', name: 'A' }, updatedAt: T0 },
        { id: 'dc-b', doc: { type: 'dc', name: 'B2' }, updatedAt: T1 },
      ]);
    });

    it('applies snapshots, ignoring a SKU whose held asOf is newer, and keeps reservations', async () => {
      expect(await store.applySnapshot('dc-a', T1, [{ sku: 'S1', onHand: 10 }, { sku: 'S2', onHand: 5 }])).toEqual({ applied: 2, ignored: 0 });
      await store.commit([unit('o1', { reserve: [{ nodeId: 'dc-a', sku: 'S1', quantity: 3, safetyStock: 0 }] })]);
      expect(await store.applySnapshot('dc-a', T0, [{ sku: 'S1', onHand: 99 }, { sku: 'S3', onHand: 7 }])).toEqual({ applied: 1, ignored: 1 });
      expect(await store.applySnapshot('dc-a', '2026-11-25T12:00:00.000Z', [{ sku: 'S1', onHand: 8 }])).toEqual({ applied: 1, ignored: 0 });
      expect(await store.listPositions({ nodeId: 'dc-a' })).toEqual([
        { nodeId: 'dc-a', sku: 'S1', onHand: 8, reserved: 3, asOf: '2026-11-25T12:00:00.000Z' },
        { nodeId: 'dc-a', sku: 'S2', onHand: 5, reserved: 0, asOf: T1 },
        { nodeId: 'dc-a', sku: 'S3', onHand: 7, reserved: 0, asOf: T0 },
      ]);
      expect((await store.listPositions({ skus: ['S2', 'S9'] })).map((p) => p.sku)).toEqual(['S2']);
      expect(await store.listPositions({ skus: [] })).toEqual([]);
    });

    it('applies an adjustment once per sourceId', async () => {
      await store.applySnapshot('dc-a', T0, [{ sku: 'S1', onHand: 10 }]);
      const adj = { nodeId: 'dc-a', sku: 'S1', delta: -4, reason: 'damage', sourceId: 'src-1', at: T1 };
      expect(await store.applyAdjustment(adj)).toBe('applied');
      expect(await store.applyAdjustment(adj)).toBe('duplicate');
      expect(await store.applyAdjustment({ ...adj, sourceId: 'src-2', sku: 'NEW', delta: 6 })).toBe('applied');
      const byKey = Object.fromEntries((await store.listPositions({})).map((p) => [p.sku, p.onHand]));
      expect(byKey).toEqual({ S1: 6, NEW: 6 });
    });

    it('reserves atomically: a unit short of stock is refused whole and writes nothing', async () => {
      await store.applySnapshot('dc-a', T0, [{ sku: 'S1', onHand: 5 }, { sku: 'S2', onHand: 1 }]);
      const outcomes = await store.commit([
        unit('o1', { reserve: [{ nodeId: 'dc-a', sku: 'S1', quantity: 2, safetyStock: 1 }] }),
        unit('o2', {
          reserve: [
            { nodeId: 'dc-a', sku: 'S1', quantity: 2, safetyStock: 1 },
            { nodeId: 'dc-a', sku: 'S2', quantity: 2, safetyStock: 0 },
          ],
          orderRow: { id: 'o2', channel: 'web', externalId: 'E2', status: 'allocated', version: 1, createdAt: T0, updatedAt: T0, view: {} },
        }),
        unit('o3', { reserve: [{ nodeId: 'dc-a', sku: 'S1', quantity: 3, safetyStock: 1 }] }),
        unit('o4', { reserve: [{ nodeId: 'dc-a', sku: 'S1', quantity: 2, safetyStock: 1 }] }),
        unit('o5', { reserve: [{ nodeId: 'dc-x', sku: 'S1', quantity: 1, safetyStock: 0 }] }),
      ]);
      expect(outcomes).toEqual([
        expect.objectContaining({ ok: true }),
        { ok: false, reason: 'insufficient_stock', nodeId: 'dc-a', sku: 'S2' },
        { ok: false, reason: 'insufficient_stock', nodeId: 'dc-a', sku: 'S1' },
        expect.objectContaining({ ok: true }),
        { ok: false, reason: 'insufficient_stock', nodeId: 'dc-x', sku: 'S1' },
      ]);
      expect(await store.readStream('o2')).toEqual([]);
      expect(await store.getOrder('o2')).toBeUndefined();
      const s1 = (await store.listPositions({ skus: ['S1'] }))[0]!;
      expect(s1.reserved).toBe(4);
      expect(s1.onHand - s1.reserved - 1).toBe(0);
      await store.commit([unit('o1', { release: [{ nodeId: 'dc-a', sku: 'S1', quantity: 2 }] }, 1)]);
      expect((await store.listPositions({ skus: ['S1'] }))[0]!.reserved).toBe(2);
    });

    it('never reserves past sellable under concurrent commits', async () => {
      await store.applySnapshot('dc-a', T0, [{ sku: 'S1', onHand: 10 }]);
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => store.commit([unit(`c${i}`, { reserve: [{ nodeId: 'dc-a', sku: 'S1', quantity: 1, safetyStock: 0 }] })])),
      );
      expect(results.flat().filter((r) => r.ok)).toHaveLength(10);
      expect((await store.listPositions({ skus: ['S1'] }))[0]!.reserved).toBe(10);
    });

    it('stores decisions, capacity and the backorder index with the unit', async () => {
      const decision = { assignments: [{ nodeId: 'dc-a' }], lines: [] };
      await store.commit([
        unit('o1', {
          decisions: [
            { decisionId: 'd1', orderId: 'o1', kind: 'live', rulesetVersion: 1, createdAt: T0, decision },
            { decisionId: 'd1', orderId: 'o1', kind: 'shadow', rulesetVersion: 2, createdAt: T0, decision: { other: true } },
          ],
          capacity: [{ nodeId: 'dc-a', day: '2026-11-25', fulfillments: 1 }],
          backorders: { orderId: 'o1', skus: ['S1', 'S2'] },
        }),
        unit('o2', { capacity: [{ nodeId: 'dc-a', day: '2026-11-25', fulfillments: 2 }], backorders: { orderId: 'o2', skus: ['S2'] } }),
      ]);
      expect(await store.listDecisions({ orderId: 'o1' })).toEqual([
        { decisionId: 'd1', orderId: 'o1', kind: 'live', rulesetVersion: 1, createdAt: T0, decision },
        { decisionId: 'd1', orderId: 'o1', kind: 'shadow', rulesetVersion: 2, createdAt: T0, decision: { other: true } },
      ].sort((a, b) => (a.kind < b.kind ? -1 : 1)));
      expect((await store.listDecisions({ rulesetVersion: 2, kind: 'shadow', limit: 10 })).map((d) => d.decisionId)).toEqual(['d1']);
      expect(await store.capacityUsed('2026-11-25')).toEqual({ 'dc-a': 3 });
      expect(await store.capacityUsed('2026-11-26')).toEqual({});
      expect(await store.backorderedOrders(['S2'], 10)).toEqual(['o1', 'o2']);
      await store.commit([unit('o1', { backorders: { orderId: 'o1', skus: [] } }, 1)]);
      expect(await store.backorderedOrders(['S1', 'S2'], 10)).toEqual(['o2']);
    });

    it('versions rulesets; one active and one shadow at a time', async () => {
      const r1 = await store.createRuleset('first', { name: 'first' }, T0);
      const r2 = await store.createRuleset('second', { name: 'second' }, T1);
      expect([r1.version, r2.version, r1.status]).toEqual([1, 2, 'draft']);
      expect(await store.setRulesetStatus(1, 'active', T0)).toMatchObject({ version: 1, status: 'active', activatedAt: T0 });
      expect(await store.setRulesetStatus(2, 'shadow', T1)).toMatchObject({ version: 2, status: 'shadow', activatedAt: null });
      await store.setRulesetStatus(2, 'active', T1);
      expect((await store.listRulesets()).map((r) => [r.version, r.status])).toEqual([[1, 'retired'], [2, 'active']]);
      expect((await store.listRulesets())[1]).toMatchObject({ name: 'second', doc: { name: 'second' }, activatedAt: T1 });
      expect(await store.setRulesetStatus(9, 'active', T1)).toBeUndefined();
    });
  });
}
