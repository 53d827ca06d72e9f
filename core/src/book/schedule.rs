//! What time alone does: each record's deadlines and processing, and the book catching up
//! with the clock.

use std::collections::BTreeMap;
use std::convert::Infallible;

use chrono::{DateTime, Utc};

use super::command::Outcome;
use super::record::{Actor, AgreementRecord, EventSource, HistoryEntry};
use super::records::Versioned;
use super::Book;
use crate::adjustment::{self, AdjustmentStatus};
use crate::agreement::AgreementStatus;
use crate::cancellation;
use crate::families::support_case::{completed_message, CaseOutcome, CaseQuestion, CaseStatus};
use crate::ids::AgreementId;
use crate::key::{RecordKey, SupportCaseId};

impl AgreementRecord {
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

    /// Does what was due at `at`; returns what its events report, or `None` when an earlier
    /// item of the same sweep already settled it (a request that failed validation is no
    /// longer there to approve).
    fn run(&mut self, item: Due, at: DateTime<Utc>) -> Option<EventSource> {
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
                Some(EventSource::Request {
                    index: i,
                    settled: true,
                })
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
                Some(EventSource::Request {
                    index: i,
                    settled: true,
                })
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
                let action = match adjustment.status {
                    AdjustmentStatus::Completed => "Completed the billing adjustment",
                    _ => "Failed the billing adjustment",
                };
                let action = format!("{action} {}", adjustment.id);
                let message = adjustment.status_message.clone();
                self.log(at, &Actor::System, &action, &message);
                Some(EventSource::Adjustment { index: i })
            }
        }
    }
}

impl Book {
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
            let mut caught_up = self.advance(at, None);
            outcome.events.append(&mut caught_up.events);
            outcome.changed.append(&mut caught_up.changed);
            self.read_support_case(&case, at, &mut outcome);
        }
        // Appending moves a set into an empty one as it is: extending it inserted each of
        // 10,000 keys again after a sweep.
        let mut rest = self.advance(now, None);
        outcome.events.append(&mut rest.events);
        outcome.changed.append(&mut rest.changed);
        self.process_alibaba_tickets(now, &mut outcome);
        outcome
    }

    /// Alibaba Cloud processes every unsubscription ticket due by `now`, each at its due
    /// time. Tickets are submitted by hand, a few per buyer, so looking through the orders
    /// on each tick costs little.
    fn process_alibaba_tickets(&mut self, now: DateTime<Utc>, outcome: &mut Outcome) {
        for (id, versioned) in &mut self.alibaba {
            if versioned.record.due_at().is_some_and(|at| at <= now) {
                let processed = versioned.change(|o| o.process_ticket(now).ok_or(()));
                if processed.is_ok() {
                    outcome.changed.insert(RecordKey::Alibaba(id.clone()));
                }
            }
        }
    }

    /// `advance_to`; with `before`, also keeps each changed record as it was before, so that
    /// a refused command can put them back.
    pub(super) fn advance(
        &mut self,
        now: DateTime<Utc>,
        before: Option<&mut BTreeMap<AgreementId, Versioned<AgreementRecord>>>,
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
        let mut events = Vec::with_capacity(due.len() * 2);
        let due = due
            .into_iter()
            .map(|(at, agreement_id, item)| (agreement_id, (at, item)))
            .collect();
        let changed = self
            .records
            .update_many(due, before, |agreement_id, (at, item), record| {
                let Some(source) = record.run(item, at) else {
                    return false;
                };
                let new = record.add_events(source);
                events.extend(new.map(|event| (agreement_id.clone(), event)));
                true
            });
        // Gathered, then made a set at once: inserting the keys one by one compared each
        // with a dozen others, text by text.
        Outcome {
            events,
            changed: changed.into_iter().collect(),
        }
    }

    /// The next support case AWS reads by `now`, and when. Cases are opened by hand, a few
    /// per seller, so looking through them on each tick costs little.
    fn next_support_case_by(&self, now: DateTime<Utc>) -> Option<(DateTime<Utc>, SupportCaseId)> {
        self.support_cases
            .values()
            .filter_map(|v| v.record.due_at().map(|at| (at, v.record.id.clone())))
            .filter(|(at, _)| *at <= now)
            .min()
    }

    /// When time alone will next change the book: a record's deadline, a case AWS reads or
    /// an Alibaba Cloud ticket.
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        let case = self
            .support_cases
            .values()
            .filter_map(|v| v.record.due_at())
            .chain(self.alibaba.values().filter_map(|v| v.record.due_at()))
            .min();
        match (self.records.next_due(), case) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// AWS reads support case `id` at `at`: Action Required with what it needs, or Completed
    /// with the cancellation and refund applied to the agreement and its invoice, each step
    /// in the agreement's history and the case's own exchange.
    fn read_support_case(&mut self, id: &SupportCaseId, at: DateTime<Utc>, outcome: &mut Outcome) {
        let Some(case) = self.support_cases.get(id).map(|v| v.record.clone()) else {
            return;
        };
        let mut awaiting_buyer = None;
        let (status, message, done) = match case.read(&self.records) {
            Err(ask) => {
                if let CaseQuestion::BuyerApproval(agreement) = &ask {
                    awaiting_buyer = Some(agreement.clone());
                }
                (CaseStatus::ActionRequired, ask.to_string(), None)
            }
            Ok(plan) => {
                self.records
                    .update(&plan.agreement, &mut outcome.changed, |record| {
                        let mut log = |action: String| {
                            record.history.push(HistoryEntry {
                                at,
                                actor: Actor::System,
                                action: action.into(),
                                reason: format!("Support case {id}").into(),
                            })
                        };
                        if plan.cancel {
                            log("Cancelled the agreement, as the support case asked".into());
                        }
                        if let Some(refund) = &plan.refund {
                            log(format!(
                                "Refunded {} on invoice {}, as the support case asked",
                                refund.amount, refund.invoice
                            ));
                        }
                        if plan.cancel {
                            record.agreement.status = AgreementStatus::Cancelled;
                        }
                        if let Some(refund) = &plan.refund {
                            if let Some(invoice) = record
                                .invoices
                                .iter_mut()
                                .find(|i| i.id.as_str() == refund.invoice)
                            {
                                invoice.refunded_minor += refund.amount.minor;
                            }
                        }
                        Ok::<_, Infallible>(())
                    });
                let message = completed_message(&plan);
                let done = CaseOutcome {
                    at,
                    agreement: plan.agreement,
                    cancelled: plan.cancel,
                    refund: plan.refund,
                };
                (CaseStatus::Completed, message, Some(done))
            }
        };
        if let Some(versioned) = self.support_cases.get_mut(id) {
            let read = versioned.change(|case| {
                case.update_by_aws(status, &message, at);
                case.outcome = done;
                case.awaiting_buyer = awaiting_buyer;
                Ok::<_, Infallible>(())
            });
            if read.is_ok() {
                outcome.changed.insert(RecordKey::SupportCase(id.clone()));
            }
        }
    }
}

