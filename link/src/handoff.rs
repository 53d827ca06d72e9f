//! How the buyer's page and the seller's workbench, two bundles that share nothing but the
//! browser, talk when both run in one browser (the seller trying the link, or a demo on one
//! machine). The page hands every decision it makes to the workbench as a receipt, exactly
//! as a buyer on another device would send it; the workbench applies the ones sealed with a
//! secret it kept, ignores the rest, and says what became of each request. The `storage`
//! event carries each write to the other bundle's open tabs at once.
//!
//! The keys sit outside the workbench's own `cw.` store, in plain text a few lines long, so
//! the page needs neither the store's packed format nor its rules:
//! - `cw-link.inbox`: receipt codes waiting for the workbench, one per line;
//! - `cw-link.results`: the latest words for each request the workbench settled from the
//!   inbox, one `<request ID>\t<words>` per line, newest last;
//! - `cw-link.clock`: the demo clock's offset from real time, in seconds.

pub const INBOX_KEY: &str = "cw-link.inbox";
pub const RESULTS_KEY: &str = "cw-link.results";
pub const CLOCK_KEY: &str = "cw-link.clock";
/// Written by the workbench when it first runs in a browser: its presence means a workbench
/// here may hold the request, so a decision is handed over.
const WORKBENCH_KEY: &str = "cw.meta";
/// Results kept, enough for any demo; older ones are dropped first.
const RESULTS_KEPT: usize = 50;

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn read(key: &str) -> String {
    storage()
        .and_then(|s| s.get_item(key).ok().flatten())
        .unwrap_or_default()
}

/// Whether a workbench runs in this browser.
pub fn workbench_here() -> bool {
    storage().is_some_and(|s| s.get_item(WORKBENCH_KEY).ok().flatten().is_some())
}

/// Leaves a receipt for this browser's workbench. Where storage refuses it, the page still
/// shows the receipt to send, which is the way every other buyer answers.
pub fn hand_receipt(code: &str) {
    if let Some(store) = storage() {
        let inbox = with_line(&read(INBOX_KEY), code);
        store.set_item(INBOX_KEY, &inbox).ok();
    }
}

/// What this browser's workbench last said of a request, if it settled it from the inbox.
pub fn result_for(request_id: &str) -> Option<String> {
    result_in(&read(RESULTS_KEY), request_id)
}

/// The demo clock's offset from real time, in seconds, if either bundle set one.
pub fn clock_offset() -> Option<i64> {
    offset_in(&read(CLOCK_KEY))
}

/// The offset `CLOCK_KEY` holds as text.
pub fn offset_in(text: &str) -> Option<i64> {
    text.trim().parse().ok()
}

pub fn publish_clock_offset(seconds: i64) {
    if let Some(store) = storage() {
        store
            .set_item(CLOCK_KEY, &crate::words::number(seconds))
            .ok();
    }
}

/// The receipt codes of an inbox's text, or the lines of the results' text.
pub fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// The inbox with `code` added once: a decision taken twice on the page is one receipt.
fn with_line(inbox: &str, code: &str) -> String {
    let mut codes = lines(inbox);
    if !codes.iter().any(|c| c == code) {
        codes.push(code.to_string());
    }
    codes.join("\n")
}

/// The results' text with what became of `request_id` as its newest line.
pub fn with_result(results: &str, request_id: &str, words: &str) -> String {
    // One line per result: the words never break it.
    let words = words.replace(['\n', '\r', '\t'], " ");
    let mut kept: Vec<String> = lines(results)
        .into_iter()
        .filter(|l| l.split_once('\t').is_some_and(|(id, _)| id != request_id))
        .collect();
    kept.push([request_id, "\t", &words].concat());
    let drop = kept.len().saturating_sub(RESULTS_KEPT);
    kept.drain(..drop);
    kept.join("\n")
}

fn result_in(results: &str, request_id: &str) -> Option<String> {
    lines(results).into_iter().rev().find_map(|l| {
        let (id, words) = l.split_once('\t')?;
        (id == request_id).then(|| words.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_receipt_handed_twice_waits_once() {
        let inbox = with_line("", "acr-1.abc");
        let inbox = with_line(&inbox, "acr-2.def");
        let inbox = with_line(&inbox, "acr-1.abc");
        assert_eq!(lines(&inbox), ["acr-1.abc", "acr-2.def"]);
    }

    #[test]
    fn the_latest_result_of_a_request_replaces_the_earlier_one() {
        let results = with_result("", "acr-1", "Pending");
        let results = with_result(&results, "acr-2", "Approved");
        let results = with_result(&results, "acr-1", "Denied\nfor good");
        assert_eq!(
            result_in(&results, "acr-1").as_deref(),
            Some("Denied for good")
        );
        assert_eq!(result_in(&results, "acr-2").as_deref(), Some("Approved"));
        assert_eq!(result_in(&results, "acr-3"), None);
        assert_eq!(lines(&results).len(), 2);
    }

    #[test]
    fn only_the_newest_results_are_kept() {
        let mut results = String::new();
        for n in 0..RESULTS_KEPT + 5 {
            results = with_result(&results, &format!("acr-{n}"), "Approved");
        }
        assert_eq!(lines(&results).len(), RESULTS_KEPT);
        assert_eq!(result_in(&results, "acr-0"), None);
        assert!(result_in(&results, &format!("acr-{}", RESULTS_KEPT + 4)).is_some());
    }
}
