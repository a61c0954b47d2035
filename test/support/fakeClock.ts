import type { Clock } from '../../src/app/clock.js';
import type { Timers } from '../../src/app/dispatch/timers.js';

/** Lets every pending promise and I/O callback run (the store's and the dispatcher's). */
export async function flush(turns = 10): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
}

/**
 * A clock and timers that move only when told: no test waits for real time, and a timeout of
 * 30 s costs nothing.
 */
export function createFakeClock(startMs: number) {
  let now = startMs;
  let seq = 0;
  const pending = new Map<number, { at: number; fn: () => void }>();
  const earliest = () => [...pending.entries()].sort(([a, x], [b, y]) => x.at - y.at || a - b)[0];

  const clock: Clock = { now: () => new Date(now).toISOString() };
  const timers: Timers = {
    setTimeout(fn, ms) {
      const id = ++seq;
      pending.set(id, { at: now + Math.max(0, ms), fn });
      return id;
    },
    clearTimeout(handle) {
      pending.delete(handle as number);
    },
  };

  /** Fires the earliest timer, moving the clock to it; false when none is pending. */
  const fireNext = (): boolean => {
    const next = earliest();
    if (!next) return false;
    pending.delete(next[0]);
    now = Math.max(now, next[1].at);
    next[1].fn();
    return true;
  };

  return {
    clock,
    timers,
    nowMs: () => now,
    /** Moves the clock forward (never back) without firing timers. */
    set(ms: number) {
      now = Math.max(now, ms);
    },
    pendingTimers: () => pending.size,
    /** Fires, in time order, every timer due up to `ms`, letting promises run after each. */
    async advanceTo(ms: number) {
      await flush();
      for (let next = earliest(); next && next[1].at <= ms; next = earliest()) {
        fireNext();
        await flush();
      }
      now = Math.max(now, ms);
    },
    /**
     * Awaits `promise`, firing timers one at a time whenever nothing else can move (a send
     * waiting for its deadline, a sleep): the clock jumps straight to the next timer. With a
     * networked store, `ioWaitMs` of real time is given to pending I/O before a timer is fired.
     */
    async settle<T>(promise: Promise<T>, options: { ioWaitMs?: number } = {}): Promise<T> {
      let done = false;
      const watched = promise.finally(() => {
        done = true;
      });
      const io = options.ioWaitMs ?? 0;
      for (let idle = 0; !done; ) {
        await flush();
        if (io > 0 && !done) await new Promise((r) => setTimeout(r, io));
        if (done) break;
        if (fireNext()) idle = 0;
        else if (++idle > (io > 0 ? 5_000 / io : 50)) throw new Error('fake clock: the promise waits for something that is not a timer');
      }
      return watched;
    },
  };
}
export type FakeClock = ReturnType<typeof createFakeClock>;
