import { z } from "zod";
import { ValidationError, type FieldErrors } from "@/lib/errors";
import { InvalidModelStateError } from "../errors";
import {
  HYPERPARAMETER_SCHEMAS,
  logisticRegressionHyperparametersSchema,
  randomForestHyperparametersSchema,
} from "./hyperparameters";
import { LogisticRegression } from "./logistic-regression";
import { RandomForest } from "./random-forest";
import { ALGORITHMS, type Algorithm, type Classifier, type SerializedClassifier } from "./types";

export * from "./types";
export * from "./hyperparameters";
export { estimateTrainingSeconds } from "./estimate";
export { RandomForest, type RandomForestState } from "./random-forest";
export { LogisticRegression, type LogisticRegressionState } from "./logistic-regression";

export const algorithmSchema = z.enum(ALGORITHMS as [Algorithm, ...Algorithm[]]);

/**
 * Builds an untrained classifier. `hyperparameters` comes from a form or an API
 * body, so it is validated here: missing values get defaults, unknown names and
 * out-of-range values become field errors keyed `hyperparameters.<name>`.
 */
export function createClassifier(algorithm: Algorithm, hyperparameters: unknown, seed: number): Classifier {
  const fields: FieldErrors = {};
  if (!algorithmSchema.safeParse(algorithm).success) {
    fields.algorithm = [`Unknown algorithm "${String(algorithm)}"; choose one of ${ALGORITHMS.join(", ")}.`];
  }
  if (!Number.isSafeInteger(seed)) {
    fields.seed = ["The seed must be a whole number."];
  }
  if (Object.keys(fields).length > 0) throw new ValidationError("The model settings are invalid.", fields);

  const raw = hyperparameters ?? {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new ValidationError("The hyperparameters are invalid.", {
      hyperparameters: ["Hyperparameters must be an object of names to numbers."],
    });
  }
  if (algorithm === "random_forest") {
    return new RandomForest(parseHyperparameters(randomForestHyperparametersSchema, raw, algorithm), seed);
  }
  return new LogisticRegression(parseHyperparameters(logisticRegressionHyperparametersSchema, raw, algorithm), seed);
}

const serializedSchema = z.object({
  algorithm: algorithmSchema,
  hyperparameters: z.record(z.string(), z.number()),
  seed: z.number().int(),
  state: z.unknown(),
});

/**
 * Rebuilds a trained classifier from `toJSON()` output (typically read from an
 * artifact file). Throws InvalidModelStateError, an Error, naming the part that
 * is wrong; a classifier that loads predicts exactly what the saved one did.
 */
export function classifierFromJSON(json: SerializedClassifier): Classifier {
  const envelope = serializedSchema.safeParse(json);
  if (!envelope.success) {
    const first = envelope.error.issues[0];
    throw new InvalidModelStateError(`Saved model is malformed at "${first.path.join(".") || "model"}": ${first.message}`);
  }
  const { algorithm, hyperparameters, seed, state } = envelope.data;
  if (algorithm === "random_forest") {
    return RandomForest.fromState(savedHyperparameters(randomForestHyperparametersSchema, hyperparameters, algorithm), seed, state);
  }
  return LogisticRegression.fromState(savedHyperparameters(logisticRegressionHyperparametersSchema, hyperparameters, algorithm), seed, state);
}

function savedHyperparameters<T>(schema: z.ZodType<T>, raw: Record<string, number>, algorithm: Algorithm): T {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  const where = first.code === "unrecognized_keys" ? first.keys.join(", ") : first.path.join(".");
  throw new InvalidModelStateError(`Saved ${algorithm} model has invalid hyperparameters (${where}): ${first.message}`);
}

function parseHyperparameters<T>(schema: z.ZodType<T>, raw: object, algorithm: Algorithm): T {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const fields: FieldErrors = {};
  const known = Object.keys(HYPERPARAMETER_SCHEMAS[algorithm].shape).join(", ");
  for (const issue of result.error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        (fields[`hyperparameters.${key}`] ??= []).push(`"${key}" is not a ${algorithm} hyperparameter; known ones are ${known}.`);
      }
    } else {
      const key = ["hyperparameters", ...issue.path.map(String)].join(".");
      (fields[key] ??= []).push(issue.message);
    }
  }
  throw new ValidationError(`Invalid hyperparameters for ${algorithm}.`, fields);
}
