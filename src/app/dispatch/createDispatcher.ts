import { randomUUID } from 'node:crypto';
import type { Connector, Envelope, InboundSink } from '../../connectors/port.js';
import type { ClaimedOutboxMessage, DeadLetterReason, OutboxError, OutboxSettlement, Store } from '../../store/port.js';
import type { Clock } from '../clock.js';
import type { Metrics } from '../metrics.js';
import type { BreakerState, BreakerStatus, CallOutcome } from './circuitBreaker.js';
import { CLOSED, admit, probeTime, record } from './circuitBreaker.js';
import type { SendFailure } from './classifyFailure.js';
import { createSettler } from './createSettler.js';
import type { ConnectorPolicy, DispatchPolicy, DispatchPolicyInput } from './dispatchPolicy.js';
import { claimSlots, policyFor, resolveDispatchPolicy } from './dispatchPolicy.js';
import type { Resolution } from './resolveMessage.js';
import { resolveMessage } from './resolveMessage.js';
import type { Timers } from './timers.js';
import { systemTimers } from './timers.js';

export type DispatcherStore = Pick<Store, 'claimOutbox' | 'settleOutbox' | 'nextOutboxDue' | 'outboxStats'>;
export type DispatchMetrics = Pick<
  Metrics,
  'outboxDepth' | 'outboxOldestAge' | 'outboxDead' | 'outboxSends' | 'outboxRetries' | 'outboxDeadLettered' | 'connectorBreakerState'
>;
export interface DispatchLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface DispatcherDeps {
  readonly store: DispatcherStore;
  readonly connectors: readonly Connector[];
  /** Where facts returned by sends and status queries go (the same entry point as inbound messages). */
  readonly sink: InboundSink;
  readonly clock: Clock;
  readonly log: DispatchLog;
  readonly metrics?: DispatchMetrics;
  readonly policy?: DispatchPolicyInput;
  /** Names this process's leases; unique per process (default: a random UUID). */
  readonly workerId?: string;
  readonly timers?: Timers;
  readonly random?: () => number;
  /** The target refused the message (validation, unknown SKU, node closed): raise an exception, re-route per policy. */
  readonly onBusinessFailure?: (envelope: Envelope, error: SendFailure) => void | Promise<void>;
  /** The message may or may not have reached its target and cannot be resent blind: a human must look. */
  readonly onAmbiguous?: (envelope: Envelope, error: SendFailure) => void | Promise<void>;
  /** Every dead letter, whatever the reason (called after the dead letter is stored). */
  readonly onDeadLetter?: (message: ClaimedOutboxMessage, reason: DeadLetterReason, error: OutboxError) => void | Promise<void>;
  /** A connector's breaker changed: open/half_open mean its nodes are degraded for routing. */
  readonly onBreakerChange?: (connectorId: string, state: BreakerStatus) => void | Promise<void>;
}

export interface RunSummary {
  readonly claimed: number;
  readonly dispatched: number;
  readonly retried: number;
  readonly deferred: number;
  readonly dead: number;
  /** Outcomes refused because the lease had run out and the message was claimed again elsewhere. */
  readonly leaseLost: number;
  /** When the loop would look again: the next due message, breaker probe or poll. */
  readonly wakeAt: string;
}

export interface Dispatcher {
  readonly workerId: string;
  readonly policy: DispatchPolicy;
  /** Runs the loop until stop(). */
  start(): void;
  /** Stops claiming, lets in-flight sends finish and their outcomes be stored, then resolves. */
  stop(): Promise<void>;
  /** One pass for a stopped dispatcher (tests, tools): claim, send, store outcomes, then return. */
  runOnce(): Promise<RunSummary>;
  /** New outbox rows were committed: look now rather than at the next poll. */
  nudge(): void;
  /** Connectors whose breaker is not closed: their nodes should be degraded for routing. */
  degradedConnectors(): string[];
  breakerStates(): Record<string, BreakerStatus>;
}

interface Lane {
  readonly connector: Connector;
  readonly policy: ConnectorPolicy;
  breaker: BreakerState;
  inFlight: number;
  /** Worth a claim: something may have become claimable since its last claim came back short. */
  hungry: boolean;
}
type Tally = { claimed: number; dispatched: number; retried: number; deferred: number; dead: number; leaseLost: number };
const newTally = (): Tally => ({ claimed: 0, dispatched: 0, retried: 0, deferred: 0, dead: 0, leaseLost: 0 });

