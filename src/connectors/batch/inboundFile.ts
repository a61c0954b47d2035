/**
 * One claimed inbound file from start to end: read and hash it, tell what it is (an ack, X12 or
 * CSV), hand its messages to the sink, then move it to processed/ or, if anything in it failed,
 * to failed/ with `<name>.errors.csv` beside it. A sink that throws sends the file back.
 */
import { link, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { InboundSink } from '../port.js';
import { isMissing, moveNoClobber, writeFileAtomic } from './atomicFile.js';
import { writeCsv } from './csv.js';
import { translateCsv } from './csvInbound.js';
import { createFileRun, rejection, SinkUnavailable, type FileRun, type InboundDeps, type ReportRow } from './fileRun.js';
import type { Claimed } from './inbox.js';
import { looksLikeX12, processX12 } from './inboundX12.js';
import { sha256 } from './outboundFiles.js';

export interface FileReport {
  /** The name the partner gave the file. */
  readonly name: string;
  readonly kind: 'csv' | 'x12' | 'ack' | 'unreadable';
  /** `retry`: the sink was unavailable and the file went back to the inbox (or stays claimed). */
  readonly outcome: 'processed' | 'failed' | 'retry';
  /** Messages the sink took (applied, conflict or unknown reference), duplicates apart. */
  readonly delivered: number;
  readonly duplicates: number;
  readonly quarantined: number;
  readonly errors: readonly ReportRow[];
  readonly movedTo?: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export async function processClaimed(deps: InboundDeps, sink: InboundSink, claimed: Claimed): Promise<FileReport> {
  const bytes = await readFile(claimed.path);
  const sha = sha256(bytes);
  let text: string | undefined;
  try {
    text = utf8.decode(bytes);
  } catch {
    text = undefined;
  }
  const run = createFileRun(deps, sink, claimed.name, sha, text ?? Buffer.from(bytes).toString('latin1'));
  const kind: FileReport['kind'] = text === undefined ? 'unreadable' : claimed.name.endsWith('.ack') ? 'ack' : looksLikeX12(text) ? 'x12' : 'csv';
  const report = (outcome: FileReport['outcome'], movedTo?: string): FileReport => ({
    name: claimed.name, kind, outcome, ...run.counts, errors: run.errors, ...(movedTo ? { movedTo } : {}),
  });
  let outcome: 'processed' | 'failed';
  try {
    if (kind === 'unreadable') {
      await run.failWhole('the file is not UTF-8 text');
      outcome = 'failed';
    } else if (kind === 'ack') outcome = await processAckFile(run, deps);
    else if (kind === 'x12') outcome = await processX12(run, deps);
    else outcome = await processCsv(run, deps);
  } catch (e) {
    if (!(e instanceof SinkUnavailable)) throw e;
    await returnToInbox(deps, claimed);
    return report('retry');
  }
  const dir = outcome === 'processed' ? deps.dirs.processed : deps.dirs.failed;
  const movedTo = await moveNoClobber(claimed.path, dir, claimed.name, sha);
  if (run.errors.length > 0) {
    const rows = run.errors.map((e) => [e.row, e.field, e.message]);
    await writeFileAtomic(`${movedTo}.errors.csv`, writeCsv([['row', 'field', 'message'], ...rows]));
  }
  return report(outcome, movedTo);
}

/** Back under its own name for the next scan; if that name was dropped again meanwhile, the stale-claim sweep takes it. */
async function returnToInbox(deps: InboundDeps, claimed: Claimed): Promise<void> {
  try {
    await link(claimed.path, path.join(deps.dirs.inbox, claimed.name));
    await unlink(claimed.path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST' && !isMissing(e)) throw e;
  }
}

async function processCsv(run: FileRun, deps: InboundDeps): Promise<'processed' | 'failed'> {
  const t = translateCsv(run.text, { mapper: deps.mapper, utcOffset: deps.config.utcOffset });
  if (!t.ok) {
    await run.failWhole(t.message, run.text, t.row);
    return 'failed';
  }
  const rowErrors: ReportRow[] = t.errors.map((e) => ({ row: String(e.row), field: e.field, message: e.message }));
  const rejected: { key: string; rows: readonly number[] }[] = [];
  for (const m of t.messages) {
    const outcome = await run.deliver(m.message, m.key);
    if (outcome.status !== 'rejected') continue;
    rejected.push(m);
    for (const r of m.rows) rowErrors.push({ row: String(r), field: '', message: rejection(outcome) });
  }
  const raw = new Map(t.records.map((r) => [r.row, r.raw]));
  for (const w of [...t.withheld, ...rejected]) {
    const rows = new Set(w.rows.map(String));
    const reasons = rowErrors.filter((e) => rows.has(e.row)).map((e) => `row ${e.row}${e.field ? ` ${e.field}` : ''}: ${e.message}`);
    const code = t.errors.find((e) => w.rows.includes(e.row) && e.unknown)?.unknown?.code;
    const text = [t.header.raw, ...w.rows.map((r) => raw.get(r) ?? '')].join('\r\n');
    await run.quarantine(reasons.join('; '), `${text}\r\n`, w.key, code);
  }
  run.errors.push(...rowErrors.sort((a, b) => Number(a.row) - Number(b.row)));
  return run.errors.length > 0 ? 'failed' : 'processed';
}

/** `<sent name>.ack`: empty, or starting with the sha256 of the file it acknowledges (sha256sum output). */
async function processAckFile(run: FileRun, deps: InboundDeps): Promise<'processed' | 'failed'> {
  const sentName = run.name.slice(0, -'.ack'.length);
  const record = await deps.ledger.get(sentName);
  if (!record) {
    await run.failWhole(`acknowledgement for ${sentName}, which this connector never sent`);
    return 'failed';
  }
  const claimedSha = /^([0-9a-fA-F]{64})(\s|$)/.exec(run.text.trim())?.[1]?.toLowerCase();
  if (claimedSha !== undefined && claimedSha !== record.sha256) {
    await run.failWhole(`acknowledges a different version of ${sentName}: sha256 ${claimedSha}, sent ${record.sha256}`);
    return 'failed';
  }
  await deps.ledger.acknowledge(sentName, { status: 'accepted', at: deps.now().toISOString(), via: 'file' });
  return 'processed';
}
