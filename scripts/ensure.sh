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

# Builds the production bundle when it is missing or older than any source file.
ensure_build() {
  local dist="${NEXT_DIST_DIR:-.next}"
  if [[ -f "$dist/BUILD_ID" ]] && [[ -z "$(find app components lib models public next.config.ts package-lock.json postcss.config.mjs -newer "$dist/BUILD_ID" -type f -not -name '*.test.ts' 2>/dev/null | head -1)" ]]; then
    return 0
  fi
  echo "[setup] building the app (next build into $dist)" >&2
  npx next build
}
