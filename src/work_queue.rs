//! The seller's work queue as the views share it: computed once, for the header, the home
//! page, the console's navigation and the queue itself, and only while one of them shows.

use leptos::prelude::*;
use workbench_core::book::Attention;

use crate::state::AppState;

/// The acting seller's queue, with whether storage is nearly full.
#[derive(Clone, Copy)]
pub struct WorkQueue {
    pub items: Memo<Vec<Attention>>,
    /// Whether storage is nearly full, which is the seller's to deal with too.
    pub storage_full: Memo<bool>,
}

impl WorkQueue {
    pub fn new(app: AppState) -> Self {
        let items = Memo::new(move |_| {
            // Counted once the whole of a large book is read: any page that shows the
            // queue itself reads the rest first.
            if app.reading.with(Option::is_some) {
                return Vec::new();
            }
            let now = app.now.get_untracked();
            app.seller
                .get()
                .map(|seller| app.book.with(|b| b.attention(&seller, now)))
                .unwrap_or_default()
        });
        let storage_full = Memo::new(move |_| app.usage.get().nearly_full());
        WorkQueue {
            items,
            storage_full,
        }
    }

    /// How many items wait for the seller.
    pub fn count(self) -> usize {
        self.items.with(Vec::len) + usize::from(self.storage_full.get())
    }
}

pub fn use_work_queue() -> WorkQueue {
    expect_context::<WorkQueue>()
}

/// "3 items wait for you", or that nothing does.
pub fn waiting_words(count: usize) -> String {
    match count {
        0 => "Nothing waits for you".into(),
        1 => "1 item waits for you".into(),
        n => format!("{n} items wait for you"),
    }
}
