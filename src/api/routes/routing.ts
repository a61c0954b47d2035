import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { whatIf } from '../../app/whatIf.js';
import type { Ruleset } from '../../routing/index.js';
import { parseRuleset, route, summarizeDiffs } from '../../routing/index.js';
import type { DecisionDiff } from '../../routing/index.js';
import type { ApiDeps } from '../context.js';
import { commandContext, idempotentAction, idempotentCommand, ifMatchVersion, requireScope } from '../context.js';
import { ProblemError, fromDomainError } from '../problem.js';
import { OrderIdParam, PlaceOrderSchema, parse } from '../schemas.js';

const VersionParam = z.object({ version: z.coerce.number().int().min(1) });
const SimulateSchema = z.object({ order: PlaceOrderSchema, rulesetVersion: z.int().min(0).optional() });
const WhatIfSchema = z.object({ from: z.iso.datetime({ offset: true }).optional(), to: z.iso.datetime({ offset: true }).optional(), limit: z.int().min(1).max(1_000_000).optional() });
const RerouteSchema = z.object({ nodeIds: z.array(z.string().min(1).max(128)).min(1).max(100).optional(), reason: z.string().min(1).max(64).default('reroute') });

/** Routing decisions and their explanations, simulation, rulesets (versions, activation, shadow, what-if). */
export function routingRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/v1/orders/:id/routing', { config: { doc: { summary: 'The routing decision explained: ruleset version, assignments, backorders, every candidate node per line', scope: 'orders:read' } } }, async (req) => {
    requireScope(req, 'orders:read');
    const { id } = parse(OrderIdParam, req.params, 'path');
    if (!(await deps.orders.get(id))) throw new ProblemError('not_found', `No order ${id}`);
    const records = await deps.store.listDecisions({ orderId: id });
    const live = records.filter((r) => r.kind === 'live');
    const latest = live.at(-1);
    const shadow = latest && records.find((r) => r.kind === 'shadow' && r.decisionId === latest.decisionId);
    return {
      orderId: id,
      ...(latest ? { decisionId: latest.decisionId, decidedAt: latest.createdAt, ...(latest.decision as object) } : { decisionId: null }),
      ...(shadow ? { shadow: shadow.decision } : {}),
      history: live.map((r) => ({ decisionId: r.decisionId, rulesetVersion: r.rulesetVersion, decidedAt: r.createdAt })),
    };
  });

  app.post('/v1/orders/:id/reroute', { config: { doc: { summary: 'Take back what nodes hold (unshipped) and route it elsewhere', scope: 'orders:write', body: RerouteSchema, returnsOrder: true, ifMatch: true } } }, async (req, reply) =>
    idempotentCommand(deps, req, reply, 'orders:write', (identity, idempotency) => {
      const { id } = parse(OrderIdParam, req.params, 'path');
      const body = parse(RerouteSchema, req.body ?? {});
      const expectedVersion = ifMatchVersion(req);
      return deps.orders.reroute(id, { reason: body.reason, ...(body.nodeIds ? { nodeIds: body.nodeIds } : {}) }, commandContext(req, identity), {
        idempotency,
        ...(expectedVersion !== undefined ? { expectedVersion } : {}),
      });
    }),
  );

  app.post('/v1/routing/simulate', { config: { doc: { summary: 'The decision routing would make now (writes nothing)', scope: 'orders:read', body: SimulateSchema, idempotencyKey: 'none' } } }, async (req) => {
    requireScope(req, 'orders:read');
    const body = parse(SimulateSchema, req.body);
    const now = deps.clock.now();
    const { ruleset, version } = await rulesetFor(deps, body.rulesetVersion);
    const order = body.order;
    const snap = await deps.routing.snapshot(order.lines.map((l) => l.sku), now);
    return route({
      order: { channel: order.channel, fulfillment: order.fulfillment, ...(order.shipTo ? { shipTo: order.shipTo } : {}), lines: order.lines },
      nodes: snap.nodes,
      positions: snap.positions,
      ruleset,
      rulesetVersion: version,
      now,
      capacityUsed: snap.capacityUsed,
    });
  });

  app.post('/v1/rulesets', { config: { doc: { summary: 'A new ruleset version (JSON or YAML), validated', scope: 'admin', ok: 201, body: { contents: { 'application/json': { type: 'object', description: 'a ruleset document (docs/routing.md)' }, 'application/yaml': { type: 'string' } } } } } }, async (req, reply) =>
    idempotentAction(deps, req, reply, 'admin', async () => {
      const parsed = parseRuleset(req.body);
      if (!parsed.ok) throw fromDomainError(parsed.error);
      const record = await deps.store.createRuleset(parsed.value.name, parsed.value, deps.clock.now());
      return { status: 201, body: record };
    }),
  );

  app.get('/v1/rulesets', { config: { doc: { summary: 'Ruleset versions and their status', scope: 'orders:read', okDescription: '{ items }' } } }, async (req) => {
    requireScope(req, 'orders:read');
    return { items: await deps.store.listRulesets(), nextCursor: null };
  });

  for (const [action, status] of [['activate', 'active'], ['shadow', 'shadow'], ['retire', 'retired']] as const) {
    app.post(`/v1/rulesets/:version/${action}`, { config: { doc: { summary: `Make a ruleset version ${status}`, scope: 'admin' } } }, async (req, reply) =>
      idempotentAction(deps, req, reply, 'admin', async () => {
        const { version } = parse(VersionParam, req.params, 'path');
        const record = await deps.store.setRulesetStatus(version, status, deps.clock.now());
        if (!record) throw new ProblemError('not_found', `No ruleset version ${version}`);
        deps.routing.invalidate();
        return { status: 200, body: record };
      }),
    );
  }

  app.get('/v1/rulesets/:version/shadow-report', { config: { doc: { summary: 'How a shadow ruleset’s decisions differ from the live ones', scope: 'orders:read' } } }, async (req) => {
    requireScope(req, 'orders:read');
    const { version } = parse(VersionParam, req.params, 'path');
    const diffs: DecisionDiff[] = [];
    let afterId: string | undefined;
    for (;;) {
      const page = await deps.store.listDecisions({ rulesetVersion: version, kind: 'shadow', limit: 1000, ...(afterId ? { afterId } : {}) });
      for (const r of page) diffs.push((r.decision as { diff: DecisionDiff }).diff);
      if (page.length < 1000) break;
      afterId = page.at(-1)!.decisionId;
    }
    return { rulesetVersion: version, ...summarizeDiffs(diffs) };
  });

  app.post('/v1/rulesets/:version/what-if', { config: { doc: { summary: 'Replay a ruleset over stored orders: split rate, distance, cost, backorders', scope: 'orders:read', body: WhatIfSchema, idempotencyKey: 'none' } } }, async (req) => {
    requireScope(req, 'orders:read');
    const { version } = parse(VersionParam, req.params, 'path');
    const body = parse(WhatIfSchema, req.body ?? {});
    const candidate = await rulesetFor(deps, version);
    const report = await whatIf(deps.store, await deps.routing.nodes(), candidate, body);
    return { rulesetVersion: version, ...report };
  });
}

async function rulesetFor(deps: ApiDeps, version: number | undefined): Promise<{ ruleset: Ruleset; version: number }> {
  if (version === undefined) return (await deps.routing.rules()).active;
  const record = (await deps.store.listRulesets()).find((r) => r.version === version);
  if (!record) throw new ProblemError('not_found', `No ruleset version ${version}`);
  return { ruleset: record.doc as Ruleset, version: record.version };
}

