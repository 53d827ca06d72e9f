//! The workbench starts here: the crash message first, then the app.

fn main() {
    workbench_link::crash::install_panic_hook();
    leptos::mount::mount_to_body(cancellation_workbench::app::App);
}