/// Something time alone does to a record, by its position in the record's lists (which only
/// ever grow, so a position stays valid).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Due {
    Validation(usize),
    Approval(usize),
    Processing(usize),
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use chrono::Duration;

    use super::*;
    use crate::book::tests::*;
    use crate::book::RejectCancellation;
    use crate::cancellation::RequestStatus;
    use crate::ids::SequentialIds;

    #[test]
    fn time_running_past_the_deadline_approves_at_the_deadline_itself() {
        let mut book = book();
        let mut ids = SequentialIds::default();
        sent(&mut book, &mut ids);
        assert!(book.advance_to(t(167)).events.is_empty());
        let outcome = book.advance_to(t(24 * 30));
        let events = outcome.bus_events(&book);
        assert_eq!(events.len(), 2);
        assert!(events.iter().all(|e| e.time == t(168)));
        assert_eq!(
            events[0].detail_type.to_string(),
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
        let reject = RejectCancellation {
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
        assert!(outcome.bus_events(&book).iter().all(|e| e.time == t(168)));
        assert_eq!(book.record(&id()).unwrap().requests[0].updated_at, t(168));
    }

    #[test]
    fn a_request_on_an_agreement_with_a_renewal_fails_validation_after_the_checks_for_the_seller_only(
    ) {
        let mut book = book();
        let mut ids = SequentialIds::default();
        edit(&mut book, &id(), |record| {
            record.agreement.renewal = Some(AgreementId::parse("agmt-renewal").unwrap())
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
            .bus_events(&book)
            .iter()
            .map(|e| (e.detail_type.to_string(), e.time))
            .collect();
        assert_eq!(
            types,
            [(
                "Agreement Cancellation Request Validation Failed - Proposer".to_string(),
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
}
