//! Opening storage: everything it holds read into a book, a first visit seeded with the
//! demo, a damaged entry moved aside with a notice, and a large book read in two parts.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;
use workbench_core::book::{AgreementRecord, Book, Directory, Records};
use workbench_core::families::alibaba::AlibabaOrder;
use workbench_core::families::devpay::DevPaySubscription;
use workbench_core::families::fps::FpsSubscription;
use workbench_core::families::support_case::SupportCase;
use workbench_link::clock::SimulatedClock;

use super::codec::{self, Checked, DecodeError};
use super::*;

impl<B: Backend> Store<B> {
    /// Reads everything. A fresh browser gets `seed()` (the demo data), written at once.
    pub fn open(backend: B, now: DateTime<Utc>, seed: impl FnOnce() -> Book) -> (Store<B>, Loaded) {
        Store::open_first(backend, now, seed, || true)
    }

    /// As `open`, but of a book of more than [`READ_WHOLE_UP_TO`] agreements it reads them
    /// in ID order only while `go_on()` says so; `read_some` reads the rest.
    pub fn open_first(
        backend: B,
        now: DateTime<Utc>,
        seed: impl FnOnce() -> Book,
        go_on: impl FnMut() -> bool,
    ) -> (Store<B>, Loaded) {
        let mut store = Store {
            backend,
            written: BTreeMap::new(),
            read_only: false,
            quarantined: 0,
            sizes: BTreeMap::new(),
            used: 0,
            later: BTreeSet::new(),
            reading: None,
        };
        let Ok(keys) = store.backend.keys() else {
            store.read_only = true;
            let loaded = Loaded {
                book: seed(),
                clock: SimulatedClock::default(),
                notices: vec![Notice::Unavailable],
            };
            return (store, loaded);
        };
        let ours = store.count_the_others(keys);
        if ours.is_empty() {
            return store.first_visit(seed(), now);
        }
        let mut notices = Vec::new();
        store.check_meta(now, &mut notices);
        let (agreement_keys, ours): (Vec<String>, Vec<String>) = ours
            .into_iter()
            .partition(|k| k.starts_with(AgreementRecord::PREFIX));
        let (mut book, clock, found_directory) =
            store.read_all_but_agreements(ours, now, &mut notices);
        *book.shelf().records() =
            store.read_first_agreements(agreement_keys, now, &mut notices, go_on);
        if !found_directory {
            // The directory is reference data: the demo's own is the only one there is.
            *book.shelf().directory() = seed().directory().clone();
            if !store.read_only {
                store
                    .put(DIRECTORY_KEY, &codec::encode(1, book.directory()))
                    .ok();
            }
        }
        let loaded = Loaded {
            book,
            clock,
            notices,
        };
        (store, loaded)
    }

    /// Counts the size of every key that is not the workbench's own towards the quota, and
    /// returns the workbench's own. Those are counted as they are read, since reading
    /// 10,000 records twice was a fifth of a cold start.
    fn count_the_others(&mut self, keys: Vec<String>) -> Vec<String> {
        let (ours, others): (Vec<String>, Vec<String>) = keys
            .into_iter()
            .partition(|k| k.starts_with(PREFIX) && !k.starts_with(QUARANTINE_PREFIX));
        for key in &others {
            let text = self.get(key);
            self.note(key, text.as_deref());
        }
        self.quarantined = others
            .iter()
            .filter(|k| k.starts_with(QUARANTINE_PREFIX))
            .count();
        ours
    }

    /// A browser that holds nothing of the workbench's: the demo, written at once.
    fn first_visit(mut self, book: Book, now: DateTime<Utc>) -> (Store<B>, Loaded) {
        let mut loaded = Loaded {
            book,
            clock: SimulatedClock::default(),
            notices: Vec::new(),
        };
        if let Err(error) = self.write_everything(&loaded.book, &loaded.clock, now) {
            loaded.notices.push(match error {
                SaveError::Backend(BackendError::Unavailable) => Notice::Unavailable,
                _ => Notice::Quarantined {
                    key: "(first save)".into(),
                    moved_to: None,
                    reason: error.to_string(),
                    text: String::new(),
                },
            });
        }
        (self, loaded)
    }

