import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KeyRange, Progress, Rows } from '../../src/reconcile/index.js';
import { UnsortedInputError, compareKeys, inKeyRange, mergeSortedRuns, reconcileStream, sortByKey } from '../../src/reconcile/index.js';
import { collect } from './reconcile.fixtures.js';

const RUNS = { numRuns: 200 };

// Characters where UTF-16 order and code point order disagree (surrogate pairs against U+E000–U+FFFF), plus U+0000.
const CHARS = ['a', 'b', 'z', '\u0000', '\u0001', 'é', '\ue000', '\uffff', '😀', '\u{10000}', '\u{10ffff}'];
const keyArb = fc.array(fc.constantFrom(...CHARS), { maxLength: 4 }).map((cs) => cs.join(''));

const utf8 = new TextEncoder();
function byteOrder(a: string, b: string): number {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

describe('key order', () => {
  it('is the byte order of UTF-8 (SQLite BINARY, PostgreSQL COLLATE "C")', () => {
    fc.assert(fc.property(keyArb, keyArb, (a, b) => Math.sign(compareKeys(a, b)) === Math.sign(byteOrder(a, b))), RUNS);
  });

  it('differs from JavaScript < exactly where it must', () => {
    expect('\u{10000}' < '\uffff').toBe(true);
    expect(compareKeys('\u{10000}', '\uffff')).toBeGreaterThan(0);
  });

  it('sortByKey is stable', () => {
    const rows = [{ k: 'b', n: 1 }, { k: 'a', n: 2 }, { k: 'b', n: 3 }, { k: 'a', n: 4 }];
    expect(sortByKey(rows, (r) => r.k).map((r) => r.n)).toEqual([2, 4, 1, 3]);
  });

  it('mergeSortedRuns equals a stable sort of the runs one after another', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(keyArb, { maxLength: 12 }), { maxLength: 5 }), async (raw) => {
        const runs = raw.map((keys, r) => sortByKey(keys.map((k, i) => ({ k, id: `${r}.${i}` })), (x) => x.k));
        const merged = await collect(mergeSortedRuns<{ k: string; id: string }>(runs.map((run, i) => source(run, i)), (x) => x.k));
        expect(merged).toEqual(sortByKey(runs.flat(), (x) => x.k));
      }),
      RUNS,
    );
  });
});

// A toy comparison that depends on both sides, to compare the join with a naive nested loop.
type Toy = { type: 'drift' | 'deferral'; key: string; ledger: number | null; target: number[] };
const toyCompare = (l: { k: string; v: number } | undefined, ts: readonly { k: string; v: number }[], key: string): Toy[] => {
  const sum = (l?.v ?? 0) + ts.reduce((s, x) => s + x.v, 0);
  if (sum % 3 === 0) return [];
  const f: Toy = { type: sum % 3 === 1 ? 'drift' : 'deferral', key, ledger: l?.v ?? null, target: ts.map((x) => x.v) };
  return sum % 5 === 0 ? [f, { ...f, type: 'drift' }] : [f];
};

function naive(ledger: readonly { k: string; v: number }[], target: readonly { k: string; v: number }[], range: KeyRange = {}): Toy[] {
  const keys = [...new Set([...ledger.map((x) => x.k), ...target.map((x) => x.k)])].filter((k) => inKeyRange(k, range)).sort(compareKeys);
  return keys.flatMap((k) => toyCompare(ledger.find((x) => x.k === k), target.filter((x) => x.k === k), k));
}

/** The same rows as an array, a sync generator, an async generator, or pages. */
function source<T>(rows: readonly T[], variant: number): Rows<T> {
  switch (variant % 4) {
    case 0:
      return rows;
    case 1:
      return (function* () {
        yield* rows;
      })();
    case 2:
      return (async function* () {
        for (const r of rows) yield await Promise.resolve(r);
      })();
    default:
      return {
        pages: (async function* () {
          for (let i = 0; i < rows.length; i += 3) yield rows.slice(i, i + 3);
        })(),
      };
  }
}

const inputsArb = fc
  .record({
    ledgerKeys: fc.uniqueArray(keyArb, { maxLength: 25 }),
    targetKeys: fc.array(keyArb, { maxLength: 30 }),
    values: fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 60, maxLength: 60 }),
    variant: fc.nat(15),
    every: fc.integer({ min: 1, max: 7 }),
  })
  .map(({ ledgerKeys, targetKeys, values, variant, every }) => ({
    ledger: sortByKey(ledgerKeys.map((k, i) => ({ k, v: values[i]! })), (x) => x.k),
    target: sortByKey(targetKeys.map((k, i) => ({ k, v: values[59 - i]! })), (x) => x.k),
    variant,
    every,
  }));

const run = (i: { ledger: { k: string; v: number }[]; target: { k: string; v: number }[]; variant: number; every: number }, range?: KeyRange) =>
  collect(
    reconcileStream(source(i.ledger, i.variant), source(i.target, i.variant >> 2), {
      ledgerKey: (x) => x.k,
      targetKey: (x) => x.k,
      compare: (l, ts, key) => toyCompare(l, ts.slice(), key),
      progressEvery: i.every,
      ...(range ? { range } : {}),
    }),
  );
