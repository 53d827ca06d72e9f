//! The notices at the top of every page.

use leptos::prelude::*;

use crate::notice::{ListedNotice, ShownNotice};

/// The notices shown, each with an ID its dismiss button names.
#[derive(Clone, Copy)]
pub struct Notices {
    list: RwSignal<Vec<ListedNotice>>,
    /// The last ID handed out. IDs are never reused: the list is keyed by them, and a
    /// notice replacing a dismissed one in the same moment must not pass for it.
    last_id: StoredValue<u64>,
}

impl Notices {
    pub(super) fn new() -> Notices {
        Notices {
            list: RwSignal::new(Vec::new()),
            last_id: StoredValue::new(0),
        }
    }

    /// The notices shown now, oldest first.
    pub fn shown(&self) -> Vec<ListedNotice> {
        self.list.get()
    }

    pub fn notify(&self, notice: ShownNotice) {
        self.last_id.update_value(|last| *last += 1);
        let id = self.last_id.get_value();
        self.list.update(|n| n.push(ListedNotice { id, notice }));
    }

    /// A notice that slices of one write may each give: shown once while it is on screen.
    pub(super) fn notify_once(&self, notice: ShownNotice) {
        if !self.showing(|shown| *shown == notice) {
            self.notify(notice);
        }
    }

    pub fn dismiss(&self, id: u64) {
        self.list.update(|n| n.retain(|s| s.id != id));
    }

    /// Whether a notice `which` picks is shown.
    pub(super) fn showing(&self, which: impl Fn(&ShownNotice) -> bool) -> bool {
        self.list
            .with_untracked(|n| n.iter().any(|s| which(&s.notice)))
    }

    /// Takes away the notices `which` picks, which no longer hold.
    pub(super) fn withdraw(&self, which: impl Fn(&ShownNotice) -> bool) {
        self.list.update(|n| n.retain(|s| !which(&s.notice)));
    }
}
