import type { Fact, SendResult } from '../port.js';
import { ConnectorError } from '../port.js';
import { formatPath } from '../../api/problem.js';
import { factsSchema } from '../factSchema.js';

/**
 * How an HTTP exchange with a target ended, as the dispatcher needs it (DESIGN §5): pure
 * functions of the response (or the transport failure), the connector's deduplication, and the
 * time — shared by the HTTP connector and the in-process simulator connector.
 */
export interface HttpAnswer {
  readonly status: number;
  /** The `Retry-After` header as received. */
  readonly retryAfter?: string | null;
  readonly body: string;
}

/** Codes of failures that happen before a request can have reached the target. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN',
  'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN',
]);

/** `before_send`: nothing can have reached the target; `after_send`: it may have been processed. */
export type TransportPhase = 'before_send' | 'after_send';

export interface TransportFailure {
  readonly code: string;
  readonly phase: TransportPhase;
  readonly detail: string;
}

/**
 * What a failed fetch means. Connection refused or a name that does not resolve happen before
 * anything is written; a timeout, a reset or anything unrecognised may follow a written request,
 * so it counts as sent: resending blind is the one thing that must not happen to a target that
 * cannot deduplicate.
 */
export function describeFetchFailure(err: unknown, aborted: { readonly timedOut: boolean; readonly cancelled: boolean }): TransportFailure {
  if (aborted.timedOut) return { code: 'timeout', phase: 'after_send', detail: 'no answer within the timeout' };
  if (aborted.cancelled) return { code: 'aborted', phase: 'after_send', detail: 'the send was cancelled' };
  const code = errorCode(err);
  const detail = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
  if (code !== undefined && NOT_SENT_CODES.has(code)) return { code: code === 'ECONNREFUSED' ? 'connection_refused' : code === 'ENOTFOUND' || code.startsWith('EAI_') ? 'dns_failure' : code.toLowerCase(), phase: 'before_send', detail };
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return { code: 'connection_reset', phase: 'after_send', detail };
  return { code: code ? code.toLowerCase() : 'network_error', phase: 'after_send', detail };
}

/** undici wraps the system error: `TypeError('fetch failed', { cause })`, sometimes an AggregateError of attempts. */
function errorCode(err: unknown, depth = 0): string | undefined {
  if (depth > 4 || err === null || typeof err !== 'object') return undefined;
  const own = (err as { code?: unknown }).code;
  if (typeof own === 'string') return own;
  const nested = (err as { cause?: unknown }).cause;
  if (nested !== undefined) return errorCode(nested, depth + 1);
  if (err instanceof AggregateError) {
    for (const e of err.errors) {
      const c = errorCode(e, depth + 1);
      if (c !== undefined) return c;
    }
  }
  return undefined;
}

/** A transport failure as a connector error: ambiguous after sending, unless the target deduplicates. */
export function classifyTransportFailure(failure: TransportFailure, deduplicates: boolean): ConnectorError {
  const kind = failure.phase === 'before_send' || deduplicates ? 'transient' : 'ambiguous';
  const why = failure.phase === 'before_send' ? 'nothing was sent' : deduplicates ? 'the target deduplicates, so a resend is safe' : 'the target may have processed it';
  return new ConnectorError(kind, failure.code, `${failure.detail} (${why})`);
}

/** `Retry-After` as delay-seconds or an HTTP date → milliseconds from now; undefined when absent or garbled. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (/^\d{1,10}$/.test(v)) return Number(v) * 1000;
  // An HTTP date always names its day and its zone (IMF-fixdate, RFC 850, asctime).
  if (!/^[A-Za-z]{3}/.test(v)) return undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

const TRANSIENT_STATUSES = new Set([408, 425, 429]);
const CODE = /^[A-Za-z0-9_.:-]{1,64}$/;

/** A response as the dispatcher sees it: delivered (with facts), or a classified error. */
export function classifyResponse(answer: HttpAnswer, nowMs: number): SendResult | ConnectorError {
  const { status } = answer;
  if (status >= 200 && status < 300) return deliveredResult(answer.body);
  const body = parseJsonObject(answer.body);
  const detail = typeof body?.detail === 'string' ? body.detail : typeof body?.message === 'string' ? body.message : '';
  const described = `HTTP ${status}${detail ? `: ${detail.slice(0, 200)}` : ''}`;
  if (TRANSIENT_STATUSES.has(status) || status >= 500) {
    const retryAfterMs = parseRetryAfter(answer.retryAfter, nowMs);
    return new ConnectorError('transient', status === 429 ? 'rate_limited' : `http_${status}`, described, retryAfterMs);
  }
  const code = typeof body?.code === 'string' && CODE.test(body.code) ? body.code : `http_${status}`;
  return new ConnectorError('business', code, described);
}

function deliveredResult(text: string): SendResult | ConnectorError {
  // Many targets answer 2xx with an empty or non-JSON body: still delivered, without facts.
  const body = parseJsonObject(text);
  if (!body) return {};
  const reference = typeof body.reference === 'string' ? { reference: body.reference } : {};
  if (body.facts === undefined) return reference;
  const facts = parseFacts(body.facts);
  if (!facts.ok) return new ConnectorError('business', 'malformed_facts', `the target answered 2xx with facts that do not validate: ${facts.message}`);
  return { ...reference, facts: facts.facts };
}

/** The answer to a status query: 200 `{ status: "received", facts? }`, 404 not received, anything else unknown. */
export function classifyStatusAnswer(answer: HttpAnswer): { readonly status: 'received' | 'not_received' | 'unknown'; readonly facts?: readonly Fact[] } {
  if (answer.status === 404) return { status: 'not_received' };
  if (answer.status !== 200) return { status: 'unknown' };
  const body = parseJsonObject(answer.body);
  if (body?.status === 'not_received') return { status: 'not_received' };
  if (body?.status !== 'received') return { status: 'unknown' };
  if (body.facts === undefined) return { status: 'received' };
  const facts = parseFacts(body.facts);
  // Facts we cannot read would complete the message without them: a human looks instead.
  return facts.ok ? { status: 'received', facts: facts.facts } : { status: 'unknown' };
}

function parseFacts(value: unknown): { ok: true; facts: Fact[] } | { ok: false; message: string } {
  if (Array.isArray(value) && value.length === 0) return { ok: true, facts: [] };
  const parsed = factsSchema.safeParse(value);
  if (parsed.success) return { ok: true, facts: parsed.data };
  const first = parsed.error.issues[0];
  return { ok: false, message: first ? `${formatPath(['facts', ...first.path])}: ${first.message}` : 'invalid' };
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  if (text.trim() === '') return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
