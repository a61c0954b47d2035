import type { RoutingDecision } from './decision.js';

/** Aggregate shape of a set of decisions: what a ruleset does to the business. */
export interface RoutingSummary {
  readonly count: number;
  /** Share of decisions with more than one shipment. */
  readonly splitRate: number;
  readonly avgDistanceKm: number;
  /** Minor units. */
  readonly avgCost: number;
  /** Share of decisions that backordered anything. */
  readonly backorderRate: number;
  readonly requestedUnits: number;
  readonly backorderedUnits: number;
}

/** Running totals, so long replays stream decisions through without holding them. */
export interface SummaryTotals {
  readonly count: number;
  readonly splits: number;
  readonly distanceKm: number;
  readonly cost: number;
  readonly withBackorders: number;
  readonly requestedUnits: number;
  readonly backorderedUnits: number;
}

export const EMPTY_SUMMARY_TOTALS: SummaryTotals = {
  count: 0,
  splits: 0,
  distanceKm: 0,
  cost: 0,
  withBackorders: 0,
  requestedUnits: 0,
  backorderedUnits: 0,
};

export function addToSummary(t: SummaryTotals, d: RoutingDecision): SummaryTotals {
  return {
    count: t.count + 1,
    splits: t.splits + (d.summary.split ? 1 : 0),
    distanceKm: t.distanceKm + d.summary.distanceKm,
    cost: t.cost + d.summary.cost,
    withBackorders: t.withBackorders + (d.summary.backorderedUnits > 0 ? 1 : 0),
    requestedUnits: t.requestedUnits + d.lines.reduce((n, l) => n + l.quantity, 0),
    backorderedUnits: t.backorderedUnits + d.summary.backorderedUnits,
  };
}

export function finishSummary(t: SummaryTotals): RoutingSummary {
  return {
    count: t.count,
    splitRate: ratio(t.splits, t.count),
    avgDistanceKm: Math.round(ratio(t.distanceKm, t.count) * 1000) / 1000,
    avgCost: ratio(t.cost, t.count),
    backorderRate: ratio(t.withBackorders, t.count),
    requestedUnits: t.requestedUnits,
    backorderedUnits: t.backorderedUnits,
  };
}

export const summarize = (decisions: Iterable<RoutingDecision>): RoutingSummary => {
  let t = EMPTY_SUMMARY_TOTALS;
  for (const d of decisions) t = addToSummary(t, d);
  return finishSummary(t);
};

/** How a shadow (or candidate) decision differs from the active one; deltas are shadow − active. */
export interface DecisionDiff {
  /** Same units to the same nodes and the same units backordered (reasons and scores aside). */
  readonly agree: boolean;
  /** +1 when only the shadow splits, −1 when only the active one does. */
  readonly splitDelta: number;
  readonly shipmentsDelta: number;
  readonly distanceDeltaKm: number;
  readonly costDelta: number;
  /** Backordered units. */
  readonly backorderDelta: number;
}

export function diffDecisions(active: RoutingDecision, shadow: RoutingDecision): DecisionDiff {
  return {
    agree: outcomeKey(active) === outcomeKey(shadow),
    splitDelta: Number(shadow.summary.split) - Number(active.summary.split),
    shipmentsDelta: shadow.summary.shipments - active.summary.shipments,
    distanceDeltaKm: Math.round((shadow.summary.distanceKm - active.summary.distanceKm) * 1000) / 1000,
    costDelta: shadow.summary.cost - active.summary.cost,
    backorderDelta: shadow.summary.backorderedUnits - active.summary.backorderedUnits,
  };
}

// Canonical text of what was decided: assignments by node and line, backorders by line.
function outcomeKey(d: RoutingDecision): string {
  const assigned = d.assignments
    .flatMap((a) => a.lines.map((l) => `${a.nodeId}\u0000${l.lineId}\u0000${l.quantity}`))
    .sort();
  const backordered = d.backorders.map((b) => `${b.lineId}\u0000${b.quantity}`).sort();
  return JSON.stringify([assigned, backordered]);
}

/** The shadow summary: how often a second ruleset agrees with the active one, and by how much it differs. */
export interface ShadowSummary {
  readonly count: number;
  readonly agreementRate: number;
  readonly meanSplitDelta: number;
  readonly meanShipmentsDelta: number;
  readonly meanDistanceDeltaKm: number;
  readonly meanCostDelta: number;
  readonly meanBackorderDelta: number;
}

