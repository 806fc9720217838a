import type { Rng } from "../random";
import type { FlatTree } from "./flat-tree";

/**
 * Exact CART on presorted typed arrays, growing the same trees as ml-cart 2.1
 * (the learner inside ml-random-forest) on the same rows, at O(rows x features)
 * per tree level instead of ml-cart's O(rows^2 x features) per node.
 *
 * Hand-written because no maintained JavaScript package does presorted CART on
 * typed arrays (ml-cart re-partitions rows per candidate; decision-tree and
 * ml-xgboost are other algorithms), and none reproduces ml-cart's choices,
 * which the existing forests were grown with.
 *
 * What "the same trees" takes, read from ml-cart's TreeNode and utils:
 * - Impurity: Gini, with class shares summed as repeated `+= 1/n`.
 * - Candidates: per column, the rows sorted stably by value (ties keep the
 *   node's row order, which is the bootstrap draw order), and a threshold
 *   (a + b) / 2 between every two neighbours whose labels differ. Inside a run
 *   of equal values that gives the value itself (left = smaller values only);
 *   between runs it depends on which labels sit at the runs' ends in draw order.
 *   A row goes left when value < threshold.
 * - Choice: the first candidate (columns in the order the library shuffled them,
 *   then thresholds in sorted order) whose floating-point gain is strictly the
 *   largest.
 * - Stops: rows <= minNumSamples; depth = maxDepth; gain <= gainThreshold; gain
 *   bit-equal to the parent's gain; an empty side; a pure node (no candidates).
 * - Leaf value: the share of class 1 as ml-cart sums it, clamped to [0, 1].
 *
 * Speed: each column's sorted row order is computed once for the whole training
 * matrix; a tree keeps, per column, its own rows in that order (a bootstrap is a
 * per-row repeat count) and a node is a range of those lists, split stably into
 * left and right ranges. A node is scanned once per column, accumulating class
 * weights per run of equal values.
 *
 * Exactness: candidates are ranked by a score that is a deterministic function
 * of the class counts, equal to the real-number Gini gain up to a few ulps.
 * ml-cart's own gain differs from the real one by rounding in its sums (at most
 * about 40 x rows x 2^-53). Every candidate within a far wider band of the best
 * score is kept, in scan order, and those are re-ranked by recomputing
 * ml-cart's gain exactly as it does (same operations, same order), so exact
 * ties and near-ties are decided the library's way. The chosen gain is also
 * that exact value, as ml-cart's "gain equals the parent's" stop needs.
 *
 * Split sampling (optional, not in ml-cart): each node tries a fresh seeded
 * random pick of `columnsPerSplit` of the tree's columns, scanned in the order
 * drawn, and draws further ones only while none has offered a cut that lowers
 * impurity (as scikit-learn does past constant features). Trees then differ
 * from ml-cart's; without it, or when the pick would be every column, the
 * learner is exact.
 */

export interface TreeOptions {
  /** Nodes at this depth (root = 0) are leaves. */
  maxDepth: number;
  /** A node with at most this many rows (counting bootstrap repeats) is a leaf. */
  minNumSamples: number;
  /** A split must gain strictly more than this. */
  gainThreshold: number;
}

/** Per-node column sampling: how many of the tree's columns each split tries, and the tree's own generator for picking them. */
export interface SplitSampling {
  columnsPerSplit: number;
  rng: Rng;
}

export interface FastTreeOptions extends TreeOptions {
  /** Absent: every split scans all the tree's columns in the given order, exactly as ml-cart. */
  sampling?: SplitSampling;
}

/** Largest |value| accepted, so that (a + b) / 2 never overflows. */
const MAX_ABS_VALUE = 2 ** 1022;

/**
 * A tree's column lists come from sorting its u distinct rows when
 * u log2(u) x this is below the data's row count n, else from filtering the
 * presorted columns. Measured on 29,566 NBA rows: the two cost the same near
 * u log2(u) = 0.75 n (about 2,000 rows drawn); below that sorting wins.
 */
const SORT_VERSUS_FILTER = 1.3;

/** Whether a tree with `distinct` distinct rows drawn from `dataRows` builds its column lists by sorting (else by filtering). */
export function sortsColumnLists(distinct: number, dataRows: number): boolean {
  return distinct * Math.log2(distinct + 1) * SORT_VERSUS_FILTER < dataRows;
}

