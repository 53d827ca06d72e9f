#!/usr/bin/env bash
# `make bench`: every performance budget, one line each, from the core's criterion
# benchmarks (natively) and the release build driven in headless Chromium. Not part of
# `make test`: budgets are held by benchmarks, tests assert behaviour.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target
printf '\n== bench: core (criterion, natively)\n'
cargo bench -p workbench-core --bench core -- --output-format bencher 2>/dev/null | tee target/bench-core.txt
printf '\n== bench: release build\n'
scripts/build.sh
printf '\n== bench: the budgets\n'
node tests/e2e/bench.mjs target/bench-core.txt
