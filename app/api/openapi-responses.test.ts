import { beforeAll, describe, expect, it } from "vitest";
import { z, type ZodType } from "zod";
import { resetConfigForTests } from "@/lib/config";
import { runNextJob } from "@/lib/jobs/runner";
import { syntheticCsv } from "@/lib/ml/synthetic";
import { useTestEnv } from "@/lib/testing/env";
import { asRole, requestWith } from "@/lib/testing/identities";
import { jobHandlers } from "@/scripts/job-handlers";
import { paths } from "./_lib/openapi";
import { ErrorBody } from "./_lib/openapi-schemas";
import * as bundles from "./bundles/route";
import * as dataset from "./datasets/[name]/route";
import * as datasets from "./datasets/route";
import * as ensembleBundle from "./ensembles/[id]/bundle/route";
import * as ensemble from "./ensembles/[id]/route";
import * as ensemblePredict from "./ensembles/[id]/predict/route";
import * as ensembleTrain from "./ensembles/[id]/train/route";
import * as ensembles from "./ensembles/route";
import * as health from "./health/route";
import * as job from "./jobs/[id]/route";
import * as jobCancel from "./jobs/[id]/cancel/route";
import * as jobs from "./jobs/route";
import * as modelBundle from "./models/[id]/bundle/route";
import * as modelImport from "./models/import/route";
import * as versionArchive from "./models/[id]/versions/[run_id]/bundle/route";
import * as model from "./models/[id]/route";
import * as modelPredict from "./models/[id]/predict/route";
import * as modelTrain from "./models/[id]/train/route";
import * as promote from "./models/[id]/versions/[run_id]/promote/route";
import * as versions from "./models/[id]/versions/route";
import * as models from "./models/route";

/**
 * Drives every operation through its route on a real database and checks each
 * answer against the document: its status must be one the operation lists, and
 * its body must parse with the schema the document was generated from and carry
 * no field the schema leaves out (refusals: exactly {error, fields?}).
 */
useTestEnv();

type Method = "get" | "post" | "patch" | "delete";
type Documented = { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> };
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function documented(path: keyof typeof paths, method: Method, res: Response): Promise<Json> {
  const op = (paths[path] as unknown as Record<string, Documented | undefined>)[method];
  expect(op, `${method} ${path} is not in the document`).toBeDefined();
  const entry = op!.responses[String(res.status)];
  const body = (await res.json()) as Json;
  expect(entry, `${method.toUpperCase()} ${path} answered ${res.status} ${JSON.stringify(body)}; the document does not list that status`).toBeDefined();
  const schema = (res.status >= 400 ? ErrorBody.strict() : entry.content?.["application/json"]?.schema) as ZodType;
  const parsed = schema.safeParse(body);
  expect(parsed.success ? [] : parsed.error.issues, `${method.toUpperCase()} ${path} ${res.status}`).toEqual([]);
  // Parsing ignores fields a schema does not name; an answer's own fields must all be documented.
  if (schema instanceof z.ZodObject) expect(Object.keys(body).filter((k) => !(k in schema.shape)), `${method.toUpperCase()} ${path}: undocumented fields`).toEqual([]);
  return body;
}

let req: ReturnType<typeof requestWith>;
let viewer: ReturnType<typeof requestWith>;
beforeAll(async () => {
  // Uploads check the Host themselves (the proxy does not run for them), so requests name an allowed one.
  req = requestWith(await asRole("editor", { host: "127.0.0.1" }));
  viewer = requestWith(await asRole("viewer", { host: "127.0.0.1" }));
});

const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
const named = (name: string) => ({ params: Promise.resolve({ name }) });
const none = undefined as never;
const json = (body: unknown, method = "POST", type = "application/json") =>
  req("http://test/api", { method, headers: { "content-type": type }, body: typeof body === "string" ? body : JSON.stringify(body) });
const empty = (method = "POST") => req("http://test/api", { method });
const read = () => req("http://test/api");
const csv = (name: string, text: string, type = "text/csv") =>
  req(`http://test/api/datasets?name=${name}`, { method: "POST", headers: { "content-type": type }, body: text });
const UNKNOWN = "0123456789abcdef01234567";

