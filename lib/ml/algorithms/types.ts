/**
 * The one interface every model type sits behind (scikit-learn style): fit,
 * predictProba, toJSON; rebuilding from JSON goes through `classifierFromJSON`.
 */
export type Algorithm = "random_forest" | "logistic_regression";

export const ALGORITHMS: readonly Algorithm[] = ["random_forest", "logistic_regression"];

export interface FitOptions {
  /** Called with the share of training done, 0..1; awaited, so it may write to the database. */
  onProgress?: (fraction: number) => void | Promise<void>;
}

export interface SerializedClassifier {
  algorithm: Algorithm;
  hyperparameters: Record<string, number>;
  seed: number;
  /** Algorithm-specific, plain JSON; only `classifierFromJSON` interprets it. */
  state: unknown;
}

export interface Classifier {
  readonly algorithm: Algorithm;
  fit(X: number[][], y: number[], options?: FitOptions): Promise<void>;
  /** P(y = 1) per row. */
  predictProba(X: number[][]): number[];
  toJSON(): SerializedClassifier;
}
