import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/connectors/sim/index.js';
import type { SimFaultsInput } from '../../src/connectors/sim/index.js';
import { e2eStores } from './server.js';
import type { SimWorld } from './simWorld.js';
import { startSimWorld } from './simWorld.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- the scenarios read the API's JSON as it comes */

/**
 * Issue 5's scenario matrix (test/e2e/scenarios*.e2e.test.ts): each scenario drives Orderly over
 * HTTP while the simulated network works on simulated time, then its end state is checked against
 * one expectation, the same with the simulators' faults off and on: the event sequence, the buckets
 * of every line, the stock positions it touched, the payment summary to the cent (and the gateway's
 * own ledger agreeing), and the exceptions left open.
 */

/**
 * With faults on, every simulator fails 20 % of requests transiently, loses the answer to 10 % of
 * those it processed (Orderly resends; the simulators deduplicate) and delivers 30 % of its reports
 * twice. DCs and stores delay every report by up to 20 s, so a "picked" can arrive after the
 * "packed" 5 s after it; the drop-ship vendor's feed comes in batches, shuffled (an acknowledgement
 * after the progress that follows it). The delays stay below the gaps around a cancellation, so
 * the scenarios' cancels meet the node where they mean to (stronger reordering is the chaos test's).
 */
const COMMON_FAULTS = { transientErrorRate: 0.2, dropAckRate: 0.1, duplicateReportRate: 0.3 } as const;
export const SCENARIO_FAULTS: Readonly<Record<string, SimFaultsInput>> = {
  '*': { ...COMMON_FAULTS, reorderReports: { mode: 'delay', rate: 1, maxDelayMs: 20_000 } },
  'vendor-northwoods': { ...COMMON_FAULTS, reorderReports: { mode: 'shuffle', windowMs: 120_000 } },
};

/**
 * The simulators' defaults, but packing takes 5 s, so a delayed "picked" can overtake "packed".
 * (Not "ready for pickup": a late "picked" moves a pickup back from ready, and the pickup then
 * never expires — a known domain bug, see scenarios.outOfOrder.e2e.test.ts.)
 */
export const SCENARIO_TIMINGS = { packMs: 5_000 };

/** Inventory never goes stale while simulated weeks pass (the simulators report stock only when asked). */
export const SCENARIO_RULESET = { name: 'scenarios', inventory: { freshnessMinutes: 365 * 24 * 60 } };

export const DAY = 24 * 3_600_000;
export const HOUR = 3_600_000;
export const MINUTE = 60_000;

export const PLACES = {
  /** Nearest dc-west (179 km); no store is near. */
  sacramento: { name: 'Ada L', line1: '1 Capitol Mall', city: 'Sacramento', region: 'CA', postalCode: '95814', country: 'US', lat: 38.58, lon: -121.49 },
  /** Nearest dc-east (106 km), then store-brooklyn. */
  philadelphia: { name: 'Ben F', line1: '5 Market St', city: 'Philadelphia', region: 'PA', postalCode: '19106', country: 'US', lat: 39.95, lon: -75.16 },
  /** store-seattle is around the corner. */
  seattle: { name: 'Cy S', line1: '1 Pike St', city: 'Seattle', region: 'WA', postalCode: '98101', country: 'US', lat: 47.61, lon: -122.33 },
  chicago: { name: 'Di C', line1: '1 State St', city: 'Chicago', region: 'IL', postalCode: '60602', country: 'US', lat: 41.88, lon: -87.63 },
  /** Nearest the drop-ship vendor (Grand Rapids). */
  detroit: { name: 'Ed D', line1: '1 Woodward Ave', city: 'Detroit', region: 'MI', postalCode: '48226', country: 'US', lat: 42.33, lon: -83.05 },
} as const;

export const price = (sku: string): number => {
  const item = CATALOGUE.find((c) => c.sku === sku);
  if (!item) throw new Error(`no SKU ${sku} in the catalogue`);
  return item.unitPrice;
};

/** How every gateway order starts: placed, routed, the authorization asked for and granted. */
export const GATEWAY_START = ['OrderPlaced', 'OrderRouted', 'PaymentRequested', 'PaymentAuthorized'] as const;
/** One fulfillment released, worked and shipped, and its capture. */
export const SHIP = ['FulfillmentReleased', 'FulfillmentAcknowledged', 'FulfillmentProgressed', 'FulfillmentProgressed', 'ShipmentConfirmed', 'PaymentRequested', 'PaymentCaptured'] as const;
/** Two fulfillments (at two nodes) released, worked and shipped side by side, and their captures. */
export const SPLIT_SHIP = [
  'FulfillmentReleased', 'FulfillmentReleased', 'FulfillmentAcknowledged', 'FulfillmentAcknowledged', 'FulfillmentProgressed', 'FulfillmentProgressed',
  'FulfillmentProgressed', 'FulfillmentProgressed', 'ShipmentConfirmed', 'PaymentRequested', 'ShipmentConfirmed', 'PaymentRequested', 'PaymentCaptured', 'PaymentCaptured',
] as const;