/**
 * A training matrix with each column sorted once, shared by every tree. Values
 * are replaced by the rank of their distinct value, so trees move and compare
 * 32-bit integers; `distinct` turns ranks back into values for thresholds.
 */
export class PresortedData {
  readonly rowCount: number;
  readonly width: number;
  readonly labels: Uint8Array;
  /** Per feature, row indices by ascending value (ties by row index). */
  readonly order: Int32Array[] = [];
  /** Per feature and sorted position, the rank of the value among the distinct values. */
  readonly rank: Int32Array[] = [];
  /** Per feature, each row's position in `order`. */
  readonly positionOf: Int32Array[] = [];
  /** Per feature, the distinct values ascending. */
  readonly distinct: Float64Array[] = [];

  constructor(X: ReadonlyArray<ArrayLike<number>>, y: ArrayLike<number>) {
    const n = X.length;
    if (n === 0) throw new RangeError("Cannot presort zero rows.");
    if (y.length !== n) throw new RangeError(`${n} rows but ${y.length} labels.`);
    const width = X[0].length;
    this.rowCount = n;
    this.width = width;
    this.labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (y[i] !== 0 && y[i] !== 1) throw new RangeError(`Label ${i} is ${y[i]}; labels must be 0 or 1.`);
      this.labels[i] = y[i];
      if (X[i].length !== width) throw new RangeError(`Row ${i} has ${X[i].length} features, expected ${width}.`);
    }
    const column = new Float64Array(n);
    for (let f = 0; f < width; f++) {
      for (let i = 0; i < n; i++) {
        const v = X[i][f];
        if (!(Math.abs(v) < MAX_ABS_VALUE)) throw new RangeError(`Row ${i}, feature ${f} is ${v}; features must be finite and below 2^1022 in size.`);
        column[i] = v;
      }
      // Argsort without a comparator (several times faster in V8): sort the values
      // natively, keep the distinct ones, rank each row by binary search, then
      // place rows by rank in index order (a counting sort, so ties keep row order).
      const sorted = Float64Array.from(column).sort();
      let distinctCount = 0;
      for (let i = 0; i < n; i++) {
        // === so that -0 and 0 are one value, as ml-cart's sort and `<` treat them.
        if (i === 0 || sorted[i] !== sorted[distinctCount - 1]) sorted[distinctCount++] = sorted[i];
      }
      const distinct = sorted.slice(0, distinctCount);
      const rankOfRow = new Int32Array(n);
      const countOfRank = new Int32Array(distinct.length + 1);
      for (let i = 0; i < n; i++) {
        const v = column[i];
        let lo = 0;
        let hi = distinct.length - 1;
        while (lo < hi) {
          const m = (lo + hi) >>> 1;
          if (distinct[m] < v) lo = m + 1;
          else hi = m;
        }
        rankOfRow[i] = lo;
        countOfRank[lo + 1]++;
      }
      for (let d = 1; d <= distinct.length; d++) countOfRank[d] += countOfRank[d - 1];
      const order = new Int32Array(n);
      const rank = new Int32Array(n);
      const positionOf = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const position = countOfRank[rankOfRow[i]]++;
        order[position] = i;
        rank[position] = rankOfRow[i];
        positionOf[i] = position;
      }
      this.order.push(order);
      this.rank.push(rank);
      this.positionOf.push(positionOf);
      this.distinct.push(distinct);
    }
  }
}

/** ml-cart's share of a class with `count` of `total` rows: `1/total` added `count` times, rounding each time. */
export function cartShare(count: number, total: number): number {
  const step = 1 / total;
  let sum = 0;
  for (let i = 0; i < count; i++) sum += step;
  return sum;
}

/** ml-cart's Gini impurity for class counts (zeros, ones), bit for bit. */
export function cartGini(zeros: number, ones: number): number {
  const total = zeros + ones;
  if (total === 0) return 0;
  const p0 = cartShare(zeros, total);
  const p1 = cartShare(ones, total);
  return 1 - (p0 * p0 + p1 * p1);
}

/** ml-cart's Gini gain of splitting (zeros, ones) into a left part (leftZeros, leftOnes) and the rest, bit for bit. */
export function cartGain(zeros: number, ones: number, leftZeros: number, leftOnes: number, parentGini = cartGini(zeros, ones)): number {
  const total = zeros + ones;
  const leftTotal = leftZeros + leftOnes;
  // ml-cart adds the greater side's term first, then the lesser side's.
  const greater = (cartGini(zeros - leftZeros, ones - leftOnes) * (total - leftTotal)) / total;
  const lesser = (cartGini(leftZeros, leftOnes) * leftTotal) / total;
  return parentGini - (greater + lesser);
}

