//! The one place that knows where the app's data lives. Each record has its own key, so an
//! action writes only what it changed; each write compares the stored version first, so two
//! tabs never overwrite each other; and anything unreadable is moved aside under a
//! quarantine key, with a notice, instead of stopping the app or being lost.
//!
//! Keys: `cw.meta` (the format of the whole store), `cw.directory`, `cw.clock`,
//! `cw.agreement.<id>`, `cw.fps.<id>`, `cw.devpay.<id>`, `cw.alibaba.<id>`, `cw.case.<id>`,
//! and `cw.quarantine.<n>` for what was moved aside.

pub mod backend;
pub mod codec;
pub mod exchange;
mod handoff;
mod packed;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use workbench_core::book::{AgreementRecord, Book, Directory, Outcome, Versioned};
use workbench_core::families::alibaba::AlibabaOrder;
use workbench_core::families::devpay::DevPaySubscription;
use workbench_core::families::fps::FpsSubscription;
use workbench_core::families::support_case::SupportCase;
use workbench_core::ids::AgreementId;
use workbench_core::key::{
    AlibabaOrderId, DevPaySubscriptionId, FpsSubscriptionId, RecordKey, SupportCaseId,
};
use workbench_link::clock::SimulatedClock;

pub use backend::{Backend, BackendError, BrowserStorage, MemoryBackend};
use codec::{BrokenRule, Checked, DecodeError, FORMAT};

pub const PREFIX: &str = "cw.";
pub const META_KEY: &str = "cw.meta";
pub const DIRECTORY_KEY: &str = "cw.directory";
pub const CLOCK_KEY: &str = "cw.clock";
pub const QUARANTINE_PREFIX: &str = "cw.quarantine.";

/// What an origin may keep in localStorage, in UTF-16 code units of keys and values: 5 MiB
/// of characters in Chromium (measured: writes start failing there), as in Firefox.
pub const QUOTA_CHARS: usize = 5 * 1024 * 1024;

/// Records that carry rules of their own are checked by them.
macro_rules! checked_by_own_rules {
    ($($t:ty),*) => {$(
        impl Checked for $t {
            fn check(&self) -> Result<(), BrokenRule> {
                Ok(<$t>::check(self)?)
            }
        }
    )*};
}

/// Records whose every well-formed value is valid.
macro_rules! well_formed_is_valid {
    ($($t:ty),*) => {$(
        impl Checked for $t {
            fn check(&self) -> Result<(), BrokenRule> {
                Ok(())
            }
        }
    )*};
}

checked_by_own_rules!(
    AgreementRecord,
    FpsSubscription,
    DevPaySubscription,
    AlibabaOrder
);
well_formed_is_valid!(SupportCase, Directory, SimulatedClock, Meta);

/// What the whole store says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    pub created_at: DateTime<Utc>,
}

/// A kind of record the store keeps one per key: the key's prefix, how its ID reads from
/// a key, and where the book keeps it. Every operation on a record (write, read, removal
/// by another tab) goes through this trait, so a new kind is one impl.
pub trait Kept: Serialize + DeserializeOwned + Checked + 'static {
    type Id: Ord + Clone + fmt::Display;
    const PREFIX: &'static str;
    fn id(&self) -> &Self::Id;
    fn parse_id(text: &str) -> Option<Self::Id>;
    fn get<'b>(book: &'b Book, id: &Self::Id) -> Option<&'b Versioned<Self>>;
    fn all(book: &Book) -> Vec<&Versioned<Self>>;
    fn insert(book: &mut Book, versioned: Versioned<Self>);
    fn remove(book: &mut Book, id: &Self::Id);
}

