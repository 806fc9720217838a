import { z } from "zod";
import type { Estimator } from "./types";

/**
 * How an algorithm declares itself: its hyperparameters as data (type, range
 * or options, default, help), a factory, a state schema and a restore function.
 * The registry derives everything else from this (zod schemas for API bodies,
 * form fields, defaults, training-time estimates), after scikit-learn's
 * `_parameter_constraints`: constraints are data, not code.
 */

interface Described<T> {
  default: T;
  /** One sentence for the form, next to the field (which is labelled with the name itself). */
  help: string;
  /**
   * What models saved before this hyperparameter existed (or before its default
   * changed) were trained with. Restoring a saved model whose settings lack the
   * name records this rather than `default`, so its settings stay true; new
   * configs always get `default`.
   */
  legacy?: T;
}

export type HyperparameterSpec =
  | (Described<number> & { type: "integer"; min: number; max: number })
  /** `gt` is an exclusive lower bound (a share that cannot be 0); `min` an inclusive one. */
  | (Described<number> & { type: "number"; min?: number; gt?: number; max: number })
  /** One of a few named values; names, never numerals, so form text is never mistaken for a number. */
  | (Described<string> & { type: "choice"; options: readonly string[] });

export type HyperparameterSpecs = Record<string, HyperparameterSpec>;

/** A hyperparameter's value as stored in configs and artifacts. */
export type HyperparameterValue = number | string;

/** The value one spec admits: one of its options for a choice, else a number (distributes over a union of specs). */
type ValueOf<P> = P extends { type: "choice"; options: readonly (infer O)[] } ? O : number;

/** The hyperparameter values an algorithm receives: every declared name, a number or one of its options. */
export type HyperparameterValues<S extends HyperparameterSpecs> = { [K in keyof S]: ValueOf<S[K]> };

export interface AlgorithmDefinition<S extends HyperparameterSpecs = HyperparameterSpecs, State = unknown> {
  /** Stored in documents and artifacts: never rename one that has been released. */
  name: string;
  label: string;
  description: string;
  hyperparameters: S;
  /**
   * Rules between hyperparameters that one field's range cannot state: a
   * message per offending name, or nothing when the combination is fine.
   */
  checkCombination?(hyperparameters: HyperparameterValues<S>): Partial<Record<keyof S & string, string>> | undefined;
  create(hyperparameters: HyperparameterValues<S>, seed: number): Estimator<State>;
  stateSchema: z.ZodType<State>;
  /** Rebuilds a fitted estimator from a state that has passed `stateSchema`; throws InvalidModelStateError on what the schema cannot check. */
  restore(hyperparameters: HyperparameterValues<S>, seed: number, state: State): Estimator<State>;
  /** What grows the model, recorded with every version (numbers can change when it does); the app itself when omitted. */
  learner?(hyperparameters: HyperparameterValues<S>): string;
  /** Rough CPU seconds to fit on rows x features, for warnings and limits; never a promise. */
  estimateSeconds(hyperparameters: HyperparameterValues<S>, rows: number, features: number): number;
}

const OPTION_NAME = /^[a-z][a-z0-9_-]{0,39}$/;

/** Identity with inference: lets an algorithm module state its specs once and get typed values back. */
export function defineAlgorithm<S extends HyperparameterSpecs, State>(definition: AlgorithmDefinition<S, State>): AlgorithmDefinition<S, State> {
  for (const [name, spec] of Object.entries(definition.hyperparameters)) {
    if (spec.type === "choice") {
      const bad = spec.options.find((o) => !OPTION_NAME.test(o));
      if (spec.options.length === 0 || bad !== undefined) {
        throw new Error(`${definition.name}.${name} needs one or more options named in lowercase (a letter first), got "${bad ?? ""}".`);
      }
    }
    for (const [which, value] of [["default", spec.default], ["legacy", spec.legacy]] as const) {
      if (value !== undefined && !hyperparameterSchema(name, spec).safeParse(value).success) {
        throw new Error(`The ${which} of ${definition.name}.${name} (${value}) is outside its own range.`);
      }
    }
  }
  return definition;
}

/** One hyperparameter's zod schema, with the sentence a form shows next to the field. */
export function hyperparameterSchema(name: string, spec: HyperparameterSpec): z.ZodType<HyperparameterValue> {
  if (spec.type === "choice") {
    const message = `${name} must be one of: ${spec.options.join(", ")}.`;
    return z.enum(spec.options as [string, ...string[]], { error: message });
  }
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

type HyperparametersSchema = z.ZodObject<Record<string, z.ZodDefault<z.ZodType<HyperparameterValue>>>, z.core.$strict>;
const builtSchemas = new WeakMap<HyperparameterSpecs, { current?: HyperparametersSchema; saved?: HyperparametersSchema }>();

/**
 * Strict, so a typo ("n_estimator") is an error rather than a silently ignored
 * setting; missing values get defaults, or with `saved` the values models saved
 * before the name existed were trained with.
 */
export function hyperparametersSchema(specs: HyperparameterSpecs, { saved = false }: { saved?: boolean } = {}) {
  // Built once per specs object: zod compiles a schema on its first parse, and loading or creating a classifier asks every time.
  let built = builtSchemas.get(specs);
  if (!built) {
    built = {};
    builtSchemas.set(specs, built);
  }
  return (built[saved ? "saved" : "current"] ??= z.strictObject(
    Object.fromEntries(
      Object.entries(specs).map(([name, spec]) => [name, hyperparameterSchema(name, spec).default((saved ? spec.legacy : undefined) ?? spec.default)]),
    ),
  ));
}

interface FieldBase {
  name: string;
  help: string;
}

/** One hyperparameter as a form needs it: plain data, safe to hand to a client component. */
export type HyperparameterField =
  | (FieldBase & {
      kind: "number";
      default: number;
      integer: boolean;
      min: number | null;
      max: number | null;
      /** True when the value must be strictly above `min` (e.g. a share that cannot be 0). */
      minExclusive: boolean;
    })
  | (FieldBase & { kind: "choice"; default: string; options: string[] });

export function hyperparameterField(name: string, spec: HyperparameterSpec): HyperparameterField {
  if (spec.type === "choice") return { kind: "choice", name, help: spec.help, default: spec.default, options: [...spec.options] };
  const exclusive = spec.type === "number" && spec.gt !== undefined;
  return {
    kind: "number",
    name,
    help: spec.help,
    default: spec.default,
    integer: spec.type === "integer",
    min: spec.type === "integer" ? spec.min : exclusive ? (spec.gt as number) : (spec.min ?? 0),
    max: spec.max,
    minExclusive: exclusive,
  };
}
