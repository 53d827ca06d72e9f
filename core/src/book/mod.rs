//! The whole state of the marketplace: who is who, and one record per agreement holding its
//! invoices, cancellation requests, billing adjustments, events and command history. Every
//! change goes through `Book::apply` or `Book::advance_to`, which say which records changed
//! so that storage writes only those, and bump each changed record's version so that two
//! tabs can compare-and-set instead of overwriting each other.
//!
//! One file per concern, so that a reader finds a rule where its name says: `directory`
//! (who is who), `record` (one agreement's record and its checks), `records` (the records
//! and their indexes), `schedule` (what time does), `support_case_reading` (what AWS makes
//! of a support case, against the records), `command` (what a person asks and what the book
//! answers), `apply` (the handlers), `query` (search, pages, the event log).

mod apply;
mod attention;
mod command;
mod directory;
mod query;
mod record;
mod records;
mod schedule;
mod support_case_reading;
#[cfg(test)]
pub(crate) mod tests;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub(crate) use apply::trial_batch;
pub use attention::{Attention, AttentionAbout, AttentionKind, DUE_SOON};
pub use command::{
    AcceptCancellation, AlibabaUnsubscribe, AnswerSupportCase, ApplyReceipt, ArchiveClosed,
    BatchCreateAdjustments, BatchEntryResult, BatchResult, BuyerCancelled, CancelAgreementAsBuyer,
    Command, Desk, DevPayCancel, DomainError, FpsCancelAndRefund, OpenSupportCase, Outcome,
    RejectCancellation, ReplyToSupportCase, SendCancellation, WithdrawCancellation,
};
pub use directory::{Directory, Offer, Party, Product};
pub use query::{BuyerAdjustment, Filter, Page, PAGE_MAX};
pub use record::{
    Actor, AgreementRecord, BrokenRecordRule, EventRef, EventSource, FromAws, HistoryEntry,
};
pub use records::{Records, Versioned};

pub use crate::agreement::{Agreement, AgreementStatus};
use crate::families::alibaba::AlibabaOrder;
use crate::families::devpay::DevPaySubscription;
use crate::families::fps::FpsSubscription;
use crate::families::support_case::SupportCase;
use crate::ids::AgreementId;
use crate::key::{AlibabaOrderId, DevPaySubscriptionId, FpsSubscriptionId, SupportCaseId};

/// The marketplace, and the records of the other billing families.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Book {
    pub(crate) directory: Directory,
    pub(crate) records: Records,
    pub(crate) fps: BTreeMap<FpsSubscriptionId, Versioned<FpsSubscription>>,
    pub(crate) devpay: BTreeMap<DevPaySubscriptionId, Versioned<DevPaySubscription>>,
    pub(crate) alibaba: BTreeMap<AlibabaOrderId, Versioned<AlibabaOrder>>,
    pub(crate) support_cases: BTreeMap<SupportCaseId, Versioned<SupportCase>>,
}

/// Reading the book: outside the core it changes only through [`Book::apply`], time, and
/// what storage reads back ([`Shelf`]).
impl Book {
    /// Who is who.
    pub fn directory(&self) -> &Directory {
        &self.directory
    }

    /// The agreements' records, with their indexes.
    pub fn records(&self) -> &Records {
        &self.records
    }

    pub fn fps(&self) -> &BTreeMap<FpsSubscriptionId, Versioned<FpsSubscription>> {
        &self.fps
    }

    pub fn devpay(&self) -> &BTreeMap<DevPaySubscriptionId, Versioned<DevPaySubscription>> {
        &self.devpay
    }

    pub fn alibaba(&self) -> &BTreeMap<AlibabaOrderId, Versioned<AlibabaOrder>> {
        &self.alibaba
    }

    pub fn support_cases(&self) -> &BTreeMap<SupportCaseId, Versioned<SupportCase>> {
        &self.support_cases
    }

    /// What storage reads back into the book, and only storage: records as stored, each
    /// checked by storage already, so no rule of the core runs on them.
    pub fn shelf(&mut self) -> Shelf<'_> {
        Shelf { book: self }
    }
}

/// The way storage puts what it read into a book, or takes out what another tab removed.
pub struct Shelf<'a> {
    book: &'a mut Book,
}

impl Shelf<'_> {
    pub fn directory(&mut self) -> &mut Directory {
        &mut self.book.directory
    }

    pub fn records(&mut self) -> &mut Records {
        &mut self.book.records
    }

    pub fn fps(&mut self) -> &mut BTreeMap<FpsSubscriptionId, Versioned<FpsSubscription>> {
        &mut self.book.fps
    }

    pub fn devpay(&mut self) -> &mut BTreeMap<DevPaySubscriptionId, Versioned<DevPaySubscription>> {
        &mut self.book.devpay
    }

    pub fn alibaba(&mut self) -> &mut BTreeMap<AlibabaOrderId, Versioned<AlibabaOrder>> {
        &mut self.book.alibaba
    }

    pub fn support_cases(&mut self) -> &mut BTreeMap<SupportCaseId, Versioned<SupportCase>> {
        &mut self.book.support_cases
    }
}

impl Book {
    /// The record of this agreement, if any.
    pub fn record(&self, id: &AgreementId) -> Option<&AgreementRecord> {
        self.records.get(id).map(|v| &v.record)
    }

    /// This agreement's record version, which storage compares before it writes.
    pub fn version(&self, id: &AgreementId) -> Option<u64> {
        self.records.get(id).map(|v| v.version)
    }

    /// Adds or replaces a record, one version above the one it replaces.
    pub fn insert(&mut self, record: AgreementRecord) {
        let id = record.agreement.id.clone();
        let version = self.version(&id).map_or(1, |v| v + 1);
        self.records.insert(id, Versioned { version, record });
    }

    /// Replaces one record with what storage holds (another tab wrote it).
    pub fn replace(&mut self, versioned: Versioned<AgreementRecord>) {
        self.records
            .insert(versioned.record.agreement.id.clone(), versioned);
    }
}
