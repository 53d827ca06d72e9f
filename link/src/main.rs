//! The buyer's confirmation bundle starts here: the crash message first, then the page.

fn main() {
    workbench_link::crash::install_panic_hook();
    workbench_link::page::start();
}
