#!/usr/bin/env bash
# The embedded MongoDB-compatible database: FerretDB with its SQLite backend.
#   scripts/db.sh install                      build FerretDB into .tools/bin when missing
#   scripts/db.sh start  [DATA_DIR] [PORT]     start it in the background, wait for ping
#   scripts/db.sh stop   [DATA_DIR]            stop the instance that owns DATA_DIR
#   scripts/db.sh running [DATA_DIR]           exit 0 when that instance is up
#   scripts/db.sh uri    [DATA_DIR] [PORT]     print the connection string
# Each instance keeps its pid, log, state and SQLite files inside its own DATA_DIR.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FERRETDB_VERSION="v1.24.2"
TOOLS_DIR="${TOOLS_DIR:-$ROOT/.tools}"
FERRETDB_BIN="$TOOLS_DIR/bin/ferretdb"
DEFAULT_DATA_DIR="$ROOT/.data/ferretdb"
DEFAULT_PORT="${DB_PORT:-27027}"
DB_NAME="${DB_NAME:-nba}"

log() { echo "[db] $*" >&2; }

install_ferretdb() {
  # Capture first: with pipefail, grep -q closing the pipe early would count as a failure.
  local have=""
  if [[ -x "$FERRETDB_BIN" ]]; then have="$("$FERRETDB_BIN" --version 2>/dev/null || true)"; fi
  if [[ "$have" == *"version: ${FERRETDB_VERSION}"* ]]; then
    return 0
  fi
  if ! command -v go >/dev/null 2>&1; then
    log "Go is needed to build FerretDB ${FERRETDB_VERSION}; install it, or set MONGODB_URI to use another MongoDB server."
    exit 1
  fi
  log "building FerretDB ${FERRETDB_VERSION} into $TOOLS_DIR/bin (first run only, about two minutes)"
  mkdir -p "$TOOLS_DIR/bin"
  GOBIN="$TOOLS_DIR/bin" go install "github.com/FerretDB/FerretDB/cmd/ferretdb@${FERRETDB_VERSION}"
  if ! "$FERRETDB_BIN" --version >/dev/null 2>&1; then
    # A binary installed from the module proxy lacks build/version/version.txt (the
    # FerretDB repository generates it) and panics at start-up. Rebuild the very
    # same module source with that one file written.
    log "writing FerretDB's version.txt and rebuilding from the same module source"
    local mod_dir src_dir
    mod_dir="$(go mod download -json "github.com/FerretDB/FerretDB@${FERRETDB_VERSION}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    src_dir="$TOOLS_DIR/src/ferretdb-${FERRETDB_VERSION}"
    rm -rf "$src_dir" && mkdir -p "$(dirname "$src_dir")"
    cp -r "$mod_dir" "$src_dir" && chmod -R u+w "$src_dir"
    echo "${FERRETDB_VERSION}" >"$src_dir/build/version/version.txt"
    (cd "$src_dir" && GOBIN="$TOOLS_DIR/bin" GOFLAGS=-buildvcs=false go install ./cmd/ferretdb)
    rm -rf "$src_dir"
  fi
  "$FERRETDB_BIN" --version >/dev/null
}

ping_db() {
  # A bare TCP connect is not enough: the server must answer the wire protocol.
  node -e '
    const { MongoClient } = require("mongodb");
    const c = new MongoClient("mongodb://127.0.0.1:" + process.argv[1] + "/admin", { serverSelectionTimeoutMS: 500, connectTimeoutMS: 500 });
    c.db("admin").command({ ping: 1 }).then((r) => process.exit(r.ok === 1 ? 0 : 1), () => process.exit(1));
  ' "$1" 2>/dev/null
}

start_db() {
  local data_dir="${1:-$DEFAULT_DATA_DIR}" port="${2:-$DEFAULT_PORT}"
  install_ferretdb
  mkdir -p "$data_dir/sqlite" "$data_dir/state"
  if [[ -f "$data_dir/ferretdb.pid" ]] && kill -0 "$(cat "$data_dir/ferretdb.pid")" 2>/dev/null; then
    if ping_db "$(cat "$data_dir/ferretdb.port")"; then
      log "already running on port $(cat "$data_dir/ferretdb.port")"
      return 0
    fi
  fi
  if ping_db "$port"; then
    log "port $port is taken by another server; choose another with DB_PORT"
    exit 1
  fi
  "$FERRETDB_BIN" \
    --listen-addr="127.0.0.1:$port" \
    --handler=sqlite \
    --sqlite-url="file:$data_dir/sqlite/" \
    --state-dir="$data_dir/state" \
    --debug-addr=- \
    --telemetry=disable \
    --log-level=warn \
    >"$data_dir/ferretdb.log" 2>&1 &
  echo $! >"$data_dir/ferretdb.pid"
  echo "$port" >"$data_dir/ferretdb.port"
  for _ in $(seq 1 100); do
    if ping_db "$port"; then
      log "FerretDB ${FERRETDB_VERSION} (SQLite) answering on 127.0.0.1:$port, data in $data_dir"
      return 0
    fi
    if ! kill -0 "$(cat "$data_dir/ferretdb.pid")" 2>/dev/null; then
      log "FerretDB exited during start-up; its log says:"
      tail -20 "$data_dir/ferretdb.log" >&2
      exit 1
    fi
    sleep 0.2
  done
  log "FerretDB did not answer ping within 20 s; see $data_dir/ferretdb.log"
  exit 1
}

# Exit status 0 when the instance that owns DATA_DIR is running and answers.
running_db() {
  local data_dir="${1:-$DEFAULT_DATA_DIR}"
  [[ -f "$data_dir/ferretdb.pid" && -f "$data_dir/ferretdb.port" ]] || return 1
  kill -0 "$(cat "$data_dir/ferretdb.pid")" 2>/dev/null || return 1
  ping_db "$(cat "$data_dir/ferretdb.port")"
}

stop_db() {
  local data_dir="${1:-$DEFAULT_DATA_DIR}"
  local pid_file="$data_dir/ferretdb.pid"
  [[ -f "$pid_file" ]] || return 0
  local pid; pid="$(cat "$pid_file")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pid_file"
}

uri() {
  local data_dir="${1:-$DEFAULT_DATA_DIR}" port="${2:-}"
  [[ -n "$port" ]] || port="$(cat "$data_dir/ferretdb.port" 2>/dev/null || echo "$DEFAULT_PORT")"
  echo "mongodb://127.0.0.1:$port/$DB_NAME"
}

case "${1:-}" in
  install) install_ferretdb ;;
  start) shift; start_db "$@" ;;
  stop) shift; stop_db "$@" ;;
  running) shift; running_db "$@" ;;
  uri) shift; uri "$@" ;;
  *) echo "usage: scripts/db.sh install|start|stop|running|uri [DATA_DIR] [PORT]" >&2; exit 2 ;;
esac
