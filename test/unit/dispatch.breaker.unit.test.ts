import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { BreakerPolicy, BreakerState } from '../../src/app/dispatch/circuitBreaker.js';
import { CLOSED, DEFAULT_BREAKER_POLICY, admit, breakerPolicyProblems, canCall, probeTime, record } from '../../src/app/dispatch/circuitBreaker.js';

const policy: BreakerPolicy = { consecutiveFailures: 3, failureRate: 0.5, minimumCalls: 10, windowMs: 10_000, cooldownMs: 5_000 };

/** Admits and records one call at `now`. */
const call = (s: BreakerState, outcome: 'success' | 'failure', now: number, p = policy): BreakerState => {
  const a = admit(s, now);
  expect(a.admitted).toBe(true);
  return record(a.state, outcome, now, p);
};

describe('circuit breaker', () => {
  it('opens after N failures in a row, admits one probe after the cooldown, and a successful probe closes it', () => {
    let s = CLOSED;
    s = call(s, 'failure', 0);
    s = call(s, 'failure', 1);
    expect(s.status).toBe('closed');
    s = call(s, 'failure', 2);
    expect(s).toEqual({ status: 'open', openedAt: 2, probeAt: 5_002 });
    expect(admit(s, 5_001)).toEqual({ admitted: false, state: s });
    expect(canCall(s, 5_001)).toBe(false);
    expect(canCall(s, 5_002)).toBe(true);
    const probe = admit(s, 5_002);
    expect(probe).toEqual({ admitted: true, state: { status: 'half_open', probeSince: 5_002 } });
    expect(admit(probe.state, 5_003).admitted).toBe(false); // one probe only
    expect(record(probe.state, 'success', 5_010, policy)).toBe(CLOSED);
  });

  it('a failed probe opens it again for another cooldown', () => {
    const open: BreakerState = { status: 'open', openedAt: 0, probeAt: 5_000 };
    const { state } = admit(open, 6_000);
    expect(record(state, 'failure', 6_100, policy)).toEqual({ status: 'open', openedAt: 6_100, probeAt: 11_100 });
  });

  it('a success resets the run of failures', () => {
    let s = CLOSED;
    for (let i = 0; i < 8; i++) s = call(s, i % 2 === 0 ? 'failure' : 'success', i);
    expect(s.status).toBe('closed');
  });

  it('opens on the failure rate over the window even without N failures in a row, and forgets calls older than the window', () => {
    // Two failures, one success, repeated: never three failures in a row, but two thirds fail.
    let s = CLOSED;
    let t = 0;
    for (let i = 0; i < 9; i++) s = call(s, i % 3 === 2 ? 'success' : 'failure', t++);
    expect(s.status).toBe('closed'); // 9 calls: below minimumCalls
    s = call(s, 'failure', t);
    expect(s.status).toBe('open');
    // The same failures spread beyond the window never reach the minimum number of calls.
    s = CLOSED;
    for (let i = 0; i < 30; i++) s = call(s, i % 3 === 2 ? 'success' : 'failure', i * 2_000);
    expect(s.status).toBe('closed');
  });

  it('late results of calls admitted before it opened change nothing', () => {
    const open: BreakerState = { status: 'open', openedAt: 10, probeAt: 5_010 };
    expect(record(open, 'success', 20, policy)).toBe(open);
    expect(record(open, 'failure', 20, policy)).toBe(open);
    expect(probeTime(open)).toBe(5_010);
    expect(probeTime(CLOSED)).toBeUndefined();
  });

  it('never admits a call while open before its probe time, admits at most one probe per opening, and its window stays small', () => {
    const step = fc.record({ dt: fc.integer({ min: 0, max: 3_000 }), outcome: fc.constantFrom<'success' | 'failure'>('success', 'failure'), finish: fc.boolean() });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 300 }), (steps) => {
        let s: BreakerState = CLOSED;
        let now = 0;
        let probing = false;
        for (const { dt, outcome, finish } of steps) {
          now += dt;
          const before = s;
          const a = admit(s, now);
          if (before.status === 'open') expect(a.admitted).toBe(now >= before.probeAt);
          if (before.status === 'half_open') expect(a.admitted).toBe(false);
          if (!a.admitted) continue;
          if (a.state.status === 'half_open') {
            expect(probing).toBe(false);
            probing = true;
          }
          s = a.state;
          // A probe may still be in flight at the next step (finish = false).
          if (finish || s.status !== 'half_open') {
            s = record(s, outcome, now, policy);
            if (s.status !== 'half_open') probing = false;
            if (before.status === 'open' && outcome === 'success') expect(s).toBe(CLOSED);
          }
          if (s.status === 'closed') expect(s.buckets.length).toBeLessThanOrEqual(11);
        }
      }),
    );
  });

  it('names every problem of a bad policy', () => {
    expect(breakerPolicyProblems(DEFAULT_BREAKER_POLICY)).toEqual([]);
    expect(breakerPolicyProblems({ consecutiveFailures: 0, failureRate: 0, minimumCalls: 1, windowMs: 0, cooldownMs: -1 })).toEqual([
      'breaker.consecutiveFailures must be an integer ≥ 1, not 0',
      'breaker.windowMs must be an integer ≥ 1, not 0',
      'breaker.cooldownMs must be an integer ≥ 0, not -1',
      'breaker.failureRate must be in (0, 1], not 0',
    ]);
  });
});
