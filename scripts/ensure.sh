#!/usr/bin/env bash
# Installs what the project needs when it is missing. Sourced by start.sh and test.sh.

ensure_node_modules() {
  if [[ ! -d node_modules ]] || [[ ! -f node_modules/.package-lock.json ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
    echo "[setup] installing npm dependencies (npm ci)" >&2
    # --include=dev: npm start exports NODE_ENV=production, which would skip the build tools.
    npm ci --no-audit --no-fund --include=dev
  fi
}

ensure_chromium() {
  if [[ -x /usr/bin/chromium ]]; then return 0; fi
  echo "[setup] installing Debian's chromium for the end-to-end tests" >&2
  local sudo=""
  if [[ "$(id -u)" != "0" ]]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
}

build_is_fresh() {
  [[ -f "$1/BUILD_ID" ]] && [[ -z "$(find app components lib models public next.config.ts package-lock.json postcss.config.mjs -newer "$1/BUILD_ID" -type f -not -name '*.test.ts' 2>/dev/null | head -1)" ]]
}

# Builds the production bundle when it is missing or older than any source file.
# Nodes started together on one checkout (npm run web twice) would both build, and
# the second next build refuses to run beside the first: one builds under a lock,
# the others wait for it and find the build fresh.
ensure_build() {
  local dist="${NEXT_DIST_DIR:-.next}"
  if build_is_fresh "$dist"; then return 0; fi
  local lock_fd=""
  if command -v flock >/dev/null 2>&1; then
    exec {lock_fd}>"${dist%/}.build-lock"
    flock "$lock_fd"
    if build_is_fresh "$dist"; then
      exec {lock_fd}>&-
      return 0
    fi
  fi
  echo "[setup] building the app (next build into $dist)" >&2
  local status=0
  npx next build || status=$?
  if [[ -n "$lock_fd" ]]; then exec {lock_fd}>&-; fi
  return "$status"
}
