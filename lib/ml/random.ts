import { z } from "zod";

/**
 * Seeded randomness. Every random choice in training goes through one of these
 * generators so that the same seed reproduces the same model bit for bit;
 * Math.random is never used.
 */
export type Rng = () => number;

/**
 * mulberry32: 32-bit state, fast, and good enough for sampling rows and columns
 * (not for cryptography). Returns floats in [0, 1).
 */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`Seed must be a finite number, got ${seed}.`);
  let state = Math.trunc(seed) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED_RANGE = "a whole number from 0 to 2147483647";

/**
 * A config's seed: a number, or the digits a form field sends. Nothing else is
 * read as a number (z.coerce would turn null, "", true and [] into 0 or 1).
 */
export const seedSchema = z
  .union([z.number(), z.string().trim().regex(/^[+-]?\d+$/).transform(Number)], { error: SEED_RANGE })
  .pipe(z.number().int(SEED_RANGE).min(0, SEED_RANGE).max(2 ** 31 - 1, SEED_RANGE))
  .default(42);

/** Integer in [0, n). */
export function randomInt(n: number, rng: Rng): number {
  return Math.floor(rng() * n);
}

/** A non-negative 31-bit integer, for seeding libraries that take their own seed. */
export function nextSeed(rng: Rng): number {
  return Math.floor(rng() * 0x7fffffff);
}

/** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
export function shuffledIndices(n: number, rng: Rng): number[] {
  assertCount(n, "n");
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = randomInt(i + 1, rng);
    const tmp = out[i];
    out[i] = out[j];
    out[j] = tmp;
  }
  return out;
}

/**
 * k indices from 0..n-1. With `replace` they are independent draws (a bootstrap
 * sample); without, k distinct indices in random order (partial Fisher-Yates, so
 * the cost is O(n) memory and O(k) swaps).
 */
export function sampleIndices(n: number, k: number, rng: Rng, replace: boolean): number[] {
  assertCount(n, "n");
  assertCount(k, "k");
  if (replace) {
    if (n === 0 && k > 0) throw new RangeError("Cannot draw from an empty range.");
    const out = new Array<number>(k);
    for (let i = 0; i < k; i++) out[i] = randomInt(n, rng);
    return out;
  }
  if (k > n) throw new RangeError(`Cannot draw ${k} distinct indices from ${n}.`);
  const pool = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + randomInt(n - i, rng);
    const tmp = pool[i];
    pool[i] = pool[j];
    pool[j] = tmp;
  }
  return pool.slice(0, k);
}

/**
 * The same generator behind an object, for code that draws many kinds of values
 * in turn (the demo season generator): uniforms, integers, normals, shuffles.
 */
export class Prng {
  private readonly uniform: Rng;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    this.uniform = createRng(seed);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uniform();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return randomInt(n, this.uniform);
  }

  /** Normal(mean, sd) by Box-Muller, keeping the second value for the next call. */
  normal(mean = 0, sd = 1): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return mean + sd * z;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return mean + sd * r * Math.cos(2 * Math.PI * v);
  }

  /** Fisher-Yates, in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}

function assertCount(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${value}.`);
  }
}
