import type { SellableStock } from '../inventory/sellable.js';
import { freshnessCutoff } from '../inventory/freshness.js';
import { sellableAt } from '../inventory/sellable.js';
import type { Position } from '../inventory/position.js';
import type { ExclusionReason } from './decision.js';
import type { FilterContext } from './eligibility.js';
import { exclusionsFor, nodeExclusion, skuExclusion, stockExclusion } from './eligibility.js';
import type { LatLon } from './geo.js';
import { haversineKm, roundKm } from './geo.js';
import type { RoutingInput, RoutingLine } from './input.js';
import type { RoutingNode } from './node.js';
import { DEFAULT_NODE_PRIORITY } from './node.js';
import type { NodeEconomics } from './objectives.js';
import type { Objective, Ruleset } from './ruleset.js';
import { lineSplitAllowed } from './ruleset.js';

export interface NodeFacts extends NodeEconomics {
  readonly node: RoutingNode;
  /** Why the node cannot serve this order at all (node-level filters). */
  readonly excluded: ExclusionReason | undefined;
  readonly degraded: boolean;
  /** The store the customer named for pickup. */
  readonly named: boolean;
}

/**
 * Everything `route` derives from its input before planning, computed once per call so the
 * planners stay linear in nodes × lines. Node arrays are in node-id order.
 */
export interface RoutingContext {
  readonly ruleset: Ruleset;
  readonly objectives: readonly Objective[];
  readonly scoring: Ruleset['scoring'];
  readonly nodes: readonly NodeFacts[];
  readonly lines: readonly RoutingLine[];
  /** Units to route per line (negative or fractional quantities count as their whole part ≥ 0). */
  readonly quantities: readonly number[];
  /** Index into `stock` of each line's SKU; lines sharing a SKU share its stock. */
  readonly lineSku: readonly number[];
  /** stock[sku][node]: sellable at the node, evaluated only where the node filters passed. */
  readonly stock: readonly (readonly (SellableStock | undefined)[])[];
  /** sellable[sku][node] as a number (0 where not evaluated). */
  readonly sellable: readonly (readonly number[])[];
  /** reason[line][node]: why the node cannot serve the line, or undefined when it can. */
  readonly reason: readonly (readonly (ExclusionReason | undefined)[])[];
  /** avail[line][node]: sellable of the line's SKU where the node can serve the line, else 0. */
  readonly avail: readonly (readonly number[])[];
  /** Nodes that can serve at least one line. */
  readonly usable: readonly number[];
  readonly pickup: boolean;
  readonly pickupStoreKnown: boolean;
  readonly canSplit: boolean;
  readonly maxShipments: number;
  readonly lineSplit: boolean;
  readonly shipComplete: boolean;
}

const byId = (a: RoutingNode, b: RoutingNode): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

// Callers often list nodes in id order already (a store reads them so): then no sort is needed.
function sortedById(nodes: readonly RoutingNode[]): readonly RoutingNode[] {
  for (let i = 1; i < nodes.length; i++) {
    if (byId(nodes[i - 1] as RoutingNode, nodes[i] as RoutingNode) > 0) return [...nodes].sort(byId);
  }
  return nodes;
}

