// The one seeded PRNG (mulberry32) and seed hasher: parameter init, sampling and the synthetic
// task all draw from it, so a seed reproduces a run. It lives in model/ because model imports only
// engine and trainer may import model (DESIGN §2); core/ is not reachable from model.

/** FNV-1a over the parts' text, finished with a murmur3-style avalanche: independent seeds per
 *  (purpose, seed, index), so example i can be generated without generating 0..i-1. */
export function hashSeed(...parts: readonly (string | number)[]): number {
  let h = 0x811c9dc5;
  const text = parts.join('\u241f');
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

/** Mixed into small user seeds (0, 1, 2 …) so their streams do not start from near-zero states. */
const SEED_MIX = 0x9e3779b9;

export class Rng {
  private state: number;

  /** A stream for a user-facing seed (init, sampling, tests): mulberry32 from `seed ^ 0x9e3779b9`. */
  constructor(seed: number) {
    this.state = ((seed >>> 0) ^ SEED_MIX) >>> 0;
  }

  /** A stream started at exactly this mulberry32 state; for seeds already mixed by `hashSeed`. */
  static fromState(state: number): Rng {
    const rng = new Rng(0);
    rng.state = state >>> 0;
    return rng;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Uniform integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Fisher–Yates, in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
    return items;
  }
}
