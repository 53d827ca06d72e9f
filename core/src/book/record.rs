//! One agreement's record: the agreement, its invoices, requests, adjustments and history,
//! the rules a stored record must satisfy, and the bus events it implies.

use std::cmp::Ordering;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::adjustment::{
    self, AdjustmentStatus, BatchErrorCode, BillingAdjustment, CheckedEntry, EntryError,
    EntryField, Invoice,
};
use crate::agreement::{Agreement, AgreementStatus};
use crate::aws::FromAws;
use crate::cancellation::{CancellationRequest, RequestStatus};
use crate::events::{self, BusEvent, Detail, EventKind};
use crate::ids::{AccountId, AdjustmentId, RequestId};
use crate::money::Money;

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
    /// Every event both buses received about this agreement, in time order. Shared with
    /// the outcome that reported it and with every copy of the book: an event never
    /// changes, and copying its dozen strings was most of what a sweep cost.
    #[serde(skip)]
    pub events: Vec<Arc<BusEvent>>,
    pub history: Vec<HistoryEntry>,
    /// What of it was imported from AWS; left out of the stored record while nothing was.
    #[serde(default, skip_serializing_if = "FromAws::is_empty")]
    pub from_aws: FromAws,
}

/// A record as it is stored: everything but the events it implies.
#[derive(Deserialize)]
struct StoredRecord {
    agreement: Agreement,
    invoices: Vec<Invoice>,
    requests: Vec<CancellationRequest>,
    adjustments: Vec<BillingAdjustment>,
    history: Vec<HistoryEntry>,
    #[serde(default)]
    from_aws: FromAws,
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
            from_aws: stored.from_aws,
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
            from_aws: FromAws::default(),
        }
    }

    /// The events this record's requests and adjustments gave, in time order: each request
    /// told both sides when it was sent and again when it was settled (a failed validation
    /// only the seller), and each processed adjustment told them once.
    pub fn derived_events(&self) -> Vec<Arc<BusEvent>> {
        let mut events = Vec::new();
        for request in &self.requests {
            let sent = CancellationRequest {
                status: RequestStatus::PendingApproval,
                status_message: String::new(),
                decided_by: None,
                updated_at: request.created_at,
                ..request.clone()
            };
            events.extend(
                events::cancellation_events(
                    EventKind::CancellationPendingApproval,
                    &self.agreement,
                    &sent,
                )
                .into_iter()
                .map(Arc::new),
            );
            let settled = match request.status {
                RequestStatus::PendingApproval => None,
                RequestStatus::Approved => Some(EventKind::CancellationApproved),
                RequestStatus::Rejected => Some(EventKind::CancellationRejected),
                RequestStatus::Cancelled => Some(EventKind::CancellationCancelled),
                RequestStatus::ValidationFailed => Some(EventKind::CancellationValidationFailed),
            };
            if let Some(kind) = settled {
                let settled = events::cancellation_events(kind, &self.agreement, request);
                events.extend(settled.into_iter().map(Arc::new));
            }
        }
        for adjustment in &self.adjustments {
            let kind = match adjustment.status {
                AdjustmentStatus::Pending => continue,
                AdjustmentStatus::Completed => EventKind::AdjustmentCompleted,
                AdjustmentStatus::ValidationFailed => EventKind::AdjustmentFailed,
            };
            let processed = events::adjustment_events(kind, &self.agreement, adjustment);
            events.extend(processed.into_iter().map(Arc::new));
        }
        events.sort_by_key(|e| e.time);
        events
    }

    /// Puts the events of one change (its sides, as `cancellation_events` and
    /// `adjustment_events` give them) among this record's events where
    /// [`AgreementRecord::derived_events`] has them, leaving the others as they are:
    /// rebuilding them all derived two SHA-256 IDs per event of the whole history, which
    /// was most of what a command or an automatic approval cost. The sides of a change
    /// share one place, found once; new events are rarely older than the last one kept, so
    /// the search for it stops at once. Returns the events, shared, for the outcome.
    pub(super) fn add_events(&mut self, new: Vec<BusEvent>) -> Vec<Arc<BusEvent>> {
        let Some(first) = new.first() else {
            return Vec::new();
        };
        // Times alone place all but the events of one moment, without looking up which
        // request or adjustment each reports.
        let mut key = None;
        let at = self
            .events
            .iter()
            .rposition(|e| match e.time.cmp(&first.time) {
                Ordering::Less => true,
                Ordering::Greater => false,
                Ordering::Equal => {
                    self.event_order(e) <= *key.get_or_insert_with(|| self.event_order(first))
                }
            })
            .map_or(0, |i| i + 1);
        let new: Vec<Arc<BusEvent>> = new.into_iter().map(Arc::new).collect();
        // Exactly: a record gains two events now and then, and doubling its vector would
        // leave room for a dozen more in each of 10,000 records after a sweep.
        self.events.reserve_exact(new.len());
        self.events.splice(at..at, new.iter().cloned());
        new
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
    pub(super) fn plan_entry(
        &self,
        checked: CheckedEntry,
        currency: &str,
    ) -> Result<EntryPlan, EntryError> {
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

    pub(super) fn log(&mut self, at: DateTime<Utc>, actor: &Actor, action: &str, reason: &str) {
        // Exactly, as for events: doubling a history of 96-byte entries on the one line a
        // sweep adds to each record left 10,000 records with room for seven more lines
        // each, and the sweep wrote twice the memory it needed, fresh pages all of it.
        self.history.reserve_exact(1);
        self.history.push(HistoryEntry {
            at,
            actor: actor.clone(),
            action: action.into(),
            reason: reason.into(),
        });
    }
}

/// What a batch entry would do to a record.
pub(super) enum EntryPlan {
    /// Its client token was used before for this very adjustment: nothing new happens.
    Earlier(AdjustmentId),
    /// A new adjustment of this amount.
    New(CheckedEntry, Money),
}

#[cfg(test)]
mod tests {
    use crate::book::tests::*;

    #[test]
    fn a_record_refunded_above_its_charge_fails_its_check() {
        let mut record = book().record(&id()).unwrap().clone();
        assert!(record.check().is_ok());
        record.invoices[0].refunded_minor = 100_001;
        assert!(record.check().is_err());
    }
}
