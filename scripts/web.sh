#!/usr/bin/env bash
# npm run web: one more web node for a deployment whose database and workers run
# elsewhere (README, "Many machines"): no database, seed or
# worker here. Validates the configuration and reaches the database, builds when
# the build is missing or older than the sources, then serves HOST:PORT until
# stopped. Every web node needs the same AUTH_SECRET and, without a shared disk,
# ARTIFACT_DIR=gridfs://<bucket>.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/ensure.sh
export NEXT_TELEMETRY_DISABLED=1
export NODE_ENV=production
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-3000}"
export HOST PORT

# A secret of its own would sign sessions no other node accepts: take the first node's, never make one.
if [[ -z "${AUTH_SECRET:-}" ]]; then
  if [[ -s .data/auth-secret ]]; then
    AUTH_SECRET="$(cat .data/auth-secret)"
    export AUTH_SECRET
  else
    echo "[web] AUTH_SECRET is not set: give every web node the same value (the first node keeps it in .data/auth-secret)." >&2
    exit 1
  fi
fi

npx tsx scripts/check-config.ts
ensure_build
exec node --import tsx scripts/serve.ts
