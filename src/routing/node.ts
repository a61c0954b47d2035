import type { ShipMethod } from '../domain/order/model.js';

/** A place that fulfils (DESIGN §3). */
export const NODE_TYPES = ['dc', 'store', 'dropship', '3pl'] as const;
export type NodeType = (typeof NODE_TYPES)[number];

export const NODE_CAPABILITIES = ['ship', 'pickup', 'ship_from_store', 'same_day', 'cancel', 'partial_cancel', 'returns'] as const;
export type NodeCapability = (typeof NODE_CAPABILITIES)[number];

/**
 * `degraded` (e.g. its connector's circuit breaker is open) keeps a node eligible but lowers its
 * preference: see `comparePlans`. `closed` excludes it.
 */
export const NODE_STATUSES = ['open', 'degraded', 'closed'] as const;
export type NodeStatus = (typeof NODE_STATUSES)[number];

export interface NodeLocation {
  readonly lat: number;
  readonly lon: number;
  readonly region?: string;
  /** ISO 3166-1 alpha-2. */
  readonly country: string;
}

/** Cost parameters in integer minor units of the retailer's currency. */
export interface NodeCost {
  readonly perShipment?: number;
  readonly perKm?: number;
  readonly perUnit?: number;
}

export interface RoutingNode {
  readonly id: string;
  readonly type: NodeType;
  readonly name?: string;
  readonly location: NodeLocation;
  readonly capabilities: readonly NodeCapability[];
  readonly shipMethods: readonly ShipMethod[];
  /** Fulfillments the node can take per day; absent = unlimited. */
  readonly dailyCapacity?: number;
  readonly status: NodeStatus;
  readonly connector?: string;
  /** Lower is preferred; absent = `DEFAULT_NODE_PRIORITY`. */
  readonly priority?: number;
  readonly cost?: NodeCost;
  /** Channels the node serves; empty or absent = all. */
  readonly channels?: readonly string[];
}

/** The priority of a node that states none: behind any node given an explicit rank up to 99. */
export const DEFAULT_NODE_PRIORITY = 100;
