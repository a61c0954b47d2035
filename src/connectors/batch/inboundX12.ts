/**
 * An inbound X12 file: 997s for its groups go to the outbox, 997s it carries acknowledge what we
 * sent, and its 945/856/846/850 transactions become canonical messages. A transaction with any
 * problem is quarantined once, raw; the others are delivered.
 */
import type { TranslationProblem } from '../mapping/index.js';
import {
  DEFAULT_SEPARATORS, acknowledgeGroups, isAccepted, parseX12Detail, read997, serializeSegments, translateX12, x12DateTime,
  type Segment, type Separators, type X12InboundOptions, type X12ParseDetail,
} from '../x12/index.js';
import { rejection, type FileRun, type InboundDeps } from './fileRun.js';

type Outcome = 'processed' | 'failed';

/** Text that starts (after a BOM and blanks) like an ISA, GS or ST segment. */
export const looksLikeX12 = (text: string): boolean => /^\uFEFF?\s*(ISA|GS|ST)[^A-Za-z0-9\s]/.test(text);

export async function processX12(run: FileRun, deps: InboundDeps): Promise<Outcome> {
  const c = deps.config;
  const detail = parseX12Detail(run.text, { strict: c.x12.strict });
  const errors = detail.errors.filter((e) => e.severity === 'error');
  if (c.x12.acknowledge) await write997s(run, deps, detail);
  if (detail.interchanges.length === 0 || (c.x12.strict && errors.length > 0)) {
    await run.failWhole(`X12 not accepted: ${errors.map((e) => e.message).join('; ') || 'no X12 content'}`);
    return 'failed';
  }
  let failed = false;
  if (errors.length > 0) {
    // Lenient: what could be read is processed; what could not is reported and the file quarantined once.
    for (const e of errors) run.errors.push({ row: e.segment === undefined ? '' : `segment ${e.segment}`, field: '', message: e.message });
    await run.quarantine(`part of the X12 content could not be read: ${errors.map((e) => e.message).join('; ')}`, run.text);
    failed = true;
  }
  if (await processAcks(run, deps, detail)) failed = true;

  const options: X12InboundOptions = {
    mapper: deps.mapper, utcOffset: c.utcOffset, channel: c.x12.channel, customerTier: c.x12.customerTier,
    itemIdQualifiers: c.x12.itemIdQualifiers, asnOrderRef: c.x12.asnOrderRef, inventoryLocationRoles: c.x12.inventoryLocationRoles,
  };
  for (const t of translateX12(detail, options)) {
    const problems: TranslationProblem[] = [...t.problems];
    for (const m of t.messages) {
      const outcome = await run.deliver(m.message, `${t.position}/${m.key}`);
      if (outcome.status === 'rejected') problems.push({ kind: 'invalid', field: '', message: rejection(outcome), unit: m.key });
    }
    if (problems.length === 0) continue;
    failed = true;
    for (const p of problems) run.errors.push({ row: t.position, field: p.field, message: p.message });
    const reason = `${t.type} ${t.controlNumber} (${t.position}): ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`;
    await run.quarantine(reason, rawTransaction(detail, t.position, t.segments), t.position, problems.find((p) => p.unknown)?.unknown?.code);
  }
  return failed ? 'failed' : 'processed';
}

/** The transaction's segments written back with its interchange's own separators. */
function rawTransaction(detail: X12ParseDetail, position: string, segments: readonly Segment[]): string {
  const separators: Separators = detail.interchanges[Number(position.split('.')[0]) - 1]?.separators ?? DEFAULT_SEPARATORS;
  try {
    return serializeSegments(segments, separators);
  } catch {
    return serializeSegments(segments, DEFAULT_SEPARATORS);
  }
}

/** Matches each 997 to the 940 it acknowledges; a 997 for something never sent is quarantined. */
async function processAcks(run: FileRun, deps: InboundDeps, detail: X12ParseDetail): Promise<boolean> {
  let failed = false;
  for (const ack of read997(detail)) {
    const raw = rawTransaction(detail, ack.position, ack.segments);
    const sets = ack.sets.length > 0 ? ack.sets : [undefined];
    for (const set of sets) {
      const what = `group ${ack.groupControlNumber}${set ? ` set ${set.type} ${set.controlNumber}` : ''}`;
      const record = await deps.ledger.findByControl(ack.groupControlNumber, set?.controlNumber);
      if (!record) {
        const message = `997 for ${what}, which this connector never sent`;
        run.errors.push({ row: ack.position, field: set ? 'AK202' : 'AK102', message });
        await run.quarantine(message, raw, ack.position);
        failed = true;
        continue;
      }
      const accepted = set ? isAccepted(set.status) && ack.groupStatus !== 'R' : isAccepted(ack.groupStatus);
      const detailText = `AK9 ${ack.groupStatus}${set ? `, AK5 ${set.status}` : ''}`;
      await deps.ledger.acknowledge(record.name, { status: accepted ? 'accepted' : 'rejected', at: deps.now().toISOString(), via: '997', detail: detailText });
      if (!accepted) await run.quarantine(`the partner's 997 rejects ${record.name} (${detailText})`, raw, ack.position);
    }
  }
  return failed;
}

async function write997s(run: FileRun, deps: InboundDeps, detail: X12ParseDetail): Promise<void> {
  const { date, time } = x12DateTime(deps.now().toISOString(), 'now');
  const c = deps.config;
  const acks = acknowledgeGroups(detail, { fileKey: run.sha, date, time, strict: c.x12.strict, ...(c.x12.separators ? { separators: c.x12.separators } : {}) });
  for (const a of acks) {
    if (a.text !== undefined) await deps.writeOutbox(`${c.id}.997.${run.sha.slice(0, 12)}.${a.position}.edi`, a.text);
  }
}
