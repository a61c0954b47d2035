/**
 * Key order for the merge-join: Unicode code point order, which is the byte order of UTF-8 — what
 * SQLite's BINARY collation and PostgreSQL's `COLLATE "C"` sort by, and what a byte-wise external
 * sort produces. JavaScript's `<` compares UTF-16 code units, which differs exactly where a
 * surrogate pair (U+10000 and above) meets U+E000–U+FFFF; both sides of the join must agree, so
 * every sort and comparison here goes through this function.
 */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return x >= 0xd800 && y >= 0xd800 ? codePointRank(x) - codePointRank(y) : x - y;
  }
  return a.length - b.length;
}

// Surrogates (U+D800–U+DFFF) stand for code points above U+FFFF: they rank after U+E000–U+FFFF.
const codePointRank = (unit: number): number => (unit >= 0xe000 ? unit - 0x800 : unit + 0x2000);

/**
 * A range of keys. `from`/`through` are inclusive, `after`/`before` exclusive; absent bounds are
 * open. A resumed run is its range with `after` set to the saved cursor.
 */
export interface KeyRange {
  readonly from?: string;
  readonly after?: string;
  readonly through?: string;
  readonly before?: string;
}

export const belowRange = (key: string, r: KeyRange): boolean =>
  (r.from !== undefined && compareKeys(key, r.from) < 0) || (r.after !== undefined && compareKeys(key, r.after) <= 0);

export const aboveRange = (key: string, r: KeyRange): boolean =>
  (r.through !== undefined && compareKeys(key, r.through) > 0) || (r.before !== undefined && compareKeys(key, r.before) >= 0);

export const inKeyRange = (key: string, r: KeyRange): boolean => !belowRange(key, r) && !aboveRange(key, r);
