//! The agreement records of a book, kept with the indexes that let a command, the clock
//! and a page of results reach what they need without reading the whole book.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::record::{AgreementRecord, EventRef};
use crate::events::Side;
use crate::ids::{AccountId, AgreementId, ProductId, RequestId};
use crate::key::RecordKey;

/// A record and its version: storage compares versions before it writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Versioned<T> {
    pub version: u64,
    pub record: T,
}

impl<T: Clone> Versioned<T> {
    /// Runs `change` on a copy of the record, and keeps it, with the next version, only if
    /// it succeeded: a refusal leaves the record as it was.
    pub(crate) fn change<R, E>(
        &mut self,
        change: impl FnOnce(&mut T) -> Result<R, E>,
    ) -> Result<R, E> {
        let mut copy = self.record.clone();
        let result = change(&mut copy)?;
        self.record = copy;
        self.version += 1;
        Ok(result)
    }
}

/// The agreement records of a book, by agreement ID, read like a `BTreeMap` and stored as
/// one. Every change goes through `insert`, `remove` or `update`, which keep indexes in
/// step: a schedule of what time will do to each record, the agreements of each seller and
/// each buyer, the agreement of each request, and for each side's event log (the whole
/// book's, and each party's) its records by newest event and its number of events. Finding
/// what is due then costs the number of records due, not the size of the book, and so does
/// every command; a party's agreements, a request's agreement and a page of a log are found
/// without reading the other records.
#[derive(Clone, Default)]
pub struct Records {
    pub(super) map: BTreeMap<AgreementId, Versioned<AgreementRecord>>,
    pub(super) indexes: Indexes,
}

/// Everything [`Records`] keeps beside the records, apart so that a record can be
/// reindexed while it is borrowed.
#[derive(Clone, Default)]
pub(super) struct Indexes {
    /// What each record put into the indexes, so that a change takes out exactly that.
    indexed: BTreeMap<AgreementId, Indexed>,
    pub(super) schedule: BTreeSet<(DateTime<Utc>, IdKey)>,
    pub(super) by_seller: BTreeMap<AccountId, BTreeSet<AgreementId>>,
    pub(super) by_buyer: BTreeMap<AccountId, BTreeSet<AgreementId>>,
    pub(super) by_product: BTreeMap<ProductId, BTreeSet<AgreementId>>,
    pub(super) by_request: BTreeMap<RequestId, BTreeSet<AgreementId>>,
    pub(super) logs: Logs,
}

/// The event logs, per side ([`side_slot`]): the whole book's and each party's.
#[derive(Clone, Default)]
pub(super) struct Logs {
    book: [LogIndex; 2],
    pub(super) parties: [BTreeMap<AccountId, LogIndex>; 2],
    /// While [`Records::update_many`] changes many records, the logs are left as they
    /// were, to be built again once at its end.
    later: bool,
}

/// What the indexes of [`Records`] hold about one record.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Indexed {
    seller: AccountId,
    buyer: AccountId,
    product: ProductId,
    requests: Vec<RequestId>,
    next_due: Option<DateTime<Utc>>,
    logs: [Logged; 2],
}

/// Per side ([`side_slot`]): the time of a record's newest event and how many it has, if
/// it has any.
type Logged = Option<(DateTime<Utc>, usize)>;

impl Indexed {
    fn of(record: &AgreementRecord) -> Indexed {
        Indexed {
            seller: record.agreement.seller.clone(),
            buyer: record.agreement.buyer.clone(),
            product: record.agreement.product.clone(),
            requests: record.requests.iter().map(|r| r.id.clone()).collect(),
            next_due: record.next_due(),
            logs: logged(record.event_refs()),
        }
    }

    /// The parties whose logs show the record's events: its seller and its buyer (once
    /// when they are the same account).
    fn parties(&self) -> impl Iterator<Item = &AccountId> {
        std::iter::once(&self.seller).chain((self.buyer != self.seller).then_some(&self.buyer))
    }
}

/// What a record with `events` puts into each side's logs.
fn logged(events: &[EventRef]) -> [Logged; 2] {
    let mut logs = [None; 2];
    for event in events {
        let slot = &mut logs[side_slot(event.side)];
        *slot = Some(match *slot {
            None => (event.time, 1),
            Some((newest, count)) => (event.time.max(newest), count + 1),
        });
    }
    logs
}

