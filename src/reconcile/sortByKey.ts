import { compareKeys } from './compareKeys.js';

/**
 * Sorts a batch of target rows in memory by key, stably (copies keep their arrival order), in the
 * order the merge-join needs. For a snapshot too big for memory, the I/O edge sorts in the store
 * (`ORDER BY … COLLATE "C"` / BINARY) or spills runs sorted with this to disk and merges them with
 * mergeSortedRuns.
 */
export function sortByKey<T>(rows: readonly T[], keyOf: (row: T) => string): T[] {
  const keyed = rows.map((row) => ({ key: keyOf(row), row }));
  keyed.sort((a, b) => compareKeys(a.key, b.key));
  return keyed.map((k) => k.row);
}
