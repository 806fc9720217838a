/**
 * The interfaces every model type sits behind (scikit-learn style). An algorithm
 * module implements Estimator; the registry wraps it as a Classifier that also
 * knows its name, hyperparameters and seed, so serialising is written once.
 */

export interface FitOptions {
  /** Called with the share of training done, 0..1; awaited, so it may write to the database. */
  onProgress?: (fraction: number) => void | Promise<void>;
}

export interface Estimator<State = unknown> {
  fit(X: number[][], y: number[], options?: FitOptions): Promise<void>;
  /** P(y = 1) per row. */
  predictProba(X: number[][]): number[];
  /** The fitted state as plain JSON; throws NotFittedError before `fit`. */
  state(): State;
}

export interface SerializedClassifier {
  algorithm: string;
  /** Numbers, or option names for choice hyperparameters. */
  hyperparameters: Record<string, number | string>;
  seed: number;
  /** Algorithm-specific, plain JSON; only the algorithm's own schema interprets it. */
  state: unknown;
}

export interface Classifier {
  readonly algorithm: string;
  fit(X: number[][], y: number[], options?: FitOptions): Promise<void>;
  predictProba(X: number[][]): number[];
  toJSON(): SerializedClassifier;
}
