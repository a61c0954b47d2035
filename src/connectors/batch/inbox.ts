/**
 * Claiming inbound files. A claim is one rename from `inbox/` into `processing/` under a name no
 * one else uses: of two pollers renaming the same file one succeeds and the other finds it gone,
 * so a file is processed once. The claim's time is in its name (not the file's mtime, which a
 * rename keeps), so a claim left behind by a poller that died is found and claimed again.
 */
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { isMissing, readdirIfPresent, renameIfPresent } from './atomicFile.js';

export interface Claimed {
  /** Where the claimed file now is, in processing/. */
  readonly path: string;
  /** Its name as the partner dropped it. */
  readonly name: string;
}

/** Temp files (ours are dotfiles), partial uploads and checksum sidecars are not messages. */
const NOT_A_MESSAGE = /^\.|\.(tmp|part|partial|filepart|sha256)$/i;

export const isCandidate = (name: string): boolean => !NOT_A_MESSAGE.test(name);

const claimName = (name: string, at: number): string => `${at.toString(36)}~${randomUUID().slice(0, 8)}~${name}`;

function parseClaim(file: string): { at: number; name: string } | undefined {
  const m = /^([0-9a-z]+)~[0-9a-f]{8}~(.+)$/.exec(file);
  return m ? { at: parseInt(m[1] ?? '', 36), name: m[2] ?? '' } : undefined;
}

/** Settled candidate names in the inbox, oldest first (then by name), so files are taken in arrival order. */
export async function listInbox(inbox: string, settleMs: number, now: number): Promise<string[]> {
  const names = await readdirIfPresent(inbox);
  const found: { name: string; mtime: number }[] = [];
  for (const name of names.filter(isCandidate)) {
    try {
      const s = await stat(path.join(inbox, name));
      if (s.isFile() && (settleMs === 0 || now - s.mtimeMs >= settleMs)) found.push({ name, mtime: s.mtimeMs });
    } catch (e) {
      if (!isMissing(e)) throw e; // taken by another poller meanwhile
    }
  }
  return found.sort((a, b) => a.mtime - b.mtime || a.name.localeCompare(b.name)).map((f) => f.name);
}

export async function claim(inbox: string, processing: string, name: string, now: number): Promise<Claimed | undefined> {
  const target = path.join(processing, claimName(name, now));
  try {
    return (await renameIfPresent(path.join(inbox, name), target)) ? { path: target, name } : undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    throw new Error(`cannot claim ${name}: ${inbox} and ${processing} are on different file systems, and a claim is only atomic as a rename within one`, { cause: e });
  }
}

/** Claims again what a dead poller left in processing/ for longer than `staleMs`. */
export async function reclaimStale(processing: string, staleMs: number, now: number): Promise<Claimed[]> {
  const files = await readdirIfPresent(processing);
  const claimed: Claimed[] = [];
  for (const file of files) {
    const c = parseClaim(file);
    if (!c || now - c.at < staleMs) continue;
    const target = path.join(processing, claimName(c.name, now));
    if (await renameIfPresent(path.join(processing, file), target)) claimed.push({ path: target, name: c.name });
  }
  return claimed;
}
