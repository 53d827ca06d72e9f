# Sourced before every wasm32 command (trunk, clippy, wasm tests). Puts the project's own
# wasm-opt first, and when rustup has no prebuilt wasm32 std, switches to Debian's web
# toolchain and has cargo build std for wasm32 from source.
# WORKBENCH_WASM_TOOLCHAIN=debian takes the Debian route even where rustup has wasm32.
_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$_root/.tools/binaryen/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
if [ "${WORKBENCH_WASM_TOOLCHAIN:-}" = debian ] ||
  ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  export PATH="/usr/bin:$PATH"
  export RUSTC_BOOTSTRAP=1
  export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
fi
export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
unset _root
