//! The whole state of the marketplace: who is who, and one record per agreement holding its
//! invoices, cancellation requests, billing adjustments, events and command history. Every
//! change goes through `Book::apply` or `Book::advance_to`, which say which records changed
//! so that storage writes only those, and bump each changed record's version so that two
//! tabs can compare-and-set instead of overwriting each other.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::adjustment::{
    self, AdjustmentEntry, AdjustmentStatus, BatchErrorCode, BillingAdjustment, CheckedEntry,
    EntryError, EntryField, Invoice, BATCH_MAX,
};
use crate::cancellation::{
    self, AdditionalDetails, CancellationError, CancellationReasonCode, CancellationRequest,
    PricingModel, RequestStatus,
};
use crate::events::{self, BusEvent, Detail, EventKind, Side};
use crate::families::alibaba::{AlibabaError, AlibabaOrder, AlibabaRefund};
use crate::families::devpay::{DevPayCancellation, DevPayError, DevPaySubscription};
use crate::families::fps::{self, FpsCall, FpsError, FpsResult, FpsSubscription};
use crate::families::support_case::{FormError, RefundForm, SupportCase};
use crate::ids::{
    AccountId, AdjustmentId, AgreementId, ClientToken, IdSource, OfferId, ProductId, RequestId,
    SequentialIds,
};
use crate::key::{
    AlibabaOrderId, DevPaySubscriptionId, FpsSubscriptionId, RecordKey, SupportCaseId,
};
use crate::money::Money;

/// The most items a page of results holds, as the API's `maxResults` allows.
pub const PAGE_MAX: usize = 50;

/// A seller (proposer) or a buyer (acceptor): an AWS account and its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub account: AccountId,
    pub name: String,
}

/// A product a seller lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub id: ProductId,
    pub name: String,
    pub seller: AccountId,
}

/// An offer of a product: public pricing, or a private offer made to one buyer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    pub id: OfferId,
    pub product: ProductId,
    pub name: String,
    pub private: bool,
}

/// Sellers, buyers, products and offers: small, and rarely changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directory {
    pub sellers: Vec<Party>,
    pub buyers: Vec<Party>,
    pub products: Vec<Product>,
    pub offers: Vec<Offer>,
}

impl Directory {
    /// The seller with this account, if any.
    pub fn seller(&self, account: &AccountId) -> Option<&Party> {
        self.sellers.iter().find(|p| &p.account == account)
    }

    /// The buyer with this account, if any.
    pub fn buyer(&self, account: &AccountId) -> Option<&Party> {
        self.buyers.iter().find(|p| &p.account == account)
    }

    /// The product with this ID, if any.
    pub fn product(&self, id: &ProductId) -> Option<&Product> {
        self.products.iter().find(|p| &p.id == id)
    }

    /// The offer with this ID, if any.
    pub fn offer(&self, id: &OfferId) -> Option<&Offer> {
        self.offers.iter().find(|o| &o.id == id)
    }
}

/// An agreement's status, with the values of the Agreement API's `AgreementStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AgreementStatus {
    Active,
    Archived,
    Cancelled,
    Expired,
    Renewed,
    Replaced,
    RolledBack,
    Superseded,
    Terminated,
}

impl AgreementStatus {
    /// Every status, in the API's order.
    pub const ALL: [AgreementStatus; 9] = [
        Self::Active,
        Self::Archived,
        Self::Cancelled,
        Self::Expired,
        Self::Renewed,
        Self::Replaced,
        Self::RolledBack,
        Self::Superseded,
        Self::Terminated,
    ];

    /// The status as the API spells it.
    pub fn code(self) -> &'static str {
        match self {
            Self::Active => "ACTIVE",
            Self::Archived => "ARCHIVED",
            Self::Cancelled => "CANCELLED",
            Self::Expired => "EXPIRED",
            Self::Renewed => "RENEWED",
            Self::Replaced => "REPLACED",
            Self::RolledBack => "ROLLED_BACK",
            Self::Superseded => "SUPERSEDED",
            Self::Terminated => "TERMINATED",
        }
    }

    /// The status in words, for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Archived => "Archived",
            Self::Cancelled => "Cancelled",
            Self::Expired => "Expired",
            Self::Renewed => "Renewed",
            Self::Replaced => "Replaced",
            Self::RolledBack => "Rolled back",
            Self::Superseded => "Superseded",
            Self::Terminated => "Terminated",
        }
    }
}

/// An AWS Marketplace agreement between a seller (proposer) and a buyer (acceptor).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agreement {
    pub id: AgreementId,
    pub seller: AccountId,
    pub buyer: AccountId,
    pub product: ProductId,
    pub offer: OfferId,
    pub status: AgreementStatus,
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
    /// The agreement an auto-renewal created to follow this one. While it exists, a
    /// cancellation request for this one fails validation: the renewal must go first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal: Option<AgreementId>,
    /// Left out when it is a contract, the default: agreements stored before it was
    /// recorded were contracts, and they read back exactly as they were written.
    #[serde(default, skip_serializing_if = "PricingModel::is_contract")]
    pub pricing: PricingModel,
}

/// Who did something.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Actor {
    Seller(AccountId),
    Buyer(AccountId),
    /// The marketplace itself: auto-approval, billing.
    System,
}

impl Actor {
    /// Who it was, in words ("seller 111122223333", "AWS Marketplace").
    pub fn describe(&self) -> String {
        match self {
            Actor::Seller(a) => format!("seller {a}"),
            Actor::Buyer(a) => format!("buyer {a}"),
            Actor::System => "AWS Marketplace".into(),
        }
    }
}

/// One line of a record's history: who did what, when, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub action: String,
    pub reason: String,
}

/// Everything about one agreement. Storage keeps one of these per key.
///
/// Its events are not stored: they follow from its requests and adjustments
/// ([`AgreementRecord::derived_events`]), so reading a record rebuilds them, and keeping
/// them out is what lets 10,000 agreements with their whole history fit in localStorage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StoredRecord")]
pub struct AgreementRecord {
    pub agreement: Agreement,
    pub invoices: Vec<Invoice>,
    pub requests: Vec<CancellationRequest>,
    pub adjustments: Vec<BillingAdjustment>,
    /// Every event both buses received about this agreement, in time order.
    #[serde(skip)]
    pub events: Vec<BusEvent>,
    pub history: Vec<HistoryEntry>,
}

/// A record as it is stored: everything but the events it implies.
#[derive(Deserialize)]
struct StoredRecord {
    agreement: Agreement,
    invoices: Vec<Invoice>,
    requests: Vec<CancellationRequest>,
    adjustments: Vec<BillingAdjustment>,
    history: Vec<HistoryEntry>,
}

impl From<StoredRecord> for AgreementRecord {
    fn from(stored: StoredRecord) -> Self {
        let mut record = AgreementRecord {
            agreement: stored.agreement,
            invoices: stored.invoices,
            requests: stored.requests,
            adjustments: stored.adjustments,
            events: Vec::new(),
            history: stored.history,
        };
        record.events = record.derived_events();
        record
    }
}

impl AgreementRecord {
    /// A record with no history yet.
    pub fn new(agreement: Agreement, invoices: Vec<Invoice>) -> Self {
        AgreementRecord {
            agreement,
            invoices,
            requests: Vec::new(),
            adjustments: Vec::new(),
            events: Vec::new(),
            history: Vec::new(),
        }
    }

    /// The events this record's requests and adjustments gave, in time order: each request
    /// told both sides when it was sent and again when it was settled (a failed validation
    /// only the seller), and each processed adjustment told them once.
    pub fn derived_events(&self) -> Vec<BusEvent> {
        let mut events = Vec::new();
        for request in &self.requests {
            let sent = CancellationRequest {
                status: RequestStatus::PendingApproval,
                status_message: String::new(),
                decided_by: None,
                updated_at: request.created_at,
                ..request.clone()
            };
            events.extend(events::cancellation_events(
                EventKind::CancellationPendingApproval,
                &self.agreement,
                &sent,
            ));
            let settled = match request.status {
                RequestStatus::PendingApproval => None,
                RequestStatus::Approved => Some(EventKind::CancellationApproved),
                RequestStatus::Rejected => Some(EventKind::CancellationRejected),
                RequestStatus::Cancelled => Some(EventKind::CancellationCancelled),
                RequestStatus::ValidationFailed => Some(EventKind::CancellationValidationFailed),
            };
            if let Some(kind) = settled {
                events.extend(events::cancellation_events(kind, &self.agreement, request));
            }
        }
        for adjustment in &self.adjustments {
            let kind = match adjustment.status {
                AdjustmentStatus::Pending => continue,
                AdjustmentStatus::Completed => EventKind::AdjustmentCompleted,
                AdjustmentStatus::ValidationFailed => EventKind::AdjustmentFailed,
            };
            events.extend(events::adjustment_events(kind, &self.agreement, adjustment));
        }
        events.sort_by_key(|e| e.time);
        events
    }

    /// Puts each of `new` among this record's events where
    /// [`AgreementRecord::derived_events`] has it, leaving the others as they are:
    /// rebuilding them all derived two SHA-256 IDs per event of the whole history, which
    /// was most of what a command or an automatic approval cost. New events are rarely
    /// older than the last one kept, so the search for their place stops at once.
    fn add_events(&mut self, new: &[BusEvent]) {
        // Exactly: a record gains two events now and then, and doubling its vector would
        // leave room for a dozen more (6 KB) in each of 10,000 records after a sweep.
        self.events.reserve_exact(new.len());
        for event in new {
            let key = self.event_order(event);
            let at = self
                .events
                .iter()
                .rposition(|e| self.event_order(e) <= key)
                .map_or(0, |i| i + 1);
            self.events.insert(at, event.clone());
        }
    }

    /// Where [`AgreementRecord::derived_events`] puts an event: by time, then requests
    /// before adjustments, each in the order of its list, a request's sending before its
    /// settling. The sides of one change share a place and keep the order they come in.
    fn event_order(&self, event: &BusEvent) -> (DateTime<Utc>, u8, usize, bool) {
        match &event.detail {
            Detail::Cancellation(d) => {
                let request = &d.agreement_cancellation_request;
                let position = self
                    .requests
                    .iter()
                    .position(|r| r.id.as_str() == request.id)
                    .expect("a record's events report its own requests");
                let settled = request.status_code != RequestStatus::PendingApproval.code();
                (event.time, 0, position, settled)
            }
            Detail::Adjustment(d) => {
                let adjustment = &d.billing_adjustment_request;
                let position = self
                    .adjustments
                    .iter()
                    .position(|a| a.id.as_str() == adjustment.id)
                    .expect("a record's events report its own adjustments");
                (event.time, 1, position, false)
            }
        }
    }

    /// The request waiting for the buyer, if any (there is at most one).
    pub fn pending_request(&self) -> Option<&CancellationRequest> {
        self.requests.iter().find(|r| r.status.is_pending())
    }

    /// The request sent last, whatever its status.
    pub fn latest_request(&self) -> Option<&CancellationRequest> {
        self.requests.iter().max_by_key(|r| r.created_at)
    }

    /// The request with this ID, if it belongs to this agreement.
    pub fn request(&self, id: &RequestId) -> Option<&CancellationRequest> {
        self.requests.iter().find(|r| &r.id == id)
    }

    /// The invoice with this ID, if it belongs to this agreement.
    pub fn invoice(&self, id: &str) -> Option<&Invoice> {
        self.invoices.iter().find(|i| i.id.as_str() == id)
    }

    /// What is on its way back on an invoice but not processed yet.
    pub fn pending_refund_minor(&self, invoice: &str) -> i64 {
        self.adjustments
            .iter()
            .filter(|a| a.status == AdjustmentStatus::Pending && a.invoice_id.as_str() == invoice)
            .map(|a| a.amount.minor)
            .sum()
    }

    /// What the seller can still ask back on an invoice: its maximum minus what is pending.
    pub fn still_refundable_minor(&self, invoice: &Invoice) -> i64 {
        invoice.maximum_adjustment().minor - self.pending_refund_minor(invoice.id.as_str())
    }

    /// The rules a stored record must satisfy; a record that breaks one is not trusted.
    pub fn check(&self) -> Result<(), String> {
        for invoice in &self.invoices {
            invoice.check()?;
            if self.pending_refund_minor(invoice.id.as_str()) > invoice.maximum_adjustment().minor {
                return Err(format!(
                    "invoice {} has more pending than it can refund",
                    invoice.id
                ));
            }
        }
        if self
            .requests
            .iter()
            .filter(|r| r.status.is_pending())
            .count()
            > 1
        {
            return Err("more than one pending cancellation request".into());
        }
        if self.pending_request().is_some() && self.agreement.status != AgreementStatus::Active {
            return Err("a pending cancellation request on an agreement that is not active".into());
        }
        for r in &self.requests {
            if r.agreement_id != self.agreement.id {
                return Err(format!("request {} belongs to another agreement", r.id));
            }
        }
        for a in &self.adjustments {
            if a.agreement_id != self.agreement.id || self.invoice(a.invoice_id.as_str()).is_none()
            {
                return Err(format!(
                    "adjustment {} names an invoice this agreement does not have",
                    a.id
                ));
            }
        }
        Ok(())
    }

