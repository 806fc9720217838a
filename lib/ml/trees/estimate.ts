import { sortsColumnLists } from "./fast-tree";
import type { ForestEngine } from "./forest";

/**
 * Rough forest training-time forecast in seconds, for the UI to warn before a
 * long run (and, for the app, to refuse one). Constants are CPU seconds of the
 * fitting process from `npm run bench:forest` (bench/forest.md) on the 2-core
 * development machine: medians of four runs while it was shared (load average
 * 3 to 8), which moved single runs by up to a factor of two. Present the result
 * as "about", never as a promise.
 */

export interface ForestEstimateInput {
  /** Training rows and feature columns. */
  rows: number;
  features: number;
  nEstimators: number;
  maxDepth: number;
  /** Bootstrap draws per tree; default all rows. */
  maxSamples?: number;
  /** Share of the columns each tree uses. */
  maxFeatures: number;
  /** Share of a tree's columns each split scans; default 1. */
  splitFeatures?: number;
  /** Default 10, the app's default; only changes how deep trees really grow. */
  minSamplesSplit?: number;
  engine: ForestEngine;
}

/** Fast engine: seconds per training row x feature to presort the training matrix, once per forest. */
export const FAST_PRESORT_SECONDS_PER_ROW_FEATURE = 1.5e-7;
/** Fast engine, tree setup when the column lists are filtered from the presorted columns: seconds per training row x used feature. */
export const FAST_SETUP_FILTER_SECONDS_PER_ROW_FEATURE = 1.2e-8;
/** Fast engine, tree setup when the tree's rows are sorted instead (small samples): seconds per distinct row x log2(distinct rows) x used feature. */
export const FAST_SETUP_SORT_SECONDS_PER_ROW_LOG_FEATURE = 9e-9;
/**
 * Fast engine growth, per distinct drawn row x level: a scan of each column a
 * split tries, and a partition of every column the tree uses. Their sum is the
 * growth constant of earlier runs (2.2e-8 per row x column x level with every
 * column scanned), split about evenly: joint fits on trees scanning all or a
 * quarter of their columns gave 1.3e-8 for the scan and 0.9e-8 to 1.4e-8 for
 * the partition under load 5 to 7.
 */
export const FAST_SCAN_SECONDS_PER_ROW_FEATURE_LEVEL = 1.2e-8;
export const FAST_PARTITION_SECONDS_PER_ROW_FEATURE_LEVEL = 1e-8;

/**
 * ml-random-forest engine: seconds per (drawn row)^2 x used feature per tree of depth 8.
 * The first forest's estimate used 4.2e-8; 40 trees of 1,500 rows took 41-48 CPU s here, 34 s by that constant.
 */
export const LIBRARY_SECONDS_PER_ROW2_FEATURE = 5.4e-8;
/** ml-random-forest engine: seconds per drawn row x used feature per tree for sampling and copying the bootstrap. */
export const LIBRARY_SECONDS_PER_ROW_FEATURE = 2e-8;

/** Expected distinct rows in `draws` draws with replacement from `rows`. */
export function expectedDistinctRows(rows: number, draws: number): number {
  return rows * -Math.expm1(draws * Math.log1p(-1 / Math.max(rows, 2)));
}

/**
 * Levels in which a tree still has rows to scan. Until nodes shrink to about
 * minSamplesSplit rows (log2(draws / minSamplesSplit) levels) every level holds
 * nearly all rows; deeper levels hold fewer (uneven splits keep some nodes
 * large), counted here as half a level each.
 */
export function effectiveLevels(maxDepth: number, draws: number, minSamplesSplit = 10): number {
  const full = Math.max(1, Math.log2(draws / minSamplesSplit));
  return maxDepth <= full ? maxDepth : full + (maxDepth - full) / 2;
}

export function estimateForestSeconds(input: ForestEstimateInput): number {
  const { rows, features, nEstimators, maxDepth, engine } = input;
  const draws = Math.min(input.maxSamples ?? rows, rows);
  const used = Math.max(1, Math.floor(input.maxFeatures * features));
  const scanned = Math.max(1, Math.floor((input.splitFeatures ?? 1) * used));
  if (engine === "ml-random-forest") {
    // A node costs O(rows^2) in ml-cart, and each level of a tree holds at most
    // all the rows, so shallow trees save up to about half.
    const depthFactor = (2 - 2 ** (1 - maxDepth)) / (2 - 2 ** -7);
    const perTree = LIBRARY_SECONDS_PER_ROW2_FEATURE * draws * draws * used * depthFactor + LIBRARY_SECONDS_PER_ROW_FEATURE * draws * used;
    return nEstimators * perTree;
  }
  const distinct = expectedDistinctRows(rows, draws);
  const levels = effectiveLevels(maxDepth, draws, input.minSamplesSplit);
  // A split scans only its sampled columns but partitions all the tree's columns.
  const perLevel = FAST_SCAN_SECONDS_PER_ROW_FEATURE_LEVEL * scanned + FAST_PARTITION_SECONDS_PER_ROW_FEATURE_LEVEL * used;
  const perTree = fastSetupSeconds(rows, distinct, used) + distinct * levels * perLevel;
  return FAST_PRESORT_SECONDS_PER_ROW_FEATURE * rows * features + nEstimators * perTree;
}

/** Per-tree setup of the fast engine, by the same rule the learner uses to pick how it builds column lists. */
export function fastSetupSeconds(rows: number, distinct: number, used: number): number {
  return sortsColumnLists(distinct, rows)
    ? FAST_SETUP_SORT_SECONDS_PER_ROW_LOG_FEATURE * distinct * Math.log2(distinct + 1) * used
    : FAST_SETUP_FILTER_SECONDS_PER_ROW_FEATURE * rows * used;
}
