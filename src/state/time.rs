//! The clock: real or simulated time, ticking every second. The core catches up with it,
//! the page shows that at once, and the records it changed are written a slice at a time
//! between frames.

use std::collections::BTreeSet;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use workbench_core::book::{Book, Outcome};
use workbench_core::key::RecordKey;
use workbench_link::clock::{real_now, SimulatedClock};

use super::AppState;
use crate::notice::ShownNotice;
use crate::storage::SaveError;

/// How long one slice of writing time's changes may hold the page: with the drawing
/// around it, a frame stays well under the 50 ms of a long one.
const WRITE_SLICE_MS: f64 = 10.0;

impl AppState {
    /// Moves the simulated clock; everything due in between happens at its own time.
    pub fn set_clock(&self, clock: SimulatedClock) {
        self.clock.set(clock);
        self.store
            .update_value(|s| s.hand_clock_offset(clock.offset_seconds));
        if let Some(Err(error)) = self.store.try_update_value(|s| s.save_clock(&clock)) {
            self.notices.notify(ShownNotice::NotSaved(error.into()));
        }
        self.tick();
    }

    pub(super) fn tick(&self) {
        let now = self.clock.get_untracked().now(real_now());
        self.now.set(now);
        self.advance(now);
    }

    /// Lets the model catch up with `now`: deadlines that passed approve at their own time,
    /// and AWS reads the support cases due. The page shows it at once; the records it
    /// changed are written a slice at a time after.
    pub(super) fn advance(&self, now: DateTime<Utc>) {
        let due = self
            .book
            .with_untracked(|b| b.next_due().is_some_and(|d| d <= now));
        if !due {
            return;
        }
        mark_start("workbench: time passes");
        let mut outcome = Outcome::default();
        self.book_rw.update(|b| outcome = b.advance_to(now));
        // The views draw the change in this task's microtasks, so the next task starts
        // once the page shows it.
        set_timeout(
            || measure_since_start("workbench: time passes"),
            StdDuration::ZERO,
        );
        if outcome.changed.is_empty() {
            return;
        }
        let idle = self
            .store
            .try_update_value(|s| {
                let idle = !s.has_later();
                s.write_later(outcome.changed);
                idle
            })
            .unwrap_or(false);
        if idle {
            self.write_later_soon();
        }
    }

    fn write_later_soon(&self) {
        let state = *self;
        set_timeout(move || state.write_some(), StdDuration::ZERO);
    }

    /// Writes what time changed for a slice of a frame, then lets the page draw and answer
    /// before the next slice: at 10,000 agreements "+7 days" writes every one of them.
    fn write_some(&self) {
        let until = performance_now() + WRITE_SLICE_MS;
        let written = self.book.with_untracked(|b| {
            self.store
                .try_update_value(|s| s.write_some(b, || performance_now() < until))
        });
        match written {
            Some(Ok(beaten)) if !beaten.records.is_empty() => {
                // Another tab wrote first: take its records. Only when a person acted there
                // does this page show something other than it did, and say why.
                let records = beaten.records.into_iter().collect();
                self.book_rw.update(|b| self.put_back(b, &records));
                if let Some(record) = beaten.overruled {
                    self.notices.notify_once(ShownNotice::NotSaved(
                        SaveError::TimeOverruled { record }.into(),
                    ));
                }
            }
            // Any other refusal keeps what time did on screen; putting it back would only
            // have the next tick do it again, and fail again, every second.
            Some(Err(error)) => self
                .notices
                .notify_once(ShownNotice::NotSaved(error.into())),
            _ => {}
        }
        self.check_usage();
        if self.store.with_value(|s| s.has_later()) {
            self.write_later_soon();
        } else {
            // From the same start as "workbench: time passes".
            measure_between(
                "workbench: time passes start",
                "workbench: time's changes written",
            );
        }
    }

    /// After a refused write, the records it touched become what storage holds again, so
    /// the page never shows a change that a reload would take back.
    fn put_back(&self, book: &mut Book, changed: &BTreeSet<RecordKey>) {
        let now = self.now.get_untracked();
        self.store.update_value(|s| s.restore(book, changed, now));
    }
}

/// User Timing: the browser's performance panel shows these steps, and the write-cost
/// test and `make bench` ("+7 days" at 10,000 pending requests) read them.
pub(super) fn mark_start(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        performance.mark(&format!("{name} start")).ok();
    }
}

pub(super) fn measure_since_start(name: &str) {
    measure_between(&format!("{name} start"), name);
}

fn measure_between(start_mark: &str, name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        performance.measure_with_start_mark(name, start_mark).ok();
    }
}

pub(super) fn performance_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}
