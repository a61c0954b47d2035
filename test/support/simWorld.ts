import type { SimClock, SimFaultsInput, SimulatedNetwork, SimulatedNetworkOptions } from '../../src/connectors/sim/index.js';
import { createSimClock } from '../../src/connectors/sim/index.js';
import { createRandom } from '../../src/connectors/sim/random.js';
import { ID_PREFIX } from '../../src/domain/ids.js';
import type { IdGenerator } from '../../src/app/ids.js';
import type { DispatchPolicyInput } from '../../src/app/dispatch/index.js';
import type { InboundMessage, InboundSink } from '../../src/connectors/port.js';
import { orderIdOf } from '../../src/domain/order/index.js';
import type { TestServer } from './server.js';
import { startTestServer } from './server.js';

/**
 * Orderly over real HTTP with the simulated retail network (docs/simulators.md) in-process, on one
 * manual SimClock that is Orderly's clock too: nothing happens until the test lets simulated time
 * pass. The dispatcher's loop is stopped and driven pass by pass (`runOnce`), so a run is a
 * discrete-event simulation — the simulators' due tasks, the outbox's due messages and the
 * sweeper's sweeps, in time order — and no assertion depends on how fast the machine is. Ids, the
 * dispatcher's retry jitter and the simulators' faults all come from the seed, so a seed replays a
 * run driven one request at a time (not one with `concurrentReports` or concurrent requests).
 */
export interface SimWorld {
  readonly srv: TestServer;
  readonly network: SimulatedNetwork;
  readonly clock: SimClock;
  /** Does everything due now: deferred follow-ups, dispatcher passes, simulator tasks, until nothing is left. */
  settle(): Promise<unknown>;
  /**
   * Lets `ms` of simulated time pass, stopping at every simulator task and outbox message on the
   * way (or, with `minStepMs`, at most that often: what falls due in between runs in time order, and
   * the dispatcher looks at the end of the step, as a polling dispatcher would); sweeps every `sweepEveryMs`.
   */
  runFor(ms: number, options?: { readonly sweepEveryMs?: number; readonly minStepMs?: number }): Promise<void>;
  /**
   * Lets simulated time pass, event by event, until `done` holds (checked after every step);
   * throws if it does not within `limitMs`.
   */
  runUntil(what: string, done: () => Promise<boolean>, limitMs?: number): Promise<void>;
  /** One lifecycle sweep (SLA breaches, pickups not collected, closing), then settles what it set off. */
  sweep(): Promise<unknown>;
  /** Adds faults to one simulator on top of the world's own for it; the returned function takes them off again. */
  addFaults(connectorId: string, faults: SimFaultsInput): () => void;
  /** Reports whose real outcome was a failure or a rejection (`concurrentReports` only; a test asserts it empty). */
  readonly reportFailures: readonly string[];
  /** Dispatcher tallies summed over every pass (claims, retries, dead letters). */
  readonly tally: { claimed: number; dispatched: number; retried: number; deferred: number; dead: number; passes: number };
  close(): Promise<void>;
}

export interface SimWorldOptions {
  readonly seed?: number;
  /** Faults per connector id (`*` for the rest), as the network takes them. */
  readonly faults?: SimulatedNetworkOptions['faults'];
  readonly timings?: SimulatedNetworkOptions['timings'];
  /** A ruleset document to create and activate before anything is ordered. */
  readonly ruleset?: Record<string, unknown>;
  readonly env?: Record<string, string>;
  /** The dispatcher's policy (default: the service's). */
  readonly dispatchPolicy?: DispatchPolicyInput;
  /**
   * Reports of different orders reach Orderly concurrently, as webhooks from separate systems
   * would (so group commit batches them); each order's, and each node's stock reports, still one
   * at a time in the order the simulator sends them. The simulator hears "delivered" at once; the
   * real outcome is awaited by settle() and a failure or rejection kept in `reportFailures`.
   * Default: one report at a time, each awaited by the simulated clock.
   */
  readonly concurrentReports?: boolean;
}

