import type { KeyRange } from './compareKeys.js';
import { aboveRange, belowRange, compareKeys } from './compareKeys.js';

/**
 * Rows for the merge-join, sorted by key (compareKeys): one at a time, sync or async, or in pages
 * (`{ pages }`, what a store reads in batches; far fewer awaits per row).
 */
export type Rows<T> = AsyncIterable<T> | Iterable<T> | { readonly pages: AsyncIterable<readonly T[]> | Iterable<readonly T[]> };

/** An input was not sorted as the join needs: a bug upstream (the sort, or the store's ORDER BY). */
export class UnsortedInputError extends Error {
  constructor(side: 'ledger' | 'target', previous: string, key: string) {
    super(`${side} rows out of order: ${JSON.stringify(key)} after ${JSON.stringify(previous)}${side === 'ledger' ? ' (ledger keys must be unique)' : ''}`);
    this.name = 'UnsortedInputError';
  }
}

/**
 * One sorted input: the current row and key, pulled synchronously while a page or a sync
 * iterable has rows (no await per row), asynchronously otherwise. Checks the sort order.
 */
export class RowCursor<T> {
  has = false;
  row: T | undefined;
  key = '';
  private read = 0;
  private page: readonly T[] = [];
  private at = 0;
  private readonly sync: Iterator<T> | undefined;
  private readonly async: AsyncIterator<T> | undefined;
  private readonly pages: AsyncIterator<readonly T[]> | Iterator<readonly T[]> | undefined;
  private ended = false;

  constructor(
    source: Rows<T>,
    private readonly keyOf: (row: T) => string,
    private readonly range: KeyRange,
    /** `ledger` keys must be unique; `target` keys may repeat. */
    private readonly side: 'ledger' | 'target',
  ) {
    if ('pages' in source) {
      const p = source.pages;
      this.pages = Symbol.asyncIterator in p ? p[Symbol.asyncIterator]() : p[Symbol.iterator]();
    } else if (Symbol.asyncIterator in source) {
      this.async = source[Symbol.asyncIterator]();
    } else {
      this.sync = source[Symbol.iterator]();
    }
  }

  /** Moves to the next row without waiting; false when that needs `refill`. At the end `has` is false. */
  step(): boolean {
    for (;;) {
      if (this.ended) return true;
      let next: T;
      if (this.at < this.page.length) {
        next = this.page[this.at++]!;
      } else if (this.sync !== undefined) {
        const r = this.sync.next();
        if (r.done === true) return this.end();
        next = r.value;
      } else {
        this.has = false;
        return false;
      }
      if (this.accept(next)) return true;
    }
  }

  /** Waits for the next row (or page) when `step` could not move. */
  async refill(): Promise<void> {
    while (!this.ended) {
      if (this.async !== undefined) {
        const r = await this.async.next();
        if (r.done === true) this.end();
        else if (this.accept(r.value)) return;
      } else if (this.pages !== undefined) {
        const r = await this.pages.next();
        if (r.done === true) {
          this.end();
        } else {
          this.page = r.value;
          this.at = 0;
          if (this.step()) return;
        }
      } else {
        return;
      }
    }
  }

  /** Takes `row` as current if in range; rows below the range are skipped, the first above ends the input. */
  private accept(row: T): boolean {
    const key = this.keyOf(row);
    if (this.read > 0) {
      const c = compareKeys(key, this.key);
      if (c < 0 || (c === 0 && this.side === 'ledger')) throw new UnsortedInputError(this.side, this.key, key);
    }
    this.read++;
    this.key = key;
    if (belowRange(key, this.range)) return false;
    if (aboveRange(key, this.range)) {
      this.end();
      return false;
    }
    this.row = row;
    this.has = true;
    return true;
  }

  /** Releases the source (a store cursor, a file) when the join stops before its end. */
  async close(): Promise<void> {
    const source = this.async ?? this.pages ?? this.sync;
    this.end();
    await source?.return?.();
  }

  private end(): boolean {
    this.ended = true;
    this.has = false;
    this.row = undefined;
    this.page = [];
    return true;
  }
}
