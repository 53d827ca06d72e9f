#!/usr/bin/env bash
# Trunk's post-build hook, before scripts/post-build.mjs: the workbench's wasm split at its
# `#[lazy]` functions (Leptos's `#[lazy_route]`), as cargo-leptos does it, which Trunk cannot
# (trunk-rs/trunk#1022). Trunk has built the workbench and run wasm-bindgen on it whole;
# this takes cargo's wasm (linked with --emit-relocs, build.rs) and
#   1. wasm-split-cli: the main module, one .wasm per split point (plus shared chunks) and
#      the link module __wasm_split.js that loads them;
#   2. wasm-bindgen --target web on the main module, under the hashed name Trunk gave its own
#      output, so index.html's loader loads it unchanged;
#   3. wasm-opt -Oz on every module (Trunk's own wasm-opt is off for the workbench);
# and replaces Trunk's two files in the staging folder with these.
#
#   scripts/split.sh [dir]   (Trunk's staging folder, or the folder given, else dist/)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${TRUNK_STAGING_DIR:-${1:-dist}}
profile=${TRUNK_PROFILE:-release}
[ "$profile" = release ] || { echo "split: not a release build, left whole" >&2; exit 0; }
input=${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/cancellation-workbench.wasm

shopt -s nullglob
js=("$dir"/cancellation-workbench-*.js)
[ ${#js[@]} = 1 ] || { echo "split: expected one cancellation-workbench-*.js in $dir, found ${#js[@]}" >&2; exit 1; }
name=$(basename "${js[0]}" .js)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=$(date +%s%N)
wasm-split-cli "$input" "$work/split" --out-name "$name" --target web
wasm-bindgen --target web --keep-lld-exports --no-typescript \
  --out-dir "$work/bindgen" --out-name "$name" "$work/split/$name.wasm"
rm "$work/split/$name.wasm"
mv "$work/bindgen/$name.js" "$work/bindgen/${name}_bg.wasm" "$work/split/"
if [ -d "$work/bindgen/snippets" ]; then cp -r "$work/bindgen/snippets" "$work/split/"; fi
# One wasm-opt per core: a split into many modules otherwise starts them all at once.
find "$work/split" -name '*.wasm' -print0 |
  xargs -0 -P "$(nproc)" -I{} wasm-opt -Oz {} -o {}
# Content-hashed names for the chunks and the link module, as Trunk gives its own files, so
# a host can cache them for good: the link module names the chunks, the main JS the link
# module (its import only: the wasm's import module stays "./__wasm_split.js").
link="$work/split/__wasm_split.js"
for chunk in "$work/split"/*.wasm; do
  base=$(basename "$chunk")
  [ "$base" = "${name}_bg.wasm" ] && continue
  hashed="${base%.wasm}-$(sha256sum "$chunk" | cut -c1-16).wasm"
  mv "$chunk" "$work/split/$hashed"
  sed -i "s|\"./$base\"|\"./$hashed\"|" "$link"
done
hashed_link="__wasm_split-$(sha256sum "$link" | cut -c1-16).js"
mv "$link" "$work/split/$hashed_link"
sed -i "s|^\(import \* as import[0-9]* from\) \"./__wasm_split.js\"|\1 \"./$hashed_link\"|" "$work/split/$name.js"
grep -q "from \"./$hashed_link\"" "$work/split/$name.js" || { echo "split: $name.js does not import the link module" >&2; exit 1; }
cp -r "$work/split/." "$dir/"
printf 'split: %s in %d ms:\n' "$name" $((($(date +%s%N) - start) / 1000000)) >&2
(cd "$work/split" && ls -l -- *.wasm *.js >&2)
