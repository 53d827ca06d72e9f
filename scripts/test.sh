#!/usr/bin/env bash
# Every check the project has, stopping at the first failure, then one closing line that
# counts every test run (native, wasm and browser).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target
log=target/test-output.log
: >"$log"

# Each step says how long the one before it took, and the last line how long all took.
started=$SECONDS
step_started=$SECONDS
step_name=""
step() {
  [ -n "$step_name" ] && printf '== took %ds: %s\n' $((SECONDS - step_started)) "$step_name"
  step_name="$*"
  step_started=$SECONDS
  printf '\n== test: %s\n' "$*"
}
run() { "$@" 2>&1 | tee -a "$log"; }

step "cargo fmt --check"
cargo fmt --all --check

step "clippy (native)"
cargo clippy --workspace --all-targets -q -- -D warnings

step "clippy (wasm32)"
(source scripts/wasm-env.sh &&
  cargo clippy --target wasm32-unknown-unknown -p workbench-core --lib -q -- -D warnings &&
  cargo clippy --target wasm32-unknown-unknown -p cancellation-workbench -p workbench-link --all-targets -q -- -D warnings)

step "native tests"
run cargo test --workspace

step "wasm tests in headless Chromium"
(source scripts/wasm-env.sh && run cargo test --target wasm32-unknown-unknown -p cancellation-workbench)

step "release build (trunk build --release)"
scripts/build.sh

step "end-to-end tests in headless Chromium"
# Two files at a time, one per core: each starts its own server and browser.
run node --test --test-reporter=spec --test-concurrency=2 tests/e2e/

# cargo and wasm-bindgen print "test result: ok. N passed; M failed"; node prints "ℹ pass N".
awk '
  /test result: (ok|FAILED)\./ { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed/) p += $(i-1); if ($(i) ~ /^failed/) f += $(i-1) } }
  /^ℹ pass [0-9]+/ { p += $3 }
  /^ℹ fail [0-9]+/ { f += $3 }
  END { printf "\nall: %d passed, %d failed\n", p, f }
' "$log"
printf '== took %ds: %s\n== took %ds in all\n' $((SECONDS - step_started)) "$step_name" $((SECONDS - started))
