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

# relais_npm_install: the npm packages of the webhook test receiver
# (tests/webhooks/package-lock.json), installed when missing.
relais_npm_install() {
  local dir="$RELAIS_ROOT/tests/webhooks"
  [ -d "$dir/node_modules/standardwebhooks" ] && return 0
  command -v npm >/dev/null || relais_install_packages npm  # some nodejs builds bring their own npm
  log "installing the webhook receiver's npm packages"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed in tests/webhooks"
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