/// An agreement ID as the schedule and the logs order it: by its first 16 bytes read as
/// one number, then by the whole ID. That is the IDs' own order (an ID never holds a zero
/// byte, so padding a short one with zeros keeps it first), but a comparison rarely has to
/// follow the ID to its text: many records fall due, or last changed, at the same moment,
/// and comparing their IDs' texts was most of what keeping them in order cost.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct IdKey(u128, pub(super) AgreementId);

impl IdKey {
    pub(super) fn of(id: &AgreementId) -> IdKey {
        let mut head = [0u8; 16];
        let text = id.as_str().as_bytes();
        let n = text.len().min(head.len());
        head[..n].copy_from_slice(&text[..n]);
        IdKey(u128::from_be_bytes(head), id.clone())
    }
}

/// A moment as the logs order it: its seconds, then its nanoseconds, the order of the
/// `DateTime` it stands for. Comparing a `DateTime` compares its date and its time in calls
/// of their own, and moving a record in the logs compares a few dozen moments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Moment(i64, u32);

impl Moment {
    pub(super) fn of(at: DateTime<Utc>) -> Moment {
        Moment(at.timestamp(), at.timestamp_subsec_nanos())
    }
}

/// A record's place in a log: the time of its newest event there, and its ID.
type LogEntry = (Reverse<Moment>, IdKey);

/// The records with events in one log, newest event first (ties by agreement ID), and how
/// many events of the log they hold in all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct LogIndex {
    pub(super) newest: BTreeSet<LogEntry>,
    pub(super) events: usize,
}

impl LogIndex {
    /// The log of these entries, each with its record's number of events there.
    fn of(entries: Vec<(LogEntry, usize)>) -> LogIndex {
        let events = entries.iter().map(|(_, count)| count).sum();
        LogIndex {
            newest: entries.into_iter().map(|(entry, _)| entry).collect(),
            events,
        }
    }

    /// Moves a record's entry from what it was to what it is, taking the stored ID back
    /// out to put it in again rather than cloning another.
    fn shift(
        &mut self,
        probe: Option<&(Reverse<Moment>, IdKey)>,
        was: Logged,
        is: Logged,
        id: &AgreementId,
    ) {
        let mut kept = None;
        if let (Some(probe), Some((_, count))) = (probe, was) {
            kept = self.newest.take(probe).map(|(_, key)| key);
            self.events -= count;
        }
        if let Some((newest, count)) = is {
            let key = kept.unwrap_or_else(|| IdKey::of(id));
            self.newest.insert((Reverse(Moment::of(newest)), key));
            self.events += count;
        }
    }
}

/// Where a side's log sits in [`Records`]' per-side arrays.
pub(super) fn side_slot(side: Side) -> usize {
    match side {
        Side::Acceptor => 0,
        Side::Proposer => 1,
    }
}

/// No agreements: what a party without any has.
pub(super) static NONE: BTreeSet<AgreementId> = BTreeSet::new();

fn add_to<K: Ord + Clone>(
    index: &mut BTreeMap<K, BTreeSet<AgreementId>>,
    key: &K,
    id: &AgreementId,
) {
    index.entry(key.clone()).or_default().insert(id.clone());
}

fn take_from<K: Ord>(index: &mut BTreeMap<K, BTreeSet<AgreementId>>, key: &K, id: &AgreementId) {
    if let Some(ids) = index.get_mut(key) {
        ids.remove(id);
        if ids.is_empty() {
            index.remove(key);
        }
    }
}

impl Indexes {
    /// Every index of `map` at once, in the order of the IDs, each record put in without
    /// looking for what it put in before: a cold start is faster than with the records
    /// reindexed one by one as storage reads them. Collecting each index into a sorted
    /// vector first was faster natively but not in Chromium, and made the wasm larger
    /// (docs/performance.md has the figures).
    fn of(map: &BTreeMap<AgreementId, Versioned<AgreementRecord>>) -> Indexes {
        let mut indexes = Indexes::default();
        indexes.logs.later = true;
        for (id, versioned) in map {
            let new = Indexed::of(&versioned.record);
            indexes.put_in(id, &new);
            indexes.indexed.insert(id.clone(), new);
        }
        indexes.logs = Logs::of(&indexes.indexed);
        indexes
    }

