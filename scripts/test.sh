#!/usr/bin/env bash
# npm test: install what is missing, then run every test against real parts:
# vitest (unit + integration on a throwaway FerretDB) and Playwright (Debian's
# Chromium against a production build with its own database). Exits non-zero on
# any failure and prints each runner's summary and a combined line.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/ensure.sh
export NEXT_TELEMETRY_DISABLED=1
RESULTS_DIR="$PWD/.data/test-results"
mkdir -p "$RESULTS_DIR"
rm -f "$RESULTS_DIR"/*.json

set -e
ensure_node_modules
ensure_chromium
bash scripts/db.sh install
set +e

status=0

echo "== unit and integration tests (vitest, real FerretDB) =="
npx vitest run --reporter=default --reporter=json --outputFile.json="$RESULTS_DIR/vitest.json" || status=1

echo "== end-to-end tests (Playwright, /usr/bin/chromium) =="
export NEXT_DIST_DIR=.next-e2e
# A free port, so a running app or another test run never collides with this one.
export E2E_PORT="${E2E_PORT:-$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{process.stdout.write(String(s.address().port));s.close()})')}"
if ensure_build; then
  PLAYWRIGHT_JSON_OUTPUT_NAME="$RESULTS_DIR/playwright.json" npx playwright test --reporter=list,json || status=1
else
  echo "next build failed: the end-to-end tests did not run"
  status=1
fi

node scripts/test-summary.mjs "$RESULTS_DIR" || status=1
exit $status
