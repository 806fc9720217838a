import fs from "node:fs";
import path from "node:path";
import { validate } from "@readme/openapi-parser";
import { beforeAll, describe, expect, it } from "vitest";
import { useTestEnv } from "@/lib/testing/env";
import { asRole, requestWith } from "@/lib/testing/identities";
import { openApiDocument } from "./_lib/openapi";

const API_DIR = path.join(__dirname);
const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

type Doc = ReturnType<typeof openApiDocument>;
type Operation = NonNullable<NonNullable<Doc["paths"]>[string]["get"]>;

/** Every route.ts under app/api, with the OpenAPI path its folder serves ("[id]" -> "{id}", route groups dropped). */
function routeFiles(dir = API_DIR): Array<{ file: string; path: string }> {
  const found: Array<{ file: string; path: string }> = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...routeFiles(full));
    else if (/^route\.(ts|tsx|js)$/.test(entry.name)) {
      const segments = path
        .relative(path.dirname(API_DIR), dir)
        .split(path.sep)
        .filter((s) => !/^\(.*\)$/.test(s))
        .map((s) => s.replace(/^\[{1,2}(?:\.\.\.)?([^\]]+)\]{1,2}$/, "{$1}"));
      found.push({ file: full, path: `/${segments.join("/")}` });
    }
  }
  return found;
}

/** "GET /api/models/{id}" for each handler the route files export. */
async function servedOperations(): Promise<string[]> {
  const ops: string[] = [];
  for (const { file, path: apiPath } of routeFiles()) {
    const mod = (await import(file)) as Record<string, unknown>;
    for (const method of HTTP_METHODS) if (typeof mod[method] === "function") ops.push(`${method} ${apiPath}`);
  }
  return ops.sort();
}

function documentedOperations(doc: Doc): string[] {
  return Object.entries(doc.paths ?? {})
    .flatMap(([p, item]) => HTTP_METHODS.filter((m) => item[m.toLowerCase() as "get"]).map((m) => `${m} ${p}`))
    .sort();
}

function operations(doc: Doc): Array<{ key: string; path: string; method: (typeof HTTP_METHODS)[number]; op: Operation }> {
  return Object.entries(doc.paths ?? {}).flatMap(([p, item]) =>
    HTTP_METHODS.flatMap((method) => {
      const op = item[method.toLowerCase() as "get"];
      return op ? [{ key: `${method} ${p}`, path: p, method, op }] : [];
    }),
  );
}

