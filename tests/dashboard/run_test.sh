#!/usr/bin/env bash
# ctest: the dashboard's browser test (node's test runner, playwright-core
# driving Debian's chromium). Usage: run_test.sh RELAIS_BINARY SOURCE_DIR ARTIFACT_DIR [TEST_FILE]
# (TEST_FILE: dashboard_test.mjs unless given).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
command -v node >/dev/null || { echo "node is not installed (./scripts/test installs nodejs)"; exit 1; }
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { echo "chromium is not installed (./scripts/test installs it)"; exit 1; }
[ -d "$here/node_modules/playwright-core" ] || { echo "playwright-core missing: run 'npm ci' in $here (./scripts/test does)"; exit 1; }
export RELAIS_BINARY="$1" RELAIS_SOURCE_DIR="$2" DASHBOARD_ARTIFACTS="$3"
cd "$here"
exec node --test --test-concurrency=1 "${4:-dashboard_test.mjs}"
