import type { FulfillmentPreference } from '../domain/order/model.js';
import type { Position } from '../inventory/position.js';
import type { RoutingNode } from './node.js';
import type { Ruleset } from './ruleset.js';

export type LineAttributes = Readonly<Record<string, string | number | boolean>>;

export interface RoutingLine {
  readonly lineId: string;
  readonly sku: string;
  /** Units to route: the line's unrouted quantity (a re-route passes only what is left). */
  readonly quantity: number;
  readonly attributes?: LineAttributes;
}

export interface ShipTo {
  readonly lat?: number;
  readonly lon?: number;
  readonly country: string;
  readonly region?: string;
}

/** What routing needs of an order; an `OrderDraft` provides every field. */
export interface RoutingOrder {
  readonly channel: string;
  readonly fulfillment: FulfillmentPreference;
  readonly shipTo?: ShipTo;
  readonly lines: readonly RoutingLine[];
}

/**
 * Everything a decision depends on — nothing else is read, so the same input always gives the
 * same decision (DESIGN §2.6). Node ids and (nodeId, sku) positions are expected to be unique.
 */
export interface RoutingInput {
  readonly order: RoutingOrder;
  readonly nodes: readonly RoutingNode[];
  /** Positions for (at least) the order's SKUs; a missing position means no stock. */
  readonly positions: readonly Position[];
  readonly ruleset: Ruleset;
  /** The version the store assigned to `ruleset`; recorded in the decision. */
  readonly rulesetVersion: number;
  /** ISO-8601 time the decision is made at (freshness is judged against it). */
  readonly now: string;
  /** Fulfillments already assigned today per node id, against `dailyCapacity`. */
  readonly capacityUsed?: Readonly<Record<string, number>>;
}