type Buckets = Record<'unallocated' | 'backordered' | 'allocated' | 'released' | 'shipped' | 'delivered' | 'cancelled' | 'returned', number>;

export interface ExpectedOrder {
  readonly status: string;
  /**
   * Event types in order (faults off). With faults on: as many of each type that moves goods or
   * money, in any order, and no type that is not here (stage events may be fewer).
   */
  readonly events: readonly string[];
  /** Buckets per lineId; buckets not named are 0. */
  readonly lines: Readonly<Record<string, Partial<Buckets>>>;
  /** The order's money to the cent (the gateway's ledger must agree); `channel`: settled by the channel, the gateway never saw it. */
  readonly payment: { readonly authorized: number; readonly captured: number; readonly voided: number; readonly refunded: number } | 'channel';
  /** Types of the order's exceptions still open, sorted. */
  readonly exceptions?: readonly string[];
}

export interface Scenario {
  readonly name: string;
  /**
   * Positions the scenario checks at its end: on hand changed by `onHandDelta` since it started
   * (or is `onHand`), and `reserved` held.
   */
  readonly stock: readonly ({ readonly nodeId: string; readonly sku: string; readonly reserved: number } & ({ readonly onHandDelta: number } | { readonly onHand: number }))[];
  /** Drives the scenario to its end; returns the orders to check, by role. */
  drive(k: Kit): Promise<Record<string, string>>;
  readonly expect: Readonly<Record<string, ExpectedOrder>>;
}

/** Event types whose number must be the same however facts were delivered: they move goods or money. */
const COUNTED = new Set([
  'OrderPlaced', 'OrderRouted', 'OrderCancelled', 'FulfillmentReleased', 'FulfillmentRejected', 'ShipmentConfirmed', 'DeliveryConfirmed',
  'CancellationRequested', 'FulfillmentCancelled', 'CancellationRefused', 'PaymentRequested', 'PaymentAuthorized', 'PaymentCaptured',
  'PaymentVoided', 'RefundIssued', 'ReturnAuthorized', 'ReturnReceived', 'ConflictDetected', 'OrderClosed',
]);

export interface Kit {
  readonly w: SimWorld;
  /** Whether the simulators' faults are on (facts posted by the test are then delivered twice too). */
  readonly faults: boolean;
  place(shipTo: object | undefined, lines: readonly (readonly [sku: string, quantity: number])[], fulfillment?: object): Promise<any>;
  cancel(orderId: string, lines?: readonly { lineId: string; quantity: number }[]): Promise<any>;
  /** POST /v1/orders/{id}/returns; answers the return (with `exchangeOrder` for an exchange). */
  returns(orderId: string, body: object): Promise<any>;
  /** A return received at a node, reported through the fact endpoint as the node would (twice with faults on). */
  receive(returnId: string, nodeId: string, lines: readonly object[]): Promise<any>;
  order(orderId: string): Promise<any>;
  /** Lets simulated time pass until the order satisfies `test`. */
  until(orderId: string, what: string, test: (order: any) => boolean, limitMs?: number): Promise<any>;
  /**
   * Lets simulated time pass until the order's fulfillment at `nodeId` is `status` in Orderly and
   * at the node alike, with none of the node's reports on their way: the moment to act on it.
   */
  whenNodeAt(orderId: string, nodeId: string, status: string, nodeStatus?: string): Promise<any>;
}

