//! The whole state of the marketplace: who is who, and one record per agreement holding its
//! invoices, cancellation requests, billing adjustments, events and command history. Every
//! change goes through `Book::apply` or `Book::advance_to`, which say which records changed
//! so that storage writes only those, and bump each changed record's version so that two
//! tabs can compare-and-set instead of overwriting each other.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::adjustment::{
    self, AdjustmentEntry, AdjustmentStatus, BatchErrorCode, BillingAdjustment, EntryError,
    EntryField, Invoice, BATCH_MAX,
};
use crate::cancellation::{
    self, AdditionalDetails, CancellationError, CancellationReasonCode, CancellationRequest,
    RequestStatus,
};
use crate::events::{self, BusEvent, EventKind, Side};
use crate::families::alibaba::{AlibabaError, AlibabaOrder, AlibabaRefund};
use crate::families::devpay::{DevPayCancellation, DevPayError, DevPaySubscription};
use crate::families::fps::{FpsCall, FpsError, FpsResult, FpsSubscription};
use crate::families::support_case::{FormError, RefundForm, SupportCase};
use crate::ids::{
    AccountId, AdjustmentId, AgreementId, ClientToken, IdSource, OfferId, ProductId, RequestId,
};
use crate::money::Money;

pub const PAGE_MAX: usize = 50;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub account: AccountId,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub id: ProductId,
    pub name: String,
    pub seller: AccountId,
}

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
    pub fn seller(&self, account: &AccountId) -> Option<&Party> {
        self.sellers.iter().find(|p| &p.account == account)
    }

    pub fn buyer(&self, account: &AccountId) -> Option<&Party> {
        self.buyers.iter().find(|p| &p.account == account)
    }

    pub fn product(&self, id: &ProductId) -> Option<&Product> {
        self.products.iter().find(|p| &p.id == id)
    }

    pub fn offer(&self, id: &OfferId) -> Option<&Offer> {
        self.offers.iter().find(|o| &o.id == id)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AgreementStatus {
    Active,
    Cancelled,
    Expired,
    Replaced,
    Terminated,
}

impl AgreementStatus {
    pub const ALL: [AgreementStatus; 5] = [
        Self::Active,
        Self::Cancelled,
        Self::Expired,
        Self::Replaced,
        Self::Terminated,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Cancelled => "Cancelled",
            Self::Expired => "Expired",
            Self::Replaced => "Replaced",
            Self::Terminated => "Terminated",
        }
    }
}

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgreementRecord {
    pub agreement: Agreement,
    pub invoices: Vec<Invoice>,
    pub requests: Vec<CancellationRequest>,
    pub adjustments: Vec<BillingAdjustment>,
    pub events: Vec<BusEvent>,
    pub history: Vec<HistoryEntry>,
}

impl AgreementRecord {
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

    pub fn pending_request(&self) -> Option<&CancellationRequest> {
        self.requests.iter().find(|r| r.status.is_pending())
    }

    pub fn latest_request(&self) -> Option<&CancellationRequest> {
        self.requests.iter().max_by_key(|r| r.created_at)
    }

    pub fn request(&self, id: &RequestId) -> Option<&CancellationRequest> {
        self.requests.iter().find(|r| &r.id == id)
    }

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

    fn log(&mut self, at: DateTime<Utc>, actor: &Actor, action: &str, reason: &str) {
        self.history.push(HistoryEntry {
            at,
            actor: actor.clone(),
            action: action.into(),
            reason: reason.into(),
        });
    }
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
}

/// A batch's result as BatchCreateBillingAdjustmentRequest returns it: each entry created
/// or refused on its own, in the order sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchResult {
    pub entries: Vec<BatchEntryResult>,
}

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reply {
    /// The request now in force: new, or the earlier one for a repeated client token.
    Request(RequestId),
    Batch(BatchResult),
    Done,
}

/// What a command or the passing of time did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// In time order.
    pub events: Vec<BusEvent>,
    /// The records whose content changed, for storage to write.
    pub changed: BTreeSet<AgreementId>,
}

