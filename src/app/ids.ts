import { randomBytes } from 'node:crypto';
import type { IdKind } from '../domain/ids.js';
import { ID_PREFIX } from '../domain/ids.js';

export type IdGenerator = (kind: IdKind) => string;

// UUIDv7 layout (RFC 9562): 48-bit ms timestamp, version 7, a 12-bit counter that keeps ids of one
// millisecond in order, variant, and 62 random bits drawn from a pooled buffer (one syscall per
// 4 KiB rather than per id).
let lastMs = 0;
let counter = 0;
let pool = Buffer.alloc(0);
let offset = 0;

function random8(): Buffer {
  if (offset + 8 > pool.length) {
    pool = randomBytes(4096);
    offset = 0;
  }
  offset += 8;
  return pool.subarray(offset - 8, offset);
}

export function uuidv7Hex(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    counter = 0;
  } else if (++counter > 0xfff) {
    lastMs += 1; // counter exhausted within one millisecond: borrow the next one
    counter = 0;
  }
  const r = random8();
  const ts = lastMs.toString(16).padStart(12, '0');
  const ver = (0x7000 | counter).toString(16);
  const variant = ((r[0]! & 0x3f) | 0x80).toString(16).padStart(2, '0');
  return `${ts}${ver}${variant}${r.subarray(1).toString('hex')}`.slice(0, 32);
}

/** Prefixed UUIDv7 (time-ordered, so ids sort by creation): `ord_0197…`. */
export const newId: IdGenerator = (kind) => `${ID_PREFIX[kind]}${uuidv7Hex()}`;
