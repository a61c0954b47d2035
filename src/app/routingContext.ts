import type { Order } from '../domain/order/index.js';
import type { RouteDecisionInput } from '../domain/order/commands.js';
import { safetyStockFor } from '../inventory/safetyStock.js';
import type { RoutingDecision, RoutingInput, RoutingNode, RoutingOrder, Ruleset } from '../routing/index.js';
import { DEFAULT_RULESET, diffDecisions, route } from '../routing/index.js';
import type { DecisionRecord, PositionRow, Store } from '../store/port.js';
import type { IdGenerator } from './ids.js';

export interface ActiveRules {
  readonly active: { readonly version: number; readonly ruleset: Ruleset };
  readonly shadow?: { readonly version: number; readonly ruleset: Ruleset };
}

/** What one routing needs besides the order: nodes, rules, positions and today's capacity use. */
export interface RoutingSnapshot extends ActiveRules {
  readonly nodes: readonly RoutingNode[];
  readonly positions: RoutingInput['positions'];
  readonly capacityUsed: Readonly<Record<string, number>>;
}

export interface PlannedRoute {
  readonly command: { readonly type: 'RouteOrder'; readonly decision: RouteDecisionInput };
  readonly decision: RoutingDecision;
  readonly records: DecisionRecord[];
  readonly ruleset: Ruleset;
  readonly nodes: readonly RoutingNode[];
}

const CONFIG_TTL_MS = 1000;
/**
 * Positions read for a decision may be reused for this long. A stale view cannot oversell (the
 * reservation is a conditional update; a unit refused for stock is decided again on fresh
 * positions) and cannot strand an order (a plan that backorders anything is made again on fresh
 * positions); it can only pick a slightly less preferred node for a few milliseconds.
 */
const POSITIONS_TTL_MS = 100;

/**
 * Loads what routing reads, and turns an order into a RouteOrder command with its explanation
 * (live, plus the shadow ruleset's, if one is set). Nodes and rulesets change rarely and are cached
 * for a second; positions through a view of at most POSITIONS_TTL_MS, re-read whenever it could mislead.
 */
