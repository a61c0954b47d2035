import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { RetryPolicy } from '../../src/app/dispatch/retryPolicy.js';
import { DEFAULT_RETRY_POLICY, backoffCeiling, nextRetry, retryPolicyProblems } from '../../src/app/dispatch/retryPolicy.js';
import { MAX_FAILURE_MESSAGE, classifyFailure } from '../../src/app/dispatch/classifyFailure.js';
import { claimSlots, resolveDispatchPolicy } from '../../src/app/dispatch/dispatchPolicy.js';
import { CLOSED } from '../../src/app/dispatch/circuitBreaker.js';
import { ConnectorError } from '../../src/connectors/port.js';
import { seededRandom } from '../support/random.js';

const policyArb: fc.Arbitrary<RetryPolicy> = fc
  .record({
    maxAttempts: fc.integer({ min: 1, max: 30 }),
    baseDelayMs: fc.integer({ min: 0, max: 10_000 }),
    extra: fc.integer({ min: 0, max: 600_000 }),
    budgetMs: fc.integer({ min: 0, max: 10_000_000 }),
  })
  .map(({ extra, ...p }) => ({ ...p, maxDelayMs: p.baseDelayMs + extra }));
const randomArb = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe('retry policy', () => {
  it('a delay is within [0, maxDelayMs], never past the budget, and never before a (capped) Retry-After', () => {
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 20_000_000 }), fc.option(fc.integer({ min: -5, max: 10_000_000 }), { nil: undefined }), randomArb, (policy, attempt, elapsedMs, retryAfterMs, r) => {
        const d = nextRetry(policy, { attempt, elapsedMs, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) }, () => r);
        if (attempt >= policy.maxAttempts) {
          expect(d).toEqual({ retry: false, reason: 'attempts' });
          return;
        }
        if (!d.retry) {
          expect(d.reason).toBe('budget');
          return;
        }
        expect(d.delayMs).toBeGreaterThanOrEqual(0);
        expect(d.delayMs).toBeLessThanOrEqual(policy.maxDelayMs);
        expect(elapsedMs + d.delayMs).toBeLessThanOrEqual(policy.budgetMs);
        if (retryAfterMs !== undefined) expect(d.delayMs).toBeGreaterThanOrEqual(Math.min(Math.max(retryAfterMs, 0), policy.maxDelayMs));
        else expect(d.delayMs).toBeLessThanOrEqual(backoffCeiling(policy, attempt));
      }),
    );
  });

  it('a message failing forever gets at most maxAttempts attempts, all inside the budget', () => {
    fc.assert(
      fc.property(policyArb, fc.integer(), (policy, seed) => {
        const random = seededRandom(seed);
        let elapsed = 0;
        let attempts = 1;
        for (;;) {
          const d = nextRetry(policy, { attempt: attempts, elapsedMs: elapsed }, random);
          if (!d.retry) break;
          elapsed += d.delayMs;
          attempts += 1;
        }
        expect(attempts).toBeLessThanOrEqual(policy.maxAttempts);
        expect(elapsed).toBeLessThanOrEqual(policy.budgetMs);
      }),
    );
  });

  it('jitter is deterministic under a seeded random source, and full: it spans 0 to the ceiling', () => {
    const series = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 11 }, (_, i) => nextRetry(DEFAULT_RETRY_POLICY, { attempt: i + 1, elapsedMs: 0 }, random));
    };
    expect(series(42)).toEqual(series(42));
    expect(series(42)).not.toEqual(series(43));
    expect(nextRetry(DEFAULT_RETRY_POLICY, { attempt: 3, elapsedMs: 0 }, () => 0)).toEqual({ retry: true, delayMs: 0 });
    expect(nextRetry(DEFAULT_RETRY_POLICY, { attempt: 3, elapsedMs: 0 }, () => 0.9999999)).toEqual({ retry: true, delayMs: 4_000 });
    // A random source out of range is clamped rather than trusted.
    expect(nextRetry(DEFAULT_RETRY_POLICY, { attempt: 1, elapsedMs: 0 }, () => 7)).toEqual({ retry: true, delayMs: 1_000 });
  });

  it('the ceiling doubles per attempt up to the cap; Retry-After is honoured but capped', () => {
    expect([1, 2, 3, 4, 10, 11, 500].map((a) => backoffCeiling(DEFAULT_RETRY_POLICY, a))).toEqual([1_000, 2_000, 4_000, 8_000, 300_000, 300_000, 300_000]);
    expect(nextRetry(DEFAULT_RETRY_POLICY, { attempt: 1, elapsedMs: 0, retryAfterMs: 120_000 }, () => 0)).toEqual({ retry: true, delayMs: 120_000 });
    expect(nextRetry(DEFAULT_RETRY_POLICY, { attempt: 1, elapsedMs: 0, retryAfterMs: 86_400_000 }, () => 0)).toEqual({ retry: true, delayMs: 300_000 });
    expect(nextRetry({ ...DEFAULT_RETRY_POLICY, budgetMs: 60_000 }, { attempt: 1, elapsedMs: 0, retryAfterMs: 120_000 }, () => 0)).toEqual({ retry: false, reason: 'budget' });
  });

  it('names every problem of a bad policy', () => {
    expect(retryPolicyProblems(DEFAULT_RETRY_POLICY)).toEqual([]);
    expect(retryPolicyProblems({ maxAttempts: 0, baseDelayMs: -1, maxDelayMs: 1.5, budgetMs: Number.NaN })).toEqual([
      'retry.maxAttempts must be an integer ≥ 1, not 0',
      'retry.baseDelayMs must be an integer ≥ 0, not -1',
      'retry.maxDelayMs must be an integer ≥ 0, not 1.5',
      'retry.budgetMs must be an integer ≥ 0, not NaN',
    ]);
    expect(retryPolicyProblems({ ...DEFAULT_RETRY_POLICY, maxDelayMs: 10 })).toEqual(['retry.maxDelayMs must be ≥ baseDelayMs']);
  });
});

