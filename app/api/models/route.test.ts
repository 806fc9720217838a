import fs from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { resetConfigForTests } from "@/lib/config";
import { useTestEnv } from "@/lib/testing/env";
import { asRole, requestWith } from "@/lib/testing/identities";
import { syntheticCsv } from "@/lib/ml/synthetic";
import { Dataset } from "@/models/Dataset";
import { ModelConfig } from "@/models/ModelConfig";
import { GET as getDatasets, POST as postDataset } from "../datasets/route";
import { DELETE as deleteModel, GET as getModel } from "./[id]/route";
import { POST as trainModel } from "./[id]/train/route";
import { unstable_doesMiddlewareMatch } from "next/experimental/testing/server";
import { config as proxyConfig } from "@/proxy";
import { POST as predictEnsemble } from "../ensembles/[id]/predict/route";
import { POST as predict } from "./[id]/predict/route";
import { POST as cancelJob } from "../jobs/[id]/cancel/route";
import { GET as listModels, POST as postModel } from "./route";

const env = useTestEnv();

let req: ReturnType<typeof requestWith>;
beforeAll(async () => {
  // Uploads check the Host themselves (the proxy does not run for them), so requests name an allowed one.
  req = requestWith(await asRole("editor", { host: "127.0.0.1" }));
});

const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
const jsonReq = (body: unknown, method = "POST") =>
  req("http://test/api/models", { method, headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });
const csvReq = (text: string, name: string) =>
  req(`http://test/api/datasets?name=${encodeURIComponent(name)}`, { method: "POST", headers: { "content-type": "text/csv" }, body: text });

async function upload(name: string, text: string) {
  return postDataset(csvReq(text, name), undefined as never);
}

const base = { name: "api-model", algorithm: "logistic_regression", features: ["f1", "f2"], target: "label" };

describe("datasets API", () => {
  it("stores a CSV and lists it", async () => {
    const res = await upload("api-data", syntheticCsv(100));
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ path: "api-data.csv", columns: ["f1", "f2", "f3", "f4", "label"], rows: 100 });
    const list = await (await getDatasets(req("http://test/api/datasets"), undefined as never)).json();
    expect(list.datasets.map((d: { path: string }) => d.path)).toContain("api-data.csv");
  });

  it("takes a multipart upload (field file, optional name) and refuses one without a file", async () => {
    const form = new FormData();
    form.set("file", new File([syntheticCsv(60, 9)], "from-browser.csv", { type: "text/csv" }));
    const res = await postDataset(req("http://test/api/datasets", { method: "POST", body: form }), undefined as never);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ path: "from-browser.csv", rows: 60 });
    const named = new FormData();
    named.set("name", "renamed");
    named.set("file", new File([syntheticCsv(30, 9)], "whatever.csv"));
    expect(await (await postDataset(req("http://test/api/datasets", { method: "POST", body: named }), undefined as never)).json()).toMatchObject({ path: "renamed.csv" });
    const none = new FormData();
    none.set("name", "nothing");
    const missing = await postDataset(req("http://test/api/datasets", { method: "POST", body: none }), undefined as never);
    expect(missing.status).toBe(400);
    expect((await missing.json()).fields.file).toBeDefined();
  });

  it("refuses an empty file, a hostile name and an oversized upload, writing nothing", async () => {
    const before = fs.readdirSync(env.dataDir).length;
    const empty = await upload("empty", "");
    expect(empty.status).toBe(400);
    expect((await empty.json()).fields.file).toBeDefined();
    const hostile = await upload("../../etc/evil", "a,b\n1,2\n");
    expect(hostile.status).toBe(400);
    expect((await hostile.json()).fields.name).toBeDefined();
    process.env.MAX_UPLOAD_BYTES = "1000";
    resetConfigForTests();
    try {
      const big = await upload("big", syntheticCsv(200));
      expect(big.status).toBe(413);
    } finally {
      delete process.env.MAX_UPLOAD_BYTES;
      resetConfigForTests();
    }
    expect(fs.readdirSync(env.dataDir).length).toBe(before);
    expect(await Dataset.countDocuments({ path: { $in: ["empty.csv", "big.csv"] } })).toBe(0);
  });
});