const BREAKER_GAUGE: Record<BreakerStatus, number> = { closed: 0, half_open: 1, open: 2 };
/** Shortest sleep when the store says something is due that a claim did not get (rows another worker is locking). */
const MIN_POLL_MS = 25;

/**
 * The outbox dispatcher (DESIGN §5; docs/connectors/dispatcher.md): claims due messages per
 * connector up to its free concurrency, sends them in parallel, stores each outcome, and sleeps
 * until the next message is due, a breaker's probe time, the poll interval, or nudge().
 */
export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  const resolved = resolveDispatchPolicy(deps.policy);
  if (!resolved.ok) throw new Error(`The dispatch policy is not valid:\n  ${resolved.problems.join('\n  ')}`);
  const policy = resolved.policy;
  const lanes = new Map<string, Lane>();
  for (const c of deps.connectors) {
    if (typeof c.id !== 'string' || c.id === '') throw new Error('Every connector needs a non-empty id');
    if (lanes.has(c.id)) throw new Error(`Two connectors have the id ${c.id}`);
    lanes.set(c.id, { connector: c, policy: policyFor(policy, c.id), breaker: CLOSED, inFlight: 0, hungry: true });
    deps.metrics?.connectorBreakerState.set({ connector: c.id }, 0);
  }
  const unknown = Object.keys(policy.connectors).filter((id) => !lanes.has(id));
  if (unknown.length > 0) throw new Error(`The dispatch policy names connectors that do not exist: ${unknown.join(', ')}`);

  const { store, clock, log, metrics } = deps;
  const timers = deps.timers ?? systemTimers;
  const random = deps.random ?? Math.random;
  const workerId = deps.workerId ?? `dispatcher-${randomUUID()}`;
  const settler = createSettler(store);
  const nowMs = () => Date.parse(clock.now());
  const iso = (ms: number) => new Date(ms).toISOString();
  /** Messages being sent and app hooks being called: stop() waits for both. */
  const active = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    active.add(p);
    void p.finally(() => active.delete(p));
    return p;
  };
  let running = false;
  let loop: Promise<void> | undefined;
  let nextStatsAt = Number.NEGATIVE_INFINITY;
  let wakers: (() => void)[] = [];
  let wakeRequested = false;

  /** Hooks belong to the app: their failures are logged, never allowed to stop dispatching. */
  const callHook = (name: string, fn: () => void | Promise<void>): Promise<void> => {
    return track((async () => fn())().catch((err: unknown) => log.error({ err, hook: name }, 'dispatcher hook failed')));
  };

  const setBreaker = (lane: Lane, next: BreakerState): void => {
    const before = lane.breaker.status;
    lane.breaker = next;
    if (next.status === before) return;
    const id = lane.connector.id;
    log.warn({ connector: id, from: before, to: next.status, probeAt: probeTime(next) === undefined ? undefined : iso(probeTime(next)!) }, 'connector breaker changed');
    metrics?.connectorBreakerState.set({ connector: id }, BREAKER_GAUGE[next.status]);
    if (deps.onBreakerChange) void callHook('onBreakerChange', () => deps.onBreakerChange!(id, next.status));
  };

  const contextFor = (lane: Lane) => ({
    connector: lane.connector,
    policy: lane.policy,
    sink: deps.sink,
    timers,
    random,
    now: nowMs,
    breaker: {
      admit: () => {
        const a = admit(lane.breaker, nowMs());
        setBreaker(lane, a.state);
        return a.admitted;
      },
      record: (outcome: CallOutcome) => setBreaker(lane, record(lane.breaker, outcome, nowMs(), lane.policy.breaker)),
      nextProbe: () => probeTime(lane.breaker) ?? nowMs() + lane.policy.breaker.cooldownMs,
    },
    onSend: (outcome: string) => metrics?.outboxSends.inc({ connector: lane.connector.id, outcome }),
  });

  const toSettlement = (m: ClaimedOutboxMessage, r: Resolution): OutboxSettlement => {
    const base = { id: m.id, lease: m.lease };
    switch (r.kind) {
      case 'complete':
        return { ...base, kind: 'complete', at: clock.now(), attemptedAt: r.attemptedAt, ...(r.reference !== undefined ? { reference: r.reference } : {}) };
      case 'reschedule':
        return { ...base, kind: 'reschedule', attemptedAt: r.attemptedAt, availableAt: r.availableAt, error: r.error, inDoubt: r.inDoubt };
      case 'defer':
        return { ...base, kind: 'defer', availableAt: r.availableAt, inDoubt: r.inDoubt };
      case 'dead':
        return { ...base, kind: 'dead', at: clock.now(), reason: r.reason, error: r.error, ...(r.attemptedAt ? { attemptedAt: r.attemptedAt } : {}) };
    }
  };

  /** Stores a resolution; on success counts it and tells the app. */
  const conclude = async (m: ClaimedOutboxMessage, r: Resolution, tally: Tally): Promise<void> => {
    let result;
    try {
      result = await settler.settle(toSettlement(m, r));
    } catch (err) {
      // The lease will run out and the message be claimed again, in doubt: never lost, never resent blind.
      log.error({ err, messageId: m.id, outcome: r.kind }, 'could not store an outbox outcome');
      return;
    }
    if (result === 'lease_lost') {
      tally.leaseLost += 1;
      log.warn({ messageId: m.id, outcome: r.kind }, 'outbox outcome refused: the lease ran out and the message was claimed again');
      return;
    }
    const connector = m.destination;
    switch (r.kind) {
      case 'complete':
        tally.dispatched += 1;
        return;
      case 'reschedule':
        tally.retried += 1;
        metrics?.outboxRetries.inc({ connector });
        return;
      case 'defer':
        tally.deferred += 1;
        return;
      case 'dead': {
        tally.dead += 1;
        metrics?.outboxDeadLettered.inc({ destination: m.destination, reason: r.reason });
        log.warn({ messageId: m.id, destination: m.destination, reason: r.reason, code: r.error.code }, 'outbox message dead-lettered');
        const notify = r.notify;
        if (notify?.hook === 'business' && deps.onBusinessFailure) await callHook('onBusinessFailure', () => deps.onBusinessFailure!(notify.envelope, notify.failure));
        if (notify?.hook === 'ambiguous' && deps.onAmbiguous) await callHook('onAmbiguous', () => deps.onAmbiguous!(notify.envelope, notify.failure));
        if (deps.onDeadLetter) await callHook('onDeadLetter', () => deps.onDeadLetter!(m, r.reason, r.error));
      }
    }
  };

  const dispatchOne = async (lane: Lane, m: ClaimedOutboxMessage, tally: Tally): Promise<void> => {
    lane.inFlight += 1;
    let resolution: Resolution;
    try {
      resolution = await resolveMessage(m, contextFor(lane));
    } catch (err) {
      // A fault of ours or of the sink mid-way: how far the message got is unknown, so it is in doubt.
      log.error({ err, messageId: m.id }, 'outbox message handling failed');
      // If this was the half-open probe, its outcome was never recorded: a failure, or the connector would starve.
      if (lane.breaker.status === 'half_open') setBreaker(lane, record(lane.breaker, 'failure', nowMs(), lane.policy.breaker));
      const error = { kind: 'ambiguous', code: 'dispatcher_error', message: err instanceof Error ? err.message : String(err) };
      resolution = { kind: 'reschedule', attemptedAt: clock.now(), availableAt: iso(nowMs() + lane.policy.retry.baseDelayMs), error, inDoubt: true };
    } finally {
      lane.inFlight -= 1;
    }
    await conclude(m, resolution, tally);
    lane.hungry = true;
    wake();
  };

  /** Claims for every connector worth a claim, and starts sending what came back. */
  const fill = async (tally: Tally): Promise<void> => {
    const now = nowMs();
    await Promise.all(
      [...lanes.values()].map(async (lane) => {
        const limit = claimSlots({ concurrency: lane.policy.concurrency, inFlight: lane.inFlight, breaker: lane.breaker, now });
        if (!lane.hungry || limit === 0) return;
        lane.hungry = false;
        const claimed = await store.claimOutbox({ workerId, limit, now: iso(now), leaseMs: policy.leaseMs, destinations: [lane.connector.id] });
        if (claimed.length === limit) lane.hungry = true; // there may be more
        tally.claimed += claimed.length;
        for (const m of claimed) void track(dispatchOne(lane, m, tally));
      }),
    );
  };

  /** Depth, age and dead-letter gauges; messages for destinations with no connector are dead-lettered `unroutable`. */
  const refreshStats = async (tally: Tally): Promise<void> => {
    const now = nowMs();
    nextStatsAt = now + policy.statsIntervalMs;
    const stats = await store.outboxStats();
    if (metrics) {
      metrics.outboxDepth.reset();
      metrics.outboxOldestAge.reset();
      metrics.outboxDead.reset();
      for (const s of stats) {
        metrics.outboxDepth.set({ destination: s.destination }, s.pending);
        metrics.outboxOldestAge.set({ destination: s.destination }, s.oldestPendingAt ? Math.max(0, (now - Date.parse(s.oldestPendingAt)) / 1000) : 0);
        metrics.outboxDead.set({ destination: s.destination }, s.dead);
      }
    }
    const unroutable = stats.filter((s) => s.pending > 0 && !lanes.has(s.destination)).map((s) => s.destination);
    if (unroutable.length === 0) return;
    const claimed = await store.claimOutbox({ workerId, limit: 100, now: iso(now), leaseMs: policy.leaseMs, destinations: unroutable });
    tally.claimed += claimed.length;
    await Promise.all(
      claimed.map((m) =>
        conclude(m, { kind: 'dead', reason: 'unroutable', error: { kind: 'unroutable', code: 'no_connector', message: `No connector is configured for destination ${m.destination}` } }, tally),
      ),
    );
  };

  /** The earliest of: the next message due on a connector with room, a breaker's probe, the stats refresh, the poll. */
  const nextWake = async (): Promise<number> => {
    const now = nowMs();
    const times = [now + policy.idlePollMs, nextStatsAt];
    const ready: string[] = [];
    for (const lane of lanes.values()) {
      const probe = probeTime(lane.breaker);
      if (probe !== undefined) times.push(probe);
      else if (claimSlots({ concurrency: lane.policy.concurrency, inFlight: lane.inFlight, breaker: lane.breaker, now }) > 0) ready.push(lane.connector.id);
    }
    const due = ready.length > 0 ? await store.nextOutboxDue({ destinations: ready }) : undefined;
    if (due !== undefined) times.push(Math.max(Date.parse(due), now + MIN_POLL_MS));
    return Math.max(now, Math.min(...times));
  };

  function wake(): void {
    wakeRequested = true;
    const waiting = wakers;
    wakers = [];
    for (const w of waiting) w();
  }

  /** Sleeps until `at` or a wake(); a timer wake makes every connector worth a claim again. */
  const sleepUntil = (at: number): Promise<void> => {
    if (wakeRequested) {
      wakeRequested = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const handle = timers.setTimeout(() => {
        wakers = wakers.filter((w) => w !== early);
        for (const lane of lanes.values()) lane.hungry = true;
        resolve();
      }, Math.max(0, at - nowMs()));
      const early = () => {
        timers.clearTimeout(handle);
        wakeRequested = false;
        resolve();
      };
      wakers.push(early);
    });
  };

  const runLoop = async (): Promise<void> => {
    const tally = newTally();
    while (running) {
      try {
        await fill(tally);
        if (nowMs() >= nextStatsAt) await refreshStats(tally);
        if (running) await sleepUntil(await nextWake());
      } catch (err) {
        log.error({ err }, 'outbox dispatch pass failed; retrying after the poll interval');
        if (running) await sleepUntil(nowMs() + policy.idlePollMs);
      }
    }
  };

  return {
    workerId,
    policy,
    start() {
      if (running) return;
      running = true;
      log.info({ workerId, connectors: [...lanes.keys()] }, 'outbox dispatcher started');
      loop = runLoop();
    },
    async stop() {
      running = false;
      wake();
      await loop;
      loop = undefined;
      await waitForInFlight();
      log.info({ workerId }, 'outbox dispatcher stopped');
    },
    async runOnce() {
      if (running) throw new Error('runOnce() is for a stopped dispatcher; this one is running (start() was called)');
      for (const lane of lanes.values()) lane.hungry = true;
      const tally = newTally();
      await fill(tally);
      await waitForInFlight();
      await refreshStats(tally);
      await waitForInFlight();
      return { ...tally, wakeAt: iso(await nextWake()) };
    },
    nudge() {
      for (const lane of lanes.values()) lane.hungry = true;
      wake();
    },
    degradedConnectors: () => [...lanes.values()].filter((l) => l.breaker.status !== 'closed').map((l) => l.connector.id),
    breakerStates: () => Object.fromEntries([...lanes.values()].map((l) => [l.connector.id, l.breaker.status])),
  };

  async function waitForInFlight(): Promise<void> {
    while (active.size > 0) await Promise.allSettled([...active]);
    await settler.drain();
  }
}