impl Kept for AgreementRecord {
    type Id = AgreementId;
    const PREFIX: &'static str = "cw.agreement.";
    fn id(&self) -> &AgreementId {
        &self.agreement.id
    }
    fn parse_id(text: &str) -> Option<AgreementId> {
        AgreementId::parse(text).ok()
    }
    fn get<'b>(book: &'b Book, id: &AgreementId) -> Option<&'b Versioned<Self>> {
        book.records.get(id)
    }
    fn all(book: &Book) -> Vec<&Versioned<Self>> {
        book.records.values().collect()
    }
    fn insert(book: &mut Book, versioned: Versioned<Self>) {
        book.replace(versioned);
    }
    fn remove(book: &mut Book, id: &AgreementId) {
        book.records.remove(id);
    }
}

/// The other families live in plain maps of the book, keyed by their own typed IDs.
macro_rules! kept_in_map {
    ($($record:ty, $id:ty, $prefix:literal, $map:ident;)*) => {$(
        impl Kept for $record {
            type Id = $id;
            const PREFIX: &'static str = $prefix;
            fn id(&self) -> &$id {
                &self.id
            }
            fn parse_id(text: &str) -> Option<$id> {
                (!text.is_empty()).then(|| <$id>::from(text))
            }
            fn get<'b>(book: &'b Book, id: &$id) -> Option<&'b Versioned<Self>> {
                book.$map.get(id)
            }
            fn all(book: &Book) -> Vec<&Versioned<Self>> {
                book.$map.values().collect()
            }
            fn insert(book: &mut Book, versioned: Versioned<Self>) {
                book.$map.insert(versioned.record.id.clone(), versioned);
            }
            fn remove(book: &mut Book, id: &$id) {
                book.$map.remove(id);
            }
        }
    )*};
}

kept_in_map! {
    FpsSubscription, FpsSubscriptionId, "cw.fps.", fps;
    DevPaySubscription, DevPaySubscriptionId, "cw.devpay.", devpay;
    AlibabaOrder, AlibabaOrderId, "cw.alibaba.", alibaba;
    SupportCase, SupportCaseId, "cw.case.", support_cases;
}

/// The storage key of one record.
pub fn key_of(record: &RecordKey) -> String {
    match record {
        RecordKey::Agreement(id) => key::<AgreementRecord>(id),
        RecordKey::Fps(id) => key::<FpsSubscription>(id),
        RecordKey::DevPay(id) => key::<DevPaySubscription>(id),
        RecordKey::Alibaba(id) => key::<AlibabaOrder>(id),
        RecordKey::SupportCase(id) => key::<SupportCase>(id),
        RecordKey::Directory => DIRECTORY_KEY.to_string(),
    }
}

fn key<T: Kept>(id: &T::Id) -> String {
    format!("{}{id}", T::PREFIX)
}

/// Something the person should know about their stored data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// An entry could not be read and was moved aside (or, if even that failed, left where
    /// it was and ignored).
    Quarantined {
        key: String,
        moved_to: Option<String>,
        reason: String,
        text: String,
    },
    /// The data was written by a newer version of the app: nothing is written over it.
    NewerFormat { format: u32 },
    /// The browser refuses storage: the app runs on demo data that will not be kept.
    Unavailable,
}

impl Notice {
    pub fn message(&self) -> String {
        match self {
            Notice::Quarantined {
                key,
                moved_to: Some(to),
                reason,
                ..
            } => format!(
                "A saved entry ({key}) could not be read because {reason}. It was moved aside \
                 under {to} so nothing else is affected; you can download its text."
            ),
            Notice::Quarantined {
                key,
                moved_to: None,
                reason,
                ..
            } => format!(
                "A saved entry ({key}) could not be read because {reason}, and there was no \
                 room to move it aside. It is ignored; you can download its text."
            ),
            Notice::NewerFormat { format } => format!(
                "Your saved data was written by a newer version of the workbench (format \
                 {format}; this version knows format {FORMAT}). To keep it safe, this version \
                 only reads it and saves nothing. Open the newer version to make changes."
            ),
            Notice::Unavailable => BackendError::Unavailable.to_string(),
        }
    }
}