    /// Brings the indexes in step with the record now under `id` (`None`: no record).
    /// The usual change, a command or time, moves the record in the schedule and the logs
    /// only, and that path clones nothing but the keys it must look up.
    fn reindex(&mut self, id: &AgreementId, record: Option<&AgreementRecord>) {
        let (Some(old), Some(record)) = (self.indexed.get_mut(id), record) else {
            if let Some(old) = self.indexed.remove(id) {
                self.take_out(id, &old);
            }
            if let Some(record) = record {
                let new = Indexed::of(record);
                self.put_in(id, &new);
                self.indexed.insert(id.clone(), new);
            }
            return;
        };
        let agreement = &record.agreement;
        let same_requests = old
            .requests
            .iter()
            .eq(record.requests.iter().map(|r| &r.id));
        if old.seller != agreement.seller || old.buyer != agreement.buyer || !same_requests {
            let old = self.indexed.remove(id).expect("found above");
            self.take_out(id, &old);
            let new = Indexed::of(record);
            self.put_in(id, &new);
            self.indexed.insert(id.clone(), new);
            return;
        }
        let next_due = record.next_due();
        if old.next_due != next_due {
            let kept = old
                .next_due
                .and_then(|at| self.schedule.take(&(at, IdKey::of(id))))
                .map(|(_, key)| key);
            if let Some(at) = next_due {
                self.schedule
                    .insert((at, kept.unwrap_or_else(|| IdKey::of(id))));
            }
            old.next_due = next_due;
        }
        for (slot, logs) in logged(record.event_refs()).into_iter().enumerate() {
            if old.logs[slot] != logs {
                self.logs
                    .shift(slot, old.parties(), id, old.logs[slot], logs);
                old.logs[slot] = logs;
            }
        }
    }

    fn take_out(&mut self, id: &AgreementId, old: &Indexed) {
        take_from(&mut self.by_seller, &old.seller, id);
        take_from(&mut self.by_buyer, &old.buyer, id);
        take_from(&mut self.by_product, &old.product, id);
        for request in &old.requests {
            take_from(&mut self.by_request, request, id);
        }
        if let Some(at) = old.next_due {
            self.schedule.remove(&(at, IdKey::of(id)));
        }
        for slot in 0..2 {
            self.logs
                .shift(slot, old.parties(), id, old.logs[slot], None);
        }
    }

    fn put_in(&mut self, id: &AgreementId, new: &Indexed) {
        add_to(&mut self.by_seller, &new.seller, id);
        add_to(&mut self.by_buyer, &new.buyer, id);
        add_to(&mut self.by_product, &new.product, id);
        for request in &new.requests {
            add_to(&mut self.by_request, request, id);
        }
        if let Some(at) = new.next_due {
            self.schedule.insert((at, IdKey::of(id)));
        }
        for slot in 0..2 {
            self.logs
                .shift(slot, new.parties(), id, None, new.logs[slot]);
        }
    }
}

impl Logs {
    /// Every log, from what each record put in: when most records moved at once, cheaper
    /// than moving each (see [`Records::update_many`]).
    fn of(indexed: &BTreeMap<AgreementId, Indexed>) -> Logs {
        let mut book: [Vec<(LogEntry, usize)>; 2] =
            [(); 2].map(|_| Vec::with_capacity(indexed.len()));
        let mut parties: [BTreeMap<&AccountId, Vec<(LogEntry, usize)>>; 2] = Default::default();
        for (id, indexed) in indexed {
            for (slot, logged) in indexed.logs.iter().enumerate() {
                let Some((newest, count)) = *logged else {
                    continue;
                };
                let entry = (Reverse(Moment::of(newest)), IdKey::of(id));
                for party in indexed.parties() {
                    parties[slot]
                        .entry(party)
                        .or_default()
                        .push((entry.clone(), count));
                }
                book[slot].push((entry, count));
            }
        }
        Logs {
            book: book.map(LogIndex::of),
            parties: parties.map(|logs| {
                logs.into_iter()
                    .map(|(party, entries)| (party.clone(), LogIndex::of(entries)))
                    .collect()
            }),
            later: false,
        }
    }

    /// Moves a record in one side's logs, the whole book's and its parties', from what it
    /// had there to what it has; a party's log goes when it holds no record any more.
    /// Nothing while the logs wait to be built again.
    fn shift<'a>(
        &mut self,
        slot: usize,
        parties: impl Iterator<Item = &'a AccountId>,
        id: &AgreementId,
        was: Logged,
        is: Logged,
    ) {
        if self.later {
            return;
        }
        let party_logs = &mut self.parties[slot];
        let probe = was.map(|(newest, _)| (Reverse(Moment::of(newest)), IdKey::of(id)));
        self.book[slot].shift(probe.as_ref(), was, is, id);
        for party in parties {
            match party_logs.get_mut(party) {
                Some(log) => {
                    log.shift(probe.as_ref(), was, is, id);
                    if log.newest.is_empty() {
                        party_logs.remove(party);
                    }
                }
                None => {
                    let mut log = LogIndex::default();
                    log.shift(None, None, is, id);
                    if !log.newest.is_empty() {
                        party_logs.insert(party.clone(), log);
                    }
                }
            }
        }
    }
}

