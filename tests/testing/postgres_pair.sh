#!/usr/bin/env bash
# tests/testing/postgres_pair.sh ACTION DIR PORT_A PORT_B: a PostgreSQL 15
# primary and a synchronous streaming standby on 127.0.0.1, for the
# failover test. Node a starts as the primary on PORT_A, node b as its
# standby on PORT_B; DIR/primary names the current primary (a or b).
#   start         initdb a (trusted user `relais`), pg_basebackup b from it,
#                 then synchronous_standby_names='*' and synchronous_commit=on
#                 on the primary; returns once b is the synchronous standby
#   kill-primary  SIGKILL of the primary's postmaster and every backend
#   promote       pg_ctl promote of the standby, which then takes writes
#                 without a standby (as Patroni without strict mode) until
#                 reseed gives it one
#   reseed        the dead node rebuilt as a standby of the new primary
#                 (pg_basebackup), made synchronous; returns once it is
#   port          prints the current primary's port
#   stop          stops both, removes DIR
# As root, PostgreSQL runs as the `postgres` user (it refuses root).
set -euo pipefail
action="$1" dir="$2" port_a="$3" port_b="$4"
bin=/usr/lib/postgresql/15/bin
[ -x "$bin/initdb" ] || { echo "postgresql-15 is not installed (./scripts/test installs it)" >&2; exit 1; }
as=()
if [ "$(id -u)" = 0 ]; then as=(runuser -u postgres --); fi

port_of() { if [ "$1" = a ]; then echo "$port_a"; else echo "$port_b"; fi; }
other() { if [ "$1" = a ]; then echo b; else echo a; fi; }
psql_on() { "${as[@]}" "$bin/psql" -h 127.0.0.1 -p "$(port_of "$1")" -U relais -d postgres -qAtX -c "$2"; }

start_node() {  # NODE
  local node="$1"
  "${as[@]}" "$bin/pg_ctl" -D "$dir/$node/data" -l "$dir/$node/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $(port_of "$node") -k $dir/$node -c cluster_name=node_$node \
        -c max_connections=200 -c fsync=on -c synchronous_commit=on -c wal_level=replica \
        -c max_wal_senders=10 -c hot_standby=on -c wal_keep_size=256MB" \
    start </dev/null >/dev/null 2>>"$dir/$node/pg_ctl.log" || { cat "$dir/$node/server.log" >&2; exit 1; }
}

# Makes NODE's standby synchronous and waits until it is.
make_synchronous() {
  local node="$1"
  psql_on "$node" "ALTER SYSTEM SET synchronous_standby_names = '*'" >/dev/null
  psql_on "$node" "SELECT pg_reload_conf()" >/dev/null
  for _ in $(seq 1 300); do
    if [ "$(psql_on "$node" "SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'")" = 1 ]; then
      return 0
    fi
    sleep 0.1
  done
  echo "the standby of node $node never became synchronous" >&2
  exit 1
}

# Rebuilds NODE as a standby of PRIMARY and starts it.
seed_standby() {
  local node="$1" primary="$2"
  rm -rf "$dir/$node"
  mkdir -p "$dir/$node"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir/$node"
  "${as[@]}" "$bin/pg_basebackup" -h 127.0.0.1 -p "$(port_of "$primary")" -U relais -D "$dir/$node/data" \
    -X stream -R -c fast >"$dir/$node/basebackup.log" 2>&1 || { cat "$dir/$node/basebackup.log" >&2; exit 1; }
  # The copy carries the primary's synchronous_standby_names: a standby has none.
  "${as[@]}" sed -i '/synchronous_standby_names/d' "$dir/$node/data/postgresql.auto.conf"
  start_node "$node"
}

case "$action" in
  start)
    "$0" stop "$dir" "$port_a" "$port_b"
    mkdir -p "$dir/a"
    [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$dir"
    "${as[@]}" "$bin/initdb" -D "$dir/a/data" -U relais --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/a/initdb.log" 2>&1 ||
      { cat "$dir/a/initdb.log" >&2; exit 1; }
    start_node a
    seed_standby b a
    make_synchronous a
    echo a >"$dir/primary"
    ;;
  kill-primary)
    primary="$(cat "$dir/primary")"
    pid="$(head -1 "$dir/$primary/data/postmaster.pid")"
    children="$(pgrep -P "$pid" || true)"
    kill -KILL "$pid" $children
    ;;
  promote)
    primary="$(other "$(cat "$dir/primary")")"
    "${as[@]}" "$bin/pg_ctl" -D "$dir/$primary/data" -w -t 60 promote >/dev/null
    # Writes go on without a standby until reseed (waiting ones are released).
    psql_on "$primary" "ALTER SYSTEM SET synchronous_standby_names = ''" >/dev/null
    psql_on "$primary" "SELECT pg_reload_conf()" >/dev/null
    echo "$primary" >"$dir/primary"
    ;;
  reseed)
    primary="$(cat "$dir/primary")"
    seed_standby "$(other "$primary")" "$primary"
    make_synchronous "$primary"
    ;;
  port)
    port_of "$(cat "$dir/primary")"
    ;;
  stop)
    for node in a b; do
      if [ -f "$dir/$node/data/postmaster.pid" ]; then
        "${as[@]}" "$bin/pg_ctl" -D "$dir/$node/data" -m immediate -w stop >/dev/null 2>&1 || true
      fi
    done
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|kill-primary|promote|reseed|port|stop DIR PORT_A PORT_B" >&2; exit 2 ;;
esac