describe("models API", () => {
  it("refuses bad configs with field-level messages and writes nothing", async () => {
    await upload("api-bad", syntheticCsv(100));
    await upload("api-text", "f1,f2,label\n1,2,1\n3,oops,0\n" + "1,2,0\n".repeat(30));
    await upload("api-multi", "f1,f2,label\n" + Array.from({ length: 40 }, (_, i) => `${i},${i * 2},${i % 3}`).join("\n"));
    const cases: Array<[unknown, string]> = [
      [{ ...base, training_csv: "api-bad.csv", features: ["f1", "nope"] }, "features"],
      [{ ...base, training_csv: "api-bad.csv", target: "missing_target" }, "target"],
      [{ ...base, training_csv: "api-text.csv" }, "f2"],
      [{ ...base, training_csv: "api-multi.csv" }, "target"],
      [{ ...base, training_csv: "../../../etc/passwd" }, "training_csv"],
      [{ ...base, training_csv: "api-bad.csv", algorithm: "random_forest", hyperparameters: { n_estimators: 0 } }, "hyperparameters.n_estimators"],
      [{ ...base, training_csv: "api-bad.csv", algorithm: "svm" }, "algorithm"],
      [{ ...base, training_csv: "api-bad.csv", features: [] }, "features"],
      [{ ...base, training_csv: "api-bad.csv", seed: null }, "seed"],
    ];
    for (const [body, field] of cases) {
      const res = await postModel(jsonReq(body), undefined as never);
      const out = await res.json();
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(Object.keys(out.fields ?? {}), `${field} in ${JSON.stringify(out)}`).toContain(field);
    }
    // A chunked body without content-length is cut off at the limit, not read whole.
    let pulled = 0;
    const stream = new ReadableStream({
      pull(c) {
        pulled += 1;
        if (pulled > 40) c.close();
        else c.enqueue(new TextEncoder().encode(" ".repeat(64 * 1024)));
      },
    }, { highWaterMark: 0 });
    const chunked = await postModel(
      req("http://test/api/models", { method: "POST", headers: { "content-type": "application/json" }, body: stream, duplex: "half" } as RequestInit),
      undefined as never,
    );
    expect(chunked.status).toBe(413);
    expect(pulled).toBeLessThan(20); // stopped just past 1 MB of the 2.5 MB offered
    const malformed = await postModel(jsonReq("{not json"), undefined as never);
    expect(malformed.status).toBe(400);
    expect(await ModelConfig.countDocuments()).toBe(0);
  });

  it("runs predict's Host and cross-site checks in the route, which the proxy skips so as not to copy a large body", async () => {
    const proxied = (url: string) => unstable_doesMiddlewareMatch({ config: proxyConfig, url });
    for (const url of ["/api/models/abc/predict", "/api/ensembles/abc/predict"]) expect(proxied(url), url).toBe(false);
    for (const url of ["/api/models/abc", "/api/models/abc/train", "/api/models/abc/predict/x", "/api/ensembles/abc/predictx", "/api/models/predict"]) expect(proxied(url), url).toBe(true);
    const id = "0123456789abcdef01234567";
    for (const handler of [predict, predictEnsemble]) {
      const send = (headers: Record<string, string>) => handler(req("http://test", { method: "POST", headers: { "content-type": "application/json", ...headers }, body: '{"rows":[{"f1":1}]}' }), ctx(id));
      expect((await send({ host: "attacker.example" })).status).toBe(403);
      expect((await send({ "sec-fetch-site": "cross-site" })).status).toBe(403);
      expect((await send({ origin: "http://attacker.example" })).status).toBe(403);
      expect((await send({})).status).toBe(404);
    }
  });

  it("creates, trains (202 then 409), predicts and deletes", async () => {
    await upload("api-good", syntheticCsv(150));
    const created = await postModel(jsonReq({ ...base, training_csv: "api-good.csv" }), undefined as never);
    expect(created.status).toBe(201);
    const model = await created.json();
    expect(model).toMatchObject({ name: "api-model", status: "untrained", model_artifact_path: null, run_id: null });

    const dup = await postModel(jsonReq({ ...base, training_csv: "api-good.csv" }), undefined as never);
    expect(dup.status).toBe(400);
    expect((await dup.json()).fields.name).toBeDefined();

    const untrained = await predict(jsonReq({ rows: [{ f1: 1, f2: 2 }] }), ctx(model.id));
    expect(untrained.status).toBe(409);
    expect((await untrained.json()).error).toMatch(/train it first/);

    const train = await trainModel(req("http://test", { method: "POST" }), ctx(model.id));
    expect(train.status).toBe(202);
    const { job_id } = await train.json();
    expect(job_id).toMatch(/^[a-f0-9]{24}$/);
    const again = await trainModel(req("http://test", { method: "POST" }), ctx(model.id));
    expect(again.status).toBe(409);
    // The queued job holds the model: deleting it now is refused.
    expect((await deleteModel(req("http://test", { method: "DELETE" }), ctx(model.id))).status).toBe(409);

    const list = await (await listModels(req("http://test/api/models"), undefined as never)).json();
    expect(list.models[0].artifacts.model.status).toBe("missing");

    expect((await getModel(req("http://test"), ctx("0123456789abcdef01234567"))).status).toBe(404);
    expect((await getModel(req("http://test"), ctx("not-an-id"))).status).toBe(404);
    // Cancelling takes an editor; a viewer may only watch.
    const asViewer = requestWith(await asRole("viewer"));
    expect((await cancelJob(asViewer("http://test", { method: "POST" }), ctx(job_id))).status).toBe(403);
    expect((await cancelJob(new Request("http://test", { method: "POST" }), ctx(job_id))).status).toBe(401);
    // Cancelling the queued job releases the model at once and puts its status back.
    const post = () => req("http://test", { method: "POST" });
    const cancelled = await cancelJob(post(), ctx(job_id));
    expect(cancelled.status).toBe(202);
    expect(await cancelled.json()).toMatchObject({ id: job_id, status: "cancelled", cancel_requested: true });
    expect((await cancelJob(post(), ctx(job_id))).status).toBe(409);
    expect((await cancelJob(post(), ctx("0123456789abcdef01234567"))).status).toBe(404);
    expect((await ModelConfig.findById(model.id).lean())?.status).toBe("untrained");
    const del = await deleteModel(req("http://test", { method: "DELETE" }), ctx(model.id));
    expect(del.status).toBe(200);
    expect(await ModelConfig.countDocuments({ _id: model.id })).toBe(0);
  });
});
