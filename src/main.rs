fn main() {
    cancellation_workbench::crash::install_panic_hook();
    leptos::mount::mount_to_body(cancellation_workbench::app::App);
}