/** Simulated time between sweeps while time passes (the service sweeps every 15 s; nothing here is that fine-grained). */
const DEFAULT_SWEEP_EVERY_MS = 3_600_000;
/** Longer than any test (and within setInterval's range). */
const NEVER_MS = 24 * 24 * 3_600_000;
/** An open breaker keeps due messages unclaimed until its probe: time is nudged forward by this much. */
const BREAKER_STEP_MS = 5_000;

export async function startSimWorld(store: 'sqlite' | 'postgres', options: SimWorldOptions = {}): Promise<SimWorld> {
  const clock = createSimClock({ mode: 'manual' });
  const seed = options.seed ?? 1;
  const jitter = createRandom(seed);
  const srv = await startTestServer(
    store,
    { ORDERLY_SIMULATORS: 'on', ...options.env },
    {
      clock,
      network: { mode: 'in-process', clock, seed, runId: 'w1', timings: options.timings ?? {}, ...(options.faults ? { faults: options.faults } : {}) },
      newId: countingIds(),
      random: () => jitter.next(),
      // Sweeps happen on simulated time (runFor), never on a real timer in the middle of a step.
      sweepIntervalMs: NEVER_MS,
      ...(options.dispatchPolicy ? { dispatchPolicy: options.dispatchPolicy } : {}),
    },
  );
  const { orderly } = srv;
  const network = orderly.network!;
  // The loop runs on real timers; the world drives the dispatcher pass by pass on simulated time instead.
  await orderly.dispatcher.stop();
  const tally = { claimed: 0, dispatched: 0, retried: 0, deferred: 0, dead: 0, passes: 0 };
  const reportFailures: string[] = [];
  const reports = options.concurrentReports ? concurrentSink(orderly.inbound, reportFailures) : undefined;
  if (reports) network.reportTo({ kind: 'sink', sink: reports.sink });
  const base = new Map<string, SimFaultsInput>();
  const baseFaults = (id: string): SimFaultsInput => base.get(id) ?? options.faults?.[id] ?? options.faults?.['*'] ?? {};

  if (options.ruleset) {
    const created = await srv.api('/v1/rulesets', { body: options.ruleset });
    if (created.status !== 201) throw new Error(`ruleset refused: ${JSON.stringify(created.body)}`);
    const activated = await srv.api(`/v1/rulesets/${created.body.version as number}/activate`, { body: {} });
    if (activated.status !== 200) throw new Error(`ruleset not activated: ${JSON.stringify(activated.body)}`);
  }

  /**
   * Runs what is due now until nothing is: the simulators' tasks, dispatcher passes while a message
   * is claimable, and what they set off. Answers when the outbox's next message is due (as the
   * store says once everything has settled), for the caller's next step.
   */
  const settle = async (): Promise<number | undefined> => {
    for (let pass = 0; ; pass++) {
      if (pass > 100_000) throw new Error('the world did not settle');
      await reports?.idle();
      await orderly.sweeper.idle();
      const due = await orderly.store.nextOutboxDue({});
      const outboxNext = due === undefined ? undefined : Date.parse(due);
      const outboxNow = outboxNext !== undefined && outboxNext <= clock.nowMs();
      const simNow = (clock.pending()[0]?.at ?? Infinity) <= clock.nowMs();
      if (!outboxNow && !simNow) return outboxNext;
      if (outboxNow) {
        // One claim per connector, each up to its free slots: only worth it when something is due.
        const r = await orderly.dispatcher.runOnce();
        tally.passes++;
        tally.claimed += r.claimed;
        tally.dispatched += r.dispatched;
        tally.retried += r.retried;
        tally.deferred += r.deferred;
        tally.dead += r.dead;
        // Due but not claimable (an open breaker): the caller moves time on.
        if (r.claimed === 0 && !simNow) return outboxNext;
      }
      if (simNow) await clock.tick();
    }
  };

  const sweep = async (): Promise<number | undefined> => {
    await settle();
    await orderly.sweeper.sweep();
    return settle();
  };

  /** The next moment anything is due: a simulator task, or an outbox message (nudged past an open breaker). */
  const nextDue = (outboxNext: number | undefined): number | undefined => {
    const now = clock.nowMs();
    const sim = clock.pending()[0]?.at;
    const outbox = outboxNext === undefined ? undefined : Math.max(outboxNext, now + (outboxNext <= now ? BREAKER_STEP_MS : 0));
    const times = [sim, outbox].filter((t): t is number => t !== undefined);
    return times.length > 0 ? Math.min(...times) : undefined;
  };

  /** Steps through simulated time to `end`, sweeping every `sweepEvery`; stops early when `stop` holds. */
  const run = async (end: number, sweepEvery: number, stop?: () => Promise<boolean>, minStep = 0): Promise<boolean> => {
    let nextSweep = clock.nowMs() + sweepEvery;
    let outboxNext = await settle();
    for (;;) {
      if (stop && (await stop())) return true;
      if (clock.nowMs() >= end) return false;
      const step = Math.min(Math.max(nextDue(outboxNext) ?? Infinity, clock.nowMs() + minStep), nextSweep, end);
      if (step > clock.nowMs()) await clock.advance(step - clock.nowMs());
      outboxNext = await settle();
      if (clock.nowMs() >= nextSweep) {
        outboxNext = await sweep();
        nextSweep = clock.nowMs() + sweepEvery;
      }
    }
  };

  const runFor = async (ms: number, runOptions: { sweepEveryMs?: number; minStepMs?: number } = {}): Promise<void> => {
    await run(clock.nowMs() + ms, runOptions.sweepEveryMs ?? DEFAULT_SWEEP_EVERY_MS, undefined, runOptions.minStepMs ?? 0);
  };

  const runUntil = async (what: string, done: () => Promise<boolean>, limitMs = 24 * 3_600_000): Promise<void> => {
    const started = clock.now();
    if (!(await run(clock.nowMs() + limitMs, DEFAULT_SWEEP_EVERY_MS, done))) throw new Error(`${what}: not reached within ${limitMs} ms of simulated time from ${started}`);
  };

  return {
    srv,
    network,
    clock,
    settle,
    runFor,
    runUntil,
    sweep,
    addFaults(connectorId, faults) {
      const sim = network.simulator(connectorId);
      if (!sim) throw new Error(`no simulator ${connectorId}`);
      const before = baseFaults(connectorId);
      base.set(connectorId, before);
      sim.setFaults({ ...before, ...faults });
      return () => sim.setFaults(before);
    },
    reportFailures,
    tally,
    async close() {
      await srv.close();
      clock.close();
    },
  };
}

