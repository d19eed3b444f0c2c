# Shared by scripts/run, scripts/test and scripts/bench. Source it; do not run it.
# Installs the Debian packages Relais needs (only the missing ones), and
# configures and builds a CMake tree. Idempotent: a second call is quick.

RELAIS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# Every Debian package the build, the tests and the benchmarks need; README.md
# says why each one is here.
RELAIS_PACKAGES=(
  g++ cmake ninja-build pkg-config clang-format git lld
  librocksdb-dev rocksdb-tools
  libboost1.81-dev
  nlohmann-json3-dev libspdlog-dev
  libyaml-cpp-dev
  libvalijson-dev
  libssl-dev
  graphviz
  libhowardhinnant-date-dev tzdata libical-dev
  libsodium-dev libcurl4-openssl-dev python3-aiosmtpd
  libxlsxwriter-dev python3-openpyxl
  libgtest-dev libgmock-dev
  libbenchmark-dev
  libgoogle-perftools-dev
  nodejs
  chromium faketime
  poppler-utils
  postgresql-15 libpq-dev
)

log() { printf '\033[1m[relais]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[relais] error:\033[0m %s\n' "$*" >&2; exit 1; }

# relais_install_packages [extra packages...]: installs what is missing.
relais_install_packages() {
  local wanted=("${RELAIS_PACKAGES[@]}" "$@") missing=()
  local pkg
  for pkg in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    || die "could not install: ${missing[*]}"
}

# relais_install_node_tools: the npm packages of the tests (ical.js parses
# the calendar feeds; standardwebhooks verifies what the webhook receiver
# gets; playwright-core drives chromium for the dashboard; mermaid checks
# what relais render writes; redocly,
# openapi-typescript, tsc and Ajv check docs/openapi.yaml), from each test
# directory's package-lock.json. Debian's npm is
# installed only when no npm is present (a nodejs that bundles its own npm
# would conflict with it).
relais_install_node_tools() {
  local dir
  for dir in "$RELAIS_ROOT/tests/programme/ics" "$RELAIS_ROOT/tests/webhooks" "$RELAIS_ROOT/tests/dashboard" \
             "$RELAIS_ROOT/tests/openapi" "$RELAIS_ROOT/tests/workflow/mermaid"; do
    relais_npm_ci "$dir" || die "npm ci failed in $dir"
  done
}

# relais_npm_ci DIR: installs DIR's pinned npm packages (npm ci) when its
# node_modules is missing or older than its package-lock.json; installs
# Debian's npm first when none is present. Logs to stderr only.
relais_npm_ci() {
  local dir="$1"
  if ! command -v npm >/dev/null; then relais_install_packages npm >&2; fi
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
    log "installing npm packages in ${dir#$RELAIS_ROOT/}"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || return 1
    touch "$dir/node_modules"
  fi
}