impl Records {
    /// The record of this agreement, with its version.
    pub fn get(&self, id: &AgreementId) -> Option<&Versioned<AgreementRecord>> {
        self.map.get(id)
    }

    /// Whether there is a record of this agreement.
    pub fn contains_key(&self, id: &AgreementId) -> bool {
        self.map.contains_key(id)
    }

    /// How many agreements there are.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether there is no agreement at all.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The agreement IDs, in order.
    pub fn keys(&self) -> impl Iterator<Item = &AgreementId> {
        self.map.keys()
    }

    /// The records, in the order of their agreement IDs.
    pub fn values(&self) -> impl Iterator<Item = &Versioned<AgreementRecord>> {
        self.map.values()
    }

    /// The agreements this account is the seller of, in order of their IDs.
    pub fn of_seller(&self, seller: &AccountId) -> &BTreeSet<AgreementId> {
        self.indexes.by_seller.get(seller).unwrap_or(&NONE)
    }

    /// The agreements this account is the buyer of, in order of their IDs.
    pub fn of_buyer(&self, buyer: &AccountId) -> &BTreeSet<AgreementId> {
        self.indexes.by_buyer.get(buyer).unwrap_or(&NONE)
    }

    /// The agreements for one product, in ID order.
    pub fn of_product(&self, product: &ProductId) -> &BTreeSet<AgreementId> {
        self.indexes.by_product.get(product).unwrap_or(&NONE)
    }

    /// The agreement a cancellation request belongs to (the first by ID, should two
    /// records hold the same request ID).
    pub fn with_request(&self, request: &RequestId) -> Option<&AgreementId> {
        self.indexes
            .by_request
            .get(request)
            .and_then(|ids| ids.first())
    }

    /// Puts a record under `id` (storage loading it, another tab's write), replacing and
    /// returning what was there.
    pub fn insert(
        &mut self,
        id: AgreementId,
        versioned: Versioned<AgreementRecord>,
    ) -> Option<Versioned<AgreementRecord>> {
        self.indexes.reindex(&id, Some(&versioned.record));
        self.map.insert(id, versioned)
    }

    /// Takes a record out (another tab deleted it, an archive), returning it.
    pub fn remove(&mut self, id: &AgreementId) -> Option<Versioned<AgreementRecord>> {
        self.indexes.reindex(id, None);
        self.map.remove(id)
    }

    /// Changes the record of each item in turn, as [`Records::update`] does, skipping IDs
    /// without a record; `change` says whether it changed the record. Returns the keys of
    /// those it changed, in order, and keeps in `before` each record as it was first seen.
    /// When the items reach a quarter of the book, the event logs are built again once at
    /// the end instead of moving each record in them: "+7 days" on the scale demo moves all
    /// 10,000 records in six logs each.
    pub(super) fn update_many<T>(
        &mut self,
        items: Vec<(AgreementId, T)>,
        mut before: Option<&mut BTreeMap<AgreementId, Versioned<AgreementRecord>>>,
        mut change: impl FnMut(&AgreementId, T, &mut AgreementRecord) -> bool,
    ) -> Vec<RecordKey> {
        self.indexes.logs.later = items.len() * 4 >= self.map.len();
        let mut changed = Vec::with_capacity(items.len());
        for (id, item) in items {
            let Some(versioned) = self.map.get_mut(&id) else {
                continue;
            };
            if let Some(before) = before.as_deref_mut() {
                if !before.contains_key(&id) {
                    before.insert(id.clone(), versioned.clone());
                }
            }
            if change(&id, item, &mut versioned.record) {
                versioned.version += 1;
                changed.push(RecordKey::Agreement(id.clone()));
            }
            self.indexes.reindex(&id, Some(&versioned.record));
        }
        if self.indexes.logs.later {
            self.indexes.logs = Logs::of(&self.indexes.indexed);
        }
        changed
    }

    /// Adds records read after these were (the rest of a large book, read while the first
    /// page showed), and indexes the whole book again at once, as a book read in one go is.
    /// A record already here stays as it is: it is the newer, as this page changed it or
    /// read it again since.
    pub fn add_read(&mut self, read: BTreeMap<AgreementId, Versioned<AgreementRecord>>) {
        let mut map = read;
        map.append(&mut std::mem::take(&mut self.map));
        *self = Records::from(map);
    }

