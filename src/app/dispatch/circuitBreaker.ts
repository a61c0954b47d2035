import { integerProblem } from './integerProblem.js';

/**
 * The circuit breaker of one connector as a pure state machine over plain data; times are epoch
 * milliseconds passed in.
 *
 *   closed ──(N failures in a row, or failure share ≥ rate over the window)──▶ open
 *   open ──(cooldown passed; one call admitted as the probe)──▶ half_open
 *   half_open ──probe succeeds──▶ closed        half_open ──probe fails──▶ open (cooldown again)
 *
 * A "success" is any answer from the target, business refusals included: a target that says
 * "unknown SKU" is up, so business errors never trip the breaker.
 */
export interface BreakerPolicy {
  /** Open after this many failures in a row. */
  readonly consecutiveFailures: number;
  /** Open when failures are at least this share (0–1] of the calls in the window… */
  readonly failureRate: number;
  /** …once the window holds at least this many calls. */
  readonly minimumCalls: number;
  readonly windowMs: number;
  /** How long an open breaker waits before admitting one probe. */
  readonly cooldownMs: number;
}

export const DEFAULT_BREAKER_POLICY: BreakerPolicy = { consecutiveFailures: 5, failureRate: 0.5, minimumCalls: 20, windowMs: 60_000, cooldownMs: 30_000 };

/** The window is kept as a few counting buckets, so its size does not grow with traffic. */
const BUCKETS = 10;
interface Bucket {
  readonly start: number;
  readonly ok: number;
  readonly failed: number;
}

export type BreakerState =
  | { readonly status: 'closed'; readonly consecutive: number; readonly buckets: readonly Bucket[] }
  | { readonly status: 'open'; readonly openedAt: number; readonly probeAt: number }
  | { readonly status: 'half_open'; readonly probeSince: number };

export type BreakerStatus = BreakerState['status'];
export type CallOutcome = 'success' | 'failure';

export const CLOSED: BreakerState = { status: 'closed', consecutive: 0, buckets: [] };

/** Whether a call may start now (without changing anything). */
export function canCall(state: BreakerState, now: number): boolean {
  return state.status === 'closed' || (state.status === 'open' && now >= state.probeAt);
}

/** Starts a call if the breaker lets it: an open breaker past its cooldown admits it as the probe. */
export function admit(state: BreakerState, now: number): { readonly admitted: boolean; readonly state: BreakerState } {
  if (state.status === 'closed') return { admitted: true, state };
  if (state.status === 'open' && now >= state.probeAt) return { admitted: true, state: { status: 'half_open', probeSince: now } };
  return { admitted: false, state };
}

/** Records how an admitted call ended. Late results of calls started before the breaker opened change nothing. */
export function record(state: BreakerState, outcome: CallOutcome, now: number, policy: BreakerPolicy): BreakerState {
  switch (state.status) {
    case 'half_open':
      return outcome === 'success' ? CLOSED : open(now, policy);
    case 'open':
      return state;
    case 'closed': {
      const buckets = addToWindow(state.buckets, outcome, now, policy.windowMs);
      const consecutive = outcome === 'failure' ? state.consecutive + 1 : 0;
      const calls = buckets.reduce((n, b) => n + b.ok + b.failed, 0);
      const failed = buckets.reduce((n, b) => n + b.failed, 0);
      const tripped = consecutive >= policy.consecutiveFailures || (calls >= policy.minimumCalls && failed / calls >= policy.failureRate);
      return tripped ? open(now, policy) : { status: 'closed', consecutive, buckets };
    }
  }
}

/** When an open breaker admits its probe; undefined unless open. */
export const probeTime = (state: BreakerState): number | undefined => (state.status === 'open' ? state.probeAt : undefined);

const open = (now: number, policy: BreakerPolicy): BreakerState => ({ status: 'open', openedAt: now, probeAt: now + policy.cooldownMs });

function addToWindow(buckets: readonly Bucket[], outcome: CallOutcome, now: number, windowMs: number): Bucket[] {
  const width = Math.max(1, Math.ceil(windowMs / BUCKETS));
  const start = now - (now % width);
  const kept = buckets.filter((b) => b.start > now - windowMs && b.start <= now);
  const last = kept.at(-1);
  const add = (b: Bucket): Bucket => (outcome === 'success' ? { ...b, ok: b.ok + 1 } : { ...b, failed: b.failed + 1 });
  if (last && last.start === start) return [...kept.slice(0, -1), add(last)];
  return [...kept, add({ start, ok: 0, failed: 0 })];
}

/** What is wrong with a policy, one line per field; empty when it is usable. */
export function breakerPolicyProblems(policy: BreakerPolicy, where = 'breaker'): string[] {
  return [
    ...integerProblem(`${where}.consecutiveFailures`, policy.consecutiveFailures, 1),
    ...integerProblem(`${where}.minimumCalls`, policy.minimumCalls, 1),
    ...integerProblem(`${where}.windowMs`, policy.windowMs, 1),
    ...integerProblem(`${where}.cooldownMs`, policy.cooldownMs, 0),
    ...(policy.failureRate > 0 && policy.failureRate <= 1 ? [] : [`${where}.failureRate must be in (0, 1], not ${String(policy.failureRate)}`]),
  ];
}
