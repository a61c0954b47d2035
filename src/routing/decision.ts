import type { ObjectiveType } from './ruleset.js';

/** Why a node cannot serve a line; codes with a suffix name the missing thing (`capability_missing:pickup`). */
export type ExclusionReason =
  | 'node_closed'
  | 'channel_not_served'
  | `capability_missing:${string}`
  | `ship_method_unsupported:${string}`
  | 'country_mismatch'
  | 'not_pickup_store'
  | 'outside_pickup_radius'
  | 'capacity_exhausted'
  | `sku_excluded:${string}`
  | 'inventory_stale'
  | 'no_stock';

/**
 * Why units were not assigned: no node passed the filters (`no_eligible_node`), none had the stock
 * left (`no_stock`), or stock existed but policy kept it out of reach (`split_not_allowed`,
 * `max_shipments`, `ship_complete`); `pickup_store_unknown` when the named store is not a known node.
 */
export type BackorderReason =
  | 'no_eligible_node'
  | 'no_stock'
  | 'split_not_allowed'
  | 'max_shipments'
  | 'ship_complete'
  | 'pickup_store_unknown';

/**
 * Objective values are costs (lower is better): `fewest_shipments` counts shipments, `distance` is
 * km, `cost` minor units, `priority` the node priority (summed over shipments), `stock_balance` the
 * negated smallest sellable left at an assigned position. `total` is the weighted sum under
 * `weighted` scoring and the rank (1 = best) under `lexicographic` — lower is better either way.
 */
export interface Score {
  readonly total: number;
  readonly breakdown: Readonly<Partial<Record<ObjectiveType, number>>>;
}

export interface Candidate {
  readonly nodeId: string;
  readonly excluded?: ExclusionReason;
  readonly sellable?: number;
  /** The node scored as a shipment of this line alone; eligible candidates only. */
  readonly score?: Score;
  /** 1 = the node best placed to serve this line alone; eligible candidates only. */
  readonly rank?: number;
  readonly degraded?: true;
  /** Units of this line the decision assigned to the node. */
  readonly assigned?: number;
}

export interface LineExplanation {
  readonly lineId: string;
  readonly sku: string;
  readonly quantity: number;
  /** Every node, in node-id order. */
  readonly candidates: readonly Candidate[];
}

export interface AssignedLine {
  readonly lineId: string;
  readonly sku: string;
  readonly quantity: number;
}

export interface Assignment {
  readonly nodeId: string;
  readonly lines: readonly AssignedLine[];
}

export interface Backorder {
  readonly lineId: string;
  readonly sku: string;
  readonly quantity: number;
  readonly reason: BackorderReason;
}

export interface DecisionSummary {
  readonly shipments: number;
  readonly split: boolean;
  readonly distanceKm: number;
  /** Minor units. */
  readonly cost: number;
  readonly backorderedUnits: number;
}

/** How the chosen plan was found and how it scored against the alternatives. */
export interface PlanExplanation {
  readonly kind: 'single_node' | 'split' | 'none';
  readonly plansConsidered: number;
  readonly unitsServed: number;
  readonly score?: Score;
}

export interface RoutingDecision {
  readonly rulesetVersion: number;
  /** By node id. */
  readonly assignments: readonly Assignment[];
  readonly backorders: readonly Backorder[];
  readonly lines: readonly LineExplanation[];
  readonly summary: DecisionSummary;
  readonly plan: PlanExplanation;
}
