import type { Metrics } from "@/lib/ml/metrics";
import type { RunStatus, TargetStatus } from "@/models/statuses";

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
  status: RunStatus;
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
  /** A name in the algorithm registry. */
  meta_model_type: string;
  meta_training_csv: string;
  target: string;
  seed: number;
  run_id: string | null;
  meta_model_artifact_path: string | null;
  manifest_artifact_path: string | null;
  artifacts_saved_at: string | null;
  checksums: { meta_model: string | null; manifest: string | null };
  manifest: Array<{ model_id: string; run_id: string }>;
  status: TargetStatus;
  last_error: string | null;
  /** A base model was retrained (or deleted) since this ensemble was built. */
  stale: boolean;
  stale_models: Array<{ model_id: string; name: string | null; built_with: string; now: string | null }>;
  runs: EnsembleRunView[];
  created_at: string | null;
  updated_at: string | null;
}