const findingsOf = (events: readonly (Toy | Progress)[]): Toy[] => events.filter((e): e is Toy => e.type !== 'progress');

describe('reconcileStream: the merge-join', () => {
  it('gives the same findings as a naive nested comparison, from any kind of source', async () => {
    await fc.assert(
      fc.asyncProperty(inputsArb, async (i) => {
        expect(findingsOf(await run(i))).toEqual(naive(i.ledger, i.target));
      }),
      RUNS,
    );
  });

  it('resumed from any cursor it reported, yields exactly the remainder', async () => {
    await fc.assert(
      fc.asyncProperty(inputsArb, fc.nat(), async (i, pick) => {
        const events = await run(i);
        const cursors = events.filter((e): e is Progress => e.type === 'progress').map((p) => p.cursor);
        const cursor = cursors[pick % cursors.length] ?? null;
        if (cursor === null) return;
        const rest = findingsOf(await run(i, { after: cursor }));
        expect(rest).toEqual(findingsOf(events).filter((f) => compareKeys(f.key, cursor) > 0));
      }),
      RUNS,
    );
  });

  it('reports a cursor only once every finding up to it has been yielded, and counts what it yielded', async () => {
    await fc.assert(
      fc.asyncProperty(inputsArb, async (i) => {
        const events = await run(i);
        let drifts = 0;
        let deferrals = 0;
        events.forEach((e, at) => {
          if (e.type === 'progress') {
            expect(e).toMatchObject({ drifts, deferrals });
            const cursor = e.cursor;
            if (cursor !== null) expect(findingsOf(events.slice(at + 1)).every((f) => compareKeys(f.key, cursor) > 0)).toBe(true);
          } else if (e.type === 'drift') drifts++;
          else deferrals++;
        });
        expect(events.at(-1)).toMatchObject({ type: 'progress', done: true, ledgerRows: i.ledger.length, targetRows: i.target.length });
      }),
      RUNS,
    );
  });

  it('honours a key range on both sides', async () => {
    await fc.assert(
      fc.asyncProperty(inputsArb, keyArb, keyArb, async (i, a, b) => {
        const range = { from: a, before: b };
        expect(findingsOf(await run(i, range))).toEqual(naive(i.ledger, i.target, range));
      }),
      RUNS,
    );
  });

  it('emits progress every N rows', async () => {
    const ledger = ['a', 'b', 'c', 'd', 'e'].map((k) => ({ k, v: 3 }));
    const events = await run({ ledger, target: [], variant: 0, every: 2 });
    expect(events.filter((e) => e.type === 'progress').map((p) => (p as Progress).cursor)).toEqual(['b', 'd', 'e']);
  });

  it('refuses unsorted input and repeated ledger keys', async () => {
    const row = (k: string) => ({ k, v: 3 });
    await expect(run({ ledger: [row('b'), row('a')], target: [], variant: 0, every: 10 })).rejects.toThrow(UnsortedInputError);
    await expect(run({ ledger: [row('a'), row('a')], target: [], variant: 0, every: 10 })).rejects.toThrow(/unique/);
    await expect(run({ ledger: [], target: [row('b'), row('a')], variant: 0, every: 10 })).rejects.toThrow(UnsortedInputError);
    await expect(run({ ledger: [], target: [row('\u{10000}'), row('\uffff')], variant: 0, every: 10 })).rejects.toThrow(UnsortedInputError);
  });

  it('closes both sources when the consumer stops early, or when a range ends them', async () => {
    const closed: string[] = [];
    const src = (name: string) =>
      (async function* () {
        try {
          for (const k of ['a', 'b', 'c', 'd']) yield { k, v: 1 };
        } finally {
          closed.push(name);
        }
      })();
    const opts = { ledgerKey: (x: { k: string }) => x.k, targetKey: (x: { k: string }) => x.k, compare: (_l: unknown, _t: unknown, key: string) => [{ type: 'drift' as const, key }] };
    for await (const f of reconcileStream(src('ledger'), src('target'), opts)) if (f.type === 'drift') break;
    expect(closed.sort()).toEqual(['ledger', 'target']);
    closed.length = 0;
    await collect(reconcileStream(src('ledger'), src('target'), { ...opts, range: { through: 'b' } }));
    expect(closed.sort()).toEqual(['ledger', 'target']);
  });

  it('keeps at most maxGroup copies of a key and counts the rest', async () => {
    const seen: number[] = [];
    const events = await collect(
      reconcileStream([], Array.from({ length: 7 }, () => ({ k: 'x' })), {
        ledgerKey: (x: { k: string }) => x.k,
        targetKey: (x) => x.k,
        compare: (_l, ts) => {
          seen.push(ts.length);
          return [];
        },
        maxGroup: 3,
      }),
    );
    expect(seen).toEqual([3]);
    expect(events.at(-1)).toMatchObject({ droppedCopies: 4, targetRows: 7 });
  });
});
