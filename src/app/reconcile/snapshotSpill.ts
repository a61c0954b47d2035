import type { ReconcileKind } from '../../reconcile/index.js';
import { compareKeys } from '../../reconcile/index.js';
import type { ReconciliationPage, Store } from '../../store/port.js';
import type { TargetRow } from './snapshotRows.js';
import { rowKey } from './snapshotRows.js';

/**
 * A snapshot arrives in any order and may be bigger than memory. It is spilled as an external
 * sort: chunks of rows sorted in memory (stably, by the engine's key order), each stored as pages
 * of JSON; a run reads the chunks back merged (k-way, one page or two per chunk in memory), and a
 * resumed run starts every chunk after its cursor. Few, large writes: a million rows are about a
 * thousand page rows, whatever the store.
 */
export interface SpillSizes {
  /** Rows sorted in memory at once (the memory bound of receiving). */
  readonly chunkRows: number;
  /** Rows per stored page (the unit of reading back). */
  readonly pageRows: number;
}

export const DEFAULT_SPILL: SpillSizes = { chunkRows: 100_000, pageRows: 1_000 };

const encodeKey = (key: string): string => JSON.stringify(key);
const SURROGATE = /[\uD800-\uDFFF]/;
const decodeKey = (text: string): string => JSON.parse(text) as string;

export function createSpill(store: Store, runId: string, kind: ReconcileKind, sizes: SpillSizes = DEFAULT_SPILL) {
  let chunk = 0;
  let rows = 0;
  let buffer: { key: string; row: TargetRow }[] = [];
  const flush = async (): Promise<void> => {
    if (buffer.length === 0) return;
    // Array#sort is stable: copies keep their arrival order. Without surrogates (characters above
    // U+FFFF) JavaScript's own string order is the engine's, and much faster than compareKeys.
    const plain = !buffer.some((b) => SURROGATE.test(b.key));
    const sorted = buffer.sort(plain ? (a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) : (a, b) => compareKeys(a.key, b.key));
    buffer = [];
    let batch: ReconciliationPage[] = [];
    for (let start = 0, page = 0; start < sorted.length; start += sizes.pageRows, page++) {
      const slice = sorted.slice(start, start + sizes.pageRows);
      batch.push({ chunk, page, firstKey: encodeKey(slice[0]!.key), lastKey: encodeKey(slice.at(-1)!.key), count: slice.length, rows: JSON.stringify(slice.map((s) => s.row)) });
      if (batch.length === 25) {
        await store.putReconciliationPages(runId, batch);
        batch = [];
      }
    }
    await store.putReconciliationPages(runId, batch);
    chunk++;
  };
  return {
    async add(row: TargetRow): Promise<void> {
      buffer.push({ key: rowKey(kind, row), row });
      rows++;
      if (buffer.length >= sizes.chunkRows) await flush();
    },
    /** Stores what is buffered; the number of rows and chunks spilled. */
    async finish(): Promise<{ rows: number; chunks: number }> {
      await flush();
      return { rows, chunks: chunk };
    },
  };
}

interface ChunkReader {
  readonly chunk: number;
  nextPage: number;
  readonly endPage: number;
  rows: TargetRow[];
  keys: string[];
  at: number;
}

/**
 * The spilled rows of a run merged in key order (copies of a key in arrival order), after `after`
 * when resuming, as pages for the merge-join.
 */
export function spilledRows(store: Store, runId: string, kind: ReconcileKind, after: string | undefined, pageRows = DEFAULT_SPILL.pageRows): { pages: AsyncIterable<TargetRow[]> } {
  return {
    pages: (async function* () {
      const heads = await store.listReconciliationPageHeads(runId);
      const readers: ChunkReader[] = [];
      for (const h of heads) {
        let r = readers.find((x) => x.chunk === h.chunk);
        if (!r) readers.push((r = { chunk: h.chunk, nextPage: -1, endPage: 0, rows: [], keys: [], at: 0 }));
        (r as { endPage: number }).endPage = h.page + 1;
        if (r.nextPage < 0 && (after === undefined || compareKeys(decodeKey(h.lastKey), after) > 0)) r.nextPage = h.page;
      }
      const load = async (r: ChunkReader): Promise<boolean> => {
        while (r.at >= r.rows.length) {
          if (r.nextPage < 0 || r.nextPage >= r.endPage) return false;
          const pages = await store.readReconciliationPages(runId, r.chunk, r.nextPage, 2);
          if (pages.length === 0) return false;
          r.nextPage = pages.at(-1)!.page + 1;
          r.rows = pages.flatMap((p) => JSON.parse(p.rows) as TargetRow[]);
          r.keys = r.rows.map((row) => rowKey(kind, row));
          r.at = 0;
          if (after !== undefined) while (r.at < r.keys.length && compareKeys(r.keys[r.at]!, after) <= 0) r.at++;
        }
        return true;
      };
      const heap: ChunkReader[] = [];
      for (const r of readers) if (await load(r)) heap.push(r);
      const before = (a: ChunkReader, b: ChunkReader): boolean => {
        const c = compareKeys(a.keys[a.at]!, b.keys[b.at]!);
        return c < 0 || (c === 0 && a.chunk < b.chunk);
      };
      const down = (i: number): void => {
        for (;;) {
          const l = 2 * i + 1;
          let m = i;
          if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
          if (l + 1 < heap.length && before(heap[l + 1]!, heap[m]!)) m = l + 1;
          if (m === i) return;
          [heap[i], heap[m]] = [heap[m]!, heap[i]!];
          i = m;
        }
      };
      for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
      let out: TargetRow[] = [];
      while (heap.length > 0) {
        const top = heap[0]!;
        out.push(top.rows[top.at]!);
        top.at++;
        if (top.at >= top.rows.length && !(await load(top))) {
          const last = heap.pop()!;
          if (heap.length > 0) heap[0] = last;
        }
        if (heap.length > 0) down(0);
        if (out.length >= pageRows) {
          yield out;
          out = [];
        }
      }
      if (out.length > 0) yield out;
    })(),
  };
}
