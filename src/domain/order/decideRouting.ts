import type { BucketMove } from './buckets.js';
import type { OrderCommand } from './commands.js';
import type { OrderEvent, ReservationHeld, ReservationRelease } from './events.js';
import type { Order } from './state.js';
import type { FieldError, Result } from '../result.js';
import { illegal, invalid, ok } from '../result.js';

type RouteOrder = Extract<OrderCommand, { type: 'RouteOrder' }>;
type ReleaseAllocation = Extract<OrderCommand, { type: 'ReleaseAllocation' }>;

/** The order id without its prefix: fulfillment and reservation ids derive from it deterministically. */
const base = (orderId: string): string => orderId.replace(/^ord_/, '');

/**
 * Applies a routing decision: assigned units move to `allocated` (unallocated first, then
 * backordered) in new fulfillments with a reservation per line; unassigned unallocated units move
 * to `backordered`. Ids are derived from the order id and a sequence, so replaying gives the same.
 */
export function decideRoute(order: Order, command: RouteOrder): Result<readonly OrderEvent[]> {
  const { decision } = command;
  const errors: FieldError[] = [];
  const assigned = new Map<string, number>();
  decision.assignments.forEach((a, ai) => {
    // A line twice in one fulfillment would get two reservations with the same derived id.
    const seen = new Set<string>();
    a.lines.forEach((l, li) => {
      const line = order.lines.find((x) => x.lineId === l.lineId);
      const path = `decision.assignments[${ai}].lines[${li}]`;
      if (!line || line.sku !== l.sku) errors.push({ path, message: `no line ${l.lineId} with sku ${l.sku}` });
      else if (seen.has(l.lineId)) errors.push({ path, message: `duplicate lineId ${l.lineId} in one assignment` });
      else if (!Number.isInteger(l.quantity) || l.quantity < 1) errors.push({ path, message: 'quantity must be a whole number ≥ 1' });
      else assigned.set(l.lineId, (assigned.get(l.lineId) ?? 0) + l.quantity);
      seen.add(l.lineId);
    });
  });
  for (const [lineId, q] of assigned) {
    const b = order.lines.find((l) => l.lineId === lineId)!.buckets;
    if (q > b.unallocated + b.backordered) errors.push({ path: 'decision.assignments', message: `line ${lineId}: ${q} assigned but only ${b.unallocated + b.backordered} routable` });
  }
  if (errors.length > 0) return invalid('the routing decision does not fit the order', errors);

  const moves: BucketMove[] = [];
  const backorders: (OrderEvent & { type: 'OrderRouted' })['data']['backorders'][number][] = [];
  for (const line of order.lines) {
    let left = assigned.get(line.lineId) ?? 0;
    const fromUnallocated = Math.min(left, line.buckets.unallocated);
    if (fromUnallocated > 0) moves.push({ lineId: line.lineId, from: 'unallocated', to: 'allocated', quantity: fromUnallocated });
    left -= fromUnallocated;
    if (left > 0) moves.push({ lineId: line.lineId, from: 'backordered', to: 'allocated', quantity: left });
    const stillUnallocated = line.buckets.unallocated - fromUnallocated;
    if (stillUnallocated > 0) {
      moves.push({ lineId: line.lineId, from: 'unallocated', to: 'backordered', quantity: stillUnallocated });
      const reason = decision.backorders.find((b) => b.lineId === line.lineId)?.reason ?? 'no_stock';
      backorders.push({ lineId: line.lineId, sku: line.sku, quantity: stillUnallocated, reason });
    }
  }
  if (moves.length === 0) return illegal('nothing is left to route');

  const fulfillments = decision.assignments
    .filter((a) => a.lines.length > 0)
    .map((a, i) => ({ fulfillmentId: `ful_${base(order.id)}-${order.fulfillments.length + i + 1}`, nodeId: a.nodeId, lines: a.lines.map((l) => ({ ...l })) }));
  const reservations: ReservationHeld[] = fulfillments.flatMap((f) =>
    f.lines.map((l) => ({
      reservationId: `rsv_${f.fulfillmentId.slice(4)}-${order.lines.findIndex((x) => x.lineId === l.lineId) + 1}`,
      fulfillmentId: f.fulfillmentId,
      nodeId: f.nodeId,
      lineId: l.lineId,
      sku: l.sku,
      quantity: l.quantity,
    })),
  );
  return ok([
    { type: 'OrderRouted', data: { decisionId: decision.decisionId, rulesetVersion: decision.rulesetVersion, fulfillments, reservations, backorders, moves } },
  ]);
}

/**
 * Hands allocated quantity at the given nodes (all, if none given) back to `unallocated`. Only
 * fulfillments not yet released: released units are the node's until it rejects or cancels them.
 */
export function decideReleaseAllocation(order: Order, command: ReleaseAllocation): Result<readonly OrderEvent[]> {
  const nodes = command.nodeIds;
  const unreleased = new Set(order.fulfillments.filter((f) => f.stage === 'allocated').map((f) => f.id));
  const held = order.reservations.filter((r) => unreleased.has(r.fulfillmentId) && (!nodes || nodes.includes(r.nodeId)));
  if (held.length === 0) return illegal(nodes ? `nothing is allocated at ${nodes.join(', ')}` : 'nothing is allocated');
  const perLine = new Map<string, number>();
  for (const r of held) perLine.set(r.lineId, (perLine.get(r.lineId) ?? 0) + r.quantity);
  const moves: BucketMove[] = [...perLine].map(([lineId, quantity]) => ({ lineId, from: 'allocated', to: 'unallocated', quantity }));
  return ok([
    {
      type: 'AllocationReleased',
      data: { reason: command.reason, nodeIds: [...new Set(held.map((r) => r.nodeId))].sort(), moves, releases: held.map(toRelease) },
    },
  ]);
}

const toRelease = (r: ReservationHeld): ReservationRelease => ({ reservationId: r.reservationId, nodeId: r.nodeId, sku: r.sku, quantity: r.quantity });
