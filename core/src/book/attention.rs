//! The seller's work queue: what in their book waits for them or for the buyer, soonest
//! first.

use chrono::{DateTime, Duration, Utc};

use super::record::AgreementRecord;
use super::Book;
use crate::adjustment::{AdjustmentStatus, BillingAdjustment};
use crate::agreement::AgreementStatus;
use crate::cancellation::{CancellationRequest, RequestStatus};
use crate::families::support_case::CaseStatus;
use crate::ids::{AccountId, AgreementId};
use crate::key::SupportCaseId;

/// A request due within this long is marked: the buyer has less than a day left.
pub const DUE_SOON: Duration = Duration::hours(24);

/// Why an item is in the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttentionKind {
    /// The buyer has not answered yet; `at` is the automatic approval.
    Waiting { due_soon: bool },
    /// The buyer denied the request and no other request has been sent since.
    Denied,
    /// The request failed validation and none has been sent since.
    ValidationFailed,
    /// Billing has not processed this refund yet; `at` is when it will.
    RefundPending { invoice: String },
    /// This refund failed and no later refund of the same invoice went through.
    RefundFailed { invoice: String },
    /// AWS needs more from the seller in this support case.
    ActionRequired,
}

/// What an item is about: one agreement, or one support case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttentionAbout {
    Agreement(AgreementId),
    SupportCase(SupportCaseId),
}

/// One item of the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attention {
    /// The moment that orders the queue: when something that has already happened happened,
    /// or when something still to come falls due.
    pub at: DateTime<Utc>,
    pub kind: AttentionKind,
    pub about: AttentionAbout,
}

impl Attention {
    /// The item as it stands at `now`. Only how soon a waiting request falls due moves with
    /// the clock; what is in the queue changes with the book alone, so a view keeps the
    /// queue it has and brings just the items it shows up to the time.
    pub fn as_of(&self, now: DateTime<Utc>) -> Attention {
        let kind = match &self.kind {
            AttentionKind::Waiting { .. } => AttentionKind::Waiting {
                due_soon: due_soon(self.at, now),
            },
            other => other.clone(),
        };
        Attention {
            kind,
            ..self.clone()
        }
    }
}

fn due_soon(deadline: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    deadline - now <= DUE_SOON
}

impl Book {
    /// Everything that waits for `seller` or for their buyers, soonest first: what has
    /// already happened (oldest first), then what falls due, in the order it falls due.
    pub fn attention(&self, seller: &AccountId, now: DateTime<Utc>) -> Vec<Attention> {
        let mut items = Vec::new();
        for id in self.records.of_seller(seller) {
            if let Some(record) = self.record(id) {
                record_attention(record, now, &mut items);
            }
        }
        items.extend(
            self.support_cases
                .values()
                .map(|v| &v.record)
                .filter(|case| &case.seller == seller && case.status == CaseStatus::ActionRequired)
                .map(|case| Attention {
                    at: case.replies.last().map_or(case.opened_at, |reply| reply.at),
                    kind: AttentionKind::ActionRequired,
                    about: AttentionAbout::SupportCase(case.id.clone()),
                }),
        );
        items.sort_by_key(|a| a.at);
        items
    }
}

fn record_attention(record: &AgreementRecord, now: DateTime<Utc>, items: &mut Vec<Attention>) {
    let about = || AttentionAbout::Agreement(record.agreement.id.clone());
    if let Some(request) = record.latest_request() {
        if let Some(kind) = request_attention(record, request, now) {
            let at = match kind {
                AttentionKind::Waiting { .. } => request.deadline(),
                _ => request.updated_at,
            };
            items.push(Attention {
                at,
                kind,
                about: about(),
            });
        }
    }
    for adjustment in &record.adjustments {
        let invoice = adjustment.invoice_id.to_string();
        let item = match adjustment.status {
            AdjustmentStatus::Pending => Some((
                adjustment.due_at(),
                AttentionKind::RefundPending { invoice },
            )),
            AdjustmentStatus::ValidationFailed if !retried(record, adjustment) => Some((
                adjustment.updated_at,
                AttentionKind::RefundFailed { invoice },
            )),
            _ => None,
        };
        if let Some((at, kind)) = item {
            items.push(Attention {
                at,
                kind,
                about: about(),
            });
        }
    }
}

fn request_attention(
    record: &AgreementRecord,
    request: &CancellationRequest,
    now: DateTime<Utc>,
) -> Option<AttentionKind> {
    let running = record.agreement.status == AgreementStatus::Active;
    match request.status {
        RequestStatus::PendingApproval => Some(AttentionKind::Waiting {
            due_soon: due_soon(request.deadline(), now),
        }),
        RequestStatus::Rejected if running => Some(AttentionKind::Denied),
        RequestStatus::ValidationFailed if running => Some(AttentionKind::ValidationFailed),
        _ => None,
    }
}

