#!/usr/bin/env bash
# npm start: install what is missing, check that the ports are free, start the
# embedded database (unless MONGODB_URI is set), seed the demo on an empty
# database, then serve the dashboard and run the job worker. Ctrl-C or SIGTERM
# stops the worker, the web server, then the database; so does the death of npm
# or of this script, even by kill -9 (scripts/watchdog.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/process-groups.sh
source scripts/ensure.sh
export NEXT_TELEMETRY_DISABLED=1
export NODE_ENV=production
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-3000}"
export HOST PORT

started_db=""
cleanup() {
  # Let the ordered stop finish whoever signals again; the database stops only
  # after everything that talks to it has exited.
  trap '' INT TERM
  trap - EXIT
  stop_groups
  if [[ -n "$started_db" ]]; then bash scripts/db.sh stop; fi
  stop_watchdog
}
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
trap cleanup EXIT
start_watchdog

ensure_node_modules
# Validate configuration, then refuse at once a port something else holds.
npx tsx scripts/check-ports.ts .data/ferretdb

if [[ -z "${MONGODB_URI:-}" ]]; then
  if bash scripts/db.sh running; then
    # Started by someone else (npm run db:start, another npm start): theirs to stop.
    echo "[start] using the embedded database already running from .data/ferretdb; it keeps running when this start stops" >&2
  else
    track_db "$PWD/.data/ferretdb"
    bash scripts/db.sh start
    started_db=1
  fi
fi

# Session cookies are signed with AUTH_SECRET: made once, kept with the data (set it yourself to share it between web nodes).
if [[ -z "${AUTH_SECRET:-}" ]]; then
  mkdir -p .data
  [[ -s .data/auth-secret ]] || (umask 077 && node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("hex"))' >.data/auth-secret)
  AUTH_SECRET="$(cat .data/auth-secret)"
  export AUTH_SECRET
fi

# Reach the database and the artifact folder before anything else starts.
npx tsx scripts/check-config.ts
ensure_build
# The seed says what it did in [seed] lines; its JSON log lines only when LOG_LEVEL asks for them.
LOG_LEVEL="${LOG_LEVEL:-warn}" npx tsx scripts/seed.ts
# Its stdout carries the link, and also any log lines at LOG_LEVEL: keep the link only.
first_sign_in="$(npx tsx scripts/first-sign-in.ts)"
first_link="$(printf '%s\n' "$first_sign_in" | grep -E '^https?://' | tail -n 1 || true)"

# The worker is restarted if it dies (a crash mid-training requeues its job);
# the web server keeps serving meanwhile.
start_group bash -c '
  while true; do
    node --import tsx scripts/worker.ts && exit 0
    echo "[start] the job worker exited ($?); restarting it in 2 s" >&2
    sleep 2
  done
'
start_group node --import tsx scripts/serve.ts
echo "[start] dashboard on http://$( [[ "$HOST" == "0.0.0.0" ]] && echo localhost || echo "$HOST" ):$PORT  (Ctrl-C stops everything)" >&2
if [[ -n "$first_link" ]]; then
  echo "[start] No admin account yet. Open this link to create it; it works once, and each start prints a new one until then:" >&2
  echo "[start]   $first_link" >&2
else
  echo "[start] Sign in with your account; an admin adds people on the Users page." >&2
fi

# Stop everything when the web server (or a worker that stopped cleanly) exits.
wait -n "${pids[@]}"
