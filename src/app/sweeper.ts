import type { Logger } from 'pino';
import type { Fulfillment } from '../domain/order/index.js';
import type { Store } from '../store/port.js';
import type { Clock } from './clock.js';
import type { IdGenerator } from './ids.js';
import type { CommandContext, OrderService } from './orderService.js';
import type { RoutingContext } from './routingContext.js';

const SYSTEM: CommandContext = { correlationId: 'sweeper', actor: { kind: 'system', id: 'sweeper' } };
const PAGE = 500;
/** Statuses an order may close from once its return window is over (a wholly returned order closes at once). */
const CLOSABLE = ['delivered', 'partially_returned'] as const;
/** Backordered orders routed again per day, oldest first. */
const MAX_BACKORDER_RETRIES = 2_000;

/**
 * The time-driven part of the lifecycle (issue 5 §1, §6, §8): follow-ups deferred after
 * placement (release, payment authorization), fulfillments a node has not acknowledged or
 * answered a cancellation for in time, backorders once a day (a node's daily capacity is new),
 * pickups not collected, and orders whose return window is over. Each sweep reads the fulfillment
 * projection and issues ordinary commands, so a sweep that runs twice, or in two processes,
 * decides nothing twice.
 */
export function createSweeper(deps: {
  store: Store;
  orders: OrderService;
  routing: RoutingContext;
  clock: Clock;
  newId: IdGenerator;
  log: Logger;
  returnWindowDays: number;
  /** How often the periodic sweeps run (default 15 s). */
  intervalMs?: number;
}) {
  const { store, orders, routing, clock, newId, log } = deps;
  // Per order, the follow-ups deferred after its placement; readers of that order wait for them.
  const pending = new Map<string, Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let sweeping: Promise<unknown> | undefined;
  let stopped = false;
  /** The UTC day backorders were last routed again (daily capacity is counted per UTC day). */
  let backordersRoutedOn: string | undefined;

  const ms = (minutes: number) => minutes * 60_000;
  const before = (now: string, minutes: number) => new Date(Date.parse(now) - ms(minutes)).toISOString();

  /** Every page of fulfillments in a status (bounded: a sweep handles at most a few thousand). */
  const fulfillments = async (status: string, releasedBefore?: string) => {
    const out: { orderId: string; view: Fulfillment }[] = [];
    let afterId: string | undefined;
    for (let page = 0; page < 10; page++) {
      const rows = await store.listFulfillments({ status, limit: PAGE, ...(releasedBefore ? { releasedBefore } : {}), ...(afterId ? { afterId } : {}) });
      out.push(...rows.map((r) => ({ orderId: r.orderId, view: r.view as Fulfillment })));
      if (rows.length < PAGE) break;
      afterId = rows.at(-1)!.id;
    }
    return out;
  };

  const sweep = async (): Promise<{ advanced: number; ackBreaches: number; cancelBreaches: number; backordersRouted: number; expiredPickups: number; closed: number }> => {
    const now = clock.now();
    const ruleset = (await routing.rules()).active.ruleset;
    const stats = { advanced: 0, ackBreaches: 0, cancelBreaches: 0, backordersRouted: 0, expiredPickups: 0, closed: 0 };
    const ok = (o: { kind: string }) => o.kind === 'ok';

    // Follow-ups a crash or restart left undone: allocated fulfillments not yet released.
    for (const orderId of new Set((await fulfillments('allocated')).map((f) => f.orderId))) {
      if (ok(await orders.advance(orderId, SYSTEM))) stats.advanced++;
    }
    if (ruleset.ackSlaMinutes !== undefined) {
      for (const f of await fulfillments('released', before(now, ruleset.ackSlaMinutes))) {
        const raised = await orders.execute(
          f.orderId,
          { type: 'RaiseException', exceptionId: newId('exception'), exceptionType: 'ack_sla_breached', fulfillmentId: f.view.id, reason: `${f.view.nodeId} has not acknowledged ${f.view.id} within ${ruleset.ackSlaMinutes} minutes` },
          SYSTEM,
        );
        if (ok(raised)) stats.ackBreaches++;
        if (ok(raised) && ruleset.ackSlaAction === 'reroute') {
          await orders.execute(f.orderId, { type: 'WithdrawFulfillment', fulfillmentId: f.view.id, reason: 'ack_sla_breached' }, SYSTEM);
        }
      }
    }
    for (const f of await fulfillments('cancel_requested')) {
      const requestedAt = f.view.cancelRequest?.requestedAt;
      if (!requestedAt || requestedAt > before(now, ruleset.cancelSlaMinutes) || f.view.cancelRequest?.mode === 'manual') continue;
      const raised = await orders.execute(
        f.orderId,
        { type: 'RaiseException', exceptionId: newId('exception'), exceptionType: 'cancellation_sla_breached', fulfillmentId: f.view.id, reason: `${f.view.nodeId} has not answered the cancellation of ${f.view.id} within ${ruleset.cancelSlaMinutes} minutes` },
        SYSTEM,
      );
      if (ok(raised)) stats.cancelBreaches++;
    }
    // A new day: capacity counts start again (and a node closed or degraded yesterday may be open),
    // so backorders are routed again — stock arriving is not the only thing they wait for.
    const day = now.slice(0, 10);
    if (day !== backordersRoutedOn) {
      backordersRoutedOn = day;
      const skus = [...new Set((await store.listPositions({})).map((p) => p.sku))];
      for (const orderId of await store.backorderedOrders(skus, MAX_BACKORDER_RETRIES)) {
        if (ok(await orders.retryBackorders(orderId, SYSTEM))) stats.backordersRouted++;
      }
    }
    for (const f of await fulfillments('ready_for_pickup')) {
      if (!f.view.readyAt || f.view.readyAt > before(now, ruleset.pickup.collectWithinHours * 60)) continue;
      const lines = f.view.lines.filter((l) => l.quantity - l.shipped > 0).map((l) => ({ lineId: l.lineId, quantity: l.quantity - l.shipped }));
      if (lines.length === 0) continue;
      if (ok(await orders.execute(f.orderId, { type: 'CancelOrder', reason: 'not_collected', lines }, SYSTEM))) stats.expiredPickups++;
    }
    // Orders delivered long enough ago (some of it perhaps returned) close once their money is settled.
    const windowStart = before(now, deps.returnWindowDays * 24 * 60);
    for (const status of CLOSABLE) {
      let beforeId: string | undefined;
      for (let page = 0; page < 20; page++) {
        const rows = await store.listOrders({ status, limit: PAGE, ...(beforeId ? { beforeId } : {}) });
        for (const row of rows) {
          if (row.updatedAt <= windowStart && ok(await orders.advance(row.id, SYSTEM))) stats.closed++;
        }
        if (rows.length < PAGE) break;
        beforeId = rows.at(-1)!.id;
      }
    }
    return stats;
  };

  const runSweep = () => {
    sweeping ??= sweep()
      .then((stats) => {
        if (Object.values(stats).some((n) => n > 0)) log.info(stats, 'lifecycle sweep');
      })
      .catch((err: unknown) => log.error({ err }, 'lifecycle sweep failed'))
      .finally(() => {
        sweeping = undefined;
      });
    return sweeping;
  };

  return {
    /** Runs an order's follow-ups now, in their own unit (concurrent orders share group commits). */
    enqueue(orderId: string, cause?: CommandContext) {
      if (stopped) return;
      // The follow-ups carry the placing request's correlation and trace, as a system action it caused.
      const ctx: CommandContext = cause ? { ...cause, actor: SYSTEM.actor, causationId: cause.correlationId } : SYSTEM;
      const run: Promise<void> = (pending.get(orderId) ?? Promise.resolve())
        .then(() => orders.advance(orderId, ctx, { deferred: true }))
        .then(
          () => undefined,
          (err: unknown) => log.warn({ err, orderId }, 'follow-ups failed; the next sweep retries them'),
        )
        .finally(() => {
          if (pending.get(orderId) === run) pending.delete(orderId);
        });
      pending.set(orderId, run);
    },
    /** The order's deferred follow-ups still running, if any: read-your-writes for the API. */
    whenSettled(orderId: string): Promise<void> | undefined {
      return pending.get(orderId);
    },
    sweep,
    start() {
      timer = setInterval(() => void runSweep(), deps.intervalMs ?? 15_000);
      timer.unref();
    },
    /** Waits for what is queued and running, then stops. */
    async stop() {
      if (timer) clearInterval(timer);
      stopped = true;
      while (pending.size > 0) await Promise.all(pending.values());
      await sweeping;
    },
    async idle() {
      while (pending.size > 0) await Promise.all(pending.values());
    },
  };
}

export type Sweeper = ReturnType<typeof createSweeper>;
