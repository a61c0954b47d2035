import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Position } from '../../src/inventory/position.js';
import { sellable } from '../../src/inventory/sellable.js';
import { haversineKm } from '../../src/routing/geo.js';
import type { RoutingInput, RoutingLine, RoutingOrder } from '../../src/routing/input.js';
import type { RoutingNode } from '../../src/routing/node.js';
import { NODE_CAPABILITIES, NODE_STATUSES, NODE_TYPES } from '../../src/routing/node.js';
import { route } from '../../src/routing/route.js';
import type { RulesetDocument } from '../../src/routing/ruleset.js';
import { OBJECTIVE_TYPES, lineSplitAllowed } from '../../src/routing/ruleset.js';
import { NOW, minutesBefore, rules } from './routing.fixtures.js';
import { SHIP_METHODS } from '../../src/domain/order/model.js';

const SKUS = ['A', 'B', 'C'];
const NODE_IDS = ['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7'];

/** The common case most of the time, anything now and then: enough routable orders to test routing. */
const mostly = <T,>(usual: T, other: fc.Arbitrary<T>): fc.Arbitrary<T> =>
  fc.oneof({ weight: 6, arbitrary: fc.constant(usual) }, { weight: 1, arbitrary: other });

const nodeArb = (id: string): fc.Arbitrary<RoutingNode> =>
  fc.record(
    {
      id: fc.constant(id),
      type: fc.constantFrom(...NODE_TYPES),
      location: fc.record({
        lat: fc.double({ min: 40, max: 48, noNaN: true }),
        lon: fc.double({ min: -124, max: -118, noNaN: true }),
        country: mostly('US', fc.constant('CA')),
      }),
      capabilities: mostly([...NODE_CAPABILITIES], fc.subarray([...NODE_CAPABILITIES])),
      shipMethods: mostly([...SHIP_METHODS], fc.subarray([...SHIP_METHODS])),
      status: mostly<RoutingNode['status']>('open', fc.constantFrom(...NODE_STATUSES)),
      dailyCapacity: fc.integer({ min: 0, max: 6 }),
      priority: fc.integer({ min: 0, max: 5 }),
      cost: fc.record({ perShipment: fc.integer({ min: 0, max: 500 }), perKm: fc.integer({ min: 0, max: 3 }), perUnit: fc.integer({ min: 0, max: 50 }) }),
      channels: mostly<string[]>([], fc.subarray(['web', 'pos'])),
    },
    { requiredKeys: ['id', 'type', 'location', 'capabilities', 'shipMethods', 'status', 'priority'] },
  );

const nodesArb = fc.subarray(NODE_IDS, { minLength: 2 }).chain((ids) => fc.tuple(...ids.map(nodeArb)));

const positionsArb = (nodes: readonly RoutingNode[]): fc.Arbitrary<Position[]> =>
  fc
    .tuple(
      ...nodes.flatMap((n) =>
        SKUS.map((sku) =>
          fc.option(
            fc.record({
              nodeId: fc.constant(n.id),
              sku: fc.constant(sku),
              onHand: fc.integer({ min: -2, max: 15 }),
              reserved: fc.integer({ min: 0, max: 3 }),
              asOf: fc.option(mostly(5, fc.integer({ min: 0, max: 3000 })).map((m) => minutesBefore(m)), { freq: 10 }),
            }),
            { freq: 6 },
          ),
        ),
      ),
    )
    .map((ps) => ps.filter((p): p is Position => p !== null));