export function createRoutingContext(deps: { store: Store; newId: IdGenerator }) {
  const { store, newId } = deps;
  let cache: { at: number; nodes: RoutingNode[]; rules: ActiveRules } | undefined;
  // Connectors whose circuit breaker is open: their open nodes route as `degraded` (less preferred).
  let degraded: ReadonlySet<string> = new Set();
  const withHealth = (n: RoutingNode): RoutingNode => (n.status === 'open' && n.connector !== undefined && degraded.has(n.connector) ? { ...n, status: 'degraded' } : n);

  const config = async () => {
    if (cache && Date.now() - cache.at < CONFIG_TTL_MS) return cache;
    const [nodeRows, rulesets] = await Promise.all([store.listNodes(), store.listRulesets()]);
    const active = rulesets.find((r) => r.status === 'active');
    const shadow = rulesets.find((r) => r.status === 'shadow');
    cache = {
      at: Date.now(),
      nodes: nodeRows.map((n) => withHealth(n.doc as RoutingNode)),
      rules: {
        active: active ? { version: active.version, ruleset: active.doc as Ruleset } : { version: 0, ruleset: DEFAULT_RULESET },
        ...(shadow ? { shadow: { version: shadow.version, ruleset: shadow.doc as Ruleset } } : {}),
      },
    };
    return cache;
  };

  // Entries hold the read's promise, so orders decided together share one read (no stampede).
  const positionCache = new Map<string, { at: number; rows: Promise<PositionRow[]> }>();
  const positionsFor = async (skus: readonly string[], fresh: boolean): Promise<PositionRow[]> => {
    const t = Date.now();
    const wanted = [...new Set(skus)];
    const missing = fresh ? wanted : wanted.filter((sku) => !((positionCache.get(sku)?.at ?? -Infinity) > t - POSITIONS_TTL_MS));
    if (missing.length > 0) {
      const read = store.listPositions({ skus: missing });
      if (positionCache.size > 20_000) positionCache.clear();
      for (const sku of missing) positionCache.set(sku, { at: t, rows: read.then((rows) => rows.filter((r) => r.sku === sku)) });
      read.catch(() => missing.forEach((sku) => positionCache.delete(sku)));
    }
    return (await Promise.all(wanted.map((sku) => positionCache.get(sku)?.rows ?? []))).flat();
  };

  // Capacity is a soft daily limit: a second-old count is close enough, and saves a read per order.
  let capacity: { at: number; day: string; used: Readonly<Record<string, number>> } | undefined;
  const capacityFor = async (day: string, fresh: boolean) => {
    if (fresh || !capacity || capacity.day !== day || Date.now() - capacity.at > CONFIG_TTL_MS) {
      capacity = { at: Date.now(), day, used: await store.capacityUsed(day) };
    }
    return capacity.used;
  };

  const snapshot = async (skus: readonly string[], now: string, fresh = true): Promise<RoutingSnapshot> => {
    const c = await config();
    const [positions, capacityUsed] = await Promise.all([positionsFor(skus, fresh), capacityFor(now.slice(0, 10), fresh)]);
    return { nodes: c.nodes, positions, capacityUsed, ...c.rules };
  };

  return {
    invalidate() {
      cache = undefined;
      positionCache.clear();
    },
    /** The dispatcher's breakers changed: nodes behind these connectors are degraded until they close. */
    setDegradedConnectors(connectorIds: readonly string[]) {
      degraded = new Set(connectorIds);
      cache = undefined;
    },
    /** Stock changed here (snapshot, adjustment): forget what was read for these SKUs. */
    invalidatePositions(skus: readonly string[]) {
      for (const sku of skus) positionCache.delete(sku);
    },
    rules: async (): Promise<ActiveRules> => (await config()).rules,
    nodes: async (): Promise<readonly RoutingNode[]> => (await config()).nodes,
    snapshot,
    /**
     * Plans the routing of what is routable in `order` (unallocated + backordered units), or
     * undefined when no node is configured (routing off) or nothing is routable.
     */
    async plan(
      order: Order,
      now: string,
      options: { excludeNodeIds?: readonly string[]; unallocatedOnly?: boolean; fresh?: boolean } = {},
    ): Promise<PlannedRoute | undefined> {
      const lines = order.lines
        .map((l) => ({ lineId: l.lineId, sku: l.sku, quantity: l.buckets.unallocated + (options.unallocatedOnly ? 0 : l.buckets.backordered), ...(l.attributes ? { attributes: l.attributes } : {}) }))
        .filter((l) => l.quantity > 0);
      if (lines.length === 0) return undefined;
      const exclude = new Set(options.excludeNodeIds ?? []);
      const nodes = (await config()).nodes.filter((n) => !exclude.has(n.id));
      if (nodes.length === 0) return undefined; // routing is off until a node exists
      let snap = await snapshot(lines.map((l) => l.sku), now, options.fresh ?? false);
      const routingOrder: RoutingOrder = {
        channel: order.channel,
        fulfillment: order.fulfillment,
        ...(order.shipTo ? { shipTo: order.shipTo } : {}),
        lines,
      };
      let input: RoutingInput = {
        order: routingOrder,
        nodes,
        positions: snap.positions,
        ruleset: snap.active.ruleset,
        rulesetVersion: snap.active.version,
        now,
        capacityUsed: snap.capacityUsed,
      };
      let decision = route(input);
      if (decision.backorders.length > 0 && !options.fresh) {
        // Never backorder on a reused view of stock: decide again on positions read now.
        snap = await snapshot(lines.map((l) => l.sku), now, true);
        input = { ...input, positions: snap.positions, capacityUsed: snap.capacityUsed };
        decision = route(input);
      }
      const decisionId = newId('decision');
      const records: DecisionRecord[] = [
        { decisionId, orderId: order.id, kind: 'live', rulesetVersion: snap.active.version, createdAt: now, decision: { ...decision, decisionId, excludedNodeIds: [...exclude] } },
      ];
      if (snap.shadow) {
        const shadow = route({ ...input, ruleset: snap.shadow.ruleset, rulesetVersion: snap.shadow.version });
        records.push({
          decisionId, orderId: order.id, kind: 'shadow', rulesetVersion: snap.shadow.version, createdAt: now,
          decision: { ...shadow, decisionId, activeVersion: snap.active.version, diff: diffDecisions(decision, shadow) },
        });
      }
      return {
        command: {
          type: 'RouteOrder',
          decision: {
            decisionId,
            rulesetVersion: snap.active.version,
            assignments: decision.assignments,
            backorders: decision.backorders.map((b) => ({ lineId: b.lineId, sku: b.sku, quantity: b.quantity, reason: b.reason })),
          },
        },
        decision,
        records,
        ruleset: snap.active.ruleset,
        nodes,
      };
    },
  };
}

export type RoutingContext = ReturnType<typeof createRoutingContext>;

/** Safety stock the database must keep back when reserving at a node (the same rule routing used). */
export function safetyFor(ruleset: Ruleset, nodes: readonly RoutingNode[], nodeId: string, sku: string): number {
  const node = nodes.find((n) => n.id === nodeId);
  return node ? safetyStockFor(ruleset.safetyStock, node, sku) : 0;
}
