#!/usr/bin/env bash
# A release build of the app into dist/, ready to host. `scripts/build.sh serve` serves the
# same build at http://127.0.0.1:8080 and rebuilds it on every change (scripts/serve.sh).
#
# The build is always linted, exactly as `make test` lints it: clippy-driver as the
# workspace's compiler, with warnings denied. Cargo builds the workspace's crates apart for
# each wrapper (their own artifacts), so an unlinted build after a linted one (`make serve`
# right after `make test`) compiled and linked the whole app again, about 3.5 minutes on
# the 2-core build machine. Built one way, `make test`, `make build`, `make bench` and
# `make serve` share one release build; the lints cost it no measurable time next to its
# optimisation and LTO. A warning therefore stops a rebuild under `make serve`, as it stops
# `make test`.
#
# usage: scripts/build.sh [serve]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/wasm-env.sh

# The clippy-driver beside the toolchain's cargo-clippy (Debian's web toolchain where
# wasm-env.sh chose it), if it runs: rustup has a proxy there even without the component.
# Without clippy (`make serve` and `make build` do not install it) the build is plain; no
# `make test` has run there yet to share a build with, as it installs clippy first.
clippy_driver="$(dirname "$(command -v cargo-clippy || echo .)")/clippy-driver"
if "$clippy_driver" --version >/dev/null 2>&1; then
  export RUSTC_WORKSPACE_WRAPPER="$clippy_driver"
  export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
else
  printf '== build: no clippy-driver found, building without the lints\n' >&2
fi

if [ "${1:-}" = serve ]; then
  exec trunk serve --release --offline --address 127.0.0.1 --port 8080
fi
exec trunk build --release --offline