    /// Checks one batch entry against this record's invoices and earlier adjustments.
    fn plan_entry(&self, checked: CheckedEntry, currency: &str) -> Result<EntryPlan, EntryError> {
        if checked.agreement_id != self.agreement.id {
            return Err(EntryError {
                code: BatchErrorCode::ValidationException,
                message: format!(
                    "This entry is for agreement {}, not {}.",
                    checked.agreement_id, self.agreement.id
                ),
                field: EntryField::Agreement,
            });
        }
        if let Some(earlier) = self
            .adjustments
            .iter()
            .find(|a| a.client_token == checked.client_token)
        {
            let same = earlier.invoice_id == checked.invoice_id
                && currency == earlier.amount.currency.code()
                && Money::parse_positive(&checked.amount_text, earlier.amount.currency)
                    == Ok(earlier.amount);
            return if same {
                Ok(EntryPlan::Earlier(earlier.id.clone()))
            } else {
                Err(EntryError {
                    code: BatchErrorCode::ConflictException,
                    message: format!(
                        "Client token {} was already used for a different adjustment: {} on invoice {}.",
                        checked.client_token, earlier.amount, earlier.invoice_id
                    ),
                    field: EntryField::ClientToken,
                })
            };
        }
        let invoice = self
            .invoice(checked.invoice_id.as_str())
            .ok_or_else(|| EntryError {
                code: BatchErrorCode::ResourceNotFoundException,
                message: format!(
                    "Agreement {} has no invoice {}.",
                    checked.agreement_id, checked.invoice_id
                ),
                field: EntryField::Invoice,
            })?;
        let pending = self.pending_refund_minor(invoice.id.as_str());
        let amount = adjustment::check_amount(&checked.amount_text, currency, invoice, pending)?;
        Ok(EntryPlan::New(checked, amount))
    }

    /// The earliest moment at which time alone will change this record (a validation that
    /// fails, an auto-approval, an adjustment's processing), if any: the shell advances the
    /// book once the clock passes it.
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        let mut next: Option<DateTime<Utc>> = None;
        self.scheduled(|at, _| next = Some(next.map_or(at, |n| n.min(at))));
        next
    }

    /// Calls `visit` with everything time will do to this record, and when.
    fn scheduled(&self, mut visit: impl FnMut(DateTime<Utc>, Due)) {
        for (i, request) in self.requests.iter().enumerate() {
            if request.status.is_pending() {
                if self.agreement.renewal.is_some() {
                    visit(request.validation_due(), Due::Validation(i));
                }
                visit(request.deadline(), Due::Approval(i));
            }
        }
        for (i, adjustment) in self.adjustments.iter().enumerate() {
            if adjustment.status == AdjustmentStatus::Pending {
                visit(adjustment.due_at(), Due::Processing(i));
            }
        }
    }

    /// Does what was due at `at`; returns its events, or `None` when an earlier item of
    /// the same sweep already settled it (a request that failed validation is no longer
    /// there to approve).
    fn run(&mut self, item: Due, at: DateTime<Utc>) -> Option<Vec<BusEvent>> {
        match item {
            Due::Validation(i) => {
                let has_renewal = self.agreement.renewal.is_some();
                let request = &mut self.requests[i];
                if !request.fail_validation_by(at, has_renewal) {
                    return None;
                }
                let message = request.status_message.clone();
                self.log(
                    at,
                    &Actor::System,
                    "Failed the cancellation request's validation",
                    &message,
                );
                Some(events::cancellation_events(
                    EventKind::CancellationValidationFailed,
                    &self.agreement,
                    &self.requests[i],
                ))
            }
            Due::Approval(i) => {
                if !self.requests[i].auto_approve_by(at) {
                    return None;
                }
                self.agreement.status = AgreementStatus::Cancelled;
                self.log(
                    at,
                    &Actor::System,
                    &format!(
                        "Approved the cancellation request automatically: the buyer did not \
                         answer within {} days",
                        cancellation::AUTO_APPROVAL_AFTER.num_days()
                    ),
                    "",
                );
                Some(events::cancellation_events(
                    EventKind::CancellationApproved,
                    &self.agreement,
                    &self.requests[i],
                ))
            }
            Due::Processing(i) => {
                let adjustment = &mut self.adjustments[i];
                let invoice = self
                    .invoices
                    .iter_mut()
                    .find(|inv| inv.id == adjustment.invoice_id)
                    .expect(
                        "an adjustment names an invoice of its record (checked on create and load)",
                    );
                adjustment::process(adjustment, invoice);
                let processed = adjustment.clone();
                let (kind, action) = match processed.status {
                    AdjustmentStatus::Completed => (
                        EventKind::AdjustmentCompleted,
                        "Completed the billing adjustment",
                    ),
                    _ => (EventKind::AdjustmentFailed, "Failed the billing adjustment"),
                };
                self.log(
                    at,
                    &Actor::System,
                    &format!("{action} {}", processed.id),
                    &processed.status_message,
                );
                Some(events::adjustment_events(kind, &self.agreement, &processed))
            }
        }
    }

    fn log(&mut self, at: DateTime<Utc>, actor: &Actor, action: &str, reason: &str) {
        self.history.push(HistoryEntry {
            at,
            actor: actor.clone(),
            action: action.into(),
            reason: reason.into(),
        });
    }
}

/// What a batch entry would do to a record.
enum EntryPlan {
    /// Its client token was used before for this very adjustment: nothing new happens.
    Earlier(AdjustmentId),
    /// A new adjustment of this amount.
    New(CheckedEntry, Money),
}

/// A record and its version: storage compares versions before it writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Versioned<T> {
    pub version: u64,
    pub record: T,
}

/// What a person can ask of the marketplace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Command {
    SendCancellation {
        agreement_id: AgreementId,
        reason_code: Option<CancellationReasonCode>,
        description: String,
        details: AdditionalDetails,
        client_token: ClientToken,
    },
    AcceptCancellation {
        agreement_id: AgreementId,
        request_id: RequestId,
    },
    RejectCancellation {
        agreement_id: AgreementId,
        request_id: RequestId,
        reason: String,
    },
    WithdrawCancellation {
        agreement_id: AgreementId,
        request_id: RequestId,
        reason: String,
    },
    BatchCreateAdjustments {
        entries: Vec<AdjustmentEntry>,
    },
    /// Amazon FPS CancelSubscriptionAndRefund, by the subscription's seller.
    FpsCancelAndRefund {
        subscription: FpsSubscriptionId,
        call: FpsCall,
    },
    /// A DevPay customer cancels (a seller is told how the customer does it).
    DevPayCancel {
        subscription: DevPaySubscriptionId,
    },
    /// An Alibaba Cloud buyer unsubscribes; a refund that deletes data needs its consent.
    AlibabaUnsubscribe {
        order: AlibabaOrderId,
        confirm_data_deletion: bool,
    },
    /// The legacy "Request refund" form, which opens a support case.
    OpenSupportCase {
        form: RefundForm,
    },
    /// The seller's reply on one of its support cases.
    ReplyToSupportCase {
        case: SupportCaseId,
        text: String,
    },
}

impl Command {
    /// The stored record this command acts on, if it already exists: the shell reads it
    /// afresh from storage first, in case another tab changed it.
    pub fn record(&self) -> Option<RecordKey> {
        match self {
            Command::SendCancellation { agreement_id, .. }
            | Command::AcceptCancellation { agreement_id, .. }
            | Command::RejectCancellation { agreement_id, .. }
            | Command::WithdrawCancellation { agreement_id, .. } => {
                Some(RecordKey::Agreement(agreement_id.clone()))
            }
            Command::BatchCreateAdjustments { entries } => entries
                .first()
                .and_then(|e| AgreementId::parse(&e.agreement_id).ok())
                .map(RecordKey::Agreement),
            Command::FpsCancelAndRefund { subscription, .. } => {
                Some(RecordKey::Fps(subscription.clone()))
            }
            Command::DevPayCancel { subscription } => Some(RecordKey::DevPay(subscription.clone())),
            Command::AlibabaUnsubscribe { order, .. } => Some(RecordKey::Alibaba(order.clone())),
            Command::OpenSupportCase { .. } => None,
            Command::ReplyToSupportCase { case, .. } => Some(RecordKey::SupportCase(case.clone())),
        }
    }
}

/// A batch's result as BatchCreateBillingAdjustmentRequest returns it: each entry created
/// or refused on its own, in the order sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchResult {
    pub entries: Vec<BatchEntryResult>,
}

/// What became of one entry of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BatchEntryResult {
    Created {
        id: AdjustmentId,
        client_token: String,
    },
    Failed {
        client_token: String,
        error: EntryError,
    },
}

/// What a command answers, beside what it changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reply {
    /// The request now in force: new, or the earlier one for a repeated client token.
    Request(RequestId),
    Batch(BatchResult),
    Fps(FpsResult),
    DevPay(DevPayCancellation),
    Alibaba(AlibabaRefund),
    /// The support case just opened.
    SupportCase(SupportCaseId),
    Done,
}

/// What a command or the passing of time did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// In time order.
    pub events: Vec<BusEvent>,
    /// The records whose content changed, of any kind, for storage to write.
    pub changed: BTreeSet<RecordKey>,
}

impl Outcome {
    /// The agreements among the records that changed.
    pub fn agreements(&self) -> impl Iterator<Item = &AgreementId> {
        self.changed.iter().filter_map(RecordKey::agreement)
    }
}

/// Why a command was refused. Nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    #[error("There is no agreement {0}.")]
    AgreementNotFound(AgreementId),
    #[error("There is no cancellation request {0} on this agreement.")]
    RequestNotFound(RequestId),
    #[error("Only the seller of this agreement can do that.")]
    NotTheSeller,
    #[error("Only the buyer of this agreement can do that.")]
    NotTheBuyer,
    #[error("This agreement is {}, so its cancellation cannot be requested.", .0.label().to_lowercase())]
    NotActive(AgreementStatus),
    #[error("Cancellation request {0} is already waiting for the buyer; withdraw it before sending another.")]
    AlreadyPending(RequestId),
    #[error("{0}")]
    Cancellation(#[from] CancellationError),
    #[error("A batch holds 1 to {BATCH_MAX} entries (this one has {0}).")]
    BatchSize(usize),
    #[error("All entries of a batch must be for the same agreement.")]
    MixedAgreements,
    #[error("There is no {what} {id}.")]
    NotFound { what: &'static str, id: String },
    #[error("{0}")]
    Fps(#[from] FpsError),
    #[error("{0}")]
    DevPay(#[from] DevPayError),
    #[error("{0}")]
    Alibaba(#[from] AlibabaError),
    #[error("{0}")]
    Form(#[from] FormError),
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
    map: BTreeMap<AgreementId, Versioned<AgreementRecord>>,
    indexes: Indexes,
}

/// Everything [`Records`] keeps beside the records, apart so that a record can be
/// reindexed while it is borrowed.
#[derive(Clone, Default)]
struct Indexes {
    /// What each record put into the indexes, so that a change takes out exactly that.
    indexed: BTreeMap<AgreementId, Indexed>,
    schedule: BTreeSet<(DateTime<Utc>, IdKey)>,
    by_seller: BTreeMap<AccountId, BTreeSet<AgreementId>>,
    by_buyer: BTreeMap<AccountId, BTreeSet<AgreementId>>,
    by_request: BTreeMap<RequestId, BTreeSet<AgreementId>>,
    /// Per side ([`side_slot`]): the log of the whole book.
    logs: [LogIndex; 2],
    /// Per side ([`side_slot`]): the log of each party.
    party_logs: [BTreeMap<AccountId, LogIndex>; 2],
}

/// What the indexes of [`Records`] hold about one record.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Indexed {
    seller: AccountId,
    buyer: AccountId,
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
            requests: record.requests.iter().map(|r| r.id.clone()).collect(),
            next_due: record.next_due(),
            logs: logged(record),
        }
    }

    /// The parties whose logs show the record's events: its seller and its buyer (once
    /// when they are the same account).
    fn parties(&self) -> impl Iterator<Item = &AccountId> {
        std::iter::once(&self.seller).chain((self.buyer != self.seller).then_some(&self.buyer))
    }
}

fn logged(record: &AgreementRecord) -> [Logged; 2] {
    let mut logs = [None; 2];
    for event in &record.events {
        let slot = &mut logs[side_slot(event.side())];
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
struct IdKey(u128, AgreementId);

impl IdKey {
    fn of(id: &AgreementId) -> IdKey {
        let mut head = [0u8; 16];
        let text = id.as_str().as_bytes();
        let n = text.len().min(head.len());
        head[..n].copy_from_slice(&text[..n]);
        IdKey(u128::from_be_bytes(head), id.clone())
    }
}

/// The records with events in one log, newest event first (ties by agreement ID), and how
/// many events of the log they hold in all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct LogIndex {
    newest: BTreeSet<(Reverse<DateTime<Utc>>, IdKey)>,
    events: usize,
}

impl LogIndex {
    /// Moves a record's entry from what it was to what it is, taking the stored ID back
    /// out to put it in again rather than cloning another.
    fn shift(
        &mut self,
        probe: Option<&(Reverse<DateTime<Utc>>, IdKey)>,
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
            self.newest.insert((Reverse(newest), key));
            self.events += count;
        }
    }
}

/// Where a side's log sits in [`Records`]' per-side arrays.
fn side_slot(side: Side) -> usize {
    match side {
        Side::Acceptor => 0,
        Side::Proposer => 1,
    }
}

/// No agreements: what a party without any has.
static NONE: BTreeSet<AgreementId> = BTreeSet::new();

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
        for (slot, logs) in logged(record).into_iter().enumerate() {
            if old.logs[slot] != logs {
                shift_logs(
                    &mut self.logs[slot],
                    &mut self.party_logs[slot],
                    old.parties(),
                    id,
                    old.logs[slot],
                    logs,
                );
                old.logs[slot] = logs;
            }
        }
    }

    fn take_out(&mut self, id: &AgreementId, old: &Indexed) {
        take_from(&mut self.by_seller, &old.seller, id);
        take_from(&mut self.by_buyer, &old.buyer, id);
        for request in &old.requests {
            take_from(&mut self.by_request, request, id);
        }
        if let Some(at) = old.next_due {
            self.schedule.remove(&(at, IdKey::of(id)));
        }
        for slot in 0..2 {
            shift_logs(
                &mut self.logs[slot],
                &mut self.party_logs[slot],
                old.parties(),
                id,
                old.logs[slot],
                None,
            );
        }
    }

    fn put_in(&mut self, id: &AgreementId, new: &Indexed) {
        add_to(&mut self.by_seller, &new.seller, id);
        add_to(&mut self.by_buyer, &new.buyer, id);
        for request in &new.requests {
            add_to(&mut self.by_request, request, id);
        }
        if let Some(at) = new.next_due {
            self.schedule.insert((at, IdKey::of(id)));
        }
        for slot in 0..2 {
            shift_logs(
                &mut self.logs[slot],
                &mut self.party_logs[slot],
                new.parties(),
                id,
                None,
                new.logs[slot],
            );
        }
    }
}

