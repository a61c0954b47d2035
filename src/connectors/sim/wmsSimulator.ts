import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Fact, FactLine } from '../port.js';
import type { SimFaultsInput } from './faults.js';
import { randomFor } from './random.js';
import type { Delivery, ReportTarget } from './reporter.js';
import { createReporter } from './reporter.js';
import type { SimClock } from './simClock.js';
import { createSimClock } from './simClock.js';
import type { SimAnswer, SimCounters, SimRequest, Simulator } from './simCore.js';
import { createSimCore, invalidAnswer, refuseAnswer } from './simCore.js';
import type { Flow, WorkStatus } from './wmsFlow.js';
import { CARRIERS, CLOSED, GONE, HOLDS_STOCK, WORK_FLOW, reconciliationStatus, timingsSchema } from './wmsFlow.js';

export const wmsSimulatorSchema = z.strictObject({
  /** The connector id Orderly knows it by (the `system` of its reports). */
  id: z.string().min(1).max(128),
  nodeId: z.string().min(1).max(128),
  /** `store` also holds pickups (ready_for_pickup → collected). */
  kind: z.enum(['wms', 'store']).default('wms'),
  seed: z.int().default(1),
  /** Unique per run, so ids minted now never collide with a previous run's; random by default. */
  runId: z.string().regex(/^[A-Za-z0-9]{1,16}$/).optional(),
  dedupe: z.boolean().default(true),
  canCancel: z.boolean().default(true),
  partialCancel: z.boolean().default(true),
  /** On hand per SKU; a SKU not listed is unknown here (422 unknown_sku). */
  stock: z.record(z.string().min(1), z.int().min(0)).default({}),
  timings: timingsSchema.default(timingsSchema.parse({})),
});
export type WmsSimulatorInput = z.input<typeof wmsSimulatorSchema> & {
  readonly faults?: SimFaultsInput;
  /** Default: a new manual clock. */
  readonly clock?: SimClock;
  /** Where reports go; can be set later with `setReportTarget`. */
  readonly report?: ReportTarget;
};

const releaseSchema = z.object({
  fulfillmentId: z.string().min(1),
  orderId: z.string().min(1),
  nodeId: z.string().min(1),
  delivery: z.discriminatedUnion('type', [z.object({ type: z.literal('ship'), shipMethod: z.string() }), z.object({ type: z.literal('pickup'), storeId: z.string() })]),
  lines: z.array(z.object({ lineId: z.string().min(1), sku: z.string().min(1), quantity: z.int().min(1) })).min(1),
});
const cancelSchema = z.object({
  fulfillmentId: z.string().min(1),
  lines: z.array(z.object({ lineId: z.string().optional(), sku: z.string().optional(), quantity: z.int().min(1) })).optional(),
});

interface WorkLine {
  readonly lineId: string;
  readonly sku: string;
  readonly quantity: number;
  cancelled: number;
  shipped: number;
}
interface WorkOrder {
  readonly ref: string;
  readonly fulfillmentId: string;
  readonly orderId: string;
  readonly flow: Flow;
  readonly shipMethod: string;
  readonly lines: WorkLine[];
  status: WorkStatus;
  /** It said "cancelled" and carries on anyway (fault `shipAfterCancelRate`). */
  cancelIgnored: boolean;
  shipmentId?: string;
}

const remaining = (l: WorkLine) => l.quantity - l.cancelled - l.shipped;

/**
 * A warehouse (or store/POS) as Orderly meets it: takes `fulfillment.release` and
 * `fulfillment.cancel` in the wire format, works each fulfillment through its own lifecycle on the
 * simulated clock, ships from its own stock, and reports facts back (docs/simulators.md).
 */