    /// Data of a newer format is read but never written over; a damaged meta entry is
    /// moved aside and written anew.
    fn check_meta(&mut self, now: DateTime<Utc>, notices: &mut Vec<Notice>) {
        let Some(text) = self.get(META_KEY) else {
            self.put_meta(now);
            return;
        };
        match codec::format_of(&text) {
            Ok(format) if format > FORMAT => {
                self.read_only = true;
                notices.push(Notice::NewerFormat { format });
            }
            _ => {
                if let Err(e) = codec::decode::<Meta>(&text) {
                    self.quarantine(META_KEY, &text, &e, now, notices);
                    self.put_meta(now);
                }
            }
        }
    }

    /// Reads the directory, the clock and the records of the other families; returns the
    /// book they make, the clock, and whether a directory was found.
    fn read_all_but_agreements(
        &mut self,
        keys: Vec<String>,
        now: DateTime<Utc>,
        notices: &mut Vec<Notice>,
    ) -> (Book, SimulatedClock, bool) {
        let mut book = Book::default();
        let mut clock = SimulatedClock::default();
        let mut found_directory = false;
        for key in keys {
            let text = self.get(&key);
            self.note(&key, text.as_deref());
            let Some(text) = text else {
                continue;
            };
            match key.as_str() {
                META_KEY => {}
                DIRECTORY_KEY => {
                    if let Some(d) = self.read::<Directory>(&key, &text, now, notices) {
                        *book.shelf().directory() = d.record;
                        found_directory = true;
                    }
                }
                CLOCK_KEY => {
                    if let Some(c) = self.read::<SimulatedClock>(&key, &text, now, notices) {
                        clock = c.record;
                    }
                }
                _ => self.load_record(&mut book, &key, &text, now, notices),
            }
        }
        (book, clock, found_directory)
    }

    /// Reads the agreements in ID order: all of a book of up to [`READ_WHOLE_UP_TO`], else
    /// while `go_on()` says so, keeping the rest for `read_some`.
    fn read_first_agreements(
        &mut self,
        mut keys: Vec<String>,
        now: DateTime<Utc>,
        notices: &mut Vec<Notice>,
        mut go_on: impl FnMut() -> bool,
    ) -> Records {
        // Gathered, then indexed all at once (`Records`' `From<BTreeMap>`): indexing them
        // one by one as they were read made a cold start slower.
        keys.sort_unstable();
        let total = keys.len();
        let whole = total <= READ_WHOLE_UP_TO;
        let mut keys = keys.into_iter();
        let mut agreements = BTreeMap::new();
        let last = self.read_agreements(&mut keys, &mut agreements, now, notices, || {
            whole || go_on()
        });
        let shown_through = last.as_deref().and_then(|k| {
            k.strip_prefix(AgreementRecord::PREFIX)
                .and_then(AgreementRecord::parse_id)
        });
        if let Some(shown_through) = shown_through.filter(|_| keys.len() > 0) {
            self.reading = Some(Reading {
                progress: ReadingProgress {
                    read: total - keys.len(),
                    total,
                    shown_through,
                },
                keys,
                read: BTreeMap::new(),
            });
        }
        agreements.into()
    }

    /// Reads more of a large book's agreements, at least one, while `go_on()` says so.
    /// Once the last is read, every one is added to `book`, which until then holds the
    /// first part only; returns whether it did, and the notices of what could not be read.
    pub fn read_some(
        &mut self,
        book: &mut Book,
        now: DateTime<Utc>,
        go_on: impl FnMut() -> bool,
    ) -> (bool, Vec<Notice>) {
        let mut notices = Vec::new();
        let Some(mut reading) = self.reading.take() else {
            return (false, notices);
        };
        let before = reading.keys.len();
        self.read_agreements(
            &mut reading.keys,
            &mut reading.read,
            now,
            &mut notices,
            go_on,
        );
        reading.progress.read += before - reading.keys.len();
        if reading.keys.len() > 0 {
            self.reading = Some(reading);
            return (false, notices);
        }
        book.shelf().records().add_read(reading.read);
        (true, notices)
    }

    /// Reads the agreements stored under `keys` into `into`, at least one, while `go_on()`
    /// says so, counting each towards the quota; returns the last key read.
    pub(super) fn read_agreements(
        &mut self,
        keys: &mut std::vec::IntoIter<String>,
        into: &mut BTreeMap<AgreementId, Versioned<AgreementRecord>>,
        now: DateTime<Utc>,
        notices: &mut Vec<Notice>,
        mut go_on: impl FnMut() -> bool,
    ) -> Option<String> {
        let mut last = None;
        for key in keys.by_ref() {
            let text = self.get(&key);
            self.note(&key, text.as_deref());
            if let (Some(id), Some(text)) = (key.strip_prefix(AgreementRecord::PREFIX), text) {
                if let Some(v) = self.read_kept::<AgreementRecord>(id, &key, &text, now, notices) {
                    into.insert(v.record.agreement.id.clone(), v);
                }
            }
            last = Some(key);
            if !go_on() {
                break;
            }
        }
        last
    }