/** ml-cart's leaf value: the class-1 share, clamped since a pure leaf can sum to a rounding error above 1. */
export function cartLeafValue(zeros: number, ones: number): number {
  if (ones === 0) return 0;
  return Math.min(1, Math.max(0, cartShare(ones, zeros + ones)));
}

export function checkTreeOptions(options: FastTreeOptions): void {
  const { maxDepth, minNumSamples, gainThreshold, sampling } = options;
  if (!(Number.isInteger(maxDepth) && maxDepth >= 0) && maxDepth !== Infinity) throw new RangeError(`maxDepth must be a whole number >= 0, got ${maxDepth}.`);
  if (!Number.isInteger(minNumSamples) || minNumSamples < 0) throw new RangeError(`minNumSamples must be a whole number >= 0, got ${minNumSamples}.`);
  if (!Number.isFinite(gainThreshold)) throw new RangeError(`gainThreshold must be finite, got ${gainThreshold}.`);
  if (sampling && !(Number.isInteger(sampling.columnsPerSplit) && sampling.columnsPerSplit >= 1)) {
    throw new RangeError(`columnsPerSplit must be a whole number >= 1, got ${sampling.columnsPerSplit}.`);
  }
}

interface Split {
  /** Position in the tree's scan order. */
  column: number;
  threshold: number;
  /** Rows whose value rank is below this go left (the same rows as value < threshold). */
  leftBelow: number;
  leftZeros: number;
  leftOnes: number;
  /** ml-cart's gain for this split, bit for bit. */
  gain: number;
}


/**
 * Scratch buffers reused from tree to tree (allocating them per tree costs more
 * in garbage collection than some trees take to grow). Not shared between
 * trees growing at the same time.
 */
export class TreeWorkspace {
  /** How a tree's column lists are built; "auto" picks the cheaper way. Both give the same lists (tests pin each). */
  listing: "auto" | "sort" | "filter" = "auto";
  /** Local id of each data row in the current tree, -1 when not drawn; reset after each tree. */
  localOf = new Int32Array(0);
  info = new Int32Array(0);
  lists = new Int32Array(0);
  spare = new Int32Array(0);
  goLeft = new Uint8Array(0);
  positions = new Int32Array(0);

  /** Makes every buffer large enough for `rowCount` data rows, `unique` tree rows and `columns` columns. */
  reserve(rowCount: number, unique: number, columns: number): void {
    if (this.localOf.length < rowCount) this.localOf = new Int32Array(rowCount).fill(-1);
    if (this.info.length < 4 * unique) this.info = new Int32Array(4 * unique);
    // One spare pair each: the branch-free loops write one pair past the end.
    if (this.lists.length < 2 * unique * columns + 2) this.lists = new Int32Array(2 * unique * columns + 2);
    if (this.spare.length < 2 * unique + 2) this.spare = new Int32Array(2 * unique + 2);
    if (this.goLeft.length < unique) this.goLeft = new Uint8Array(unique);
    if (this.positions.length < unique) this.positions = new Int32Array(unique);
  }
}

/**
 * Grows one tree on bootstrap draws `rows` (row indices into `data`, in draw
 * order, repeats allowed) using the features `columns` in the order ml-cart
 * would scan them. Leaves carry P(y = 1); features are original indices.
 */
export function growFastTree(
  data: PresortedData,
  rows: ArrayLike<number>,
  columns: ArrayLike<number>,
  options: FastTreeOptions,
  workspace: TreeWorkspace = new TreeWorkspace(),
): FlatTree {
  checkTreeOptions(options);
  return new TreeGrower(data, rows, columns, options, workspace).grow();
}

const INITIAL_CANDIDATES = 64;