# relais_prepare_peers: copies the peer workflow engines (xstate,
# bpmn-engine; ../shared/peers, or $RELAIS_PEERS) to var/peers, since their
# folder is read-only, installs their pinned packages there, and prints that
# folder. Fails, saying why on stderr, when the peers are not there.
relais_prepare_peers() {
  local from="${RELAIS_PEERS:-$RELAIS_ROOT/../shared/peers}" to="$RELAIS_ROOT/var/peers"
  if [ ! -f "$from/package-lock.json" ]; then
    log "no peers at $from (set RELAIS_PEERS to their folder)"
    return 1
  fi
  mkdir -p "$to"
  # -p keeps the lock's time, so an unchanged lock is not installed again;
  # -m: the copies are writable (the originals are not).
  install -p -m 644 "$from/package.json" "$from/package-lock.json" "$from"/*.mjs "$to/"
  relais_npm_ci "$to" || { log "npm ci failed in var/peers"; return 1; }
  printf '%s\n' "$to"
}

# relais_build DIR [cmake -D options...] -- [targets...]: configures once, then builds.
relais_build() {
  local dir="$1"; shift
  local cmake_args=() targets=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do cmake_args+=("$1"); shift; done
  [ "${1:-}" = "--" ] && shift
  targets=("$@")
  # A developer's ccache (if installed) is used; CI builds without it.
  if command -v ccache >/dev/null; then cmake_args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache); fi
  local stamp="$dir/.relais-cmake-args" want="${cmake_args[*]}"
  if [ ! -f "$dir/build.ninja" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "configuring $dir ${want}"
    cmake -S "$RELAIS_ROOT" -B "$dir" -G Ninja "${cmake_args[@]}" >/dev/null || die "cmake failed"
    echo "$want" > "$stamp"
  fi
  log "building $dir ${targets[*]:-(all)}"
  cmake --build "$dir" -j "$(nproc)" ${targets[@]:+--target "${targets[@]}"} || die "build failed"
}

# relais_sha256 TEXT: the lower-case hex SHA-256 of TEXT (token hashes in the configuration).
relais_sha256() { printf %s "$1" | sha256sum | cut -d' ' -f1; }

# relais_token_file FILE: prints the token kept in FILE, generating a random
# one (openssl rand, 24 bytes in hex, file mode 600) the first time.
relais_token_file() {
  local file="$1"
  if [ ! -s "$file" ]; then
    (umask 077 && openssl rand -hex 24 > "$file") || die "could not write $file"
  fi
  tr -d '\n' < "$file"
}

# relais_runtime_config SRC DEST TOKEN SUBJECT: writes DEST, a copy of the
# configuration SRC with one more coordinator token (its SHA-256, for SUBJECT)
# and 127.0.0.1/32 let through the webhook SSRF guard (the sample receiver).
# SRC keeps its own tokens; its "tokens:" and "  allowed_ranges: [...]" lines
# must be in the form config/relais.yaml has them.
relais_runtime_config() {
  local src="$1" dest="$2" token="$3" subject="$4"
  grep -Eq '^tokens:( \[\])?$' "$src" || die "$src: expected a line 'tokens:' or 'tokens: []'"
  grep -Eq '^  allowed_ranges: \[.*\]$' "$src" || die "$src: expected a line '  allowed_ranges: [...]'"
  awk -v hash="$(relais_sha256 "$token")" -v subject="$subject" '
    /^tokens:( \[\])?$/ {
      print "tokens:"
      print "  - sha256: " hash
      print "    subject: " subject
      print "    roles: [coordinator]"
      next
    }
    /^  allowed_ranges: \[.*\]$/ && !/127\.0\.0\.1\/32/ {
      sub(/\[ *\]/, "[]")
      if ($0 ~ /\[\]$/) sub(/\[\]$/, "[127.0.0.1/32]"); else sub(/\[/, "[127.0.0.1/32, ")
    }
    { print }' "$src" > "$dest.tmp" && mv "$dest.tmp" "$dest" || die "could not write $dest"
}

# relais_config_set_port FILE PORT: sets server.port in a configuration file,
# and the public addresses that name it (programmes.public_url in calendar
# feeds, webhooks.public_base_url in payloads) when they are on the loopback.
relais_config_set_port() {
  awk -v port="$2" '
    /^[^ #]/ { in_server = ($1 == "server:") }
    in_server && $1 == "port:" { print "  port: " port; next }
    ($1 == "public_url:" || $1 == "public_base_url:") && $2 ~ /^http:\/\/127\.0\.0\.1(:[0-9]+)?$/ {
      print "  " $1 " http://127.0.0.1:" port; next }
    { print }' "$1" > "$1.tmp" && mv "$1.tmp" "$1" || die "could not set the port in $1"
}

# relais_config_set_email FILE URL: sets email.smtp_url to URL (a relay on
# the loopback, so in clear text: email.tls none), uncommenting or replacing
# the section's smtp_url line, or adding one after "email:".
relais_config_set_email() {
  grep -q '^email:' "$1" || die "$1: expected a section 'email:'"
  awk -v url="$2" '
    /^[^ #]/ { in_email = ($1 == "email:") }
    in_email && /^email:/ { print; if (!seen) { print "  smtp_url: " url; seen = 1 }; next }
    in_email && /^ *#? *smtp_url:/ { next }
    in_email && $1 == "tls:" { print "  tls: none"; next }
    { print }' "$1" > "$1.tmp" && mv "$1.tmp" "$1" || die "could not set the e-mail relay in $1"
}

# relais_python: the Python that has Debian's python3-aiosmtpd (the
# system's, not a pyenv shim).
relais_python() { if [ -x /usr/bin/python3 ]; then echo /usr/bin/python3; else echo python3; fi; }

# relais_config_top FILE KEY: the scalar value of a top-level KEY (data_dir...).
relais_config_top() { awk -v key="$2:" '$1 == key { print $2; exit }' "$1"; }

# relais_config_value FILE SECTION KEY: the scalar value of SECTION.KEY in a
# configuration file (first match), for printing addresses.
relais_config_value() {
  awk -v section="$2:" -v key="$3:" '
    /^[^ #]/ { in_section = ($1 == section) }
    in_section && $1 == key { print $2; exit }' "$1"
}

# relais_pg_start DIR PORT: a PostgreSQL 15 of its own under DIR (created on
# first use, kept afterwards) on 127.0.0.1:PORT with a trusted user `relais`
# and a database `relais`. PostgreSQL refuses to run as root: as root it runs
# as the `postgres` user (the package creates it). relais_pg_stop DIR stops it.
relais_pg_as() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
relais_pg_start() {
  local dir="$1" port="$2" bin=/usr/lib/postgresql/15/bin
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    log "creating a PostgreSQL cluster in $dir"
    relais_pg_as "$bin/initdb" -D "$dir/data" -U relais --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  fi
  relais_pg_as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir ${RELAIS_PG_EXTRA_OPTS:-}" start >/dev/null || { cat "$dir/server.log" >&2; die "PostgreSQL did not start"; }
  relais_pg_as "$bin/psql" -h 127.0.0.1 -p "$port" -U relais -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'relais'" \
    | grep -q 1 || relais_pg_as "$bin/psql" -h 127.0.0.1 -p "$port" -U relais -d postgres -qc "CREATE DATABASE relais"
}
relais_pg_stop() { relais_pg_as /usr/lib/postgresql/15/bin/pg_ctl -D "$1/data" -m fast -w stop >/dev/null 2>&1 || true; }

# relais_config_cluster_node FILE PORT CONNINFO BACKGROUND: turns a copy of
# the runtime configuration into a cluster node's: server.port PORT (the
# public addresses keep the load balancer's), store.engine postgres with
# CONNINFO, runtime.background_work BACKGROUND (the lease keeps it to one node at a time).
relais_config_cluster_node() {
  awk -v port="$2" -v conninfo="$3" -v background="$4" '
    /^[^ #]/ { section = $1 }
    section == "server:" && $1 == "port:" { print "  port: " port; next }
    section == "store:" && $1 == "engine:" {
      print "  engine: postgres"; print "  postgres:"; print "    conninfo: \"" conninfo "\""; next }
    section == "runtime:" && $1 == "background_work:" { print "  background_work: " background; next }
    { print }' "$1" > "$1.tmp" && mv "$1.tmp" "$1" || die "could not write the node configuration $1"
  grep -q "engine: postgres" "$1" && grep -q "background_work: $4" "$1" || die "$1: store.engine or runtime.background_work not found"
}

# relais_nginx_upstream KEEPALIVE SERVER...: the nginx upstream `relais` over
# the nodes (for relais_nginx_conf's UPSTREAM), with project affinity: a
# request under /v1/projects/<id> goes to the node its id hashes to
# (consistent hashing, so a node's loss moves only its share), where the
# project stays cached; any other request is spread by its request id.
# Any node may serve any request: affinity only saves reloads (docs/deploy.md).
relais_nginx_upstream() {
  local keepalive="$1" servers="" s
  shift
  for s in "$@"; do servers="$servers server $s;"; done
  printf '%s' "map \$uri \$relais_affinity { ~^/v1/projects/([^/]+) \$1; default \$request_id; }
  upstream relais { hash \$relais_affinity consistent;$servers keepalive $keepalive; }"
}

# relais_nginx_conf FILE DIR LISTEN BODY [UPSTREAM]: an nginx configuration
# (Debian nginx-light) that runs in the foreground (started with
# `nginx -c FILE -p DIR`), its pid, error log and temporary files under DIR,
# one server on LISTEN (address:port) whose content is BODY (locations),
# after UPSTREAM (an upstream block, or nothing).
relais_nginx_conf() {
  local file="$1" dir="$2" listen="$3" body="$4" upstream="${5:-}"
  cat > "$file" <<NGINX
worker_processes 2;
daemon off;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/nginx-body;
  proxy_temp_path $dir/nginx-proxy;
  fastcgi_temp_path $dir/nginx-fastcgi;
  uwsgi_temp_path $dir/nginx-uwsgi;
  scgi_temp_path $dir/nginx-scgi;
  $upstream
  server {
    listen $listen;
    $body
  }
}
NGINX
}

# relais_bench_projects BASE TOKEN N: creates the projects bench-0 ...
# bench-(N-1) of the CBE workflow through the API at BASE, 16 at a time.
relais_bench_projects() {
  local base="$1" token="$2" n="$3"
  seq 0 $((n - 1)) | xargs -P 16 -I{} curl -fs -o /dev/null -X POST "$base/v1/projects" \
    -H "Authorization: Bearer $token" -H "Content-Type: application/json" \
    -d '{"id":"bench-{}","workflow":"cbe_action","title":"Bench {}","programme":"bench","axis":"2A","partners":["ccas-fresnes","anpe-orly"],"planned_years":{"mobilisation":2026,"etude":2027}}'
}