/// Whether a refund of the same invoice was made after this failed one and did not fail.
fn retried(record: &AgreementRecord, failed: &BillingAdjustment) -> bool {
    record.adjustments.iter().any(|a| {
        a.invoice_id == failed.invoice_id
            && a.created_at >= failed.created_at
            && a.id != failed.id
            && a.status != AdjustmentStatus::ValidationFailed
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::tests::{book, buyer, edit, entry, id, seller, send, sent, t};
    use crate::book::{Actor, BatchCreateAdjustments, RejectCancellation};
    use crate::ids::SequentialIds;

    fn kinds(book: &Book, now: DateTime<Utc>) -> Vec<AttentionKind> {
        book.attention(&seller(), now)
            .into_iter()
            .map(|a| a.kind)
            .collect()
    }

    /// A request sent at hour 0 that waits for the buyer, and a refund made at hour 1.
    fn waiting_and_refund_pending() -> Book {
        let mut ids = SequentialIds::default();
        let mut book = book();
        sent(&mut book, &mut ids);
        let batch = BatchCreateAdjustments {
            entries: vec![entry("inv-1", "10.00", "adj-1")],
        };
        book.apply(batch, &Actor::Seller(seller()), t(1), &mut ids)
            .unwrap();
        book
    }

    #[test]
    fn a_waiting_request_is_listed_and_marked_in_its_last_day() {
        let mut ids = SequentialIds::default();
        let mut book = book();
        assert!(kinds(&book, t(0)).is_empty());
        sent(&mut book, &mut ids);
        assert_eq!(
            kinds(&book, t(1)),
            vec![AttentionKind::Waiting { due_soon: false }]
        );
        assert_eq!(
            kinds(&book, t(24 * 6 + 1)),
            vec![AttentionKind::Waiting { due_soon: true }]
        );
        assert!(book.attention(&buyer(), t(1)).is_empty());
    }

    #[test]
    fn a_queue_kept_from_earlier_and_brought_up_to_the_time_is_the_queue_of_that_time() {
        let book = waiting_and_refund_pending();
        let kept = book.attention(&seller(), t(1));
        for hour in [1, 24 * 5, 24 * 6, 24 * 6 + 1, 24 * 7 - 1] {
            let now = t(hour);
            let brought: Vec<Attention> = kept.iter().map(|a| a.as_of(now)).collect();
            assert_eq!(brought, book.attention(&seller(), now), "at hour {hour}");
        }
        assert!(kept
            .iter()
            .map(|a| a.as_of(t(24 * 6 + 1)))
            .any(|a| a.kind == AttentionKind::Waiting { due_soon: true }));
    }

    #[test]
    fn a_denied_request_waits_until_the_seller_sends_another() {
        let mut ids = SequentialIds::default();
        let mut book = book();
        let request_id = sent(&mut book, &mut ids);
        let reject = RejectCancellation {
            agreement_id: id(),
            request_id,
            reason: "We still use it".into(),
        };
        book.apply(reject, &Actor::Buyer(buyer()), t(2), &mut ids)
            .unwrap();
        assert_eq!(kinds(&book, t(3)), vec![AttentionKind::Denied]);
        let again = send("form-2");
        book.apply(again, &Actor::Seller(seller()), t(4), &mut ids)
            .unwrap();
        assert_eq!(
            kinds(&book, t(5)),
            vec![AttentionKind::Waiting { due_soon: false }]
        );
    }

    #[test]
    fn a_pending_refund_leaves_the_queue_when_billing_processes_it() {
        let mut ids = SequentialIds::default();
        let mut book = book();
        let batch = BatchCreateAdjustments {
            entries: vec![entry("inv-1", "10.00", "adj-1")],
        };
        book.apply(batch, &Actor::Seller(seller()), t(0), &mut ids)
            .unwrap();
        let queue = book.attention(&seller(), t(0));
        assert_eq!(
            queue.iter().map(|a| &a.kind).collect::<Vec<_>>(),
            vec![&AttentionKind::RefundPending {
                invoice: "inv-1".into()
            }]
        );
        book.advance_to(queue[0].at);
        assert!(kinds(&book, queue[0].at).is_empty());
    }

    #[test]
    fn a_failed_refund_stays_until_a_refund_of_the_same_invoice_goes_through() {
        let mut ids = SequentialIds::default();
        let mut book = book();
        let unpaid = BatchCreateAdjustments {
            entries: vec![entry("inv-2", "10.00", "adj-1")],
        };
        book.apply(unpaid, &Actor::Seller(seller()), t(0), &mut ids)
            .unwrap();
        book.advance_to(t(24));
        let failed = AttentionKind::RefundFailed {
            invoice: "inv-2".into(),
        };
        assert_eq!(kinds(&book, t(24)), vec![failed.clone()]);

        edit(&mut book, &id(), |record| record.invoices[1].paid = true);
        let again = BatchCreateAdjustments {
            entries: vec![entry("inv-2", "10.00", "adj-2")],
        };
        book.apply(again, &Actor::Seller(seller()), t(25), &mut ids)
            .unwrap();
        assert_eq!(
            kinds(&book, t(25)),
            vec![AttentionKind::RefundPending {
                invoice: "inv-2".into()
            }]
        );
        book.advance_to(t(48));
        assert!(kinds(&book, t(48)).is_empty());
    }

    #[test]
    fn a_request_that_failed_validation_stays_until_another_is_sent() {
        let mut ids = SequentialIds::default();
        let mut book = book();
        edit(&mut book, &id(), |record| {
            record.agreement.renewal = Some(AgreementId::parse("agmt-renewal").unwrap())
        });
        sent(&mut book, &mut ids);
        book.advance_to(t(1));
        assert_eq!(kinds(&book, t(1)), vec![AttentionKind::ValidationFailed]);
        edit(&mut book, &id(), |record| record.agreement.renewal = None);
        book.apply(send("form-2"), &Actor::Seller(seller()), t(2), &mut ids)
            .unwrap();
        assert_eq!(
            kinds(&book, t(2)),
            vec![AttentionKind::Waiting { due_soon: false }]
        );
    }

    #[test]
    fn the_queue_is_in_time_order_with_what_happened_before_what_falls_due() {
        let book = waiting_and_refund_pending();
        let queue = book.attention(&seller(), t(1));
        assert_eq!(queue.len(), 2);
        assert!(queue.windows(2).all(|w| w[0].at <= w[1].at));
    }
}