/// Moves a record in one side's logs, the whole book's and its parties', from what it had
/// there to what it has; a party's log goes when it holds no record any more.
fn shift_logs<'a>(
    book: &mut LogIndex,
    party_logs: &mut BTreeMap<AccountId, LogIndex>,
    parties: impl Iterator<Item = &'a AccountId>,
    id: &AgreementId,
    was: Logged,
    is: Logged,
) {
    let probe = was.map(|(newest, _)| (Reverse(newest), IdKey::of(id)));
    book.shift(probe.as_ref(), was, is, id);
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

    /// Changes one record in place and reindexes it; `None` when there is no such record.
    pub fn update<R>(
        &mut self,
        id: &AgreementId,
        change: impl FnOnce(&mut Versioned<AgreementRecord>) -> R,
    ) -> Option<R> {
        let versioned = self.map.get_mut(id)?;
        let result = change(versioned);
        self.indexes.reindex(id, Some(&versioned.record));
        Some(result)
    }

    /// The earliest moment at which time alone will change some record.
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        self.indexes.schedule.first().map(|(at, _)| *at)
    }

    /// The records that something is due on by `now`.
    fn due_by(&self, now: DateTime<Utc>) -> Vec<AgreementId> {
        self.indexes
            .schedule
            .iter()
            .take_while(|(at, _)| *at <= now)
            .map(|(_, key)| key.1.clone())
            .collect()
    }

    /// One side's log of the whole book (`None`) or of one party, if it has any event.
    fn log_index(&self, side: Side, party: Option<&AccountId>) -> Option<&LogIndex> {
        let slot = side_slot(side);
        match party {
            None => Some(&self.indexes.logs[slot]),
            Some(party) => self.indexes.party_logs[slot].get(party),
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
        let mut records = Records::default();
        for (id, versioned) in items {
            records.insert(id, versioned);
        }
        records
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

/// The marketplace, and the records of the other billing families.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Book {
    pub directory: Directory,
    pub records: Records,
    pub fps: BTreeMap<FpsSubscriptionId, Versioned<FpsSubscription>>,
    pub devpay: BTreeMap<DevPaySubscriptionId, Versioned<DevPaySubscription>>,
    pub alibaba: BTreeMap<AlibabaOrderId, Versioned<AlibabaOrder>>,
    pub support_cases: BTreeMap<SupportCaseId, Versioned<SupportCase>>,
}

fn versioned_mut<'a, K: Ord + std::fmt::Display, T>(
    map: &'a mut BTreeMap<K, Versioned<T>>,
    what: &'static str,
    id: &K,
) -> Result<&'a mut Versioned<T>, DomainError> {
    map.get_mut(id).ok_or_else(|| DomainError::NotFound {
        what,
        id: id.to_string(),
    })
}

/// Runs `change` on a copy, and keeps it (with a new version) only if it succeeded.
fn change<T: Clone, R, E>(
    versioned: &mut Versioned<T>,
    change: impl FnOnce(&mut T) -> Result<R, E>,
) -> Result<R, DomainError>
where
    DomainError: From<E>,
{
    let mut copy = versioned.record.clone();
    let result = change(&mut copy)?;
    versioned.record = copy;
    versioned.version += 1;
    Ok(result)
}

/// The account of a seller acting, or the refusal every seller's action gives anyone else.
fn seller_of(actor: &Actor) -> Result<&AccountId, DomainError> {
    match actor {
        Actor::Seller(account) => Ok(account),
        _ => Err(DomainError::NotTheSeller),
    }
}

/// The commands of the other billing families: each changes one record of its family.
impl Book {
    /// Amazon FPS CancelSubscriptionAndRefund, by the subscription's seller.
    fn fps_cancel_and_refund(
        &mut self,
        id: FpsSubscriptionId,
        actor: &Actor,
        call: &FpsCall,
        now: DateTime<Utc>,
        ids: &mut dyn IdSource,
    ) -> Result<Handled, DomainError> {
        let seller = seller_of(actor)?;
        if &versioned_mut(&mut self.fps, "FPS subscription", &id)?
            .record
            .seller
            != seller
        {
            return Err(DomainError::NotTheSeller);
        }
        // A CallerReference is the caller's: used on any of its subscriptions within seven
        // days, the call returns the first result and changes nothing.
        let subscriptions = self.fps.values().map(|v| &v.record);
        if let Some(first) = fps::replay(subscriptions, seller, &call.caller_reference, now) {
            return Ok((Reply::Fps(first), None, Vec::new()));
        }
        let versioned = versioned_mut(&mut self.fps, "FPS subscription", &id)?;
        let result = change(versioned, |s| s.cancel_and_refund(call, now, ids))?;
        Ok((Reply::Fps(result), Some(RecordKey::Fps(id)), Vec::new()))
    }