    /// Changes one record in place and reindexes it; `None` when there is no such record.
    /// A change that succeeds gives the record its next version and adds it to `changed`,
    /// for storage to write; one that fails must leave the record as it was.
    pub fn update<R, E>(
        &mut self,
        id: &AgreementId,
        changed: &mut BTreeSet<RecordKey>,
        change: impl FnOnce(&mut AgreementRecord) -> Result<R, E>,
    ) -> Option<Result<R, E>> {
        let versioned = self.map.get_mut(id)?;
        let result = change(&mut versioned.record);
        if result.is_ok() {
            versioned.version += 1;
            changed.insert(RecordKey::Agreement(id.clone()));
        }
        self.indexes.reindex(id, Some(&versioned.record));
        Some(result)
    }

    /// The earliest moment at which time alone will change some record.
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        self.indexes.schedule.first().map(|(at, _)| *at)
    }

    /// The records that something is due on by `now`.
    pub(super) fn due_by(&self, now: DateTime<Utc>) -> Vec<AgreementId> {
        self.indexes
            .schedule
            .iter()
            .take_while(|(at, _)| *at <= now)
            .map(|(_, key)| key.1.clone())
            .collect()
    }

    /// One side's log of the whole book (`None`) or of one party, if it has any event.
    pub(super) fn log_index(&self, side: Side, party: Option<&AccountId>) -> Option<&LogIndex> {
        let slot = side_slot(side);
        match party {
            None => Some(&self.indexes.logs.book[slot]),
            Some(party) => self.indexes.logs.parties[slot].get(party),
        }
    }
}

impl std::ops::Index<&AgreementId> for Records {
    type Output = Versioned<AgreementRecord>;

    fn index(&self, id: &AgreementId) -> &Self::Output {
        &self.map[id]
    }
}

impl<'a> IntoIterator for &'a Records {
    type Item = (&'a AgreementId, &'a Versioned<AgreementRecord>);
    type IntoIter = std::collections::btree_map::Iter<'a, AgreementId, Versioned<AgreementRecord>>;

    fn into_iter(self) -> Self::IntoIter {
        self.map.iter()
    }
}

impl FromIterator<(AgreementId, Versioned<AgreementRecord>)> for Records {
    fn from_iter<I: IntoIterator<Item = (AgreementId, Versioned<AgreementRecord>)>>(
        items: I,
    ) -> Self {
        let mut map = BTreeMap::new();
        for (id, versioned) in items {
            map.insert(id, versioned);
        }
        Records::from(map)
    }
}

/// The records as they are, indexed all at once.
impl From<BTreeMap<AgreementId, Versioned<AgreementRecord>>> for Records {
    fn from(map: BTreeMap<AgreementId, Versioned<AgreementRecord>>) -> Self {
        Records {
            indexes: Indexes::of(&map),
            map,
        }
    }
}

/// The schedule follows from the records, so only the records make two books equal.
impl PartialEq for Records {
    fn eq(&self, other: &Self) -> bool {
        self.map == other.map
    }
}

impl Eq for Records {}

impl std::fmt::Debug for Records {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.map.fmt(f)
    }
}

impl Serialize for Records {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.map.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Records {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<AgreementId, Versioned<AgreementRecord>>::deserialize(deserializer)?;
        Ok(map.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn the_index_key_of_an_agreement_id_orders_ids_as_their_text_does(
            a in "[A-Za-z0-9_/-]{1,40}",
            b in "[A-Za-z0-9_/-]{1,40}",
            shared in "[A-Za-z0-9_/-]{0,20}",
        ) {
            let id = |text: &str| AgreementId::parse(text).unwrap();
            for (a, b) in [(id(&a), id(&b)), (id(&format!("{shared}{a}")), id(&format!("{shared}{b}")))] {
                prop_assert_eq!(IdKey::of(&a).cmp(&IdKey::of(&b)), a.cmp(&b));
            }
        }

        #[test]
        fn a_moment_orders_times_as_they_do(
            a in -10_000_000_000i64..10_000_000_000,
            b in -10_000_000_000i64..10_000_000_000,
            a_nanos in 0u32..1_000_000_000,
            b_nanos in 0u32..1_000_000_000,
            near in any::<bool>(),
        ) {
            let b = if near { a } else { b };
            let at = |seconds, nanos| DateTime::from_timestamp(seconds, nanos).unwrap();
            let (a, b) = (at(a, a_nanos), at(b, b_nanos));
            prop_assert_eq!(Moment::of(a).cmp(&Moment::of(b)), a.cmp(&b));
        }
    }
}
