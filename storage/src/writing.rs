//! Writing: a command's changes with compare-and-set, time's changes a slice at a time, and
//! the whole book at once (a reset, an import).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::Serialize;
use workbench_core::book::{AgreementRecord, Book, Versioned};
use workbench_core::families::alibaba::AlibabaOrder;
use workbench_core::families::devpay::DevPaySubscription;
use workbench_core::families::fps::FpsSubscription;
use workbench_core::families::support_case::SupportCase;
use workbench_core::key::RecordKey;
use workbench_link::clock::SimulatedClock;

use super::*;

impl<B: Backend> Store<B> {
    pub(super) fn write_everything(
        &mut self,
        book: &Book,
        clock: &SimulatedClock,
        now: DateTime<Utc>,
    ) -> Result<(), SaveError> {
        if self.read_only {
            return Err(SaveError::ReadOnly);
        }
        self.put(META_KEY, &codec::encode(1, &Meta { created_at: now }))?;
        self.put(DIRECTORY_KEY, &codec::encode(1, book.directory()))?;
        self.put(CLOCK_KEY, &codec::encode(1, clock))?;
        self.write_all::<AgreementRecord>(book)?;
        self.write_all::<FpsSubscription>(book)?;
        self.write_all::<DevPaySubscription>(book)?;
        self.write_all::<AlibabaOrder>(book)?;
        self.write_all::<SupportCase>(book)?;
        Ok(())
    }

    fn write_all<T: Kept>(&mut self, book: &Book) -> Result<(), BackendError> {
        for v in T::all(book) {
            self.put(&key::<T>(v.record.id()), &encoded(v).1)?;
        }
        Ok(())
    }

    /// Compare-and-set: writes `text` (at `version`) only if the key still holds what this
    /// tab last read or wrote there.
    fn compare_and_set(&mut self, key: &str, version: u64, text: &str) -> Result<(), SaveError> {
        if self.read_only {
            return Err(SaveError::ReadOnly);
        }
        let stored = self.backend.get(key)?.and_then(|t| version_in(&t));
        if stored != self.written.get(key).copied() {
            return Err(SaveError::Conflict {
                key: key.to_string(),
            });
        }
        self.set(key, text)?;
        self.written.insert(key.to_string(), version);
        Ok(())
    }

    /// Saves the records a change touched, and nothing else.
    pub fn save(&mut self, book: &Book, changed: &BTreeSet<RecordKey>) -> Result<(), SaveError> {
        changed
            .iter()
            .try_for_each(|record| self.save_record(book, record, Write::Always))
    }

    fn save_record(
        &mut self,
        book: &Book,
        record: &RecordKey,
        write: Write,
    ) -> Result<(), SaveError> {
        match record {
            RecordKey::Agreement(id) => self.save_one::<AgreementRecord>(book, id, write),
            RecordKey::Fps(id) => self.save_one::<FpsSubscription>(book, id, write),
            RecordKey::DevPay(id) => self.save_one::<DevPaySubscription>(book, id, write),
            RecordKey::Alibaba(id) => self.save_one::<AlibabaOrder>(book, id, write),
            RecordKey::SupportCase(id) => self.save_one::<SupportCase>(book, id, write),
            // Reference data, kept whole under one key without a version. Only an import adds
            // to it (the accounts it names); two tabs importing at the same moment could each
            // write its own additions over the other's, which loses a name, never a record.
            RecordKey::Directory => {
                if self.read_only {
                    return Err(SaveError::ReadOnly);
                }
                self.put(DIRECTORY_KEY, &codec::encode(1, book.directory()))
                    .map_err(SaveError::from)
            }
        }
    }

    /// Keeps the records that time changed to be written by `write_some`, a few at a time,
    /// so that the page answers while thousands of them are written. Nothing is lost if
    /// the page closes first: each follows from its stored record and the time alone, and
    /// the next page to open derives it again.
    pub fn write_later(&mut self, mut changed: BTreeSet<RecordKey>) {
        self.later.append(&mut changed);
    }

    /// Whether records that time changed are still to be written.
    pub fn has_later(&self) -> bool {
        !self.later.is_empty()
    }

    /// Writes records kept by `write_later` while `go_on()` says so. A record written
    /// since (a person acted on it) or replaced by another tab's write is left alone.
    /// Returns the records another tab wrote first, to be put back to what it wrote; any
    /// other refusal drops the rest, as the next page derives them again.
    pub fn write_some(
        &mut self,
        book: &Book,
        mut go_on: impl FnMut() -> bool,
    ) -> Result<Beaten, SaveError> {
        let mut beaten = Beaten::default();
        while go_on() {
            let Some(record) = self.later.pop_first() else {
                break;
            };
            match self.save_record(book, &record, Write::IfUnwritten) {
                Ok(()) => {}
                Err(SaveError::Conflict { .. }) => {
                    if beaten.overruled.is_none() && !self.holds_alike(book, &record) {
                        beaten.overruled = Some(record.clone());
                    }
                    beaten.records.push(record);
                }
                Err(error) => {
                    self.later.clear();
                    return Err(error);
                }
            }
        }
        Ok(beaten)
    }

