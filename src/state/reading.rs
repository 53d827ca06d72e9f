//! A large book read in two parts: a cold start on the agreement list draws the list from
//! the first agreements read, and the rest is read between frames.

use std::time::Duration as StdDuration;

use leptos::prelude::*;
use workbench_link::timing;

use super::time::performance_now;
use super::AppState;
use crate::notice::ShownNotice;

/// How long a cold start on the agreement list reads a large book before drawing the list:
/// long enough, on the build machine, for the first page of each scale-demo seller. A
/// seller with fewer among them sees those, counted "so far", until the whole book is
/// read, which takes far longer than a person should wait for the list.
pub(super) const FIRST_READ_MS: f64 = 60.0;

/// And at least this many, however slow the machine: a fresh browser profile on a busy
/// machine read less than one seller's page in that time.
pub(super) const FIRST_READ_AT_LEAST: usize = 300;

/// How long one slice of reading the rest of a large book may hold the page.
const READ_SLICE_MS: f64 = 20.0;

impl AppState {
    pub(super) fn read_some_soon(&self) {
        let state = *self;
        set_timeout(
            move || {
                let until = performance_now() + READ_SLICE_MS;
                state.read_more(|| performance_now() < until);
            },
            StdDuration::ZERO,
        );
    }

    /// Reads the rest of a large book now, before anything that needs all of it: any page
    /// but the agreement list, a search by ID, a receipt, an export, an import, a reset.
    pub fn finish_reading(&self) {
        self.read_more(|| true);
    }

    /// Reads more of a large book while `go_on()` says so. The views hear of it once, when
    /// the last agreement is read and the book holds all of them.
    fn read_more(&self, go_on: impl FnMut() -> bool) {
        if self.reading.get_untracked().is_none() {
            return;
        }
        let now = self.now.get_untracked();
        let notices = self
            .book_rw
            .try_maybe_update(|b| {
                self.store
                    .try_update_value(|s| s.read_some(b, now, go_on))
                    .expect("the store lives as long as the app")
            })
            .expect("the book lives as long as the app");
        for notice in notices {
            self.notices.notify(ShownNotice::Stored(notice));
        }
        let progress = self.store.with_value(|s| s.reading().cloned());
        let done = progress.is_none();
        self.reading.set(progress);
        if done {
            self.check_usage();
            self.advance(now);
            timing::mark_once("book-read");
        } else {
            self.read_some_soon();
        }
    }
}
