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
mod opening;
mod other_tabs;
mod packed;
mod writing;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use workbench_core::book::{AgreementRecord, Book, Directory, Versioned};
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
use codec::{BrokenRule, Checked, FORMAT};

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
        book.records().get(id)
    }
    fn all(book: &Book) -> Vec<&Versioned<Self>> {
        book.records().values().collect()
    }
    fn insert(book: &mut Book, versioned: Versioned<Self>) {
        book.replace(versioned);
    }
    fn remove(book: &mut Book, id: &AgreementId) {
        book.shelf().records().remove(id);
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
                book.$map().get(id)
            }
            fn all(book: &Book) -> Vec<&Versioned<Self>> {
                book.$map().values().collect()
            }
            fn insert(book: &mut Book, versioned: Versioned<Self>) {
                book.shelf().$map().insert(versioned.record.id.clone(), versioned);
            }
            fn remove(book: &mut Book, id: &$id) {
                book.shelf().$map().remove(id);
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
}

// Native only: these use an in-memory backend and proptest; src/browser_tests.rs covers the
// browser's own localStorage.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
