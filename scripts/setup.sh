#!/usr/bin/env bash
# Installs what `make serve`, `make build` or `make test` needs and is missing, nothing more.
# A second run installs nothing. Works on an ordinary machine with rustup and internet, and
# on the offline build machines where only package registries answer (see ../shared/TOOLCHAIN.md).
#
# usage: scripts/setup.sh serve|build|test
set -euo pipefail
cd "$(dirname "$0")/.."
purpose=${1:-test}

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=0.2.130
BINARYEN_VERSION=132.0.0
WASM_SPLIT_VERSION=0.2.4
TOOLS=$PWD/.tools

say() { printf '\n== setup: %s\n' "$*"; }

apt_updated=""
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  if [ -z "$apt_updated" ]; then
    $sudo apt-get update -qq
    apt_updated=1
  fi
  say "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# The wasm32 standard library: rustup's prebuilt one when it can be had (its download hangs on
# some offline machines, hence the timeout), else Debian's web toolchain, which ships std's
# source so cargo can build std for wasm32 itself.
wasm_target() {
  if [ "${WORKBENCH_WASM_TOOLCHAIN:-}" = debian ]; then
    apt_install rustc-web cargo-web rust-web-src rust-web-llvm rust-web-clippy lld-22
    return 0
  fi
  if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    return 0
  fi
  say "rustup target add wasm32-unknown-unknown (60 s at most)"
  timeout 60 rustup target add wasm32-unknown-unknown || true
  if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    return 0
  fi
  say "no prebuilt wasm32 std: using Debian's web toolchain and building std"
  apt_install rustc-web cargo-web rust-web-src rust-web-llvm rust-web-clippy lld-22
}

cargo_tool() {
  local bin=$1 version=$2 crate=$3
  shift 3
  if command -v "$bin" >/dev/null 2>&1 && "$bin" --version 2>/dev/null | grep -q " $version\b"; then
    return 0
  fi
  say "cargo install $crate $version"
  # trunk's own release profile asks for fat LTO in one codegen unit, so its last crate
  # compiles for minutes on one core while the other idles, for a tool that spends its time
  # waiting for cargo, wasm-bindgen and wasm-opt. These are cargo's ordinary release
  # defaults; a crate's other settings (opt-level, panic) stay as it chose them.
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install "$crate" --version "$version" "$@"
}

# wasm-split-cli cuts the console's wasm at its lazy routes (scripts/split.sh). It prints
# no version, so cargo's list of installed packages says which one is there.
wasm_split() {
  if cargo install --list 2>/dev/null | grep -q "^wasm_split_cli_support v$WASM_SPLIT_VERSION:" &&
    command -v wasm-split-cli >/dev/null 2>&1; then
    return 0
  fi
  say "cargo install wasm_split_cli_support $WASM_SPLIT_VERSION"
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --features build-binary --locked
}

binaryen() {
  # Debian's binaryen 108 "optimises" the app into one that crashes at start-up; the npm
  # build of 132 is the one verified to work.
  if [ -x "$TOOLS/binaryen/node_modules/.bin/wasm-opt" ] &&
    "$TOOLS/binaryen/node_modules/.bin/wasm-opt" --version | grep -q "version ${BINARYEN_VERSION%%.*}"; then
    return 0
  fi
  say "npm install binaryen@$BINARYEN_VERSION"
  mkdir -p "$TOOLS/binaryen"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS/binaryen" "binaryen@$BINARYEN_VERSION"
}

node_check() {
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && return 0
  apt_install nodejs npm
}

fetch_crates() {
  # `trunk --offline` passes --offline to cargo, so every crate (and, on the Debian route,
  # std's own dependencies) must already be in cargo's cache.
  # shellcheck source=scripts/wasm-env.sh
  (source scripts/wasm-env.sh && cargo fetch --target wasm32-unknown-unknown -q && cargo fetch -q)
}

browser() {
  apt_install chromium chromium-driver
}

e2e_packages() {
  local dir=tests/e2e
  if [ -d "$dir/node_modules" ] && [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then
    return 0
  fi
  say "npm ci in $dir"
  (cd "$dir" && npm ci --silent --no-audit --no-fund)
}

case "$purpose" in
  serve | build)
    node_check
    wasm_target
    cargo_tool trunk "$TRUNK_VERSION" trunk --locked
    # Its own lockfile pins a webpki-roots the registries here do not serve: no --locked.
    cargo_tool wasm-bindgen "$WASM_BINDGEN_VERSION" wasm-bindgen-cli
    wasm_split
    binaryen
    fetch_crates
    ;;
  test)
    node_check
    wasm_target
    rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt
    cargo_tool trunk "$TRUNK_VERSION" trunk --locked
    cargo_tool wasm-bindgen "$WASM_BINDGEN_VERSION" wasm-bindgen-cli
    wasm_split
    binaryen
    browser
    e2e_packages
    fetch_crates
    ;;
  *)
    echo "usage: $0 serve|build|test" >&2
    exit 2
    ;;
esac
