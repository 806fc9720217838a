/**
 * What the benchmark and the evaluation share around their measurements: a
 * throwaway place to run in, timed progress lines, the report files, the exit.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { resetConfigForTests } from "@/lib/config";
import { connectDb, disconnectDb } from "@/lib/db";
import { PROJECT_ROOT, freePort } from "./local-cluster";

export { PROJECT_ROOT, freePort };


export interface ThrowawayEnv {
  artifactDir: string;
  close(): Promise<void>;
}


/** The same server and options, another database name. */
export function withDatabase(uri: string, database: string): string {
  const m = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(\/[^?]*)?(\?.*)?$/.exec(uri.trim());
  if (!m) throw new Error("MONGODB_URI does not look like mongodb://host:port/database.");
  return `${m[1]}/${database}${m[3] ?? ""}`;
}

/**
 * Its own database (a FerretDB on a free port with its data in a temp folder,
 * or a fresh database on the server MONGODB_URI names) and its own ARTIFACT_DIR
 * and DATA_DIR, so a run never touches the app's data. They are set in
 * process.env, so child processes inherit them. `close()` removes all of it.
 */
export async function openThrowawayEnv(label: string, log: (line: string) => void): Promise<ThrowawayEnv> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `nba-${label}-`));
  const artifactDir = path.join(tmp, "artifacts");
  const dataDir = path.join(tmp, "datasets");
  fs.mkdirSync(artifactDir, { recursive: true });
  fs.mkdirSync(dataDir, { recursive: true });
  const database = `${label}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;

  let uri: string;
  let dbDir: string | null = null;
  if (process.env.MONGODB_URI) {
    uri = withDatabase(process.env.MONGODB_URI, database);
    log(`using MONGODB_URI's server, database ${database}`);
  } else {
    dbDir = path.join(tmp, "ferretdb");
    const port = await freePort();
    log(`starting a throwaway FerretDB on port ${port}`);
    execFileSync("bash", [path.join(PROJECT_ROOT, "scripts/db.sh"), "start", dbDir, String(port)], { stdio: ["ignore", "inherit", "inherit"] });
    uri = `mongodb://127.0.0.1:${port}/${database}`;
  }

  process.env.MONGODB_URI = uri;
  process.env.ARTIFACT_DIR = artifactDir;
  process.env.DATA_DIR = dataDir;
  resetConfigForTests();

  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    try {
      if (!dbDir) {
        const m = await connectDb(uri);
        await m.connection.dropDatabase();
      }
    } catch {
      // best effort: the folder and server go away below anyway
    } finally {
      await disconnectDb().catch(() => undefined);
      if (dbDir) execFileSync("bash", [path.join(PROJECT_ROOT, "scripts/db.sh"), "stop", dbDir], { stdio: "ignore" });
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: cleaning up`);
    close().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  return { artifactDir, close };
}

/** Progress lines timed from the script's start, "[bench   12 s] ..."; `ms()` is that time. */
export function progressLog(tag: string) {
  const started = performance.now();
  const ms = () => performance.now() - started;
  return Object.assign((line: string) => console.log(`[${tag} ${(ms() / 1000).toFixed(0).padStart(4)} s] ${line}`), { ms });
}

/** Writes bench/NAME.json and bench/NAME.md. */
export function writeReport(name: string, report: object, markdown: string): void {
  const dir = path.join(PROJECT_ROOT, "bench");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(report, null, 2) + "\n");
  fs.writeFileSync(path.join(dir, `${name}.md`), markdown);
}

/** Exits with main's code (0 when it returns none), or prints the failure and exits 1. */
export function runScript(tag: string, main: () => Promise<number | void>): void {
  main().then(
    (code) => process.exit(code ?? 0),
    (err: unknown) => {
      console.error(`[${tag}] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.exit(1);
    },
  );
}
