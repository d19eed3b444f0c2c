#!/usr/bin/env bash
# ctest: writes sample feeds with ics_feed_sample and has ical.js (node) parse
# and check them. Usage: run_check.sh SAMPLE_BINARY WORK_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
sample="$1"; work="$2"
command -v node >/dev/null || { echo "node is not installed (./scripts/test installs nodejs)"; exit 1; }
[ -d "$here/node_modules/ical.js" ] || { echo "ical.js missing: run 'npm ci' in $here (./scripts/test does)"; exit 1; }
mkdir -p "$work"
"$sample" "$work"
for lang in fr en; do
  node "$here/check_feed.mjs" "$work/feed-$lang.ics" "$work/feed-$lang.json"
done