describe("the OpenAPI document", () => {
  it("lists exactly the operations the route files serve", async () => {
    const served = await servedOperations();
    const documented = documentedOperations(openApiDocument());
    expect(served.length).toBeGreaterThan(15); // the walk found the routes at all
    expect(served.filter((op) => !documented.includes(op)), "served but not in app/api/_lib/openapi.ts").toEqual([]);
    expect(documented.filter((op) => !served.includes(op)), "documented but no route file serves it").toEqual([]);
  });

  it("maps route folders to OpenAPI paths", () => {
    const byFile = Object.fromEntries(routeFiles().map((r) => [path.relative(API_DIR, r.file), r.path]));
    expect(byFile[path.join("models", "[id]", "train", "route.ts")]).toBe("/api/models/{id}/train");
    expect(byFile[path.join("docs", "scalar.js", "route.ts")]).toBe("/api/docs/scalar.js");
    expect(byFile[path.join("models", "[id]", "versions", "[run_id]", "promote", "route.ts")]).toBe("/api/models/{id}/versions/{run_id}/promote");
  });

  it("is valid OpenAPI 3.1, and the validator does refuse a broken one", async () => {
    const doc = openApiDocument();
    expect(doc.openapi).toBe("3.1.0");
    // The validator dereferences in place: give it copies.
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);

    const broken = structuredClone(doc) as unknown as { paths: Record<string, Record<string, { operationId?: string; responses: Record<string, unknown> }>> };
    broken.paths["/api/models"].get.operationId = broken.paths["/api/models"].post.operationId;
    broken.paths["/api/health"].get.responses["200"] = { $ref: "#/components/responses/Nowhere" };
    expect((await validate(broken as never)).valid).toBe(false);
  });

  it("declares the session cookie and bearer tokens, and says per operation which applies", () => {
    const doc = openApiDocument();
    expect(doc.components?.securitySchemes).toMatchObject({
      session: { type: "apiKey", in: "cookie", name: "better-auth.session_token" },
      bearer: { type: "http", scheme: "bearer" },
    });
    const open = ["GET /api/openapi.json", "GET /api/docs", "GET /api/docs/scalar.js"];
    for (const { key, op } of operations(doc)) {
      if (open.includes(key)) expect(op.security, key).toEqual([]);
      else if (key === "GET /api/health") expect(op.security, key).toEqual([{}, { session: [] }, { bearer: [] }]);
      else {
        expect(op.security, key).toEqual([{ session: [] }, { bearer: [] }]);
        expect(["viewer", "editor", "admin"], key).toContain(op["x-required-role"]);
        expect(Object.keys(op.responses ?? {}), key).toEqual(expect.arrayContaining(["401", "403"]));
      }
    }
  });

  it("gives every refusal the {error, fields?} body, and names 400, 404, 409, 413 and 415 where they happen", () => {
    const doc = openApiDocument();
    const error = doc.components?.schemas?.Error as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(error.properties).sort()).toEqual(["error", "fields"]);
    expect(error.required).toEqual(["error"]);
    for (const [name, response] of Object.entries(doc.components?.responses ?? {})) {
      expect((response as { content: Record<string, { schema: unknown }> }).content["application/json"].schema, name).toEqual({
        $ref: "#/components/schemas/Error",
      });
    }
    const statuses = (key: string) => Object.keys(operations(doc).find((o) => o.key === key)!.op.responses ?? {});
    expect(statuses("POST /api/models")).toEqual(expect.arrayContaining(["201", "400", "413", "415"]));
    expect(statuses("POST /api/datasets")).toEqual(expect.arrayContaining(["201", "400", "413", "415"]));
    expect(statuses("POST /api/models/{id}/train")).toEqual(expect.arrayContaining(["202", "404", "409"]));
    expect(statuses("POST /api/ensembles/{id}/predict")).toEqual(expect.arrayContaining(["200", "400", "404", "409", "413"]));
  });

  it("describes request bodies with the routes' own schemas", () => {
    const doc = openApiDocument();
    const body = (key: string, type = "application/json") =>
      (operations(doc).find((o) => o.key === key)!.op.requestBody as { content: Record<string, { schema: Record<string, unknown> }> }).content[type].schema;
    expect(body("POST /api/models")).toMatchObject({ required: ["name", "algorithm", "features", "target", "training_csv"], additionalProperties: false });
    expect((body("POST /api/models").properties as Record<string, { enum?: string[] }>).algorithm.enum).toEqual(
      expect.arrayContaining(["logistic_regression", "random_forest"]),
    );
    expect(body("PATCH /api/models/{id}")).not.toHaveProperty("required");
    expect(body("POST /api/ensembles")).toMatchObject({ required: expect.arrayContaining(["name", "base_model_ids", "meta_training_csv"]) });
    expect(body("POST /api/models/{id}/predict")).toMatchObject({ required: ["rows"] });
    expect(body("POST /api/datasets", "multipart/form-data")).toMatchObject({ required: ["file"] });
    expect(body("POST /api/datasets", "text/csv")).toMatchObject({ type: "string" });
  });
});

describe("the document's access rules match the routes", () => {
  useTestEnv();
  let viewer: ReturnType<typeof requestWith>;
  beforeAll(async () => {
    viewer = requestWith(await asRole("viewer", { host: "127.0.0.1" }));
  });

  /** Calls an operation's handler the way Next.js does, with made-up values for the path's parameters. */
  async function call(key: string, headers?: ReturnType<typeof requestWith>): Promise<number> {
    const [method, apiPath] = key.split(" ");
    const file = routeFiles().find((r) => r.path === apiPath)!.file;
    const handler = ((await import(file)) as Record<string, (req: Request, ctx: unknown) => Promise<Response>>)[method];
    const params = Object.fromEntries([...apiPath.matchAll(/\{(\w+)\}/g)].map((m) => [m[1], m[1] === "id" ? "0123456789abcdef01234567" : `no-such-${m[1]}`]));
    const url = `http://127.0.0.1${apiPath.replace(/\{(\w+)\}/g, (_, name: string) => params[name])}`;
    const init = { method, headers: { host: "127.0.0.1" } };
    const req = headers ? headers(url, init) : new Request(url, init);
    const res = await handler(req, { params: Promise.resolve(params) });
    await res.body?.cancel();
    return res.status;
  }

  it("refuses callers without credentials exactly where the document asks for them", async () => {
    for (const { key, op } of operations(openApiDocument())) {
      const status = await call(key);
      if ((op.security ?? []).length === 0 || op.security?.some((s) => Object.keys(s).length === 0)) expect(status, key).not.toBe(401);
      else expect(status, key).toBe(401);
    }
  });

  it("refuses a viewer exactly where the document asks for an editor", async () => {
    for (const { key, op } of operations(openApiDocument())) {
      const status = await call(key, viewer);
      if (op["x-required-role"] === "editor" || op["x-required-role"] === "admin") expect(status, key).toBe(403);
      else expect([401, 403], key).not.toContain(status);
    }
  });
});
