import type { SimClock, SimFaultsInput, SimulatedNetwork, SimulatedNetworkOptions } from '../../src/connectors/sim/index.js';
import { createSimClock } from '../../src/connectors/sim/index.js';
import { createRandom } from '../../src/connectors/sim/random.js';
import { ID_PREFIX } from '../../src/domain/ids.js';
import type { IdGenerator } from '../../src/app/ids.js';
import type { TestServer } from './server.js';
import { startTestServer } from './server.js';

/**
 * Orderly over real HTTP with the simulated retail network (docs/simulators.md) in-process, on one
 * manual SimClock that is Orderly's clock too: nothing happens until the test lets simulated time
 * pass. The dispatcher's loop is stopped and driven pass by pass (`runOnce`), so a run is a
 * discrete-event simulation — the simulators' due tasks, the outbox's due messages and the
 * sweeper's sweeps, in time order — and no assertion depends on how fast the machine is. Ids, the
 * dispatcher's retry jitter and the simulators' faults all come from the seed, so a seed replays a run.
 */
export interface SimWorld {
  readonly srv: TestServer;
  readonly network: SimulatedNetwork;
  readonly clock: SimClock;
  /** Does everything due now: deferred follow-ups, dispatcher passes, simulator tasks, until nothing is left. */
  settle(): Promise<void>;
  /** Lets `ms` of simulated time pass, stopping at every simulator task and outbox message on the way; sweeps every `sweepEveryMs`. */
  runFor(ms: number, options?: { readonly sweepEveryMs?: number }): Promise<void>;
  /**
   * Lets simulated time pass, event by event, until `done` holds (checked after every step);
   * throws if it does not within `limitMs`.
   */
  runUntil(what: string, done: () => Promise<boolean>, limitMs?: number): Promise<void>;
  /** One lifecycle sweep (SLA breaches, pickups not collected, closing), then settles what it set off. */
  sweep(): Promise<void>;
  /** Adds faults to one simulator on top of the world's own for it; the returned function takes them off again. */
  addFaults(connectorId: string, faults: SimFaultsInput): () => void;
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
    },
  );
  const { orderly } = srv;
  const network = orderly.network!;
  // The loop runs on real timers; the world drives the dispatcher pass by pass on simulated time instead.
  await orderly.dispatcher.stop();
  const tally = { claimed: 0, dispatched: 0, retried: 0, deferred: 0, dead: 0, passes: 0 };
  const base = new Map<string, SimFaultsInput>();
  const baseFaults = (id: string): SimFaultsInput => base.get(id) ?? options.faults?.[id] ?? options.faults?.['*'] ?? {};

  if (options.ruleset) {
    const created = await srv.api('/v1/rulesets', { body: options.ruleset });
    if (created.status !== 201) throw new Error(`ruleset refused: ${JSON.stringify(created.body)}`);
    const activated = await srv.api(`/v1/rulesets/${created.body.version as number}/activate`, { body: {} });
    if (activated.status !== 200) throw new Error(`ruleset not activated: ${JSON.stringify(activated.body)}`);
  }

  const settle = async (): Promise<void> => {
    for (let pass = 0; ; pass++) {
      if (pass > 100_000) throw new Error('the world did not settle');
      await orderly.sweeper.idle();
      const r = await orderly.dispatcher.runOnce();
      tally.passes++;
      tally.claimed += r.claimed;
      tally.dispatched += r.dispatched;
      tally.retried += r.retried;
      tally.deferred += r.deferred;
      tally.dead += r.dead;
      await clock.tick();
      await orderly.sweeper.idle();
      const simDue = (clock.pending()[0]?.at ?? Infinity) <= clock.nowMs();
      if (r.claimed === 0 && !simDue) return;
    }
  };

  const sweep = async (): Promise<void> => {
    await settle();
    await orderly.sweeper.sweep();
    await settle();
  };

  /** The next moment anything is due: a simulator task, or an outbox message (nudged past an open breaker). */
  const nextDue = async (): Promise<number | undefined> => {
    const now = clock.nowMs();
    const sim = clock.pending()[0]?.at;
    const due = await orderly.store.nextOutboxDue({});
    const outbox = due === undefined ? undefined : Math.max(Date.parse(due), now + BREAKER_STEP_MS * (Date.parse(due) <= now ? 1 : 0));
    const times = [sim, outbox].filter((t): t is number => t !== undefined);
    return times.length > 0 ? Math.min(...times) : undefined;
  };

  /** Steps through simulated time to `end`, sweeping every `sweepEvery`; stops early when `stop` holds. */
  const run = async (end: number, sweepEvery: number, stop?: () => Promise<boolean>): Promise<boolean> => {
    let nextSweep = clock.nowMs() + sweepEvery;
    await settle();
    for (;;) {
      if (stop && (await stop())) return true;
      if (clock.nowMs() >= end) return false;
      const due = await nextDue();
      const step = Math.min(due ?? Infinity, nextSweep, end);
      if (step > clock.nowMs()) await clock.advance(step - clock.nowMs());
      await settle();
      if (clock.nowMs() >= nextSweep) {
        await sweep();
        nextSweep = clock.nowMs() + sweepEvery;
      }
    }
  };

  const runFor = async (ms: number, runOptions: { sweepEveryMs?: number } = {}): Promise<void> => {
    await run(clock.nowMs() + ms, runOptions.sweepEveryMs ?? DEFAULT_SWEEP_EVERY_MS);
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
