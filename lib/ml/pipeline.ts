import { z } from "zod";
import { ValidationError } from "@/lib/errors";
import { classifierFromJSON, createClassifier, type Classifier, type SerializedClassifier } from "./algorithms";
import { applyPlatt, fitPlatt, plattStateSchema, type PlattState } from "./calibration";
import { InvalidModelStateError } from "./errors";
import { evaluate, type Metrics } from "./metrics";
import { StandardScaler, type ScalerState } from "./scaler";
import { holdoutSplit, takeRows } from "./split";

/**
 * One fitted model as a single object (scikit-learn's Pipeline): the ordered
 * feature list, the scaler, the classifier and an optional Platt calibration.
 * Training fits it, artifacts are written from it and loading rebuilds it, so the
 * composition scaler -> classifier -> calibration exists in exactly one place.
 */

/** Share of the training rows held out to measure the model. */
export const HOLDOUT_FRACTION = 0.2;
/** Share of the remaining rows used to fit the sigmoid calibration, when asked for. */
export const CALIBRATION_FRACTION = 0.2;

export const CALIBRATIONS = ["none", "sigmoid"] as const;
export type Calibration = (typeof CALIBRATIONS)[number];

export interface PipelineSpec {
  algorithm: string;
  hyperparameters: unknown;
  features: string[];
  target: string;
  calibration: Calibration;
  seed: number;
}

/** The model artifact: the classifier and calibration (the scaler and features have artifacts of their own). */
export interface ModelPayload {
  classifier: SerializedClassifier;
  calibration: PlattState | null;
  target: string;
  trained_rows: number;
}

export interface FeaturesPayload {
  features: string[];
  target: string;
}

/** The three payloads of a saved pipeline, one per artifact file. */
export interface PipelineArtifacts {
  model: ModelPayload;
  scaler: ScalerState;
  features: FeaturesPayload;
}

type Progress = (fraction: number, message?: string) => void | Promise<void>;

const modelPayloadSchema = z.object({
  classifier: z.unknown(),
  calibration: plattStateSchema.nullable(),
  target: z.string(),
  trained_rows: z.number().int().min(0),
});

const featuresPayloadSchema = z.object({ features: z.array(z.string()).min(1), target: z.string() });

export class ModelPipeline {
  private constructor(
    readonly features: string[],
    readonly target: string,
    private readonly scaler: StandardScaler,
    private readonly classifier: Classifier,
    private readonly calibration: PlattState | null,
    readonly trainedRows: number,
  ) {}

  get algorithm(): string {
    return this.classifier.algorithm;
  }

  /**
   * Fits on every given row: the scaler and classifier on all of them, or, with
   * sigmoid calibration, on a seeded share while the rest fits the calibration.
   * Progress goes from 0.15 to 0.87 of the caller's scale.
   */
  static async fit(X: number[][], y: number[], spec: PipelineSpec, onProgress?: Progress): Promise<ModelPipeline> {
    let fitX = X;
    let fitY = y;
    let calX: number[][] = [];
    let calY: number[] = [];
    if (spec.calibration === "sigmoid") {
      const inner = holdoutSplit(X.length, CALIBRATION_FRACTION, spec.seed + 1);
      fitX = takeRows(X, inner.train);
      fitY = takeRows(y, inner.train);
      calX = takeRows(X, inner.test);
      calY = takeRows(y, inner.test);
    }
    const scaler = new StandardScaler().fit(fitX);
    const classifier = createClassifier(spec.algorithm, spec.hyperparameters, spec.seed);
    await classifier.fit(scaler.transform(fitX), fitY, { onProgress: (f) => onProgress?.(0.15 + 0.7 * f, "fitting the model") });
    let calibration: PlattState | null = null;
    if (spec.calibration === "sigmoid") {
      await onProgress?.(0.87, "calibrating");
      calibration = fitPlatt(classifier.predictProba(scaler.transform(calX)), calY);
    }
    return new ModelPipeline([...spec.features], spec.target, scaler, classifier, calibration, fitX.length);
  }

