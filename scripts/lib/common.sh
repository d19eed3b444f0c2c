# Shared by scripts/run, scripts/test and scripts/bench. Source it; do not run it.
# Installs the Debian packages Relais needs (only the missing ones), and
# configures and builds a CMake tree. Idempotent: a second call is quick.

RELAIS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# Every Debian package the build, the tests and the benchmarks need; README.md
# says why each one is here.
RELAIS_PACKAGES=(
  g++ cmake ninja-build pkg-config
  librocksdb-dev rocksdb-tools
  libboost1.81-dev
  nlohmann-json3-dev
  libyaml-cpp-dev
  libssl-dev
  libgtest-dev libgmock-dev
  libbenchmark-dev
  libgoogle-perftools-dev
  nodejs
  chromium faketime
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
# gets; playwright-core drives chromium for the dashboard), from each test
# directory's package-lock.json. Debian's npm is
# installed only when no npm is present (a nodejs that bundles its own npm
# would conflict with it).
relais_install_node_tools() {
  if ! command -v npm >/dev/null; then relais_install_packages npm; fi
  local dir
  for dir in "$RELAIS_ROOT/tests/programme/ics" "$RELAIS_ROOT/tests/webhooks" "$RELAIS_ROOT/tests/dashboard"; do
    if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
      log "installing npm test tools in ${dir#$RELAIS_ROOT/}"
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || die "npm ci failed in $dir"
      touch "$dir/node_modules"
    fi
  done
}

# relais_build DIR [cmake -D options...] -- [targets...]: configures once, then builds.
relais_build() {
  local dir="$1"; shift
  local cmake_args=() targets=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do cmake_args+=("$1"); shift; done
  [ "${1:-}" = "--" ] && shift
  targets=("$@")
  local stamp="$dir/.relais-cmake-args" want="${cmake_args[*]}"
  if [ ! -f "$dir/build.ninja" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "configuring $dir ${want}"
    cmake -S "$RELAIS_ROOT" -B "$dir" -G Ninja "${cmake_args[@]}" >/dev/null || die "cmake failed"
    echo "$want" > "$stamp"
  fi
  log "building $dir ${targets[*]:-(all)}"
  cmake --build "$dir" -j "$(nproc)" ${targets[@]:+--target "${targets[@]}"} || die "build failed"
}
