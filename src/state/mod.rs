//! The app's one source of truth, shared through context: the book, the clock and the
//! notices, with the only paths by which they change: a person's command, the clock's tick,
//! and another tab's write. Each path runs the core, then storage, then the signals, and
//! tells the views once, only when something changed.
//!
//! One file per concern: `door` (a person's changes, each one command), `time` (the clock,
//! and writing what time changed a slice at a time), `reading` (the rest of a large book,
//! read after the agreement list is drawn), `tabs` (other tabs' writes) and `notices`.

mod door;
mod notices;
mod reading;
mod tabs;
mod time;

use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use workbench_core::book::Book;
use workbench_core::demo;
use workbench_core::ids::AccountId;
use workbench_link::clock::{real_now, SimulatedClock};
use workbench_link::timing;

use crate::browser_ids::BrowserIds;
use crate::notice::ShownNotice;
use crate::storage::{BrowserStorage, ReadingProgress, Store, Usage};
pub use notices::Notices;
use reading::{FIRST_READ_AT_LEAST, FIRST_READ_MS};
use time::performance_now;

#[derive(Clone, Copy)]
pub struct AppState {
    /// The book, for the views to read: it changes only through the paths of this module.
    pub book: ReadSignal<Book>,
    book_rw: RwSignal<Book>,
    pub clock: RwSignal<SimulatedClock>,
    /// The app's time, real or simulated, ticking every second.
    pub now: RwSignal<DateTime<Utc>>,
    pub notices: Notices,
    /// Which demo seller the console acts as.
    pub seller: RwSignal<Option<AccountId>>,
    /// How full the browser's storage is, kept as writes happen.
    pub usage: RwSignal<Usage>,
    /// While a large book is still being read after the agreement list was drawn from its
    /// first agreements: how far it has come.
    pub reading: RwSignal<Option<ReadingProgress>>,
    store: StoredValue<Store<BrowserStorage>, LocalStorage>,
}

impl AppState {
    /// Loads what the browser holds (or the demo data on a first visit) and starts the clock.
    /// A cold start on the agreement list draws it once the first agreements of a large
    /// book are read, and reads the rest between frames; anywhere else reads all first.
    pub fn start() -> AppState {
        let real = real_now();
        let on_the_list = web_sys::window()
            .and_then(|w| w.location().pathname().ok())
            .is_some_and(|path| is_the_agreement_list(&path));
        // Timed from the first agreement read: listing the keys and reading the other
        // records come first.
        let (mut read, mut until) = (0, None);
        let (store, loaded) = Store::open_first(
            BrowserStorage,
            real,
            || fresh_demo(real),
            || {
                read += 1;
                let now = performance_now();
                !on_the_list
                    || read < FIRST_READ_AT_LEAST
                    || now < *until.get_or_insert(now + FIRST_READ_MS)
            },
        );
        let reading = store.reading().cloned();
        let now = loaded.clock.now(real);
        let seller = loaded
            .book
            .directory()
            .sellers
            .first()
            .map(|p| p.account.clone());
        let book = RwSignal::new(loaded.book);
        let state = AppState {
            book: book.read_only(),
            book_rw: book,
            clock: RwSignal::new(loaded.clock),
            now: RwSignal::new(now),
            notices: Notices::new(),
            seller: RwSignal::new(seller),
            usage: RwSignal::new(store.usage()),
            reading: RwSignal::new(reading),
            store: StoredValue::new_local(store),
        };
        for notice in loaded.notices {
            state.notices.notify(ShownNotice::Stored(notice));
        }
        state.check_usage();
        state.advance(now);
        state
            .store
            .update_value(|s| s.hand_clock_offset(loaded.clock.offset_seconds));
        state.listen_to_other_tabs();
        set_interval(move || state.tick(), StdDuration::from_secs(1));
        if state.reading.get_untracked().is_some() {
            state.read_some_soon();
        } else {
            timing::mark_once("book-read");
        }
        state
    }

    /// Warns once the quota is 80 % used (again after it fell below and rose again).
    fn check_usage(&self) {
        let usage = self.store.with_value(|s| s.usage());
        if self.usage.get_untracked() != usage {
            self.usage.set(usage);
        }
        let shown = self
            .notices
            .showing(|n| matches!(n, ShownNotice::NearlyFull(_)));
        if usage.nearly_full() && !shown {
            self.notices.notify(ShownNotice::NearlyFull(usage));
        } else if !usage.nearly_full() && shown {
            self.notices
                .withdraw(|n| matches!(n, ShownNotice::NearlyFull(_)));
        }
    }
}

/// The demo data, with link secrets of this browser's own.
fn fresh_demo(now: DateTime<Utc>) -> Book {
    let mut book = demo::demo_book(now);
    demo::draw_secrets(&mut book, &mut BrowserIds);
    book
}

/// The agreement list's own address, the one page drawn from part of a large book.
pub fn is_the_agreement_list(path: &str) -> bool {
    path.trim_end_matches('/') == "/seller"
}

/// Where this app is served from, for links people send to each other.
pub fn use_app() -> AppState {
    expect_context::<AppState>()
}
