fn main() {
    workbench_link::crash::install_panic_hook();
    leptos::mount::mount_to_body(cancellation_workbench::app::App);
}
