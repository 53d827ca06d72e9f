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

# Clippy's lints run inside the builds the tests need instead of in `cargo clippy` runs of
# their own, which checked every dependency again for each target. clippy-driver is rustc
# plus the lints; cargo hands it the workspace's crates only, with the same arguments
# `cargo clippy` would give it. Every cargo command below carries the same two variables,
# so the test runs reuse the linted builds instead of compiling again without the lints.
clippy_driver="$(dirname "$(command -v cargo-clippy)")/clippy-driver"
linted() {
  RUSTC_WORKSPACE_WRAPPER="$clippy_driver" CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__" "$@"
}

# The release build needs nothing the other steps make, and its cargo locks other target
# directories than theirs (release, not debug), so it runs alongside them from here: it
# fills the stretches where they keep one core or none busy (linking, LTO, wasm-bindgen, the
# loader fuzz, the browser). Its output and its own duration are shown at its step. It is
# the only build of the libraries and bins as they ship (no test cfg); scripts/build.sh
# lints it itself, the same way for `make build`, `make bench` and `make serve`, so that
# they reuse this build instead of compiling the app again.
release_log=target/release-build.log
set -m # its own process group, so that stopping it stops trunk and cargo too
(
  release_started=$SECONDS
  status=0
  scripts/build.sh || status=$?
  printf '== took %ds on its own: release build\n' $((SECONDS - release_started))
  exit $status
) </dev/null >"$release_log" 2>&1 &
release_pid=$!
set +m
trap 'kill -- -"$release_pid" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM

# Natively: every test and benchmark target, the two browser crates' libraries in their
# test build (all of their code, tests included). Their bins and non-test builds only run
# in a browser, and are linted where they are built for one: in the release build.
step "clippy (native), building every test and benchmark"
linted cargo test --workspace --tests --benches --no-run -q

step "native tests"
run linted cargo test --workspace

# The libraries' test builds: workbench-core is a workspace member, so it is linted here
# too, as a dependency. Their non-test builds and the bins are the release build's.
step "clippy (wasm32), building the browser crates' tests"
(source scripts/wasm-env.sh &&
  linted cargo test --target wasm32-unknown-unknown -p cancellation-workbench -p workbench-link --lib --no-run -q)

step "wasm tests in headless Chromium"
(source scripts/wasm-env.sh && run linted cargo test --target wasm32-unknown-unknown -p cancellation-workbench -p workbench-link --lib)

step "release build (trunk build --release), waiting for the one started after fmt"
release_status=0
wait "$release_pid" || release_status=$?
trap - EXIT
cat "$release_log"
[ "$release_status" -eq 0 ]

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
