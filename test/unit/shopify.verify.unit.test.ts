import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shopifyHmac, verifyShopifyHmac } from '../../src/connectors/shopify/index.js';
import { fixtureText } from './shopify.support.js';

const SECRET = 'hush-test-secret';
const body = Buffer.from(fixtureText('fulfillment_webhook.json'), 'utf8');
const sign = (b: Buffer, secret = SECRET) => createHmac('sha256', secret).update(b).digest('base64');

describe('verifyShopifyHmac', () => {
  it('accepts base64 HMAC-SHA256 of the raw bytes under the secret (computed independently here)', () => {
    expect(shopifyHmac(SECRET, body)).toBe(sign(body));
    expect(verifyShopifyHmac(SECRET, body, sign(body))).toBe(true);
  });

  it('refuses a tampered body, even one that parses to the same JSON', () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8'))), 'utf8');
    expect(reserialised.equals(body)).toBe(false);
    expect(verifyShopifyHmac(SECRET, reserialised, sign(body))).toBe(false);
    const edited = Buffer.from(body.toString('utf8').replace('"pending"', '"success"'), 'utf8');
    expect(verifyShopifyHmac(SECRET, edited, sign(body))).toBe(false);
  });

  it('refuses a tampered header, a hex digest, and a signature under another secret', () => {
    const good = sign(body);
    const flipped = `${good[0] === 'A' ? 'B' : 'A'}${good.slice(1)}`;
    expect(verifyShopifyHmac(SECRET, body, flipped)).toBe(false);
    expect(verifyShopifyHmac(SECRET, body, createHmac('sha256', SECRET).update(body).digest('hex'))).toBe(false);
    expect(verifyShopifyHmac(SECRET, body, sign(body, 'another-secret'))).toBe(false);
    expect(verifyShopifyHmac('another-secret', body, good)).toBe(false);
  });

  it('refuses a missing or empty header, an empty body, an empty secret, and wrong lengths without throwing', () => {
    expect(verifyShopifyHmac(SECRET, body, undefined)).toBe(false);
    expect(verifyShopifyHmac(SECRET, body, '')).toBe(false);
    const empty = Buffer.alloc(0);
    expect(verifyShopifyHmac(SECRET, empty, sign(empty))).toBe(false);
    expect(verifyShopifyHmac('', body, sign(body, ''))).toBe(false);
    expect(verifyShopifyHmac(SECRET, body, sign(body).slice(0, -1))).toBe(false);
    expect(verifyShopifyHmac(SECRET, body, `${sign(body)}=`)).toBe(false);
    expect(verifyShopifyHmac(SECRET, body, 'é'.repeat(22))).toBe(false);
  });

  it('property: any single-byte change of the body fails', () => {
    const header = sign(body);
    fc.assert(
      fc.property(fc.nat({ max: body.length - 1 }), fc.integer({ min: 1, max: 255 }), (index, delta) => {
        const tampered = Buffer.from(body);
        tampered[index] = ((tampered[index] ?? 0) + delta) % 256;
        return verifyShopifyHmac(SECRET, tampered, header) === false;
      }),
      { numRuns: 300 },
    );
  });

  it('property: any single-character change of the header fails; the true header always passes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 256 }), fc.nat(), fc.integer({ min: 1, max: 63 }), (bytes, at, shift) => {
        const b = Buffer.from(bytes);
        const header = sign(b);
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
        const i = at % header.length;
        const c = header[i] as string;
        const replaced = c === '=' ? 'A' : (alphabet[(alphabet.indexOf(c) + shift) % 64] as string);
        return verifyShopifyHmac(SECRET, b, header) && !verifyShopifyHmac(SECRET, b, `${header.slice(0, i)}${replaced}${header.slice(i + 1)}`);
      }),
      { numRuns: 300 },
    );
  });
});
