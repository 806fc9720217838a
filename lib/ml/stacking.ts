import { classifierFromJSON, createClassifier, defaultHyperparameters, type Classifier, type SerializedClassifier } from "./algorithms";
import { columnSource, rowsToMatrix, type ColumnSource, type PredictRows } from "./matrix";
import { evaluate, type Metrics } from "./metrics";
import { holdoutSplit, takeRows } from "./split";

/**
 * A stacking ensemble as one object (scikit-learn's StackingClassifier): base
 * models, each reading its own feature columns, and a meta classifier over their
 * probabilities. The same transform serves fitting and predicting.
 */

/** Share of the meta training rows held out to measure the ensemble and each base model. */
export const META_HOLDOUT_FRACTION = 0.25;

export interface BaseModel {
  features: string[];
  predictProba(X: number[][]): number[];
}

export interface StackFit<B extends BaseModel> {
  ensemble: StackedEnsemble<B>;
  /** The ensemble on the held-out meta rows. */
  metrics: Metrics;
  /** Each base model alone on the same held-out rows, in base order. */
  baseMetrics: Metrics[];
  /** A few held-out rows (0-based) and the probabilities the fitted ensemble gave them, to check a reload against. */
  check: { rows: number[]; probabilities: number[] };
  /** Every held-out row (0-based, ascending), its label and the ensemble's probability: what calibration is measured on. */
  holdout: { rows: number[]; y: number[]; probabilities: number[] };
}

/** Every base model's features, each once, in first-seen order. */
export function unionFeatures(bases: readonly BaseModel[]): string[] {
  return [...new Set(bases.flatMap((b) => b.features))];
}

export class StackedEnsemble<B extends BaseModel = BaseModel> {
  constructor(
    readonly bases: B[],
    readonly meta: Classifier,
  ) {}

  private union?: string[];

  /** The columns a row must carry: every base model's features (worked out once: every prediction asks). */
  get features(): string[] {
    return (this.union ??= unionFeatures(this.bases));
  }

  /** Each base model's P(target = 1), one column per base model. */
  static transform(bases: readonly BaseModel[], source: ColumnSource): number[][] {
    return toRows(bases.map((b) => b.predictProba(source(b.features))));
  }

  /**
   * Fits the meta classifier on a seeded share of the rows and measures the
   * ensemble, and each base model alone, on the rest. `scores` holds each base
   * model's predictProba on the rows, in base order: a caller may keep them per
   * base model version and dataset instead of scoring the same rows again.
   */
  static async fit<B extends BaseModel>(
    bases: B[],
    scores: ReadonlyArray<readonly number[]>,
    y: number[],
    meta: { algorithm: string; seed: number },
  ): Promise<StackFit<B>> {
    if (scores.length !== bases.length || scores.some((p) => p.length !== y.length)) {
      throw new RangeError(`Expected ${bases.length} score arrays of ${y.length} rows each.`);
    }
    const Z = toRows(scores);
    const { train, test } = holdoutSplit(Z.length, META_HOLDOUT_FRACTION, meta.seed);
    const classifier = createClassifier(meta.algorithm, defaultHyperparameters(meta.algorithm), meta.seed);
    await classifier.fit(takeRows(Z, train), takeRows(y, train));
    const yTest = takeRows(y, test);
    const zTest = takeRows(Z, test);
    const probabilities = classifier.predictProba(zTest);
    return {
      ensemble: new StackedEnsemble(bases, classifier),
      metrics: evaluate(yTest, probabilities),
      baseMetrics: scores.map((p) => evaluate(yTest, takeRows(p, test))),
      check: { rows: test.slice(0, 20), probabilities: probabilities.slice(0, 20) },
      holdout: { rows: test, y: yTest, probabilities },
    };
  }

  static restore<B extends BaseModel>(bases: B[], meta: SerializedClassifier): StackedEnsemble<B> {
    return new StackedEnsemble(bases, classifierFromJSON(meta));
  }

  predictProba(source: ColumnSource): number[] {
    return this.meta.predictProba(StackedEnsemble.transform(this.bases, source));
  }

  /** Named-column rows; every row must carry exactly the base models' features. */
  predictRows(rows: PredictRows): number[] {
    const features = this.features;
    return this.predictProba(columnSource(rowsToMatrix(rows, features), features));
  }
}

/** Per-model columns as per-row arrays, the shape classifiers take. */
function toRows(columns: ReadonlyArray<readonly number[]>): number[][] {
  const width = columns.length;
  const n = columns[0]?.length ?? 0;
  const rows = new Array<number[]>(n);
  for (let i = 0; i < n; i++) {
    const row = new Array<number>(width);
    for (let j = 0; j < width; j++) row[j] = columns[j][i];
    rows[i] = row;
  }
  return rows;
}
