#!/usr/bin/env bash
# bench/http/run.sh RELAIS_BINARY RESULTS_DIR: the HTTP benchmark behind
# ./scripts/bench http. Starts `relais serve` (RocksDB, durable appends) on
# loopback with a temporary configuration, creates RELAIS_BENCH_PROJECTS
# projects, then measures with wrk (RELAIS_BENCH_CONNECTIONS connections for
# RELAIS_BENCH_SECONDS each):
#   get    GET /v1/projects/{id} (authenticated, worker pool, project cache)
#   post   POST /v1/projects/{id}/events (durable, group-committed)
#   nginx  nginx serving a static JSON file of the same size as the GET body:
#          the ceiling for GET on this machine
# and writes RESULTS_DIR/http-latest.json (and a timestamped copy).
# Targets (issue 4): get >= 50% of nginx's requests/s; post >= 15,000
# requests/s with p99 <= 20 ms.
set -euo pipefail
relais="$1"
results="$2"
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../../scripts/lib/common.sh"
seconds="${RELAIS_BENCH_SECONDS:-10}"
connections="${RELAIS_BENCH_CONNECTIONS:-64}"
threads="${RELAIS_BENCH_THREADS:-2}"
projects="${RELAIS_BENCH_PROJECTS:-1000}"
relais_port="${RELAIS_BENCH_PORT:-18480}"
nginx_port="${RELAIS_BENCH_NGINX_PORT:-18481}"
token="bench-token-$$"

work="$(mktemp -d /tmp/relais-http-bench.XXXXXX)"
relais_pid=""
nginx_pid=""
cleanup() {
  [ -n "$relais_pid" ] && kill "$relais_pid" 2>/dev/null && wait "$relais_pid" 2>/dev/null || true
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cat > "$work/relais.yaml" <<YAML
server:
  listen_address: 127.0.0.1
  port: $relais_port
  io_threads: 2
  max_connections: 4096
  max_connections_per_client: 4096  # wrk and the nginx front connect from one address
data_dir: $work/data
workflows_dir: $(cd "$here/../.." && pwd)/workflows
api:
  worker_threads: 64
  rate_limit_per_second: 100000000
  rate_limit_burst: 100000000
tokens:
  - sha256: $(printf %s "$token" | sha256sum | cut -d' ' -f1)
    subject: person:bench.coordinator
    roles: [coordinator]
YAML

"$relais" serve --config "$work/relais.yaml" > "$work/relais.log" 2>&1 &
relais_pid=$!
base="http://127.0.0.1:$relais_port"
for _ in $(seq 1 200); do
  curl -fs "$base/readyz" > /dev/null 2>&1 && break
  sleep 0.05
done
curl -fs "$base/readyz" > /dev/null || { cat "$work/relais.log"; echo "relais did not start" >&2; exit 1; }

echo "creating $projects projects..." >&2
relais_bench_projects "$base" "$token" "$projects"

mkdir -p "$work/static"
curl -fs "$base/v1/projects/bench-1" -H "Authorization: Bearer $token" > "$work/static/project.json"
body_bytes=$(wc -c < "$work/static/project.json")
chmod 755 "$work" "$work/static" && chmod 644 "$work/static/project.json"  # nginx workers drop root

relais_nginx_conf "$work/nginx.conf" "$work" "127.0.0.1:$nginx_port" \
  "location / { root $work/static; default_type application/json; }"
nginx -c "$work/nginx.conf" -p "$work" &
nginx_pid=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$nginx_port/project.json" > /dev/null 2>&1 && break
  sleep 0.05
done

export RELAIS_BENCH_DIR="$here" RELAIS_BENCH_PROJECTS="$projects"
run_wrk() {  # name url script token
  echo "wrk $1: $connections connections, ${seconds}s" >&2
  RELAIS_BENCH_TOKEN="$4" wrk -t"$threads" -c"$connections" -d"${seconds}s" -s "$here/$3" "$2" | tail -n 1
}
get=$(run_wrk get "$base/v1/projects/bench-1" get.lua "$token")
post=$(run_wrk post "$base" post.lua "$token")
static=$(run_wrk nginx "http://127.0.0.1:$nginx_port/project.json" get.lua "")

stamp=$(date -u +%Y-%m-%dT%H-%M-%S)
mkdir -p "$results"
python3 - "$results/http-$stamp.json" <<PY
import json, sys
get, post, nginx = json.loads('''$get'''), json.loads('''$post'''), json.loads('''$static''')
report = {
  "benchmark": "http", "when": "$stamp", "connections": $connections, "wrk_threads": $threads,
  "seconds": $seconds, "projects": $projects, "get_body_bytes": $body_bytes, "cores": $(nproc),
  "get_project_state": get, "post_command": post, "nginx_static_same_size": nginx,
  "get_vs_nginx": round(get["requests_per_second"] / nginx["requests_per_second"], 3),
  "targets": {"get_vs_nginx_min": 0.5, "post_rps_min": 15000, "post_p99_ms_max": 20},
}
report["targets_met"] = {
  "get": report["get_vs_nginx"] >= 0.5,
  "post": post["requests_per_second"] >= 15000 and post["latency_ms"]["p99"] <= 20,
}
json.dump(report, open(sys.argv[1], "w"), indent=2)
print(json.dumps(report, indent=2))
PY
cp "$results/http-$stamp.json" "$results/http-latest.json"