impl Outcome {
    fn merge(&mut self, other: Outcome) {
        self.events.extend(other.events);
        self.changed.extend(other.changed);
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

/// The marketplace, and the records of the other billing families.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Book {
    pub directory: Directory,
    pub records: BTreeMap<AgreementId, Versioned<AgreementRecord>>,
    pub fps: BTreeMap<String, Versioned<FpsSubscription>>,
    pub devpay: BTreeMap<String, Versioned<DevPaySubscription>>,
    pub alibaba: BTreeMap<String, Versioned<AlibabaOrder>>,
    pub support_cases: BTreeMap<String, Versioned<SupportCase>>,
}

fn versioned_mut<'a, T>(
    map: &'a mut BTreeMap<String, Versioned<T>>,
    what: &'static str,
    id: &str,
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

impl Book {
    /// Amazon FPS CancelSubscriptionAndRefund, by the subscription's seller.
    pub fn fps_cancel_and_refund(
        &mut self,
        id: &str,
        seller: &AccountId,
        call: &FpsCall,
        now: DateTime<Utc>,
        ids: &mut dyn IdSource,
    ) -> Result<FpsResult, DomainError> {
        let versioned = versioned_mut(&mut self.fps, "FPS subscription", id)?;
        if &versioned.record.seller != seller {
            return Err(DomainError::NotTheSeller);
        }
        change(versioned, |s| s.cancel_and_refund(call, now, ids))
    }

    /// A DevPay customer cancels; a seller trying is refused with the way to do it.
    pub fn devpay_cancel(
        &mut self,
        id: &str,
        by: &AccountId,
        now: DateTime<Utc>,
    ) -> Result<DevPayCancellation, DomainError> {
        let versioned = versioned_mut(&mut self.devpay, "DevPay subscription", id)?;
        change(versioned, |s| s.cancel(by, now))
    }

    /// An Alibaba Cloud buyer unsubscribes.
    pub fn alibaba_unsubscribe(
        &mut self,
        id: &str,
        buyer: &AccountId,
        now: DateTime<Utc>,
        confirm_data_deletion: bool,
    ) -> Result<AlibabaRefund, DomainError> {
        let versioned = versioned_mut(&mut self.alibaba, "Alibaba Cloud order", id)?;
        if &versioned.record.buyer != buyer {
            return Err(DomainError::NotTheBuyer);
        }
        change(versioned, |o| o.unsubscribe(now, confirm_data_deletion))
    }

    /// The legacy "Request refund" form: opens a support case at once.
    pub fn open_support_case(
        &mut self,
        seller: &AccountId,
        form: &RefundForm,
        now: DateTime<Utc>,
        ids: &mut dyn IdSource,
    ) -> Result<String, DomainError> {
        let digits: String = ids
            .next_suffix()
            .bytes()
            .map(|b| char::from(b'0' + b % 10))
            .collect();
        let case = SupportCase::open(seller.clone(), form, format!("case-{digits}"), now)?;
        let id = case.id.clone();
        self.support_cases.insert(
            id.clone(),
            Versioned {
                version: 1,
                record: case,
            },
        );
        Ok(id)
    }

    pub fn reply_to_support_case(
        &mut self,
        id: &str,
        seller: &AccountId,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        let versioned = versioned_mut(&mut self.support_cases, "support case", id)?;
        if &versioned.record.seller != seller {
            return Err(DomainError::NotTheSeller);
        }
        change(versioned, |c| c.reply(text, now))
    }
}

impl Book {
    pub fn record(&self, id: &AgreementId) -> Option<&AgreementRecord> {
        self.records.get(id).map(|v| &v.record)
    }

    pub fn version(&self, id: &AgreementId) -> Option<u64> {
        self.records.get(id).map(|v| v.version)
    }

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

