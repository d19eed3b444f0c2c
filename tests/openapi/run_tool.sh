#!/bin/sh
# run_tool.sh TOOL ARGS...: runs an npm tool of tests/openapi (or node) with
# the pinned packages of package-lock.json; says what to do when they are
# not installed. Redocly's telemetry and update notices are off.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
if [ ! -d "$here/node_modules/ajv" ]; then
  echo "tests/openapi/node_modules is missing: run 'source scripts/lib/common.sh && relais_install_node_tools'" >&2
  exit 1
fi
tool="$1"; shift
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1
if [ "$tool" = node ]; then exec node "$@"; fi
exec "$here/node_modules/.bin/$tool" "$@"
