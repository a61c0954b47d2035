/**
 * Seeded randomness for the simulators: the same seed gives the same faults, ids and timings,
 * so a failing run can be replayed. Not for anything secret.
 */
export interface Random {
  /** In [0, 1). */
  next(): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** An integer in [0, n). */
  int(n: number): number;
  /** A standard normal draw (Box–Muller). */
  normal(): number;
  pick<T>(items: readonly T[]): T;
  /** A new array, in a seeded order (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[];
}

/** mulberry32: small, fast, and good enough for fault injection. */
export function createRandom(seed: number): Random {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    chance: (p) => p > 0 && next() < p,
    int,
    normal: () => {
      const u = 1 - next(); // (0, 1]: log(0) is not a number
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    },
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[int(items.length)] as T;
    },
    shuffle: <T>(items: readonly T[]): T[] => {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = int(i + 1);
        [out[i], out[j]] = [out[j] as T, out[i] as T];
      }
      return out;
    },
  };
}

/**
 * A random source for one named decision, independent of the order in which other decisions
 * were drawn: `randomFor(seed, "req", key, 2)` is the same whichever requests arrived before it.
 */
export function randomFor(seed: number, ...parts: readonly (string | number)[]): Random {
  return createRandom(hash32(`${seed}|${parts.join('|')}`));
}

/** FNV-1a with a final avalanche (murmur3 fmix32). */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
