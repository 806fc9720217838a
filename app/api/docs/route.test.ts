import { NextRequest } from "next/server";
import { unstable_doesMiddlewareMatch } from "next/experimental/testing/server";
import { describe, expect, it } from "vitest";
import { config as proxyConfig, proxy } from "@/proxy";
import { openApiDocument } from "../_lib/openapi";
import { GET as getDocument } from "../openapi.json/route";
import { GET as getPage } from "./route";
import { GET as getScript } from "./scalar.js/route";

const ORIGIN = "http://127.0.0.1:3000";

function attributes(tag: string): Record<string, string> {
  const decode = (v: string) => v.replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  return Object.fromEntries([...tag.matchAll(/([a-z][\w-]*)(?:="([^"]*)")?/gi)].slice(1).map((m) => [m[1].toLowerCase(), decode(m[2] ?? "")]));
}

/** Every <script> of a page: its attributes and its inline text. */
function scriptsOf(html: string) {
  return [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)].map((m) => ({ attrs: attributes(`<script${m[1]}`), text: m[2] }));
}

function directives(csp: string): Record<string, string[]> {
  return Object.fromEntries(csp.split(";").map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
}

async function page() {
  const res = await getPage();
  return { res, html: await res.text() };
}

describe("GET /api/docs", () => {
  it("serves an HTML page that runs only this origin's scripts", async () => {
    const { res, html } = await page();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const scripts = scriptsOf(html);
    expect(scripts.length).toBeGreaterThan(0);
    const executable = scripts.filter((s) => !s.attrs.type || /javascript|module/i.test(s.attrs.type));
    expect(executable.length).toBe(1);
    for (const s of executable) {
      expect(s.text.trim(), "inline code").toBe("");
      expect(s.attrs.src).toBeTruthy();
      expect(new URL(s.attrs.src, ORIGIN).origin).toBe(ORIGIN);
      expect(s.attrs.src.startsWith("/") && !s.attrs.src.startsWith("//")).toBe(true);
    }
    // Nothing else on the page names another origin either (styles, fonts, icons, links).
    for (const m of html.matchAll(/\b(?:src|href|data-url)="([^"]*)"/g)) expect(new URL(m[1], ORIGIN).origin, m[1]).toBe(ORIGIN);
  });

  it("sends a Content-Security-Policy that allows no inline or foreign script and no request elsewhere", async () => {
    const { res } = await page();
    const csp = directives(res.headers.get("content-security-policy") ?? "");
    expect(csp["default-src"]).toEqual(["'none'"]);
    expect(csp["script-src"]).toEqual(["'self'"]);
    expect(csp["connect-src"]).toEqual(["'self'"]);
    expect(csp["frame-ancestors"]).toEqual(["'none'"]);
    for (const [name, values] of Object.entries(csp)) {
      for (const v of values) expect(v === "'self'" || v === "'none'" || v === "'unsafe-inline'" || v === "data:" || v === "blob:", `${name} ${v}`).toBe(true);
    }
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("points the reference at this app's document and turns off what would call Scalar's servers", async () => {
    const { html } = await page();
    const config = scriptsOf(html).find((s) => s.attrs.id === "api-reference")!;
    expect(config.attrs.type).toBe("application/json");
    expect(config.attrs["data-url"]).toBe("/api/openapi.json");
    expect(JSON.parse(config.attrs["data-configuration"])).toMatchObject({
      withDefaultFonts: false,
      telemetry: false,
      agent: { disabled: true },
      mcp: { disabled: true },
    });
  });

  it("serves the script it names from the app, cached for good only under its current hash", async () => {
    const { html } = await page();
    const src = scriptsOf(html).find((s) => s.attrs.src)!.attrs.src;
    const res = await getScript(new Request(new URL(src, ORIGIN)));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(res.headers.get("cache-control")).toContain("immutable");
    const code = await res.text();
    expect(code.length).toBeGreaterThan(1_000_000); // the whole reference, not a loader
    expect(code).toContain("api-reference");

    const other = await getScript(new Request(`${ORIGIN}/api/docs/scalar.js?v=an-older-build`));
    expect(other.headers.get("cache-control")).not.toContain("immutable");
    await other.body?.cancel();
    const again = await getScript(new Request(new URL(src, ORIGIN), { headers: { "if-none-match": res.headers.get("etag")! } }));
    expect(again.status).toBe(304);
  });
});

describe("GET /api/openapi.json", () => {
  it("answers anyone with the document", async () => {
    const res = await getDocument();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
  });
});

describe("the reference behind the proxy", () => {
  const paths = ["/api/docs", "/api/docs/scalar.js", "/api/openapi.json"];
  const through = (path: string, host: string) => proxy(new NextRequest(`http://${host}${path}`, { headers: { host } }));

  it("goes through the proxy, so a foreign Host is refused", async () => {
    for (const path of paths) {
      expect(unstable_doesMiddlewareMatch({ config: proxyConfig, url: path }), path).toBe(true);
      expect(through(path, "attacker.example").status, path).toBe(403);
    }
  });

  it("is not sent to the sign-in page without a session", () => {
    for (const path of paths) {
      const res = through(path, "127.0.0.1:3000");
      expect(res.headers.get("x-middleware-next"), path).toBe("1");
      expect(res.headers.get("location"), path).toBeNull();
    }
  });
});
