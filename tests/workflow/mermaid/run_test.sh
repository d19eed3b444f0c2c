#!/usr/bin/env bash
# ctest: relais render's Mermaid checked by Mermaid itself in Debian's
# chromium. Usage: run_test.sh RELAIS_BINARY SOURCE_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
command -v node >/dev/null || { echo "node is not installed (./scripts/test installs nodejs)"; exit 1; }
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { echo "chromium is not installed (./scripts/test installs it)"; exit 1; }
[ -d "$here/node_modules/mermaid" ] || { echo "mermaid missing: run 'npm ci' in $here (./scripts/test does)"; exit 1; }
export RELAIS_BINARY="$1" RELAIS_SOURCE_DIR="$2"
cd "$here"
exec node --test --test-concurrency=1 mermaid_parse_test.mjs
