import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ProblemError } from './problem.js';
import { stableStringify } from '../shared/json.js';

export { stableStringify };

const KEY_PATTERN = /^[\x20-\x7E]{1,255}$/;

/** The Idempotency-Key of a mutating call: required, 1–255 printable ASCII characters. */
export function requireIdempotencyKey(req: FastifyRequest): string {
  const raw = req.headers['idempotency-key'];
  if (raw === undefined || raw === '') {
    throw new ProblemError('idempotency_key_required', 'Send an Idempotency-Key header (1–255 printable ASCII characters) with every mutating call');
  }
  const key = Array.isArray(raw) ? raw[0] ?? '' : raw;
  if (!KEY_PATTERN.test(key)) {
    throw new ProblemError('validation_failed', 'The Idempotency-Key must be 1–255 printable ASCII characters', [
      { path: 'header.Idempotency-Key', message: 'must be 1–255 printable ASCII characters' },
    ]);
  }
  return key;
}

/** Same method, path and body (key order ignored) ⇒ same fingerprint. */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method} ${path}\n${stableStringify(body ?? null)}`).digest('base64url');
}

/**
 * Keys being processed by this process. A second request with a key still in flight gets 409
 * request_in_progress; across processes the store's unique key decides and the loser replays.
 */
export function createInFlightKeys() {
  const keys = new Set<string>();
  return {
    tryEnter(scope: string, key: string): boolean {
      const k = `${scope}\u0000${key}`;
      if (keys.has(k)) return false;
      keys.add(k);
      return true;
    },
    leave(scope: string, key: string): void {
      keys.delete(`${scope}\u0000${key}`);
    },
  };
}