    /// A DevPay customer cancels; a seller trying is refused with the way to do it.
    fn devpay_cancel(
        &mut self,
        id: DevPaySubscriptionId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Handled, DomainError> {
        let by = match actor {
            Actor::Seller(account) | Actor::Buyer(account) => account,
            Actor::System => return Err(DomainError::NotTheBuyer),
        };
        let versioned = versioned_mut(&mut self.devpay, "DevPay subscription", &id)?;
        let done = change(versioned, |s| s.cancel(by, now))?;
        Ok((Reply::DevPay(done), Some(RecordKey::DevPay(id)), Vec::new()))
    }

    /// An Alibaba Cloud buyer unsubscribes.
    fn alibaba_unsubscribe(
        &mut self,
        id: AlibabaOrderId,
        actor: &Actor,
        now: DateTime<Utc>,
        confirm_data_deletion: bool,
    ) -> Result<Handled, DomainError> {
        let versioned = versioned_mut(&mut self.alibaba, "Alibaba Cloud order", &id)?;
        if !matches!(actor, Actor::Buyer(a) if *a == versioned.record.buyer) {
            return Err(DomainError::NotTheBuyer);
        }
        let refund = change(versioned, |o| o.unsubscribe(now, confirm_data_deletion))?;
        Ok((
            Reply::Alibaba(refund),
            Some(RecordKey::Alibaba(id)),
            Vec::new(),
        ))
    }

    /// The legacy "Request refund" form: opens a support case at once.
    fn open_support_case(
        &mut self,
        actor: &Actor,
        form: &RefundForm,
        now: DateTime<Utc>,
        ids: &mut dyn IdSource,
    ) -> Result<Handled, DomainError> {
        let seller = seller_of(actor)?;
        let digits: String = ids
            .next_suffix()
            .bytes()
            .map(|b| char::from(b'0' + b % 10))
            .collect();
        let id = SupportCaseId::new(format!("case-{digits}"));
        let case = SupportCase::open(seller.clone(), form, id.clone(), now)?;
        self.support_cases.insert(
            id.clone(),
            Versioned {
                version: 1,
                record: case,
            },
        );
        Ok((
            Reply::SupportCase(id.clone()),
            Some(RecordKey::SupportCase(id)),
            Vec::new(),
        ))
    }

    /// The seller's reply on one of its support cases.
    fn reply_to_support_case(
        &mut self,
        id: SupportCaseId,
        actor: &Actor,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<Handled, DomainError> {
        let seller = seller_of(actor)?;
        let versioned = versioned_mut(&mut self.support_cases, "support case", &id)?;
        if &versioned.record.seller != seller {
            return Err(DomainError::NotTheSeller);
        }
        change(versioned, |c| c.reply(text, now))?;
        Ok((Reply::Done, Some(RecordKey::SupportCase(id)), Vec::new()))
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

    /// Applies a command by `actor` at `now`, after first letting time run up to `now` (so a
    /// buyer answering after the deadline meets the auto-approval). Returns the reply and
    /// what changed: every event, in time order, and the records storage must write.
    ///
    /// A refused command changes nothing at all, not even the catching up with time: the
    /// shell's next `advance_to` does that again, and saves it.
    pub fn apply(
        &mut self,
        command: Command,
        actor: &Actor,
        now: DateTime<Utc>,
        ids: &mut dyn IdSource,
    ) -> Result<(Reply, Outcome), DomainError> {
        let mut before = BTreeMap::new();
        let mut outcome = self.advance(now, Some(&mut before));
        let result = match command {
            Command::SendCancellation {
                agreement_id,
                reason_code,
                description,
                details,
                client_token,
            } => {
                let draft = Draft {
                    agreement_id,
                    reason_code,
                    description,
                    details,
                    client_token,
                };
                self.send(draft, actor, now, ids)
            }
            Command::AcceptCancellation {
                agreement_id,
                request_id,
            } => self.decide(agreement_id, request_id, Decision::Accept, actor, now),
            Command::RejectCancellation {
                agreement_id,
                request_id,
                reason,
            } => {
                let decision = Decision::Reject(reason);
                self.decide(agreement_id, request_id, decision, actor, now)
            }
            Command::WithdrawCancellation {
                agreement_id,
                request_id,
                reason,
            } => {
                let decision = Decision::Withdraw(reason);
                self.decide(agreement_id, request_id, decision, actor, now)
            }
            Command::BatchCreateAdjustments { entries } => {
                self.batch(entries, actor, now, ids).map(|(id, result)| {
                    (
                        Reply::Batch(result),
                        id.map(RecordKey::Agreement),
                        Vec::new(),
                    )
                })
            }
            Command::FpsCancelAndRefund { subscription, call } => {
                self.fps_cancel_and_refund(subscription, actor, &call, now, ids)
            }
            Command::DevPayCancel { subscription } => self.devpay_cancel(subscription, actor, now),
            Command::AlibabaUnsubscribe {
                order,
                confirm_data_deletion,
            } => self.alibaba_unsubscribe(order, actor, now, confirm_data_deletion),
            Command::OpenSupportCase { form } => self.open_support_case(actor, &form, now, ids),
            Command::ReplyToSupportCase { case, text } => {
                self.reply_to_support_case(case, actor, &text, now)
            }
        };
        let (reply, id, events) = match result {
            Ok(done) => done,
            Err(error) => {
                for (id, versioned) in before {
                    self.records.insert(id, versioned);
                }
                return Err(error);
            }
        };
        outcome.changed.extend(id);
        outcome.events.extend(events);
        Ok((reply, outcome))
    }

    /// Sends a cancellation request; the same client token again returns the first one.
    /// Every check comes before the record changes, so a refusal changes nothing.
    fn send(
        &mut self,
        draft: Draft,
        actor: &Actor,
        now: DateTime<Utc>,
        ids: &mut dyn IdSource,
    ) -> Result<Handled, DomainError> {
        let record = self
            .record(&draft.agreement_id)
            .ok_or_else(|| DomainError::AgreementNotFound(draft.agreement_id.clone()))?;
        if !matches!(actor, Actor::Seller(a) if *a == record.agreement.seller) {
            return Err(DomainError::NotTheSeller);
        }
        if let Some(earlier) = record
            .requests
            .iter()
            .find(|r| r.client_token == draft.client_token)
        {
            return Ok((Reply::Request(earlier.id.clone()), None, Vec::new()));
        }
        if record.agreement.status != AgreementStatus::Active {
            return Err(DomainError::NotActive(record.agreement.status));
        }
        if let Some(pending) = record.pending_request() {
            return Err(DomainError::AlreadyPending(pending.id.clone()));
        }
        let checked =
            cancellation::check_request(draft.reason_code, &draft.description, draft.details)?;
        let request = CancellationRequest {
            id: ids.request_id(),
            agreement_id: draft.agreement_id.clone(),
            reason_code: checked.reason_code,
            description: checked.description,
            details: checked.details,
            client_token: draft.client_token,
            status: RequestStatus::PendingApproval,
            status_message: String::new(),
            decided_by: None,
            created_at: now,
            updated_at: now,
            link_secret: Some(ids.link_secret()),
        };
        let events = events::cancellation_events(
            EventKind::CancellationPendingApproval,
            &record.agreement,
            &request,
        );
        let id = request.id.clone();
        self.records.update(&draft.agreement_id, |v| {
            v.record.log(
                now,
                actor,
                "Sent a cancellation request",
                &request.description,
            );
            v.record.requests.push(request);
            v.record.add_events(&events);
            v.version += 1;
        });
        Ok((
            Reply::Request(id),
            Some(RecordKey::Agreement(draft.agreement_id)),
            events,
        ))
    }

    /// The buyer approves or rejects a pending request, or the seller withdraws it; outside
    /// PENDING_APPROVAL each is a conflict. Every check comes before the record changes.
    fn decide(
        &mut self,
        agreement_id: AgreementId,
        request_id: RequestId,
        decision: Decision,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Handled, DomainError> {
        let record = self
            .record(&agreement_id)
            .ok_or_else(|| DomainError::AgreementNotFound(agreement_id.clone()))?;
        match decision {
            Decision::Withdraw(_) if !matches!(actor, Actor::Seller(a) if *a == record.agreement.seller) => {
                return Err(DomainError::NotTheSeller)
            }
            Decision::Accept | Decision::Reject(_) if !matches!(actor, Actor::Buyer(a) if *a == record.agreement.buyer) => {
                return Err(DomainError::NotTheBuyer)
            }
            _ => {}
        }
        let position = record
            .requests
            .iter()
            .position(|r| r.id == request_id)
            .ok_or_else(|| DomainError::RequestNotFound(request_id.clone()))?;
        // The transitions check before they change anything, so a refusal leaves the
        // record as it was; changing it in place spares copying the request and agreement.
        let events = self
            .records
            .update(&agreement_id, |v| {
                let record = &mut v.record;
                let request = &mut record.requests[position];
                let (kind, action, reason) = match decision {
                    Decision::Accept => {
                        request.accept(now)?;
                        record.agreement.status = AgreementStatus::Cancelled;
                        (
                            EventKind::CancellationApproved,
                            "Approved the cancellation request",
                            String::new(),
                        )
                    }
                    Decision::Reject(reason) => {
                        request.reject(&reason, now)?;
                        (
                            EventKind::CancellationRejected,
                            "Rejected the cancellation request",
                            reason,
                        )
                    }
                    Decision::Withdraw(reason) => {
                        request.withdraw(&reason, now)?;
                        (
                            EventKind::CancellationCancelled,
                            "Withdrew the cancellation request",
                            reason,
                        )
                    }
                };
                let events = events::cancellation_events(
                    kind,
                    &record.agreement,
                    &record.requests[position],
                );
                record.log(now, actor, action, &reason);
                record.add_events(&events);
                v.version += 1;
                Ok::<_, DomainError>(events)
            })
            .expect("the record was found above")?;
        Ok((
            Reply::Done,
            Some(RecordKey::Agreement(agreement_id)),
            events,
        ))
    }

    fn batch(
        &mut self,
        entries: Vec<AdjustmentEntry>,
        actor: &Actor,
        now: DateTime<Utc>,
        ids: &mut dyn IdSource,
    ) -> Result<(Option<AgreementId>, BatchResult), DomainError> {
        check_batch(&entries)?;
        let mut results = Vec::new();
        let mut touched = None;
        for entry in entries {
            let token = entry.client_token.clone();
            match self.create_adjustment(&entry, actor, now, ids) {
                Ok((agreement_id, id, created)) => {
                    if created {
                        touched = Some(agreement_id);
                    }
                    results.push(BatchEntryResult::Created {
                        id,
                        client_token: token,
                    });
                }
                Err(error) => results.push(BatchEntryResult::Failed {
                    client_token: token,
                    error,
                }),
            }
        }
        Ok((touched, BatchResult { entries: results }))
    }

    fn create_adjustment(
        &mut self,
        entry: &AdjustmentEntry,
        actor: &Actor,
        now: DateTime<Utc>,
        ids: &mut dyn IdSource,
    ) -> Result<(AgreementId, AdjustmentId, bool), EntryError> {
        let checked = adjustment::check_fields(entry)?;
        let agreement_id = checked.agreement_id.clone();
        let record = self.record(&agreement_id).ok_or_else(|| EntryError {
            code: BatchErrorCode::ResourceNotFoundException,
            message: format!("There is no agreement {agreement_id}."),
            field: EntryField::Agreement,
        })?;
        if !matches!(actor, Actor::Seller(a) if *a == record.agreement.seller) {
            return Err(EntryError {
                code: BatchErrorCode::ValidationException,
                message: "Only the seller of this agreement can refund it.".into(),
                field: EntryField::Agreement,
            });
        }
        let (checked, amount) = match record.plan_entry(checked, &entry.currency)? {
            EntryPlan::Earlier(id) => return Ok((agreement_id, id, false)),
            EntryPlan::New(checked, amount) => (checked, amount),
        };
        let created = BillingAdjustment {
            id: ids.adjustment_id(),
            agreement_id: checked.agreement_id.clone(),
            invoice_id: checked.invoice_id,
            amount,
            reason_code: checked.reason_code,
            description: checked.description,
            client_token: checked.client_token,
            status: AdjustmentStatus::Pending,
            status_message: String::new(),
            created_at: now,
            updated_at: now,
        };
        let action = format!(
            "Applied a billing adjustment of {} to invoice {}",
            amount, created.invoice_id
        );
        let id = created.id.clone();
        self.records.update(&agreement_id, |v| {
            v.record.log(now, actor, &action, &created.description);
            v.record.adjustments.push(created);
            v.version += 1;
        });
        Ok((agreement_id, id, true))
    }

    /// Lets time run up to `now`: every request whose agreement has a renewal fails its
    /// validation [`VALIDATION_DELAY`](crate::cancellation::VALIDATION_DELAY) after it was
    /// sent, every request still pending at its deadline is approved at the deadline (which
    /// cancels the agreement), and every adjustment due is processed at its due time. Returns
    /// what happened, in time order, however far `now` jumps.
    ///
    /// Support cases AWS reads by `now` move too, each at its own time: the agreements
    /// first catch up with that moment, since a case acts on them.
    pub fn advance_to(&mut self, now: DateTime<Utc>) -> Outcome {
        let mut outcome = Outcome::default();
        while let Some((at, case)) = self.next_support_case_by(now) {
            let caught_up = self.advance(at, None);
            outcome.events.extend(caught_up.events);
            outcome.changed.extend(caught_up.changed);
            self.read_support_case(&case, at, &mut outcome);
        }
        let rest = self.advance(now, None);
        outcome.events.extend(rest.events);
        outcome.changed.extend(rest.changed);
        outcome
    }

    /// `advance_to`; with `before`, also keeps each changed record as it was before, so that
    /// a refused command can put them back.
    fn advance(
        &mut self,
        now: DateTime<Utc>,
        mut before: Option<&mut BTreeMap<AgreementId, Versioned<AgreementRecord>>>,
    ) -> Outcome {
        let mut due: Vec<(DateTime<Utc>, AgreementId, Due)> = Vec::new();
        for id in self.records.due_by(now) {
            self.records[&id].record.scheduled(|at, item| {
                if at <= now {
                    due.push((at, id.clone(), item));
                }
            });
        }
        due.sort();
        // Each item tells at most both sides: growing a vector of 20,000 events step by
        // step copied it over and over.
        let mut outcome = Outcome {
            events: Vec::with_capacity(due.len() * 2),
            ..Outcome::default()
        };
        for (at, agreement_id, item) in due {
            if let Some(before) = before.as_deref_mut() {
                if !before.contains_key(&agreement_id) {
                    let previous = self.records[&agreement_id].clone();
                    before.insert(agreement_id.clone(), previous);
                }
            }
            let events = self
                .records
                .update(&agreement_id, |versioned| {
                    let events = versioned.record.run(item, at)?;
                    versioned.record.add_events(&events);
                    versioned.version += 1;
                    Some(events)
                })
                .flatten();
            if let Some(events) = events {
                outcome.events.extend(events);
                outcome.changed.insert(RecordKey::Agreement(agreement_id));
            }
        }
        outcome
    }

    /// Agreements matching a filter, a page at a time.
    pub fn find(&self, filter: &Filter, page: usize) -> Page<&AgreementRecord> {
        if let Some(id) = filter
            .agreement_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let hit = AgreementId::parse(id).ok().and_then(|id| self.record(&id));
            let items: Vec<_> = hit
                .into_iter()
                .filter(|r| filter.matches(r, &self.directory))
                .collect();
            return Page::of(items, 0);
        }
        if let Some(ids) = self.party_filter(filter) {
            return self.page_of(ids.into_iter(), page);
        }
        let items: Vec<_> = self
            .records
            .values()
            .map(|v| &v.record)
            .filter(|r| filter.matches(r, &self.directory))
            .collect();
        Page::of(items, page)
    }

    /// The agreements a filter of only a seller, a buyer or both matches, found from the
    /// indexes alone; `None` for a filter that needs each record read.
    fn party_filter(&self, filter: &Filter) -> Option<Vec<&AgreementId>> {
        if filled(&filter.offer_id).is_some()
            || filled(&filter.product).is_some()
            || filter.status.is_some()
        {
            return None;
        }
        // No agreement has a buyer that is not a valid account ID.
        let buyer = filled(&filter.buyer_id)
            .map(|b| AccountId::parse(b).map_or(&NONE, |b| self.records.of_buyer(&b)));
        let seller = filter.seller.as_ref().map(|s| self.records.of_seller(s));
        match (seller, buyer) {
            (Some(seller), Some(buyer)) => Some(seller.intersection(buyer).collect()),
            (Some(one), None) | (None, Some(one)) => Some(one.iter().collect()),
            (None, None) => None,
        }
    }

    /// Every event of one side, newest first: of the agreements `party` is the seller or
    /// the buyer of, or of one agreement. Events of the same moment come by agreement ID,
    /// then latest in their record first, so that [`Book::log_page`] pages through exactly
    /// this list. Sorts everything it returns: for a screenful, use `log_page`.
    pub fn log(
        &self,
        side: Side,
        party: Option<&AccountId>,
        agreement: Option<&AgreementId>,
    ) -> Vec<&BusEvent> {
        // The records come in ID order, so their places there order them as their IDs
        // would, and compare faster than the IDs' texts.
        let mut events: Vec<(LogKey<usize>, &BusEvent)> = self
            .log_records(party, agreement)
            .into_iter()
            .enumerate()
            .flat_map(|(n, record)| {
                record
                    .events
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.side() == side)
                    .map(move |(i, e)| ((e.time, Reverse(n), i), e))
            })
            .collect();
        events.sort_unstable_by_key(|(key, _)| Reverse(*key));
        events.into_iter().map(|(_, e)| e).collect()
    }

    /// One page of [`Book::log`] (from 0; past the end, the last one), without sorting the
    /// whole log: each record's events are already in time order, and the log's index
    /// holds its records by their newest event and counts its events. Merging the records
    /// from their newest ends, each taken in only once the merge reaches its newest event,
    /// yields the log in order and stops after the page: it costs the events up to the
    /// page's end, each a logarithm, whatever the size of the book.
    pub fn log_page(
        &self,
        side: Side,
        party: Option<&AccountId>,
        agreement: Option<&AgreementId>,
        page: usize,
    ) -> Page<&BusEvent> {
        let (waiting, total): (Box<dyn Iterator<Item = &AgreementRecord>>, usize) = match agreement
        {
            Some(_) => {
                let records = self.log_records(party, agreement);
                let total = records
                    .iter()
                    .map(|r| r.events.iter().filter(|e| e.side() == side).count())
                    .sum();
                (Box::new(records.into_iter()), total)
            }
            None => match self.records.log_index(side, party) {
                Some(log) => (
                    Box::new(
                        log.newest
                            .iter()
                            .map(|(_, key)| &self.records[&key.1].record),
                    ),
                    log.events,
                ),
                None => (Box::new(std::iter::empty()), 0),
            },
        };
        let pages = total.div_ceil(PAGE_MAX).max(1);
        let page = page.min(pages - 1);
        let newest_before = |record: &AgreementRecord, end: usize| {
            record.events[..end].iter().rposition(|e| e.side() == side)
        };
        let mut waiting = waiting.filter_map(|record| {
            let i = newest_before(record, record.events.len())?;
            Some((
                (record.events[i].time, Reverse(&record.agreement.id), i),
                record,
            ))
        });
        let mut next = waiting.next();
        let mut taken: Vec<&AgreementRecord> = Vec::new();
        let mut heads: BinaryHeap<(LogKey<&AgreementId>, usize)> = BinaryHeap::new();
        let mut items = Vec::with_capacity(PAGE_MAX);
        for rank in 0..(page + 1) * PAGE_MAX {
            // A waiting record comes in once its newest event is the newest left: the
            // records wait newest first, so the others cannot be either.
            while let Some((key, record)) = next {
                if heads.peek().is_some_and(|(top, _)| *top > key) {
                    break;
                }
                heads.push((key, taken.len()));
                taken.push(record);
                next = waiting.next();
            }
            let Some(((_, _, i), n)) = heads.pop() else {
                break;
            };
            let record = taken[n];
            if rank >= page * PAGE_MAX {
                items.push(&record.events[i]);
            }
            if let Some(before) = newest_before(record, i) {
                let key = (
                    record.events[before].time,
                    Reverse(&record.agreement.id),
                    before,
                );
                heads.push((key, n));
            }
        }
        Page {
            items,
            total,
            page,
            pages,
        }
    }

    /// The records a log looks at, in the order of their agreement IDs.
    fn log_records(
        &self,
        party: Option<&AccountId>,
        agreement: Option<&AgreementId>,
    ) -> Vec<&AgreementRecord> {
        let chosen = match agreement {
            Some(id) => self.records.map.range(id..=id),
            None => self.records.map.range::<AgreementId, _>(..),
        };
        chosen
            .map(|(_, v)| &v.record)
            .filter(|r| party.is_none_or(|p| &r.agreement.seller == p || &r.agreement.buyer == p))
            .collect()
    }

    /// The agreements this account sells, a page at a time, in the order of their IDs:
    /// from the seller's index, reading only the records on the page.
    pub fn agreements_of_seller(&self, seller: &AccountId, page: usize) -> Page<&AgreementRecord> {
        self.page_of(self.records.of_seller(seller).iter(), page)
    }

    /// The agreements this account buys, a page at a time, in the order of their IDs: from
    /// the buyer's index, reading only the records on the page.
    pub fn agreements_of_buyer(&self, buyer: &AccountId, page: usize) -> Page<&AgreementRecord> {
        self.page_of(self.records.of_buyer(buyer).iter(), page)
    }

    /// A cancellation request by its ID alone, with the record it belongs to.
    pub fn request_by_id(
        &self,
        id: &RequestId,
    ) -> Option<(&AgreementRecord, &CancellationRequest)> {
        let record = self.record(self.records.with_request(id)?)?;
        Some((record, record.request(id)?))
    }

    /// Page `page` (from 0; past the end, the last one) of these agreements' records.
    fn page_of<'a>(
        &'a self,
        ids: impl ExactSizeIterator<Item = &'a AgreementId>,
        page: usize,
    ) -> Page<&'a AgreementRecord> {
        let total = ids.len();
        let pages = total.div_ceil(PAGE_MAX).max(1);
        let page = page.min(pages - 1);
        let items = ids
            .skip(page * PAGE_MAX)
            .take(PAGE_MAX)
            .map(|id| &self.records[id].record)
            .collect();
        Page {
            items,
            total,
            page,
            pages,
        }
    }
}

