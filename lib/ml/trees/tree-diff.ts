import type { FlatTree } from "./flat-tree";

/**
 * Compares two trees grown on the same bootstrap draws node by node, and sorts
 * every difference into one of two kinds:
 *
 * - a floating-point tie: the two choices have exactly the same real-number
 *   Gini gain (checked with integer arithmetic) but different class counts, so
 *   only rounding in the float gain decided between them; or, for a leaf against
 *   a split, the split's real gain is exactly 0 or exactly the parent's, which
 *   is where ml-cart's "gain > 0" and "gain !== parent gain" stops depend on
 *   rounding;
 * - a mismatch: anything else (a different split that is really better or
 *   worse, a different threshold for the same cut, a different leaf value, or a
 *   different pick among cuts with the same class counts, whose float gains are
 *   bit-identical in ml-cart, so order alone decides).
 *
 * Below a difference the subtrees are not compared (their rows differ).
 */

export interface TreeDiff {
  /** Node pairs that agree: same feature and threshold, or leaves with the same value. */
  splitsCompared: number;
  leavesCompared: number;
  tieDifferences: number;
  /** Human-readable description of each mismatch; empty when the trees agree up to ties. */
  mismatches: string[];
}

interface Rational {
  num: bigint;
  den: bigint;
}

const ZERO: Rational = { num: 0n, den: 1n };

/** Real Gini gain of cutting (zeros, ones) into left (leftZeros, leftOnes) and the rest. */
export function realGain(zeros: number, ones: number, leftZeros: number, leftOnes: number): Rational {
  const n = BigInt(zeros + ones);
  const nl = BigInt(leftZeros + leftOnes);
  const nr = n - nl;
  if (nl === 0n || nr === 0n) return ZERO;
  const lz = BigInt(leftZeros);
  const lo = BigInt(leftOnes);
  const rz = BigInt(zeros) - lz;
  const ro = BigInt(ones) - lo;
  const z = BigInt(zeros);
  const o = BigInt(ones);
  // gain = (score - (z^2 + o^2) / n) / n with score = (lz^2 + lo^2) / nl + (rz^2 + ro^2) / nr.
  const num = ((lz * lz + lo * lo) * nr + (rz * rz + ro * ro) * nl) * n - (z * z + o * o) * nl * nr;
  return { num, den: nl * nr * n * n };
}

function sameRational(a: Rational, b: Rational): boolean {
  return a.num * b.den === b.num * a.den;
}

interface Cut {
  zeros: number;
  ones: number;
  leftZeros: number;
  leftOnes: number;
}

function cutOf(tree: FlatTree, node: number, X: ReadonlyArray<ArrayLike<number>>, y: ArrayLike<number>, rows: readonly number[]): Cut {
  const cut = { zeros: 0, ones: 0, leftZeros: 0, leftOnes: 0 };
  for (const r of rows) {
    const left = X[r][tree.feature[node]] < tree.threshold[node];
    if (y[r] === 1) {
      cut.ones++;
      if (left) cut.leftOnes++;
    } else {
      cut.zeros++;
      if (left) cut.leftZeros++;
    }
  }
  return cut;
}

/** Class counts of both sides, ignoring which side is which and which class is which: ml-cart's float gain depends on nothing else. */
function canonicalCounts(c: Cut): string {
  const side = (a: number, b: number) => [a, b].sort((p, q) => p - q).join("/");
  return [side(c.leftZeros, c.leftOnes), side(c.zeros - c.leftZeros, c.ones - c.leftOnes)].sort().join("|");
}

const gainOf = (c: Cut) => realGain(c.zeros, c.ones, c.leftZeros, c.leftOnes);

/**
 * @param rows the bootstrap draws both trees were grown on (repeats count)
 */
export function diffTrees(expected: FlatTree, actual: FlatTree, X: ReadonlyArray<ArrayLike<number>>, y: ArrayLike<number>, rows: readonly number[]): TreeDiff {
  const diff: TreeDiff = { splitsCompared: 0, leavesCompared: 0, tieDifferences: 0, mismatches: [] };
  const walk = (e: number, a: number, nodeRows: readonly number[], parentGain: Rational | null, path: string): void => {
    const eLeaf = expected.feature[e] < 0;
    const aLeaf = actual.feature[a] < 0;
    if (eLeaf && aLeaf) {
      diff.leavesCompared++;
      if (expected.value[e] !== actual.value[a]) diff.mismatches.push(`${path}: leaf value ${expected.value[e]} vs ${actual.value[a]}`);
      return;
    }
    if (!eLeaf && !aLeaf && expected.feature[e] === actual.feature[a] && expected.threshold[e] === actual.threshold[a]) {
      diff.splitsCompared++;
      const cut = cutOf(expected, e, X, y, nodeRows);
      const gain = gainOf(cut);
      const left = nodeRows.filter((r) => X[r][expected.feature[e]] < expected.threshold[e]);
      const right = nodeRows.filter((r) => !(X[r][expected.feature[e]] < expected.threshold[e]));
      walk(expected.left[e], actual.left[a], left, gain, `${path}L`);
      walk(expected.right[e], actual.right[a], right, gain, `${path}R`);
      return;
    }
    const describe = (tree: FlatTree, node: number) =>
      tree.feature[node] < 0 ? `leaf ${tree.value[node]}` : `x[${tree.feature[node]}] < ${tree.threshold[node]}`;
    const what = `${path || "root"}: ${describe(expected, e)} vs ${describe(actual, a)}`;
    if (!eLeaf && !aLeaf) {
      const ce = cutOf(expected, e, X, y, nodeRows);
      const ca = cutOf(actual, a, X, y, nodeRows);
      if (sameRational(gainOf(ce), gainOf(ca)) && canonicalCounts(ce) !== canonicalCounts(ca)) diff.tieDifferences++;
      else diff.mismatches.push(`${what} (counts ${canonicalCounts(ce)} vs ${canonicalCounts(ca)})`);
      return;
    }
    const cut = eLeaf ? cutOf(actual, a, X, y, nodeRows) : cutOf(expected, e, X, y, nodeRows);
    const gain = gainOf(cut);
    if (sameRational(gain, ZERO) || (parentGain !== null && sameRational(gain, parentGain))) diff.tieDifferences++;
    else diff.mismatches.push(what);
  };
  walk(0, 0, rows, null, "");
  return diff;
}
