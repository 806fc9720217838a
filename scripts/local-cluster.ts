/**
 * Several web nodes and workers on this machine against one database, started
 * with the commands the README gives for extra nodes (`npm run web`'s script,
 * `npm run worker`'s entry point), each with a DATA_DIR of its own and nothing
 * on disk in common. Used by the cluster test and by bench:scale.
 *
 * Every process runs in a process group of its own and is listed in a state
 * file that scripts/watchdog.sh watches: stop() ends them all (and the
 * database this started), and so does the watchdog if the process that opened
 * the cluster dies, even by SIGKILL.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";

export const PROJECT_ROOT = path.resolve(__dirname, "..");

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no free port"))));
    });
  });
}

export interface ClusterNode {
  name: string;
  kind: "web" | "worker";
  /** Also the process group's id. */
  pid: number;
  /** This node's own DATA_DIR. */
  dataDir: string;
  /** http://127.0.0.1:PORT for a web node. */
  url: string;
  /** Every line the process printed, stdout and stderr. */
  lines: string[];
  /** Its stdout lines that are JSON log records. */
  logs: Array<Record<string, unknown>>;
  exited: Promise<void>;
  alive(): boolean;
}

export interface ClusterOptions {
  label: string;
  /** Where the nodes keep artifacts; gridfs:// so that they share no disk. */
  artifactDir?: string;
  /** A server to use; by default a FerretDB of the cluster's own, stopped with it. */
  mongodbUri?: string;
  /** The production build the web nodes serve (NEXT_DIST_DIR). */
  distDir?: string;
  /** Variables every node gets, over the defaults. */
  env?: Record<string, string>;
  say?: (line: string) => void;
}

export interface Cluster {
  dir: string;
  mongodbUri: string;
  adminToken: string;
  startWeb(name: string, env?: Record<string, string>): Promise<ClusterNode>;
  startWorker(name: string, env?: Record<string, string>): Promise<ClusterNode>;
  /** SIGKILL to the node's whole process group; resolves once it has exited. */
  kill9(node: ClusterNode): Promise<void>;
  /** Stops one node as Ctrl-C would (TERM, then KILL after 10 s). */
  stopNode(node: ClusterNode): Promise<void>;
  /** Last lines of every node, for a failure report. */
  tails(lines?: number): string;
  stop(): Promise<void>;
}

const randomHex = (bytes: number) => crypto.randomBytes(bytes).toString("hex");

async function until<T>(what: string, ms: number, probe: () => Promise<T | null> | T | null): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const got = await probe();
    if (got !== null) return got;
    if (Date.now() > end) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

