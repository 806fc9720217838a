import fs from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DIRECT_ROUTES, directListener, loadBuiltHandler, parseDirectPath, pathDecodes } from "./direct-routes";

const [MODELS, ENSEMBLES] = DIRECT_ROUTES;

describe("parseDirectPath", () => {
  it("finds the route and decodes the id", () => {
    expect(parseDirectPath("/api/models/abc/predict")).toEqual({ route: MODELS, id: "abc" });
    expect(parseDirectPath("/api/ensembles/Demo%20stack/predict?x=1")).toEqual({ route: ENSEMBLES, id: "Demo stack" });
    expect(parseDirectPath("/api/models/a%2Fb/predict")).toEqual({ route: MODELS, id: "a/b" });
  });

  it("leaves every other path to Next.js", () => {
    for (const p of [
      "/api/models/abc/predict/",
      "/api/models/abc/train",
      "/api/models//predict",
      "/api/models/a/b/predict",
      "/api/jobs/abc/predict",
      "/x/api/models/abc/predict",
      "/api/models/%E0%A4%A/predict",
      "/api/models/../predict",
      "/api/models/%2e%2e/predict",
      "/api/models/./predict",
    ]) {
      expect(parseDirectPath(p), p).toBeNull();
    }
  });

  it("tells a path whose escapes decode from one whose do not", () => {
    expect(pathDecodes("/api/models/a%20b/predict?q=%ZZ")).toBe(true);
    expect(pathDecodes("/api/models/%E0%A4%A")).toBe(false);
    expect(pathDecodes("/models/abc%ZZ")).toBe(false);
  });
});