export function buildContext(input: RoutingInput): RoutingContext {
  const { order, ruleset } = input;
  const nowMs = Date.parse(input.now);
  if (Number.isNaN(nowMs)) throw new RangeError(`now is not a date-time: ${input.now}`);
  const nodes = sortedById(input.nodes);
  const pickup = order.fulfillment.type === 'pickup';
  const storeId = order.fulfillment.type === 'pickup' ? order.fulfillment.storeId : undefined;
  const namedStore = storeId === undefined ? undefined : nodes.find((n) => n.id === storeId);
  const pickupCenter: LatLon | undefined = namedStore?.location;
  const shipTo = order.shipTo;
  const origin: LatLon | undefined = pickup
    ? pickupCenter
    : shipTo?.lat !== undefined && shipTo.lon !== undefined
      ? { lat: shipTo.lat, lon: shipTo.lon }
      : undefined;

  const filter: FilterContext = {
    channel: order.channel,
    fulfillment: order.fulfillment,
    ...(shipTo?.country !== undefined ? { shipToCountry: shipTo.country.toUpperCase() } : {}),
    ...(pickupCenter !== undefined ? { pickupCenter } : {}),
    pickup: ruleset.pickup,
    capacityUsed: input.capacityUsed ?? {},
  };
  const facts: NodeFacts[] = new Array<NodeFacts>(nodes.length);
  const nodeIndex = new Map<string, number>();
  nodes.forEach((node, ni) => {
    nodeIndex.set(node.id, ni);
    const excluded = nodeExclusion(node, filter);
    facts[ni] = {
      node,
      excluded,
      degraded: node.status === 'degraded',
      named: node.id === storeId,
      // Ship: node → ship-to. Pickup: how far the pickup store is from the one the customer named.
      // Only a node that may serve is ever scored on it.
      distanceKm: origin === undefined || excluded !== undefined ? 0 : roundKm(haversineKm(node.location, origin)),
      priority: node.priority ?? DEFAULT_NODE_PRIORITY,
      perShipment: node.cost?.perShipment ?? 0,
      perKm: node.cost?.perKm ?? 0,
      perUnit: node.cost?.perUnit ?? 0,
    };
  });

  const skuIndex = new Map<string, number>();
  const lineSku = order.lines.map((l) => {
    const at = skuIndex.get(l.sku);
    if (at !== undefined) return at;
    skuIndex.set(l.sku, skuIndex.size);
    return skuIndex.size - 1;
  });
  const held = indexPositions(input.positions, skuIndex, nodeIndex, nodes.length);
  const cutoff = freshnessCutoff(ruleset.inventory, nowMs);
  const stock: (SellableStock | undefined)[][] = [];
  const sellable: number[][] = [];
  for (const row of held) {
    const stockRow = new Array<SellableStock | undefined>(facts.length);
    const sellRow = new Array<number>(facts.length).fill(0);
    for (let ni = 0; ni < facts.length; ni++) {
      const p = row[ni];
      const f = facts[ni] as NodeFacts;
      if (p === undefined || f.excluded !== undefined) continue;
      const st = sellableAt(p, f.node, ruleset, cutoff);
      stockRow[ni] = st;
      sellRow[ni] = st.sellable;
    }
    stock.push(stockRow);
    sellable.push(sellRow);
  }

  const reason: (ExclusionReason | undefined)[][] = [];
  const avail: number[][] = [];
  const canServe = new Array<boolean>(facts.length).fill(false);
  order.lines.forEach((line, li) => {
    const triggered = exclusionsFor(line, ruleset.exclusions);
    const s = lineSku[li] ?? 0;
    const stockRow = stock[s] ?? [];
    const sellRow = sellable[s] ?? [];
    const reasons = new Array<ExclusionReason | undefined>(facts.length);
    const avails = new Array<number>(facts.length);
    for (let ni = 0; ni < facts.length; ni++) {
      const f = facts[ni] as NodeFacts;
      const r =
        f.excluded ??
        (triggered.length > 0 ? skuExclusion(f.node, triggered) : undefined) ??
        stockExclusion(stockRow[ni], ruleset.inventory.staleMode);
      reasons[ni] = r;
      avails[ni] = r === undefined ? (sellRow[ni] ?? 0) : 0;
      if (r === undefined) canServe[ni] = true;
    }
    reason.push(reasons);
    avail.push(avails);
  });
  const usable: number[] = [];
  for (let ni = 0; ni < facts.length; ni++) if (canServe[ni] === true) usable.push(ni);

  const split = ruleset.split;
  return {
    ruleset,
    objectives: ruleset.objectives,
    scoring: ruleset.scoring,
    nodes: facts,
    lines: order.lines,
    quantities: order.lines.map((l) => (Number.isFinite(l.quantity) && l.quantity > 0 ? Math.floor(l.quantity) : 0)),
    lineSku,
    stock,
    sellable,
    reason,
    avail,
    usable,
    pickup,
    pickupStoreKnown: namedStore !== undefined,
    // A pickup is collected in one place: it never splits.
    canSplit: !pickup && split.allowed && split.maxShipments > 1,
    maxShipments: !pickup && split.allowed ? split.maxShipments : 1,
    lineSplit: lineSplitAllowed(split),
    shipComplete: split.mode === 'ship_complete',
  };
}

/**
 * held[sku][node]: the order's SKUs' positions at known nodes; the rest of `positions` is ignored.
 * A duplicate (node, sku) resolves the same whatever the input order.
 */
function indexPositions(
  positions: readonly Position[],
  skuIndex: ReadonlyMap<string, number>,
  nodeIndex: ReadonlyMap<string, number>,
  nodeCount: number,
): (Position | undefined)[][] {
  const held: (Position | undefined)[][] = [];
  for (let s = 0; s < skuIndex.size; s++) held.push(new Array<Position | undefined>(nodeCount));
  for (const p of positions) {
    const s = skuIndex.get(p.sku);
    if (s === undefined) continue;
    const ni = nodeIndex.get(p.nodeId);
    const row = held[s];
    if (ni === undefined || row === undefined) continue;
    const prior = row[ni];
    row[ni] = prior === undefined ? p : preferred(prior, p);
  }
  return held;
}

// The newer count wins; between equals, the one promising less, so a duplicate never oversells.
function preferred(a: Position, b: Position): Position {
  const ta = asOfMs(a);
  const tb = asOfMs(b);
  if (ta !== tb) return ta > tb ? a : b;
  const fa = a.onHand - a.reserved;
  const fb = b.onHand - b.reserved;
  if (fa !== fb) return fa < fb ? a : b;
  return a.reserved >= b.reserved ? a : b;
}

function asOfMs(p: Position): number {
  const t = p.asOf === null ? NaN : Date.parse(p.asOf);
  return Number.isNaN(t) ? -Infinity : t;
}
