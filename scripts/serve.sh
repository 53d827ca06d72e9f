#!/usr/bin/env bash
# Serves the app at http://127.0.0.1:8080. The release profile is used because a dev build
# means another cold std build and a 7 MB wasm; deep links fall back to index.html. It is
# built exactly as `make test` and `make build` build it (scripts/build.sh), so after either
# cargo compiles nothing again: trunk only reruns wasm-bindgen, wasm-opt and the
# precompression, under a minute, where an unlinted build compiled the app for minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/build.sh serve