describe('error classification', () => {
  const plain = { timedOut: false, deduplicates: false };
  it('keeps a ConnectorError’s kind, code and Retry-After', () => {
    expect(classifyFailure(new ConnectorError('transient', 'http_503', 'Service Unavailable', 2_000), plain)).toEqual({ kind: 'transient', code: 'http_503', message: 'Service Unavailable', retryAfterMs: 2_000 });
    expect(classifyFailure(new ConnectorError('business', 'unknown_sku', 'SKU X unknown'), plain)).toEqual({ kind: 'business', code: 'unknown_sku', message: 'SKU X unknown' });
    expect(classifyFailure(new ConnectorError('ambiguous', 'timeout', 'read timed out'), plain)).toMatchObject({ kind: 'ambiguous' });
    expect(classifyFailure(new ConnectorError('transient', 'rate_limited', '429', -5), plain)).not.toHaveProperty('retryAfterMs');
  });

  it('an ambiguous failure is transient when the target deduplicates (resending is safe)', () => {
    expect(classifyFailure(new ConnectorError('ambiguous', 'timeout', 't'), { timedOut: false, deduplicates: true })).toMatchObject({ kind: 'transient', code: 'timeout' });
  });

  it('a send with no answer by the deadline is ambiguous, or transient for a deduplicating target', () => {
    expect(classifyFailure(new Error('aborted'), { timedOut: true, deduplicates: false })).toMatchObject({ kind: 'ambiguous', code: 'timeout' });
    expect(classifyFailure(undefined, { timedOut: true, deduplicates: true })).toMatchObject({ kind: 'transient', code: 'timeout' });
    // …unless the connector said how it failed: a timeout before sending is its to call transient.
    expect(classifyFailure(new ConnectorError('transient', 'connect_timeout', 'no connection'), { timedOut: true, deduplicates: false })).toMatchObject({ kind: 'transient', code: 'connect_timeout' });
  });

  it('anything else thrown is transient, with a clipped message', () => {
    expect(classifyFailure(new TypeError('x is undefined'), plain)).toEqual({ kind: 'transient', code: 'unexpected_error', message: 'TypeError: x is undefined' });
    expect(classifyFailure('boom', plain)).toEqual({ kind: 'transient', code: 'unexpected_error', message: 'boom' });
    expect(classifyFailure(new Error('x'.repeat(5_000)), plain).message).toHaveLength(MAX_FAILURE_MESSAGE);
    // A ConnectorError from another copy of the module is still recognised.
    expect(classifyFailure(Object.assign(new Error('gone'), { name: 'ConnectorError', kind: 'business', code: 'node_closed' }), plain)).toMatchObject({ kind: 'business', code: 'node_closed' });
  });
});

describe('dispatch policy', () => {
  it('fills defaults, lets a connector override them, and refuses a bad policy naming each problem', () => {
    const r = resolveDispatchPolicy({ defaults: { concurrency: 2 }, connectors: { wms: { retry: { maxAttempts: 3 }, sendTimeoutMs: 5_000 } } });
    expect(r.ok && r.policy.connectors.wms).toMatchObject({ concurrency: 2, sendTimeoutMs: 5_000, retry: { maxAttempts: 3, baseDelayMs: 1_000 } });
    const bad = resolveDispatchPolicy({ defaults: { concurrency: 0 }, connectors: { erp: { breaker: { failureRate: 2 } } }, idlePollMs: 0 });
    expect(bad).toEqual({
      ok: false,
      problems: [
        'defaults.concurrency must be an integer ≥ 1, not 0',
        'connectors.erp.breaker.failureRate must be in (0, 1], not 2',
        'connectors.erp.concurrency must be an integer ≥ 1, not 0',
        'idlePollMs must be an integer ≥ 1, not 0',
      ],
    });
    expect(resolveDispatchPolicy({ leaseMs: 10_000 })).toMatchObject({ ok: false, problems: [expect.stringMatching(/leaseMs \(10000\) must exceed/)] });
  });

  it('claims no more than the free concurrency, and only a lone probe once an open breaker has cooled down', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 100 }), (concurrency, inFlight, now) => {
        expect(claimSlots({ concurrency, inFlight, breaker: CLOSED, now })).toBe(Math.max(0, concurrency - inFlight));
        const open = { status: 'open' as const, openedAt: 0, probeAt: 50 };
        expect(claimSlots({ concurrency, inFlight, breaker: open, now })).toBe(now >= 50 && inFlight === 0 ? 1 : 0);
        expect(claimSlots({ concurrency, inFlight, breaker: { status: 'half_open', probeSince: 0 }, now })).toBe(0);
      }),
    );
  });
});
