import type { FulfillmentPreference } from '../domain/order/model.js';
import type { SellableStock } from '../inventory/sellable.js';
import type { ExclusionReason } from './decision.js';
import type { LatLon } from './geo.js';
import { haversineKm } from './geo.js';
import type { RoutingLine } from './input.js';
import type { RoutingNode } from './node.js';
import type { ExclusionRule, Ruleset } from './ruleset.js';

/** What the node filters read of the order and the ruleset, resolved once per decision. */
export interface FilterContext {
  readonly channel: string;
  readonly fulfillment: FulfillmentPreference;
  /** Upper-case ISO country of the ship-to, when known. */
  readonly shipToCountry?: string;
  /** Location of the named pickup store, when it is a known node. */
  readonly pickupCenter?: LatLon;
  readonly pickup: Ruleset['pickup'];
  readonly capacityUsed: Readonly<Record<string, number>>;
}

/** A filter answers `undefined` (eligible) or the reason the node is excluded. */
export type NodeFilter = (node: RoutingNode, c: FilterContext) => ExclusionReason | undefined;

const has = (node: RoutingNode, capability: RoutingNode['capabilities'][number]): boolean => node.capabilities.includes(capability);

export const nodeOpen: NodeFilter = (node) => (node.status === 'closed' ? 'node_closed' : undefined);

export const servesChannel: NodeFilter = (node, c) =>
  node.channels !== undefined && node.channels.length > 0 && !node.channels.includes(c.channel) ? 'channel_not_served' : undefined;

/** Pickup happens at the named store or, if the ruleset allows, at another store near it. */
export const pickupLocation: NodeFilter = (node, c) => {
  if (c.fulfillment.type !== 'pickup' || node.id === c.fulfillment.storeId) return undefined;
  if (!c.pickup.allowNearby || node.type !== 'store' || c.pickupCenter === undefined) return 'not_pickup_store';
  return haversineKm(c.pickupCenter, node.location) > c.pickup.radiusKm ? 'outside_pickup_radius' : undefined;
};

export const pickupCapability: NodeFilter = (node, c) =>
  c.fulfillment.type === 'pickup' && !has(node, 'pickup') ? 'capability_missing:pickup' : undefined;

/** A store ships only with `ship_from_store`; any other node needs `ship`; same-day needs `same_day` too. */
export const shipCapability: NodeFilter = (node, c) => {
  if (c.fulfillment.type !== 'ship') return undefined;
  if (node.type === 'store' && !has(node, 'ship_from_store')) return 'capability_missing:ship_from_store';
  if (node.type !== 'store' && !has(node, 'ship')) return 'capability_missing:ship';
  if (c.fulfillment.shipMethod === 'same_day' && !has(node, 'same_day')) return 'capability_missing:same_day';
  return undefined;
};

export const shipMethodSupported: NodeFilter = (node, c) =>
  c.fulfillment.type === 'ship' && !node.shipMethods.includes(c.fulfillment.shipMethod)
    ? `ship_method_unsupported:${c.fulfillment.shipMethod}`
    : undefined;

/** Shipping is domestic: the node's country must be the ship-to's (not checked when the ship-to has none). */
export const shipsToCountry: NodeFilter = (node, c) => {
  if (c.fulfillment.type !== 'ship' || c.shipToCountry === undefined) return undefined;
  const country = node.location.country;
  return country === c.shipToCountry || country.toUpperCase() === c.shipToCountry ? undefined : 'country_mismatch';
};

/** A decision adds at most one fulfillment per node, so one free slot is enough. */
export const hasCapacity: NodeFilter = (node, c) =>
  node.dailyCapacity !== undefined && (c.capacityUsed[node.id] ?? 0) >= node.dailyCapacity ? 'capacity_exhausted' : undefined;

/** In order: the first reason found is the one recorded. */
export const NODE_FILTERS: readonly NodeFilter[] = [
  nodeOpen,
  servesChannel,
  pickupLocation,
  pickupCapability,
  shipCapability,
  shipMethodSupported,
  shipsToCountry,
  hasCapacity,
];

export function nodeExclusion(node: RoutingNode, c: FilterContext): ExclusionReason | undefined {
  for (const filter of NODE_FILTERS) {
    const reason = filter(node, c);
    if (reason !== undefined) return reason;
  }
  return undefined;
}

/** The exclusion rules a line's attributes trigger; resolved once per line, then checked per node. */
export function exclusionsFor(line: RoutingLine, rules: readonly ExclusionRule[]): ExclusionRule[] {
  const attributes = line.attributes;
  if (attributes === undefined) return [];
  return rules.filter((r) => Object.prototype.hasOwnProperty.call(attributes, r.attribute) && attributes[r.attribute] === r.equals);
}

/** `sku_excluded:<attribute>` when a triggered rule covers this node (a rule naming no nodes covers all). */
export function skuExclusion(node: RoutingNode, triggered: readonly ExclusionRule[]): ExclusionReason | undefined {
  for (const rule of triggered) {
    const named = rule.nodeTypes !== undefined || rule.nodeIds !== undefined;
    const covers = !named || (rule.nodeTypes?.includes(node.type) ?? false) || (rule.nodeIds?.includes(node.id) ?? false);
    if (covers) return `sku_excluded:${rule.attribute}`;
  }
  return undefined;
}

/** Stock checks, after the node and SKU filters: a missing position is no stock. */
export function stockExclusion(stock: SellableStock | undefined, staleMode: Ruleset['inventory']['staleMode']): ExclusionReason | undefined {
  if (stock === undefined) return 'no_stock';
  if (stock.stale && staleMode === 'exclude') return 'inventory_stale';
  return stock.sellable > 0 ? undefined : 'no_stock';
}
