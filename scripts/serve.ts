// The web server (npm start, npm run web, the end-to-end tests): the production
// build served by Next.js, except predictions asked with an API token, which go
// straight to their route handler from the same build (scripts/direct-routes.ts
// says why). Listens on HOST:PORT; SIGTERM or SIGINT finishes the requests in
// flight, then exits.
import http from "node:http";
import path from "node:path";
import next from "next";
import { ConfigError, config } from "@/lib/config";
import { logger } from "@/lib/log";
import nextConfig from "../next.config";
import { DIRECT_ROUTES, directListener, loadBuiltHandler, type DirectRoute } from "./direct-routes";

const PROJECT_ROOT = path.resolve(__dirname, "..");

async function main() {
  const { host, port } = config();
  const app = next({ dev: false, dir: PROJECT_ROOT, hostname: host, port });
  await app.prepare();
  const nextHandler = app.getRequestHandler();
  const fallback: http.RequestListener = (req, res) => void nextHandler(req, res);

  const distDir = path.join(PROJECT_ROOT, nextConfig.distDir ?? ".next");
  const handlers = new Map<DirectRoute, Awaited<ReturnType<typeof loadBuiltHandler>>>();
  for (const route of DIRECT_ROUTES) {
    try {
      handlers.set(route, await loadBuiltHandler(distDir, route));
    } catch (err) {
      // Still correct, only slower: Next.js answers this route as it answers every other.
      logger.warn({ route: route.route, err: String(err) }, "route not served directly; Next.js answers it");
    }
  }

  const server = http.createServer(
    directListener(handlers, fallback, (err) => logger.error({ err }, "unhandled error in a directly served route")),
  );
  server.on("error", (err) => {
    console.error(`[web] cannot listen on ${host}:${port}: ${err.message}`);
    process.exit(1);
  });
  server.listen(port, host, () => {
    logger.info({ host, port, direct: [...handlers.keys()].map((r) => r.route) }, "web server ready");
  });

  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    // Requests in flight finish first; a stuck one does not hold the stop up.
    setTimeout(() => process.exit(code), 5000).unref();
    server.close(() => {
      void app.close().finally(() => process.exit(code));
    });
  };
  process.on("SIGTERM", () => stop(143));
  process.on("SIGINT", () => stop(130));
}

main().catch((err: unknown) => {
  console.error(`[web] ${err instanceof ConfigError ? err.message : err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
