/**
 * The batch-file connector (docs/connectors/batch-files.md): outbound messages become files in
 * the outbox (CSV or X12 940) under deterministic names with checksum sidecars; inbound files
 * are claimed from the inbox, translated and handed to the InboundSink; acknowledgements
 * (`<name>.ack`, 997) are matched to what was sent.
 */
import { mkdir } from 'node:fs/promises';
import { ConnectorError, type Connector, type Envelope, type InboundSink, type SendResult } from '../port.js';
import { createMapper } from '../mapping/index.js';
import { writeWithChecksum } from './atomicFile.js';
import { resolveDirectories, type BatchConnectorConfig, type BatchDirectories } from './config.js';
import type { InboundDeps } from './fileRun.js';
import { claim, listInbox, reclaimStale, type Claimed } from './inbox.js';
import { processClaimed, type FileReport } from './inboundFile.js';
import { BATCH_MESSAGE_TYPES, renderOutbound, sha256 } from './outboundFiles.js';
import { createSentLedger, type SentRecord } from './sentLedger.js';

export interface ScanReport {
  readonly files: readonly FileReport[];
  /** Files that could not be processed for a reason other than the sink (left claimed for a later sweep). */
  readonly crashed: readonly { readonly name: string; readonly error: string }[];
}

export interface BatchConnector extends Connector {
  readonly directories: BatchDirectories;
  /** One pass over the inbox (and over stale claims); what `start` runs every `pollIntervalMs`. */
  scanOnce(sink: InboundSink): Promise<ScanReport>;
  /** Sent files not (or negatively) acknowledged, first sent more than `olderThanMs` ago (default `ackTimeoutMs`). */
  outstanding(options?: { readonly olderThanMs?: number }): Promise<SentRecord[]>;
}

export interface BatchConnectorDeps {
  /** The clock (default: the system's). */
  readonly now?: () => Date;
  /** Where a failed background scan is reported (default: ignored; the next scan retries). */
  readonly onScanError?: (error: unknown) => void;
  readonly onScan?: (report: ScanReport) => void;
}

const transient = (e: unknown): ConnectorError =>
  new ConnectorError('transient', 'io_error', `writing the outbound file failed: ${e instanceof Error ? e.message : String(e)}`);

export function createBatchConnector(config: BatchConnectorConfig, deps: BatchConnectorDeps = {}): BatchConnector {
  const now = deps.now ?? (() => new Date());
  const dirs = resolveDirectories(config.directories);
  const ledger = createSentLedger(dirs.state);
  let made: Promise<unknown> | undefined;
  const ensureDirs = (): Promise<unknown> => (made ??= Promise.all(Object.values(dirs).map((d) => mkdir(d, { recursive: true }))).catch((e: unknown) => {
    made = undefined;
    throw e;
  }));
  const writeOutbox = async (name: string, content: string): Promise<void> => {
    await ensureDirs();
    await writeWithChecksum(dirs.outbox, name, content);
  };
  const inbound: InboundDeps = { config, dirs, mapper: createMapper(config.mapping), ledger, now, writeOutbox };

  async function send(envelope: Envelope, options: { readonly signal: AbortSignal }): Promise<SendResult> {
    const file = renderOutbound(envelope, config);
    const sha = sha256(file.content);
    const before = await ledger.get(file.name).catch((e: unknown) => Promise.reject(transient(e)));
    if (before?.ack && before.sha256 !== sha) {
      throw new ConnectorError('business', 'already_acknowledged', `${file.name} was acknowledged with other content (sha256 ${before.sha256}); the same idempotency key now renders differently`);
    }
    if (options.signal.aborted) throw new ConnectorError('transient', 'aborted', 'the send was aborted before writing');
    try {
      await writeOutbox(file.name, file.content);
      const m = envelope.message;
      await ledger.recordSend({
        name: file.name, sha256: sha, messageType: m.type, idempotencyKey: envelope.idempotencyKey, messageId: envelope.messageId,
        ...('fulfillmentId' in m ? { fulfillmentId: m.fulfillmentId } : {}),
        ...(file.x12 ? { x12: file.x12 } : {}),
      }, now().toISOString());
    } catch (e) {
      throw transient(e);
    }
    return { reference: file.name };
  }

  async function scanOnce(sink: InboundSink): Promise<ScanReport> {
    await ensureDirs();
    const files: FileReport[] = [];
    const crashed: { name: string; error: string }[] = [];
    const at = now().getTime();
    const claims: Claimed[] = await reclaimStale(dirs.processing, config.staleClaimMs, at);
    const take = async (c: Claimed): Promise<boolean> => {
      try {
        const r = await processClaimed(inbound, sink, c);
        files.push(r);
        return r.outcome !== 'retry';
      } catch (e) {
        crashed.push({ name: c.name, error: e instanceof Error ? e.message : String(e) });
        return true;
      }
    };
    for (const c of claims) if (!(await take(c))) return { files, crashed };
    for (const name of await listInbox(dirs.inbox, config.settleMs, at)) {
      const c = await claim(dirs.inbox, dirs.processing, name, now().getTime());
      // A sink that failed once will fail for the next file too: stop and retry on the next scan.
      if (c && !(await take(c))) break;
    }
    return { files, crashed };
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let closed = false;
  const tick = (sink: InboundSink): void => {
    running = scanOnce(sink)
      .then((r) => deps.onScan?.(r), (e: unknown) => deps.onScanError?.(e))
      .finally(() => {
        running = undefined;
        if (!closed) timer = setTimeout(() => tick(sink), config.pollIntervalMs);
      });
  };

  return {
    id: config.id,
    kind: 'batch',
    capabilities: { deduplicates: true, canCancel: true, partialCancel: false, statusQuery: false },
    handles: BATCH_MESSAGE_TYPES,
    directories: dirs,
    send,
    scanOnce,
    async outstanding(options = {}) {
      const limit = now().getTime() - (options.olderThanMs ?? config.ackTimeoutMs);
      return (await ledger.list()).filter((r) => r.ack?.status !== 'accepted' && Date.parse(r.firstSentAt) <= limit);
    },
    start(sink) {
      if (timer !== undefined || running !== undefined) return;
      closed = false;
      tick(sink);
    },
    async close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
