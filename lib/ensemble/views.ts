import type { Metrics } from "@/lib/ml/metrics";

export interface BaseTimingView {
  model_id: string;
  model_name: string | null;
  run_id: string | null;
  source: "artifact" | "retrained";
  ms: number;
  note: string | null;
  metrics: Metrics | null;
}

export interface EnsembleRunView {
  run_id: string | null;
  started_at: string;
  total_ms: number | null;
  meta_ms: number | null;
  status: "succeeded" | "failed";
  error: string | null;
  metrics: Metrics | null;
  base: BaseTimingView[];
}

/** The API's JSON for an ensemble. */
export interface EnsembleView {
  id: string;
  name: string;
  base_model_ids: string[];
  base_models: Array<{ id: string; name: string | null; run_id: string | null; exists: boolean; training_ms: number | null }>;
  meta_model_type: "logistic_regression" | "random_forest";
  meta_training_csv: string;
  target: string;
  seed: number;
  run_id: string | null;
  meta_model_artifact_path: string | null;
  manifest_artifact_path: string | null;
  artifacts_saved_at: string | null;
  checksums: { meta_model: string | null; manifest: string | null };
  manifest: Array<{ model_id: string; run_id: string }>;
  status: "untrained" | "queued" | "training" | "trained" | "failed";
  last_error: string | null;
  /** A base model was retrained (or deleted) since this ensemble was built. */
  stale: boolean;
  stale_models: Array<{ model_id: string; name: string | null; built_with: string; now: string | null }>;
  runs: EnsembleRunView[];
  created_at: string | null;
  updated_at: string | null;
}
