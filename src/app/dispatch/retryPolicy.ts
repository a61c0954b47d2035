import { integerProblem } from './integerProblem.js';

/**
 * Retry policy as data (DESIGN §5): exponential backoff with full jitter, inside a time budget
 * counted from the first attempt. Pure: the random source is passed in.
 */
export interface RetryPolicy {
  /** Attempts in all, the first one included; 1 = never retry. */
  readonly maxAttempts: number;
  /** Ceiling of the first retry's delay; it doubles per attempt. */
  readonly baseDelayMs: number;
  /** Cap of any one delay, and of an honoured Retry-After. */
  readonly maxDelayMs: number;
  /** No retry is scheduled later than this after the first attempt. */
  readonly budgetMs: number;
}

/**
 * A warehouse system down for an afternoon must not turn its orders into dead letters: attempts
 * back off to 5 minutes and are tried for up to 6 hours. (While a connector's breaker is open its
 * messages wait without attempts; each half-open probe is one attempt of one message.)
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 60, baseDelayMs: 1_000, maxDelayMs: 300_000, budgetMs: 6 * 3_600_000 };

export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number }
  | { readonly retry: false; readonly reason: 'attempts' | 'budget' };

export interface RetryInput {
  /** Attempts made so far, the one that just failed included (≥ 1). */
  readonly attempt: number;
  /** Time from the first attempt to now. */
  readonly elapsedMs: number;
  /** The target's Retry-After, if it sent one. */
  readonly retryAfterMs?: number;
}

/** The backoff ceiling before jitter: baseDelayMs · 2^(attempt − 1), capped at maxDelayMs. */
export function backoffCeiling(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(Math.max(attempt - 1, 0), 64));
}

/**
 * Whether and when to try again. Full jitter (a uniform delay in [0, ceiling]) spreads the retries
 * of many messages that failed together; a Retry-After is a floor on the delay, capped at
 * maxDelayMs so a target cannot park a message for days. A retry that would land past the budget
 * is not scheduled.
 */
export function nextRetry(policy: RetryPolicy, input: RetryInput, random: () => number): RetryDecision {
  if (input.attempt >= policy.maxAttempts) return { retry: false, reason: 'attempts' };
  const ceiling = backoffCeiling(policy, input.attempt);
  const r = Math.min(Math.max(random(), 0), 1);
  const jittered = Math.min(ceiling, Math.floor(r * (ceiling + 1)));
  const floor = input.retryAfterMs !== undefined && Number.isFinite(input.retryAfterMs) ? Math.min(Math.max(input.retryAfterMs, 0), policy.maxDelayMs) : 0;
  const delayMs = Math.max(jittered, Math.ceil(floor));
  if (Math.max(input.elapsedMs, 0) + delayMs > policy.budgetMs) return { retry: false, reason: 'budget' };
  return { retry: true, delayMs };
}

/** What is wrong with a policy, one line per field; empty when it is usable. */
export function retryPolicyProblems(policy: RetryPolicy, where = 'retry'): string[] {
  const problems = [
    ...integerProblem(`${where}.maxAttempts`, policy.maxAttempts, 1),
    ...integerProblem(`${where}.baseDelayMs`, policy.baseDelayMs, 0),
    ...integerProblem(`${where}.maxDelayMs`, policy.maxDelayMs, 0),
    ...integerProblem(`${where}.budgetMs`, policy.budgetMs, 0),
  ];
  if (problems.length === 0 && policy.maxDelayMs < policy.baseDelayMs) problems.push(`${where}.maxDelayMs must be ≥ baseDelayMs`);
  return problems;
}
