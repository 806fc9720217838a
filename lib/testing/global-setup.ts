import { execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/**
 * Vitest global setup: unless TEST_MONGODB_URI points at a server already, start a
 * throwaway FerretDB (SQLite) on a free port with its data in a temp folder, so a
 * test run never touches the app's data or collides with a running app.
 */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

export default async function setup() {
  if (process.env.TEST_MONGODB_URI) return;
  const root = path.resolve(__dirname, "../..");
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "nba-test-db-"));
  const port = await freePort();
  execFileSync("bash", [path.join(root, "scripts/db.sh"), "start", dataDir, String(port)], { stdio: "inherit" });
  process.env.TEST_MONGODB_URI = `mongodb://127.0.0.1:${port}`;
  process.env.TEST_DB_DATA_DIR = dataDir;
  return () => {
    execFileSync("bash", [path.join(root, "scripts/db.sh"), "stop", dataDir], { stdio: "inherit" });
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}
