import type { FastifyReply } from 'fastify';
import type { DomainError, FieldError } from '../domain/result.js';

/** Every error code the API answers with, and its HTTP status: the taxonomy mapped once. */
export const PROBLEMS = {
  validation_failed: { status: 400, title: 'The request is not valid' },
  idempotency_key_required: { status: 400, title: 'An Idempotency-Key header is required' },
  unauthorized: { status: 401, title: 'Authentication is required' },
  invalid_signature: { status: 401, title: 'The signature does not verify' },
  forbidden: { status: 403, title: 'The API key lacks the scope this call needs' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  illegal_transition: { status: 409, title: 'The order cannot do that in its current state' },
  duplicate_order: { status: 409, title: 'An order with this channel and externalId already exists' },
  not_dead_letter: { status: 409, title: 'Only a dead letter can be redriven or discarded' },
  request_in_progress: { status: 409, title: 'A request with this Idempotency-Key is still in progress' },
  version_conflict: { status: 412, title: 'The order has changed since the version you sent' },
  payload_too_large: { status: 413, title: 'The request body is too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  idempotency_key_reused: { status: 422, title: 'This Idempotency-Key was used for a different request' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal_error: { status: 500, title: 'Internal error' },
  unavailable: { status: 503, title: 'Service unavailable' },
} as const;

export type ProblemCode = keyof typeof PROBLEMS;

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: ProblemCode;
  readonly errors: readonly FieldError[];
  readonly [extra: string]: unknown;
}

export class ProblemError extends Error {
  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly errors: readonly FieldError[] = [],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

export function problem(code: ProblemCode, detail: string, errors: readonly FieldError[] = [], extra: Record<string, unknown> = {}): Problem {
  const p = PROBLEMS[code];
  return { type: `https://orderly.dev/problems/${code.replaceAll('_', '-')}`, title: p.title, status: p.status, detail, code, errors, ...extra };
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type('application/problem+json').send(p);
}

export const fromDomainError = (e: DomainError): ProblemError => new ProblemError(e.code, e.message, e.errors ?? []);

/** zod-style issue paths ['lines', 0, 'quantity'] → 'lines[0].quantity'. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), '');
}
