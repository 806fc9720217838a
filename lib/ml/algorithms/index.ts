import { z } from "zod";
import { ValidationError, type FieldErrors } from "@/lib/errors";
import { APP_NAME, APP_VERSION } from "@/lib/version";
import { InvalidModelStateError } from "../errors";
import {
  hyperparameterField,
  hyperparametersSchema,
  type AlgorithmDefinition,
  type HyperparameterField,
  type HyperparameterSpecs,
  type HyperparameterValue,
} from "./define";
import { logisticRegression } from "./logistic-regression";
import { randomForest } from "./random-forest";
import type { Classifier, Estimator, FitOptions, SerializedClassifier } from "./types";

export type { Classifier, Estimator, FitOptions, SerializedClassifier } from "./types";
export { defineAlgorithm, type AlgorithmDefinition, type HyperparameterField, type HyperparameterValue, type HyperparameterValues } from "./define";

/** Hyperparameters by name, as configs, forms and artifacts hold them. */
export type HyperparameterSet = Record<string, HyperparameterValue>;

/**
 * The one list of algorithms. Everything else (API and form schemas, mongoose
 * validators, views, labels, help text, training-time estimates) asks this
 * registry, so adding an algorithm is one module plus one line here.
 */
// Definitions differ in their hyperparameter and state types; the registry only passes values through.
type AnyAlgorithm = AlgorithmDefinition<HyperparameterSpecs, any>;

const registry = new Map<string, AnyAlgorithm>();

export function registerAlgorithm(definition: AnyAlgorithm): void {
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(definition.name)) throw new Error(`Algorithm name "${definition.name}" must be lowercase snake_case.`);
  registry.set(definition.name, definition);
}

registerAlgorithm(randomForest);
registerAlgorithm(logisticRegression);

export function algorithmNames(): string[] {
  return [...registry.keys()];
}

export function isAlgorithm(name: unknown): name is string {
  return typeof name === "string" && registry.has(name);
}

function unknownAlgorithmMessage(name: unknown): string {
  return `Unknown algorithm "${String(name)}"; choose one of ${algorithmNames().join(", ")}.`;
}

/** For request and form schemas: any registered algorithm, checked when parsed (so later registrations count). */
export const algorithmSchema = z.string({ error: () => `choose one of: ${algorithmNames().join(", ")}` }).refine(isAlgorithm, {
  error: (issue) => unknownAlgorithmMessage(issue.input),
});

function definitionOf(name: string): AnyAlgorithm {
  const definition = registry.get(name);
  if (!definition) throw new ValidationError("The model settings are invalid.", { algorithm: [unknownAlgorithmMessage(name)] });
  return definition;
}

/** What forms and pages show about an algorithm: plain data, safe to pass to client components. */
export interface AlgorithmInfo {
  name: string;
  label: string;
  description: string;
  fields: HyperparameterField[];
}

export function algorithmCatalog(): AlgorithmInfo[] {
  return [...registry.values()].map((d) => ({
    name: d.name,
    label: d.label,
    description: d.description,
    fields: Object.entries(d.hyperparameters).map(([name, spec]) => hyperparameterField(name, spec)),
  }));
}

export function algorithmLabel(name: string): string {
  return registry.get(name)?.label ?? name;
}

export function defaultHyperparameters(name: string): HyperparameterSet {
  return { ...hyperparametersSchema(definitionOf(name).hyperparameters).parse({}) };
}

/**
 * Validates hyperparameters from a form or an API body: missing values get
 * defaults, unknown names and out-of-range values become field errors keyed
 * `hyperparameters.<name>`. Returns every value, defaults filled in.
 */
export function parseHyperparameters(name: string, raw: unknown): HyperparameterSet {
  const definition = definitionOf(name);
  const input = raw ?? {};
  if (typeof input !== "object" || Array.isArray(input)) {
    throw new ValidationError("The hyperparameters are invalid.", {
      hyperparameters: ["Hyperparameters must be an object of names to values."],
    });
  }
  const result = hyperparametersSchema(definition.hyperparameters).safeParse(input);
  const fields: FieldErrors = {};
  if (result.success) {
    const conflicts = combinationErrors(definition, result.data);
    if (!conflicts) return result.data;
    for (const [key, message] of Object.entries(conflicts)) fields[`hyperparameters.${key}`] = [message];
    throw new ValidationError(`Invalid hyperparameters for ${name}.`, fields);
  }
  const known = Object.keys(definition.hyperparameters).join(", ");
  for (const issue of result.error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        (fields[`hyperparameters.${key}`] ??= []).push(`"${key}" is not a ${name} hyperparameter; known ones are ${known}.`);
      }
    } else {
      const key = ["hyperparameters", ...issue.path.map(String)].join(".");
      (fields[key] ??= []).push(issue.message);
    }
  }
  throw new ValidationError(`Invalid hyperparameters for ${name}.`, fields);
}

