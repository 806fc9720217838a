import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";

// npm start's supervision (scripts/process-groups.sh, scripts/watchdog.sh) over a
// stand-in tree: the same functions start.sh uses, with shell loops for the
// worker, the web server and the database. Each stand-in appends its name to
// an order file when it is stopped.
const ROOT = path.resolve(__dirname, "..");

const FAKE_START = `#!/usr/bin/env bash
set -euo pipefail
source "${ROOT}/scripts/process-groups.sh"
dir="$1"
# Each stand-in says it is ready once its trap is set: a TERM before that would stop it without its line in the order file.
stand_in() { echo "trap 'echo $1 >> \\"$dir/order\\"; exit 0' TERM; touch \\"$dir/ready.$1\\"; while true; do sleep 0.1; done"; }
ready() { local name; for name in "$@"; do while [[ ! -f "$dir/ready.$name" ]]; do sleep 0.05; done; done; }
cleanup() {
  trap '' INT TERM
  trap - EXIT
  stop_groups
  bash "${ROOT}/scripts/db.sh" stop "$dir/db"
  stop_watchdog
}
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
trap cleanup EXIT
start_watchdog
mkdir -p "$dir/db"
track_db "$dir/db"
# Like db.sh start: the database runs in the script's group but is not its child, its pid in its data folder.
(bash -c "$(stand_in database)" & echo $! >"$dir/db/ferretdb.pid")
ready database
if [[ "\${2:-}" == "slow-step" ]]; then
  # Like npx running the seed: a foreground step whose work happens in a grandchild.
  printf 'script %s\\nwatchdog %s\\nstate %s\\ndatabase %s\\n' "$$" "$WATCHDOG_PID" "$STATE_FILE" "$(cat "$dir/db/ferretdb.pid")" >"$dir/step-pids"
  bash -c 'sleep 1000 & echo "step $!" >>"$1/step-pids"; mv "$1/step-pids" "$1/pids"; wait' step "$dir"
fi
start_group bash -c "$(stand_in worker)"
start_group bash -c "$(stand_in server)"
ready worker server
printf 'script %s\\nwatchdog %s\\nstate %s\\ndatabase %s\\nworker %s\\nserver %s\\n' "$$" "$WATCHDOG_PID" "$STATE_FILE" "$(cat "$dir/db/ferretdb.pid")" "\${pids[0]}" "\${pids[1]}" >"$dir/pids.tmp"
mv "$dir/pids.tmp" "$dir/pids"
wait -n "\${pids[@]}"
`;

/** Alive and not a zombie waiting to be reaped. */
function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

