import { ConnectorError } from '../../connectors/port.js';
import type { ConnectorErrorKind } from '../../connectors/port.js';

/** A failed send, classified: what the dispatcher does next depends only on this. */
export interface SendFailure {
  readonly kind: ConnectorErrorKind;
  readonly code: string;
  readonly message: string;
  readonly retryAfterMs?: number;
}

/** Connector messages can be whole HTML error pages; a dead letter keeps the start. */
export const MAX_FAILURE_MESSAGE = 1_000;

const KINDS: readonly ConnectorErrorKind[] = ['transient', 'business', 'ambiguous'];

/**
 * Classifies what a send threw (DESIGN §5):
 *
 * - the dispatcher's deadline passed with no answer: the request may have reached the target, so
 *   `ambiguous` — unless the target deduplicates, when resending is safe and it is `transient`;
 * - a ConnectorError keeps its kind, except `ambiguous` from a deduplicating target, which is
 *   `transient` for the same reason;
 * - anything else thrown is `transient` (a bug or an unexpected library error must not lose the
 *   message; the retry budget bounds it).
 */
export function classifyFailure(error: unknown, context: { readonly timedOut: boolean; readonly deduplicates: boolean }): SendFailure {
  if (context.timedOut && !isConnectorError(error)) {
    return { kind: context.deduplicates ? 'transient' : 'ambiguous', code: 'timeout', message: 'No answer before the send deadline; the request may have reached the target' };
  }
  if (isConnectorError(error)) {
    const kind = error.kind === 'ambiguous' && context.deduplicates ? 'transient' : error.kind;
    const retryAfterMs = typeof error.retryAfterMs === 'number' && Number.isFinite(error.retryAfterMs) && error.retryAfterMs >= 0 ? error.retryAfterMs : undefined;
    return { kind, code: error.code || 'connector_error', message: clip(error.message), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { kind: 'transient', code: 'unexpected_error', message: clip(message) };
}

/** A ConnectorError, or one that crossed a module boundary and lost its prototype. */
function isConnectorError(error: unknown): error is ConnectorError {
  if (error instanceof ConnectorError) return true;
  const e = error as { name?: unknown; kind?: unknown; code?: unknown } | null;
  return typeof e === 'object' && e !== null && e.name === 'ConnectorError' && KINDS.includes(e.kind as ConnectorErrorKind) && typeof e.code === 'string';
}

const clip = (text: string): string => (text.length > MAX_FAILURE_MESSAGE ? `${text.slice(0, MAX_FAILURE_MESSAGE - 1)}…` : text);
