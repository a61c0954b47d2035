import type { BreakerPolicy, BreakerState } from './circuitBreaker.js';
import { DEFAULT_BREAKER_POLICY, breakerPolicyProblems } from './circuitBreaker.js';
import type { RetryPolicy } from './retryPolicy.js';
import { DEFAULT_RETRY_POLICY, retryPolicyProblems } from './retryPolicy.js';
import { integerProblem } from './integerProblem.js';

/** How the dispatcher treats one connector. */
export interface ConnectorPolicy {
  readonly retry: RetryPolicy;
  readonly breaker: BreakerPolicy;
  /** Sends (and status queries) in flight at once to this connector. */
  readonly concurrency: number;
  /** The deadline of one send or status query. */
  readonly sendTimeoutMs: number;
  /**
   * After the deadline the call is aborted and the connector has this long to say how it failed
   * (a ConnectorError); past it, the send counts as timed out with no answer.
   */
  readonly abortGraceMs: number;
}

export interface DispatchPolicy {
  readonly defaults: ConnectorPolicy;
  readonly connectors: Readonly<Record<string, ConnectorPolicy>>;
  /** How long a claim holds a message; must outlast a send and a status query with their graces. */
  readonly leaseMs: number;
  /** The longest the loop sleeps with nothing due (other processes may write outbox rows). */
  readonly idlePollMs: number;
  /** How often depth, age and dead-letter gauges are refreshed and unroutable messages swept. */
  readonly statsIntervalMs: number;
}

type ConnectorPolicyInput = Partial<Omit<ConnectorPolicy, 'retry' | 'breaker'>> & {
  readonly retry?: Partial<RetryPolicy>;
  readonly breaker?: Partial<BreakerPolicy>;
};

/** What callers configure: anything left out takes the default; per-connector entries override the defaults. */
export interface DispatchPolicyInput {
  readonly defaults?: ConnectorPolicyInput;
  readonly connectors?: Readonly<Record<string, ConnectorPolicyInput>>;
  readonly leaseMs?: number;
  readonly idlePollMs?: number;
  readonly statsIntervalMs?: number;
}

export const DEFAULT_CONNECTOR_POLICY: ConnectorPolicy = {
  retry: DEFAULT_RETRY_POLICY,
  breaker: DEFAULT_BREAKER_POLICY,
  concurrency: 4,
  sendTimeoutMs: 30_000,
  abortGraceMs: 1_000,
};

const merge = (base: ConnectorPolicy, over: ConnectorPolicyInput = {}): ConnectorPolicy => ({
  ...base,
  ...over,
  retry: { ...base.retry, ...over.retry },
  breaker: { ...base.breaker, ...over.breaker },
});

/** The policy with defaults filled in, or every problem with it (one line each). */
export function resolveDispatchPolicy(input: DispatchPolicyInput = {}): { ok: true; policy: DispatchPolicy } | { ok: false; problems: string[] } {
  const defaults = merge(DEFAULT_CONNECTOR_POLICY, input.defaults);
  const connectors = Object.fromEntries(Object.entries(input.connectors ?? {}).map(([id, over]) => [id, merge(defaults, over)]));
  const all: [string, ConnectorPolicy][] = [['defaults', defaults], ...Object.entries(connectors).map(([id, p]): [string, ConnectorPolicy] => [`connectors.${id}`, p])];
  // Two calls (a send, then a status query after its timeout) must fit in one lease, with room to settle.
  const longestCalls = Math.max(...all.map(([, p]) => 2 * (p.sendTimeoutMs + p.abortGraceMs)));
  const policy: DispatchPolicy = {
    defaults,
    connectors,
    leaseMs: input.leaseMs ?? Math.max(300_000, longestCalls + 60_000),
    idlePollMs: input.idlePollMs ?? 1_000,
    statsIntervalMs: input.statsIntervalMs ?? 5_000,
  };
  const problems: string[] = [];
  for (const [where, p] of all) {
    problems.push(...retryPolicyProblems(p.retry, `${where}.retry`), ...breakerPolicyProblems(p.breaker, `${where}.breaker`));
    problems.push(
      ...integerProblem(`${where}.concurrency`, p.concurrency, 1),
      ...integerProblem(`${where}.sendTimeoutMs`, p.sendTimeoutMs, 1),
      ...integerProblem(`${where}.abortGraceMs`, p.abortGraceMs, 0),
    );
  }
  for (const name of ['leaseMs', 'idlePollMs', 'statsIntervalMs'] as const) problems.push(...integerProblem(name, policy[name], 1));
  if (problems.length === 0 && policy.leaseMs <= longestCalls) {
    problems.push(`leaseMs (${policy.leaseMs}) must exceed twice the longest sendTimeoutMs + abortGraceMs (${longestCalls}): a lease must outlast a send and a status query`);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, policy };
}

export const policyFor = (policy: DispatchPolicy, connectorId: string): ConnectorPolicy => policy.connectors[connectorId] ?? policy.defaults;

/**
 * How many messages the dispatcher may claim for a connector now: free concurrency while the
 * breaker is closed; one probe, when nothing is in flight, once an open breaker's cooldown is over;
 * none otherwise. Claiming no more than can start at once means a claimed message is being sent,
 * so a lease that runs out really means a worker died mid-send.
 */
export function claimSlots(input: { readonly concurrency: number; readonly inFlight: number; readonly breaker: BreakerState; readonly now: number }): number {
  switch (input.breaker.status) {
    case 'closed':
      return Math.max(0, input.concurrency - input.inFlight);
    case 'open':
      return input.now >= input.breaker.probeAt && input.inFlight === 0 ? 1 : 0;
    case 'half_open':
      return 0;
  }
}