export interface DiffTotals {
  readonly count: number;
  readonly agreed: number;
  readonly split: number;
  readonly shipments: number;
  readonly distanceKm: number;
  readonly cost: number;
  readonly backordered: number;
}

export const EMPTY_DIFF_TOTALS: DiffTotals = { count: 0, agreed: 0, split: 0, shipments: 0, distanceKm: 0, cost: 0, backordered: 0 };

export const addDiff = (t: DiffTotals, d: DecisionDiff): DiffTotals => ({
  count: t.count + 1,
  agreed: t.agreed + (d.agree ? 1 : 0),
  split: t.split + d.splitDelta,
  shipments: t.shipments + d.shipmentsDelta,
  distanceKm: t.distanceKm + d.distanceDeltaKm,
  cost: t.cost + d.costDelta,
  backordered: t.backordered + d.backorderDelta,
});

export const finishDiffs = (t: DiffTotals): ShadowSummary => ({
  count: t.count,
  agreementRate: t.count === 0 ? 1 : ratio(t.agreed, t.count),
  meanSplitDelta: ratio(t.split, t.count),
  meanShipmentsDelta: ratio(t.shipments, t.count),
  meanDistanceDeltaKm: Math.round(ratio(t.distanceKm, t.count) * 1000) / 1000,
  meanCostDelta: ratio(t.cost, t.count),
  meanBackorderDelta: ratio(t.backordered, t.count),
});

export const summarizeDiffs = (diffs: Iterable<DecisionDiff>): ShadowSummary => {
  let t = EMPTY_DIFF_TOTALS;
  for (const d of diffs) t = addDiff(t, d);
  return finishDiffs(t);
};

/** What-if: the same orders decided by the baseline and by a candidate ruleset. */
export interface WhatIfReport {
  readonly baseline: RoutingSummary;
  readonly candidate: RoutingSummary;
  /** candidate − baseline. */
  readonly change: {
    readonly splitRate: number;
    readonly avgDistanceKm: number;
    readonly avgCost: number;
    readonly backorderRate: number;
  };
  readonly agreement: ShadowSummary;
}

export interface WhatIfTotals {
  readonly baseline: SummaryTotals;
  readonly candidate: SummaryTotals;
  readonly diffs: DiffTotals;
}

export const EMPTY_WHAT_IF_TOTALS: WhatIfTotals = { baseline: EMPTY_SUMMARY_TOTALS, candidate: EMPTY_SUMMARY_TOTALS, diffs: EMPTY_DIFF_TOTALS };

export const addWhatIfPair = (t: WhatIfTotals, baseline: RoutingDecision, candidate: RoutingDecision): WhatIfTotals => ({
  baseline: addToSummary(t.baseline, baseline),
  candidate: addToSummary(t.candidate, candidate),
  diffs: addDiff(t.diffs, diffDecisions(baseline, candidate)),
});

export function finishWhatIf(t: WhatIfTotals): WhatIfReport {
  const baseline = finishSummary(t.baseline);
  const candidate = finishSummary(t.candidate);
  const delta = (a: number, b: number): number => Math.round((b - a) * 1e6) / 1e6;
  return {
    baseline,
    candidate,
    change: {
      splitRate: delta(baseline.splitRate, candidate.splitRate),
      avgDistanceKm: delta(baseline.avgDistanceKm, candidate.avgDistanceKm),
      avgCost: delta(baseline.avgCost, candidate.avgCost),
      backorderRate: delta(baseline.backorderRate, candidate.backorderRate),
    },
    agreement: finishDiffs(t.diffs),
  };
}

export const whatIfReport = (pairs: Iterable<{ readonly baseline: RoutingDecision; readonly candidate: RoutingDecision }>): WhatIfReport => {
  let t = EMPTY_WHAT_IF_TOTALS;
  for (const p of pairs) t = addWhatIfPair(t, p.baseline, p.candidate);
  return finishWhatIf(t);
};

// Rates and means to six decimals; 0 for an empty set.
const ratio = (n: number, d: number): number => (d === 0 ? 0 : Math.round((n / d) * 1e6) / 1e6);
