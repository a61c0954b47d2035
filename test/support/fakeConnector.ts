import type { Connector, Envelope, Fact, InboundMessage, InboundOutcome, InboundSink, InboundSource, OutboundMessageType, SendResult } from '../../src/connectors/port.js';
import type { FakeClock } from './fakeClock.js';

/** What the fake target does with one send. */
export type Behaviour =
  | { readonly kind: 'ok'; readonly facts?: readonly Fact[]; readonly reference?: string }
  /** Throws before the target sees anything. */
  | { readonly kind: 'throw'; readonly error: unknown }
  /** The target receives the message, then throws (e.g. a ConnectorError('ambiguous') after a read timeout). */
  | { readonly kind: 'receive_then_throw'; readonly error: unknown }
  /** Never answers; rejects when aborted. `received`: the target got it before going silent. */
  | { readonly kind: 'silent'; readonly received: boolean }
  /** Answers after `ms` of (fake) time: concurrency can be observed meanwhile. */
  | { readonly kind: 'slow'; readonly ms: number; readonly then?: Behaviour };

export interface FakeTarget {
  readonly connector: Connector;
  /** Every call of send, in order. */
  readonly calls: Envelope[];
  /** Messages the target actually processed (a deduplicating target processes a key once). */
  readonly received: Envelope[];
  readonly statusQueries: Envelope[];
  readonly maxConcurrent: () => number;
}

export const ALL_TYPES: OutboundMessageType[] = ['fulfillment.release', 'fulfillment.cancel', 'payment.authorize', 'payment.capture', 'payment.void', 'payment.refund'];

/**
 * An in-memory target behind a connector, whose faults the test scripts per call. Its status
 * answer, when it has one, is the truth (`received` iff it processed the key) unless `status` says otherwise.
 */
export function createFakeTarget(options: {
  id: string;
  clock: FakeClock;
  deduplicates?: boolean;
  statusQuery?: boolean;
  handles?: OutboundMessageType[];
  behave?: (envelope: Envelope, call: number) => Behaviour;
  status?: (envelope: Envelope) => 'received' | 'not_received' | 'unknown' | 'fail';
  statusFacts?: (envelope: Envelope) => readonly Fact[] | undefined;
}): FakeTarget {
  const calls: Envelope[] = [];
  const received: Envelope[] = [];
  const statusQueries: Envelope[] = [];
  const seen = new Set<string>();
  let concurrent = 0;
  let maxConcurrent = 0;
  const deduplicates = options.deduplicates ?? false;

  const receive = (e: Envelope) => {
    if (deduplicates && seen.has(e.idempotencyKey)) return;
    seen.add(e.idempotencyKey);
    received.push(e);
  };
  const perform = (b: Behaviour, e: Envelope, signal: AbortSignal): Promise<SendResult> => {
    switch (b.kind) {
      case 'ok':
        receive(e);
        return Promise.resolve({ ...(b.facts ? { facts: b.facts } : {}), ...(b.reference ? { reference: b.reference } : {}) });
      case 'throw':
        return Promise.reject(b.error);
      case 'receive_then_throw':
        receive(e);
        return Promise.reject(b.error);
      case 'silent':
        if (b.received) receive(e);
        return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
      case 'slow':
        return new Promise((resolve, reject) => {
          const h = options.clock.timers.setTimeout(() => perform(b.then ?? { kind: 'ok' }, e, signal).then(resolve, reject), b.ms);
          signal.addEventListener('abort', () => {
            options.clock.timers.clearTimeout(h);
            reject(new DOMException('aborted', 'AbortError'));
          });
        });
    }
  };

  const connector: Connector = {
    id: options.id,
    kind: 'fake',
    capabilities: { deduplicates, canCancel: true, partialCancel: true, statusQuery: options.statusQuery ?? false },
    handles: options.handles ?? ALL_TYPES,
    async send(envelope, { signal }) {
      calls.push(envelope);
      concurrent += 1;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      try {
        return await perform(options.behave?.(envelope, calls.length) ?? { kind: 'ok' }, envelope, signal);
      } finally {
        concurrent -= 1;
      }
    },
    ...(options.statusQuery
      ? {
          async queryStatus(envelope: Envelope) {
            statusQueries.push(envelope);
            const answer = options.status?.(envelope) ?? (seen.has(envelope.idempotencyKey) ? 'received' : 'not_received');
            if (answer === 'fail') throw new Error('status endpoint down');
            const facts = answer === 'received' ? options.statusFacts?.(envelope) : undefined;
            return { status: answer, ...(facts ? { facts } : {}) };
          },
        }
      : {}),
  };
  return { connector, calls, received, statusQueries, maxConcurrent: () => maxConcurrent };
}

/** A sink that records what it is given and dedupes by (system, messageId), as the real one does. */
export function createRecordingSink(options: { fail?: () => boolean; reject?: (m: InboundMessage) => boolean } = {}) {
  const applied: { message: InboundMessage; source: InboundSource }[] = [];
  const duplicates: InboundSource[] = [];
  const quarantined: { reason: string; raw: string }[] = [];
  const seen = new Set<string>();
  const sink: InboundSink = {
    async receive(message, source): Promise<InboundOutcome> {
      if (options.fail?.()) throw new Error('ledger unavailable');
      if (options.reject?.(message)) return { status: 'rejected', code: 'validation_failed', message: 'malformed fact' };
      const key = `${source.system}\u0000${source.messageId}`;
      if (seen.has(key)) {
        duplicates.push(source);
        return { status: 'duplicate' };
      }
      seen.add(key);
      applied.push({ message, source });
      return { status: 'applied' };
    },
    async quarantine(input) {
      quarantined.push({ reason: input.reason, raw: input.raw });
      return { exceptionId: `exc_${quarantined.length}` };
    },
  };
  return { sink, applied, duplicates, quarantined };
}
