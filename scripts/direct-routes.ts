/**
 * Route handlers the web server (scripts/serve.ts) calls itself instead of
 * through Next.js's request handling: predictions asked with an API token.
 *
 * Why: an App Router route handler costs about 1.6 ms of CPU per request in the
 * framework before and after our code runs (measured with an empty handler),
 * which caps one web node at about 600 requests/s on this machine's cores; the
 * prediction itself takes 0.02 ms. Called directly, the same handler answers
 * three to four times as many (bench/serve.md).
 *
 * What stays the same: the handler is the one Next.js built from
 * app/api/.../route.ts, loaded from the build (the module Next.js itself
 * loads, so it shares every cache and connection with the rest of the app), so
 * its checks (Host, cross-site, token and role, body type and size) and answers
 * are the route's own. Requests without an Authorization header (browser
 * sessions, whose cookie Next.js refreshes on the way out) and anything
 * unusual (another method, a malformed path) go to Next.js as before.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { createRequestListener } from "@remix-run/node-fetch-server";
import type { RequestListener } from "node:http";

/** The App Router routes served directly, by their folder under app/. */
export const DIRECT_ROUTES = [
  { kind: "models", route: "/api/models/[id]/predict", method: "POST" },
  { kind: "ensembles", route: "/api/ensembles/[id]/predict", method: "POST" },
] as const;

export type DirectRoute = (typeof DIRECT_ROUTES)[number];

type RouteHandler = (req: Request, ctx: { params: Promise<{ id: string }> }) => Promise<Response>;

const PREDICT_PATH = /^\/api\/(models|ensembles)\/([^/?#]+)\/predict(?:\?|$)/;

/**
 * The direct route and decoded id of a path (query allowed), or null: another
 * path, an id that does not decode, or a "." or ".." segment (which URL
 * resolution would remove, so Next.js would route the path elsewhere).
 */
export function parseDirectPath(pathAndQuery: string): { route: DirectRoute; id: string } | null {
  const match = PREDICT_PATH.exec(pathAndQuery);
  if (!match) return null;
  let id: string;
  try {
    id = decodeURIComponent(match[2]);
  } catch {
    return null;
  }
  if (id === "." || id === "..") return null;
  return { route: DIRECT_ROUTES.find((r) => r.kind === match[1])!, id };
}

/** Whether every percent-escape in the path decodes (Next.js answers one that does not with a 500). */
export function pathDecodes(url: string): boolean {
  const pathname = url.split(/[?#]/, 1)[0];
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}

/**
 * The handler Next.js built for `route`, from the build in `distDir` (loaded
 * with Node's require, as Next.js loads it, so both get the same module).
 * Throws when the build does not have it in the expected form.
 */
export async function loadBuiltHandler(distDir: string, route: DirectRoute): Promise<RouteHandler> {
  const file = path.join(distDir, "server/app", route.route, "route.js");
  const built = createRequire(file)(file) as {
    routeModule?: { ensureUserland?: () => Promise<void>; userland?: Record<string, unknown> };
  };
  await built.routeModule?.ensureUserland?.();
  const handler = built.routeModule?.userland?.[route.method];
  if (typeof handler !== "function") throw new Error(`the build has no ${route.method} handler for ${route.route}`);
  return handler as RouteHandler;
}

/**
 * A request listener that answers a POST with an Authorization header to a
 * direct route with its handler from `handlers`, and hands everything else to
 * `fallback` (Next.js's own request handler). A path whose percent-escapes do
 * not decode is a 400 for every route.
 */
export function directListener(
  handlers: ReadonlyMap<DirectRoute, RouteHandler>,
  fallback: RequestListener,
  onError: (err: unknown) => void,
): RequestListener {
  // The route's own wrapper answers every error it knows; this is what escapes it.
  const escaped = (err: unknown) => {
    onError(err);
    return Response.json({ error: "Something went wrong on the server; the error was logged." }, { status: 500 });
  };
  return (req, res) => {
    if (!pathDecodes(req.url ?? "/")) {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "The path has a malformed percent-escape." }));
      return;
    }
    const target = req.method === "POST" && req.headers.authorization !== undefined ? parseDirectPath(req.url ?? "") : null;
    const handler = target && handlers.get(target.route);
    if (!target || !handler) return fallback(req, res);
    const params = Promise.resolve({ id: target.id });
    return createRequestListener((request) => handler(request, { params }), { onError: escaped })(req, res);
  };
}