class TreeGrower {
  private readonly unique: number;
  private readonly columnCount: number;
  /** Original feature of each scan position. */
  private readonly features: Int32Array;
  private readonly distinct: Float64Array[];
  /**
   * Per local row l, at 4l..4l+3: repeat count, repeat count if labelled 1 (else
   * 0), 2 x first draw position + label, 2 x last draw position + label. Packed
   * so a scan step reads one cache line; the label in the low bit lets a plain
   * min / max over a run find the label of its first / last row in draw order.
   */
  private readonly info: Int32Array;
  /**
   * Per scan column c, the tree's rows by ascending value as (local id, value
   * rank) pairs in [2*c*unique, 2*(c+1)*unique); a node is the same sub-range
   * of every column, which each split partitions stably into left then right.
   */
  private readonly lists: Int32Array;
  private readonly spare: Int32Array;
  private readonly goLeft: Uint8Array;
  /** With split sampling: the scan positions, permuted in place as each node picks its columns. */
  private readonly pickOrder: Int32Array | null;

  // Near-best candidates of the node being scanned, in scan order.
  private candColumn = new Int32Array(INITIAL_CANDIDATES);
  private candThreshold = new Float64Array(INITIAL_CANDIDATES);
  private candLeftBelow = new Int32Array(INITIAL_CANDIDATES);
  private candLeftZeros = new Float64Array(INITIAL_CANDIDATES);
  private candLeftOnes = new Float64Array(INITIAL_CANDIDATES);
  private candScore = new Float64Array(INITIAL_CANDIDATES);
  private candCount = 0;

  // Output, in pre-order.
  private readonly outFeature: number[] = [];
  private readonly outThreshold: number[] = [];
  private readonly outLeft: number[] = [];
  private readonly outRight: number[] = [];
  private readonly outValue: number[] = [];

  constructor(
    data: PresortedData,
    rows: ArrayLike<number>,
    columns: ArrayLike<number>,
    private readonly options: FastTreeOptions,
    workspace: TreeWorkspace,
  ) {
    const n = data.rowCount;
    const draws = rows.length;
    if (draws === 0) throw new RangeError("Cannot grow a tree on zero rows.");
    if (draws >= 2 ** 30) throw new RangeError(`${draws} draws is more than a tree can take.`);
    if (columns.length === 0) throw new RangeError("Cannot grow a tree on zero columns.");
    this.columnCount = columns.length;
    this.features = Int32Array.from(columns);
    // Picking every column would only reorder the scan (and so change how ties break): not sampling at all keeps ml-cart's trees.
    const sampling = options.sampling;
    this.pickOrder = sampling && sampling.columnsPerSplit < this.columnCount ? Int32Array.from({ length: this.columnCount }, (_, c) => c) : null;
    for (const f of this.features) {
      if (f < 0 || f >= data.width) throw new RangeError(`Column ${f} of ${data.width}.`);
    }
    this.distinct = Array.from(this.features, (f) => data.distinct[f]);
    for (let p = 0; p < draws; p++) {
      const r = rows[p];
      if (!Number.isInteger(r) || r < 0 || r >= n) throw new RangeError(`Draw ${p} is row ${r} of ${n}.`);
    }

    workspace.reserve(n, Math.min(n, draws), this.columnCount);
    const { localOf, info } = workspace;
    let unique = 0;
    for (let p = 0; p < draws; p++) {
      const r = rows[p];
      const label = data.labels[r];
      let l = localOf[r];
      if (l < 0) {
        l = unique++;
        localOf[r] = l;
        info[4 * l] = 0;
        info[4 * l + 1] = 0;
        info[4 * l + 2] = 2 * p + label;
      }
      info[4 * l]++;
      info[4 * l + 1] += label;
      info[4 * l + 3] = 2 * p + label;
    }
    this.unique = unique;
    this.info = info;
    this.lists = workspace.lists;
    this.spare = workspace.spare;
    this.goLeft = workspace.goLeft;

    for (let c = 0; c < this.columnCount; c++) {
      const f = this.features[c];
      const sort = workspace.listing === "auto" ? sortsColumnLists(unique, n) : workspace.listing === "sort";
      if (sort) this.listBySorting(c, data, f, rows, workspace);
      else this.listByFiltering(c, data, f, localOf);
    }
    // Leave localOf all -1 for the next tree.
    for (let p = 0; p < draws; p++) localOf[rows[p]] = -1;
  }

  /** Column list from one pass over the whole presorted column: O(data rows). */
  private listByFiltering(c: number, data: PresortedData, f: number, localOf: Int32Array): void {
    const order = data.order[f];
    const rank = data.rank[f];
    const lists = this.lists;
    const n = data.rowCount;
    let k = 2 * c * this.unique;
    // Branch-free: write every row, advance only past drawn ones (about 1 in 1.6 are, at random).
    for (let i = 0; i < n; i++) {
      const l = localOf[order[i]];
      lists[k] = l;
      lists[k + 1] = rank[i];
      k += ((l >>> 31) ^ 1) << 1;
    }
  }

