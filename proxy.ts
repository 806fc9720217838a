import { getSessionCookie } from "better-auth/cookies";
import { NextResponse, type NextRequest } from "next/server";
import { checkRequest } from "@/lib/auth/guards";
import { config as appConfig } from "@/lib/config";

/** Pages anyone may open: signing in, and the first-start link. */
const OPEN_PAGES = ["/sign-in", "/setup"];

/**
 * Runs before every route, page and server action: refuses foreign Host
 * headers and cross-site writes, and sends visitors without a session cookie to
 * the sign-in page (pages and actions still check the session itself; this only
 * saves a round trip).
 */
export function proxy(req: NextRequest) {
  const cfg = appConfig();
  const refusal = checkRequest(req, { hosts: cfg.allowedHosts, publicUrl: cfg.publicUrl });
  if (refusal) return NextResponse.json({ error: refusal.message }, { status: refusal.status });
  const path = req.nextUrl.pathname;
  const isPage = !path.startsWith("/api/") && !path.startsWith("/_next/") && !/\.[a-z0-9]+$/i.test(path);
  if (isPage && req.method === "GET" && !OPEN_PAGES.includes(path) && !getSessionCookie(req)) {
    const signIn = new URL("/sign-in", req.url);
    if (path !== "/") signIn.searchParams.set("next", path + req.nextUrl.search);
    return NextResponse.redirect(signIn);
  }
  return NextResponse.next();
}

/**
 * Everything but the paths that take large bodies or are served hot: POST
 * /api/datasets, POST /api/models/import and the two predict paths. When a
 * proxy runs, Next.js reads the whole request body into memory (twice) before
 * the route starts, and cuts it at experimental.proxyClientMaxBodySize: an
 * upload could neither be streamed nor refused early, and a larger CSV arrived
 * truncated; a 1,000-row predict paid for the copies on every request. Those
 * routes run the same Host and cross-site checks themselves
 * (route(..., { unproxied }) in app/api/_lib/respond.ts).
 */
export const config = {
  matcher: ["/((?!api/datasets$|api/models/import$|api/models/[^/]+/predict$|api/ensembles/[^/]+/predict$).*)"],
};