const linesArb: fc.Arbitrary<RoutingLine[]> = fc
  .array(
    fc.record(
      { sku: fc.constantFrom(...SKUS), quantity: fc.integer({ min: 1, max: 8 }), attributes: fc.record({ hazmat: fc.boolean() }) },
      { requiredKeys: ['sku', 'quantity'] },
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((ls) => ls.map((l, i) => ({ lineId: String(i + 1), ...l })));

const orderArb: fc.Arbitrary<RoutingOrder> = fc.record({
  channel: fc.constantFrom('web', 'pos'),
  fulfillment: fc.oneof(
    { weight: 3, arbitrary: fc.record({ type: fc.constant('ship' as const), shipMethod: mostly('standard', fc.constantFrom(...SHIP_METHODS)) }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('pickup' as const), storeId: fc.constantFrom(...NODE_IDS, 'nowhere') }) },
  ),
  shipTo: fc.record(
    { lat: fc.double({ min: 40, max: 48, noNaN: true }), lon: fc.double({ min: -124, max: -118, noNaN: true }), country: mostly('US', fc.constant('CA')) },
    { requiredKeys: ['country'] },
  ),
  lines: linesArb,
});

const rulesetArb: fc.Arbitrary<Partial<RulesetDocument>> = fc.record({
  split: fc.record(
    {
      allowed: fc.boolean(),
      maxShipments: fc.integer({ min: 1, max: 4 }),
      mode: fc.constantFrom('ship_as_available' as const, 'ship_complete' as const),
      splitLines: fc.boolean(),
    },
    { requiredKeys: [] },
  ),
  scoring: fc.constantFrom('lexicographic' as const, 'weighted' as const),
  objectives: fc
    .shuffledSubarray([...OBJECTIVE_TYPES], { minLength: 1 })
    .chain((types) => fc.tuple(...types.map((type) => fc.record({ type: fc.constant(type), weight: fc.integer({ min: 0, max: 5 }) })))),
  inventory: fc.oneof(
    fc.record({ freshnessMinutes: fc.integer({ min: 1, max: 2000 }), staleMode: fc.constant('exclude' as const) }),
    fc.record({
      freshnessMinutes: fc.integer({ min: 1, max: 2000 }),
      staleMode: fc.constant('buffer' as const),
      staleBuffer: fc.oneof(fc.record({ units: fc.integer({ min: 0, max: 3 }) }), fc.record({ percent: fc.integer({ min: 0, max: 100 }) })),
    }),
  ),
  safetyStock: fc.record({ byNodeType: fc.record({ store: fc.integer({ min: 0, max: 3 }) }), bySku: fc.record({ B: fc.integer({ min: 0, max: 2 }) }) }),
  exclusions: fc.constantFrom([], [{ attribute: 'hazmat', nodeTypes: ['store' as const] }]),
  pickup: fc.record({ allowNearby: fc.boolean(), radiusKm: fc.integer({ min: 1, max: 600 }) }),
});

const anyInputArb: fc.Arbitrary<RoutingInput> = nodesArb.chain((nodes) =>
  fc.record({
    order: orderArb,
    nodes: fc.constant(nodes),
    positions: positionsArb(nodes),
    ruleset: rulesetArb.map((doc) => rules(doc)),
    rulesetVersion: fc.integer({ min: 1, max: 99 }),
    now: fc.constant(NOW),
    capacityUsed: mostly({}, fc.dictionary(fc.constantFrom(...NODE_IDS), fc.integer({ min: 0, max: 4 }))),
  }),
);

/** Everything open, capable and domestic: the filters pass, so planning (and splitting) is what gets tested. */
const plannableArb: fc.Arbitrary<RoutingInput> = anyInputArb.map((i) => ({
  ...i,
  order: { ...i.order, channel: 'web', fulfillment: { type: 'ship', shipMethod: 'standard' }, shipTo: { ...i.order.shipTo, country: 'US' } },
  nodes: i.nodes.map((n) => ({
    ...n,
    status: n.status === 'closed' ? 'open' : n.status,
    capabilities: [...NODE_CAPABILITIES],
    shipMethods: [...SHIP_METHODS],
    location: { ...n.location, country: 'US' },
    channels: [],
  })),
  capacityUsed: {},
}));

const inputArb = fc.oneof(anyInputArb, plannableArb);

// Seeded Fisher–Yates, so a failing shuffle can be replayed.
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

const RUNS = { numRuns: 300 };

describe('routing invariants (properties)', () => {
  it('conserves quantity: assigned + backordered = requested, per line', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const d = route(input);
        for (const l of input.order.lines) {
          const assigned = d.assignments.flatMap((a) => a.lines).filter((x) => x.lineId === l.lineId);
          const backordered = d.backorders.filter((b) => b.lineId === l.lineId);
          expect(backordered.length).toBeLessThanOrEqual(1);
          for (const x of [...assigned, ...backordered]) expect(x.quantity).toBeGreaterThan(0);
          const total = [...assigned, ...backordered].reduce((n, x) => n + x.quantity, 0);
          expect(total).toBe(l.quantity);
        }
        expect(d.summary.backorderedUnits).toBe(d.backorders.reduce((n, b) => n + b.quantity, 0));
      }),
      RUNS,
    );
  });

  it('never assigns beyond sellable stock, nor to a node the filters exclude', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const d = route(input);
        const nodes = new Map(input.nodes.map((n) => [n.id, n]));
        for (const a of d.assignments) {
          const node = nodes.get(a.nodeId);
          if (node === undefined) throw new Error(`assigned to unknown node ${a.nodeId}`);
          // Independent checks of the hard filters.
          expect(node.status).not.toBe('closed');
          if (node.channels !== undefined && node.channels.length > 0) expect(node.channels).toContain(input.order.channel);
          if (node.dailyCapacity !== undefined) expect(input.capacityUsed?.[node.id] ?? 0).toBeLessThan(node.dailyCapacity);
          const f = input.order.fulfillment;
          if (f.type === 'pickup') {
            expect(node.capabilities).toContain('pickup');
            if (node.id !== f.storeId) {
              const named = nodes.get(f.storeId);
              expect(input.ruleset.pickup.allowNearby && node.type === 'store' && named !== undefined).toBe(true);
              if (named !== undefined) expect(haversineKm(named.location, node.location)).toBeLessThanOrEqual(input.ruleset.pickup.radiusKm);
            }
          } else {
            expect(node.capabilities).toContain(node.type === 'store' ? 'ship_from_store' : 'ship');
            expect(node.shipMethods).toContain(f.shipMethod);
            expect(node.location.country).toBe(input.order.shipTo?.country);
          }
          // Per SKU at this node, never more than its sellable stock.
          for (const sku of SKUS) {
            const taken = a.lines.filter((l) => l.sku === sku).reduce((n, l) => n + l.quantity, 0);
            if (taken === 0) continue;
            const p = input.positions.find((x) => x.nodeId === a.nodeId && x.sku === sku);
            if (p === undefined) throw new Error(`assigned ${sku} at ${a.nodeId} without a position`);
            expect(taken).toBeLessThanOrEqual(sellable(p, node, input.ruleset, input.now).sellable);
          }
          // And the explanation agrees: the node is not excluded for any line it got.
          for (const l of a.lines) {
            const c = d.lines.find((x) => x.lineId === l.lineId)?.candidates.find((x) => x.nodeId === a.nodeId);
            expect(c?.excluded).toBeUndefined();
            expect(c?.assigned).toBe(l.quantity);
          }
        }
      }),
      RUNS,
    );
  });

  it('respects the split policy', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const d = route(input);
        const { split } = input.ruleset;
        const max = input.order.fulfillment.type === 'pickup' || !split.allowed ? 1 : split.maxShipments;
        expect(d.assignments.length).toBeLessThanOrEqual(max);
        for (const l of input.order.lines) {
          const parts = d.assignments.filter((a) => a.lines.some((x) => x.lineId === l.lineId)).length;
          if (!lineSplitAllowed(split)) expect(parts).toBeLessThanOrEqual(1);
          if (split.mode === 'ship_complete') {
            const backordered = d.backorders.find((b) => b.lineId === l.lineId)?.quantity ?? 0;
            expect([0, l.quantity]).toContain(backordered);
          }
        }
      }),
      RUNS,
    );
  });

  it('explains every node for every line, once, in node-id order', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const d = route(input);
        const ids = input.nodes.map((n) => n.id).sort();
        expect(d.lines.map((l) => l.lineId)).toEqual(input.order.lines.map((l) => l.lineId));
        for (const l of d.lines) {
          expect(l.candidates.map((c) => c.nodeId)).toEqual(ids);
          for (const c of l.candidates) expect(c.excluded === undefined).toBe(c.score !== undefined);
        }
      }),
      RUNS,
    );
  });

  it('is deterministic: the same input, in any order, gives the same decision', () => {
    fc.assert(
      fc.property(inputArb, fc.integer(), fc.integer(), (input, seedA, seedB) => {
        const first = route(input);
        expect(route(input)).toStrictEqual(first);
        const reordered = { ...input, nodes: shuffled(input.nodes, seedA), positions: shuffled(input.positions, seedB) };
        expect(route(reordered)).toStrictEqual(first);
        expect(route(structuredClone(input))).toStrictEqual(first);
      }),
      RUNS,
    );
  });
});