/// Where an event stands in a log, greatest first: its time, then its record (`R`: its
/// agreement ID, or its place in ID order; first first), then its place in the record
/// (last first).
type LogKey<R> = (DateTime<Utc>, Reverse<R>, usize);

/// Runs a batch on a copy of `record`, as its seller would send it: what the book would
/// reply, and the record as it would then be. The refund preview shows this before anything
/// is sent, so it can never disagree with what sending does.
pub(crate) fn trial_batch(
    record: &AgreementRecord,
    entries: Vec<AdjustmentEntry>,
) -> Result<(BatchResult, AgreementRecord), DomainError> {
    let mut book = Book::default();
    let id = record.agreement.id.clone();
    book.insert(record.clone());
    let seller = Actor::Seller(record.agreement.seller.clone());
    // Neither the moment nor the new IDs are shown: only amounts and errors are.
    let (_, result) = book.batch(
        entries,
        &seller,
        record.agreement.start,
        &mut SequentialIds::default(),
    )?;
    let trial = book.records.remove(&id).expect("inserted above").record;
    Ok((result, trial))
}

/// A batch holds 1 to 5 entries, all for one agreement; anything else is refused whole.
fn check_batch(entries: &[AdjustmentEntry]) -> Result<(), DomainError> {
    if entries.is_empty() || entries.len() > BATCH_MAX {
        return Err(DomainError::BatchSize(entries.len()));
    }
    let first = entries[0].agreement_id.trim();
    if entries.iter().any(|e| e.agreement_id.trim() != first) {
        return Err(DomainError::MixedAgreements);
    }
    Ok(())
}

/// What a command did: the reply, the record it changed (none for a repeated client
/// token), and its events.
type Handled = (Reply, Option<RecordKey>, Vec<BusEvent>);

/// A cancellation request as the seller sends it, before it is checked.
struct Draft {
    agreement_id: AgreementId,
    reason_code: Option<CancellationReasonCode>,
    description: String,
    details: AdditionalDetails,
    client_token: ClientToken,
}

/// What a party decides about a pending request, with the reason each needs.
enum Decision {
    Accept,
    Reject(String),
    Withdraw(String),
}

/// Something time alone does to a record, by its position in the record's lists (which only
/// ever grow, so a position stays valid).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Due {
    Validation(usize),
    Approval(usize),
    Processing(usize),
}

/// The seller's search. An agreement ID is unique; the others can match several agreements.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    pub agreement_id: Option<String>,
    pub buyer_id: Option<String>,
    pub offer_id: Option<String>,
    /// Matches the product's ID or, ignoring case, part of its name.
    pub product: Option<String>,
    pub status: Option<AgreementStatus>,
    /// Only this seller's agreements.
    pub seller: Option<AccountId>,
}

impl Filter {
    fn matches(&self, record: &AgreementRecord, directory: &Directory) -> bool {
        let a = &record.agreement;
        filled(&self.buyer_id).is_none_or(|b| a.buyer.as_str() == b)
            && filled(&self.offer_id).is_none_or(|o| a.offer.as_str() == o)
            && filled(&self.product).is_none_or(|p| {
                a.product.as_str() == p
                    || directory
                        .product(&a.product)
                        .is_some_and(|prod| prod.name.to_lowercase().contains(&p.to_lowercase()))
            })
            && self.status.is_none_or(|s| a.status == s)
            && self.seller.as_ref().is_none_or(|s| &a.seller == s)
    }
}

/// A filter's text, trimmed, unless it is blank.
fn filled(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// One page of results and how many there are in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: usize,
    pub page: usize,
    pub pages: usize,
}

impl<T> Page<T> {
    /// Page `page` (from 0; past the end, the last one) of `all`.
    pub fn of(all: Vec<T>, page: usize) -> Self {
        let total = all.len();
        let pages = total.div_ceil(PAGE_MAX).max(1);
        let page = page.min(pages - 1);
        let items = all
            .into_iter()
            .skip(page * PAGE_MAX)
            .take(PAGE_MAX)
            .collect();
        Page {
            items,
            total,
            page,
            pages,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::adjustment::AdjustmentReasonCode;
    use crate::ids::{InvoiceId, SequentialIds};
    use crate::money::Currency;
    use chrono::{Duration, TimeZone};
    use proptest::prelude::*;

    pub(crate) fn t(hours: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 1, 1, 13, 12, 22).unwrap() + Duration::hours(hours)
    }

    pub(crate) fn seller() -> AccountId {
        AccountId::parse("111122223333").unwrap()
    }

    pub(crate) fn buyer() -> AccountId {
        AccountId::parse("444455556666").unwrap()
    }

    pub(crate) fn agreement() -> Agreement {
        Agreement {
            id: AgreementId::parse("agmt-1").unwrap(),
            seller: seller(),
            buyer: buyer(),
            product: ProductId::parse("prod-1").unwrap(),
            offer: OfferId::parse("offer-1").unwrap(),
            status: AgreementStatus::Active,
            start: t(-24 * 30),
            end: None,
            renewal: None,
            pricing: PricingModel::Contract,
        }
    }

    fn invoice(id: &str, charged: i64, paid: bool) -> Invoice {
        Invoice {
            id: InvoiceId::parse(id).unwrap(),
            currency: Currency::USD,
            charged_minor: charged,
            refunded_minor: 0,
            issued_at: t(-24),
            paid,
        }
    }

    fn book() -> Book {
        let mut book = Book::default();
        book.insert(AgreementRecord::new(
            agreement(),
            vec![
                invoice("inv-1", 100_000, true),
                invoice("inv-2", 5_000, false),
            ],
        ));
        book
    }

    fn id() -> AgreementId {
        AgreementId::parse("agmt-1").unwrap()
    }

    fn send(token: &str) -> Command {
        Command::SendCancellation {
            agreement_id: id(),
            reason_code: Some(CancellationReasonCode::ReplacingAgreement),
            description: "Replacing with a new private offer offer-2".into(),
            details: AdditionalDetails::default(),
            client_token: ClientToken::parse(token).unwrap(),
        }
    }

    fn sent(book: &mut Book, ids: &mut SequentialIds) -> RequestId {
        match book
            .apply(send("form-1"), &Actor::Seller(seller()), t(0), ids)
            .unwrap()
            .0
        {
            Reply::Request(id) => id,
            other => panic!("{other:?}"),
        }
    }

    fn entry(invoice: &str, amount: &str, token: &str) -> AdjustmentEntry {
        AdjustmentEntry {
            agreement_id: "agmt-1".into(),
            invoice_id: invoice.into(),
            amount: amount.into(),
            currency: "USD".into(),
            reason_code: Some(AdjustmentReasonCode::IncorrectMetering),
            description: "Metering double-counted in January".into(),
            client_token: token.into(),
        }
    }

    #[test]
    fn sending_creates_a_pending_request_and_tells_both_sides() {
        let mut book = book();
        let mut ids = SequentialIds::default();
        let (_, outcome) = book
            .apply(send("form-1"), &Actor::Seller(seller()), t(0), &mut ids)
            .unwrap();
        let types: Vec<_> = outcome
            .events
            .iter()
            .map(|e| e.detail_type.as_str())
            .collect();
        assert_eq!(
            types,
            [
                "Agreement Cancellation Request Pending Approval - Acceptor",
                "Agreement Cancellation Request Pending Approval - Proposer"
            ]
        );
        assert_eq!(
            outcome.changed,
            BTreeSet::from([RecordKey::Agreement(id())])
        );
        assert_eq!(book.version(&id()), Some(2));
        assert!(book.record(&id()).unwrap().pending_request().is_some());
    }

    #[test]
    fn the_same_client_token_returns_the_same_request_and_emits_nothing() {
        let mut book = book();
        let mut ids = SequentialIds::default();
        let first = sent(&mut book, &mut ids);
        let before = book.clone();
        let (reply, outcome) = book
            .apply(send("form-1"), &Actor::Seller(seller()), t(1), &mut ids)
            .unwrap();
        assert_eq!(reply, Reply::Request(first));
        assert!(outcome.events.is_empty() && outcome.changed.is_empty());
        assert_eq!(book, before);
    }

    #[test]
    fn a_second_request_while_one_is_pending_is_refused() {
        let mut book = book();
        let mut ids = SequentialIds::default();
        let first = sent(&mut book, &mut ids);
        let error = book
            .apply(send("form-2"), &Actor::Seller(seller()), t(1), &mut ids)
            .unwrap_err();
        assert_eq!(error, DomainError::AlreadyPending(first));
    }

    #[test]
    fn only_the_buyer_approves_and_approval_cancels_the_agreement() {
        let mut book = book();
        let mut ids = SequentialIds::default();
        let request_id = sent(&mut book, &mut ids);
        let accept = Command::AcceptCancellation {
            agreement_id: id(),
            request_id,
        };
        assert_eq!(
            book.apply(accept.clone(), &Actor::Seller(seller()), t(1), &mut ids)
                .unwrap_err(),
            DomainError::NotTheBuyer
        );
        book.apply(accept, &Actor::Buyer(buyer()), t(2), &mut ids)
            .unwrap();
        let record = book.record(&id()).unwrap();
        assert_eq!(record.agreement.status, AgreementStatus::Cancelled);
        assert_eq!(record.requests[0].status, RequestStatus::Approved);
        assert_eq!(record.requests[0].updated_at, t(2));
    }

    #[test]
    fn approving_after_a_withdrawal_is_a_conflict_and_changes_nothing() {
        let mut book = book();
        let mut ids = SequentialIds::default();
        let request_id = sent(&mut book, &mut ids);
        let withdraw = Command::WithdrawCancellation {
            agreement_id: id(),
            request_id: request_id.clone(),
            reason: "Buyer renewed their commitment".into(),
        };
        book.apply(withdraw, &Actor::Seller(seller()), t(1), &mut ids)
            .unwrap();
        let before = book.clone();
        let accept = Command::AcceptCancellation {
            agreement_id: id(),
            request_id,
        };
        let error = book
            .apply(accept, &Actor::Buyer(buyer()), t(2), &mut ids)
            .unwrap_err();
        assert!(matches!(
            error,
            DomainError::Cancellation(CancellationError::Conflict(_))
        ));
        assert_eq!(book, before);
    }

    #[test]
    fn time_running_past_the_deadline_approves_at_the_deadline_itself() {
        let mut book = book();
        let mut ids = SequentialIds::default();
        sent(&mut book, &mut ids);
        assert!(book.advance_to(t(167)).events.is_empty());
        let outcome = book.advance_to(t(24 * 30));
        assert_eq!(outcome.events.len(), 2);
        assert!(outcome.events.iter().all(|e| e.time == t(168)));
        assert_eq!(
            outcome.events[0].detail_type,
            "Agreement Cancellation Request Approved - Acceptor"
        );
        let record = book.record(&id()).unwrap();
        assert!(record.requests[0].approved_automatically());
        assert_eq!(record.agreement.status, AgreementStatus::Cancelled);
    }

    #[test]
    fn a_buyer_answering_after_the_deadline_meets_the_auto_approval_and_changes_nothing() {
        let mut book = book();
        let mut ids = SequentialIds::default();
        let request_id = sent(&mut book, &mut ids);
        let before = book.clone();
        let reject = Command::RejectCancellation {
            agreement_id: id(),
            request_id,
            reason: "We still need it".into(),
        };
        let error = book
            .apply(reject, &Actor::Buyer(buyer()), t(200), &mut ids)
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "This request was already approved automatically when its 7 days ran out \
             (2025-01-08 13:12 UTC), so it can no longer be rejected."
        );
        assert_eq!(book, before, "not even the auto-approval is kept");
        let outcome = book.advance_to(t(200));
        assert!(outcome.events.iter().all(|e| e.time == t(168)));
        assert_eq!(book.record(&id()).unwrap().requests[0].updated_at, t(168));
    }

