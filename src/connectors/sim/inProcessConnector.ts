import type { Clock } from '../../app/clock.js';
import type { HttpAnswer } from '../http/classify.js';
import { classifyResponse, classifyStatusAnswer, classifyTransportFailure } from '../http/classify.js';
import { stripPii } from '../http/httpConnector.js';
import type { Connector, OutboundMessageType } from '../port.js';
import { ConnectorError } from '../port.js';
import type { SimExchange, Simulator } from './simCore.js';

export interface InProcessConnectorOptions {
  /** Default: the simulator's id. */
  readonly id?: string;
  /** false: `shipTo` and `customer` are removed, as the HTTP connector does. Default true (a warehouse ships to the address). */
  readonly pii?: boolean;
  /** Default: everything the simulator handles. */
  readonly handles?: readonly OutboundMessageType[];
  /** For Retry-After; default the simulator's clock. */
  readonly clock?: Clock;
  /** The simulator's own rows for reconciliation, by kind (absent: the connector cannot list its state). */
  readonly snapshot?: Connector['snapshot'];
}

/**
 * A connector that calls a simulator directly (tests, and the embedded default): the same
 * request, faults and classification as over HTTP, without sockets. The message crosses as JSON,
 * so the simulator never holds Orderly's objects. Latency is not simulated here.
 */
export function createInProcessConnector(sim: Simulator, options: InProcessConnectorOptions = {}): Connector {
  const pii = options.pii ?? true;
  const clock = options.clock ?? sim.clock;
  const { deduplicates } = sim.capabilities;
  return {
    id: options.id ?? sim.id,
    kind: `simulator:${sim.kind}`,
    capabilities: sim.capabilities,
    handles: options.handles ?? sim.handles,
    async send(envelope, { signal }) {
      if (signal.aborted) throw new ConnectorError('transient', 'aborted', 'cancelled before sending');
      const message: unknown = JSON.parse(JSON.stringify(pii ? envelope.message : stripPii(envelope.message)));
      const exchange = sim.receive({ type: envelope.message.type, idempotencyKey: envelope.idempotencyKey, message });
      const answer = transportOf(exchange);
      if (answer instanceof ConnectorError) throw answer;
      const result = classifyResponse(answer, Date.parse(clock.now()));
      if (result instanceof ConnectorError) throw result;
      return result;
    },
    ...(options.snapshot ? { snapshot: options.snapshot } : {}),
    async queryStatus(envelope) {
      const answer = transportOf(sim.status(envelope.idempotencyKey));
      return answer instanceof ConnectorError ? { status: 'unknown' } : classifyStatusAnswer(answer);
    },
  };

  /** The wire events an HTTP client would have seen, classified the same way. */
  function transportOf(exchange: SimExchange): HttpAnswer | ConnectorError {
    switch (exchange.transport) {
      case 'refuse':
        return classifyTransportFailure({ code: 'connection_refused', phase: 'before_send', detail: `${sim.id} refused the connection` }, deduplicates);
      case 'reset':
        return classifyTransportFailure({ code: 'connection_reset', phase: 'after_send', detail: `${sim.id} reset the connection` }, deduplicates);
      case 'hang':
        return classifyTransportFailure({ code: 'timeout', phase: 'after_send', detail: `${sim.id} did not answer` }, deduplicates);
      case 'respond':
        return { status: exchange.status, retryAfter: exchange.headers?.['retry-after'] ?? null, body: exchange.body === undefined ? '' : JSON.stringify(exchange.body) };
    }
  }
}
