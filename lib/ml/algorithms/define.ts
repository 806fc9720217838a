import { z } from "zod";
import type { Estimator } from "./types";

/**
 * How an algorithm declares itself: its hyperparameters as data (type, range,
 * default, help), a factory, a state schema and a restore function. The
 * registry derives everything else from this (zod schemas for API bodies, form
 * fields, defaults, training-time estimates), after scikit-learn's
 * `_parameter_constraints`: constraints are data, not code.
 */

interface Described {
  default: number;
  /** One sentence for the form, next to the field (which is labelled with the name itself). */
  help: string;
}

export type HyperparameterSpec =
  | (Described & { type: "integer"; min: number; max: number })
  /** `gt` is an exclusive lower bound (a share that cannot be 0); `min` an inclusive one. */
  | (Described & { type: "number"; min?: number; gt?: number; max: number });

export type HyperparameterSpecs = Record<string, HyperparameterSpec>;

/** The hyperparameter values an algorithm receives: every declared name, as a number. */
export type HyperparameterValues<S extends HyperparameterSpecs> = { [K in keyof S]: number };

export interface AlgorithmDefinition<S extends HyperparameterSpecs = HyperparameterSpecs, State = unknown> {
  /** Stored in documents and artifacts: never rename one that has been released. */
  name: string;
  label: string;
  description: string;
  hyperparameters: S;
  create(hyperparameters: HyperparameterValues<S>, seed: number): Estimator<State>;
  stateSchema: z.ZodType<State>;
  /** Rebuilds a fitted estimator from a state that has passed `stateSchema`; throws InvalidModelStateError on what the schema cannot check. */
  restore(hyperparameters: HyperparameterValues<S>, seed: number, state: State): Estimator<State>;
  /** What grows the model, recorded with every version (numbers can change when it does); the app itself when omitted. */
  learner?(hyperparameters: HyperparameterValues<S>): string;
  /** Rough CPU seconds to fit on rows x features, for warnings and limits; never a promise. */
  estimateSeconds(hyperparameters: HyperparameterValues<S>, rows: number, features: number): number;
}

/** Identity with inference: lets an algorithm module state its specs once and get typed values back. */
export function defineAlgorithm<S extends HyperparameterSpecs, State>(definition: AlgorithmDefinition<S, State>): AlgorithmDefinition<S, State> {
  for (const [name, spec] of Object.entries(definition.hyperparameters)) {
    if (!hyperparameterSchema(name, spec).safeParse(spec.default).success) {
      throw new Error(`The default of ${definition.name}.${name} (${spec.default}) is outside its own range.`);
    }
  }
  return definition;
}

/** One hyperparameter's zod schema, with the sentence a form shows next to the field. */
export function hyperparameterSchema(name: string, spec: HyperparameterSpec): z.ZodNumber {
  const notANumber = `${name} must be a number.`;
  if (spec.type === "integer") {
    const range = `${name} must be a whole number from ${spec.min} to ${spec.max}.`;
    return z.number({ error: notANumber }).int({ error: range }).min(spec.min, { error: range }).max(spec.max, { error: range });
  }
  const lower = spec.gt !== undefined ? `greater than ${spec.gt}` : `at least ${spec.min ?? 0}`;
  const message = `${name} must be ${lower} and at most ${spec.max}.`;
  const base = z.number({ error: notANumber });
  const bounded = spec.gt !== undefined ? base.gt(spec.gt, { error: message }) : base.min(spec.min ?? 0, { error: message });
  return bounded.max(spec.max, { error: message });
}

/** Strict, so a typo ("n_estimator") is an error rather than a silently ignored setting; missing values get defaults. */
export function hyperparametersSchema(specs: HyperparameterSpecs) {
  return z.strictObject(
    Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, hyperparameterSchema(name, spec).default(spec.default)])),
  );
}

/** One hyperparameter as a form needs it: plain data, safe to hand to a client component. */
export interface HyperparameterField {
  name: string;
  help: string;
  default: number;
  integer: boolean;
  min: number | null;
  max: number | null;
  /** True when the value must be strictly above `min` (e.g. a share that cannot be 0). */
  minExclusive: boolean;
}

export function hyperparameterField(name: string, spec: HyperparameterSpec): HyperparameterField {
  const exclusive = spec.type === "number" && spec.gt !== undefined;
  return {
    name,
    help: spec.help,
    default: spec.default,
    integer: spec.type === "integer",
    min: spec.type === "integer" ? spec.min : exclusive ? (spec.gt as number) : (spec.min ?? 0),
    max: spec.max,
    minExclusive: exclusive,
  };
}
