import type { KeyRange } from './compareKeys.js';
import { compareKeys } from './compareKeys.js';
import type { Rows } from './rowCursor.js';
import { RowCursor } from './rowCursor.js';

/**
 * Emitted every `progressEvery` rows and once at the end (`done`). `cursor` is the last key fully
 * compared: every finding for keys up to it has been yielded before this event, so a run resumed
 * with `range.after = cursor` yields exactly the remaining findings.
 */
export interface Progress {
  readonly type: 'progress';
  readonly cursor: string | null;
  readonly keys: number;
  readonly drifts: number;
  readonly deferrals: number;
  /** Rows compared so far (within the range). */
  readonly ledgerRows: number;
  readonly targetRows: number;
  /** Target rows beyond `maxGroup` copies of one key: counted, not kept. */
  readonly droppedCopies: number;
  readonly done: boolean;
}

export interface JoinOptions<L, T, F> {
  readonly ledgerKey: (row: L) => string;
  readonly targetKey: (row: T) => string;
  /**
   * Compares one key: the ledger's row (undefined when it has none) and the target's rows (none,
   * one or more). The array is reused after the call returns: copy what you keep.
   */
  readonly compare: (ledger: L | undefined, target: readonly T[], key: string) => readonly F[];
  /** Keys outside it are skipped on both sides. */
  readonly range?: KeyRange;
  /** Rows (ledger + target) between progress events; default 10,000. */
  readonly progressEvery?: number;
  /** Copies of one target key kept for `compare`; default 1,000 (memory stays bounded). */
  readonly maxGroup?: number;
}

/**
 * Streaming merge-join of the ledger and a target snapshot, both sorted by key: memory O(1) in
 * rows apart from one key's duplicate group. Ledger keys must be unique, target keys may repeat.
 */
export async function* reconcileStream<L, T, F extends { readonly type: 'drift' | 'deferral' }>(
  ledger: Rows<L>,
  target: Rows<T>,
  options: JoinOptions<L, T, F>,
): AsyncGenerator<F | Progress, void, undefined> {
  const range = options.range ?? {};
  const every = Math.max(1, options.progressEvery ?? 10_000);
  const maxGroup = Math.max(1, options.maxGroup ?? 1_000);
  const l = new RowCursor(ledger, options.ledgerKey, range, 'ledger');
  const t = new RowCursor(target, options.targetKey, range, 'target');
  try {
    if (!l.step()) await l.refill();
    if (!t.step()) await t.refill();
    const group: T[] = [];
    let cursor: string | null = null;
    let keys = 0;
    let drifts = 0;
    let deferrals = 0;
    let droppedCopies = 0;
    let ledgerRows = 0;
    let targetRows = 0;
    let nextProgress = every;
    const progress = (done: boolean): Progress => ({ type: 'progress', cursor, ledgerRows, targetRows, keys, drifts, deferrals, droppedCopies, done });
    while (l.has || t.has) {
      const order = !l.has ? 1 : !t.has ? -1 : compareKeys(l.key, t.key);
      const key = order <= 0 ? l.key : t.key;
      let own: L | undefined;
      if (order <= 0) {
        own = l.row;
        ledgerRows++;
        if (!l.step()) await l.refill();
      }
      group.length = 0;
      if (order >= 0) {
        do {
          if (group.length < maxGroup) group.push(t.row as T);
          else droppedCopies++;
          targetRows++;
          if (!t.step()) await t.refill();
        } while (t.has && t.key === key);
      }
      const found = options.compare(own, group, key);
      for (const f of found) {
        if (f.type === 'drift') drifts++;
        else deferrals++;
        yield f;
      }
      keys++;
      cursor = key;
      if (ledgerRows + targetRows >= nextProgress) {
        nextProgress = ledgerRows + targetRows + every;
        yield progress(false);
      }
    }
    group.length = 0;
    yield progress(true);
  } finally {
    await Promise.all([l.close(), t.close()]);
  }
}