describe("every answer is one the document describes", () => {
  it("datasets: stored, listed, refused", async () => {
    await documented("/api/datasets", "post", await datasets.POST(csv("doc-base", syntheticCsv(200, 1)), none));
    await documented("/api/datasets", "post", await datasets.POST(csv("doc-meta", syntheticCsv(200, 2)), none));
    await documented("/api/datasets", "post", await datasets.POST(csv("doc-bad", ""), none));
    await documented("/api/datasets", "post", await datasets.POST(csv("doc-plain", "a,b\n1,2\n", "text/plain"), none));
    process.env.MAX_UPLOAD_BYTES = "1000";
    resetConfigForTests();
    try {
      expect((await documented("/api/datasets", "post", await datasets.POST(csv("doc-big", syntheticCsv(200)), none))).error).toBeTruthy();
    } finally {
      delete process.env.MAX_UPLOAD_BYTES;
      resetConfigForTests();
    }
    const list = await documented("/api/datasets", "get", await datasets.GET(read(), none));
    expect(list.datasets.map((d: Json) => d.path)).toEqual(expect.arrayContaining(["doc-base.csv", "doc-meta.csv"]));
    await documented("/api/datasets", "get", await datasets.GET(new Request("http://test/api/datasets", { headers: { host: "127.0.0.1" } }), none));
    await documented("/api/datasets", "post", await datasets.POST(viewer("http://test/api/datasets?name=x", { method: "POST", headers: { "content-type": "text/csv" }, body: "a\n1\n" }), none));
  });

  it("models, jobs and ensembles through their lifecycle", async () => {
    const config = { name: "doc-a", algorithm: "logistic_regression", features: ["f1", "f2"], target: "label", training_csv: "doc-base.csv" };
    await documented("/api/models", "post", await models.POST(json({ ...config, features: ["nope"] }), none));
    await documented("/api/models", "post", await models.POST(json(config, "POST", "text/plain"), none));
    await documented("/api/models", "post", await models.POST(json({ ...config, name: "x".repeat(2 * 1024 * 1024) }), none));
    const a = await documented("/api/models", "post", await models.POST(json(config), none));
    const b = await documented("/api/models", "post", await models.POST(json({ ...config, name: "doc-b", features: ["f3", "f4"] }), none));
    await documented("/api/models", "get", await models.GET(read(), none));
    await documented("/api/models/{id}", "get", await model.GET(read(), ctx(a.id)));
    await documented("/api/models/{id}", "get", await model.GET(read(), ctx(UNKNOWN)));
    await documented("/api/models/{id}", "patch", await model.PATCH(json({ seed: 7 }, "PATCH"), ctx(a.id)));
    await documented("/api/models/{id}", "patch", await model.PATCH(json({ run_id: "forged" }, "PATCH"), ctx(a.id)));

    const rows = { rows: [{ f1: 0.1, f2: -0.3 }] };
    await documented("/api/models/{id}/predict", "post", await modelPredict.POST(json(rows), ctx(a.id))); // no artifacts yet: 409
    const queued = await documented("/api/models/{id}/train", "post", await modelTrain.POST(empty(), ctx(a.id)));
    await documented("/api/models/{id}/train", "post", await modelTrain.POST(empty(), ctx(a.id))); // 409 while queued
    await documented("/api/jobs/{id}", "get", await job.GET(read(), ctx(queued.job_id)));
    await documented("/api/jobs/{id}", "get", await job.GET(read(), ctx(UNKNOWN)));
    expect(await runNextJob(jobHandlers)).toBe(queued.job_id);
    const done = await documented("/api/jobs/{id}", "get", await job.GET(read(), ctx(queued.job_id)));
    expect(done.status).toBe("succeeded");
    await documented("/api/jobs/{id}/cancel", "post", await jobCancel.POST(empty(), ctx(queued.job_id))); // finished: 409
    expect((await documented("/api/models/{id}/predict", "post", await modelPredict.POST(json(rows), ctx(a.id)))).probabilities).toHaveLength(1);
    await documented("/api/models/{id}/predict", "post", await modelPredict.POST(json({ rows: [{ f1: 1 }] }), ctx(a.id)));
    await documented("/api/models/{id}", "get", await model.GET(read(), ctx(a.id)));

    const queuedB = await documented("/api/models/{id}/train", "post", await modelTrain.POST(empty(), ctx(b.id)));
    const cancelled = await documented("/api/jobs/{id}/cancel", "post", await jobCancel.POST(empty(), ctx(queuedB.job_id)));
    expect(cancelled.status).toBe("cancelled");
    const retrain = await documented("/api/models/{id}/train", "post", await modelTrain.POST(empty(), ctx(b.id)));
    expect(await runNextJob(jobHandlers)).toBe(retrain.job_id);

    const ens = await documented(
      "/api/ensembles",
      "post",
      await ensembles.POST(json({ name: "doc-stack", base_model_ids: [a.id, b.id], meta_training_csv: "doc-meta.csv" }), none),
    );
    await documented("/api/ensembles", "post", await ensembles.POST(json({ name: "doc-one", base_model_ids: [a.id], meta_training_csv: "doc-meta.csv" }), none));
    const build = await documented("/api/ensembles/{id}/train", "post", await ensembleTrain.POST(empty(), ctx(ens.id)));
    await documented("/api/ensembles/{id}/train", "post", await ensembleTrain.POST(empty(), ctx(ens.id)));
    expect(await runNextJob(jobHandlers)).toBe(build.job_id);
    const full = { rows: [{ f1: 0.1, f2: -0.3, f3: 1, f4: 0.2 }] };
    await documented("/api/ensembles/{id}/predict", "post", await ensemblePredict.POST(json(full), ctx(ens.id)));
    await documented("/api/ensembles/{id}/predict", "post", await ensemblePredict.POST(json({ rows: [] }), ctx(ens.id)));
    await documented("/api/ensembles/{id}/predict", "post", await ensemblePredict.POST(json(full), ctx(UNKNOWN)));
    const built = await documented("/api/ensembles/{id}", "get", await ensemble.GET(read(), ctx(ens.id)));
    expect(built.runs[0].base.map((r: Json) => r.source)).toEqual(["artifact", "artifact"]);
    await documented("/api/ensembles", "get", await ensembles.GET(read(), none));

    // Bundles: exported while the ensemble is fresh, refused while the names exist, imported once they are gone.
    await documented("/api/models/{id}/bundle", "get", await modelBundle.GET(read(), ctx(a.id)));
    await documented("/api/models/{id}/bundle", "get", await modelBundle.GET(read(), ctx(UNKNOWN)));
    const exported = await ensembleBundle.GET(read(), ctx(ens.id));
    expect(exported.status).toBe(200);
    const stack = await documented("/api/ensembles/{id}/bundle", "get", exported);
    await documented("/api/bundles", "post", await bundles.POST(json(stack), none)); // names taken: 409
    await documented("/api/bundles", "post", await bundles.POST(json({ ...stack, format: "something else" }), none));

    // Versions: a second run of a (the ensemble goes stale), then a rollback to the first.
    const again = await documented("/api/models/{id}/train", "post", await modelTrain.POST(empty(), ctx(a.id)));
    expect(await runNextJob(jobHandlers)).toBe(again.job_id);
    const history = await documented("/api/models/{id}/versions", "get", await versions.GET(read(), ctx(a.id)));
    expect(history.versions).toHaveLength(2);
    await documented("/api/models/{id}/versions", "get", await versions.GET(read(), ctx(UNKNOWN)));
    const first = history.versions[1].run_id as string;
    const at = (runId: string) => ({ params: Promise.resolve({ id: a.id, run_id: runId }) });
    await documented("/api/models/{id}/versions/{run_id}/promote", "post", await promote.POST(empty(), at(first)));
    await documented("/api/models/{id}/versions/{run_id}/promote", "post", await promote.POST(empty(), at(first))); // already current: 409
    await documented("/api/models/{id}/versions/{run_id}/promote", "post", await promote.POST(empty(), at("no-such-run")));
    expect((await documented("/api/models/{id}", "get", await model.GET(read(), ctx(a.id)))).promotions).toHaveLength(1);
    await documented("/api/ensembles/{id}/bundle", "get", await ensembleBundle.GET(read(), ctx(ens.id))); // stale since the retrain: 409

    // A version's archive: downloaded, refused while its name is here, refused when it is not an archive or not sent as one.
    const second = history.versions[0].run_id as string;
    const download = await versionArchive.GET(read(), at(second));
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toBe("application/zip");
    expect(download.headers.get("content-disposition")).toMatch(new RegExp(`attachment; filename="doc-a-${second}\\.bundle\\.zip"`));
    const zipped = new Uint8Array(await download.arrayBuffer());
    await documented("/api/models/{id}/versions/{run_id}/bundle", "get", await versionArchive.GET(read(), at("no-such-run")));
    await documented("/api/models/{id}/versions/{run_id}/bundle", "get", await versionArchive.GET(read(), { params: Promise.resolve({ id: UNKNOWN, run_id: second }) }));
    const zipBody = (body: BodyInit, query = "", type = "application/zip") => req(`http://test/api/models/import${query}`, { method: "POST", headers: { "content-type": type }, body });
    await documented("/api/models/import", "post", await modelImport.POST(zipBody(zipped), none)); // name taken: 409
    await documented("/api/models/import", "post", await modelImport.POST(zipBody(zipped, "?name=doc-a-copy"), none)); // run here: 409
    await documented("/api/models/import", "post", await modelImport.POST(zipBody("not a zip"), none));
    await documented("/api/models/import", "post", await modelImport.POST(zipBody(zipped, "", "application/json"), none));


    await documented("/api/jobs", "get", await jobs.GET(read(), none));
    await documented("/api/jobs", "get", await jobs.GET(req("http://test/api/jobs?limit=0"), none));
    expect((await documented("/api/models", "get", await models.GET(req("http://test/api/models?limit=1"), none))).next_cursor).toBeTruthy();

    await documented("/api/datasets/{name}", "delete", await dataset.DELETE(empty("DELETE"), named("doc-meta"))); // the ensemble's meta data: 409
    await documented("/api/models/{id}", "delete", await model.DELETE(empty("DELETE"), ctx(a.id))); // used by the ensemble: 409
    await documented("/api/ensembles/{id}", "delete", await ensemble.DELETE(empty("DELETE"), ctx(ens.id)));
    await documented("/api/ensembles/{id}", "get", await ensemble.GET(read(), ctx(ens.id)));
    await documented("/api/models/{id}", "delete", await model.DELETE(empty("DELETE"), ctx(a.id)));
    await documented("/api/models/{id}", "delete", await model.DELETE(json({}, "DELETE", "text/plain"), ctx(b.id)));
    await documented("/api/models/{id}", "delete", await model.DELETE(empty("DELETE"), ctx(b.id)));

    const imported = await documented("/api/bundles", "post", await bundles.POST(json(stack), none));
    expect(imported.ensemble?.name).toBe("doc-stack");
    // The archive of a's second run, after a was deleted; "doc-a" is the bundle's again, so under another name.
    const restored = await documented("/api/models/import", "post", await modelImport.POST(zipBody(zipped, "?name=doc-a-second"), none));
    expect(restored.models[0]).toMatchObject({ name: "doc-a-second", run_id: second });
    await documented("/api/datasets/{name}", "delete", await dataset.DELETE(empty("DELETE"), named("doc-base"))); // models train on it: 409
    const forced = await documented("/api/datasets/{name}", "delete", await dataset.DELETE(req("http://test/api/datasets/doc-base?force=true", { method: "DELETE" }), named("doc-base")));
    expect(forced.not_retrainable.sort()).toEqual(["doc-a", "doc-a-second", "doc-b"]);
    await documented("/api/models/{id}/train", "post", await modelTrain.POST(empty(), ctx(imported.models[0].id))); // dataset gone: 409
    expect((await dataset.DELETE(empty("DELETE"), named("no-such-data"))).status).toBe(404);
    await documented("/api/datasets/{name}", "delete", await dataset.DELETE(empty("DELETE"), named("no-such-data")));
  });

  it("health, with and without credentials", async () => {
    expect(await documented("/api/health", "get", await health.GET(new Request("http://test/api/health")))).toEqual({ status: "ok" });
    expect(await documented("/api/health", "get", await health.GET(read()))).toMatchObject({ status: "ok", db: "ok", artifacts: "ok" });
  });
});
