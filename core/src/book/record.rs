//! One agreement's record: the agreement, its invoices, requests, adjustments and history,
//! the rules a stored record must satisfy, and the bus events it implies.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::adjustment::{
    self, AdjustmentStatus, BatchErrorCode, BillingAdjustment, BrokenInvoiceRule, CheckedEntry,
    EntryError, EntryField, Invoice,
};
use crate::agreement::{Agreement, AgreementStatus};
use crate::cancellation::{CancellationRequest, RequestStatus};
use crate::events::{self, BusEvent, EventKind, Side};
use crate::ids::{AccountId, AdjustmentId, InvoiceId, RequestId};
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
///
/// A line is never edited once written, so its texts need no room to grow: a `Box<str>` is
/// two words where a `String` is three, and a book of 10,000 agreements holds some 70,000
/// lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub action: Box<str>,
    pub reason: Box<str>,
}

/// Everything about one agreement. Storage keeps one of these per key.
///
/// Its events are not stored, nor kept whole: they follow from its requests and adjustments,
/// so the record keeps only where each stands ([`EventRef`]) and builds an event when it is
/// read ([`AgreementRecord::events`]). Keeping them out of storage is what lets 10,000
/// agreements with their whole history fit in localStorage; keeping them out of memory took
/// the book of 10,000 agreements from 160 MB to 77 MB (natively), and reading it from
/// storage no longer derives 120,000 events with two SHA-256 IDs each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StoredRecord")]
pub struct AgreementRecord {
    pub agreement: Agreement,
    pub invoices: Vec<Invoice>,
    pub requests: Vec<CancellationRequest>,
    pub adjustments: Vec<BillingAdjustment>,
    /// Every event both buses received about this agreement, in their order.
    #[serde(skip)]
    events: Vec<EventRef>,
    pub history: Vec<HistoryEntry>,
    /// What of it was imported from AWS; left out of the stored record while nothing was.
    #[serde(default, skip_serializing_if = "FromAws::is_empty")]
    pub from_aws: FromAws,
}

/// One of a record's events without its content: when it happened, whose bus was told and
/// what it reports, which is all a log needs to order, count and page it. The fields are in
/// the order of a record's events: by time, then requests before adjustments, each in the
/// order of its list, a request's sending before its settling, the buyer's bus before the
/// seller's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventRef {
    pub time: DateTime<Utc>,
    pub source: EventSource,
    pub side: Side,
}

/// What an event reports, by the place of its request or adjustment in the record's lists.
/// Those lists only grow, so a place stays valid, but for an import from AWS, which puts
/// requests in the order they were sent and so derives the record's events again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventSource {
    /// Request `index` was sent, or (`settled`) approved, rejected, withdrawn or failed.
    Request { index: usize, settled: bool },
    /// Adjustment `index` was processed.
    Adjustment { index: usize },
}

/// What of an agreement's record came from AWS (the AWS CLI's output, imported) rather than
/// being made in the workbench: shown as "From AWS" wherever it is listed, and what decides
/// whether a request has an ID AWS knows. Empty for everything made in the workbench, and
/// then left out of the stored record, so records stored before imports existed read back
/// byte for byte. It is part of the record, so it lives here, below `aws`, which fills it
/// in when it imports.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FromAws {
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub agreement: bool,
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub invoices: BTreeSet<InvoiceId>,
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub requests: BTreeSet<RequestId>,
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub adjustments: BTreeSet<AdjustmentId>,
}

impl FromAws {
    /// Whether nothing of the record came from AWS.
    pub fn is_empty(&self) -> bool {
        *self == FromAws::default()
    }

    /// Whether this invoice came from AWS.
    pub fn invoice(&self, id: &InvoiceId) -> bool {
        self.invoices.contains(id)
    }

    /// Whether this request came from AWS, and so carries the ID AWS gave it.
    pub fn request(&self, id: &RequestId) -> bool {
        self.requests.contains(id)
    }

    /// Whether this billing adjustment came from AWS.
    pub fn adjustment(&self, id: &AdjustmentId) -> bool {
        self.adjustments.contains(id)
    }
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
        record.rederive_events();
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

    /// How many events both buses received about this agreement.
    pub fn event_count(&self) -> usize {
        self.events.len()
    }

