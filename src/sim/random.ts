/**
 * The simulator's seeded randomness: a small sfc32 generator with helpers for uniform, gaussian,
 * integer and weighted picks. Every random draw in the digital twin (and in the tests' synthetic streams) comes from
 * here, so a seed fixes the run.
 */

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number;
  /** Normal with the given mean and standard deviation (Box–Muller). */
  gauss(mean?: number, sd?: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** A child generator keyed by the seed and a label, so adding draws in one part does not shift another. */
  fork(label: string): Rng;
}

function hashString(text: string, seed: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x85ebca6b);
    h = (h ^ (h >>> 13)) >>> 0;
  }
  return h >>> 0;
}

export function createRng(seed: number): Rng {
  let a = hashString('a', seed);
  let b = hashString('b', seed);
  let c = hashString('c', seed);
  let d = 1;
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // Warm up: the first outputs of sfc32 are correlated with the seed.
  for (let i = 0; i < 12; i++) next();
  let spare: number | null = null;
  const rng: Rng = {
    next,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    gauss(mean = 0, sd = 1) {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return mean + sd * s;
      }
      const u = Math.max(next(), 1e-12);
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return mean + sd * r * Math.cos(2 * Math.PI * v);
    },
    chance: (p) => next() < p,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[Math.floor(next() * items.length)] as T;
    },
    fork: (label) => createRng(hashString(label, seed)),
  };
  return rng;
}

/**
 * A cheap noise source for the per-sample hot loops (load cells at 60 Hz, keypoint jitter): xorshift32 for
 * uniforms and a table of 4096 standard normals drawn once from a seeded Rng. Deterministic for its seed.
 */
export interface FastNoise {
  uniform(): number;
  normal(): number;
  /** The normal table and a xorshift32 state, for loops that inline the generator. */
  readonly table: Float64Array;
  state: number;
}

const TABLE_SIZE = 4096;

export function createFastNoise(rng: Rng): FastNoise {
  const table = new Float64Array(TABLE_SIZE);
  for (let i = 0; i < TABLE_SIZE; i++) table[i] = rng.gauss();
  const noise: FastNoise = {
    table,
    state: Math.floor(rng.next() * 4294967295) | 1,
    uniform: () => xorshift(noise) / 4294967296,
    normal: () => table[xorshift(noise) & (TABLE_SIZE - 1)]!,
  };
  return noise;
}

/** One xorshift step on a signed 32-bit state (kept signed so V8 does not box it); returns the unsigned value. */
export function xorshift(n: { state: number }): number {
  let s = n.state;
  s ^= s << 13;
  s ^= s >> 17;
  s ^= s << 5;
  n.state = s;
  return s >>> 0;
}
