//! User Timing marks at the moments a person can act, which `make bench` reads through the
//! Performance API: "confirm-ready" when the buyer can approve, "list-ready" when the
//! seller's list is shown, "book-read" once the workbench holds every stored agreement,
//! "filter-applied" after a filter's or a page's result, and "reset-demo-start" /
//! "reset-demo-done" around loading demo data.

/// Marks `name` the first time it happens on this page; later redraws do not move it.
pub fn mark_once(name: &str) {
    let Some(performance) = web_sys::window().and_then(|w| w.performance()) else {
        return;
    };
    if performance.get_entries_by_name(name).length() == 0 {
        performance.mark(name).ok();
    }
}

/// Marks `name` each time it happens, for moments that recur (a filter's result).
pub fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        performance.mark(name).ok();
    }
}
