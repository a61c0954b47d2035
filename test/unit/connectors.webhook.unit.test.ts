import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature } from '../../src/connectors/http/webhook.js';

const SECRET = 'whsec_test_0123456789';
const T = 1_795_000_000;
const BODY = '{"messageId":"m-1","facts":[{"type":"fulfillment.progress","fulfillmentId":"ful_1","stage":"picked"}]}';

describe('signWebhook', () => {
  it('is t=<seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>', () => {
    const expected = createHmac('sha256', SECRET).update(`${T}.${BODY}`).digest('hex');
    expect(signWebhook(SECRET, BODY, T)).toBe(`t=${T},v1=${expected}`);
    expect(signWebhook(SECRET, Buffer.from(BODY), T + 0.9)).toBe(`t=${T},v1=${expected}`);
  });

  it('lists one v1 per secret during a rotation, and refuses an empty secret', () => {
    expect(signWebhook(['old-secret', 'new-secret'], BODY, T).match(/v1=/g)).toHaveLength(2);
    expect(() => signWebhook('', BODY, T)).toThrow(/must not be empty/);
  });
});

describe('verifyWebhookSignature', () => {
  const header = signWebhook(SECRET, BODY, T);

  it('accepts a valid signature, over a string or the raw bytes, within the tolerance either side', () => {
    expect(verifyWebhookSignature(SECRET, header, BODY, T)).toEqual({ ok: true });
    expect(verifyWebhookSignature(SECRET, header, Buffer.from(BODY), T + 300)).toEqual({ ok: true });
    expect(verifyWebhookSignature(SECRET, header, BODY, T - 300)).toEqual({ ok: true });
  });

  it('refuses a tampered body, signature, timestamp or secret', () => {
    expect(verifyWebhookSignature(SECRET, header, BODY.replace('picked', 'packed'), T)).toEqual({ ok: false, reason: 'no_matching_signature' });
    const flipped = header.slice(0, -1) + (header.endsWith('0') ? '1' : '0');
    expect(verifyWebhookSignature(SECRET, flipped, BODY, T)).toEqual({ ok: false, reason: 'no_matching_signature' });
    // Moving the timestamp (to replay an old body later) breaks the signature.
    expect(verifyWebhookSignature(SECRET, header.replace(`t=${T}`, `t=${T + 60}`), BODY, T)).toEqual({ ok: false, reason: 'no_matching_signature' });
    expect(verifyWebhookSignature('another-secret', header, BODY, T)).toEqual({ ok: false, reason: 'no_matching_signature' });
  });

  it('refuses stale and future timestamps beyond the tolerance', () => {
    expect(verifyWebhookSignature(SECRET, header, BODY, T + 301)).toEqual({ ok: false, reason: 'timestamp_out_of_tolerance' });
    expect(verifyWebhookSignature(SECRET, header, BODY, T - 301)).toEqual({ ok: false, reason: 'timestamp_out_of_tolerance' });
    expect(verifyWebhookSignature(SECRET, header, BODY, T + 30, 10)).toEqual({ ok: false, reason: 'timestamp_out_of_tolerance' });
  });

  it('refuses a missing or garbled header', () => {
    const v1 = header.split(',')[1]!;
    expect(verifyWebhookSignature(SECRET, undefined, BODY, T)).toEqual({ ok: false, reason: 'missing_header' });
    expect(verifyWebhookSignature(SECRET, '', BODY, T)).toEqual({ ok: false, reason: 'missing_header' });
    for (const garbled of [
      'garbage',
      v1,
      `t=${T}`,
      `t=${T},v1=abc`,
      `t=soon,${v1}`,
      `t=${T},t=${T},${v1}`,
      `t=${T},${v1}zz`,
      `${header},x`,
      `t=${T},${v1}${',v0=1'.repeat(500)}`,
    ]) {
      expect(verifyWebhookSignature(SECRET, garbled, BODY, T), garbled.slice(0, 40)).toEqual({ ok: false, reason: 'malformed_header' });
    }
    expect(verifyWebhookSignature(SECRET, [header, header], BODY, T)).toEqual({ ok: false, reason: 'malformed_header' });
  });

  it('supports rotation: any v1 may match, and the receiver may hold several secrets', () => {
    const both = signWebhook(['old-secret', SECRET], BODY, T);
    expect(verifyWebhookSignature(SECRET, both, BODY, T)).toEqual({ ok: true });
    expect(verifyWebhookSignature('old-secret', both, BODY, T)).toEqual({ ok: true });
    expect(verifyWebhookSignature(['retired', SECRET], header, BODY, T)).toEqual({ ok: true });
    expect(verifyWebhookSignature(['retired', 'other'], header, BODY, T)).toEqual({ ok: false, reason: 'no_matching_signature' });
    // Unknown schemes beside v1 are ignored.
    expect(verifyWebhookSignature(SECRET, `${header},v0=deadbeef`, BODY, T)).toEqual({ ok: true });
  });

  it('property: any change to the body fails verification', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 256 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (bytes, at, delta) => {
        const body = Buffer.from(bytes);
        const signed = signWebhook(SECRET, body, T);
        expect(verifyWebhookSignature(SECRET, signed, body, T)).toEqual({ ok: true });
        const changed = Buffer.from(body);
        if (changed.length === 0) {
          expect(verifyWebhookSignature(SECRET, signed, Buffer.from([delta]), T).ok).toBe(false);
          return;
        }
        const i = at % changed.length;
        changed[i] = (changed[i]! + delta) % 256;
        expect(verifyWebhookSignature(SECRET, signed, changed, T).ok).toBe(false);
        // Truncation and extension are changes too.
        expect(verifyWebhookSignature(SECRET, signed, body.subarray(0, body.length - 1), T).ok).toBe(false);
        expect(verifyWebhookSignature(SECRET, signed, Buffer.concat([body, Buffer.from([delta])]), T).ok).toBe(false);
      }),
      { numRuns: 300, seed: 42 },
    );
  });
});
