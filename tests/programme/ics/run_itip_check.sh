#!/usr/bin/env bash
# ctest: writes sample iTIP invitations with itip_sample and has ical.js
# (node) parse and check each. Usage: run_itip_check.sh SAMPLE_BINARY WORK_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
sample="$1"; work="$2"
command -v node >/dev/null || { echo "node is not installed (./scripts/test installs nodejs)"; exit 1; }
[ -d "$here/node_modules/ical.js" ] || { echo "ical.js missing: run 'npm ci' in $here (./scripts/test does)"; exit 1; }
rm -rf "$work" && mkdir -p "$work"
"$sample" "$work"
count=0
for ics in "$work"/*.ics; do
  node "$here/check_itip.mjs" "$ics" "${ics%.ics}.json"
  count=$((count + 1))
done
[ "$count" -eq 5 ] || { echo "expected 5 invitations, checked $count"; exit 1; }
