#!/usr/bin/env bash
# tests/testing/postgres_server.sh start|stop DIR PORT: a throwaway PostgreSQL
# 15 (Debian postgresql-15) for the tests, on 127.0.0.1:PORT, its files and
# socket in DIR, with a trusted user `relais` and a database `relais_test`.
# PostgreSQL refuses to run as root: as root it runs as the `postgres` user
# (the package creates it), otherwise as the caller. ctest starts it once
# (fixture `postgres`) and stops it after the tests that need it.
set -euo pipefail
action="$1" dir="$2" port="$3"
bin=/usr/lib/postgresql/15/bin
[ -x "$bin/initdb" ] || { echo "postgresql-15 is not installed (./scripts/test installs it)" >&2; exit 1; }
as=()
if [ "$(id -u)" = 0 ]; then as=(runuser -u postgres --); fi
case "$action" in
  start)
    if [ -f "$dir/data/postmaster.pid" ] && "${as[@]}" "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      exit 0  # already running
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    "${as[@]}" "$bin/initdb" -D "$dir/data" -U relais --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300 -c fsync=on -c synchronous_commit=on" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    "${as[@]}" "$bin/psql" -h 127.0.0.1 -p "$port" -U relais -d postgres -qc "CREATE DATABASE relais_test" >/dev/null
    echo "postgres on 127.0.0.1:$port (files in $dir)"
    ;;
  stop)
    if [ -d "$dir/data" ]; then "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true; fi
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|stop DIR PORT" >&2; exit 2 ;;
esac
