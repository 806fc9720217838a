import { beforeAll, describe, expect, it } from "vitest";
import { useTestEnv } from "@/lib/testing/env";
import { asRole } from "@/lib/testing/identities";
import { saveSyntheticDataset } from "@/lib/testing/fixtures";
import { expectNoServerDetails } from "@/lib/testing/leaks";
import { ModelConfig } from "@/models/ModelConfig";
import { errorResponse } from "./_lib/respond";
import { POST as postEnsemble } from "./ensembles/route";
import { GET as getModel } from "./models/[id]/route";
import { POST as postModel } from "./models/route";

const env = useTestEnv();

let editor: Record<string, string> = {};
beforeAll(async () => {
  editor = await asRole("editor");
});

const post = (handler: typeof postModel, body: unknown) =>
  handler(new Request("http://test/api", { method: "POST", headers: { ...editor, "content-type": "application/json" }, body: JSON.stringify(body) }), undefined as never);

describe("error bodies name no server folder and carry no stack", () => {
  it("dataset paths the filesystem rejects (too long, through a file) are fixed sentences", async () => {
    const ds = await saveSyntheticDataset("leak-data", 60);
    const model = { name: "leak", algorithm: "logistic_regression", features: ["f1"], target: "label" };
    for (const training_csv of [`${"n".repeat(256)}.csv`, `${ds.path}/inner.csv`]) {
      const res = await post(postModel, { ...model, training_csv });
      const text = await res.text();
      expect(res.status, text).toBe(400);
      expect(Object.keys(JSON.parse(text).fields)).toEqual(["training_csv"]);
      expectNoServerDetails(text, [env.dataDir]);
    }
    const ensemble = { name: "leak-stack", base_model_ids: ["0123456789abcdef01234567", "0123456789abcdef01234568"] };
    const res = await post(postEnsemble, { ...ensemble, meta_training_csv: `${ds.path}/inner.csv` });
    expectNoServerDetails(await res.text(), [env.dataDir]);
  });

  it("an artifact that cannot be read is shown with a fixed reason", async () => {
    const ds = await saveSyntheticDataset("leak-artifacts", 60);
    const res = await post(postModel, { name: "leak-art", algorithm: "logistic_regression", features: ["f1"], target: "label", training_csv: ds.path });
    const { id } = await res.json();
    await ModelConfig.updateOne({ _id: id }, { $set: { model_artifact_path: `${"x".repeat(300)}_model.json`, run_id: "r" } });
    const view = await getModel(new Request("http://test", { headers: editor }), { params: Promise.resolve({ id }) });
    const text = await view.text();
    expect(view.status).toBe(200);
    const body = JSON.parse(text);
    expect(body.artifacts.model).toMatchObject({ status: "corrupt", reason: "it cannot be read; the server log says why" });
    expectNoServerDetails(text, [env.artifactDir]);
  });

  it("an unplanned error is a generic sentence, whatever status and stack it carries", async () => {
    const failure = Object.assign(new Error(`EIO: i/o error, read '${env.dataDir}/x.csv'`), { status: 502 });
    const res = errorResponse(failure);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text).error).toBe("Something went wrong on the server; the error was logged.");
    expectNoServerDetails(text, [env.dataDir]);
    const client = Object.assign(new Error("Bad body.\n    at parse (/srv/app/x.js:1:1)"), { status: 400 });
    const answer = errorResponse(client);
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({ error: "Bad body." });
  });
});
