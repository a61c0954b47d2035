import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header Shopify signs every webhook with (Node lower-cases header names). */
export const SHOPIFY_HMAC_HEADER = 'x-shopify-hmac-sha256';

/** base64(HMAC-SHA256(secret, raw body bytes)): what Shopify sends in X-Shopify-Hmac-Sha256. */
export function shopifyHmac(secret: string, rawBody: Buffer): string {
  return createHmac('sha256', secret).update(rawBody).digest('base64');
}

/**
 * Whether `header` is Shopify's signature of exactly these body bytes under `secret`. Call it
 * before parsing: re-serialised JSON has other bytes. A missing or empty header, an empty body or
 * secret, and a header of the wrong length all fail; the comparison itself is constant-time.
 */
export function verifyShopifyHmac(secret: string, rawBody: Buffer, header: string | undefined): boolean {
  if (!secret || !header || rawBody.length === 0) return false;
  const expected = Buffer.from(shopifyHmac(secret, rawBody), 'utf8');
  const given = Buffer.from(header, 'utf8');
  // timingSafeEqual throws on unequal lengths; the length of a base64 SHA-256 digest is public.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