/// Why a change could not be saved. The change is still on screen; the person can export.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SaveError {
    #[error(
        "This change was not saved: the workbench is only reading data that a newer version wrote."
    )]
    ReadOnly,
    #[error(
        "This agreement was changed in another tab or window since you opened it, so your \
         change was not saved. The page now shows its current state: check it, then try again."
    )]
    Conflict { key: String },
    /// Time's change, not a person's: nothing here was done by hand, so nothing is to be
    /// tried again.
    #[error(
        "Another tab or window changed {record} before this page saved what the passing time \
         did to it, so this page's version was not saved. The page now shows what the other \
         tab saved."
    )]
    TimeOverruled { record: RecordKey },
    #[error("This change was not saved. {0} You can export your data to keep it.")]
    Backend(#[from] BackendError),
}

/// The records of time's changes that another tab wrote first, from `Store::write_some`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Beaten {
    pub records: Vec<RecordKey>,
    /// The first of them that holds something other than what time made of it here: a
    /// person acted on it there. Where there is none, the other tab saw the same time pass.
    pub overruled: Option<RecordKey>,
}

/// What came of a person's change.
#[derive(Debug)]
pub struct Committed<T, E> {
    pub result: Result<T, E>,
    /// Whether the book differs from before, so that views hear of it only then.
    pub changed: bool,
    /// Whether another tab's write to the record was picked up first.
    pub refreshed: bool,
}

/// The app's data as found in storage.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub book: Book,
    pub clock: SimulatedClock,
    pub notices: Vec<Notice>,
}

/// Up to this many agreements, a book is read whole before anything is drawn. A larger one
/// is read in ID order for as long as its opener allows before the first drawing, and the
/// rest between frames (`Store::read_some`): the agreement list's first page needs only
/// the first IDs.
pub const READ_WHOLE_UP_TO: usize = 1_000;

/// A large book's agreements still being read after the first drawing.
#[derive(Debug)]
struct Reading {
    /// The keys still to read, in ID order.
    keys: std::vec::IntoIter<String>,
    /// What was read so far, added to the book once all of it is.
    read: BTreeMap<AgreementId, Versioned<AgreementRecord>>,
    progress: ReadingProgress,
}

/// How far the reading of a large book has come.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadingProgress {
    /// Agreement keys read, of `total`.
    pub read: usize,
    pub total: usize,
    /// The book holds every agreement whose ID is at most this one, and the rest come all
    /// at once when the reading ends.
    pub shown_through: AgreementId,
}

/// The store, and what it believes each key holds (its version), for compare-and-set.
#[derive(Debug)]
pub struct Store<B: Backend> {
    backend: B,
    written: BTreeMap<String, u64>,
    read_only: bool,
    quarantined: usize,
    /// Characters each key and its value take, kept as writes happen so that knowing how
    /// full the quota is costs nothing per action.
    sizes: BTreeMap<String, usize>,
    used: usize,
    /// Records that time changed, still to be written (`write_later`).
    later: BTreeSet<RecordKey>,
    reading: Option<Reading>,
}

/// How much of the quota is used, in characters as the browser counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    pub used: usize,
    pub quota: usize,
}

impl Usage {
    /// From 80 % on the person is warned, with room left to archive before writes fail.
    pub fn nearly_full(self) -> bool {
        self.used * 10 >= self.quota * 8
    }

    pub fn percent(self) -> usize {
        self.used * 100 / self.quota.max(1)
    }
}