export function createKit(w: SimWorld, faults: boolean): Kit {
  const { srv } = w;
  const ok = (status: number, want: number, what: string, body: unknown) => {
    if (status !== want) throw new Error(`${what}: ${status} ${JSON.stringify(body)}`);
  };
  const order = async (orderId: string) => {
    const r = await srv.api(`/v1/orders/${orderId}`);
    ok(r.status, 200, `GET order ${orderId}`, r.body);
    return r.body;
  };
  return {
    w,
    faults,
    async place(shipTo, lines, fulfillment = { type: 'ship', shipMethod: 'standard' }) {
      const body = {
        externalId: `SCN-${randomUUID()}`,
        channel: 'web',
        currency: 'USD',
        customer: { id: 'cus-scenario', email: 'scenario@example.com', tier: 'standard' },
        ...(shipTo ? { shipTo } : {}),
        fulfillment,
        lines: lines.map(([sku, quantity], i) => ({ lineId: String(i + 1), sku, quantity, unitPrice: price(sku) })),
      };
      const r = await srv.api('/v1/orders', { body });
      ok(r.status, 201, 'place', r.body);
      return r.body;
    },
    async cancel(orderId, lines) {
      const r = await srv.api(`/v1/orders/${orderId}/cancel`, { body: { reason: 'customer_request', ...(lines ? { lines } : {}) } });
      ok(r.status, 200, `cancel ${orderId}`, r.body);
      return r.body;
    },
    async returns(orderId, body) {
      const r = await srv.api(`/v1/orders/${orderId}/returns`, { body });
      ok(r.status, 201, `return on ${orderId}`, r.body);
      return r.body;
    },
    async receive(returnId, nodeId, lines) {
      const body = { nodeId, lines, sourceMessageId: `receipt-${randomUUID()}` };
      const r = await srv.api(`/v1/returns/${returnId}/receipts`, { body });
      ok(r.status, 200, `receipt for ${returnId}`, r.body);
      if (faults) {
        const again = await srv.api(`/v1/returns/${returnId}/receipts`, { body });
        ok(again.status, 200, `receipt for ${returnId} again`, again.body);
        expect(again.body.status).toBe('duplicate');
      }
      await w.settle();
      return r.body;
    },
    order,
    async until(orderId, what, test, limitMs) {
      let last: any;
      await w.runUntil(`${orderId} ${what}`, async () => test((last = await order(orderId))), limitMs);
      return last;
    },
    async whenNodeAt(orderId, nodeId, status, nodeStatus = status) {
      const node = w.network.fulfiller(nodeId);
      if (!node) throw new Error(`no node ${nodeId}`);
      const inFlight = () => w.clock.pending().some((t) => t.label.startsWith(`${node.id}: report`) || t.label.startsWith(`${node.id}: retry`) || t.label.startsWith(`${node.id}: shuffled`));
      let last: any;
      await w.runUntil(`${orderId} ${status} at ${nodeId}`, async () => {
        if (inFlight()) return false;
        last = await order(orderId);
        const f = (last.fulfillments as { id: string; nodeId: string; status: string }[]).find((x) => x.nodeId === nodeId);
        return f?.status === status && node.snapshot().fulfillments.find((x) => x.fulfillmentId === f.id)?.status === nodeStatus;
      }, HOUR);
      return last;
    },
  };
}

/**
 * A world for the scenario matrix: its ruleset and timings, and the faults when they are on. The
 * seed (ORDERLY_SCENARIO_SEED, default 1) fixes every fault, id and retry delay: a run replays.
 */
export const startScenarioWorld = (store: 'sqlite' | 'postgres', faults: boolean): Promise<SimWorld> =>
  startSimWorld(store, { seed: Number(process.env.ORDERLY_SCENARIO_SEED ?? 1), ruleset: SCENARIO_RULESET, timings: SCENARIO_TIMINGS, ...(faults ? { faults: SCENARIO_FAULTS } : {}) });

