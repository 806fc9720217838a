import fs from "node:fs";
import path from "node:path";
import mongoose from "mongoose";
import { beforeAll, describe, expect, it } from "vitest";
import { cancelJob } from "@/lib/jobs/cancel";
import { getJob } from "@/lib/jobs/queue";
import { runNextJob, type JobHandlers } from "@/lib/jobs/runner";
import { startWorker } from "@/lib/jobs/worker";
import { useTestEnv } from "@/lib/testing/env";
import { saveSyntheticDataset, trainingRunsOf } from "@/lib/testing/fixtures";
import { createModelConfig, deleteModel, requestTraining, updateModelConfig } from "@/lib/training/service";
import { trainModel } from "@/lib/training/train";
import { Ensemble } from "@/models/Ensemble";
import { Lock } from "@/models/Lock";
import { ModelConfig } from "@/models/ModelConfig";
import { jobHandlers } from "@/scripts/job-handlers";
import { buildEnsemble } from "./build";
import { createEnsemble, requestEnsembleTraining } from "./service";
import { readRunHistory } from "./runs";

// An ensemble build that has to retrain a base model (its artifacts are
// unusable) writes that model's document and files, so it takes the model's
// lock under its own job id, exactly as a train request would.
const env = useTestEnv();

let baseCsv = "";
let metaCsv = "";
let serial = 0;

beforeAll(async () => {
  baseCsv = (await saveSyntheticDataset("lock-base", 1200, 3)).path;
  metaCsv = (await saveSyntheticDataset("lock-meta", 300, 4)).path;
});

/**
 * Two trained base models (the first one a small forest) and an ensemble over
 * them; the forest's model file is then deleted, so a build retrains it, with
 * `retrainWith` when given.
 */
async function ensembleNeedingRetrain(retrainWith?: Record<string, number | string>) {
  serial += 1;
  const small = { n_estimators: 6, max_depth: 4, max_samples: 120 };
  const rf = await createModelConfig({ name: `slow-rf-${serial}`, algorithm: "random_forest", hyperparameters: small, features: ["f1", "f2", "f3"], target: "label", training_csv: baseCsv });
  const lr = await createModelConfig({ name: `slow-lr-${serial}`, algorithm: "logistic_regression", features: ["f3", "f4"], target: "label", training_csv: baseCsv });
  await trainModel(rf.id);
  await trainModel(lr.id);
  if (retrainWith) await updateModelConfig(rf.id, { hyperparameters: retrainWith });
  const ens = await createEnsemble({ name: `slow-stack-${serial}`, base_model_ids: [rf.id, lr.id], meta_training_csv: metaCsv });
  const doc = (await ModelConfig.findById(rf.id).lean())!;
  fs.unlinkSync(path.join(env.artifactDir, doc.model_artifact_path!));
  return { rf, lr, ens, runId: doc.run_id };
}

describe("an ensemble build's slow path", () => {
  it("retrains a base model under the build's job lock, and releases it", async () => {
    const { rf, ens } = await ensembleNeedingRetrain();
    const job = await requestEnsembleTraining(ens.id);
    const lockOwnersDuringRetrain = new Set<string>();
    const handlers: JobHandlers = {
      ...jobHandlers,
      train_ensemble: (id, ctx) =>
        jobHandlers.train_ensemble(id, {
          ...ctx,
          async progress(f, m) {
            if (m?.startsWith("retraining base model 1")) {
              for (const l of await Lock.find({ target_id: rf.id }).lean()) lockOwnersDuringRetrain.add(l.owner);
            }
            return ctx.progress(f, m);
          },
        }),
    };
    expect(await runNextJob(handlers)).toBe(job.id);
    expect((await getJob(job.id)).status).toBe("succeeded");
    expect([...lockOwnersDuringRetrain]).toEqual([job.id]);
    expect((await readRunHistory((await Ensemble.findById(ens.id).lean())!)).at(-1)?.base.map((b) => b.source)).toEqual(["retrained", "artifact"]);
    expect(await Lock.countDocuments({})).toBe(0);
  });

  it("fails naming the model when another job holds it, and retrains nothing", async () => {
    const { rf, lr, ens } = await ensembleNeedingRetrain();
    const other = await requestTraining(rf.id);
    const runsBefore = await trainingRunsOf([rf.id, lr.id]);
    await expect(buildEnsemble(ens.id)).rejects.toThrow(new RegExp(`Base model "${rf.name}" has to be retrained .* another job is training or changing it`));
    expect(await trainingRunsOf([rf.id, lr.id])).toEqual(runsBefore);
    // The other job still holds its model, and runs.
    expect((await Lock.findOne({ target_id: rf.id }).lean())?.owner).toBe(other.id);
    expect(await runNextJob(jobHandlers)).toBe(other.id);
    expect(await Lock.countDocuments({})).toBe(0);
  });

  it("puts the base model back as it was when the build is cancelled during the retrain", async () => {
    // About half a minute of trees with the library's O(rows^2) learner: long enough to cancel in the middle.
    const { rf, ens, runId } = await ensembleNeedingRetrain({ n_estimators: 300, max_depth: 8, max_samples: 800, engine: "ml-random-forest" });
    const worker = await startWorker({ handlers: jobHandlers, pollMs: 100 });
    try {
      const job = await requestEnsembleTraining(ens.id);
      const deadline = Date.now() + 30_000;
      while (!(await getJob(job.id)).message.startsWith("retraining base model 1") || (await getJob(job.id)).progress < 0.05) {
        if (Date.now() > deadline) throw new Error("the retrain never started");
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await ModelConfig.findById(rf.id).lean())?.status).toBe("training");
      await cancelJob(job.id);
      while ((await getJob(job.id)).status === "running") {
        if (Date.now() > deadline + 10_000) throw new Error("the cancel was not honoured");
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await getJob(job.id)).status).toBe("cancelled");
      expect(await ModelConfig.findById(rf.id).lean()).toMatchObject({ status: "trained", run_id: runId });
      expect((await Ensemble.findById(ens.id).lean())?.status).toBe("untrained");
      expect(await Lock.countDocuments({})).toBe(0);
      // Nothing holds the model any more: it can be changed and deleted.
      await updateModelConfig(rf.id, { seed: 11 });
      await Ensemble.deleteOne({ _id: new mongoose.Types.ObjectId(ens.id) });
      await deleteModel(rf.id);
    } finally {
      await worker.stop();
    }
  });
});