    /// Where each event of this record stands, in time order.
    pub fn event_refs(&self) -> &[EventRef] {
        &self.events
    }

    /// Event `i` (in time order), built from what it reports.
    pub fn event(&self, i: usize) -> BusEvent {
        self.bus_event(&self.events[i])
            .expect("a record's events report what it holds")
    }

    /// Every event both buses received about this agreement, in time order, each built as it
    /// is reached.
    pub fn events(&self) -> impl DoubleEndedIterator<Item = BusEvent> + ExactSizeIterator + '_ {
        (0..self.events.len()).map(|i| self.event(i))
    }

    /// The event `event` stands for, exactly as its bus delivered it; `None` when this record
    /// holds no such event (an outcome's reference to a record another tab rewrote since).
    pub fn bus_event(&self, event: &EventRef) -> Option<BusEvent> {
        let kind = self.kind_of(event.source)?;
        if !kind.sides().contains(&event.side) {
            return None;
        }
        Some(match event.source {
            EventSource::Request {
                index,
                settled: true,
            } => {
                events::cancellation_event(kind, event.side, &self.agreement, &self.requests[index])
            }
            EventSource::Request {
                index,
                settled: false,
            } => {
                let request = &self.requests[index];
                let sent = CancellationRequest {
                    status: RequestStatus::PendingApproval,
                    status_message: String::new(),
                    decided_by: None,
                    updated_at: request.created_at,
                    ..request.clone()
                };
                events::cancellation_event(kind, event.side, &self.agreement, &sent)
            }
            EventSource::Adjustment { index } => events::adjustment_event(
                kind,
                event.side,
                &self.agreement,
                &self.adjustments[index],
            ),
        })
    }

    /// What `source` told the buses, if it has told them anything yet: each request told
    /// both sides when it was sent and again when it was settled (a failed validation only
    /// the seller), and each processed adjustment told them once.
    fn kind_of(&self, source: EventSource) -> Option<EventKind> {
        match source {
            EventSource::Request { index, settled } => {
                let request = self.requests.get(index)?;
                if !settled {
                    return Some(EventKind::CancellationPendingApproval);
                }
                match request.status {
                    RequestStatus::PendingApproval => None,
                    RequestStatus::Approved => Some(EventKind::CancellationApproved),
                    RequestStatus::Rejected => Some(EventKind::CancellationRejected),
                    RequestStatus::Cancelled => Some(EventKind::CancellationCancelled),
                    RequestStatus::ValidationFailed => {
                        Some(EventKind::CancellationValidationFailed)
                    }
                }
            }
            EventSource::Adjustment { index } => match self.adjustments.get(index)?.status {
                AdjustmentStatus::Pending => None,
                AdjustmentStatus::Completed => Some(EventKind::AdjustmentCompleted),
                AdjustmentStatus::ValidationFailed => Some(EventKind::AdjustmentFailed),
            },
        }
    }

    /// The events `source` gave, one per side it told: none while it told nothing.
    fn refs_of(&self, source: EventSource) -> impl Iterator<Item = EventRef> + Clone + 'static {
        let time = match source {
            EventSource::Request { index, settled } => {
                let request = &self.requests[index];
                if settled {
                    request.updated_at
                } else {
                    request.created_at
                }
            }
            EventSource::Adjustment { index } => self.adjustments[index].updated_at,
        };
        let sides = self.kind_of(source).map_or(&[][..], EventKind::sides);
        sides
            .iter()
            .map(move |&side| EventRef { time, source, side })
    }

    /// Every event this record's requests and adjustments gave, in order, worked out from
    /// them alone.
    pub(crate) fn derived_events(&self) -> Vec<EventRef> {
        let requests = (0..self.requests.len())
            .flat_map(|index| [false, true].map(|settled| EventSource::Request { index, settled }));
        let adjustments =
            (0..self.adjustments.len()).map(|index| EventSource::Adjustment { index });
        let mut events: Vec<EventRef> = requests
            .chain(adjustments)
            .flat_map(|source| self.refs_of(source))
            .collect();
        events.sort_unstable();
        events
    }

    /// Brings the events in step with requests and adjustments changed in place, as an
    /// import from AWS changes them.
    pub(crate) fn rederive_events(&mut self) {
        self.events = self.derived_events();
    }

    /// Puts the events `source` has just given among this record's events, where
    /// [`AgreementRecord::derived_events`] has them, leaving the others as they are, and
    /// returns them for the outcome. The sides of one change are neighbours in that order.
    pub(super) fn add_events(
        &mut self,
        source: EventSource,
    ) -> impl Iterator<Item = EventRef> + 'static {
        let new = self.refs_of(source);
        if let Some(first) = new.clone().next() {
            let at = self.events.partition_point(|e| *e < first);
            // Exactly: a record gains two events now and then, and doubling its vector
            // would leave room for a dozen more in each of 10,000 records after a sweep.
            self.events.reserve_exact(new.clone().count());
            self.events.splice(at..at, new.clone());
        }
        new
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
    pub fn check(&self) -> Result<(), BrokenRecordRule> {
        for invoice in &self.invoices {
            invoice.check()?;
            if self.pending_refund_minor(invoice.id.as_str()) > invoice.maximum_adjustment().minor {
                return Err(BrokenRecordRule::PendingAboveRefundable(invoice.id.clone()));
            }
        }
        if self
            .requests
            .iter()
            .filter(|r| r.status.is_pending())
            .count()
            > 1
        {
            return Err(BrokenRecordRule::SeveralPendingRequests);
        }
        if self.pending_request().is_some() && self.agreement.status != AgreementStatus::Active {
            return Err(BrokenRecordRule::PendingRequestOnInactiveAgreement);
        }
        for r in &self.requests {
            if r.agreement_id != self.agreement.id {
                return Err(BrokenRecordRule::RequestOfAnotherAgreement(r.id.clone()));
            }
        }
        for a in &self.adjustments {
            if a.agreement_id != self.agreement.id || self.invoice(a.invoice_id.as_str()).is_none()
            {
                return Err(BrokenRecordRule::AdjustmentOfAnotherInvoice(a.id.clone()));
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

/// A rule of [`AgreementRecord::check`] that a stored record breaks: the record is not
/// trusted, and the words say which part of it is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BrokenRecordRule {
    #[error(transparent)]
    Invoice(#[from] BrokenInvoiceRule),
    #[error("invoice {0} has more pending than it can refund")]
    PendingAboveRefundable(InvoiceId),
    #[error("more than one pending cancellation request")]
    SeveralPendingRequests,
    #[error("a pending cancellation request on an agreement that is not active")]
    PendingRequestOnInactiveAgreement,
    #[error("request {0} belongs to another agreement")]
    RequestOfAnotherAgreement(RequestId),
    #[error("adjustment {0} names an invoice this agreement does not have")]
    AdjustmentOfAnotherInvoice(AdjustmentId),
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
    use super::*;
    use crate::book::tests::*;
    use crate::ids::SequentialIds;

    #[test]
    fn a_record_refunded_above_its_charge_fails_its_check() {
        let mut record = book().record(&id()).unwrap().clone();
        assert!(record.check().is_ok());
        record.invoices[0].refunded_minor = 100_001;
        assert!(record.check().is_err());
    }

    #[test]
    fn a_broken_record_rule_says_which_part_is_wrong_in_the_same_words() {
        let mut sending = book();
        sent(&mut sending, &mut SequentialIds::default());
        let asked = sending.record(&id()).unwrap().clone();
        let request = asked.requests[0].clone();
        assert!(request.status.is_pending());

        let mut record = asked.clone();
        record.invoices[0].refunded_minor = 100_001;
        assert_eq!(
            record.check().unwrap_err().to_string(),
            "invoice inv-1 refunded more than it charged"
        );
        let mut record = asked.clone();
        record.agreement.status = AgreementStatus::Cancelled;
        assert_eq!(
            record.check(),
            Err(BrokenRecordRule::PendingRequestOnInactiveAgreement)
        );
        assert_eq!(
            record.check().unwrap_err().to_string(),
            "a pending cancellation request on an agreement that is not active"
        );
        let mut record = asked;
        record.requests.push(request);
        assert_eq!(
            record.check().unwrap_err().to_string(),
            "more than one pending cancellation request"
        );
    }

    #[test]
    fn a_record_made_in_the_workbench_stores_no_origin() {
        assert_eq!(serde_json::to_string(&FromAws::default()).unwrap(), "{}");
        let back: FromAws = serde_json::from_str("{}").unwrap();
        assert!(back.is_empty());
    }
}
