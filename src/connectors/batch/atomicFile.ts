/** File-system steps the batch connector needs to be crash-safe: atomic writes and moves that never clobber. */
import { randomUUID } from 'node:crypto';
import { link, open, readFile, readdir, rename, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { sha256 } from './outboundFiles.js';

const errorCode = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | undefined)?.code;
export const isMissing = (e: unknown): boolean => errorCode(e) === 'ENOENT';
const isTaken = (e: unknown): boolean => errorCode(e) === 'EEXIST';

/** Makes a rename or unlink in `dir` durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Temp file (a dotfile, which pollers skip) + fsync + rename + directory fsync: a reader sees the
 * old file or the whole new one, never a part, and a crash leaves at most a stray temp file.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${randomUUID()}.tmp`);
  const handle = await open(temp, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, file);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
  await fsyncDir(dir);
}

/** `orders.csv` + hash → `orders.1a2b3c4d5e6f.csv`. */
const withHash = (name: string, sha: string): string => {
  const ext = path.extname(name);
  return `${name.slice(0, name.length - ext.length)}.${sha.slice(0, 12)}${ext}`;
};

/**
 * Moves `source` into `dir` as `name`, never overwriting a different file: when `name` is taken by
 * other content the file keeps its hash in its name. Returns the path it ended at.
 */
export async function moveNoClobber(source: string, dir: string, name: string, sha: string): Promise<string> {
  for (const candidate of [name, withHash(name, sha)]) {
    const target = path.join(dir, candidate);
    try {
      await link(source, target);
    } catch (e) {
      if (!isTaken(e)) throw e;
      const existing = await readFile(target).catch((err: unknown) => (isMissing(err) ? undefined : Promise.reject(err)));
      if (existing === undefined || sha256(existing) !== sha) continue;
      // The same content is already there under this name.
    }
    await unlink(source);
    await fsyncDir(dir);
    return target;
  }
  // Both names hold other content (a hash collision of 48 bits): keep the file where it is, loudly.
  throw new Error(`cannot move ${source} into ${dir}: ${name} and its hashed name are taken by other content`);
}

/** The names in `dir`, none when it does not exist (yet). */
export async function readdirIfPresent(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (e) {
    if (isMissing(e)) return [];
    throw e;
  }
}

/** Renames, reporting `false` when the source is gone (another poller took it first). */
export async function renameIfPresent(from: string, to: string): Promise<boolean> {
  try {
    await rename(from, to);
    return true;
  } catch (e) {
    if (isMissing(e)) return false;
    throw e;
  }
}

/**
 * Writes `name` and then its `<name>.sha256` sidecar (sha256sum format), both atomically: the
 * sidecar is written last, so its presence says the file is complete. Returns the hash.
 */
export async function writeWithChecksum(dir: string, name: string, content: string): Promise<string> {
  const sha = sha256(content);
  await writeFileAtomic(path.join(dir, name), content);
  await writeFileAtomic(path.join(dir, `${name}.sha256`), `${sha}  ${name}\n`);
  return sha;
}
