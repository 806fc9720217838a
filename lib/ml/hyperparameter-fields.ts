import type { z } from "zod";
import { ALGORITHMS, HYPERPARAMETER_SCHEMAS, type Algorithm } from "@/lib/ml/algorithms";

/** One hyperparameter as a form needs it: read from the schema, so forms never repeat ranges or defaults. */
export interface HyperparameterField {
  name: string;
  default: number;
  integer: boolean;
  min: number | null;
  max: number | null;
  /** True when the value must be strictly above `min` (e.g. a share that cannot be 0). */
  minExclusive: boolean;
}

interface NumberLike {
  minValue: number | null;
  maxValue: number | null;
  isInt: boolean;
  _zod: { def: { checks?: Array<{ _zod: { def: { check?: string; inclusive?: boolean } } }> } };
}

function describeField(name: string, schema: z.ZodType): HyperparameterField {
  const withDefault = schema as unknown as { unwrap(): NumberLike; def: { defaultValue: unknown } };
  const inner = withDefault.unwrap();
  const fallback = withDefault.def.defaultValue;
  return {
    name,
    default: typeof fallback === "number" ? fallback : 0,
    integer: inner.isInt,
    min: Number.isFinite(inner.minValue) ? inner.minValue : null,
    max: Number.isFinite(inner.maxValue) ? inner.maxValue : null,
    minExclusive: (inner._zod.def.checks ?? []).some((c) => c._zod.def.check === "greater_than" && c._zod.def.inclusive === false),
  };
}

export function hyperparameterFields(algorithm: Algorithm): HyperparameterField[] {
  const shape = HYPERPARAMETER_SCHEMAS[algorithm].shape as Record<string, z.ZodType>;
  return Object.entries(shape).map(([name, schema]) => describeField(name, schema));
}

export function allHyperparameterFields(): Record<Algorithm, HyperparameterField[]> {
  return Object.fromEntries(ALGORITHMS.map((a) => [a, hyperparameterFields(a)])) as Record<Algorithm, HyperparameterField[]>;
}
