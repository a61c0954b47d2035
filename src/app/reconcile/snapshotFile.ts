import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { MappingTables } from '../../connectors/mapping/index.js';
import type { ReconcileKind } from '../../reconcile/index.js';
import type { RawItem } from './snapshotFormats.js';
import { csvRows, jsonLineRows, x12InventoryRows } from './snapshotFormats.js';
import { SnapshotError } from './snapshotRows.js';

export type SnapshotFileFormat = 'json' | 'csv' | 'x12';

/** The format a file's name says (`.csv`, `.edi`/`.x12`/`.846`, else JSON). */
export function formatOfName(name: string): SnapshotFileFormat {
  const ext = name.toLowerCase().split('.').pop() ?? '';
  if (ext === 'csv') return 'csv';
  if (ext === 'edi' || ext === 'x12' || ext === '846') return 'x12';
  return 'json';
}

/** The file's lines, opened only once read (a file refused before its rows are read is never opened) and closed after. */
async function* lines(path: string): AsyncGenerator<string, void, undefined> {
  const input = createReadStream(path, { encoding: 'utf8' });
  const rl = createInterface({ input, crlfDelay: Infinity });
  try {
    yield* rl;
  } finally {
    rl.close();
    input.destroy();
  }
}

/**
 * A snapshot file's rows, streamed where the format allows: JSON lines (one row per line) and CSV
 * are read line by line, a JSON document (`{ asOf?, scope?, rows }` or an array of rows) and an 846
 * whole. `asOf`/`scope` come from the document or the 846 when it says them.
 */
export async function readSnapshotFile(path: string, format: SnapshotFileFormat, kind: ReconcileKind, mapping?: MappingTables): Promise<{ rows: AsyncIterable<RawItem> | Iterable<RawItem>; asOf?: string; scope?: unknown; modifiedAt: string }> {
  const modifiedAt = (await stat(path)).mtime.toISOString();
  if (format === 'csv') return { rows: csvRows(kind, lines(path)), modifiedAt };
  if (format === 'x12') {
    const read = x12InventoryRows(await readFile(path, 'utf8'), mapping);
    if (read.errors.length > 0) throw new SnapshotError(`the 846 cannot be read: ${read.errors.slice(0, 5).map((e) => `${e.path}: ${e.message}`).join('; ')}`, read.errors.slice(0, 100));
    return { rows: read.rows, ...(read.asOf !== undefined ? { asOf: read.asOf } : {}), modifiedAt };
  }
  // One object per line (JSON lines) streams; a document ({ rows } or [rows]) is read whole.
  if (!(await isDocument(path))) return { rows: jsonLineRows(lines(path)), modifiedAt };
  let doc: unknown;
  try {
    doc = JSON.parse((await readFile(path, 'utf8')).replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new SnapshotError(`the file is not JSON: ${(err as Error).message}`, [{ path: 'file', message: 'malformed JSON' }]);
  }
  const list = Array.isArray(doc) ? doc : (doc as { rows?: unknown }).rows;
  if (!Array.isArray(list)) throw new SnapshotError('the JSON document has no rows', [{ path: 'rows', message: 'required: an array' }]);
  const meta = Array.isArray(doc) ? {} : (doc as { asOf?: unknown; scope?: unknown });
  return {
    rows: list.map((input, i) => ({ input, path: `rows[${i}]` })),
    ...(typeof meta.asOf === 'string' ? { asOf: meta.asOf } : {}),
    ...(meta.scope !== undefined ? { scope: meta.scope } : {}),
    modifiedAt,
  };
}

/**
 * A JSON document rather than JSON lines: it starts with `[`, or its first line is not a whole JSON
 * value (a document spread over lines), or is one object holding `rows`.
 */
async function isDocument(path: string): Promise<boolean> {
  for await (const raw of lines(path)) {
    const line = raw.replace(/^\uFEFF/, '').trim();
    if (line === '') continue;
    if (line.startsWith('[')) return true;
    try {
      const value = JSON.parse(line) as unknown;
      return typeof value === 'object' && value !== null && Array.isArray((value as { rows?: unknown }).rows);
    } catch {
      return true;
    }
  }
  return false;
}
