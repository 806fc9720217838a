import type { ArtifactStatus } from "@/lib/artifacts";
import type { Metrics } from "@/lib/ml/metrics";
import type { Calibration } from "@/lib/ml/pipeline";
import type { RunStatus, TargetStatus } from "@/models/statuses";

export interface ArtifactState {
  path: string | null;
  status: ArtifactStatus;
  bytes: number | null;
  sha256: string | null;
  reason?: string;
}

export interface TrainingRunView {
  run_id: string | null;
  started_at: string;
  finished_at: string | null;
  training_ms: number | null;
  status: RunStatus;
  trigger: string;
  metrics: Metrics | null;
  error: string | null;
}

/** The API's JSON for a model config; field names are the product's contract. */
export interface ModelView {
  id: string;
  name: string;
  /** A name in the algorithm registry. */
  algorithm: string;
  hyperparameters: Record<string, unknown>;
  features: string[];
  target: string;
  training_csv: string;
  calibration: Calibration;
  seed: number;
  model_artifact_path: string | null;
  scaler_artifact_path: string | null;
  features_path: string | null;
  run_id: string | null;
  artifacts_saved_at: string | null;
  checksums: { model: string | null; scaler: string | null; features: string | null };
  metrics: Metrics | null;
  training_ms: number | null;
  status: TargetStatus;
  last_error: string | null;
  history: TrainingRunView[];
  created_at: string | null;
  updated_at: string | null;
  artifacts?: { model: ArtifactState; scaler: ArtifactState; features: ArtifactState };
  artifacts_ok?: boolean;
}
