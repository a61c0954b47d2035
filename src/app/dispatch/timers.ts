/** Timers are passed in, so tests drive the dispatcher with a fake clock instead of waiting. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export type CallResult<T> =
  | { readonly ok: true; readonly value: T }
  /** `timedOut`: the deadline passed first; `error` is what the call threw during its grace, if anything. */
  | { readonly ok: false; readonly error: unknown; readonly timedOut: boolean };

const DEADLINE = Symbol('deadline');

/**
 * Runs a connector call with a deadline. When it passes, the call's signal is aborted and the call
 * gets `graceMs` more to finish or to say how it failed; a call that ignores the signal is left
 * behind (its late result is dropped, never unhandled).
 */
export async function callWithDeadline<T>(timers: Timers, deadlineMs: number, graceMs: number, call: (signal: AbortSignal) => Promise<T>): Promise<CallResult<T>> {
  const controller = new AbortController();
  let promise: Promise<T>;
  try {
    promise = Promise.resolve(call(controller.signal));
  } catch (error) {
    promise = Promise.reject(error);
  }
  const settled = promise.then(
    (value): CallResult<T> => ({ ok: true, value }),
    (error: unknown): CallResult<T> => ({ ok: false, error, timedOut: false }),
  );
  const first = await raceTimer(timers, settled, deadlineMs);
  if (first !== DEADLINE) return first;
  controller.abort(new Error('the send deadline passed'));
  const late = await raceTimer(timers, settled, graceMs);
  if (late === DEADLINE) return { ok: false, error: undefined, timedOut: true };
  return late.ok ? late : { ok: false, error: late.error, timedOut: true };
}

async function raceTimer<R>(timers: Timers, promise: Promise<R>, ms: number): Promise<R | typeof DEADLINE> {
  let handle: unknown;
  const timer = new Promise<typeof DEADLINE>((resolve) => {
    handle = timers.setTimeout(() => resolve(DEADLINE), ms);
  });
  try {
    return await Promise.race([promise, timer]);
  } finally {
    timers.clearTimeout(handle);
  }
}
