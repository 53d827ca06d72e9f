#!/usr/bin/env bash
# A release build of the app into dist/, ready to host.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/wasm-env.sh
trunk build --release --offline
