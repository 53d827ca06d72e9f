#!/usr/bin/env bash
# Serves the app at http://127.0.0.1:8080. The release profile is used because a dev build
# means another cold std build and a 7 MB wasm; deep links fall back to index.html.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/wasm-env.sh
exec trunk serve --release --offline --address 127.0.0.1 --port 8080
