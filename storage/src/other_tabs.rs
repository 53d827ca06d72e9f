//! Following other tabs: what another tab wrote replaces what this one holds, one key at a
//! time, and a refused write is put back to what storage holds.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use workbench_core::book::{AgreementRecord, Book, Directory};
use workbench_core::families::alibaba::AlibabaOrder;
use workbench_core::families::devpay::DevPaySubscription;
use workbench_core::families::fps::FpsSubscription;
use workbench_core::families::support_case::SupportCase;
use workbench_core::key::RecordKey;
use workbench_link::clock::SimulatedClock;

use super::*;

impl<B: Backend> Store<B> {
    /// Before acting on a record, picks up what another tab may have written to it, or
    /// puts back what this tab failed to write. Returns whether the record changed.
    pub fn refresh(&mut self, book: &mut Book, record: &RecordKey, now: DateTime<Utc>) -> bool {
        let key = key_of(record);
        let Some(text) = self.get(&key) else {
            return false;
        };
        if version_in(&text) == self.written.get(&key).copied() {
            return false;
        }
        self.apply_external(book, &key, Some(&text), now).is_some()
    }

    /// Makes the book's records what storage holds (or forgets those storage has none of),
    /// whatever this tab believed: a write of them was just refused.
    pub fn restore(&mut self, book: &mut Book, records: &BTreeSet<RecordKey>, now: DateTime<Utc>) {
        for record in records {
            self.catch_up(book, &key_of(record), now);
        }
    }

    /// Brings the book in step with what `key` holds now, after another tab changed it.
    /// What it holds now, not what a storage event said it was given: Chromium can deliver
    /// a write made just before this page opened, which the page has already read (and, if
    /// it was damaged, moved aside), so the event's value is older than storage. Returns
    /// `None` when nothing the book shows changed, else the notices of what could not be
    /// read.
    pub fn catch_up(
        &mut self,
        book: &mut Book,
        key: &str,
        now: DateTime<Utc>,
    ) -> Option<Vec<Notice>> {
        let text = self.get(key);
        self.apply_external(book, key, text.as_deref(), now)
    }

    /// Applies `text`, which `key` now holds (`None`: it was removed). Returns a notice
    /// when it could not be read.
    pub(super) fn apply_external(
        &mut self,
        book: &mut Book,
        key: &str,
        text: Option<&str>,
        now: DateTime<Utc>,
    ) -> Option<Vec<Notice>> {
        self.note(key, text);
        // Read while the rest of the book is: the book has it now, or not at all.
        if let Some(reading) = &mut self.reading {
            if let Some(id) = key
                .strip_prefix(AgreementRecord::PREFIX)
                .and_then(AgreementRecord::parse_id)
            {
                reading.read.remove(&id);
            }
        }
        let mut notices = Vec::new();
        match (key, text) {
            (CLOCK_KEY | META_KEY, _) => return None,
            (DIRECTORY_KEY, Some(text)) => {
                if let Some(d) = self.read::<Directory>(key, text, now, &mut notices) {
                    *book.shelf().directory() = d.record;
                }
            }
            (_, None) => {
                self.written.remove(key);
                let forgotten = Self::forget::<AgreementRecord>(book, key)
                    || Self::forget::<FpsSubscription>(book, key)
                    || Self::forget::<DevPaySubscription>(book, key)
                    || Self::forget::<AlibabaOrder>(book, key)
                    || Self::forget::<SupportCase>(book, key);
                if !forgotten {
                    return None;
                }
            }
            (_, Some(text)) => self.load_record(book, key, text, now, &mut notices),
        }
        Some(notices)
    }

    /// The clock another tab set.
    pub fn read_clock(&self) -> Option<SimulatedClock> {
        self.get(CLOCK_KEY)
            .and_then(|t| codec::decode::<SimulatedClock>(&t).ok())
            .map(|d| d.data)
    }
}
