//! The keys through which the buyer's page of this browser and the workbench talk
//! (`workbench_link::handoff` says how): the workbench reads and writes them here, as every
//! key of localStorage it touches. They sit outside the versioned `cw.` store, so they count
//! nowhere in its usage and need no compare-and-set: each is written by one side and read by
//! the other. Storage that refuses them costs only the convenience: the buyer's page still
//! shows the receipt to send.

use workbench_link::handoff::{self, CLOCK_KEY, INBOX_KEY, RESULTS_KEY};

use super::{Backend, Store};

impl<B: Backend> Store<B> {
    /// Takes every receipt the buyer's page left in the inbox, emptying it.
    pub fn take_handed_receipts(&mut self) -> Vec<String> {
        let codes = handoff::lines(&self.handed(INBOX_KEY));
        if !codes.is_empty() {
            self.backend.remove(INBOX_KEY).ok();
        }
        codes
    }

    /// Tells the buyer's page what became of a request it handed over.
    pub fn tell_buyers_page(&mut self, request_id: &str, words: &str) {
        let results = handoff::with_result(&self.handed(RESULTS_KEY), request_id, words);
        self.backend.set(RESULTS_KEY, &results).ok();
    }

    /// Shows the buyer's page the demo clock's offset, in seconds.
    pub fn hand_clock_offset(&mut self, seconds: i64) {
        self.backend.set(CLOCK_KEY, &seconds.to_string()).ok();
    }

    /// The demo clock's offset the buyer's page set, if any.
    pub fn handed_clock_offset(&self) -> Option<i64> {
        handoff::offset_in(&self.handed(CLOCK_KEY))
    }

    fn handed(&self, key: &str) -> String {
        self.backend.get(key).ok().flatten().unwrap_or_default()
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use chrono::{TimeZone, Utc};
    use workbench_core::book::Book;

    use super::*;
    use crate::MemoryBackend;

    #[test]
    fn receipts_handed_over_are_taken_once_and_results_reach_the_page() {
        let backend = MemoryBackend::new();
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
        let (mut store, _) = Store::open(backend.clone(), now, Book::default);
        backend
            .set(INBOX_KEY, "acr-1.code\n\nacr-2.code\n")
            .unwrap();
        assert_eq!(
            store.take_handed_receipts(),
            vec!["acr-1.code".to_string(), "acr-2.code".to_string()]
        );
        assert!(store.take_handed_receipts().is_empty());
        assert_eq!(backend.get(INBOX_KEY).unwrap(), None);

        store.tell_buyers_page("acr-1", "Your decision was applied.");
        store.tell_buyers_page("acr-1", "This request is approved\tsince today.");
        let results = backend.get(RESULTS_KEY).unwrap().unwrap();
        assert_eq!(results, "acr-1\tThis request is approved since today.");

        assert_eq!(store.handed_clock_offset(), None);
        store.hand_clock_offset(-3600);
        assert_eq!(store.handed_clock_offset(), Some(-3600));
    }
}