describe("directListener", () => {
  let server: http.Server | null = null;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = null;
  });

  type Seen = { url: string; headers: Headers; id: string };
  async function serve(handler: (req: Request, id: string) => Promise<Response>) {
    const direct: Seen[] = [];
    const fallback: string[] = [];
    const errors: unknown[] = [];
    const handlers = new Map(
      DIRECT_ROUTES.map((route) => [
        route,
        async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
          const { id } = await ctx.params;
          direct.push({ url: req.url, headers: req.headers, id });
          return handler(req, id);
        },
      ]),
    );
    server = http.createServer(
      directListener(
        handlers,
        (req, res) => {
          fallback.push(`${req.method} ${req.url}`);
          res.writeHead(299, { "content-type": "text/plain" }).end("next");
        },
        (err) => errors.push(err),
      ),
    );
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
    return { base, direct, fallback, errors };
  }

  it("answers a POST with an Authorization header to a predict path with the route's handler, body and headers passed through", async () => {
    const { base, direct, fallback } = await serve(async (req, id) => {
      const body = await req.text();
      const headers = new Headers({ "content-type": "application/json", "x-id": id });
      headers.append("set-cookie", "a=1");
      headers.append("set-cookie", "b=2");
      return new Response(JSON.stringify({ echoed: body.length, type: req.headers.get("content-type") }), { status: 201, headers });
    });
    const big = JSON.stringify({ rows: Array.from({ length: 5000 }, (_, i) => ({ f: i })) });
    const res = await fetch(`${base}/api/ensembles/Demo%20stack/predict?x=1`, {
      method: "POST",
      headers: { authorization: "Bearer t", "content-type": "application/json" },
      body: big,
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("x-id")).toBe("Demo stack");
    expect(res.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(await res.json()).toEqual({ echoed: big.length, type: "application/json" });
    expect(direct).toHaveLength(1);
    expect(direct[0].url).toMatch(/\/api\/ensembles\/Demo%20stack\/predict\?x=1$/);
    expect(direct[0].headers.get("authorization")).toBe("Bearer t");
    expect(fallback).toEqual([]);
  });

  it("hands Next.js everything else: no Authorization header, another method or path, dot segments", async () => {
    const { base, direct, fallback } = await serve(async () => new Response("direct"));
    const auth = { authorization: "Bearer t" };
    const asked = [
      [`/api/models/m/predict`, { method: "POST" }],
      [`/api/models/m/predict`, { method: "GET", headers: auth }],
      [`/api/models/m/predict`, { method: "OPTIONS", headers: auth }],
      [`/api/models/m/predict/`, { method: "POST", headers: auth }],
      [`/api/models/m`, { method: "POST", headers: auth }],
      [`/api/models/%2e%2e/predict`, { method: "POST", headers: auth }],
    ] as const;
    for (const [p, init] of asked) {
      const res = await fetch(`${base}${p}`, init);
      expect(res.status, `${init.method} ${p}`).toBe(299);
    }
    expect(direct).toEqual([]);
    expect(fallback).toHaveLength(asked.length);
  });

  it("answers a path with a malformed percent-escape with a 400, whatever the route", async () => {
    const { base, direct, fallback } = await serve(async () => new Response("direct"));
    for (const p of ["/api/models/%E0%A4%A/predict", "/api/models/%ZZ", "/models/%E0"]) {
      const res = await fetch(`${base}${p}`, { method: "POST", headers: { authorization: "Bearer t" } });
      expect(res.status, p).toBe(400);
      expect(await res.json()).toEqual({ error: "The path has a malformed percent-escape." });
    }
    expect(direct).toEqual([]);
    expect(fallback).toEqual([]);
  });

  it("answers an error that escapes the handler with a 500 that shows no detail, and reports it", async () => {
    const { base, errors } = await serve(async () => {
      throw new Error("secret detail at /srv/app/lib/x.ts:12");
    });
    const res = await fetch(`${base}/api/models/m/predict`, { method: "POST", headers: { authorization: "Bearer t" }, body: "{}" });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: "Something went wrong on the server; the error was logged." });
    expect(text).not.toContain("secret");
    expect(errors).toHaveLength(1);
  });

  it("survives a client that goes away mid-body and keeps answering", async () => {
    let started = 0;
    const { base } = await serve(async (req) => {
      started++;
      await req.text().catch(() => "");
      return new Response("ok");
    });
    const port = Number(new URL(base).port);
    await new Promise<void>((resolve) => {
      const req = http.request({ host: "127.0.0.1", port, method: "POST", path: "/api/models/m/predict", headers: { authorization: "Bearer t", "content-length": "100000" } });
      req.on("error", () => resolve());
      req.write("x".repeat(1000), () => {
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 50);
      });
    });
    const res = await fetch(`${base}/api/models/m/predict`, { method: "POST", headers: { authorization: "Bearer t" }, body: "{}" });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok");
    expect(started).toBe(2);
  });
});

describe("loadBuiltHandler", () => {
  async function buildWith(source: string): Promise<string> {
    const dist = await fs.mkdtemp(path.join(os.tmpdir(), "direct-routes-"));
    const dir = path.join(dist, "server/app/api/models/[id]/predict");
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, "route.js"), source);
    return dist;
  }

  it("takes the method's handler from the built route module, loading it first", async () => {
    const dist = await buildWith(`let loaded = false;
      module.exports = { routeModule: {
        async ensureUserland() { loaded = true; },
        get userland() { if (!loaded) throw new Error("not loaded"); return { POST: async () => new Response("built") }; },
      } };`);
    const handler = await loadBuiltHandler(dist, MODELS);
    expect(await (await handler(new Request("http://x/"), { params: Promise.resolve({ id: "m" }) })).text()).toBe("built");
    await expect(loadBuiltHandler(dist, ENSEMBLES)).rejects.toThrow();
    await fs.rm(dist, { recursive: true, force: true });
  });

  it("refuses a build whose route module has another form", async () => {
    const dist = await buildWith("module.exports = { POST: async () => new Response('x') };");
    await expect(loadBuiltHandler(dist, MODELS)).rejects.toThrow(/no POST handler/);
    await fs.rm(dist, { recursive: true, force: true });
  });
});