    #[test]
    fn a_request_on_an_agreement_with_a_renewal_fails_validation_after_the_checks_for_the_seller_only(
    ) {
        let mut book = book();
        let mut ids = SequentialIds::default();
        book.records.update(&id(), |v| {
            v.record.agreement.renewal = Some(AgreementId::parse("agmt-renewal").unwrap())
        });
        let (_, sent_outcome) = book
            .apply(send("form-1"), &Actor::Seller(seller()), t(0), &mut ids)
            .unwrap();
        assert_eq!(sent_outcome.events.len(), 2, "sent as pending, as AWS does");
        let checks_done = t(0) + crate::cancellation::VALIDATION_DELAY;
        let record = book.record(&id()).unwrap();
        assert_eq!(record.next_due(), Some(checks_done));
        assert!(book
            .advance_to(checks_done - Duration::seconds(1))
            .events
            .is_empty());
        let outcome = book.advance_to(t(1000));
        let types: Vec<_> = outcome
            .events
            .iter()
            .map(|e| (e.detail_type.as_str(), e.time))
            .collect();
        assert_eq!(
            types,
            [(
                "Agreement Cancellation Request Validation Failed - Proposer",
                checks_done
            )]
        );
        let record = book.record(&id()).unwrap();
        let request = &record.requests[0];
        assert_eq!(request.status, RequestStatus::ValidationFailed);
        assert_eq!(request.status_message, crate::cancellation::RENEWAL_FIRST);
        assert_eq!(record.agreement.status, AgreementStatus::Active);
        assert_eq!(record.next_due(), None);
        assert!(
            book.apply(send("form-2"), &Actor::Seller(seller()), t(1001), &mut ids)
                .is_ok(),
            "a failed request is not pending: the seller may send another"
        );
    }

    #[test]
    fn records_that_storage_puts_or_removes_directly_are_scheduled_all_the_same() {
        let mut book = Book::default();
        let mut ids = SequentialIds::default();
        let mut elsewhere = book_with_pending(&mut ids);
        let written = elsewhere.records.remove(&id()).unwrap();
        assert_eq!(elsewhere.records.next_due(), None);
        book.records.insert(id(), written.clone());
        assert_eq!(book.records.next_due(), Some(t(168)));
        let mut removed = book.clone();
        removed.records.remove(&id());
        assert!(removed.advance_to(t(200)).events.is_empty());
        let decoded: Book = serde_json::from_str(&serde_json::to_string(&book).unwrap()).unwrap();
        assert_eq!(decoded.records.next_due(), Some(t(168)));
        let outcome = book.advance_to(t(200));
        assert_eq!(
            outcome.changed,
            BTreeSet::from([RecordKey::Agreement(id())])
        );
        assert_eq!(book.records.next_due(), None);
    }

    fn book_with_pending(ids: &mut SequentialIds) -> Book {
        let mut book = book();
        sent(&mut book, ids);
        book
    }

    #[test]
    fn an_agreement_without_a_renewal_passes_validation_and_stays_pending() {
        let mut book = book();
        let mut ids = SequentialIds::default();
        sent(&mut book, &mut ids);
        assert!(book.advance_to(t(1)).events.is_empty());
        let record = book.record(&id()).unwrap();
        assert!(record.pending_request().is_some());
        assert_eq!(record.next_due(), Some(t(168)));
    }

    #[test]
    fn a_batch_creates_what_is_valid_and_reports_what_is_not() {
        let mut book = book();
        let mut ids = SequentialIds::default();
        let batch = Command::BatchCreateAdjustments {
            entries: vec![
                entry("inv-1", "400.00", "b-1"),
                entry("inv-1", "700.00", "b-2"),
                entry("inv-9", "1.00", "b-3"),
                entry("inv-2", "10.00", "b-4"),
            ],
        };
        let (reply, outcome) = book
            .apply(batch, &Actor::Seller(seller()), t(0), &mut ids)
            .unwrap();
        let Reply::Batch(result) = reply else {
            panic!()
        };
        let codes: Vec<_> = result
            .entries
            .iter()
            .map(|e| match e {
                BatchEntryResult::Created { .. } => None,
                BatchEntryResult::Failed { error, .. } => Some(error.code),
            })
            .collect();
        assert_eq!(
            codes,
            [
                None,
                Some(BatchErrorCode::ValidationException),
                Some(BatchErrorCode::ResourceNotFoundException),
                None
            ]
        );
        assert!(outcome.events.is_empty(), "adjustments are processed later");
        let outcome = book.advance_to(t(1));
        let types: Vec<_> = outcome
            .events
            .iter()
            .map(|e| e.detail_type.as_str())
            .collect();
        assert_eq!(
            types,
            [
                "Purchase Agreement Billing Adjustment Completed - Acceptor",
                "Purchase Agreement Billing Adjustment Completed - Proposer",
                "Purchase Agreement Billing Adjustment Failed - Proposer",
            ]
        );
        let record = book.record(&id()).unwrap();
        assert_eq!(record.invoices[0].refunded_minor, 40_000);
        assert_eq!(record.invoices[1].refunded_minor, 0);
    }

    #[test]
    fn a_repeated_batch_token_returns_the_first_adjustment() {
        let mut book = book();
        let mut ids = SequentialIds::default();
        let batch = Command::BatchCreateAdjustments {
            entries: vec![entry("inv-1", "10.00", "b-1")],
        };
        let (first, _) = book
            .apply(batch.clone(), &Actor::Seller(seller()), t(0), &mut ids)
            .unwrap();
        let (again, _) = book
            .apply(batch, &Actor::Seller(seller()), t(0), &mut ids)
            .unwrap();
        assert_eq!(first, again);
        assert_eq!(book.record(&id()).unwrap().adjustments.len(), 1);
        let other = Command::BatchCreateAdjustments {
            entries: vec![entry("inv-1", "11.00", "b-1")],
        };
        let (reply, _) = book
            .apply(other, &Actor::Seller(seller()), t(0), &mut ids)
            .unwrap();
        let Reply::Batch(result) = reply else {
            panic!()
        };
        assert!(matches!(
            &result.entries[0],
            BatchEntryResult::Failed { error, .. } if error.code == BatchErrorCode::ConflictException
        ));
    }

    #[test]
    fn batches_hold_one_to_five_entries_of_one_agreement() {
        let mut book = book();
        let mut ids = SequentialIds::default();
        let empty = Command::BatchCreateAdjustments { entries: vec![] };
        assert_eq!(
            book.apply(empty, &Actor::Seller(seller()), t(0), &mut ids),
            Err(DomainError::BatchSize(0))
        );
        let six = Command::BatchCreateAdjustments {
            entries: (0..6)
                .map(|i| entry("inv-1", "1", &format!("t{i}")))
                .collect(),
        };
        assert_eq!(
            book.apply(six, &Actor::Seller(seller()), t(0), &mut ids),
            Err(DomainError::BatchSize(6))
        );
        let mut other = entry("inv-1", "1", "x");
        other.agreement_id = "agmt-2".into();
        let mixed = Command::BatchCreateAdjustments {
            entries: vec![entry("inv-1", "1", "y"), other],
        };
        assert_eq!(
            book.apply(mixed, &Actor::Seller(seller()), t(0), &mut ids),
            Err(DomainError::MixedAgreements)
        );
    }

    #[test]
    fn an_agreement_id_finds_one_and_other_filters_count_all_matches() {
        let mut book = book();
        for i in 2..=120 {
            let mut a = agreement();
            a.id = AgreementId::parse(&format!("agmt-{i}")).unwrap();
            book.insert(AgreementRecord::new(a, vec![]));
        }
        let unique = Filter {
            agreement_id: Some("agmt-7".into()),
            ..Default::default()
        };
        assert_eq!(book.find(&unique, 0).total, 1);
        let by_buyer = Filter {
            buyer_id: Some(buyer().to_string()),
            ..Default::default()
        };
        let page = book.find(&by_buyer, 2);
        assert_eq!((page.total, page.pages, page.items.len()), (120, 3, 20));
        let nobody = Filter {
            buyer_id: Some("999999999999".into()),
            ..Default::default()
        };
        assert_eq!(book.find(&nobody, 0).total, 0);
    }

    #[test]
    fn a_record_refunded_above_its_charge_fails_its_check() {
        let mut record = book().record(&id()).unwrap().clone();
        assert!(record.check().is_ok());
        record.invoices[0].refunded_minor = 100_001;
        assert!(record.check().is_err());
    }

    #[test]
    fn a_refused_family_action_changes_nothing_and_a_kept_one_bumps_the_version() {
        let now = crate::demo::demo_now();
        let mut book = crate::demo::demo_book(now);
        let mut ids = SequentialIds::starting_at(9_000);
        let (id, sub) = book
            .fps
            .iter()
            .find(|(_, v)| v.record.status == crate::families::fps::FpsStatus::Cancelled)
            .unwrap();
        let (id, fps_seller) = (id.clone(), sub.record.seller.clone());
        let before = book.clone();
        let cancel_only = FpsCall::default();
        let fps = |call: &FpsCall| Command::FpsCancelAndRefund {
            subscription: id.clone(),
            call: call.clone(),
        };
        let as_seller = Actor::Seller(fps_seller);
        assert!(matches!(
            book.apply(fps(&cancel_only), &as_seller, now, &mut ids),
            Err(DomainError::Fps(_))
        ));
        assert_eq!(book, before);
        let refund = FpsCall {
            refund: Some("1.00".into()),
            caller_reference: "ref-1".into(),
            ..FpsCall::default()
        };
        let (_, outcome) = book.apply(fps(&refund), &as_seller, now, &mut ids).unwrap();
        assert_eq!(book.fps[&id].version, 2);
        assert_eq!(
            outcome.changed,
            BTreeSet::from([RecordKey::Fps(id.clone())])
        );
        let (devpay_id, devpay) = book.devpay.iter().next().unwrap();
        let (devpay_id, devpay_seller) = (devpay_id.clone(), devpay.record.seller.clone());
        let devpay_cancel = Command::DevPayCancel {
            subscription: devpay_id,
        };
        assert!(matches!(
            book.apply(devpay_cancel, &Actor::Seller(devpay_seller), now, &mut ids),
            Err(DomainError::DevPay(
                crate::families::devpay::DevPayError::SellerCannotCancel
            ))
        ));
        let (order_id, order) = book.alibaba.iter().next().unwrap();
        let order_id = order_id.clone();
        let stranger = if order.record.buyer == buyer() {
            seller()
        } else {
            buyer()
        };
        let unsubscribe = Command::AlibabaUnsubscribe {
            order: order_id,
            confirm_data_deletion: true,
        };
        assert_eq!(
            book.apply(unsubscribe, &Actor::Buyer(stranger), now, &mut ids),
            Err(DomainError::NotTheBuyer)
        );
    }

    /// One thing a person or the clock can do, against agreement `0` (`agmt-1`) or `1`
    /// (`agmt-2`, which has a renewal when the test says so, so its requests fail
    /// validation).
    #[derive(Debug, Clone)]
    enum Step {
        Send(usize, u8),
        Accept(usize),
        Reject(usize),
        Withdraw(usize),
        Refund(usize, bool, u32),
        /// Sends the last accepted command again, as a double click or a retry would.
        Retry,
        /// The clock moves on by this many seconds and the shell catches up with it.
        Wait(i64),
        /// The clock moves on, but the next command comes before the shell catches up.
        Jump(i64),
    }

    fn step() -> impl Strategy<Value = Step> {
        let which = 0usize..2;
        prop_oneof![
            (which.clone(), 0u8..4).prop_map(|(a, t)| Step::Send(a, t)),
            which.clone().prop_map(Step::Accept),
            which.clone().prop_map(Step::Reject),
            which.clone().prop_map(Step::Withdraw),
            (which, any::<bool>(), 1u32..80_000).prop_map(|(a, i, c)| Step::Refund(a, i, c)),
            Just(Step::Retry),
            // Seconds, to land on both sides of a 158-second validation and a one-minute
            // processing, and hours, to cross 7-day deadlines.
            (0i64..400).prop_map(Step::Wait),
            (0i64..400).prop_map(|h| Step::Wait(h * 3_600)),
            (0i64..400).prop_map(|h| Step::Jump(h * 3_600)),
        ]
    }

