#!/usr/bin/env bash
# bench/cluster/run.sh RELAIS_BINARY RESULTS_DIR: the benchmark behind
# ./scripts/bench cluster (issue 19). Starts, under a temporary directory, a
# PostgreSQL 15 on loopback (scripts/lib/common.sh relais_pg_start), two
# `relais serve` nodes on it (store.engine: postgres; background work on the
# first) and nginx in front (project affinity: relais_nginx_upstream); creates RELAIS_BENCH_PROJECTS projects; then
# for each client count (RELAIS_BENCH_CLIENTS, default "1 16 64") measures in
# the same run:
#   relais   wrk POSTs of a durable command through nginx (bench/http/post.lua)
#   pgbench  one-row inserts of a 300-byte event on the same database
#            (pgbench_insert.sql), the baseline
#   floor    wrk GETs of /healthz through the same nginx to the same nodes:
#            what no command can beat through this front (floor_ratio)
# and, for each, the CPU each process used per request (cpu_ms_per_request:
# relais, postgres, nginx and the load generator, from /proc and `time`),
# and writes RESULTS_DIR/cluster-latest.json. Target: relais >= 1.0 x pgbench
# at 16 and 64 clients, p99 <= 50 ms.
# RELAIS_BENCH_PG_STATS=1 prints what the database ran (pg_stat_statements)
# at the end, for profiling: not a benchmark run, so nothing is written to
# RESULTS_DIR (the figures are printed only).
set -euo pipefail
relais="$(realpath "$1")"
results="$2"
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../../scripts/lib/common.sh"
seconds="${RELAIS_BENCH_SECONDS:-10}"
clients="${RELAIS_BENCH_CLIENTS:-1 16 64}"
projects="${RELAIS_BENCH_PROJECTS:-1000}"
pg_port="${RELAIS_BENCH_PG_PORT:-15632}"
front_port="${RELAIS_BENCH_PORT:-18580}"
token="bench-token-$$"

work="$(mktemp -d /tmp/relais-cluster-bench.XXXXXX)"
chmod 755 "$work"
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "${RELAIS_BENCH_PG_STATS:-}" ]; then  # what the database ran, most time first
    psql_ -F ' | ' -c "SELECT calls, round(total_exec_time::numeric, 1) AS ms, rows, left(query, 110)
                       FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 25" >&2 || true
  fi
  relais_pg_stop "$work/pg"
  rm -rf "$work"
}
trap cleanup EXIT

[ -n "${RELAIS_BENCH_PG_STATS:-}" ] && export RELAIS_PG_EXTRA_OPTS="-c shared_preload_libraries=pg_stat_statements"
relais_pg_start "$work/pg" "$pg_port"
conninfo="host=127.0.0.1 port=$pg_port user=relais dbname=relais"
psql_() { relais_pg_as /usr/lib/postgresql/15/bin/psql -h 127.0.0.1 -p "$pg_port" -U relais -d relais -qAt "$@"; }

for node in 1 2; do
  background=true
  [ "$node" = 2 ] && background=false
  cat > "$work/node-$node.yaml" <<YAML
server:
  listen_address: 127.0.0.1
  port: $((front_port + node))
  max_connections: 4096
  max_connections_per_client: 4096
data_dir: $work/data-$node
store:
  engine: postgres
  postgres:
    conninfo: "$conninfo"
workflows_dir: $(cd "$here/../.." && pwd)/workflows
runtime:
  background_work: $background
api:
  worker_threads: 64
  rate_limit_per_second: 100000000
  rate_limit_burst: 100000000
tokens:
  - sha256: $(printf %s "$token" | sha256sum | cut -d' ' -f1)
    subject: person:bench.coordinator
    roles: [coordinator]
YAML
  "$relais" serve --config "$work/node-$node.yaml" > "$work/node-$node.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 200); do
    curl -fs "http://127.0.0.1:$((front_port + node))/readyz" > /dev/null 2>&1 && break
    sleep 0.05
  done
  curl -fs "http://127.0.0.1:$((front_port + node))/readyz" > /dev/null || { cat "$work/node-$node.log"; die "node $node did not start"; }
done

relais_nginx_conf "$work/nginx.conf" "$work" "127.0.0.1:$front_port" \
  'location / { proxy_pass http://relais; proxy_http_version 1.1; proxy_set_header Connection ""; }' \
  "$(relais_nginx_upstream 128 "127.0.0.1:$((front_port + 1))" "127.0.0.1:$((front_port + 2))")"
nginx -c "$work/nginx.conf" -p "$work" &
pids+=($!)
base="http://127.0.0.1:$front_port"
for _ in $(seq 1 100); do curl -fs "$base/readyz" > /dev/null 2>&1 && break; sleep 0.05; done

echo "creating $projects projects..." >&2
relais_bench_projects "$base" "$token" "$projects"