/** Runs one scenario on a world and checks its end state. */
export async function runScenario(w: SimWorld, scenario: Scenario, faults: boolean): Promise<void> {
  const { srv, network } = w;
  const position = async (nodeId: string, sku: string) => {
    const items = (await srv.api(`/v1/inventory?sku=${encodeURIComponent(sku)}&nodeId=${encodeURIComponent(nodeId)}`)).body.items as { onHand: number; reserved: number }[];
    return items[0] ?? { onHand: 0, reserved: 0 };
  };
  const before = await Promise.all(scenario.stock.map((s) => position(s.nodeId, s.sku)));
  const orders = await scenario.drive(createKit(w, faults));
  // Whatever the scenario set off reaches its target (a capture retried after a transient error, say).
  await w.runUntil(`${scenario.name}: the outbox drained`, async () => (await srv.api('/v1/outbox/stats')).body.totals.pending === 0, DAY);

  for (const [role, expected] of Object.entries(scenario.expect)) {
    const id = orders[role];
    expect(id, `the scenario reports its ${role} order`).toBeDefined();
    const view = (await srv.api(`/v1/orders/${id!}`)).body;
    const types = ((await srv.api(`/v1/orders/${id!}/events`)).body.items as { type: string }[]).map((e) => e.type);
    const where = `${scenario.name} (${role} ${id!}, faults ${faults ? 'on' : 'off'}): `;
    expect(view.status, `${where}status`).toBe(expected.status);
    if (!faults) expect(types, `${where}events`).toEqual(expected.events);
    else {
      // Reordered facts: everything that moves goods or money happened as often as without faults;
      // a stage a fulfillment had already passed (an acknowledgement after "picked") records nothing.
      const counted = (list: readonly string[]) => list.filter((t) => COUNTED.has(t)).sort();
      expect(counted(types), `${where}events that move goods or money`).toEqual(counted(expected.events));
      expect(types.filter((t) => !COUNTED.has(t) && !expected.events.includes(t)), `${where}unexpected events`).toEqual([]);
    }
    for (const line of view.lines as { lineId: string; quantity: number; buckets: Buckets }[]) {
      const want = { unallocated: 0, backordered: 0, allocated: 0, released: 0, shipped: 0, delivered: 0, cancelled: 0, returned: 0, ...expected.lines[line.lineId] };
      expect(line.buckets, `${where}buckets of line ${line.lineId}`).toEqual(want);
      expect(Object.values(line.buckets).reduce((a, b) => a + b, 0)).toBe(line.quantity);
    }
    expect((view.lines as unknown[]).length, `${where}lines`).toBe(Object.keys(expected.lines).length);
    const gateway = network.payments.snapshot().orders.find((o) => o.orderId === id);
    if (expected.payment === 'channel') {
      expect(view.paymentMode, `${where}payment mode`).toBe('channel');
      expect(gateway, `${where}the gateway never saw it`).toBeUndefined();
    } else {
      const { authorized, captured, voided, refunded } = view.payment;
      expect({ authorized, captured, voided, refunded }, `${where}payment`).toEqual(expected.payment);
      expect({ authorized: gateway?.authorized, captured: gateway?.captured, voided: gateway?.voided, refunded: gateway?.refunded }, `${where}the gateway's ledger`).toEqual(expected.payment);
      expect(view.payment.pending, `${where}nothing pending at the gateway`).toEqual({ authorize: 0, capture: 0, void: 0, refund: 0 });
    }
    const exceptions = ((await srv.api(`/v1/exceptions?orderId=${id!}&limit=500`)).body.items as { type: string; status: string }[])
      .filter((e) => e.status !== 'resolved')
      .map((e) => e.type)
      .sort();
    expect(exceptions, `${where}open exceptions`).toEqual(expected.exceptions ?? []);
  }
  for (const [i, s] of scenario.stock.entries()) {
    const now = await position(s.nodeId, s.sku);
    const seen = 'onHand' in s ? { onHand: now.onHand, reserved: now.reserved } : { onHandDelta: now.onHand - before[i]!.onHand, reserved: now.reserved };
    expect(seen, `${scenario.name}: stock of ${s.sku} at ${s.nodeId}`).toEqual('onHand' in s ? { onHand: s.onHand, reserved: s.reserved } : { onHandDelta: s.onHandDelta, reserved: s.reserved });
  }
  // Nothing was created twice at any node, no simulator task failed, and nothing is stuck in the outbox.
  expect(Object.values(network.createdTwice()).flat()).toEqual([]);
  expect(network.payments.duplicateReferences()).toEqual([]);
  expect(w.clock.failures()).toEqual([]);
  expect((await srv.api('/v1/outbox/stats')).body.totals, `${scenario.name}: the outbox drained`).toEqual({ pending: 0, dead: 0 });
}

/**
 * With faults on, proves the simulators did inject them: a run that saw none could not have failed
 * for them. (On another ORDERLY_SCENARIO_SEED a world may see no report overtaken — seed 4 — and
 * this check says so: the seed did not exercise reordering there, whatever the product did.)
 */
export async function expectFaultsInjected(w: SimWorld): Promise<void> {
  const deliveries = w.network.fulfillers.flatMap((f) => f.deliveries());
  const duplicates = deliveries.filter((d) => d.copy === 'duplicate').length;
  // Reordered: a report delivered after one its simulator sent later (message ids end in a sequence number).
  const reordered = w.network.fulfillers.some((f) => {
    const seq = f.deliveries().filter((d) => d.copy === 'original' && d.attempt === 1).map((d) => Number(/-(\d+)$/.exec(d.messageId)?.[1]));
    return seq.some((n, i) => i > 0 && n < seq[i - 1]!);
  });
  const sims = [...w.network.fulfillers, w.network.payments];
  const resent = sims.reduce((n, s) => n + Object.values(s.counters().byKey).filter((c) => c.arrived > c.accepted).length, 0);
  expect({ duplicates: duplicates > 0, reordered, resent: resent > 0, retried: w.tally.retried > 0 }).toEqual({ duplicates: true, reordered: true, resent: true, retried: true });
}

/**
 * The matrix: on every store, the scenarios run in order on one world with the faults off, then on
 * another with them on (and a last check that the faults were really injected).
 */
export function scenarioMatrix(group: string, scenarios: readonly Scenario[]): void {
  for (const store of e2eStores()) {
    for (const faults of [false, true]) {
      describe(`scenario matrix: ${group} (${store}, faults ${faults ? 'on' : 'off'})`, () => {
        let w: SimWorld;
        beforeAll(async () => {
          w = await startScenarioWorld(store, faults);
        });
        afterAll(async () => w?.close());
        for (const scenario of scenarios) it(scenario.name, async () => runScenario(w, scenario, faults));
        if (faults) it('the simulators did duplicate, reorder and fail transiently', async () => expectFaultsInjected(w));
      });
    }
  }
}
