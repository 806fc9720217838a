import { defaultArtifactStore, verifyArtifact } from "@/lib/artifacts";
import { hasDataset, removeDataset } from "@/lib/datasets";
import { connectDb } from "@/lib/db";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { Ensemble } from "@/models/Ensemble";
import { ModelConfig } from "@/models/ModelConfig";
import { artifactRefs } from "./artifact-refs";

function names(docs: Array<{ name: string }>): string {
  return docs.map((d) => `"${d.name}"`).join(", ");
}

/**
 * Deletes a dataset unless something trains on it. A model whose dataset is
 * gone can still serve its current version but never be retrained, so the
 * delete is refused (409, naming the models) unless `force`, which is allowed
 * only when every such model's current artifacts verify; those models are then
 * marked not retrainable. An ensemble built from the dataset as its meta
 * training data could not be rebuilt at all, so it always blocks the delete.
 */
export async function deleteDatasetChecked(datasetPath: string, force: boolean): Promise<{ deleted: true; not_retrainable: string[] }> {
  await connectDb();
  // Before the references: a dataset already gone is a 404 whatever still names it, and force must not flag models for it.
  if (!(await hasDataset(datasetPath))) throw new NotFoundError("dataset", datasetPath);
  const [models, ensembles] = await Promise.all([
    ModelConfig.find({ training_csv: datasetPath }).lean(),
    Ensemble.find({ meta_training_csv: datasetPath }, { name: 1 }).lean(),
  ]);
  if (ensembles.length > 0) {
    throw new ConflictError(`The dataset "${datasetPath}" is the meta training data of the ensemble${ensembles.length > 1 ? "s" : ""} ${names(ensembles)}; delete or change ${ensembles.length > 1 ? "them" : "it"} first.`);
  }
  if (models.length > 0 && !force) {
    throw new ConflictError(
      `The dataset "${datasetPath}" trains the model${models.length > 1 ? "s" : ""} ${names(models)}; delete ${models.length > 1 ? "them" : "it"} first, or delete with ?force=true to keep ${models.length > 1 ? "them" : "it"} serving ${models.length > 1 ? "their" : "its"} current version without ever retraining.`,
    );
  }
  const store = defaultArtifactStore();
  for (const m of models) {
    for (const ref of artifactRefs(m)) {
      const check = await verifyArtifact(store, ref);
      if (check.status !== "present") {
        throw new ConflictError(`Model "${m.name}" trains on "${datasetPath}" and its ${ref.kind} artifact is ${check.status}: it would be lost for good. Retrain it first.`);
      }
    }
  }
  // Marked before the file goes: a crash in between leaves models flagged for a dataset that still exists, never the reverse.
  if (models.length > 0) await ModelConfig.updateMany({ _id: { $in: models.map((m) => m._id) } }, { $set: { retrainable: false } });
  await removeDataset(datasetPath);
  return { deleted: true, not_retrainable: models.map((m) => m.name) };
}