  /** Column list by sorting the tree's own rows by presorted position: O(u log u), for trees on a small share of the rows. */
  private listBySorting(c: number, data: PresortedData, f: number, rows: ArrayLike<number>, workspace: TreeWorkspace): void {
    const positionOf = data.positionOf[f];
    const order = data.order[f];
    const rank = data.rank[f];
    const { localOf } = workspace;
    const positions = workspace.positions.subarray(0, this.unique);
    let u = 0;
    for (let p = 0; p < rows.length; p++) {
      const r = rows[p];
      // Each distinct row once, at its first draw (info[4l+2] holds 2 x that position + label).
      const l = localOf[r];
      if (this.info[4 * l + 2] >> 1 === p) positions[u++] = positionOf[r];
    }
    positions.sort();
    const lists = this.lists;
    let k = 2 * c * this.unique;
    for (let i = 0; i < this.unique; i++) {
      const position = positions[i];
      lists[k] = localOf[order[position]];
      lists[k + 1] = rank[position];
      k += 2;
    }
  }

  grow(): FlatTree {
    let ones = 0;
    let total = 0;
    for (let l = 0; l < this.unique; l++) {
      total += this.info[4 * l];
      ones += this.info[4 * l + 1];
    }
    this.growNode(0, this.unique, total, ones, 0, null);
    return {
      feature: Int32Array.from(this.outFeature),
      threshold: Float64Array.from(this.outThreshold),
      left: Int32Array.from(this.outLeft),
      right: Int32Array.from(this.outRight),
      value: Float64Array.from(this.outValue),
    };
  }

  /** A node that may not split, or whose scan could find no candidate (a pure node). */
  private mustBeLeaf(total: number, ones: number, depth: number): boolean {
    return total <= this.options.minNumSamples || depth >= this.options.maxDepth || ones === 0 || ones === total;
  }

  /** Grows the subtree over local-row range [start, end) and returns its node id. */
  private growNode(start: number, end: number, total: number, ones: number, depth: number, parentGain: number | null): number {
    const id = this.outFeature.length;
    this.outFeature.push(-1);
    this.outThreshold.push(0);
    this.outLeft.push(-1);
    this.outRight.push(-1);
    this.outValue.push(0);
    const split = this.mustBeLeaf(total, ones, depth) ? null : this.bestSplit(start, end, total, ones);
    const leftTotal = split ? split.leftZeros + split.leftOnes : 0;
    if (
      !split ||
      !(split.gain > this.options.gainThreshold) ||
      (parentGain !== null && split.gain === parentGain) ||
      leftTotal === 0 ||
      leftTotal === total
    ) {
      this.outValue[id] = cartLeafValue(total - ones, ones);
      return id;
    }

    const mid = start + this.markLeft(start, end, split);
    const rightTotal = total - leftTotal;
    const rightOnes = ones - split.leftOnes;
    // Children that will not be scanned do not need their lists in order.
    if (!this.mustBeLeaf(leftTotal, split.leftOnes, depth + 1) || !this.mustBeLeaf(rightTotal, rightOnes, depth + 1)) {
      this.partition(start, end, mid);
    }
    this.outFeature[id] = this.features[split.column];
    this.outThreshold[id] = split.threshold;
    this.outLeft[id] = this.growNode(start, mid, leftTotal, split.leftOnes, depth + 1, split.gain);
    this.outRight[id] = this.growNode(mid, end, rightTotal, rightOnes, depth + 1, split.gain);
    return id;
  }

  /** Sets goLeft for the node's rows; returns how many distinct rows go left. */
  private markLeft(start: number, end: number, split: Split): number {
    const { lists, info, goLeft } = this;
    const distinct = this.distinct[split.column];
    const base = 2 * split.column * this.unique;
    let uniqueLeft = 0;
    let zeros = 0;
    let ones = 0;
    for (let k = base + 2 * start; k < base + 2 * end; k += 2) {
      const l = lists[k];
      const left = lists[k + 1] < split.leftBelow;
      if (left !== distinct[lists[k + 1]] < split.threshold) throw new Error("A split's rank bound disagrees with its threshold.");
      goLeft[l] = left ? 1 : 0;
      if (left) {
        uniqueLeft++;
        ones += info[4 * l + 1];
        zeros += info[4 * l] - info[4 * l + 1];
      }
    }
    if (zeros !== split.leftZeros || ones !== split.leftOnes) {
      throw new Error(`Split bookkeeping is inconsistent: expected ${split.leftZeros}/${split.leftOnes} rows left, found ${zeros}/${ones}.`);
    }
    return uniqueLeft;
  }