    fn agreement_id(which: usize) -> AgreementId {
        AgreementId::parse(&format!("agmt-{}", which + 1)).unwrap()
    }

    fn two_agreements(renewal: bool) -> Book {
        let mut book = book();
        let mut second = agreement();
        second.id = agreement_id(1);
        second.renewal = renewal.then(|| AgreementId::parse("agmt-2r").unwrap());
        book.insert(AgreementRecord::new(
            second,
            vec![invoice("inv-1", 30_000, true), invoice("inv-2", 900, true)],
        ));
        book
    }

    fn command(book: &Book, step: &Step, ids: &SequentialIds) -> (Command, Actor) {
        let target = |which: usize| {
            let record = book.record(&agreement_id(which)).unwrap();
            record
                .pending_request()
                .or(record.latest_request())
                .map_or_else(|| RequestId::parse("acr-none").unwrap(), |r| r.id.clone())
        };
        match *step {
            Step::Send(which, token) => {
                let mut command = send(&format!("form-{token}"));
                if let Command::SendCancellation {
                    agreement_id: a, ..
                } = &mut command
                {
                    *a = agreement_id(which);
                }
                (command, Actor::Seller(seller()))
            }
            Step::Accept(which) => (
                Command::AcceptCancellation {
                    agreement_id: agreement_id(which),
                    request_id: target(which),
                },
                Actor::Buyer(buyer()),
            ),
            Step::Reject(which) => (
                Command::RejectCancellation {
                    agreement_id: agreement_id(which),
                    request_id: target(which),
                    reason: "Still needed".into(),
                },
                Actor::Buyer(buyer()),
            ),
            Step::Withdraw(which) => (
                Command::WithdrawCancellation {
                    agreement_id: agreement_id(which),
                    request_id: target(which),
                    reason: "Mistake".into(),
                },
                Actor::Seller(seller()),
            ),
            Step::Refund(which, first, cents) => {
                let mut entry = entry(
                    if first { "inv-1" } else { "inv-2" },
                    &format!("{}.{:02}", cents / 100, cents % 100),
                    &format!("r-{}", ids.next),
                );
                entry.agreement_id = agreement_id(which).to_string();
                (
                    Command::BatchCreateAdjustments {
                        entries: vec![entry],
                    },
                    Actor::Seller(seller()),
                )
            }
            Step::Retry | Step::Wait(_) | Step::Jump(_) => unreachable!("not a command"),
        }
    }

    /// Everything a run saw, for the invariants to be checked against.
    struct Run {
        book: Book,
        now: DateTime<Utc>,
        events: Vec<BusEvent>,
    }

    /// Runs `steps` from `t(0)`, checking after each one what must hold at every moment.
    fn run(renewal: bool, steps: &[Step]) -> Result<Run, TestCaseError> {
        let mut book = two_agreements(renewal);
        let mut ids = SequentialIds::default();
        let mut now = t(0);
        let mut events: Vec<BusEvent> = Vec::new();
        let mut last_accepted: Option<(Command, Actor)> = None;
        let mut settled: BTreeMap<RequestId, CancellationRequest> = BTreeMap::new();
        for step in steps {
            let before = book.clone();
            let outcome = match step {
                Step::Jump(seconds) => {
                    now += Duration::seconds(*seconds);
                    continue;
                }
                Step::Wait(seconds) => {
                    now += Duration::seconds(*seconds);
                    book.advance_to(now)
                }
                Step::Retry => {
                    let Some((command, actor)) = last_accepted.clone() else {
                        continue;
                    };
                    // What time did since is not the retry's doing: the shell catches up first.
                    let caught_up = book.advance_to(now);
                    let settled = book.clone();
                    let (_, outcome) = book.apply(command, &actor, now, &mut ids).unwrap();
                    prop_assert!(outcome.events.is_empty(), "a retry emits nothing");
                    prop_assert!(outcome.changed.is_empty(), "a retry changes nothing");
                    prop_assert_eq!(&book, &settled);
                    caught_up
                }
                _ => {
                    let (command, actor) = command(&book, step, &ids);
                    match book.apply(command.clone(), &actor, now, &mut ids) {
                        Ok((_, outcome)) => {
                            let retryable = matches!(
                                command,
                                Command::SendCancellation { .. }
                                    | Command::BatchCreateAdjustments { .. }
                            );
                            if retryable && !outcome.changed.is_empty() {
                                last_accepted = Some((command, actor));
                            }
                            outcome
                        }
                        Err(_) => {
                            prop_assert_eq!(&book, &before, "a refused command changes nothing");
                            check_indexes(&book)?;
                            continue;
                        }
                    }
                }
            };
            prop_assert!(
                outcome.events.windows(2).all(|w| w[0].time <= w[1].time),
                "an outcome's events are in time order"
            );
            prop_assert!(
                events
                    .last()
                    .zip(outcome.events.first())
                    .is_none_or(|(a, b)| a.time <= b.time),
                "nothing happens before what already happened"
            );
            events.extend(outcome.events);
            for (id, versioned) in &book.records {
                let old = &before.records[id];
                let changed = versioned.record != old.record;
                prop_assert_eq!(
                    changed,
                    outcome.changed.contains(&RecordKey::Agreement(id.clone())),
                    "changed lists exactly the changed records"
                );
                prop_assert_eq!(
                    changed,
                    versioned.version > old.version,
                    "a change bumps the version"
                );
                let record = &versioned.record;
                prop_assert!(record.check().is_ok(), "{:?}", record.check());
                for invoice in &record.invoices {
                    prop_assert!(invoice.refunded_minor <= invoice.charged_minor);
                }
                prop_assert!(
                    record
                        .requests
                        .iter()
                        .filter(|r| r.status.is_pending())
                        .count()
                        <= 1
                );
                for request in &record.requests {
                    if let Some(earlier) = settled.get(&request.id) {
                        prop_assert_eq!(earlier, request, "a settled request never changes again");
                    } else if !request.status.is_pending() {
                        settled.insert(request.id.clone(), request.clone());
                    }
                }
                let approved = record
                    .requests
                    .iter()
                    .any(|r| r.status == RequestStatus::Approved);
                prop_assert_eq!(
                    approved,
                    record.agreement.status == AgreementStatus::Cancelled
                );
            }
            prop_assert_eq!(
                book.records.next_due(),
                book.records
                    .values()
                    .filter_map(|v| v.record.next_due())
                    .min(),
                "the schedule follows the records"
            );
            check_indexes(&book)?;
        }
        Ok(Run { book, now, events })
    }

    /// Every index of the records holds exactly what a scan of the whole book finds.
    fn check_indexes(book: &Book) -> Result<(), TestCaseError> {
        let records = || book.records.values().map(|v| &v.record);
        let mut accounts: BTreeSet<AccountId> = records()
            .flat_map(|r| [r.agreement.seller.clone(), r.agreement.buyer.clone()])
            .collect();
        accounts.insert(AccountId::parse("999999999999").unwrap());
        for account in &accounts {
            let sold: Vec<_> = records()
                .filter(|r| &r.agreement.seller == account)
                .map(|r| &r.agreement.id)
                .collect();
            let bought: Vec<_> = records()
                .filter(|r| &r.agreement.buyer == account)
                .map(|r| &r.agreement.id)
                .collect();
            prop_assert_eq!(
                book.records.of_seller(account).iter().collect::<Vec<_>>(),
                sold
            );
            prop_assert_eq!(
                book.records.of_buyer(account).iter().collect::<Vec<_>>(),
                bought
            );
        }
        prop_assert!(book
            .records
            .indexes
            .by_seller
            .keys()
            .all(|a| accounts.contains(a)));
        prop_assert!(book
            .records
            .indexes
            .by_buyer
            .keys()
            .all(|a| accounts.contains(a)));
        let requests: BTreeSet<&RequestId> = records()
            .flat_map(|r| r.requests.iter().map(|q| &q.id))
            .collect();
        for request in &requests {
            let first = records()
                .find(|r| r.request(request).is_some())
                .map(|r| &r.agreement.id);
            prop_assert_eq!(book.records.with_request(request), first);
            let found = book
                .request_by_id(request)
                .map(|(r, q)| (&r.agreement.id, &q.id));
            prop_assert_eq!(found, first.map(|a| (a, *request)));
        }
        prop_assert_eq!(book.records.indexes.by_request.len(), requests.len());
        let scheduled: BTreeSet<(DateTime<Utc>, IdKey)> = records()
            .filter_map(|r| Some((r.next_due()?, IdKey::of(&r.agreement.id))))
            .collect();
        prop_assert_eq!(&book.records.indexes.schedule, &scheduled);
        for side in [Side::Acceptor, Side::Proposer] {
            let log_of = |party: Option<&AccountId>| {
                let mut log = LogIndex::default();
                for r in records().filter(|r| {
                    party.is_none_or(|p| &r.agreement.seller == p || &r.agreement.buyer == p)
                }) {
                    let mine: Vec<_> = r.events.iter().filter(|e| e.side() == side).collect();
                    if let Some(newest) = mine.iter().map(|e| e.time).max() {
                        log.newest
                            .insert((Reverse(newest), IdKey::of(&r.agreement.id)));
                        log.events += mine.len();
                    }
                }
                log
            };
            prop_assert_eq!(book.records.log_index(side, None), Some(&log_of(None)));
            for account in &accounts {
                let expected = log_of(Some(account));
                let expected = (!expected.newest.is_empty()).then_some(&expected);
                prop_assert_eq!(book.records.log_index(side, Some(account)), expected);
            }
            let slot = side_slot(side);
            prop_assert!(book.records.indexes.party_logs[slot]
                .keys()
                .all(|a| accounts.contains(a)));
        }
        Ok(())
    }

    /// How many events of `detail_type` name `id` (a request or an adjustment).
    fn count(events: &[BusEvent], detail_type: &str, id: &str) -> usize {
        events
            .iter()
            .filter(|e| e.detail_type == detail_type)
            .filter(|e| match &e.detail {
                events::Detail::Cancellation(d) => d.agreement_cancellation_request.id == id,
                events::Detail::Adjustment(d) => d.billing_adjustment_request.id == id,
            })
            .count()
    }

    proptest! {
        #[test]
        fn every_sequence_of_commands_keeps_the_rules_at_every_step(
            renewal in any::<bool>(),
            steps in proptest::collection::vec(step(), 0..40),
        ) {
            run(renewal, &steps)?;
        }

        #[test]
        fn every_change_has_exactly_one_event_on_each_side_that_should_see_it(
            renewal in any::<bool>(),
            steps in proptest::collection::vec(step(), 0..40),
        ) {
            let Run { book, events, .. } = run(renewal, &steps)?;
            let mut expected_total = 0;
            for record in book.records.values().map(|v| &v.record) {
                for r in &record.requests {
                    let id = r.id.as_str();
                    for side in ["Acceptor", "Proposer"] {
                        let pending = format!("Agreement Cancellation Request Pending Approval - {side}");
                        prop_assert_eq!(count(&events, &pending, id), 1);
                    }
                    let (kind, sides) = match r.status {
                        RequestStatus::PendingApproval => ("", 0),
                        RequestStatus::Approved => ("Approved", 2),
                        RequestStatus::Rejected => ("Rejected", 2),
                        RequestStatus::Cancelled => ("Cancelled", 2),
                        RequestStatus::ValidationFailed => ("Validation Failed", 1),
                    };
                    if sides > 0 {
                        let proposer = format!("Agreement Cancellation Request {kind} - Proposer");
                        let acceptor = format!("Agreement Cancellation Request {kind} - Acceptor");
                        prop_assert_eq!(count(&events, &proposer, id), 1);
                        prop_assert_eq!(count(&events, &acceptor, id), sides - 1);
                    }
                    expected_total += 2 + sides;
                }
                for a in &record.adjustments {
                    let id = a.id.as_str();
                    let (completed, failed) = match a.status {
                        AdjustmentStatus::Pending => (0, 0),
                        AdjustmentStatus::Completed => (2, 0),
                        AdjustmentStatus::ValidationFailed => (0, 1),
                    };
                    let named = |t: &str| count(&events, &format!("Purchase Agreement Billing Adjustment {t}"), id);
                    prop_assert_eq!(named("Completed - Acceptor") + named("Completed - Proposer"), completed);
                    prop_assert_eq!(named("Failed - Proposer"), failed);
                    expected_total += completed + failed;
                }
                prop_assert!(record.events.iter().all(|e| e.agreement_id() == record.agreement.id.as_str()));
            }
            prop_assert_eq!(events.len(), expected_total, "no other event");
            let kept: usize = book.records.values().map(|v| v.record.events.len()).sum();
            prop_assert_eq!(kept, events.len(), "each record keeps its own events");
            for versioned in book.records.values() {
                let mut emitted: Vec<&BusEvent> = events
                    .iter()
                    .filter(|e| e.agreement_id() == versioned.record.agreement.id.as_str())
                    .collect();
                emitted.sort_by_key(|e| e.time);
                let kept: Vec<&BusEvent> = versioned.record.events.iter().collect();
                prop_assert_eq!(kept, emitted, "a record's events are the ones its commands emitted");
                let stored = serde_json::to_string(&versioned.record).unwrap();
                prop_assert!(!stored.contains("detail-type"), "events are not stored");
                let read: AgreementRecord = serde_json::from_str(&stored).unwrap();
                prop_assert_eq!(&read, &versioned.record, "reading a record rebuilds its events");
            }
        }

        #[test]
        fn one_jump_of_time_gives_the_same_state_and_events_as_many_small_steps(
            renewal in any::<bool>(),
            steps in proptest::collection::vec(step(), 0..20),
            hops in proptest::collection::vec(1i64..200_000, 1..12),
        ) {
            let Run { book: mut a, now, .. } = run(renewal, &steps)?;
            let mut b = a.clone();
            let end = now + Duration::seconds(hops.iter().sum());
            let jumped = a.advance_to(end).events;
            let mut stepped = Vec::new();
            let mut at = now;
            for hop in hops {
                at += Duration::seconds(hop);
                stepped.extend(b.advance_to(at).events);
            }
            prop_assert_eq!(jumped, stepped);
            let contents = |book: &Book| book.records.values().map(|v| v.record.clone()).collect::<Vec<_>>();
            prop_assert_eq!(contents(&a), contents(&b));
        }
    }

