/**
 * The simulators' time and their queue of due work. `manual` (tests): time stands still until
 * `advance(ms)` or `tick()` moves it, and due tasks run in time order, one at a time, awaited —
 * nothing depends on how loaded the machine is. `real` (demos): tasks run on timers, and
 * `advance(ms)` jumps ahead.
 */
export interface SimClock {
  readonly mode: 'manual' | 'real';
  nowMs(): number;
  /** RFC 3339, so the clock also serves as Orderly's `Clock`. */
  now(): string;
  /** Milliseconds since the clock started: outage windows are written in it. */
  elapsedMs(): number;
  /** Runs `task` once `delayMs` have passed; tasks due at the same time run in the order scheduled. */
  schedule(delayMs: number, label: string, task: () => void | Promise<void>): void;
  /** Moves time forward by `ms`, running every task that falls due on the way. */
  advance(ms: number): Promise<void>;
  /** Runs the tasks due now (including those they schedule for now). */
  tick(): Promise<void>;
  /** Advances to each next task until none is left within `limitMs` (default a week). */
  runUntilIdle(limitMs?: number): Promise<void>;
  pending(): readonly { readonly at: number; readonly label: string }[];
  /** Tasks that threw: the loop carries on, and tests can assert there were none. */
  failures(): readonly { readonly label: string; readonly error: unknown }[];
  close(): void;
}

export interface SimClockOptions {
  readonly mode?: 'manual' | 'real';
  /** Manual mode starts here (default 2026-11-25T09:00:00Z); real mode starts now. */
  readonly startAt?: string;
}

interface Task {
  readonly at: number;
  readonly seq: number;
  readonly label: string;
  readonly run: () => void | Promise<void>;
}

const WEEK_MS = 7 * 24 * 3600 * 1000;

export function createSimClock(options: SimClockOptions = {}): SimClock {
  const mode = options.mode ?? 'manual';
  const startMs = mode === 'manual' ? Date.parse(options.startAt ?? '2026-11-25T09:00:00Z') : Date.now();
  if (Number.isNaN(startMs)) throw new Error(`startAt is not a date: ${options.startAt}`);
  let current = startMs; // manual mode's time
  let skew = 0; // real mode: how far advance() has jumped ahead
  let seq = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const queue: Task[] = [];
  const failures: { label: string; error: unknown }[] = [];
  // One runner at a time: advance(), tick() and timers take turns.
  let chain: Promise<void> = Promise.resolve();

  const nowMs = () => (mode === 'manual' ? current : Date.now() + skew);

  const serially = (work: () => Promise<void>): Promise<void> => {
    const run = chain.then(work);
    chain = run.catch(() => undefined);
    return run;
  };

  async function runDue(target: number): Promise<void> {
    for (;;) {
      const next = queue[0];
      if (!next || next.at > target || closed) break;
      queue.shift();
      if (mode === 'manual') current = Math.max(current, next.at);
      try {
        await next.run();
      } catch (error) {
        failures.push({ label: next.label, error });
      }
    }
    arm();
  }

  function arm(): void {
    if (mode !== 'real' || closed) return;
    if (timer) clearTimeout(timer);
    timer = undefined;
    const next = queue[0];
    if (!next) return;
    timer = setTimeout(() => void serially(() => runDue(nowMs())), Math.max(0, next.at - nowMs()));
    timer.unref();
  }

  return {
    mode,
    nowMs,
    now: () => new Date(nowMs()).toISOString(),
    elapsedMs: () => nowMs() - startMs,
    schedule(delayMs, label, run) {
      if (closed) return;
      const task: Task = { at: nowMs() + Math.max(0, delayMs), seq: seq++, label, run };
      // Keep the queue sorted by (at, seq): binary search for the first later task.
      let lo = 0;
      let hi = queue.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((queue[mid] as Task).at <= task.at) lo = mid + 1;
        else hi = mid;
      }
      queue.splice(lo, 0, task);
      if (lo === 0) arm();
    },
    advance(ms) {
      if (!(ms >= 0)) return Promise.reject(new Error('advance(ms) needs ms ≥ 0'));
      return serially(async () => {
        if (mode === 'real') skew += ms;
        const target = nowMs() + (mode === 'manual' ? ms : 0);
        await runDue(target);
        if (mode === 'manual') current = Math.max(current, target);
      });
    },
    tick() {
      return serially(() => runDue(nowMs()));
    },
    runUntilIdle(limitMs = WEEK_MS) {
      return serially(async () => {
        const limit = nowMs() + limitMs;
        while (queue[0] && queue[0].at <= limit && !closed) {
          if (mode === 'real') skew += Math.max(0, queue[0].at - nowMs());
          await runDue(mode === 'manual' ? queue[0].at : nowMs());
        }
      });
    },
    pending: () => queue.map((t) => ({ at: t.at, label: t.label })),
    failures: () => failures,
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      queue.length = 0;
    },
  };
}