  /** Stable partition of every column's [start, end) into left rows then right rows. */
  private partition(start: number, end: number, mid: number): void {
    const { lists, goLeft, spare } = this;
    for (let c = 0; c < this.columnCount; c++) {
      const base = 2 * c * this.unique;
      let write = base + 2 * start;
      let aside = 0;
      // Branch-free: every pair is written to both places and advances one of them (left or right is a coin flip to the CPU).
      for (let k = base + 2 * start; k < base + 2 * end; k += 2) {
        const l = lists[k];
        const key = lists[k + 1];
        const left = goLeft[l];
        lists[write] = l;
        lists[write + 1] = key;
        spare[aside] = l;
        spare[aside + 1] = key;
        write += left << 1;
        aside += (left ^ 1) << 1;
      }
      if (write !== base + 2 * mid) throw new Error("Partition sizes disagree between columns.");
      for (let s = 0; s < aside; s++) lists[write + s] = spare[s];
    }
  }

  /** The split ml-cart would choose for this node, or null when it has no candidate at all. */
  private bestSplit(start: number, end: number, total: number, ones: number): Split | null {
    const zeros = total - ones;
    // score = sum over sides of (zeros^2 + ones^2) / size; real gain = (score - parentScore) / total.
    const parentScore = (zeros * zeros + ones * ones) / total;
    // Generous bound on how far ml-cart's float gain strays from the real gain, in score units.
    const tolerance = total * total * 2 ** -44;
    const { lists, info } = this;
    let best = -Infinity;
    this.candCount = 0;
    const pick = this.pickOrder;
    const rng = this.options.sampling?.rng;
    const wanted = pick ? (this.options.sampling?.columnsPerSplit ?? this.columnCount) : this.columnCount;

    for (let i = 0; i < this.columnCount; i++) {
      // Enough columns tried once `wanted` are and one of them offered a cut that lowers impurity
      // (a constant column offers only ml-cart's empty-sided cut, which scores the parent's own).
      if (i >= wanted && best > parentScore) break;
      let c = i;
      if (pick && rng) {
        // Partial Fisher-Yates: position i gets a uniform pick among those not yet tried at this node.
        const j = i + Math.floor(rng() * (this.columnCount - i));
        c = pick[j];
        pick[j] = pick[i];
        pick[i] = c;
      }
      const distinct = this.distinct[c];
      const base = 2 * c * this.unique;
      const stop = base + 2 * end;
      let k = base + 2 * start;
      // Class weights left of the current run, and left of the run before it.
      let before0 = 0;
      let before1 = 0;
      let earlier0 = 0;
      let earlier1 = 0;
      let previousKey = -1;
      let previousValue = 0;
      let previousLastLabel = -1;
      while (k < stop) {
        const key = lists[k + 1];
        let run = 0;
        let run1 = 0;
        let firstKey = 0x7fffffff;
        let lastKey = -1;
        do {
          const p = lists[k] << 2;
          run += info[p];
          run1 += info[p + 1];
          const f = info[p + 2];
          if (f < firstKey) firstKey = f;
          const a = info[p + 3];
          if (a > lastKey) lastKey = a;
          k += 2;
        } while (k < stop && lists[k + 1] === key);
        const run0 = run - run1;
        const value = distinct[key];

        // Neighbours across the boundary: the previous run's last row and this run's first, in draw order.
        if (previousLastLabel >= 0 && previousLastLabel !== (firstKey & 1)) {
          const threshold = (previousValue + value) / 2;
          // The midpoint of adjacent doubles can round down onto the smaller value; then that run goes right too.
          const roundedDown = !(threshold > previousValue);
          const l0 = roundedDown ? earlier0 : before0;
          const l1 = roundedDown ? earlier1 : before1;
          const n = l0 + l1;
          const r0 = zeros - l0;
          const r1 = ones - l1;
          const score = n === 0 ? parentScore : (l0 * l0 + l1 * l1) / n + (r0 * r0 + r1 * r1) / (total - n);
          if (score > best) best = score;
          if (score >= best - tolerance) this.addCandidate(c, threshold, roundedDown ? previousKey : key, l0, l1, score, best - tolerance);
        }
        // Label changes inside the run: threshold = the value itself, so only smaller values go left.
        if (run0 > 0 && run1 > 0) {
          const n = before0 + before1;
          const r0 = zeros - before0;
          const r1 = ones - before1;
          const score = n === 0 ? parentScore : (before0 * before0 + before1 * before1) / n + (r0 * r0 + r1 * r1) / (total - n);
          if (score > best) best = score;
          if (score >= best - tolerance) this.addCandidate(c, value, key, before0, before1, score, best - tolerance);
        }
        earlier0 = before0;
        earlier1 = before1;
        before0 += run0;
        before1 += run1;
        previousKey = key;
        previousValue = value;
        previousLastLabel = lastKey & 1;
      }
    }
    return this.decide(zeros, ones, best - tolerance);
  }

