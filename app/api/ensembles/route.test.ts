import { beforeAll, describe, expect, it } from "vitest";
import { runNextJob } from "@/lib/jobs/runner";
import { useTestEnv } from "@/lib/testing/env";
import { asRole, requestWith } from "@/lib/testing/identities";
import { saveSyntheticDataset } from "@/lib/testing/fixtures";
import { createModelConfig } from "@/lib/training/service";
import { trainModel } from "@/lib/training/train";
import { Ensemble } from "@/models/Ensemble";
import { jobHandlers } from "@/scripts/job-handlers";
import { PATCH as patchModel } from "../models/[id]/route";
import { DELETE as deleteEnsemble, GET as getEnsemble } from "./[id]/route";
import { POST as predict } from "./[id]/predict/route";
import { POST as train } from "./[id]/train/route";
import { GET as list, POST as create } from "./route";

useTestEnv();

let req: ReturnType<typeof requestWith>;
beforeAll(async () => {
  // Predict checks the Host itself (the proxy does not run for it), so requests name an allowed one.
  req = requestWith(await asRole("editor", { host: "127.0.0.1" }));
});

const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
const post = (body: unknown) =>
  req("http://test/api/ensembles", { method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });

let ids: string[] = [];
let metaCsv = "";

beforeAll(async () => {
  const base = await saveSyntheticDataset("ens-api-base", 200, 1);
  metaCsv = (await saveSyntheticDataset("ens-api-meta", 200, 2)).path;
  for (const [name, features] of [["api-a", ["f1", "f2"]], ["api-b", ["f3", "f4"]]] as const) {
    const m = await createModelConfig({ name, algorithm: "logistic_regression", features: [...features], target: "label", training_csv: base.path });
    await trainModel(m.id);
    ids.push(m.id);
  }
});

describe("ensembles API", () => {
  it("refuses bad ensembles with field messages and creates nothing", async () => {
    const cases: Array<[unknown, string]> = [
      [{ name: "one", base_model_ids: [ids[0]], meta_training_csv: metaCsv }, "base_model_ids"],
      [{ name: "dup", base_model_ids: [ids[0], ids[0]], meta_training_csv: metaCsv }, "base_model_ids"],
      [{ name: "ghost", base_model_ids: [ids[0], "0123456789abcdef01234567"], meta_training_csv: metaCsv }, "base_model_ids"],
      [{ name: "escape", base_model_ids: ids, meta_training_csv: "../../etc/hosts" }, "meta_training_csv"],
      [{ name: "meta", base_model_ids: ids, meta_training_csv: metaCsv, meta_model_type: "svm" }, "meta_model_type"],
      [{ name: "extra", base_model_ids: ids, meta_training_csv: metaCsv, run_id: "x" }, "_"],
    ];
    for (const [body, field] of cases) {
      const res = await create(post(body), undefined as never);
      const out = await res.json();
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(Object.keys(out.fields ?? {}).join(","), JSON.stringify(out)).toContain(field);
    }
    const huge = await create(post({ name: "x".repeat(2 * 1024 * 1024), base_model_ids: ids, meta_training_csv: metaCsv }), undefined as never);
    expect(huge.status).toBe(413);
    expect(await Ensemble.countDocuments()).toBe(0);
  });

  it("creates, queues a build (202 then 409), serves predictions once built and refuses them when stale", async () => {
    const res = await create(post({ name: "api-stack", base_model_ids: ids, meta_training_csv: metaCsv }), undefined as never);
    expect(res.status).toBe(201);
    const ens = await res.json();
    expect(ens).toMatchObject({ name: "api-stack", status: "untrained", stale: false, runs: [] });

    const rows = { rows: [{ f1: 0.2, f2: -0.1, f3: 5, f4: 0.3 }] };
    const early = await predict(post(rows), ctx(ens.id));
    expect(early.status).toBe(409);

    const queued = await train(req("http://test", { method: "POST" }), ctx(ens.id));
    expect(queued.status).toBe(202);
    expect((await train(req("http://test", { method: "POST" }), ctx(ens.id))).status).toBe(409);

    expect(await runNextJob(jobHandlers)).toBe((await queued.json()).job_id);
    const ok = await predict(post(rows), ctx(ens.id));
    expect(ok.status).toBe(200);
    const { probabilities } = await ok.json();
    expect(probabilities).toHaveLength(1);
    expect(probabilities[0]).toBeGreaterThan(0);
    expect(probabilities[0]).toBeLessThan(1);

    const missingFeature = await predict(post({ rows: [{ f1: 1 }] }), ctx(ens.id));
    expect(missingFeature.status).toBe(400);

    const view = await (await getEnsemble(req("http://test"), ctx(ens.id))).json();
    expect(view.runs[0].base.map((b: { source: string }) => b.source)).toEqual(["artifact", "artifact"]);

    // PATCH does not touch artifacts; a retrain does, and makes the ensemble stale.
    const patched = await patchModel(
      req("http://test", { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ hyperparameters: { l2: 0.01 } }) }),
      ctx(ids[0]),
    );
    expect(patched.status).toBe(200);
    expect((await patched.json()).hyperparameters.l2).toBe(0.01);
    const badPatch = await patchModel(
      req("http://test", { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ run_id: "forged" }) }),
      ctx(ids[0]),
    );
    expect(badPatch.status).toBe(400);
    await trainModel(ids[0]);
    const stale = await predict(post(rows), ctx(ens.id));
    expect(stale.status).toBe(409);
    expect((await stale.json()).error).toMatch(/stale.*Rebuild/s);
    const listed = await (await list(req("http://test"), undefined as never)).json();
    expect(listed.ensembles[0].stale).toBe(true);

    expect((await deleteEnsemble(req("http://test", { method: "DELETE" }), ctx(ens.id))).status).toBe(200);
    expect((await getEnsemble(req("http://test"), ctx(ens.id))).status).toBe(404);
  });
});