    /// Whether storage holds what the book has for `record`, under another version: the
    /// tab that wrote it saw the same time pass and made the same change.
    fn holds_alike(&self, book: &Book, record: &RecordKey) -> bool {
        match record {
            RecordKey::Agreement(id) => self.alike::<AgreementRecord>(book, id),
            RecordKey::Fps(id) => self.alike::<FpsSubscription>(book, id),
            RecordKey::DevPay(id) => self.alike::<DevPaySubscription>(book, id),
            RecordKey::Alibaba(id) => self.alike::<AlibabaOrder>(book, id),
            RecordKey::SupportCase(id) => self.alike::<SupportCase>(book, id),
            RecordKey::Directory => false,
        }
    }

    fn alike<T: Kept>(&self, book: &Book, id: &T::Id) -> bool {
        let (Some(v), Some(text)) = (T::get(book, id), self.get(&key::<T>(id))) else {
            return false;
        };
        version_in(&text).is_some_and(|version| codec::encode(version, &v.record) == text)
    }

    fn save_one<T: Kept>(
        &mut self,
        book: &Book,
        id: &T::Id,
        write: Write,
    ) -> Result<(), SaveError> {
        let key = key::<T>(id);
        match T::get(book, id) {
            // Storage holds this version already, as far as this tab knows: it wrote it
            // (a person acted on the record since) or read it from another tab's write.
            Some(v)
                if write == Write::IfUnwritten && self.written.get(&key) == Some(&v.version) =>
            {
                Ok(())
            }
            Some(v) => {
                let (version, text) = encoded(v);
                self.compare_and_set(&key, version, &text)
            }
            // A command removed it (archived): storage lets it go, unless another tab
            // changed it since this tab read it.
            None if write == Write::Always => self.compare_and_remove(&key),
            // Removed since time changed it: nothing left to write.
            None => Ok(()),
        }
    }

    fn compare_and_remove(&mut self, key: &str) -> Result<(), SaveError> {
        if self.read_only {
            return Err(SaveError::ReadOnly);
        }
        let Some(stored) = self.backend.get(key)? else {
            self.written.remove(key);
            return Ok(());
        };
        if version_in(&stored) != self.written.get(key).copied() {
            return Err(SaveError::Conflict {
                key: key.to_string(),
            });
        }
        self.remove(key)?;
        self.written.remove(key);
        Ok(())
    }

    pub fn save_clock(&mut self, clock: &SimulatedClock) -> Result<(), SaveError> {
        if self.read_only {
            return Err(SaveError::ReadOnly);
        }
        self.put(CLOCK_KEY, &codec::encode(1, clock))?;
        Ok(())
    }

    /// Writes what a person's command changed, with compare-and-set; the shell picks up
    /// another tab's write to the record first (`refresh`). A refused write puts every
    /// record it touched back to what storage holds, so the book never shows what a reload
    /// would take back; only a store that keeps nothing (storage refused, a newer
    /// version's data) leaves it there. Not generic over the command: one copy serves all.
    pub fn keep(
        &mut self,
        book: &mut Book,
        changed: &BTreeSet<RecordKey>,
        now: DateTime<Utc>,
    ) -> Result<(), SaveError> {
        let saved = self.save(book, changed);
        if matches!(&saved, Err(error) if !matches!(error, SaveError::ReadOnly)) {
            self.restore(book, changed, now);
        }
        saved
    }

    /// Replaces everything with `book` (reset to demo data, import): the new records are
    /// written first, and only then are the keys the new book lacks removed, so a failure
    /// part-way leaves every old record readable.
    pub fn replace_all(
        &mut self,
        book: &Book,
        clock: &SimulatedClock,
        now: DateTime<Utc>,
    ) -> Result<(), SaveError> {
        if self.read_only {
            return Err(SaveError::ReadOnly);
        }
        let before: Vec<String> = self
            .backend
            .keys()?
            .into_iter()
            .filter(|k| k.starts_with(PREFIX) && !k.starts_with(QUARANTINE_PREFIX))
            .collect();
        self.written.clear();
        self.later.clear();
        // What is still to be read is no longer what the page will show.
        self.reading = None;
        self.write_everything(book, clock, now)?;
        let keep: BTreeSet<String> = self.written.keys().cloned().collect();
        for key in before.into_iter().filter(|k| {
            !keep.contains(k) && !matches!(k.as_str(), META_KEY | DIRECTORY_KEY | CLOCK_KEY)
        }) {
            self.remove(&key)?;
            self.written.remove(&key);
        }
        Ok(())
    }
}

/// Whether a record is written whatever this tab believes storage holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Write {
    /// A change just made: a new version.
    Always,
    /// A change of time's, kept for later: it may have been written since.
    IfUnwritten,
}

/// A record's version and its stored text, which carries that same version.
fn encoded<T: Serialize>(v: &Versioned<T>) -> (u64, String) {
    (v.version, codec::encode(v.version, &v.record))
}
