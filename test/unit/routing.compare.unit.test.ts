import { describe, expect, it } from 'vitest';
import {
  EMPTY_SUMMARY_TOTALS,
  addToSummary,
  diffDecisions,
  finishSummary,
  summarize,
  summarizeDiffs,
  whatIfReport,
} from '../../src/routing/compare.js';
import type { RoutingDecision } from '../../src/routing/decision.js';
import { route } from '../../src/routing/route.js';
import { dc, input, line, position, rules, shipOrder } from './routing.fixtures.js';

/** A decision with the given outcome; explanations are irrelevant to comparison. */
function decision(assignments: Record<string, Record<string, number>>, backorders: Record<string, number>, distanceKm: number, cost: number): RoutingDecision {
  const shipments = Object.keys(assignments).length;
  const backorderedUnits = Object.values(backorders).reduce((a, b) => a + b, 0);
  const lineIds = new Set([...Object.values(assignments).flatMap((l) => Object.keys(l)), ...Object.keys(backorders)]);
  return {
    rulesetVersion: 1,
    assignments: Object.entries(assignments).map(([nodeId, lines]) => ({
      nodeId,
      lines: Object.entries(lines).map(([lineId, quantity]) => ({ lineId, sku: `SKU-${lineId}`, quantity })),
    })),
    backorders: Object.entries(backorders).map(([lineId, quantity]) => ({ lineId, sku: `SKU-${lineId}`, quantity, reason: 'no_stock' as const })),
    lines: [...lineIds].map((lineId) => ({
      lineId,
      sku: `SKU-${lineId}`,
      quantity: Object.values(assignments).reduce((n, l) => n + (l[lineId] ?? 0), 0) + (backorders[lineId] ?? 0),
      candidates: [],
    })),
    summary: { shipments, split: shipments > 1, distanceKm, cost, backorderedUnits },
    plan: { kind: shipments === 0 ? 'none' : shipments === 1 ? 'single_node' : 'split', plansConsidered: 1, unitsServed: 0 },
  };
}

const single = decision({ a: { 1: 2, 2: 1 } }, {}, 100, 500);
const split = decision({ a: { 1: 2 }, b: { 2: 1 } }, {}, 300, 900);
const short = decision({ a: { 1: 1 } }, { 1: 1, 2: 1 }, 100, 400);

describe('summaries', () => {
  it('average distance and cost, and rate splits and backorders per decision', () => {
    expect(summarize([single, split, short])).toEqual({
      count: 3,
      splitRate: 0.333333,
      avgDistanceKm: 166.667,
      avgCost: 600,
      backorderRate: 0.333333,
      requestedUnits: 9,
      backorderedUnits: 2,
    });
  });
  it('are zeros for no decisions', () => {
    expect(summarize([])).toEqual({ count: 0, splitRate: 0, avgDistanceKm: 0, avgCost: 0, backorderRate: 0, requestedUnits: 0, backorderedUnits: 0 });
  });
  it('stream: folding one at a time gives the same answer', () => {
    const folded = [single, split, short].reduce(addToSummary, EMPTY_SUMMARY_TOTALS);
    expect(finishSummary(folded)).toEqual(summarize([single, split, short]));
  });
});

describe('diffs between the active and a shadow decision', () => {
  it('agree when the same units go to the same nodes, whatever the order they are listed in', () => {
    const reordered = { ...split, assignments: [...split.assignments].reverse() };
    expect(diffDecisions(split, reordered)).toEqual({ agree: true, splitDelta: 0, shipmentsDelta: 0, distanceDeltaKm: 0, costDelta: 0, backorderDelta: 0 });
  });
  it('measure shadow − active', () => {
    expect(diffDecisions(single, split)).toEqual({ agree: false, splitDelta: 1, shipmentsDelta: 1, distanceDeltaKm: 200, costDelta: 400, backorderDelta: 0 });
    expect(diffDecisions(single, short)).toMatchObject({ agree: false, splitDelta: 0, backorderDelta: 2, costDelta: -100 });
  });
  it('summarise into an agreement rate and mean deltas', () => {
    const diffs = [diffDecisions(single, single), diffDecisions(single, split), diffDecisions(single, short), diffDecisions(split, single)];
    expect(summarizeDiffs(diffs)).toEqual({
      count: 4,
      agreementRate: 0.25,
      meanSplitDelta: 0,
      meanShipmentsDelta: 0,
      meanDistanceDeltaKm: 0,
      meanCostDelta: -25,
      meanBackorderDelta: 0.5,
    });
    expect(summarizeDiffs([]).agreementRate).toBe(1);
  });
});

describe('what-if', () => {
  it('reports each side and the change from baseline to candidate', () => {
    const r = whatIfReport([
      { baseline: single, candidate: split },
      { baseline: short, candidate: short },
    ]);
    expect(r.baseline).toMatchObject({ count: 2, splitRate: 0, avgCost: 450, backorderRate: 0.5 });
    expect(r.candidate).toMatchObject({ count: 2, splitRate: 0.5, avgCost: 650, backorderRate: 0.5 });
    expect(r.change).toEqual({ splitRate: 0.5, avgDistanceKm: 100, avgCost: 200, backorderRate: 0 });
    expect(r.agreement).toMatchObject({ count: 2, agreementRate: 0.5 });
  });

  it('works on real decisions: a no-split ruleset trades splits for backorders', () => {
    const nodes = [dc('east', { at: 'newYork' }), dc('mid')];
    const positions = [position('east', 'A', 5), position('mid', 'B', 5)];
    const orders = [shipOrder([line('1', 'A', 1), line('2', 'B', 1)]), shipOrder([line('1', 'A', 1)])];
    const pairs = orders.map((o) => ({
      baseline: route(input(o, nodes, positions)),
      candidate: route(input(o, nodes, positions, { ruleset: rules({ split: { allowed: false } }), rulesetVersion: 2 })),
    }));
    const r = whatIfReport(pairs);
    expect(r.change.splitRate).toBe(-0.5);
    expect(r.change.backorderRate).toBe(0.5);
    expect(r.agreement.agreementRate).toBe(0.5);
  });
});
