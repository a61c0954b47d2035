import type { Clock } from '../../app/clock.js';
import { systemClock } from '../../app/clock.js';
import type { Connector, Envelope, OutboundMessage, SendResult } from '../port.js';
import { ConnectorError } from '../port.js';
import type { HttpAnswer } from './classify.js';
import { classifyResponse, classifyStatusAnswer, classifyTransportFailure, describeFetchFailure } from './classify.js';
import type { HttpConnectorConfigInput, LoadedHttpConnectorConfig } from './httpConnectorConfig.js';
import { ConnectorConfigError, loadHttpConnectorConfig } from './httpConnectorConfig.js';
import { PII_FIELDS } from './messageShapes.js';
import type { CompiledRequest, RenderedRequest } from './template.js';
import { TemplateRenderError, renderRequest } from './template.js';

export interface HttpConnectorDeps {
  readonly fetch?: typeof fetch;
  /** For `Retry-After` dates. */
  readonly clock?: Clock;
}

/**
 * A connector to a system that speaks HTTP/JSON: renders each outbound message through its
 * template (or the default wire format, src/connectors/port.ts), sends it with the envelope's
 * Idempotency-Key, and classifies the outcome for the dispatcher. Throws ConnectorConfigError
 * when the configuration does not load.
 */
export function createHttpConnector(input: HttpConnectorConfigInput, deps: HttpConnectorDeps = {}): Connector {
  const loaded = loadHttpConnectorConfig(input);
  if (!loaded.ok) throw new ConnectorConfigError(typeof input.id === 'string' ? input.id : '(no id)', loaded.error);
  return connectorOf(loaded.value, deps.fetch ?? fetch, deps.clock ?? systemClock);
}

function connectorOf(loaded: LoadedHttpConnectorConfig, fetchFn: typeof fetch, clock: Clock): Connector {
  const { config, requests, statusQuery } = loaded;
  const { deduplicates, canCancel, partialCancel } = config.capabilities;

  async function exchange(rendered: RenderedRequest, envelope: Envelope, signal: AbortSignal, body: string | undefined): Promise<HttpAnswer> {
    const timeout = AbortSignal.timeout(config.timeoutMs);
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...rendered.headers,
      'idempotency-key': envelope.idempotencyKey,
      ...(envelope.traceparent ? { traceparent: envelope.traceparent } : {}),
      ...(config.auth ? { [config.auth.header.toLowerCase()]: config.auth.value } : {}),
    };
    try {
      const res = await fetchFn(`${config.baseUrl}${rendered.path}`, {
        method: rendered.method,
        headers,
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.any([signal, timeout]),
        // A redirected POST would silently become a GET elsewhere: a 3xx is an answer to classify.
        redirect: 'manual',
      });
      return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.text() };
    } catch (err) {
      throw classifyTransportFailure(describeFetchFailure(err, { timedOut: timeout.aborted, cancelled: signal.aborted }), deduplicates);
    }
  }

  const render = (request: CompiledRequest, envelope: Envelope): { rendered: RenderedRequest; env: TemplateEnv } => {
    const env = templateEnv(envelope, config.pii);
    try {
      return { rendered: renderRequest(request, env), env };
    } catch (err) {
      if (err instanceof TemplateRenderError) throw new ConnectorError('business', 'unrenderable_message', err.message);
      throw err;
    }
  };

  const connector: Connector = {
    id: config.id,
    kind: config.kind,
    capabilities: { deduplicates, canCancel, partialCancel, statusQuery: statusQuery !== undefined },
    handles: loaded.handles,
    async send(envelope, { signal }): Promise<SendResult> {
      const request = requests.get(envelope.message.type);
      if (!request) throw new ConnectorError('business', 'unsupported_message', `connector ${config.id} does not handle ${envelope.message.type}`);
      // Cancelled before anything was written: nothing can have reached the target.
      if (signal.aborted) throw new ConnectorError('transient', 'aborted', 'cancelled before sending');
      const { rendered, env } = render(request, envelope);
      const body = rendered.body ?? (rendered.method === 'GET' ? undefined : JSON.stringify({ type: env.type, idempotencyKey: env.idempotencyKey, message: env.message }));
      const result = classifyResponse(await exchange(rendered, envelope, signal, body), Date.parse(clock.now()));
      if (result instanceof ConnectorError) throw result;
      return result;
    },
  };
  if (statusQuery) {
    connector.queryStatus = async (envelope, { signal }) => {
      try {
        const { rendered } = render(statusQuery, envelope);
        return classifyStatusAnswer(await exchange(rendered, envelope, signal, rendered.body));
      } catch {
        // Not knowing is an answer: the dispatcher raises an exception for a human.
        return { status: 'unknown' };
      }
    };
  }
  return connector;
}

interface TemplateEnv {
  readonly messageId: string;
  readonly idempotencyKey: string;
  readonly attempt: number;
  readonly type: string;
  readonly traceparent?: string;
  readonly message: Partial<OutboundMessage>;
}

/** What templates see: the envelope, with personal data removed unless the connector needs it. */
function templateEnv(envelope: Envelope, pii: boolean): TemplateEnv {
  const message = pii ? envelope.message : stripPii(envelope.message);
  return {
    messageId: envelope.messageId,
    idempotencyKey: envelope.idempotencyKey,
    attempt: envelope.attempt,
    type: envelope.message.type,
    ...(envelope.traceparent ? { traceparent: envelope.traceparent } : {}),
    message,
  };
}

/** The message without `shipTo` and `customer`, for targets that must not see personal data (`pii: false`). */
export function stripPii<M extends OutboundMessage>(message: M): Partial<M> {
  const out: Partial<M> = { ...message };
  for (const key of PII_FIELDS) delete (out as Record<string, unknown>)[key];
  return out;
}
