//! The wasm32 link keeps its relocations (`--emit-relocs`): wasm-split (scripts/split.sh)
//! reads them to cut the app at its `#[lazy]` functions. Only the final link changes, so no
//! dependency is compiled again for it.
fn main() {
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-arg-bin=cancellation-workbench=--emit-relocs");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