  /** P(target = 1) for rows whose columns are in `features` order. */
  predictProba(X: number[][]): number[] {
    const scaled = this.scaler.transform(X);
    this.assertFinite(X, scaled);
    const raw = this.classifier.predictProba(scaled);
    const probabilities = this.calibration ? applyPlatt(this.calibration, raw) : raw;
    let bad = -1;
    for (let i = 0; i < probabilities.length && bad < 0; i++) if (!Number.isFinite(probabilities[i])) bad = i;
    if (bad >= 0) {
      throw new ValidationError(`rows[${bad}]: the model cannot score this row; its values are too far from the ones it was trained on.`, {
        [`rows.${bad}`]: ["too far from the training data to be scored"],
      });
    }
    return probabilities;
  }

  /**
   * A finite value far outside the training range (1.7e308) can overflow once
   * scaled; that is the request's fault, so it is refused naming the row and feature.
   */
  private assertFinite(X: number[][], scaled: number[][]): void {
    for (let i = 0; i < scaled.length; i++) {
      const row = scaled[i];
      let j = 0;
      while (j < row.length && Number.isFinite(row[j])) j++;
      if (j === row.length) continue;
      const feature = this.features[j];
      throw new ValidationError(
        `rows[${i}]: "${feature}" is ${X[i][j]}, too far from the values this model was trained on to be used (scaled, it is not a finite number).`,
        { [`rows.${i}`]: [`"${feature}" is out of range for this model`] },
      );
    }
  }

  toArtifacts(): PipelineArtifacts {
    return {
      model: { classifier: this.classifier.toJSON(), calibration: this.calibration, target: this.target, trained_rows: this.trainedRows },
      scaler: this.scaler.toJSON(),
      features: { features: [...this.features], target: this.target },
    };
  }

  /** Rebuilds a pipeline from its three payloads, checking each against its schema; throws InvalidModelStateError. */
  static fromArtifacts(artifacts: PipelineArtifacts): ModelPipeline {
    const model = modelPayloadSchema.safeParse(artifacts.model);
    if (!model.success) throw new InvalidModelStateError(`The model payload is malformed: ${describe(model.error)}`);
    const features = featuresPayloadSchema.safeParse(artifacts.features);
    if (!features.success) throw new InvalidModelStateError(`The feature list is malformed: ${describe(features.error)}`);
    const classifier = classifierFromJSON(model.data.classifier as SerializedClassifier);
    const scaler = StandardScaler.fromJSON(artifacts.scaler);
    if (scaler.columnCount !== features.data.features.length) {
      throw new InvalidModelStateError(
        `The scaler has ${scaler.columnCount} columns but the feature list has ${features.data.features.length}.`,
      );
    }
    return new ModelPipeline(
      features.data.features,
      features.data.target,
      scaler,
      classifier,
      model.data.calibration,
      model.data.trained_rows,
    );
  }
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "payload"}: ${i.message}`).join("; ");
}

/**
 * Holds out a seeded share of the rows, fits a pipeline on the rest and
 * measures it on the held-out rows: what "train a model" means in this app.
 */
export async function fitAndMeasure(
  X: number[][],
  y: number[],
  spec: PipelineSpec,
  onProgress?: Progress,
): Promise<{ pipeline: ModelPipeline; metrics: Metrics }> {
  const { train, test } = holdoutSplit(X.length, HOLDOUT_FRACTION, spec.seed);
  const pipeline = await ModelPipeline.fit(takeRows(X, train), takeRows(y, train), spec, onProgress);
  await onProgress?.(0.9, "measuring on held-out rows");
  const metrics = evaluate(takeRows(y, test), pipeline.predictProba(takeRows(X, test)));
  return { pipeline, metrics };
}
