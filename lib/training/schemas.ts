import { z } from "zod";
import { algorithmSchema } from "@/lib/ml/algorithms";
import { seedSchema } from "@/lib/ml/random";
import { CALIBRATIONS } from "@/lib/ml/pipeline";

const featureName = z.string().trim().min(1, "empty feature name").max(100);

const configFields = z.object({
  name: z.string().trim().min(1, "give the model a name").max(100, "use at most 100 characters"),
  algorithm: algorithmSchema,
  hyperparameters: z.record(z.string(), z.unknown()),
  features: z.array(featureName).min(1, "choose at least one feature").max(200, "at most 200 features"),
  target: z.string().trim().min(1, "choose the target column").max(100),
  training_csv: z.string().trim().min(1, "choose a dataset").max(300),
  calibration: z.enum(CALIBRATIONS),
  seed: seedSchema.unwrap(),
});

/** What a person or script may send to create a model config; what is left out gets its default. */
export const ModelConfigInput = configFields
  .extend({ hyperparameters: configFields.shape.hyperparameters.default({}), calibration: configFields.shape.calibration.default("none"), seed: seedSchema })
  .strict();

export type ModelConfigInput = z.infer<typeof ModelConfigInput>;

/** PATCH: any subset, and nothing else changes (no defaults here); the artifact fields are never writable through the API. */
export const ModelConfigPatch = configFields.partial().strict();
export type ModelConfigPatch = z.infer<typeof ModelConfigPatch>;
