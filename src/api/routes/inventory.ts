import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { sellable } from '../../inventory/sellable.js';
import { parseRoutingNode } from '../../routing/index.js';
import type { ApiDeps } from '../context.js';
import { commandContext, idempotentAction, requireScope } from '../context.js';
import { ProblemError, fromDomainError } from '../problem.js';
import { parse } from '../schemas.js';

const id = z.string().min(1).max(128);
const SnapshotSchema = z
  .object({
    nodeId: id,
    asOf: z.iso.datetime({ offset: true }),
    positions: z.array(z.object({ sku: id, onHand: z.int().min(0).max(1_000_000_000) })).min(1).max(50_000),
  })
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.positions.forEach((p, i) => {
      if (seen.has(p.sku)) ctx.addIssue({ code: 'custom', path: ['positions', i, 'sku'], message: `duplicate sku ${p.sku}` });
      seen.add(p.sku);
    });
  });
const AdjustmentSchema = z.object({
  nodeId: id,
  sku: id,
  delta: z.int().min(-1_000_000_000).max(1_000_000_000).refine((d) => d !== 0, 'must not be 0'),
  reason: z.string().min(1).max(64),
  sourceId: z.string().min(1).max(255),
});
const InventoryQuery = z.object({ sku: id.optional(), nodeId: id.optional() });

/** Nodes and inventory positions (DESIGN §3): configuration and the on-hand truth from systems of record. */
export function inventoryRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.put('/v1/nodes/:id', { config: { doc: { summary: 'Create or replace a node (docs/routing.md)', scope: 'admin', body: { contents: { 'application/json': { type: 'object', description: 'the node document: type, location, capabilities, shipMethods, dailyCapacity, status, connector, priority, cost, channels' } } } } } }, async (req, reply) =>
    idempotentAction(deps, req, reply, 'admin', async () => {
      const { id: nodeId } = parse(z.object({ id }), req.params, 'path');
      const node = parseRoutingNode(nodeId, req.body);
      if (!node.ok) throw fromDomainError(node.error);
      await deps.store.putNode({ id: nodeId, doc: node.value, updatedAt: deps.clock.now() });
      deps.routing.invalidate();
      return { status: 200, body: node.value };
    }),
  );

  app.get('/v1/nodes', { config: { doc: { summary: 'Nodes', scope: 'orders:read', okDescription: '{ items }' } } }, async (req) => {
    requireScope(req, 'orders:read');
    return { items: (await deps.store.listNodes()).map((r) => r.doc), nextCursor: null };
  });

  app.post('/v1/inventory/snapshots', { config: { doc: { summary: 'On-hand from a node’s system of record (an older asOf is ignored and counted)', scope: 'inventory:write', body: SnapshotSchema } } }, async (req, reply) =>
    idempotentAction(deps, req, reply, 'inventory:write', async (identity) => {
      const body = parse(SnapshotSchema, req.body);
      await requireNode(deps, body.nodeId);
      const result = await deps.inventory.applySnapshot(body.nodeId, body.asOf, body.positions, commandContext(req, identity));
      if (result.ignored > 0) deps.metrics.snapshotsIgnored.inc(result.ignored);
      return { status: 200, body: { nodeId: body.nodeId, asOf: body.asOf, ...result } };
    }),
  );

  app.post('/v1/inventory/adjustments', { config: { doc: { summary: 'An on-hand change, once per sourceId', scope: 'inventory:write', body: AdjustmentSchema } } }, async (req, reply) =>
    idempotentAction(deps, req, reply, 'inventory:write', async (identity) => {
      const body = parse(AdjustmentSchema, req.body);
      await requireNode(deps, body.nodeId);
      const result = await deps.inventory.applyAdjustment({ ...body, at: deps.clock.now() }, commandContext(req, identity));
      return { status: 200, body: { ...body, ...result } };
    }),
  );

  app.get('/v1/inventory', { config: { doc: { summary: 'Positions: onHand, reserved, safety stock, sellable', scope: 'orders:read', query: InventoryQuery, okDescription: '{ items }' } } }, async (req) => {
    requireScope(req, 'orders:read');
    const q = parse(InventoryQuery, req.query, 'query');
    const [rows, nodes, rules] = await Promise.all([
      deps.store.listPositions({ ...(q.nodeId ? { nodeId: q.nodeId } : {}), ...(q.sku ? { skus: [q.sku] } : {}) }),
      deps.routing.nodes(),
      deps.routing.rules(),
    ]);
    const now = deps.clock.now();
    return {
      items: rows.map((p) => {
        const node = nodes.find((n) => n.id === p.nodeId) ?? { id: p.nodeId, type: 'unknown' };
        const s = sellable(p, node, rules.active.ruleset, now);
        return { nodeId: p.nodeId, sku: p.sku, onHand: p.onHand, reserved: p.reserved, safetyStock: s.safetyStock, sellable: s.sellable, stale: s.stale, asOf: p.asOf };
      }),
      nextCursor: null,
    };
  });
}

async function requireNode(deps: ApiDeps, nodeId: string): Promise<void> {
  if (!(await deps.inventory.requireNode(nodeId))) throw new ProblemError('not_found', `No node ${nodeId}; create it with PUT /v1/nodes/${nodeId}`);
}