    /// The log pages one after the other, as a person paging through them sees it.
    fn every_page<'a>(
        book: &'a Book,
        side: Side,
        party: Option<&AccountId>,
        agreement: Option<&AgreementId>,
    ) -> Vec<Page<&'a BusEvent>> {
        let first = book.log_page(side, party, agreement, 0);
        (0..first.pages)
            .map(|page| book.log_page(side, party, agreement, page))
            .collect()
    }

    #[test]
    fn a_log_page_holds_fifty_events_newest_first_and_the_last_page_the_rest() {
        let book = crate::demo::scale_book(23, t(0), &mut SequentialIds::default());
        let whole = book.log(Side::Proposer, None, None);
        assert!(whole.len() > 2 * PAGE_MAX && !whole.len().is_multiple_of(PAGE_MAX));
        let pages = every_page(&book, Side::Proposer, None, None);
        assert_eq!(pages.len(), whole.len().div_ceil(PAGE_MAX));
        for (n, page) in pages.iter().enumerate() {
            assert_eq!(
                (page.page, page.pages, page.total),
                (n, pages.len(), whole.len())
            );
        }
        assert!(pages[..pages.len() - 1]
            .iter()
            .all(|p| p.items.len() == PAGE_MAX));
        assert_eq!(
            pages.last().unwrap().items.len(),
            whole.len() % PAGE_MAX,
            "the last page holds the rest"
        );
        let paged: Vec<&BusEvent> = pages.into_iter().flat_map(|p| p.items).collect();
        assert!(paged.windows(2).all(|w| w[0].time >= w[1].time));
        assert!(paged.iter().all(|e| e.side() == Side::Proposer));
        assert_eq!(paged, whole);
        let past_the_end = book.log_page(Side::Proposer, None, None, 1_000);
        assert_eq!(
            past_the_end,
            book.log_page(Side::Proposer, None, None, whole.len() / PAGE_MAX)
        );
    }

    #[test]
    fn the_log_of_one_agreement_or_one_party_holds_only_theirs() {
        let book = crate::demo::demo_book(t(0));
        let (id, buyer) = book
            .records
            .values()
            .map(|v| &v.record.agreement)
            .find(|a| book.records[&a.id].record.events.len() > 2)
            .map(|a| (a.id.clone(), a.buyer.clone()))
            .unwrap();
        let of_one = book.log_page(Side::Acceptor, None, Some(&id), 0);
        assert!(of_one.total > 0);
        assert!(of_one.items.iter().all(|e| e.agreement_id() == id.as_str()));
        assert_eq!(of_one.items, book.log(Side::Acceptor, None, Some(&id)));

        let of_buyer = book.log(Side::Proposer, Some(&buyer), None);
        assert!(!of_buyer.is_empty());
        assert!(of_buyer.iter().all(|e| book.records
            [&AgreementId::parse(e.agreement_id()).unwrap()]
            .record
            .agreement
            .buyer
            == buyer));
        let nobody = AccountId::parse("999999999999").unwrap();
        let empty = book.log_page(Side::Proposer, Some(&nobody), None, 3);
        assert_eq!(
            (empty.items.len(), empty.total, empty.page, empty.pages),
            (0, 0, 0, 1)
        );
        let unknown = AgreementId::parse("agmt-none").unwrap();
        assert_eq!(
            book.log_page(Side::Proposer, None, Some(&unknown), 0).total,
            0
        );
    }

    /// Which part of a book a log looks at.
    #[derive(Debug, Clone)]
    enum LogFilter {
        All,
        /// The seller or buyer at this place in the directory.
        Party(bool, usize),
        /// The agreement at this place in ID order.
        Agreement(usize),
    }

    fn log_filter() -> impl Strategy<Value = LogFilter> {
        prop_oneof![
            Just(LogFilter::All),
            (any::<bool>(), 0usize..8).prop_map(|(s, n)| LogFilter::Party(s, n)),
            (0usize..64).prop_map(LogFilter::Agreement),
        ]
    }

    /// Every page of the log is the matching slice of the whole log sorted at once, and
    /// the whole log is every matching event, newest first.
    fn check_log(book: &Book, side: Side, filter: &LogFilter) -> Result<(), TestCaseError> {
        let (party, agreement) = match filter {
            LogFilter::All => (None, None),
            LogFilter::Party(seller, n) => {
                let parties = if *seller {
                    &book.directory.sellers
                } else {
                    &book.directory.buyers
                };
                (parties.get(*n).map(|p| p.account.clone()), None)
            }
            LogFilter::Agreement(n) => (None, book.records.keys().nth(*n).cloned()),
        };
        let whole = book.log(side, party.as_ref(), agreement.as_ref());
        let mut expected: Vec<&BusEvent> = book
            .records
            .values()
            .map(|v| &v.record)
            .filter(|r| agreement.as_ref().is_none_or(|a| &r.agreement.id == a))
            .filter(|r| {
                party
                    .as_ref()
                    .is_none_or(|p| &r.agreement.seller == p || &r.agreement.buyer == p)
            })
            .flat_map(|r| r.events.iter().filter(|e| e.side() == side))
            .collect();
        prop_assert!(whole.windows(2).all(|w| w[0].time >= w[1].time));
        let mut sorted = whole.clone();
        let by_id = |e: &&BusEvent| e.id.clone();
        sorted.sort_by_key(by_id);
        expected.sort_by_key(by_id);
        prop_assert_eq!(sorted, expected, "the log holds every matching event once");
        let pages = every_page(book, side, party.as_ref(), agreement.as_ref());
        for (page, chunk) in pages.iter().zip(whole.chunks(PAGE_MAX)) {
            prop_assert_eq!(page.total, whole.len());
            prop_assert_eq!(&page.items[..], chunk);
        }
        prop_assert_eq!(pages.len(), whole.len().div_ceil(PAGE_MAX).max(1));
        Ok(())
    }

    fn side() -> impl Strategy<Value = Side> {
        prop_oneof![Just(Side::Proposer), Just(Side::Acceptor)]
    }

    /// What happens to a book with many parties: commands, time, and what storage does.
    #[derive(Debug, Clone)]
    enum Change {
        /// The seller withdraws, or the buyer accepts or rejects, the pending request of the
        /// agreement at this place in ID order, or the seller sends a new one.
        Command(usize, u8),
        Wait(i64),
        /// Another tab deleted the record at this place, or it was archived.
        Remove(usize),
        /// Another tab wrote a record at this place, now between these parties (by their
        /// place among every account of the book; the same one can be both).
        Moved(usize, usize, usize),
        /// Another tab wrote the record at this place as it was at the start.
        Older(usize),
    }

    fn change() -> impl Strategy<Value = Change> {
        prop_oneof![
            (0usize..64, 0u8..4).prop_map(|(n, c)| Change::Command(n, c)),
            (0i64..200).prop_map(|h| Change::Wait(h * 3_600)),
            (0usize..64).prop_map(Change::Remove),
            (0usize..64, 0usize..16, 0usize..16).prop_map(|(n, s, b)| Change::Moved(n, s, b)),
            (0usize..64).prop_map(Change::Older),
        ]
    }

    /// Runs `changes` on the demo book of `seed`, checking the indexes after each one.
    fn changed_book(seed: u64, changes: &[Change]) -> Result<Book, TestCaseError> {
        let start = crate::demo::demo_book_from_seed(seed, t(0));
        let accounts: Vec<AccountId> = start
            .directory
            .sellers
            .iter()
            .chain(&start.directory.buyers)
            .map(|p| p.account.clone())
            .collect();
        let mut book = start.clone();
        let mut ids = SequentialIds::starting_at(1_000_000);
        let mut now = t(0);
        check_indexes(&book)?;
        for change in changes {
            let nth = |book: &Book, n: usize| {
                let len = book.records.len().max(1);
                book.records.keys().nth(n % len).cloned()
            };
            match *change {
                Change::Command(n, c) => {
                    let Some(id) = nth(&book, n) else { continue };
                    let record = book.record(&id).unwrap();
                    let (seller, buyer) = (
                        Actor::Seller(record.agreement.seller.clone()),
                        Actor::Buyer(record.agreement.buyer.clone()),
                    );
                    let pending = record.pending_request().map(|r| r.id.clone());
                    let (command, actor) = match (pending, c) {
                        (None, _) => {
                            let mut command = send(&format!("change-{}", ids.next));
                            if let Command::SendCancellation { agreement_id, .. } = &mut command {
                                *agreement_id = id;
                            }
                            (command, seller)
                        }
                        (Some(request_id), 0) => (
                            Command::AcceptCancellation {
                                agreement_id: id,
                                request_id,
                            },
                            buyer,
                        ),
                        (Some(request_id), 1) => (
                            Command::RejectCancellation {
                                agreement_id: id,
                                request_id,
                                reason: "Still needed".into(),
                            },
                            buyer,
                        ),
                        (Some(request_id), _) => (
                            Command::WithdrawCancellation {
                                agreement_id: id,
                                request_id,
                                reason: "Mistake".into(),
                            },
                            seller,
                        ),
                    };
                    let _ = book.apply(command, &actor, now, &mut ids);
                }
                Change::Wait(seconds) => {
                    now += Duration::seconds(seconds);
                    book.advance_to(now);
                }
                Change::Remove(n) => {
                    if let Some(id) = nth(&book, n) {
                        book.records.remove(&id);
                    }
                }
                Change::Moved(n, s, b) => {
                    let Some(id) = nth(&start, n) else { continue };
                    let mut versioned = start.records[&id].clone();
                    versioned.record.agreement.seller = accounts[s % accounts.len()].clone();
                    versioned.record.agreement.buyer = accounts[b % accounts.len()].clone();
                    versioned.version += 100;
                    book.replace(versioned);
                }
                Change::Older(n) => {
                    if let Some(id) = nth(&start, n) {
                        book.replace(start.records[&id].clone());
                    }
                }
            }
            check_indexes(&book)?;
        }
        Ok(book)
    }

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
        fn the_indexes_hold_what_a_scan_finds_after_any_commands_and_storage_writes(
            seed in any::<u64>(),
            changes in proptest::collection::vec(change(), 0..30),
            side in side(),
            filter in log_filter(),
            page in 0usize..3,
        ) {
            let book = changed_book(seed, &changes)?;
            check_log(&book, side, &filter)?;
            let mut parties: Vec<AccountId> = book
                .records
                .values()
                .flat_map(|v| [v.record.agreement.seller.clone(), v.record.agreement.buyer.clone()])
                .collect();
            parties.push(AccountId::parse("999999999999").unwrap());
            for party in &parties {
                let filters = [
                    Filter { seller: Some(party.clone()), ..Default::default() },
                    Filter { buyer_id: Some(format!(" {party} ")), ..Default::default() },
                    Filter {
                        seller: Some(party.clone()),
                        buyer_id: Some(parties[0].to_string()),
                        ..Default::default()
                    },
                ];
                for filter in &filters {
                    let scanned: Vec<_> = book
                        .records
                        .values()
                        .map(|v| &v.record)
                        .filter(|r| filter.matches(r, &book.directory))
                        .collect();
                    prop_assert_eq!(book.find(filter, page), Page::of(scanned, page));
                }
                let sold = book.agreements_of_seller(party, page);
                prop_assert_eq!(&sold, &book.find(&filters[0], page));
                let bought = book.agreements_of_buyer(party, page);
                prop_assert_eq!(&bought, &book.find(&filters[1], page));
            }
        }
    }

    proptest! {
        #[test]
        fn a_page_of_the_log_is_that_page_of_the_whole_log_sorted(
            seed in any::<u64>(),
            hours in prop_oneof![Just(0i64), 0i64..400],
            side in side(),
            filter in log_filter(),
        ) {
            let mut book = crate::demo::demo_book_from_seed(seed, t(0));
            book.advance_to(t(hours));
            check_log(&book, side, &filter)?;
        }

        #[test]
        fn the_log_pages_through_the_events_of_any_sequence_of_commands(
            renewal in any::<bool>(),
            steps in proptest::collection::vec(step(), 0..40),
            side in side(),
            filter in log_filter(),
        ) {
            let Run { book, .. } = run(renewal, &steps)?;
            check_log(&book, side, &filter)?;
        }
    }
}