/** The definition's messages for hyperparameters that do not go together, if any. */
function combinationErrors(definition: AnyAlgorithm, values: HyperparameterSet): Record<string, string> | undefined {
  const conflicts = definition.checkCombination?.(values);
  return conflicts && Object.keys(conflicts).length > 0 ? (conflicts as Record<string, string>) : undefined;
}

/**
 * Rough training-time forecast in seconds, for the UI to warn before a long run
 * ("about", never a promise). Missing values get defaults; values the
 * algorithm would refuse are a ValidationError, as in parseHyperparameters.
 */
export function estimateTrainingSeconds(name: string, hyperparameters: HyperparameterSet, rows: number, features: number): number {
  return definitionOf(name).estimateSeconds(parseHyperparameters(name, hyperparameters), rows, features);
}

/** The learner a version of `name` with these settings was grown by, e.g. a library and its version. */
export function learnerOf(name: string, hyperparameters: Record<string, number>): string {
  const definition = registry.get(name);
  const own = `${APP_NAME} ${APP_VERSION}`;
  if (!definition?.learner) return own;
  return definition.learner({ ...defaultHyperparameters(name), ...hyperparameters });
}

/** An estimator with its name, settings and seed: what the rest of the app calls a classifier. */
class RegisteredClassifier implements Classifier {
  constructor(
    readonly algorithm: string,
    private readonly hyperparameters: HyperparameterSet,
    private readonly seed: number,
    private readonly estimator: Estimator,
  ) {}

  fit(X: number[][], y: number[], options?: FitOptions): Promise<void> {
    return this.estimator.fit(X, y, options);
  }

  predictProba(X: number[][]): number[] {
    return this.estimator.predictProba(X);
  }

  toJSON(): SerializedClassifier {
    return { algorithm: this.algorithm, hyperparameters: { ...this.hyperparameters }, seed: this.seed, state: this.estimator.state() };
  }
}

/** Builds an untrained classifier; the settings come from a form or an API body and are validated here. */
export function createClassifier(name: string, hyperparameters: unknown, seed: number): Classifier {
  const fields: FieldErrors = {};
  if (!isAlgorithm(name)) fields.algorithm = [unknownAlgorithmMessage(name)];
  if (!Number.isSafeInteger(seed)) fields.seed = ["The seed must be a whole number."];
  if (Object.keys(fields).length > 0) throw new ValidationError("The model settings are invalid.", fields);
  const values = parseHyperparameters(name, hyperparameters);
  return new RegisteredClassifier(name, values, seed, definitionOf(name).create(values, seed));
}

const serializedSchema = z.object({
  algorithm: z.string(),
  hyperparameters: z.record(z.string(), z.union([z.number(), z.string()])),
  seed: z.number().int(),
  state: z.unknown(),
});

function firstIssue(error: z.ZodError, whole: string): string {
  const first = error.issues[0];
  const where = first.code === "unrecognized_keys" ? first.keys.join(", ") : first.path.join(".");
  return `"${where || whole}": ${first.message}`;
}

/**
 * Rebuilds a trained classifier from `toJSON()` output (typically read from an
 * artifact). Throws InvalidModelStateError naming the part that is wrong; a
 * classifier that loads predicts exactly what the saved one did.
 */
export function classifierFromJSON(json: SerializedClassifier): Classifier {
  const envelope = serializedSchema.safeParse(json);
  if (!envelope.success) throw new InvalidModelStateError(`Saved model is malformed at ${firstIssue(envelope.error, "model")}`);
  const { algorithm, hyperparameters, seed, state } = envelope.data;
  const definition = registry.get(algorithm);
  if (!definition) throw new InvalidModelStateError(`Saved model has an unknown algorithm: ${unknownAlgorithmMessage(algorithm)}`);
  const values = hyperparametersSchema(definition.hyperparameters, { saved: true }).safeParse(hyperparameters);
  if (!values.success) {
    throw new InvalidModelStateError(`Saved ${algorithm} model has invalid hyperparameters (${firstIssue(values.error, "hyperparameters")})`);
  }
  const conflicts = combinationErrors(definition, values.data);
  if (conflicts) {
    const [key, message] = Object.entries(conflicts)[0];
    throw new InvalidModelStateError(`Saved ${algorithm} model has invalid hyperparameters ("${key}": ${message})`);
  }
  const parsedState = definition.stateSchema.safeParse(state);
  if (!parsedState.success) {
    throw new InvalidModelStateError(`${definition.label} state is malformed at ${firstIssue(parsedState.error, "state")}`);
  }
  return new RegisteredClassifier(algorithm, values.data, seed, definition.restore(values.data, seed, parsedState.data));
}
