/**
 * The order in which ml-random-forest hands a tree its columns.
 *
 * Even with maxFeatures 1.0 the library shuffles the columns it is given
 * (featureBagging in ml-random-forest 2.1, drawing with random-js's Mersenne
 * Twister and rejection sampling), and ml-cart scans columns in that order,
 * keeping the first of equally good splits. Two columns that cut the rows the
 * same way (common in small nodes) are such a tie, so a learner that wants the
 * library's trees must scan in the library's order. Re-implemented here (about
 * forty lines) rather than importing random-js, which is only a transitive
 * dependency; trees.test.ts checks it against the library's own `indexes`.
 */

const N = 624;
const M = 397;
const UPPER = 0x80000000 | 0;
const LOWER = 0x7fffffff;
const MATRIX_A = 0x9908b0df | 0;

/** MT19937 as random-js 2.1 seeds and tempers it (int32 outputs). */
class MersenneTwister {
  private readonly data = new Int32Array(N);
  private index = N;

  constructor(seed: number) {
    let previous = seed | 0;
    this.data[0] = previous;
    for (let i = 1; i < N; i++) {
      previous = (Math.imul(previous ^ (previous >>> 30), 0x6c078965) + i) | 0;
      this.data[i] = previous;
    }
  }

  /** Next output as an unsigned 32-bit integer. */
  nextUint32(): number {
    if (this.index >= N) {
      this.refresh();
      this.index = 0;
    }
    let y = this.data[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    return (y ^ (y >>> 18)) >>> 0;
  }

  private refresh(): void {
    const d = this.data;
    for (let k = 0; k < N; k++) {
      const y = (d[k] & UPPER) | (d[(k + 1) % N] & LOWER);
      d[k] = d[(k + M) % N] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
  }
}

/** random-js `integer(0, count - 1)`: a mask for powers of two, else rejection above the largest multiple. */
function uniformBelow(count: number, mt: MersenneTwister): number {
  const range = count - 1;
  if (range <= 0) return 0;
  if (((range + 1) & range) === 0) return mt.nextUint32() & range;
  const maximum = count * Math.floor(0x100000000 / count);
  let value: number;
  do value = mt.nextUint32();
  while (value >= maximum);
  return value % count;
}

/**
 * The permutation of 0..count-1 that ml-random-forest (maxFeatures 1.0, no
 * replacement) applies to a tree's columns for the given library seed:
 * position i of the tree's matrix holds given column order[i].
 */
export function libraryColumnOrder(count: number, seed: number): number[] {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`Column count must be a positive integer, got ${count}.`);
  if (!Number.isInteger(seed)) throw new RangeError(`Library seed must be an integer, got ${seed}.`);
  const mt = new MersenneTwister(seed);
  const used = new Set<number>();
  let index = uniformBelow(count, mt);
  for (let i = 0; i < count; i++) {
    while (used.has(index)) index = uniformBelow(count, mt);
    used.add(index);
  }
  return Array.from(used);
}
