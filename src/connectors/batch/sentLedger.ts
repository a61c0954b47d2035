/**
 * What the batch connector has sent and what the partner acknowledged, kept as one small JSON
 * file per sent file under `<state>/sent/` (written atomically), plus an index from X12 control
 * numbers to file names so a 997 finds its 940.
 */
import { mkdir, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { OutboundMessageType } from '../port.js';
import { isMissing, writeFileAtomic } from './atomicFile.js';

export interface Acknowledgement {
  readonly status: 'accepted' | 'rejected';
  readonly at: string;
  /** `file`: a `<name>.ack`; `997`: an X12 functional acknowledgement. */
  readonly via: 'file' | '997';
  readonly detail?: string;
}

export interface SentRecord {
  readonly name: string;
  readonly sha256: string;
  readonly messageType: OutboundMessageType;
  readonly idempotencyKey: string;
  readonly messageId: string;
  readonly fulfillmentId?: string;
  readonly firstSentAt: string;
  readonly lastSentAt: string;
  readonly sends: number;
  readonly x12?: { readonly interchange: string; readonly group: string; readonly transaction: string };
  readonly ack?: Acknowledgement;
}

export type SendInput = Omit<SentRecord, 'firstSentAt' | 'lastSentAt' | 'sends' | 'ack'>;

export interface SentLedger {
  get(name: string): Promise<SentRecord | undefined>;
  /** Records a (re)send at `at`, keeping the first send time and any acknowledgement of the same content. */
  recordSend(input: SendInput, at: string): Promise<SentRecord>;
  acknowledge(name: string, ack: Acknowledgement): Promise<SentRecord | undefined>;
  /** The sent file an X12 997 speaks of: by GS06 and, when the 997 names it, ST02. */
  findByControl(group: string, transaction?: string): Promise<SentRecord | undefined>;
  list(): Promise<SentRecord[]>;
}

/** Partners may echo control numbers with or without leading zeros. */
const control = (v: string): string => (/^\d+$/.test(v) ? String(Number(v)) : v);
const indexKey = (group: string, transaction: string): string => `${control(group)}-${control(transaction)}`;

const safe = (name: string): boolean => /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name);

export function createSentLedger(stateDir: string): SentLedger {
  const sentDir = path.join(stateDir, 'sent');
  const indexDir = path.join(stateDir, 'x12-index');
  let ready: Promise<unknown> | undefined;
  const ensure = (): Promise<unknown> => (ready ??= Promise.all([mkdir(sentDir, { recursive: true }), mkdir(indexDir, { recursive: true })]));

  const get = async (name: string): Promise<SentRecord | undefined> => {
    if (!safe(name)) return undefined;
    try {
      return JSON.parse(await readFile(path.join(sentDir, `${name}.json`), 'utf8')) as SentRecord;
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  };
  const put = async (r: SentRecord): Promise<SentRecord> => {
    await ensure();
    await writeFileAtomic(path.join(sentDir, `${r.name}.json`), `${JSON.stringify(r, null, 2)}\n`);
    return r;
  };

  return {
    get,
    async recordSend(input, at) {
      const before = await get(input.name);
      const sameContent = before?.sha256 === input.sha256;
      const record: SentRecord = {
        ...input,
        firstSentAt: before?.firstSentAt ?? at,
        lastSentAt: at,
        sends: (before?.sends ?? 0) + 1,
        ...(sameContent && before?.ack ? { ack: before.ack } : {}),
      };
      if (input.x12) {
        await ensure();
        await writeFileAtomic(path.join(indexDir, indexKey(input.x12.group, input.x12.transaction)), input.name);
      }
      return put(record);
    },
    async acknowledge(name, ack) {
      const before = await get(name);
      return before ? put({ ...before, ack }) : undefined;
    },
    async findByControl(group, transaction) {
      await ensure();
      const keys = transaction !== undefined ? [indexKey(group, transaction)] : (await readdir(indexDir)).filter((k) => k.startsWith(`${control(group)}-`));
      for (const key of keys) {
        if (!safe(key)) continue;
        try {
          const found = await get((await readFile(path.join(indexDir, key), 'utf8')).trim());
          if (found) return found;
        } catch (e) {
          if (!isMissing(e)) throw e;
        }
      }
      return undefined;
    },
    async list() {
      await ensure();
      const names = (await readdir(sentDir)).filter((f) => f.endsWith('.json') && !f.startsWith('.'));
      const records = await Promise.all(names.map((f) => get(f.slice(0, -'.json'.length))));
      return records.filter((r): r is SentRecord => r !== undefined).sort((a, b) => a.firstSentAt.localeCompare(b.firstSentAt));
    },
  };
}
