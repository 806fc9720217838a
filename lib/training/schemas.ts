import { z } from "zod";
import { ALGORITHMS, CALIBRATIONS } from "@/models/ModelConfig";

const featureName = z.string().trim().min(1, "empty feature name").max(100);

/** What a person or script may send to create a model config. */
export const ModelConfigInput = z
  .object({
    name: z.string().trim().min(1, "give the model a name").max(100, "use at most 100 characters"),
    algorithm: z.enum(ALGORITHMS, { message: `choose one of: ${ALGORITHMS.join(", ")}` }),
    hyperparameters: z.record(z.string(), z.unknown()).default({}),
    features: z.array(featureName).min(1, "choose at least one feature").max(200, "at most 200 features"),
    target: z.string().trim().min(1, "choose the target column").max(100),
    training_csv: z.string().trim().min(1, "choose a dataset").max(300),
    calibration: z.enum(CALIBRATIONS).default("none"),
    seed: z.coerce.number().int("a whole number").min(0).max(2 ** 31 - 1).default(42),
  })
  .strict();

export type ModelConfigInput = z.infer<typeof ModelConfigInput>;

/** PATCH: any subset; the artifact fields are never writable through the API. */
export const ModelConfigPatch = ModelConfigInput.partial().strict();
export type ModelConfigPatch = z.infer<typeof ModelConfigPatch>;

export const PredictInput = z
  .object({
    rows: z
      .array(z.record(z.string(), z.number({ message: "must be a number" }).finite("must be finite")))
      .min(1, "send at least one row")
      .max(10_000, "at most 10,000 rows per request"),
  })
  .strict();
