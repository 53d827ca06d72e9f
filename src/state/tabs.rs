//! Other tabs' writes, and the demo clock the buyer's page of this browser moves: each
//! arrives as a `storage` event.

use leptos::prelude::*;
use workbench_link::clock::SimulatedClock;
use workbench_link::handoff;

use super::AppState;
use crate::notice::ShownNotice;
use crate::storage::PREFIX;

impl AppState {
    pub(super) fn listen_to_other_tabs(&self) {
        let state = *self;
        let handle =
            window_event_listener(leptos::ev::storage, move |event: web_sys::StorageEvent| {
                let Some(key) = event.key() else { return };
                if key == handoff::CLOCK_KEY {
                    // The buyer's page of this browser moved the demo clock.
                    let offset_seconds = state
                        .store
                        .with_value(|s| s.handed_clock_offset())
                        .unwrap_or(0);
                    if offset_seconds != state.clock.get_untracked().offset_seconds {
                        state.set_clock(SimulatedClock { offset_seconds });
                    }
                    return;
                }
                if !key.starts_with(PREFIX) {
                    return;
                }
                if key == crate::storage::CLOCK_KEY {
                    if let Some(clock) = state.store.with_value(|s| s.read_clock()) {
                        state.clock.set(clock);
                        state.tick();
                    }
                    return;
                }
                let now = state.now.get_untracked();
                // Views hear of it only when a record was read or removed.
                let notices = state
                    .book_rw
                    .try_maybe_update(|b| {
                        let notices = state
                            .store
                            .try_update_value(|s| s.catch_up(b, &key, now))
                            .flatten();
                        (notices.is_some(), notices)
                    })
                    .flatten();
                for notice in notices.into_iter().flatten() {
                    state.notices.notify(ShownNotice::Stored(notice));
                }
            });
        // The listener lives as long as the app.
        std::mem::forget(handle);
    }
}
