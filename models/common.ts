import mongoose, { Schema, type Model } from "mongoose";

/** The metrics every recorded run stores (see lib/ml/metrics.ts). */
export const metricsSchema = new Schema(
  { accuracy: Number, log_loss: Number, brier: Number, auc: Number, n: Number },
  { _id: false },
);

/** One compiled model per name, reused when Next.js hot reload or a second import evaluates the file again. */
export function defineModel<T>(name: string, schema: Schema): Model<T> {
  // Typed through unknown: letting the compiler infer mongoose.model's overloads from a generic schema exhausts its memory.
  return (mongoose.models[name] ?? mongoose.model(name, schema)) as unknown as Model<T>;
}