fn version_in(text: &str) -> Option<u64> {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()?
        .get("version")?
        .as_u64()
}

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
        mut go_on: impl FnMut() -> bool,
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
        let mut notices = Vec::new();
        let keys = match store.backend.keys() {
            Ok(keys) => keys,
            Err(_) => {
                store.read_only = true;
                let loaded = Loaded {
                    book: seed(),
                    clock: SimulatedClock::default(),
                    notices: vec![Notice::Unavailable],
                };
                return (store, loaded);
            }
        };
        // Every key counts towards the quota; the workbench's own are counted as they are
        // read below, since reading 10,000 records twice was a fifth of a cold start.
        let (ours, others): (Vec<String>, Vec<String>) = keys
            .into_iter()
            .partition(|k| k.starts_with(PREFIX) && !k.starts_with(QUARANTINE_PREFIX));
        for key in &others {
            let text = store.get(key);
            store.note(key, text.as_deref());
        }
        store.quarantined = others
            .iter()
            .filter(|k| k.starts_with(QUARANTINE_PREFIX))
            .count();
        if ours.is_empty() {
            let book = seed();
            let mut loaded = Loaded {
                book,
                clock: SimulatedClock::default(),
                notices,
            };
            if let Err(error) = store.write_everything(&loaded.book, &loaded.clock, now) {
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
            return (store, loaded);
        }
        if let Some(text) = store.get(META_KEY) {
            match codec::format_of(&text) {
                Ok(format) if format > FORMAT => {
                    store.read_only = true;
                    notices.push(Notice::NewerFormat { format });
                }
                _ => {
                    if let Err(e) = codec::decode::<Meta>(&text) {
                        store.quarantine(META_KEY, &text, &e, now, &mut notices);
                        store.put_meta(now);
                    }
                }
            }
        } else {
            store.put_meta(now);
        }
        let mut book = Book::default();
        let mut clock = SimulatedClock::default();
        let mut found_directory = false;
        let (mut agreement_keys, ours): (Vec<String>, Vec<String>) = ours
            .into_iter()
            .partition(|k| k.starts_with(AgreementRecord::PREFIX));
        for key in ours {
            let text = store.get(&key);
            store.note(&key, text.as_deref());
            let Some(text) = text else {
                continue;
            };
            match key.as_str() {
                META_KEY => {}
                DIRECTORY_KEY => {
                    if let Some(d) = store.read::<Directory>(&key, &text, now, &mut notices) {
                        book.directory = d.record;
                        found_directory = true;
                    }
                }
                CLOCK_KEY => {
                    if let Some(c) = store.read::<SimulatedClock>(&key, &text, now, &mut notices) {
                        clock = c.record;
                    }
                }
                _ => store.load_record(&mut book, &key, &text, now, &mut notices),
            }
        }
        // Gathered, then indexed all at once (`Records`' `From<BTreeMap>`): indexing them
        // one by one as they were read made a cold start at 10,000 agreements 8-26 % slower.
        agreement_keys.sort_unstable();
        let total = agreement_keys.len();
        let whole = total <= READ_WHOLE_UP_TO;
        let mut keys = agreement_keys.into_iter();
        let mut agreements = BTreeMap::new();
        let last = store.read_agreements(&mut keys, &mut agreements, now, &mut notices, || {
            whole || go_on()
        });
        book.records = agreements.into();
        let shown_through = last.as_deref().and_then(|k| {
            k.strip_prefix(AgreementRecord::PREFIX)
                .and_then(AgreementRecord::parse_id)
        });
        if let Some(shown_through) = shown_through.filter(|_| keys.len() > 0) {
            store.reading = Some(Reading {
                progress: ReadingProgress {
                    read: total - keys.len(),
                    total,
                    shown_through,
                },
                keys,
                read: BTreeMap::new(),
            });
        }
        if !found_directory {
            // The directory is reference data: the demo's own is the only one there is.
            book.directory = seed().directory;
            if !store.read_only {
                store
                    .put(DIRECTORY_KEY, &codec::encode(1, &book.directory))
                    .ok();
            }
        }
        (
            store,
            Loaded {
                book,
                clock,
                notices,
            },
        )
    }

    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    pub fn usage(&self) -> Usage {
        Usage {
            used: self.used,
            quota: QUOTA_CHARS,
        }
    }

    /// Keeps the count of used characters in step with a key's new value (`None`: removed).
    fn note(&mut self, key: &str, text: Option<&str>) {
        let size = text.map(|t| key.encode_utf16().count() + t.encode_utf16().count());
        let old = match size {
            Some(size) => self.sizes.insert(key.to_string(), size),
            None => self.sizes.remove(key),
        };
        self.used = self.used - old.unwrap_or(0) + size.unwrap_or(0);
    }

    fn set(&mut self, key: &str, text: &str) -> Result<(), BackendError> {
        self.backend.set(key, text)?;
        self.note(key, Some(text));
        Ok(())
    }

    fn remove(&mut self, key: &str) -> Result<(), BackendError> {
        self.backend.remove(key)?;
        self.note(key, None);
        Ok(())
    }

    fn get(&self, key: &str) -> Option<String> {
        self.backend.get(key).ok().flatten()
    }

    fn put(&mut self, key: &str, text: &str) -> Result<(), BackendError> {
        self.set(key, text)?;
        if let Some(version) = version_in(text) {
            self.written.insert(key.to_string(), version);
        }
        Ok(())
    }

    fn put_meta(&mut self, now: DateTime<Utc>) {
        if !self.read_only {
            self.put(META_KEY, &codec::encode(1, &Meta { created_at: now }))
                .ok();
        }
    }

    /// How far the reading of a large book has come; `None` once all of it is read.
    pub fn reading(&self) -> Option<&ReadingProgress> {
        self.reading.as_ref().map(|r| &r.progress)
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
        book.records.add_read(reading.read);
        (true, notices)
    }

    /// Reads the agreements stored under `keys` into `into`, at least one, while `go_on()`
    /// says so, counting each towards the quota; returns the last key read.
    fn read_agreements(
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
    fn read<T: Serialize + DeserializeOwned + Checked>(
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
    fn load_record(
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
    fn load<T: Kept>(
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
    fn read_kept<T: Kept>(
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
    fn forget<T: Kept>(book: &mut Book, key: &str) -> bool {
        let Some(id) = key.strip_prefix(T::PREFIX) else {
            return false;
        };
        if let Some(id) = T::parse_id(id) {
            T::remove(book, &id);
        }
        true
    }

    fn quarantine(
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

    fn write_everything(
        &mut self,
        book: &Book,
        clock: &SimulatedClock,
        now: DateTime<Utc>,
    ) -> Result<(), SaveError> {
        if self.read_only {
            return Err(SaveError::ReadOnly);
        }
        self.put(META_KEY, &codec::encode(1, &Meta { created_at: now }))?;
        self.put(DIRECTORY_KEY, &codec::encode(1, &book.directory))?;
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
                self.put(DIRECTORY_KEY, &codec::encode(1, &book.directory))
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

    /// The one path of every change a person makes, whatever its family: picks up another
    /// tab's write to `record` first, runs `change` (the core), then writes what it
    /// changed with compare-and-set. A refused write puts every record it touched back to
    /// what storage holds, so the book never shows what a reload would take back; only a
    /// store that keeps nothing (storage refused, a newer version's data) leaves it there.
    pub fn commit<T, E: From<SaveError>>(
        &mut self,
        book: &mut Book,
        record: Option<&RecordKey>,
        now: DateTime<Utc>,
        change: impl FnOnce(&mut Book) -> Result<(T, Outcome), E>,
    ) -> Committed<T, E> {
        let refreshed = record.is_some_and(|r| self.refresh(book, r, now));
        let (reply, outcome) = match change(book) {
            Ok(done) => done,
            Err(error) => {
                return Committed {
                    result: Err(error),
                    changed: refreshed,
                    refreshed,
                }
            }
        };
        let changed = refreshed || !outcome.changed.is_empty();
        let result = match self.save(book, &outcome.changed) {
            Ok(()) => Ok(reply),
            Err(error) => {
                if !matches!(error, SaveError::ReadOnly) {
                    self.restore(book, &outcome.changed, now);
                }
                Err(error.into())
            }
        };
        Committed {
            result,
            changed,
            refreshed,
        }
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
    fn apply_external(
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
                    book.directory = d.record;
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

// Native only: these use an in-memory backend and proptest; src/browser_tests.rs covers the
// browser's own localStorage.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
