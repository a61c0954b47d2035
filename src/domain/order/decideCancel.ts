import type { BucketMove } from './buckets.js';
import { CANCELLABLE_BEFORE_RELEASE } from './buckets.js';
import type { NodeCancelCapability, OrderCommand } from './commands.js';
import type { OrderEvent, ReservationRelease, ShipmentLine } from './events.js';
import type { Fulfillment } from './fulfillment.js';
import { openQuantity } from './fulfillment.js';
import type { Order } from './state.js';
import type { FieldError, Result } from '../result.js';
import { illegal, invalid, ok } from '../result.js';

type CancelOrder = Extract<OrderCommand, { type: 'CancelOrder' }>;

/**
 * Cancellation as a saga (issue 5 §3). Units not yet released are cancelled at once (their
 * reservations released); released units are asked of their node — a `CancellationRequested`
 * per fulfillment, answered later by a cancellation-result fact — or, where the node cannot
 * cancel (or cannot cancel part of a fulfillment), handed to a human through an exception.
 * Least-committed quantity goes first: unallocated, backordered, allocated, then released.
 */
export function decideCancel(order: Order, command: CancelOrder): Result<readonly OrderEvent[]> {
  const wanted = command.lines ?? order.lines.map((l) => ({ lineId: l.lineId, quantity: cancellableBeforeRelease(l.buckets) + askable(order, l.lineId) }));
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  wanted.forEach((w, i) => {
    const line = order.lines.find((l) => l.lineId === w.lineId);
    if (!line) errors.push({ path: `lines[${i}].lineId`, message: `the order has no line ${w.lineId}` });
    // Each entry is checked against the line alone, so a repeat could over-draw it and corrupt the stream.
    else if (seen.has(w.lineId)) errors.push({ path: `lines[${i}].lineId`, message: `duplicate lineId ${w.lineId}` });
    else if (command.lines && (!Number.isInteger(w.quantity) || w.quantity < 1)) errors.push({ path: `lines[${i}].quantity`, message: 'must be a whole number ≥ 1' });
    seen.add(w.lineId);
  });
  if (errors.length > 0) return invalid('the cancellation is not valid', errors);

  const moves: BucketMove[] = [];
  const releases: ReservationRelease[] = [];
  const asks = new Map<string, ShipmentLine[]>(); // fulfillmentId → units to ask the node for
  for (const w of wanted) {
    const line = order.lines.find((l) => l.lineId === w.lineId)!;
    const before = cancellableBeforeRelease(line.buckets);
    const released = askable(order, line.lineId);
    if (command.lines && w.quantity > before + released) {
      return illegal(`line ${w.lineId}: ${w.quantity} requested but only ${before + released} can be cancelled (the rest has shipped or is already being cancelled)`);
    }
    const now = Math.min(w.quantity, before);
    const taken = takeBeforeRelease(line.lineId, line.buckets, now);
    moves.push(...taken);
    const fromAllocated = taken.find((m) => m.from === 'allocated')?.quantity ?? 0;
    if (fromAllocated > 0) releases.push(...releasesFor(order, line.lineId, fromAllocated));
    let ask = w.quantity - now;
    // Newest fulfillment first, as with reservations: the last decision is the least committed.
    for (const f of [...order.fulfillments].reverse()) {
      if (ask === 0) break;
      const fl = f.lines.find((l) => l.lineId === line.lineId);
      if (!fl) continue;
      const q = Math.min(ask, askableIn(f, line.lineId));
      if (q <= 0) continue;
      asks.set(f.id, [...(asks.get(f.id) ?? []), { lineId: line.lineId, sku: line.sku, quantity: q }]);
      ask -= q;
    }
  }

  const events: OrderEvent[] = [];
  if (moves.length > 0) {
    events.push({
      type: 'OrderCancelled',
      data: { reason: command.reason, scope: command.lines ? 'lines' : 'order', moves, ...(releases.length > 0 ? { releases } : {}) },
    });
  }
  let manual = 0;
  for (const [fulfillmentId, lines] of asks) {
    const f = order.fulfillments.find((x) => x.id === fulfillmentId)!;
    const whole = f.lines.every((fl) => askableIn(f, fl.lineId) === (lines.find((l) => l.lineId === fl.lineId)?.quantity ?? 0));
    const can: NodeCancelCapability | undefined = command.nodes?.[f.nodeId];
    const byNode = can !== undefined && can.cancel && (whole || can.partialCancel);
    const exceptionId = byNode ? undefined : `${command.exceptionId ?? `exc_${fulfillmentId.slice(4)}-cancel`}-${++manual}`;
    events.push({
      type: 'CancellationRequested',
      data: { fulfillmentId, nodeId: f.nodeId, lines, reason: command.reason, mode: byNode ? 'node' : 'manual', at: command.now, ...(exceptionId ? { exceptionId } : {}) },
    });
  }
  if (events.length === 0) return illegal('nothing is left to cancel: every unit has shipped, is cancelled or is already being cancelled');
  return ok(events);
}

