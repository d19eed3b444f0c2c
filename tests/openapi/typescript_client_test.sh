#!/bin/sh
# typescript_client_test.sh OPENAPI.yaml OUT_DIR: generates the TypeScript
# types of the API with openapi-typescript, then compiles client.ts (which
# calls createProject, runCommand and listProjects through them) with tsc
# in strict mode. Fails when either step fails.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
doc="$1"; out="$2"
rm -rf "$out" && mkdir -p "$out"
"$here/run_tool.sh" openapi-typescript "$doc" --redocly "$here/generator.redocly.yaml" --output "$out/relais-api.d.ts"
cp "$here/client.ts" "$here/tsconfig.json" "$out/"
"$here/run_tool.sh" tsc -p "$out/tsconfig.json"
echo "the generated client compiles: $out/relais-api.d.ts"