[ -n "${RELAIS_BENCH_PG_STATS:-}" ] && psql_ -c "CREATE EXTENSION pg_stat_statements"
psql_ -c "CREATE TABLE bench_events (position bigserial PRIMARY KEY, stream_id text NOT NULL, payload text NOT NULL)"
export RELAIS_BENCH_DIR="$here/../http" RELAIS_BENCH_PROJECTS="$projects" RELAIS_BENCH_TOKEN="$token"
rows=()
# CPU accounting per phase: the servers' CPU seconds from /proc before and
# after (cpu_seconds.py), the load generator's from its own shell (`time`).
# Divided by the requests (or pgbench transactions) of the phase, it says
# where each request's CPU went on this machine (cpu_ms_per_request).
TIMEFORMAT='%U %S'
servers() { python3 "$here/cpu_seconds.py" relais postgres nginx; }
# phase CLIENT_NAME COMMAND...: runs the command (its output in $work/out) and
# leaves the JSON of the phase's CPU seconds in $work/cpu: the servers', and
# the client's own as `time` measured it (the last line of $work/time).
phase() {
  local client="$1" before
  shift
  before=$(servers)
  { time "$@" > "$work/out"; } 2> "$work/time"
  python3 -c 'import json, sys
b, a = json.loads(sys.argv[1]), json.loads(sys.argv[2])
used = {k: round(a[k] - b[k], 3) for k in a}
user, system = sys.argv[4].split()
used[sys.argv[3]] = float(user) + float(system)
print(json.dumps(used))' "$before" "$(servers)" "$client" "$(tail -n 1 "$work/time")" > "$work/cpu"
}
for c in $clients; do
  threads=$(( c < 2 ? 1 : 2 ))
  echo "relais: $c client(s), ${seconds}s" >&2
  phase wrk wrk -t"$threads" -c"$c" -d"${seconds}s" -s "$here/../http/post.lua" "$base"
  relais_line=$(tail -n 1 "$work/out") relais_cpu=$(cat "$work/cpu")
  # The floor: GET /healthz through the same nginx to the same nodes (no
  # store, no JSON, no authentication). No command can go faster than this
  # through this front on this machine.
  echo "http floor: $c client(s), ${seconds}s" >&2
  phase wrk env RELAIS_BENCH_TOKEN= wrk -t"$threads" -c"$c" -d"${seconds}s" -s "$here/../http/get.lua" "$base/healthz"
  floor_line=$(tail -n 1 "$work/out") floor_cpu=$(cat "$work/cpu")
  echo "pgbench: $c client(s), ${seconds}s" >&2
  phase pgbench relais_pg_as /usr/lib/postgresql/15/bin/pgbench -h 127.0.0.1 -p "$pg_port" -U relais -n \
    -f "$here/pgbench_insert.sql" -c "$c" -j "$threads" -T "$seconds" relais
  pg_tps=$(awk '/^tps = / { print $3; exit }' "$work/out") pg_cpu=$(cat "$work/cpu")
  rows+=("{\"clients\": $c, \"relais\": $relais_line, \"http_floor\": $floor_line, \"pgbench_tps\": ${pg_tps:-0}, \"cpu_seconds\": {\"relais\": $relais_cpu, \"http_floor\": $floor_cpu, \"pgbench\": $pg_cpu}}")
done

[ -n "${RELAIS_BENCH_PG_STATS:-}" ] && results="$work/results"  # profiling: printed, not kept
stamp=$(date -u +%Y-%m-%dT%H-%M-%S)
mkdir -p "$results"
joined=$(IFS=,; echo "${rows[*]}")
python3 - "$results/cluster-$stamp.json" <<PY
import json, sys
rows = json.loads('[$joined]')
def per_request(used, requests):  # CPU milliseconds per request, by process, and in all
    out = {k: round(1000 * v / requests, 4) for k, v in used.items()} if requests else {}
    out["all"] = round(sum(out.values()), 4)
    return out
for r in rows:
    base = r["pgbench_tps"]
    r["ratio"] = round(r["relais"]["requests_per_second"] / base, 3) if base else None
    r["floor_ratio"] = round(r["http_floor"]["requests_per_second"] / base, 3) if base else None
    cpu = r["cpu_seconds"]
    r["cpu_ms_per_request"] = {
        "relais": per_request(cpu["relais"], r["relais"]["requests"]),
        "http_floor": per_request(cpu["http_floor"], r["http_floor"]["requests"]),
        "pgbench": per_request(cpu["pgbench"], base * $seconds)}
report = {"benchmark": "cluster", "when": "$stamp", "seconds": $seconds, "projects": $projects, "cores": $(nproc),
          "nodes": 2, "front": "nginx, project affinity (consistent hash of the project id)", "store": "postgres 15 (one server, loopback)", "levels": rows,
          "targets": {"ratio_min_at_16_and_64": 1.0, "p99_ms_max": 50}}
report["targets_met"] = all(r["ratio"] is not None and r["ratio"] >= 1.0 and r["relais"]["latency_ms"]["p99"] <= 50
                            for r in rows if r["clients"] in (16, 64))
json.dump(report, open(sys.argv[1], "w"), indent=2)
print(json.dumps(report, indent=2))
PY
cp "$results/cluster-$stamp.json" "$results/cluster-latest.json"