async function until(ok: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

interface Tree {
  dir: string;
  launcher: number;
  pids: Record<string, number>;
  state: string;
  order: () => string[];
}

/**
 * Starts the stand-in tree the way npm does: a node process (npm) runs
 * `sh -c "bash fake-start.sh"`. Returns once every stand-in is running, or, for
 * "slow-step", while the script waits for a step that would run for a long time.
 */
async function startTree(mode: "" | "slow-step" = ""): Promise<Tree> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nba-groups-"));
  fs.writeFileSync(path.join(dir, "fake-start.sh"), FAKE_START);
  const npm = spawn(process.execPath, ["-e", `require("child_process").spawn("sh", ["-c", process.argv[1]], { stdio: "inherit" }); setInterval(() => {}, 1000);`, `bash "${dir}/fake-start.sh" "${dir}" ${mode}`], {
    stdio: "ignore",
    detached: true,
  });
  const pidsFile = path.join(dir, "pids");
  await until(() => fs.existsSync(pidsFile), 15_000, "the stand-in tree to start");
  const entries = fs
    .readFileSync(pidsFile, "utf8")
    .trim()
    .split("\n")
    .map((l) => l.split(" ") as [string, string]);
  const pids = Object.fromEntries(entries.filter(([k]) => k !== "state").map(([k, v]) => [k, Number(v)])) as Tree["pids"];
  const state = entries.find(([k]) => k === "state")![1];
  cleanups.push(async () => {
    // A tree still standing stops itself in order (its watchdog and state file go too); anything left after that is killed.
    if (isAlive(pids.script)) {
      process.kill(pids.script, "SIGTERM");
      await until(() => !isAlive(pids.script), 20_000, "the stand-in script to stop").catch(() => undefined);
    }
    for (const pid of [npm.pid!, ...Object.values(pids)]) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    fs.rmSync(state, { force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const order = () => (fs.existsSync(path.join(dir, "order")) ? fs.readFileSync(path.join(dir, "order"), "utf8").trim().split("\n") : []);
  return { dir, launcher: npm.pid!, pids, state, order };
}

function expectAllStopped(tree: Tree, started = ["database", "server", "worker"]) {
  for (const [name, pid] of Object.entries(tree.pids)) expect(isAlive(pid), `${name} (${pid})`).toBe(false);
  expect(fs.existsSync(tree.state)).toBe(false);
  const order = tree.order();
  expect([...order].sort()).toEqual(started);
  // The database is stopped only after everything that talks to it.
  expect(order.at(-1)).toBe("database");
}

describe("npm start's process tree", () => {
  it("stops in order when npm is killed with SIGKILL", async () => {
    const tree = await startTree();
    process.kill(tree.launcher, "SIGKILL");
    await until(() => !Object.values(tree.pids).some(isAlive), 45_000, "every process to stop");
    expectAllStopped(tree);
  });

  it("stops the children and the database when the start script itself is killed with SIGKILL", async () => {
    const tree = await startTree();
    process.kill(tree.pids.script, "SIGKILL");
    await until(() => !Object.values(tree.pids).some(isAlive), 45_000, "every process to stop");
    expectAllStopped(tree);
  });

  it("stops in order on SIGTERM, as before, and the watchdog leaves with it", async () => {
    const tree = await startTree();
    process.kill(tree.pids.script, "SIGTERM");
    await until(() => !Object.values(tree.pids).some(isAlive), 45_000, "every process to stop");
    expectAllStopped(tree);
  });

  it("ends the step the script is in (a build, the seed) when npm dies, and starts nothing after it", async () => {
    const tree = await startTree("slow-step");
    expect(isAlive(tree.pids.step)).toBe(true);
    process.kill(tree.launcher, "SIGKILL");
    await until(() => !Object.values(tree.pids).some(isAlive), 45_000, "every process to stop");
    expectAllStopped(tree, ["database"]);
  });

  it("leaves a healthy tree alone", async () => {
    const tree = await startTree();
    await new Promise((r) => setTimeout(r, 2500));
    for (const [name, pid] of Object.entries(tree.pids)) expect(isAlive(pid), name).toBe(true);
    expect(tree.order()).toEqual([]);
  });
}, 120_000);

describe("the port check npm start runs first", () => {
  function checkPorts(env: Record<string, string>, dbDataDir?: string) {
    const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/check-ports.ts", ...(dbDataDir ? [dbDataDir] : [])], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_ENV: "test", ...env },
      encoding: "utf8",
    });
    return { code: r.status, stderr: r.stderr.trim() };
  }

  async function occupiedPort(): Promise<{ port: number; close: () => void }> {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    cleanups.push(() => void srv.close());
    return { port: (srv.address() as net.AddressInfo).port, close: () => srv.close() };
  }

  async function freePort(): Promise<number> {
    const { port, close } = await occupiedPort();
    close();
    return port;
  }

  it("names PORT or DB_PORT, whichever is taken, in one sentence", async () => {
    const busy = (await occupiedPort()).port;
    const free = await freePort();
    const web = checkPorts({ PORT: String(busy), MONGODB_URI: "mongodb://127.0.0.1:1/x" });
    expect(web.code).toBe(1);
    expect(web.stderr).toBe(
      `[start] Port ${busy} (PORT) on 127.0.0.1 is already in use; stop the program listening there (an earlier npm start?) or choose another port with PORT=<port>.`,
    );
    const db = checkPorts({ PORT: String(free), DB_PORT: String(busy) });
    expect(db.code).toBe(1);
    expect(db.stderr).toMatch(new RegExp(`^\\[start\\] Port ${busy} \\(DB_PORT\\) on 127\\.0\\.0\\.1 is already in use;[^\\n]*DB_PORT=<port>\\.$`));
    // With a server of its own, DB_PORT is not checked.
    expect(checkPorts({ PORT: String(free), DB_PORT: String(busy), MONGODB_URI: "mongodb://127.0.0.1:1/x" }).code).toBe(0);
  });

  it("lets npm start reuse its own embedded database on DB_PORT, and refuses a bad value by name", async () => {
    const busy = (await occupiedPort()).port;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "nba-own-db-"));
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    fs.writeFileSync(path.join(dataDir, "ferretdb.pid"), String(process.pid));
    fs.writeFileSync(path.join(dataDir, "ferretdb.port"), String(busy));
    expect(checkPorts({ PORT: String(await freePort()), DB_PORT: String(busy) }, dataDir).code).toBe(0);
    const bad = checkPorts({ PORT: "http" });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^\[start\] Invalid configuration: PORT [^\n]*\.$/);
  });
});
