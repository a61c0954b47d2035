/**
 * One claimed inbound file being processed: its identity (name, sha256), what it gave the sink,
 * what it quarantined and the error rows of its report. Every sink call goes through here, so a
 * sink that throws (the store is down) stops the file as a whole, to be retried.
 */
import type { InboundMessage, InboundOutcome, InboundSink, InboundSource } from '../port.js';
import type { Mapper } from '../mapping/index.js';
import type { BatchConnectorConfig, BatchDirectories } from './config.js';
import type { SentLedger } from './sentLedger.js';

/** What the inbound side needs; built once by createBatchConnector. */
export interface InboundDeps {
  readonly config: BatchConnectorConfig;
  readonly dirs: BatchDirectories;
  readonly mapper: Mapper;
  readonly ledger: SentLedger;
  readonly now: () => Date;
  /** Writes a file (a 997) into the outbox with its checksum sidecar. */
  readonly writeOutbox: (name: string, content: string) => Promise<void>;
}

/** A row of `<name>.errors.csv`: CSV record number, or X12 position (`1.1.2`) / `segment N`. */
export interface ReportRow {
  readonly row: string;
  readonly field: string;
  readonly message: string;
}

/** The sink failed: the file goes back to the inbox untouched by any move, to be processed again. */
export class SinkUnavailable extends Error {
  constructor(override readonly cause: unknown) {
    super(`the inbound sink failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'SinkUnavailable';
  }
}

export interface FileRun {
  readonly name: string;
  readonly sha: string;
  readonly text: string;
  readonly errors: ReportRow[];
  readonly counts: { delivered: number; duplicates: number; quarantined: number };
  /** Gives a message to the sink as `{ system: <connector>, messageId: <sha>#<suffix> }`. */
  deliver(message: InboundMessage, suffix: string): Promise<InboundOutcome>;
  /** Quarantines raw input once, with the reason and (for an unknown code) the code. */
  quarantine(reason: string, raw: string, suffix?: string, code?: string): Promise<void>;
  /** The whole file failed: one error row and one quarantine of the whole file. */
  failWhole(reason: string, raw?: string, row?: number): Promise<void>;
}

export function createFileRun(deps: InboundDeps, sink: InboundSink, name: string, sha: string, text: string): FileRun {
  const connector = deps.config.id;
  const source = (suffix?: string): InboundSource => ({ system: connector, messageId: suffix === undefined ? sha : `${sha}#${suffix}` });
  const guarded = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (e) {
      throw new SinkUnavailable(e);
    }
  };
  const counts = { delivered: 0, duplicates: 0, quarantined: 0 };
  const errors: ReportRow[] = [];
  const quarantine = async (reason: string, raw: string, suffix?: string, code?: string): Promise<void> => {
    await guarded(() => sink.quarantine({ connector, reason: `${name}: ${reason}`, ...(code !== undefined ? { code } : {}), raw, source: source(suffix) }));
    counts.quarantined++;
  };
  return {
    name,
    sha,
    text,
    errors,
    counts,
    async deliver(message, suffix) {
      const outcome = await guarded(() => sink.receive(message, source(suffix)));
      if (outcome.status === 'duplicate') counts.duplicates++;
      else if (outcome.status !== 'rejected') counts.delivered++;
      return outcome;
    },
    quarantine,
    async failWhole(reason, raw = text, row) {
      errors.push({ row: row === undefined ? '' : String(row), field: '', message: reason });
      await quarantine(reason, raw);
    },
  };
}

/** The sink's refusal, as one message for a report row. */
export function rejection(outcome: Extract<InboundOutcome, { status: 'rejected' }>): string {
  const detail = outcome.errors?.map((e) => `${e.path}: ${e.message}`).join('; ');
  return `rejected by Orderly: ${outcome.code}: ${outcome.message}${detail ? ` (${detail})` : ''}`;
}
