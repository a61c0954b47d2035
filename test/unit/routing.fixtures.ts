// Builders shared by the routing and inventory unit tests (not a test file itself).
import type { Position } from '../../src/inventory/position.js';
import type { RoutingInput, RoutingLine, RoutingOrder } from '../../src/routing/input.js';
import type { RoutingNode } from '../../src/routing/node.js';
import type { Ruleset, RulesetDocument } from '../../src/routing/ruleset.js';
import { parseRuleset } from '../../src/routing/ruleset.js';

export const NOW = '2026-11-25T10:00:00.000Z';
export const minutesBefore = (minutes: number, at = NOW): string => new Date(Date.parse(at) - minutes * 60_000).toISOString();

/** A few places, for distances that read sensibly. */
export const PLACES = {
  seattle: { lat: 47.61, lon: -122.33 },
  tacoma: { lat: 47.25, lon: -122.44 },
  portland: { lat: 45.52, lon: -122.68 },
  chicago: { lat: 41.88, lon: -87.63 },
  newYork: { lat: 40.71, lon: -74.01 },
  toronto: { lat: 43.65, lon: -79.38 },
} as const;

type Place = keyof typeof PLACES;
type NodeOverrides = Partial<Omit<RoutingNode, 'location'>> & { at?: Place; country?: string };

export function dc(id: string, o: NodeOverrides = {}): RoutingNode {
  const { at = 'chicago', country = 'US', ...rest } = o;
  return {
    id,
    type: 'dc',
    location: { ...PLACES[at], country },
    capabilities: ['ship', 'cancel', 'returns'],
    shipMethods: ['standard', 'expedited', 'overnight'],
    status: 'open',
    ...rest,
  };
}

export function store(id: string, o: NodeOverrides = {}): RoutingNode {
  const { at = 'seattle', country = 'US', ...rest } = o;
  return {
    id,
    type: 'store',
    location: { ...PLACES[at], country },
    capabilities: ['pickup', 'ship_from_store', 'same_day'],
    shipMethods: ['standard', 'same_day'],
    status: 'open',
    ...rest,
  };
}

export const position = (nodeId: string, sku: string, onHand: number, o: Partial<Position> = {}): Position => ({
  nodeId,
  sku,
  onHand,
  reserved: 0,
  asOf: minutesBefore(5),
  ...o,
});

export function rules(doc: Partial<RulesetDocument> = {}): Ruleset {
  const parsed = parseRuleset({ name: 'test', ...doc });
  if (!parsed.ok) throw new Error(`bad test ruleset: ${JSON.stringify(parsed.error)}`);
  return parsed.value;
}

export const line = (lineId: string, sku: string, quantity: number, attributes?: RoutingLine['attributes']): RoutingLine => ({
  lineId,
  sku,
  quantity,
  ...(attributes !== undefined ? { attributes } : {}),
});

export function shipOrder(lines: readonly RoutingLine[], o: Partial<RoutingOrder> & { to?: Place } = {}): RoutingOrder {
  const { to = 'seattle', ...rest } = o;
  return {
    channel: 'web',
    fulfillment: { type: 'ship', shipMethod: 'standard' },
    shipTo: { ...PLACES[to], country: 'US' },
    lines,
    ...rest,
  };
}

export const pickupOrder = (storeId: string, lines: readonly RoutingLine[]): RoutingOrder => ({
  channel: 'web',
  fulfillment: { type: 'pickup', storeId },
  lines,
});

export function input(
  order: RoutingOrder,
  nodes: readonly RoutingNode[],
  positions: readonly Position[],
  o: Partial<Omit<RoutingInput, 'order' | 'nodes' | 'positions'>> = {},
): RoutingInput {
  return { order, nodes, positions, ruleset: rules(), rulesetVersion: 1, now: NOW, ...o };
}
