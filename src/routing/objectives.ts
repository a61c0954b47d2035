import { roundKm } from './geo.js';
import type { Score } from './decision.js';
import type { Objective, ObjectiveType, Ruleset } from './ruleset.js';

/** What the objectives measure of a plan (or of one candidate shipment). */
export interface PlanMetrics {
  readonly shipments: number;
  readonly distanceKm: number;
  /** Minor units. */
  readonly cost: number;
  readonly priority: number;
  /** Smallest sellable left at a position the plan draws on. */
  readonly minRemaining: number;
}

/** Metrics and their weighted sum, computed once per plan. */
export interface Scored {
  readonly metrics: PlanMetrics;
  readonly total: number;
}

/** Every objective as a cost: lower is better. */
export function objectiveValue(type: ObjectiveType, m: PlanMetrics): number {
  switch (type) {
    case 'fewest_shipments':
      return m.shipments;
    case 'distance':
      return m.distanceKm;
    case 'cost':
      return m.cost;
    case 'priority':
      return m.priority;
    case 'stock_balance':
      // More left behind is better; 0 when nothing is drawn, so an empty plan is not flattered.
      return m.shipments === 0 ? 0 : -m.minRemaining;
  }
}

export function weightedTotal(objectives: readonly Objective[], m: PlanMetrics): number {
  let total = 0;
  for (const o of objectives) total += (o.weight ?? 1) * objectiveValue(o.type, m);
  return Math.round(total * 1e6) / 1e6;
}

export const scored = (objectives: readonly Objective[], metrics: PlanMetrics): Scored => ({ metrics, total: weightedTotal(objectives, metrics) });

/** Objectives only: lexicographic in ruleset order, or by weighted total. */
export function compareScored(objectives: readonly Objective[], scoring: Ruleset['scoring'], a: Scored, b: Scored): number {
  if (scoring === 'weighted') return a.total - b.total;
  for (const o of objectives) {
    const d = objectiveValue(o.type, a.metrics) - objectiveValue(o.type, b.metrics);
    if (d !== 0) return d;
  }
  return 0;
}

/** The explanation form: `total` is the weighted sum, or the rank under lexicographic scoring. */
export function toScore(objectives: readonly Objective[], scoring: Ruleset['scoring'], s: Scored, rank: number): Score {
  const breakdown: Partial<Record<ObjectiveType, number>> = {};
  for (const o of objectives) breakdown[o.type] = objectiveValue(o.type, s.metrics);
  return { total: scoring === 'weighted' ? s.total : rank, breakdown };
}

/** Cost parameters of a node, resolved once per decision. */
export interface NodeEconomics {
  readonly distanceKm: number;
  readonly priority: number;
  readonly perShipment: number;
  readonly perKm: number;
  readonly perUnit: number;
}

/** Cost of one shipment of `units` from the node, in whole minor units. */
export const shipmentCost = (e: NodeEconomics, units: number): number =>
  Math.round(e.perShipment + e.perKm * e.distanceKm + e.perUnit * units);

/** Metrics of one shipment taken alone (a candidate's own score). */
export const shipmentMetrics = (e: NodeEconomics, units: number, remaining: number): PlanMetrics => ({
  shipments: 1,
  distanceKm: roundKm(e.distanceKm),
  cost: shipmentCost(e, units),
  priority: e.priority,
  minRemaining: remaining,
});
