//! One case per buyer and agreement: its cancellation request and the billing adjustments it
//! needs, linked, with where each invoice stands and what to do next.

use serde::Serialize;

use crate::adjustment::{AdjustmentStatus, BillingAdjustment};
use crate::book::{
    AgreementRecord, AgreementStatus, ArchiveClosed, Book, Command, Desk, DomainError,
};
use crate::cancellation::{CancellationRequest, RequestStatus};
use crate::key::RecordKey;
use crate::money::Money;

/// Where one invoice stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvoiceBalance {
    pub invoice_id: String,
    pub charged: Money,
    pub refunded: Money,
    /// Refunds applied and still being processed: owed to the buyer, not yet paid back.
    pub owed: Money,
    pub still_refundable: Money,
}

/// One buyer's case on one agreement: its latest cancellation request, the billing
/// adjustments made for it, where each invoice stands, and what the seller should do next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Case<'a> {
    pub record: &'a AgreementRecord,
    pub request: Option<&'a CancellationRequest>,
    pub adjustments: &'a [BillingAdjustment],
    pub balances: Vec<InvoiceBalance>,
    pub next_step: &'static str,
}

/// Whether a case is over: the agreement no longer runs and nothing about it is still
/// waiting (no request for the buyer, no refund being processed). Only such cases are
/// offered for archiving.
pub fn is_closed(record: &AgreementRecord) -> bool {
    record.agreement.status != AgreementStatus::Active
        && record.pending_request().is_none()
        && record
            .adjustments
            .iter()
            .all(|a| a.status != AdjustmentStatus::Pending)
}

/// The closed agreements of `book`, as a book of their own for the person to keep in a
/// file before [`ArchiveClosed`] removes them: the directory, and those records.
pub fn closed_archive(book: &Book) -> Book {
    let mut archive = Book {
        directory: book.directory.clone(),
        ..Book::default()
    };
    for (id, versioned) in &book.records {
        if is_closed(&versioned.record) {
            archive.records.insert(id.clone(), versioned.clone());
        }
    }
    archive
}

impl Command for ArchiveClosed {
    /// How many agreements were removed.
    type Reply = usize;
    type Error = DomainError;

    fn record(&self, _: &Book) -> Option<RecordKey> {
        None
    }

    fn carry_out(self, book: &mut Book, desk: &mut Desk<'_>) -> Result<usize, DomainError> {
        let mut removed = 0;
        for id in self.agreements {
            if book.record(&id).is_some_and(is_closed) {
                book.records.remove(&id);
                desk.changed.insert(RecordKey::Agreement(id));
                removed += 1;
            }
        }
        Ok(removed)
    }
}

/// The case of one agreement.
pub fn case_of(record: &AgreementRecord) -> Case<'_> {
    let balances = record
        .invoices
        .iter()
        .map(|invoice| {
            let owed = record.pending_refund_minor(invoice.id.as_str());
            InvoiceBalance {
                invoice_id: invoice.id.to_string(),
                charged: invoice.charged(),
                refunded: invoice.refunded(),
                owed: Money::new(owed, invoice.currency),
                still_refundable: Money::new(
                    record.still_refundable_minor(invoice),
                    invoice.currency,
                ),
            }
        })
        .collect::<Vec<_>>();
    let request = record.latest_request();
    let refunded_anything = record
        .adjustments
        .iter()
        .any(|a| a.status != AdjustmentStatus::ValidationFailed);
    let next_step = match request.map(|r| r.status) {
        Some(RequestStatus::PendingApproval) => "Waiting for the buyer: share the confirmation link, or wait for the automatic approval.",
        Some(RequestStatus::Approved) if !refunded_anything => {
            "The agreement is cancelled. Cancelling refunds nothing: if the buyer is owed money, apply a billing adjustment."
        }
        Some(RequestStatus::Approved) => "The agreement is cancelled and refunds were applied. Nothing more is needed unless more is owed.",
        Some(RequestStatus::Rejected) => "The buyer denied the cancellation; read their reason and agree the next step with them.",
        Some(RequestStatus::Cancelled) => "The request was withdrawn; the agreement continues.",
        // A renewal agreement is the one check that fails a request (see `cancellation`).
        Some(RequestStatus::ValidationFailed) => {
            "The request failed validation: an auto-renewal already created the next agreement. Cancel that renewal agreement first, then request this cancellation again."
        }
        None if record.agreement.status == AgreementStatus::Active => "No cancellation has been requested.",
        None => "This agreement is no longer active.",
    };
    Case {
        record,
        request,
        adjustments: &record.adjustments,
        balances,
        next_step,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo;

    #[test]
    fn a_case_shows_each_invoice_with_what_is_owed_and_still_refundable() {
        let book = demo::demo_book(demo::demo_now());
        for v in book.records.values() {
            let case = case_of(&v.record);
            for (balance, invoice) in case.balances.iter().zip(&v.record.invoices) {
                assert_eq!(
                    balance.refunded.minor + balance.owed.minor + balance.still_refundable.minor,
                    invoice.charged_minor
                );
            }
        }
    }

    #[test]
    fn an_approved_cancellation_without_refunds_says_that_cancelling_is_not_a_refund() {
        let book = demo::demo_book(demo::demo_now());
        let approved = book
            .records
            .values()
            .map(|v| case_of(&v.record))
            .find(|c| {
                c.request
                    .is_some_and(|r| r.status == RequestStatus::Approved)
                    && c.adjustments.is_empty()
            })
            .expect("the demo has one");
        assert!(approved.next_step.contains("refunds nothing"));
    }

    #[test]
    fn a_request_that_failed_validation_says_to_cancel_the_renewal_first() {
        let book = demo::demo_book(demo::demo_now());
        let failed = book
            .records
            .values()
            .map(|v| case_of(&v.record))
            .find(|c| {
                c.request
                    .is_some_and(|r| r.status == RequestStatus::ValidationFailed)
            })
            .expect("the demo has one");
        assert!(failed.record.agreement.renewal.is_some());
        assert!(failed
            .next_step
            .contains("Cancel that renewal agreement first"));
    }
}

#[cfg(test)]
mod closed_tests {
    use super::*;
    use crate::demo::{demo_book, demo_now};

    #[test]
    fn only_ended_agreements_with_nothing_waiting_are_closed() {
        let book = demo_book(demo_now());
        let mut closed = 0;
        for record in book.records.values().map(|v| &v.record) {
            let expected = record.agreement.status != AgreementStatus::Active
                && record
                    .requests
                    .iter()
                    .all(|r| r.status != RequestStatus::PendingApproval)
                && record
                    .adjustments
                    .iter()
                    .all(|a| a.status != AdjustmentStatus::Pending);
            assert_eq!(is_closed(record), expected, "{}", record.agreement.id);
            closed += usize::from(expected);
        }
        assert!(closed > 0, "the demo has a closed case");
        let mut running = book.records.values().next().unwrap().record.clone();
        running.agreement.status = AgreementStatus::Active;
        assert!(!is_closed(&running));
    }
}
