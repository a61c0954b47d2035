import type { Store } from '../store/port.js';
import type { CommandContext, OrderService } from './orderService.js';
import type { RoutingContext } from './routingContext.js';

/**
 * On-hand truth from systems of record (snapshots, adjustments) and what it sets off: forgetting
 * the positions routing read, and routing again the orders backordered on SKUs that got stock.
 * The API's inventory endpoints and the connectors' inbound side both come through here.
 */
export function createInventoryService(deps: { store: Store; orders: OrderService; routing: RoutingContext }) {
  const { store, orders, routing } = deps;

  const requireNode = async (nodeId: string): Promise<boolean> => (await routing.nodes()).some((n) => n.id === nodeId) || (await store.listNodes()).some((n) => n.id === nodeId);

  /** Stock arrived: route again the orders backordered on these SKUs (oldest first, bounded). */
  const retryBackorders = async (skus: readonly string[], ctx: CommandContext): Promise<number> => {
    let moved = 0;
    for (const orderId of await store.backorderedOrders(skus, 500)) {
      const outcome = await orders.retryBackorders(orderId, { ...ctx, causationId: ctx.correlationId });
      if (outcome.kind === 'ok') moved++;
    }
    return moved;
  };

  return {
    requireNode,
    retryBackorders,
    async applySnapshot(nodeId: string, asOf: string, positions: readonly { sku: string; onHand: number }[], ctx: CommandContext) {
      const result = await store.applySnapshot(nodeId, asOf, positions);
      routing.invalidatePositions(positions.map((p) => p.sku));
      const backordersRetried = result.applied > 0 ? await retryBackorders(positions.map((p) => p.sku), ctx) : 0;
      return { ...result, backordersRetried };
    },
    async applyAdjustment(adj: { nodeId: string; sku: string; delta: number; reason: string; sourceId: string; at: string }, ctx: CommandContext) {
      const status = await store.applyAdjustment(adj);
      routing.invalidatePositions([adj.sku]);
      const backordersRetried = status === 'applied' && adj.delta > 0 ? await retryBackorders([adj.sku], ctx) : 0;
      return { status, backordersRetried };
    },
  };
}

export type InventoryService = ReturnType<typeof createInventoryService>;