  private addCandidate(column: number, threshold: number, leftBelow: number, leftZeros: number, leftOnes: number, score: number, floor: number): void {
    if (this.candCount === this.candColumn.length) {
      this.dropBelow(floor);
      if (this.candCount * 2 > this.candColumn.length) this.growCandidates();
    }
    const i = this.candCount++;
    this.candColumn[i] = column;
    this.candThreshold[i] = threshold;
    this.candLeftBelow[i] = leftBelow;
    this.candLeftZeros[i] = leftZeros;
    this.candLeftOnes[i] = leftOnes;
    this.candScore[i] = score;
  }

  /** Keeps, in order, the candidates scoring at least `floor`. */
  private dropBelow(floor: number): void {
    let kept = 0;
    for (let i = 0; i < this.candCount; i++) {
      if (this.candScore[i] < floor) continue;
      this.candColumn[kept] = this.candColumn[i];
      this.candThreshold[kept] = this.candThreshold[i];
      this.candLeftBelow[kept] = this.candLeftBelow[i];
      this.candLeftZeros[kept] = this.candLeftZeros[i];
      this.candLeftOnes[kept] = this.candLeftOnes[i];
      this.candScore[kept] = this.candScore[i];
      kept++;
    }
    this.candCount = kept;
  }

  private growCandidates(): void {
    const size = this.candColumn.length * 2;
    const grow = <T extends Int32Array | Float64Array>(old: T, fresh: T): T => {
      fresh.set(old);
      return fresh;
    };
    this.candColumn = grow(this.candColumn, new Int32Array(size));
    this.candThreshold = grow(this.candThreshold, new Float64Array(size));
    this.candLeftBelow = grow(this.candLeftBelow, new Int32Array(size));
    this.candLeftZeros = grow(this.candLeftZeros, new Float64Array(size));
    this.candLeftOnes = grow(this.candLeftOnes, new Float64Array(size));
    this.candScore = grow(this.candScore, new Float64Array(size));
  }

  /** Among the near-best candidates, in scan order, the first with strictly the largest ml-cart gain. */
  private decide(zeros: number, ones: number, floor: number): Split | null {
    this.dropBelow(floor);
    if (this.candCount === 0) return null;
    const parentGini = cartGini(zeros, ones);
    // Ties often share their class counts (the same cut found on several columns); each gain costs O(rows).
    const gains = new Map<number, number>();
    const gainOf = (i: number): number => {
      const key = this.candLeftZeros[i] * (zeros + ones + 1) + this.candLeftOnes[i];
      let gain = gains.get(key);
      if (gain === undefined) {
        gain = cartGain(zeros, ones, this.candLeftZeros[i], this.candLeftOnes[i], parentGini);
        gains.set(key, gain);
      }
      return gain;
    };
    let winner = 0;
    let winnerGain = gainOf(0);
    for (let i = 1; i < this.candCount; i++) {
      const gain = gainOf(i);
      if (gain > winnerGain) {
        winner = i;
        winnerGain = gain;
      }
    }
    return {
      column: this.candColumn[winner],
      threshold: this.candThreshold[winner],
      leftBelow: this.candLeftBelow[winner],
      leftZeros: this.candLeftZeros[winner],
      leftOnes: this.candLeftOnes[winner],
      gain: winnerGain,
    };
  }
}