    /// Applies a command at `now`, after first letting time run up to `now`.
    pub fn apply(
        &mut self,
        command: Command,
        actor: &Actor,
        now: DateTime<Utc>,
        ids: &mut dyn IdSource,
    ) -> Result<(Reply, Outcome), DomainError> {
        let mut outcome = self.advance_to(now, ids);
        let (reply, id, events) = match command {
            Command::BatchCreateAdjustments { entries } => {
                let (agreement_id, result) = self.batch(entries, actor, now, ids)?;
                (Reply::Batch(result), agreement_id, Vec::new())
            }
            other => self.cancellation_command(other, actor, now, ids)?,
        };
        if let Some(id) = id {
            if let Some(versioned) = self.records.get_mut(&id) {
                versioned.record.events.extend(events.iter().cloned());
                versioned.version += 1;
            }
            outcome.changed.insert(id);
        }
        outcome.events.extend(events);
        Ok((reply, outcome))
    }

    fn record_mut(&mut self, id: &AgreementId) -> Result<&mut AgreementRecord, DomainError> {
        self.records
            .get_mut(id)
            .map(|v| &mut v.record)
            .ok_or_else(|| DomainError::AgreementNotFound(id.clone()))
    }

    /// Runs a cancellation command on a copy of the record, so that a refusal changes nothing.
    fn cancellation_command(
        &mut self,
        command: Command,
        actor: &Actor,
        now: DateTime<Utc>,
        ids: &mut dyn IdSource,
    ) -> Result<(Reply, Option<AgreementId>, Vec<BusEvent>), DomainError> {
        let agreement_id = match &command {
            Command::SendCancellation { agreement_id, .. }
            | Command::AcceptCancellation { agreement_id, .. }
            | Command::RejectCancellation { agreement_id, .. }
            | Command::WithdrawCancellation { agreement_id, .. } => agreement_id.clone(),
            Command::BatchCreateAdjustments { .. } => unreachable!("batches are handled apart"),
        };
        let mut record = self.record_mut(&agreement_id)?.clone();
        let is_seller = matches!(actor, Actor::Seller(a) if *a == record.agreement.seller);
        let is_buyer = matches!(actor, Actor::Buyer(a) if *a == record.agreement.buyer);
        let (reply, kind, request_id) = match command {
            Command::SendCancellation {
                reason_code,
                description,
                details,
                client_token,
                ..
            } => {
                if !is_seller {
                    return Err(DomainError::NotTheSeller);
                }
                if let Some(earlier) = record
                    .requests
                    .iter()
                    .find(|r| r.client_token == client_token)
                {
                    return Ok((Reply::Request(earlier.id.clone()), None, Vec::new()));
                }
                if record.agreement.status != AgreementStatus::Active {
                    return Err(DomainError::NotActive(record.agreement.status));
                }
                if let Some(pending) = record.pending_request() {
                    return Err(DomainError::AlreadyPending(pending.id.clone()));
                }
                let checked = cancellation::check_request(reason_code, &description, details)?;
                let mut request = CancellationRequest {
                    id: ids.request_id(),
                    agreement_id: agreement_id.clone(),
                    reason_code: checked.reason_code,
                    description: checked.description,
                    details: checked.details,
                    client_token,
                    status: RequestStatus::PendingApproval,
                    status_message: String::new(),
                    decided_by: None,
                    created_at: now,
                    updated_at: now,
                };
                record.log(
                    now,
                    actor,
                    "Sent a cancellation request",
                    &request.description,
                );
                // An agreement that has already run out has nothing left to cancel: AWS
                // records such a request and fails it, telling only the seller.
                let kind = match record.agreement.end {
                    Some(end) if end <= now => {
                        let why = format!(
                            "The agreement ended on {}, so there is nothing left to cancel.",
                            end.format("%Y-%m-%d")
                        );
                        request.fail_validation(why.clone(), now);
                        record.log(
                            now,
                            &Actor::System,
                            "Failed the cancellation request's validation",
                            &why,
                        );
                        EventKind::CancellationValidationFailed
                    }
                    _ => EventKind::CancellationPendingApproval,
                };
                let id = request.id.clone();
                record.requests.push(request);
                (Reply::Request(id.clone()), kind, id)
            }
            Command::AcceptCancellation { request_id, .. } => {
                if !is_buyer {
                    return Err(DomainError::NotTheBuyer);
                }
                let request = find_request(&mut record, &request_id)?;
                request.accept(now)?;
                record.agreement.status = AgreementStatus::Cancelled;
                record.log(now, actor, "Approved the cancellation request", "");
                (Reply::Done, EventKind::CancellationApproved, request_id)
            }
            Command::RejectCancellation {
                request_id, reason, ..
            } => {
                if !is_buyer {
                    return Err(DomainError::NotTheBuyer);
                }
                find_request(&mut record, &request_id)?.reject(&reason, now)?;
                record.log(now, actor, "Rejected the cancellation request", &reason);
                (Reply::Done, EventKind::CancellationRejected, request_id)
            }
            Command::WithdrawCancellation {
                request_id, reason, ..
            } => {
                if !is_seller {
                    return Err(DomainError::NotTheSeller);
                }
                find_request(&mut record, &request_id)?.withdraw(&reason, now)?;
                record.log(now, actor, "Withdrew the cancellation request", &reason);
                (Reply::Done, EventKind::CancellationCancelled, request_id)
            }
            Command::BatchCreateAdjustments { .. } => unreachable!("batches are handled apart"),
        };
        let request = record
            .request(&request_id)
            .expect("the request just handled");
        let events = events::cancellation_events(kind, &record.agreement, request, ids);
        *self.record_mut(&agreement_id)? = record;
        Ok((reply, Some(agreement_id), events))
    }

