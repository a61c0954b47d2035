import type { Fact, InboundMessage, InboundOutcome, InboundSink, InboundSource } from '../../src/connectors/port.js';

export interface RecordingSink extends InboundSink {
  /** Every call, duplicates included, in order. */
  readonly calls: { readonly message: InboundMessage; readonly source: InboundSource; readonly outcome: InboundOutcome }[];
  readonly quarantined: Parameters<InboundSink['quarantine']>[0][];
  /** Facts applied once each (what the ledger would hold). */
  applied(): Fact[];
}

/**
 * A fake InboundSink that deduplicates by (system, messageId) like the real one and records
 * everything; `decide` picks the outcome of a first delivery (default: applied).
 */
export function createRecordingSink(decide: (message: InboundMessage, source: InboundSource) => InboundOutcome = () => ({ status: 'applied' })): RecordingSink {
  const calls: RecordingSink['calls'] = [];
  const quarantined: RecordingSink['quarantined'] = [];
  const seen = new Set<string>();
  return {
    calls,
    quarantined,
    async receive(message, source) {
      const key = `${source.system}|${source.messageId}`;
      const outcome: InboundOutcome = seen.has(key) ? { status: 'duplicate' } : decide(message, source);
      if (outcome.status !== 'rejected') seen.add(key);
      calls.push({ message, source, outcome });
      return outcome;
    },
    async quarantine(input) {
      quarantined.push(input);
      return { exceptionId: `exc_${quarantined.length}` };
    },
    applied: () => calls.filter((c) => c.outcome.status === 'applied').map((c) => c.message as Fact),
  };
}