export async function openCluster(opts: ClusterOptions): Promise<Cluster> {
  const say = opts.say ?? (() => undefined);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `nba-${opts.label}-`));
  const stateFile = path.join(dir, "processes");
  const nodes: ClusterNode[] = [];
  const children: ChildProcess[] = [];
  fs.writeFileSync(stateFile, "");
  // Watches this process: if it dies without stop(), the watchdog stops every group listed and the database.
  const watchdog = spawn("bash", [path.join(PROJECT_ROOT, "scripts/watchdog.sh"), stateFile, String(process.pid)], { detached: true, stdio: "ignore" });
  watchdog.unref();

  let dbDir: string | null = null;
  let mongodbUri = opts.mongodbUri;
  if (!mongodbUri) {
    dbDir = path.join(dir, "ferretdb");
    const port = await freePort();
    fs.appendFileSync(stateFile, `db ${dbDir}\n`);
    execFileSync("bash", [path.join(PROJECT_ROOT, "scripts/db.sh"), "start", dbDir, String(port)], { stdio: ["ignore", "ignore", "inherit"] });
    mongodbUri = `mongodb://127.0.0.1:${port}/${opts.label.replace(/\W/g, "_")}`;
  }
  const adminToken = randomHex(32);
  const common: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    MONGODB_URI: mongodbUri,
    ARTIFACT_DIR: opts.artifactDir ?? "gridfs://cluster_artifacts",
    AUTH_SECRET: randomHex(32),
    ADMIN_TOKEN: adminToken,
    LOG_LEVEL: "info",
    ...(opts.distDir ? { NEXT_DIST_DIR: opts.distDir } : {}),
    ...opts.env,
  };

  function launch(name: string, kind: ClusterNode["kind"], command: string[], env: Record<string, string>, url: string): ClusterNode {
    const dataDir = path.join(dir, "nodes", name, "datasets");
    fs.mkdirSync(dataDir, { recursive: true });
    const child: ChildProcess = spawn(command[0], command.slice(1), {
      cwd: PROJECT_ROOT,
      env: { ...common, DATA_DIR: dataDir, ...env } as NodeJS.ProcessEnv,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    const pid = child.pid!;
    fs.appendFileSync(stateFile, `group ${pid}\n`);
    const lines: string[] = [];
    const logs: Array<Record<string, unknown>> = [];
    const logFile = path.join(dir, "nodes", name, "output.log");
    for (const stream of [child.stdout!, child.stderr!]) {
      readline.createInterface({ input: stream }).on("line", (line) => {
        lines.push(line);
        fs.appendFileSync(logFile, `${line}\n`);
        if (line.startsWith("{")) {
          try {
            logs.push(JSON.parse(line) as Record<string, unknown>);
          } catch {
            // not a log record
          }
        }
      });
    }
    let running = true;
    const exited = new Promise<void>((resolve) => child.once("exit", () => ((running = false), resolve())));
    const node: ClusterNode = { name, kind, pid, dataDir, url, lines, logs, exited, alive: () => running };
    nodes.push(node);
    return node;
  }

  const failedToStart = (node: ClusterNode, what: string) =>
    new Error(`${node.name} ${what}; its last lines:\n${node.lines.slice(-20).join("\n")}`);

  const cluster: Cluster = {
    dir,
    mongodbUri,
    adminToken,

    async startWeb(name, env = {}) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const node = launch(name, "web", ["bash", "scripts/web.sh"], { HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "warn", ...env }, url);
      await until(`${name} to answer on ${url}`, 120_000, async () => {
        if (!node.alive()) throw failedToStart(node, "exited while starting");
        const res = await fetch(`${url}/api/health`).catch(() => null);
        return res?.ok ? true : null;
      });
      say(`${name}: web node on ${url} (pid ${node.pid})`);
      return node;
    },

    async startWorker(name, env = {}) {
      const node = launch(name, "worker", [process.execPath, "--import", "tsx", "scripts/worker.ts"], env, "");
      await until(`${name} to be ready`, 60_000, () => {
        if (!node.alive()) throw failedToStart(node, "exited while starting");
        return node.logs.some((l) => l.msg === "worker ready") ? true : null;
      });
      say(`${name}: worker (pid ${node.pid})`);
      return node;
    },

    async kill9(node) {
      signalGroup(node.pid, "SIGKILL");
      await node.exited;
    },

    async stopNode(node) {
      signalGroup(node.pid, "SIGTERM");
      const end = Date.now() + 10_000;
      while (groupAlive(node.pid) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
      signalGroup(node.pid, "SIGKILL");
      await node.exited;
    },

    tails(count = 15) {
      return nodes.map((n) => `--- ${n.name} (${n.alive() ? "running" : "exited"}) ---\n${n.lines.slice(-count).join("\n")}`).join("\n");
    },

    async stop() {
      // Workers first, then web nodes, then the database: nothing is left talking to a stopped server.
      for (const kind of ["worker", "web"] as const) {
        await Promise.all(nodes.filter((n) => n.kind === kind).map((n) => cluster.stopNode(n)));
      }
      fs.rmSync(stateFile, { force: true });
      if (watchdog.pid) signalGroup(watchdog.pid, "SIGTERM");
      if (dbDir) execFileSync("bash", [path.join(PROJECT_ROOT, "scripts/db.sh"), "stop", dbDir], { stdio: "ignore" });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}