export function createWmsSimulator(input: WmsSimulatorInput) {
  const { faults, clock: givenClock, report, ...data } = input;
  const options = wmsSimulatorSchema.parse(data);
  const clock = givenClock ?? createSimClock();
  const runId = options.runId ?? randomBytes(3).toString('hex');
  const core = createSimCore({ id: options.id, seed: options.seed, clock, dedupe: options.dedupe, ...(faults ? { faults } : {}) });
  const reporter = createReporter({ system: options.id, seed: options.seed, runId, clock, faults: core.faults });
  if (report) reporter.setTarget(report);
  const onHand = new Map(Object.entries(options.stock));
  const orders: WorkOrder[] = [];
  const created = new Map<string, number>();
  let shipments = 0;

  const held = (sku: string) => orders.filter((o) => HOLDS_STOCK.has(o.status)).reduce((n, o) => n + o.lines.filter((l) => l.sku === sku).reduce((m, l) => m + remaining(l), 0), 0);
  const available = (sku: string) => (onHand.get(sku) ?? 0) - held(sku);

  function release(message: unknown): SimAnswer {
    const parsed = releaseSchema.safeParse(message);
    if (!parsed.success) return invalidAnswer(parsed.error.issues);
    const m = parsed.data;
    if (m.nodeId !== options.nodeId) return refuseAnswer('wrong_node', `this system serves ${options.nodeId}`);
    if (m.delivery.type === 'pickup' && options.kind !== 'store') return refuseAnswer('pickup_not_supported', 'a warehouse holds no pickups');
    const unknown = m.lines.find((l) => !onHand.has(l.sku));
    if (unknown) return refuseAnswer('unknown_sku', `${unknown.sku} is not stocked here`);
    const order: WorkOrder = {
      ref: `${options.id}-${runId}-wo-${orders.length + 1}`,
      fulfillmentId: m.fulfillmentId,
      orderId: m.orderId,
      flow: m.delivery.type,
      shipMethod: m.delivery.type === 'ship' ? m.delivery.shipMethod : 'pickup',
      lines: m.lines.map((l) => ({ lineId: l.lineId, sku: l.sku, quantity: l.quantity, cancelled: 0, shipped: 0 })),
      status: 'received',
      cancelIgnored: false,
    };
    orders.push(order);
    created.set(m.fulfillmentId, (created.get(m.fulfillmentId) ?? 0) + 1);
    scheduleNext(order);
    return { status: 202, body: { reference: order.ref } };
  }

  function scheduleNext(order: WorkOrder): void {
    const next = WORK_FLOW[order.flow][order.status];
    if (next) clock.schedule(options.timings[next.after], `${options.id}: ${order.fulfillmentId} → ${next.to}`, () => step(order, next.to));
  }

  function step(order: WorkOrder, to: WorkStatus): void {
    if (CLOSED.has(order.status)) return; // cancelled (or refused) since this step was scheduled
    // The customer never comes: the order stays ready for pickup until someone cancels it.
    if (to === 'collected' && randomFor(options.seed, options.id, 'no-show', order.fulfillmentId).chance(core.faults().noShowRate)) return;
    const facts = transition(order, to);
    if (facts.length > 0) reporter.report(facts);
    scheduleNext(order);
  }

  /** Moves the work order to `to` and says what the system reports about it. */
  function transition(order: WorkOrder, to: WorkStatus): Fact[] {
    const fulfillmentId = order.fulfillmentId;
    switch (to) {
      case 'acknowledged': {
        const short = order.lines.find((l) => available(l.sku) < remaining(l));
        order.status = short ? 'rejected' : 'acknowledged';
        return [{ type: 'fulfillment.acknowledged', fulfillmentId, accepted: !short, ...(short ? { reason: 'insufficient_stock' } : {}) }];
      }
      case 'picked':
      case 'packed':
      case 'ready_for_pickup':
        order.status = to;
        return [{ type: 'fulfillment.progress', fulfillmentId, stage: to }];
      case 'shipped':
      case 'collected':
        return ship(order, to);
      case 'delivered':
        order.status = 'delivered';
        return [{ type: 'fulfillment.delivered', fulfillmentId, ...(order.shipmentId ? { shipmentId: order.shipmentId } : {}), deliveredAt: clock.now() }];
      default:
        return [];
    }
  }

  function ship(order: WorkOrder, to: 'shipped' | 'collected'): Fact[] {
    // Ships what is on the shelf: stock adjusted since acknowledgement makes a short shipment.
    const lines: FactLine[] = [];
    for (const l of order.lines) {
      const qty = Math.min(remaining(l), onHand.get(l.sku) ?? 0);
      if (qty <= 0) continue;
      onHand.set(l.sku, (onHand.get(l.sku) ?? 0) - qty);
      l.shipped += qty;
      lines.push({ lineId: l.lineId, sku: l.sku, quantity: qty });
    }
    if (lines.length === 0) return []; // nothing on the shelf: it stays packed until someone looks
    order.status = to;
    const shipmentId = `${options.id}-${runId}-shp-${++shipments}`;
    order.shipmentId = shipmentId;
    const now = clock.now();
    if (to === 'collected') {
      return [
        { type: 'fulfillment.shipped', fulfillmentId: order.fulfillmentId, shipmentId, lines, carrier: 'customer_pickup', shippedAt: now },
        { type: 'fulfillment.delivered', fulfillmentId: order.fulfillmentId, shipmentId, deliveredAt: now },
      ];
    }
    const tracking = `1Z${randomFor(options.seed, options.id, 'tracking', shipments).next().toString(36).slice(2, 12).toUpperCase().padEnd(10, '0')}`;
    return [{ type: 'fulfillment.shipped', fulfillmentId: order.fulfillmentId, shipmentId, lines, carrier: CARRIERS[order.shipMethod] ?? 'UPS', trackingNumber: tracking, shippedAt: now }];
  }

  function cancel(message: unknown, key: string): SimAnswer {
    if (!options.canCancel) return refuseAnswer('cancel_not_supported', 'this system cannot cancel a released fulfillment');
    const parsed = cancelSchema.safeParse(message);
    if (!parsed.success) return invalidAnswer(parsed.error.issues);
    const { fulfillmentId, lines } = parsed.data;
    const targets = orders.filter((o) => o.fulfillmentId === fulfillmentId);
    if (targets.length === 0) return refuseAnswer('unknown_fulfillment', `no fulfillment ${fulfillmentId} here`);
    const later = (fact: Fact) => clock.schedule(options.timings.cancelMs, `${options.id}: ${fulfillmentId} cancellation result`, () => void reporter.report([fact]));
    if (lines && !options.partialCancel) {
      later({ type: 'fulfillment.cancellation_result', fulfillmentId, outcome: 'refused', reason: 'partial_cancel_not_supported' });
      return { status: 202, body: {} };
    }
    const ignore = randomFor(options.seed, options.id, 'cancel', key).chance(core.faults().shipAfterCancelRate);
    // Too late once it has shipped — except for units a short shipment left behind, which never left the shelf.
    const shortShipped = targets.some((o) => GONE.has(o.status) && o.lines.some((l) => remaining(l) > 0));
    if (targets.some((o) => GONE.has(o.status)) && !shortShipped) {
      later({ type: 'fulfillment.cancellation_result', fulfillmentId, outcome: 'refused', reason: 'already_shipped' });
      return { status: 202, body: {} };
    }
    const cancelledLines: FactLine[] = [];
    for (const order of targets.filter((o) => !CLOSED.has(o.status))) {
      if (ignore) {
        order.cancelIgnored = true;
        continue;
      }
      for (const l of order.lines) {
        const names = (c: { lineId?: string | undefined; sku?: string | undefined }) => (c.lineId !== undefined ? c.lineId === l.lineId : c.sku === l.sku);
        const asked = lines ? lines.filter(names).reduce((n, c) => n + c.quantity, 0) : remaining(l);
        const qty = Math.min(asked, remaining(l));
        if (qty <= 0) continue;
        l.cancelled += qty;
        cancelledLines.push({ lineId: l.lineId, sku: l.sku, quantity: qty });
      }
      if (order.lines.every((l) => remaining(l) === 0) && !GONE.has(order.status)) order.status = 'cancelled';
    }
    const reported = ignore ? (lines ?? []).map((l) => ({ ...l })) : cancelledLines;
    later({ type: 'fulfillment.cancellation_result', fulfillmentId, outcome: 'cancelled', ...(lines && reported.length > 0 ? { lines: reported } : {}) });
    return { status: 202, body: {} };
  }

  const simulator = {
    id: options.id,
    nodeId: options.nodeId,
    kind: options.kind,
    clock,
    capabilities: { deduplicates: options.dedupe, canCancel: options.canCancel, partialCancel: options.canCancel && options.partialCancel, statusQuery: true },
    handles: options.canCancel ? (['fulfillment.release', 'fulfillment.cancel'] as const) : (['fulfillment.release'] as const),
    receive: (request: SimRequest) =>
      core.receive(request, (r) =>
        r.type === 'fulfillment.release' ? release(r.message)
        : r.type === 'fulfillment.cancel' ? cancel(r.message, r.idempotencyKey)
        : refuseAnswer('unsupported_message', `${r.type} is not handled here`),
      ),
    status: core.status,
    faults: core.faults,
    setFaults: core.setFaults,
    watchFaults: core.watchFaults,
    setReportTarget: (target: ReportTarget | undefined) => reporter.setTarget(target),
    deliveries: (): readonly Delivery[] => reporter.deliveries(),
    counters: (): SimCounters & { readonly created: Readonly<Record<string, number>> } => ({ ...core.counters(), created: Object.fromEntries(created) }),
    /** Fulfillments this system created more than once: empty in a correct run. */
    createdTwice: (): string[] => [...created].filter(([, n]) => n > 1).map(([id]) => id),
    onHand: (sku: string): number => onHand.get(sku) ?? 0,
    /** This system's own view, for reconciliation tests. */
    snapshot: () => ({
      nodeId: options.nodeId,
      asOf: clock.now(),
      fulfillments: orders.map((o) => ({
        fulfillmentId: o.fulfillmentId,
        orderId: o.orderId,
        reference: o.ref,
        status: o.status,
        lines: o.lines.map((l) => ({ lineId: l.lineId, sku: l.sku, quantity: l.quantity, cancelled: l.cancelled, shipped: l.shipped })),
        ...(o.shipmentId ? { shipmentId: o.shipmentId } : {}),
        ...(o.cancelIgnored ? { cancelIgnored: true } : {}),
      })),
      onHand: Object.fromEntries([...onHand].sort(([a], [b]) => a.localeCompare(b))),
    }),
    /** Rows for `POST /v1/reconciliations` of kind `orders` (docs/api.md). */
    reconciliationRows: () =>
      orders.map((o) => ({
        fulfillmentId: o.fulfillmentId,
        status: reconciliationStatus(o.status),
        lines: o.lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity - l.cancelled, shipped: l.shipped })),
      })),
    inventorySnapshot: (): Fact => ({
      type: 'inventory.snapshot',
      nodeId: options.nodeId,
      asOf: clock.now(),
      positions: [...onHand].sort(([a], [b]) => a.localeCompare(b)).map(([sku, n]) => ({ sku, onHand: n })),
    }),
    reportInventorySnapshot: (): string => reporter.report([simulator.inventorySnapshot()]),
    /** Changes stock on hand; `report: true` tells Orderly (an inventory.adjustment), otherwise it drifts silently. */
    adjustOnHand(sku: string, delta: number, opts: { readonly report?: boolean; readonly reason?: string } = {}): void {
      if (!Number.isInteger(delta) || delta === 0) throw new Error('delta must be a non-zero whole number');
      const next = (onHand.get(sku) ?? 0) + delta;
      if (next < 0) throw new Error(`${sku}: on hand cannot go below 0`);
      onHand.set(sku, next);
      if (opts.report) reporter.report([{ type: 'inventory.adjustment', nodeId: options.nodeId, sku, delta, reason: opts.reason ?? 'cycle_count' }]);
    },
  } satisfies Simulator & Record<string, unknown>;
  return simulator;
}

export type WmsSimulator = ReturnType<typeof createWmsSimulator>;
