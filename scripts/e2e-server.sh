#!/usr/bin/env bash
# The server Playwright tests against: a throwaway database, worker and production
# build, all with their data under .data/e2e (wiped at each start). Everything
# stops when Playwright stops it, and also when Playwright dies (scripts/watchdog.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/process-groups.sh
export NEXT_TELEMETRY_DISABLED=1
export NODE_ENV=production
E2E_DIR="${E2E_DIR:-$PWD/.data/e2e}"
E2E_PORT="${E2E_PORT:-3100}"
E2E_DB_PORT="${E2E_DB_PORT:-$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{process.stdout.write(String(s.address().port));s.close()})')}"
rm -rf "$E2E_DIR" && mkdir -p "$E2E_DIR"

cleanup() {
  trap '' INT TERM
  trap - EXIT
  # The database stops only after everything that talks to it has exited.
  stop_groups
  bash scripts/db.sh stop "$E2E_DIR/db"
  stop_watchdog
}
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
trap cleanup EXIT
start_watchdog

track_db "$E2E_DIR/db"
bash scripts/db.sh start "$E2E_DIR/db" "$E2E_DB_PORT"
export MONGODB_URI="mongodb://127.0.0.1:$E2E_DB_PORT/e2e"
export ARTIFACT_DIR="$E2E_DIR/artifacts"
export DATA_DIR="$E2E_DIR/datasets"
export LOG_LEVEL="${LOG_LEVEL:-warn}"
export AUTH_SECRET="${AUTH_SECRET:-$(node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("hex"))')}"
export HOST=127.0.0.1 PORT="$E2E_PORT"

# The specs sign in through the real first-start flow: they read the link this prints.
npx tsx scripts/first-sign-in.ts >"$E2E_DIR/first-sign-in.url"

start_group node --import tsx scripts/worker.ts
start_group node --import tsx scripts/serve.ts
wait -n "${pids[@]}"
