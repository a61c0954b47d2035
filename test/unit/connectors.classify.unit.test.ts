import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../src/connectors/port.js';
import type { SendResult } from '../../src/connectors/port.js';
import {
  classifyResponse,
  classifyStatusAnswer,
  classifyTransportFailure,
  describeFetchFailure,
  parseRetryAfter,
} from '../../src/connectors/http/classify.js';

const NOW = Date.parse('2026-11-25T10:00:00Z');
const answer = (status: number, body: unknown = '', retryAfter?: string) => ({
  status,
  body: typeof body === 'string' ? body : JSON.stringify(body),
  ...(retryAfter !== undefined ? { retryAfter } : {}),
});
const error = (r: SendResult | ConnectorError): ConnectorError => {
  if (!(r instanceof ConnectorError)) throw new Error(`expected an error, got ${JSON.stringify(r)}`);
  return r;
};
const shipped = { type: 'fulfillment.shipped', fulfillmentId: 'ful_1', shipmentId: 'S1', lines: [{ lineId: '1', quantity: 2 }], shippedAt: '2026-11-25T10:00:00Z' };

describe('classifyResponse', () => {
  it('2xx is delivered; facts in the body come back validated', () => {
    expect(classifyResponse(answer(200, ''), NOW)).toEqual({});
    expect(classifyResponse(answer(204, ''), NOW)).toEqual({});
    expect(classifyResponse(answer(202, 'OK'), NOW)).toEqual({});
    expect(classifyResponse(answer(200, { reference: 'WMS-77' }), NOW)).toEqual({ reference: 'WMS-77' });
    expect(classifyResponse(answer(201, { facts: [shipped] }), NOW)).toEqual({ facts: [shipped] });
  });

  it('a 2xx whose facts do not validate is a business error naming the field, not a crash', () => {
    const bad = { ...shipped, lines: [{ lineId: '1', quantity: 'two' }] };
    const e = error(classifyResponse(answer(200, { facts: [bad] }), NOW));
    expect(e.kind).toBe('business');
    expect(e.code).toBe('malformed_facts');
    expect(e.message).toContain('facts[0].lines[0].quantity');
    expect(error(classifyResponse(answer(200, { facts: 'nope' }), NOW)).code).toBe('malformed_facts');
  });

  it.each([408, 425, 429, 500, 502, 503, 504, 599])('%i is transient', (status) => {
    const e = error(classifyResponse(answer(status, { code: 'busy' }), NOW));
    expect(e.kind).toBe('transient');
    expect(e.code).toBe(status === 429 ? 'rate_limited' : `http_${status}`);
  });

  it('503 and 429 honour Retry-After in seconds and as an HTTP date', () => {
    expect(error(classifyResponse(answer(503, '', '7'), NOW)).retryAfterMs).toBe(7000);
    expect(error(classifyResponse(answer(429, '', 'Wed, 25 Nov 2026 10:00:30 GMT'), NOW)).retryAfterMs).toBe(30_000);
    expect(error(classifyResponse(answer(503, ''), NOW)).retryAfterMs).toBeUndefined();
  });

  it.each([400, 401, 403, 404, 409, 410, 422])('%i is a business error with the body code, else http_<status>', (status) => {
    const coded = error(classifyResponse(answer(status, { code: 'unknown_sku', detail: 'SKU-X is not stocked' }), NOW));
    expect(coded).toMatchObject({ kind: 'business', code: 'unknown_sku' });
    expect(coded.message).toContain('SKU-X is not stocked');
    expect(error(classifyResponse(answer(status, 'plain text'), NOW))).toMatchObject({ kind: 'business', code: `http_${status}` });
    // A code that is not a short token is not trusted as one.
    expect(error(classifyResponse(answer(status, { code: 'has spaces and\nnewlines' }), NOW)).code).toBe(`http_${status}`);
  });

  it('3xx is not followed: a business error', () => {
    expect(error(classifyResponse(answer(302, ''), NOW))).toMatchObject({ kind: 'business', code: 'http_302' });
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates; a past date is 0; garbage is undefined', () => {
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter(' 120 ', NOW)).toBe(120_000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 10:01:00 GMT', NOW)).toBe(60_000);
    expect(parseRetryAfter('Wednesday, 25-Nov-26 10:01:00 GMT', NOW)).toBe(60_000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 09:00:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfter('-5', NOW)).toBeUndefined();
    expect(parseRetryAfter('1.5', NOW)).toBeUndefined();
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter('2026-11-25', NOW)).toBeUndefined();
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
  });
});

describe('transport failures', () => {
  const fetchFailed = (code: string) => new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });
  const none = { timedOut: false, cancelled: false };

  it('connection refused and DNS failures happen before sending: transient even without deduplication', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']) {
      const failure = describeFetchFailure(fetchFailed(code), none);
      expect(failure.phase).toBe('before_send');
      expect(classifyTransportFailure(failure, false).kind).toBe('transient');
    }
    expect(describeFetchFailure(fetchFailed('ECONNREFUSED'), none).code).toBe('connection_refused');
    expect(describeFetchFailure(fetchFailed('ENOTFOUND'), none).code).toBe('dns_failure');
  });

  it('an AggregateError of connection attempts (happy eyeballs) is read through', () => {
    const agg = new TypeError('fetch failed', { cause: new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]) });
    expect(describeFetchFailure(agg, none)).toMatchObject({ code: 'connection_refused', phase: 'before_send' });
  });

  it('a reset or a timeout after sending is ambiguous, unless the target deduplicates', () => {
    for (const failure of [describeFetchFailure(fetchFailed('ECONNRESET'), none), describeFetchFailure(fetchFailed('UND_ERR_SOCKET'), none), describeFetchFailure(new Error('aborted'), { timedOut: true, cancelled: false })]) {
      expect(failure.phase).toBe('after_send');
      expect(classifyTransportFailure(failure, false).kind).toBe('ambiguous');
      expect(classifyTransportFailure(failure, true).kind).toBe('transient');
    }
    expect(describeFetchFailure(fetchFailed('ECONNRESET'), none).code).toBe('connection_reset');
    expect(describeFetchFailure(new Error('x'), { timedOut: true, cancelled: false }).code).toBe('timeout');
  });

  it('a reset before sending is transient; anything unrecognised counts as sent', () => {
    expect(classifyTransportFailure({ code: 'connection_reset', phase: 'before_send', detail: 'reset' }, false).kind).toBe('transient');
    const unknown = describeFetchFailure(new Error('weird'), none);
    expect(unknown).toMatchObject({ code: 'network_error', phase: 'after_send' });
    expect(classifyTransportFailure(unknown, false).kind).toBe('ambiguous');
  });
});

describe('classifyStatusAnswer', () => {
  it('200 received (with validated facts), 404 not received, anything else unknown', () => {
    expect(classifyStatusAnswer(answer(200, { status: 'received' }))).toEqual({ status: 'received' });
    expect(classifyStatusAnswer(answer(200, { status: 'received', facts: [shipped] }))).toEqual({ status: 'received', facts: [shipped] });
    expect(classifyStatusAnswer(answer(404, ''))).toEqual({ status: 'not_received' });
    expect(classifyStatusAnswer(answer(200, { status: 'not_received' }))).toEqual({ status: 'not_received' });
    expect(classifyStatusAnswer(answer(200, 'yes'))).toEqual({ status: 'unknown' });
    expect(classifyStatusAnswer(answer(503, ''))).toEqual({ status: 'unknown' });
    expect(classifyStatusAnswer(answer(200, { status: 'received', facts: [{ type: 'nope' }] }))).toEqual({ status: 'unknown' });
  });
});
