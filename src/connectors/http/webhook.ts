import { createHmac, timingSafeEqual } from 'node:crypto';
import { SIGNATURE_TOLERANCE_SECONDS } from '../port.js';

/**
 * Webhook signatures (src/connectors/port.ts): `t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
 * "<t>.<raw body>")>`. Pure: the time is passed in. Several secrets sign (or verify) during a
 * rotation: the sender lists one `v1=` per secret, and the receiver accepts any of its secrets.
 */
export type WebhookSecret = string | readonly string[];

export type SignatureVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'missing_header' | 'malformed_header' | 'timestamp_out_of_tolerance' | 'no_matching_signature' };

const MAX_HEADER_LENGTH = 2048;

export function signWebhook(secret: WebhookSecret, rawBody: string | Buffer, unixSeconds: number): string {
  const t = Math.floor(unixSeconds);
  return [`t=${t}`, ...secretsOf(secret).map((s) => `v1=${hmac(s, t, rawBody).toString('hex')}`)].join(',');
}

export function verifyWebhookSignature(
  secret: WebhookSecret,
  header: string | readonly string[] | undefined,
  rawBody: string | Buffer,
  nowSeconds: number,
  toleranceSeconds: number = SIGNATURE_TOLERANCE_SECONDS,
): SignatureVerdict {
  if (header === undefined || header === '') return { ok: false, reason: 'missing_header' };
  // Two signature headers are one too many: which one would count?
  if (typeof header !== 'string' || header.length > MAX_HEADER_LENGTH) return { ok: false, reason: 'malformed_header' };
  const parsed = parseHeader(header);
  if (!parsed) return { ok: false, reason: 'malformed_header' };
  if (Math.abs(nowSeconds - parsed.t) > toleranceSeconds) return { ok: false, reason: 'timestamp_out_of_tolerance' };
  // Every candidate is compared in full (no early exit), so timing says nothing about which came close.
  let matched = false;
  for (const s of secretsOf(secret)) {
    const expected = hmac(s, parsed.t, rawBody);
    for (const candidate of parsed.v1) matched = timingSafeEqual(expected, candidate) || matched;
  }
  return matched ? { ok: true } : { ok: false, reason: 'no_matching_signature' };
}

function parseHeader(header: string): { t: number; v1: Buffer[] } | undefined {
  let t: number | undefined;
  const v1: Buffer[] = [];
  for (const item of header.split(',')) {
    const eq = item.indexOf('=');
    if (eq <= 0) return undefined;
    const key = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    if (key === 't') {
      if (t !== undefined || !/^\d{1,12}$/.test(value)) return undefined;
      t = Number(value);
    } else if (key === 'v1') {
      if (!/^[0-9a-fA-F]{64}$/.test(value)) return undefined;
      v1.push(Buffer.from(value, 'hex'));
    }
    // Other schemes (v0, …) are ignored, so a sender can add one without breaking receivers.
  }
  return t !== undefined && v1.length > 0 ? { t, v1 } : undefined;
}

function hmac(secret: string, t: number, rawBody: string | Buffer): Buffer {
  return createHmac('sha256', secret).update(`${t}.`).update(rawBody).digest();
}

function secretsOf(secret: WebhookSecret): readonly string[] {
  const list = typeof secret === 'string' ? [secret] : secret;
  if (list.length === 0 || list.some((s) => s.length === 0)) throw new Error('a webhook secret must not be empty');
  return list;
}
