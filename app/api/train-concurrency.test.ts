import { beforeAll, describe, expect, it } from "vitest";
import { createEnsemble, requestEnsembleTraining } from "@/lib/ensemble/service";
import { useTestEnv } from "@/lib/testing/env";
import { asRole, requestWith } from "@/lib/testing/identities";
import { saveSyntheticDataset } from "@/lib/testing/fixtures";
import { createModelConfig, requestTraining } from "@/lib/training/service";
import { trainModel } from "@/lib/training/train";
import { Job } from "@/models/Job";
import { POST as trainEnsembleRoute } from "./ensembles/[id]/train/route";
import { POST as trainModelRoute } from "./models/[id]/train/route";

// 20 requests to train one target arrive at once: exactly one is queued (202),
// every other one is refused (409) and exactly one job exists. FerretDB applies
// filtered updates non-atomically, so only an insert under a unique key can
// decide this; each trial uses a fresh target.
useTestEnv();

const CONCURRENT = 20;
const TRIALS = 5;
let datasetPath = "";
let metaPath = "";
let baseIds: string[] = [];
let serial = 0;
let req: ReturnType<typeof requestWith>;

beforeAll(async () => {
  req = requestWith(await asRole("editor"));
  datasetPath = (await saveSyntheticDataset("race-base", 200, 1)).path;
  metaPath = (await saveSyntheticDataset("race-meta", 200, 2)).path;
  for (const features of [["f1", "f2"], ["f3", "f4"]]) {
    const m = await createModelConfig({ name: `race-base-${features[0]}`, algorithm: "logistic_regression", features, target: "label", training_csv: datasetPath });
    await trainModel(m.id);
    baseIds.push(m.id);
  }
});

async function freshModel(): Promise<string> {
  serial += 1;
  return (await createModelConfig({ name: `race-${serial}`, algorithm: "logistic_regression", features: ["f1", "f2"], target: "label", training_csv: datasetPath })).id;
}

async function freshEnsemble(): Promise<string> {
  serial += 1;
  return (await createEnsemble({ name: `race-ens-${serial}`, base_model_ids: baseIds, meta_training_csv: metaPath })).id;
}

/** Settles `n` concurrent calls; counts how many succeeded and returns every failure's name. */
async function race(n: number, call: () => Promise<unknown>): Promise<{ ok: number; errors: string[] }> {
  const settled = await Promise.allSettled(Array.from({ length: n }, call));
  return {
    ok: settled.filter((s) => s.status === "fulfilled").length,
    errors: settled.flatMap((s) => (s.status === "rejected" ? [(s.reason as Error).name] : [])),
  };
}

const post = () => req("http://test", { method: "POST" });
const ctx = (id: string) => ({ params: Promise.resolve({ id }) });

async function statusCounts(responses: Response[]): Promise<Record<number, number>> {
  const counts: Record<number, number> = {};
  for (const r of responses) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

describe(`${CONCURRENT} concurrent train requests on one target`, () => {
  it("queue exactly one model training (lib), in every trial", async () => {
    for (let t = 0; t < TRIALS; t++) {
      const id = await freshModel();
      const out = await race(CONCURRENT, () => requestTraining(id));
      expect(out, `trial ${t}`).toEqual({ ok: 1, errors: Array(CONCURRENT - 1).fill("ConflictError") });
      expect(await Job.countDocuments({ target_id: id })).toBe(1);
    }
  });

  it("queue exactly one ensemble build (lib), in every trial", async () => {
    for (let t = 0; t < TRIALS; t++) {
      const id = await freshEnsemble();
      const out = await race(CONCURRENT, () => requestEnsembleTraining(id));
      expect(out, `trial ${t}`).toEqual({ ok: 1, errors: Array(CONCURRENT - 1).fill("ConflictError") });
      expect(await Job.countDocuments({ target_id: id })).toBe(1);
    }
  });

  it("answer one 202 and nineteen 409s through the route handlers, for models and ensembles", async () => {
    for (let t = 0; t < TRIALS; t++) {
      const model = await freshModel();
      const ensemble = await freshEnsemble();
      const [m, e] = await Promise.all([
        Promise.all(Array.from({ length: CONCURRENT }, () => trainModelRoute(post(), ctx(model)))),
        Promise.all(Array.from({ length: CONCURRENT }, () => trainEnsembleRoute(post(), ctx(ensemble)))),
      ]);
      expect(await statusCounts(m), `model trial ${t}`).toEqual({ 202: 1, 409: CONCURRENT - 1 });
      expect(await statusCounts(e), `ensemble trial ${t}`).toEqual({ 202: 1, 409: CONCURRENT - 1 });
      expect(await Job.countDocuments({ target_id: { $in: [model, ensemble] } })).toBe(2);
    }
  });
});
