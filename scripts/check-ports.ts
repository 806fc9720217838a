// Run by npm start before anything listens: validates the configuration and
// checks that PORT (and, for the embedded database, DB_PORT) is free, so a port
// held by another program (or by an earlier start) is one sentence, not an
// EADDRINUSE stack trace after the build.
//   tsx scripts/check-ports.ts [EMBEDDED_DB_DATA_DIR]
// An embedded database already running from that folder on DB_PORT is ours to reuse.
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { ConfigError, config } from "@/lib/config";

function isFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", (err: NodeJS.ErrnoException) => (err.code === "EADDRINUSE" || err.code === "EACCES" ? resolve(false) : reject(err)));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

function ownDatabaseOn(port: number, dataDir: string | undefined): boolean {
  if (!dataDir) return false;
  try {
    const pid = Number(fs.readFileSync(path.join(dataDir, "ferretdb.pid"), "utf8"));
    const ownPort = Number(fs.readFileSync(path.join(dataDir, "ferretdb.port"), "utf8"));
    process.kill(pid, 0);
    return ownPort === port;
  } catch {
    return false;
  }
}

async function main() {
  const cfg = config();
  const checks = [{ variable: "PORT", port: cfg.port, host: cfg.host }];
  if (cfg.embedded && !ownDatabaseOn(cfg.dbPort, process.argv[2])) checks.push({ variable: "DB_PORT", port: cfg.dbPort, host: "127.0.0.1" });
  for (const c of checks) {
    if (!(await isFree(c.port, c.host))) {
      throw new ConfigError(
        `Port ${c.port} (${c.variable}) on ${c.host} is already in use; stop the program listening there (an earlier npm start?) or choose another port with ${c.variable}=<port>.`,
      );
    }
  }
}

main().catch((err: unknown) => {
  console.error(`[start] ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
