import { buildContext } from './context.js';
import type { Assignment, Backorder, RoutingDecision } from './decision.js';
import { backorderReason, explainLines } from './explain.js';
import type { RoutingInput } from './input.js';
import { toScore } from './objectives.js';
import { choosePlan } from './planners.js';

/** The routing policy port: plain data in, an explained decision out. `route` is the default. */
export type RoutingPolicy = (input: RoutingInput) => RoutingDecision;

/**
 * Decide where each line of an order is fulfilled (DESIGN §7): eligibility filters, single-node
 * plans before splits, objectives from the ruleset, backorders for what no node can serve, and an
 * explanation naming every node for every line. Pure and deterministic: node and position order in
 * the input do not matter, ties go to the lower node id.
 */
export const route: RoutingPolicy = (input) => {
  const ctx = buildContext(input);
  const { plan, kind, plansConsidered } = choosePlan(ctx);

  const assignments: Assignment[] = [...plan.shipments]
    .sort((a, b) => a.node - b.node)
    .map((s) => ({
      nodeId: ctx.nodes[s.node]?.node.id ?? '',
      lines: ctx.lines.flatMap((line, li) => {
        const quantity = s.qty[li] ?? 0;
        return quantity > 0 ? [{ lineId: line.lineId, sku: line.sku, quantity }] : [];
      }),
    }));
  const backorders: Backorder[] = ctx.lines.flatMap((line, li) => {
    const quantity = plan.need[li] ?? 0;
    return quantity > 0 ? [{ lineId: line.lineId, sku: line.sku, quantity, reason: backorderReason(ctx, plan, li) }] : [];
  });
  const backorderedUnits = backorders.reduce((n, b) => n + b.quantity, 0);

  return {
    rulesetVersion: input.rulesetVersion,
    assignments,
    backorders,
    lines: explainLines(ctx, plan),
    summary: {
      shipments: plan.shipments.length,
      split: plan.shipments.length > 1,
      distanceKm: plan.metrics.distanceKm,
      cost: plan.metrics.cost,
      backorderedUnits,
    },
    plan: {
      kind,
      plansConsidered,
      unitsServed: plan.unitsServed,
      ...(plan.shipments.length > 0 ? { score: toScore(ctx.objectives, ctx.scoring, plan, 1) } : {}),
    },
  };
};