    fn batch(
        &mut self,
        entries: Vec<AdjustmentEntry>,
        actor: &Actor,
        now: DateTime<Utc>,
        ids: &mut dyn IdSource,
    ) -> Result<(Option<AgreementId>, BatchResult), DomainError> {
        if entries.is_empty() || entries.len() > BATCH_MAX {
            return Err(DomainError::BatchSize(entries.len()));
        }
        let first = entries[0].agreement_id.trim();
        if entries.iter().any(|e| e.agreement_id.trim() != first) {
            return Err(DomainError::MixedAgreements);
        }
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
        let not_found = |field, message: String| EntryError {
            code: BatchErrorCode::ResourceNotFoundException,
            message,
            field,
        };
        let record = self
            .records
            .get_mut(&checked.agreement_id)
            .map(|v| &mut v.record)
            .ok_or_else(|| {
                not_found(
                    EntryField::Agreement,
                    format!("There is no agreement {}.", checked.agreement_id),
                )
            })?;
        if !matches!(actor, Actor::Seller(a) if *a == record.agreement.seller) {
            return Err(EntryError {
                code: BatchErrorCode::ValidationException,
                message: "Only the seller of this agreement can refund it.".into(),
                field: EntryField::Agreement,
            });
        }
        if let Some(earlier) = record
            .adjustments
            .iter()
            .find(|a| a.client_token == checked.client_token)
        {
            let same = earlier.invoice_id == checked.invoice_id
                && entry.currency == earlier.amount.currency.code()
                && Money::parse_positive(&checked.amount_text, earlier.amount.currency)
                    == Ok(earlier.amount);
            return if same {
                Ok((checked.agreement_id, earlier.id.clone(), false))
            } else {
                Err(EntryError {
                    code: BatchErrorCode::ConflictException,
                    message: format!(
                        "Client token {} was already used for a different adjustment ({}).",
                        checked.client_token, earlier.id
                    ),
                    field: EntryField::ClientToken,
                })
            };
        }
        let invoice = record.invoice(checked.invoice_id.as_str()).ok_or_else(|| {
            not_found(
                EntryField::Invoice,
                format!(
                    "Agreement {} has no invoice {}.",
                    checked.agreement_id, checked.invoice_id
                ),
            )
        })?;
        let pending = record.pending_refund_minor(invoice.id.as_str());
        let amount =
            adjustment::check_amount(&checked.amount_text, &entry.currency, invoice, pending)?;
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
        record.log(now, actor, &action, &created.description);
        let id = created.id.clone();
        record.adjustments.push(created);
        Ok((checked.agreement_id, id, true))
    }