const cancellableBeforeRelease = (b: Readonly<Record<string, number>>): number => CANCELLABLE_BEFORE_RELEASE.reduce((s, k) => s + (b[k] ?? 0), 0);

/** Released units of a line at one fulfillment that are neither shipped nor already asked to be cancelled. */
function askableIn(f: Fulfillment, lineId: string): number {
  if (f.stage === 'allocated' || f.rejected !== undefined) return 0;
  const fl = f.lines.find((l) => l.lineId === lineId);
  if (!fl) return 0;
  const requested = f.cancelRequest?.lines.find((l) => l.lineId === lineId)?.quantity ?? 0;
  return Math.max(0, openQuantity(fl) - requested);
}

const askable = (order: Order, lineId: string): number => order.fulfillments.reduce((s, f) => s + askableIn(f, lineId), 0);

/** Least-committed quantity first: unallocated, then backordered, then allocated. */
function takeBeforeRelease(lineId: string, b: Readonly<Record<string, number>>, quantity: number): BucketMove[] {
  const moves: BucketMove[] = [];
  let left = quantity;
  for (const from of CANCELLABLE_BEFORE_RELEASE) {
    const take = Math.min(left, b[from] ?? 0);
    if (take > 0) moves.push({ lineId, from, to: 'cancelled', quantity: take });
    left -= take;
  }
  return moves;
}

/**
 * Reservations to give back when `quantity` allocated (not yet released) units of a line are
 * cancelled or handed back: newest first, and only those of fulfillments still at `allocated`.
 */
export function releasesFor(order: Order, lineId: string, quantity: number): ReservationRelease[] {
  const unreleased = new Set(order.fulfillments.filter((f) => f.stage === 'allocated').map((f) => f.id));
  const out: ReservationRelease[] = [];
  let left = quantity;
  for (const r of [...order.reservations].reverse()) {
    if (left === 0) break;
    if (r.lineId !== lineId || !unreleased.has(r.fulfillmentId)) continue;
    const q = Math.min(left, r.quantity);
    out.push({ reservationId: r.reservationId, nodeId: r.nodeId, sku: r.sku, quantity: q });
    left -= q;
  }
  return out;
}

/**
 * A released fulfillment handed back, by its node (rejected) or by Orderly (withdrawn): its open
 * units go back to `unallocated` to be routed again — except those a cancellation awaited from the
 * node asked for, which are cancelled (the customer asked; routing them elsewhere would ship them).
 */
export function handBack(order: Order, f: Fulfillment): { moves: BucketMove[]; releases: ReservationRelease[] } {
  const lines = f.lines.filter((l) => openQuantity(l) > 0).map((l) => ({ lineId: l.lineId, quantity: openQuantity(l) }));
  const moves = lines.flatMap((l): BucketMove[] => {
    const asked = Math.min(l.quantity, f.cancelRequest?.lines.find((x) => x.lineId === l.lineId)?.quantity ?? 0);
    return [
      ...(asked > 0 ? [{ lineId: l.lineId, from: 'released' as const, to: 'cancelled' as const, quantity: asked }] : []),
      ...(l.quantity > asked ? [{ lineId: l.lineId, from: 'released' as const, to: 'unallocated' as const, quantity: l.quantity - asked }] : []),
    ];
  });
  return { moves, releases: reservationsOf(order, f.id, lines) };
}

/** Reservations held for the given units of one fulfillment (released or committed as they go). */
export function reservationsOf(order: Order, fulfillmentId: string, lines: readonly { lineId: string; quantity: number }[]): ReservationRelease[] {
  const out: ReservationRelease[] = [];
  for (const l of lines) {
    let left = l.quantity;
    for (const r of order.reservations) {
      if (left === 0) break;
      if (r.fulfillmentId !== fulfillmentId || r.lineId !== l.lineId) continue;
      const q = Math.min(left, r.quantity);
      out.push({ reservationId: r.reservationId, nodeId: r.nodeId, sku: r.sku, quantity: q });
      left -= q;
    }
  }
  return out;
}
