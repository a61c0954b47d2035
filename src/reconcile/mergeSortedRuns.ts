import { compareKeys } from './compareKeys.js';
import type { Rows } from './rowCursor.js';
import { RowCursor } from './rowCursor.js';

/**
 * k-way merge of runs each sorted by key (the second phase of an external sort: the edge spills
 * runs sorted with sortByKey to disk and reads them back as iterables). Stable: equal keys come
 * out in run order, then in their order within the run. Memory: one row (or page) per run.
 */
export async function* mergeSortedRuns<T>(runs: readonly Rows<T>[], keyOf: (row: T) => string): AsyncGenerator<T, void, undefined> {
  const cursors = runs.map((run) => new RowCursor(run, keyOf, {}, 'target'));
  try {
    const heap: Head<T>[] = [];
    for (const [index, cursor] of cursors.entries()) {
      if (!cursor.step()) await cursor.refill();
      if (cursor.has) heap.push({ cursor, index });
    }
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i);
    while (heap.length > 0) {
      const top = heap[0]!;
      yield top.cursor.row as T;
      if (!top.cursor.step()) await top.cursor.refill();
      if (!top.cursor.has) {
        const last = heap.pop()!;
        if (heap.length === 0) return;
        heap[0] = last;
      }
      siftDown(heap, 0);
    }
  } finally {
    await Promise.all(cursors.map((c) => c.close()));
  }
}

interface Head<T> {
  readonly cursor: RowCursor<T>;
  readonly index: number;
}

const before = <T>(a: Head<T>, b: Head<T>): boolean => {
  const c = compareKeys(a.cursor.key, b.cursor.key);
  return c < 0 || (c === 0 && a.index < b.index);
};

function siftDown<T>(heap: Head<T>[], i: number): void {
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
    if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
    if (m === i) return;
    [heap[i], heap[m]] = [heap[m]!, heap[i]!];
    i = m;
  }
}