    /// Lets time run up to `now`: every request still pending at its deadline is approved
    /// at the deadline, every adjustment due is processed at its due time. Returns what
    /// happened, in time order, however far `now` jumps.
    pub fn advance_to(&mut self, now: DateTime<Utc>, ids: &mut dyn IdSource) -> Outcome {
        let mut due: Vec<(DateTime<Utc>, AgreementId, Due)> = Vec::new();
        for (id, versioned) in &self.records {
            let record = &versioned.record;
            if let Some(r) = record.pending_request() {
                if r.deadline() <= now {
                    due.push((r.deadline(), id.clone(), Due::Request(r.id.clone())));
                }
            }
            for a in &record.adjustments {
                if a.status == AdjustmentStatus::Pending && a.due_at() <= now {
                    due.push((a.due_at(), id.clone(), Due::Adjustment(a.id.clone())));
                }
            }
        }
        due.sort();
        let mut outcome = Outcome::default();
        for (_, agreement_id, item) in due {
            let versioned = self
                .records
                .get_mut(&agreement_id)
                .expect("collected above");
            let record = &mut versioned.record;
            let events = match item {
                Due::Request(request_id) => {
                    let request = record
                        .requests
                        .iter_mut()
                        .find(|r| r.id == request_id)
                        .expect("collected above");
                    if !request.auto_approve_by(now) {
                        continue;
                    }
                    let request = request.clone();
                    record.agreement.status = AgreementStatus::Cancelled;
                    record.log(
                        request.updated_at,
                        &Actor::System,
                        "Approved the cancellation request automatically: the buyer did not answer within 7 days",
                        "",
                    );
                    events::cancellation_events(
                        EventKind::CancellationApproved,
                        &record.agreement,
                        &request,
                        ids,
                    )
                }
                Due::Adjustment(adjustment_id) => {
                    let position = record
                        .adjustments
                        .iter()
                        .position(|a| a.id == adjustment_id)
                        .expect("collected above");
                    let invoice_id = record.adjustments[position].invoice_id.clone();
                    let invoice = record
                        .invoices
                        .iter_mut()
                        .find(|i| i.id == invoice_id)
                        .expect("checked on create");
                    adjustment::process(&mut record.adjustments[position], invoice);
                    let processed = record.adjustments[position].clone();
                    let (kind, action) = match processed.status {
                        AdjustmentStatus::Completed => (
                            EventKind::AdjustmentCompleted,
                            "Completed the billing adjustment",
                        ),
                        _ => (EventKind::AdjustmentFailed, "Failed the billing adjustment"),
                    };
                    let action = format!("{action} {}", processed.id);
                    record.log(
                        processed.updated_at,
                        &Actor::System,
                        &action,
                        &processed.status_message,
                    );
                    events::adjustment_events(kind, &record.agreement, &processed, ids)
                }
            };
            record.events.extend(events.iter().cloned());
            versioned.version += 1;
            outcome.merge(Outcome {
                events,
                changed: BTreeSet::from([agreement_id]),
            });
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
        let items: Vec<_> = self
            .records
            .values()
            .map(|v| &v.record)
            .filter(|r| filter.matches(r, &self.directory))
            .collect();
        Page::of(items, page)
    }

    /// Every event of one side, newest first, optionally of one agreement.
    pub fn log(
        &self,
        side: Side,
        account: Option<&AccountId>,
        agreement: Option<&AgreementId>,
    ) -> Vec<&BusEvent> {
        let mut events: Vec<&BusEvent> = self
            .records
            .values()
            .filter(|v| agreement.is_none_or(|a| &v.record.agreement.id == a))
            .flat_map(|v| v.record.events.iter())
            .filter(|e| e.side() == side && account.is_none_or(|a| &e.account == a))
            .collect();
        events.sort_by_key(|e| std::cmp::Reverse(e.time));
        events
    }
}

fn find_request<'a>(
    record: &'a mut AgreementRecord,
    id: &RequestId,
) -> Result<&'a mut CancellationRequest, DomainError> {
    record
        .requests
        .iter_mut()
        .find(|r| &r.id == id)
        .ok_or_else(|| DomainError::RequestNotFound(id.clone()))
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Due {
    Request(RequestId),
    Adjustment(AdjustmentId),
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
        let text = |f: &Option<String>| {
            f.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        text(&self.buyer_id).is_none_or(|b| a.buyer.as_str() == b)
            && text(&self.offer_id).is_none_or(|o| a.offer.as_str() == o)
            && text(&self.product).is_none_or(|p| {
                a.product.as_str() == p
                    || directory
                        .product(&a.product)
                        .is_some_and(|prod| prod.name.to_lowercase().contains(&p.to_lowercase()))
            })
            && self.status.is_none_or(|s| a.status == s)
            && self.seller.as_ref().is_none_or(|s| &a.seller == s)
    }
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
        assert_eq!(outcome.changed, BTreeSet::from([id()]));
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
        assert!(book.advance_to(t(167), &mut ids).events.is_empty());
        let outcome = book.advance_to(t(24 * 30), &mut ids);
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
    fn a_buyer_answering_after_the_deadline_meets_the_auto_approval() {
        let mut book = book();
        let mut ids = SequentialIds::default();
        let request_id = sent(&mut book, &mut ids);
        let reject = Command::RejectCancellation {
            agreement_id: id(),
            request_id,
            reason: "We still need it".into(),
        };
        let error = book
            .apply(reject, &Actor::Buyer(buyer()), t(200), &mut ids)
            .unwrap_err();
        assert!(error.to_string().contains("already approved"));
        assert_eq!(book.record(&id()).unwrap().requests[0].updated_at, t(168));
    }

    #[test]
    fn a_request_on_an_agreement_that_has_ended_fails_validation_for_the_seller_only() {
        let mut book = book();
        let mut ids = SequentialIds::default();
        book.records.get_mut(&id()).unwrap().record.agreement.end = Some(t(-1));
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
            ["Agreement Cancellation Request Validation Failed - Proposer"]
        );
        let request = &book.record(&id()).unwrap().requests[0];
        assert_eq!(request.status, RequestStatus::ValidationFailed);
        assert!(request.status_message.contains("ended"));
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
        let outcome = book.advance_to(t(1), &mut ids);
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
        assert!(matches!(
            book.fps_cancel_and_refund(&id, &fps_seller, &cancel_only, now, &mut ids),
            Err(DomainError::Fps(_))
        ));
        assert_eq!(book, before);
        let refund = FpsCall {
            refund: Some("1.00".into()),
            caller_reference: "ref-1".into(),
            ..FpsCall::default()
        };
        book.fps_cancel_and_refund(&id, &fps_seller, &refund, now, &mut ids)
            .unwrap();
        assert_eq!(book.fps[&id].version, 2);
        let (devpay_id, devpay) = book.devpay.iter().next().unwrap();
        let (devpay_id, devpay_seller) = (devpay_id.clone(), devpay.record.seller.clone());
        assert!(matches!(
            book.devpay_cancel(&devpay_id, &devpay_seller, now),
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
        assert_eq!(
            book.alibaba_unsubscribe(&order_id, &stranger, now, true),
            Err(DomainError::NotTheBuyer)
        );
    }

    #[derive(Debug, Clone)]
    enum Step {
        Send(u8),
        Accept,
        Reject,
        Withdraw,
        Refund(u8, u32),
        Wait(u16),
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (0u8..4).prop_map(Step::Send),
            Just(Step::Accept),
            Just(Step::Reject),
            Just(Step::Withdraw),
            (0u8..2, 1u32..80_000).prop_map(|(i, a)| Step::Refund(i, a)),
            (0u16..400).prop_map(Step::Wait),
        ]
    }

    fn run(
        book: &mut Book,
        steps: &[Step],
        ids: &mut SequentialIds,
    ) -> (Vec<BusEvent>, DateTime<Utc>) {
        let mut now = t(0);
        let mut events = Vec::new();
        for s in steps {
            let pending = book
                .record(&id())
                .unwrap()
                .pending_request()
                .map(|r| r.id.clone());
            let any = book
                .record(&id())
                .unwrap()
                .latest_request()
                .map(|r| r.id.clone());
            let target = pending
                .or(any)
                .unwrap_or_else(|| RequestId::parse("acr-none").unwrap());
            let (command, actor) = match s {
                Step::Send(token) => (send(&format!("form-{token}")), Actor::Seller(seller())),
                Step::Accept => (
                    Command::AcceptCancellation {
                        agreement_id: id(),
                        request_id: target,
                    },
                    Actor::Buyer(buyer()),
                ),
                Step::Reject => (
                    Command::RejectCancellation {
                        agreement_id: id(),
                        request_id: target,
                        reason: "Still needed".into(),
                    },
                    Actor::Buyer(buyer()),
                ),
                Step::Withdraw => (
                    Command::WithdrawCancellation {
                        agreement_id: id(),
                        request_id: target,
                        reason: "Mistake".into(),
                    },
                    Actor::Seller(seller()),
                ),
                Step::Refund(i, cents) => {
                    let amount = format!("{}.{:02}", cents / 100, cents % 100);
                    let inv = if *i == 0 { "inv-1" } else { "inv-2" };
                    let token = format!("r-{}", ids.next);
                    (
                        Command::BatchCreateAdjustments {
                            entries: vec![entry(inv, &amount, &token)],
                        },
                        Actor::Seller(seller()),
                    )
                }
                Step::Wait(hours) => {
                    now += Duration::hours(i64::from(*hours));
                    events.extend(book.advance_to(now, ids).events);
                    continue;
                }
            };
            let before = book.clone();
            match book.apply(command, &actor, now, ids) {
                Ok((_, outcome)) => events.extend(outcome.events),
                Err(_) => assert_eq!(*book, before, "a refused command changes nothing"),
            }
        }
        (events, now)
    }

    proptest! {
        #[test]
        fn every_sequence_of_commands_keeps_the_records_rules(steps in proptest::collection::vec(step(), 0..40)) {
            let mut book = book();
            let mut ids = SequentialIds::default();
            let (events, _) = run(&mut book, &steps, &mut ids);
            let record = book.record(&id()).unwrap();
            prop_assert!(record.check().is_ok(), "{:?}", record.check());
            for invoice in &record.invoices {
                prop_assert!(invoice.refunded_minor <= invoice.charged_minor);
            }
            prop_assert!(record.requests.iter().filter(|r| r.status.is_pending()).count() <= 1);
            prop_assert!(events.windows(2).all(|w| w[0].time <= w[1].time), "events in time order");
            if record.requests.iter().any(|r| r.status == RequestStatus::Approved) {
                prop_assert_eq!(record.agreement.status, AgreementStatus::Cancelled);
            }
        }

        #[test]
        fn one_jump_of_time_gives_the_same_result_as_many_small_steps(
            steps in proptest::collection::vec(step(), 0..20),
            hops in proptest::collection::vec(1i64..60, 1..12),
        ) {
            let mut a = book();
            let mut ids_a = SequentialIds::default();
            let (_, now) = run(&mut a, &steps, &mut ids_a);
            let mut b = a.clone();
            let mut ids_b = ids_a.clone();
            let end = now + Duration::hours(hops.iter().sum());
            let jumped = a.advance_to(end, &mut ids_a).events;
            let mut stepped = Vec::new();
            let mut at = now;
            for hop in hops {
                at += Duration::hours(hop);
                stepped.extend(b.advance_to(at, &mut ids_b).events);
            }
            let strip = |events: &[BusEvent]| events.iter().map(|e| (e.detail_type.clone(), e.time)).collect::<Vec<_>>();
            prop_assert_eq!(strip(&jumped), strip(&stepped));
            let records = |book: &Book| book.records.values().map(|v| {
                let mut r = v.record.clone();
                r.events.clear();
                r
            }).collect::<Vec<_>>();
            prop_assert_eq!(records(&a), records(&b));
        }
    }
}