/** Ids in creation order, the same in every run: `ord_` + 32 hex digits of a counter. */
function countingIds(): IdGenerator {
  let n = 0;
  return (kind) => `${ID_PREFIX[kind]}${(++n).toString(16).padStart(32, '0')}`;
}

/** An InboundSink that applies different orders' reports concurrently and each order's in turn (see `concurrentReports`). */
function concurrentSink(sink: InboundSink, failures: string[]): { sink: InboundSink; idle(): Promise<void> } {
  const chains = new Map<string, Promise<void>>();
  const inFlight = new Set<Promise<void>>();
  const keyOf = (m: InboundMessage): string =>
    'fulfillmentId' in m ? (orderIdOf(m.fulfillmentId) ?? m.fulfillmentId)
    : 'returnId' in m ? (orderIdOf(m.returnId) ?? m.returnId)
    : 'orderId' in m ? m.orderId
    : 'nodeId' in m ? `node:${m.nodeId}`
    : m.type;
  return {
    sink: {
      receive(message, source) {
        const key = keyOf(message);
        const what = `${source.system} ${source.messageId} (${message.type})`;
        const run = (chains.get(key) ?? Promise.resolve())
          .then(() => sink.receive(message, source))
          .then(
            (outcome) => {
              if (outcome.status === 'rejected') failures.push(`${what}: rejected ${outcome.code}: ${outcome.message}`);
            },
            (err: unknown) => {
              failures.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
            },
          );
        chains.set(key, run);
        inFlight.add(run);
        void run.finally(() => {
          inFlight.delete(run);
          if (chains.get(key) === run) chains.delete(key);
        });
        return Promise.resolve({ status: 'applied' });
      },
      quarantine: (input) => sink.quarantine(input),
    },
    async idle() {
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
  };
}