    /// Decodes one entry; anything unreadable is moved aside. In read-only mode entries of
    /// a newer format are simply skipped: they are not ours to judge.
    pub(super) fn read<T: Serialize + DeserializeOwned + Checked>(
        &mut self,
        key: &str,
        text: &str,
        now: DateTime<Utc>,
        notices: &mut Vec<Notice>,
    ) -> Option<Versioned<T>> {
        match codec::decode::<T>(text) {
            Ok(decoded) => {
                self.written.insert(key.to_string(), decoded.version);
                Some(Versioned {
                    version: decoded.version,
                    record: decoded.data,
                })
            }
            Err(DecodeError::NewerFormat(_)) if self.read_only => None,
            Err(error) => {
                self.quarantine(key, text, &error, now, notices);
                None
            }
        }
    }

    /// Reads a stored record into the book, whichever kind its key names.
    pub(super) fn load_record(
        &mut self,
        book: &mut Book,
        key: &str,
        text: &str,
        now: DateTime<Utc>,
        notices: &mut Vec<Notice>,
    ) {
        let loaded = self.load::<AgreementRecord>(book, key, text, now, notices)
            || self.load::<FpsSubscription>(book, key, text, now, notices)
            || self.load::<DevPaySubscription>(book, key, text, now, notices)
            || self.load::<AlibabaOrder>(book, key, text, now, notices)
            || self.load::<SupportCase>(book, key, text, now, notices);
        if !loaded {
            let error = DecodeError::Shape("the workbench does not use this key".into());
            self.quarantine(key, text, &error, now, notices);
        }
    }

    /// Reads `text` into the book if `key` is one of `T`'s; says whether it was.
    pub(super) fn load<T: Kept>(
        &mut self,
        book: &mut Book,
        key: &str,
        text: &str,
        now: DateTime<Utc>,
        notices: &mut Vec<Notice>,
    ) -> bool {
        let Some(id) = key.strip_prefix(T::PREFIX) else {
            return false;
        };
        if let Some(v) = self.read_kept::<T>(id, key, text, now, notices) {
            T::insert(book, v);
        }
        true
    }

    /// Reads a record stored under `key`, which names `id`; one that holds another ID is
    /// moved aside.
    pub(super) fn read_kept<T: Kept>(
        &mut self,
        id: &str,
        key: &str,
        text: &str,
        now: DateTime<Utc>,
        notices: &mut Vec<Notice>,
    ) -> Option<Versioned<T>> {
        let v = self.read::<T>(key, text, now, notices)?;
        if v.record.id().to_string() == id {
            return Some(v);
        }
        let error = DecodeError::Misfiled {
            key_id: id.to_string(),
            held: v.record.id().to_string(),
        };
        self.quarantine(key, text, &error, now, notices);
        None
    }

    /// Another tab removed `key`: the book forgets that record too.
    pub(super) fn forget<T: Kept>(book: &mut Book, key: &str) -> bool {
        let Some(id) = key.strip_prefix(T::PREFIX) else {
            return false;
        };
        if let Some(id) = T::parse_id(id) {
            T::remove(book, &id);
        }
        true
    }

    pub(super) fn quarantine(
        &mut self,
        key: &str,
        text: &str,
        error: &DecodeError,
        now: DateTime<Utc>,
        notices: &mut Vec<Notice>,
    ) {
        let reason = error.to_string();
        self.written.remove(key);
        let moved_to = if self.read_only {
            None
        } else {
            self.quarantined += 1;
            let to = format!(
                "{QUARANTINE_PREFIX}{}.{}",
                now.timestamp_millis(),
                self.quarantined
            );
            let entry =
                serde_json::json!({ "key": key, "reason": reason, "at": now, "text": text });
            // Only once the text is safe elsewhere may the original go.
            match self.set(&to, &entry.to_string()) {
                Ok(()) => {
                    self.remove(key).ok();
                    Some(to)
                }
                Err(_) => None,
            }
        };
        notices.push(Notice::Quarantined {
            key: key.to_string(),
            moved_to,
            reason,
            text: text.to_string(),
        });
    }
}
