//! The handlers: how the book carries out each command, in every billing family, checking
//! everything before it changes anything.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use super::command::{
    AcceptCancellation, AlibabaUnsubscribe, AnswerSupportCase, BatchCreateAdjustments,
    BatchEntryResult, BatchResult, BuyerCancelled, CancelAgreementAsBuyer, Command, Desk,
    DevPayCancel, DomainError, FpsCancelAndRefund, OpenSupportCase, Outcome, RejectCancellation,
    ReplyToSupportCase, SendCancellation, WithdrawCancellation,
};
use super::record::{Actor, AgreementRecord, EntryPlan, EventSource};
use super::records::Versioned;
use super::Book;
use crate::adjustment::{
    self, AdjustmentEntry, AdjustmentStatus, BatchErrorCode, BillingAdjustment, EntryError,
    EntryField, BATCH_MAX,
};
use crate::agreement::AgreementStatus;
use crate::cancellation::{self, CancellationRequest, RequestStatus, DESCRIPTION_MAX};
use crate::families::alibaba::UnsubscribeTicket;
use crate::families::devpay::DevPayCancellation;
use crate::families::fps::{self, FpsResult};
use crate::families::support_case::{RefundForm, SupportCase};
use crate::ids::{AccountId, AdjustmentId, AgreementId, IdSource, RequestId, SequentialIds};
use crate::key::{DevPaySubscriptionId, RecordKey, SupportCaseId};

impl Book {
    /// Applies a command by `actor` at `now`, after first letting time run up to `now` (so a
    /// buyer answering after the deadline meets the auto-approval). Returns the command's
    /// own reply and what changed: every event, in time order, and the records storage
    /// must write.
    ///
    /// A refused command changes nothing at all, not even the catching up with time: the
    /// shell's next `advance_to` does that again, and saves it.
    pub fn apply<C: Command>(
        &mut self,
        command: C,
        actor: &Actor,
        now: DateTime<Utc>,
        ids: &mut dyn IdSource,
    ) -> Result<(C::Reply, Outcome), C::Error> {
        let mut before = BTreeMap::new();
        let outcome = self.advance(now, Some(&mut before));
        let mut desk = Desk {
            actor,
            now,
            ids,
            changed: outcome.changed,
            events: outcome.events,
        };
        match command.carry_out(self, &mut desk) {
            Ok(reply) => {
                let outcome = Outcome {
                    events: desk.events,
                    changed: desk.changed,
                };
                Ok((reply, outcome))
            }
            Err(error) => {
                for (id, versioned) in before {
                    self.records.insert(id, versioned);
                }
                Err(error)
            }
        }
    }

    /// Sends a cancellation request; the same client token again returns the first one.
    /// Every check comes before the record changes, so a refusal changes nothing.
    fn send(
        &mut self,
        draft: SendCancellation,
        desk: &mut Desk<'_>,
    ) -> Result<RequestId, DomainError> {
        let (actor, now) = (desk.actor, desk.now);
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
            return Ok(earlier.id.clone());
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
            id: desk.ids.request_id(),
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
            link_secret: Some(desk.ids.link_secret()),
        };
        let id = request.id.clone();
        let events = self
            .records
            .update(&draft.agreement_id, &mut desk.changed, |record| {
                record.log(
                    now,
                    actor,
                    "Sent a cancellation request",
                    &request.description,
                );
                record.requests.push(request);
                let sent = EventSource::Request {
                    index: record.requests.len() - 1,
                    settled: false,
                };
                Ok::<_, DomainError>(record.add_events(sent))
            });
        let events = events.expect("the record was found above")?;
        desk.events
            .extend(events.map(|e| (draft.agreement_id.clone(), e)));
        Ok(id)
    }

    /// The buyer approves or rejects a pending request, or the seller withdraws it; outside
    /// PENDING_APPROVAL each is a conflict. Every check comes before the record changes.
    fn decide(
        &mut self,
        agreement_id: AgreementId,
        request_id: RequestId,
        decision: Resolution,
        desk: &mut Desk<'_>,
    ) -> Result<(), DomainError> {
        let (actor, now) = (desk.actor, desk.now);
        let record = self
            .record(&agreement_id)
            .ok_or_else(|| DomainError::AgreementNotFound(agreement_id.clone()))?;
        match decision {
            Resolution::Withdraw(_) if !matches!(actor, Actor::Seller(a) if *a == record.agreement.seller) => {
                return Err(DomainError::NotTheSeller)
            }
            Resolution::Accept | Resolution::Reject(_) if !matches!(actor, Actor::Buyer(a) if *a == record.agreement.buyer) => {
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
            .update(&agreement_id, &mut desk.changed, |record| {
                let request = &mut record.requests[position];
                let (action, reason) = match decision {
                    Resolution::Accept => {
                        request.accept(now)?;
                        record.agreement.status = AgreementStatus::Cancelled;
                        ("Approved the cancellation request", String::new())
                    }
                    Resolution::Reject(reason) => {
                        request.reject(&reason, now)?;
                        ("Rejected the cancellation request", reason)
                    }
                    Resolution::Withdraw(reason) => {
                        request.withdraw(&reason, now)?;
                        ("Withdrew the cancellation request", reason)
                    }
                };
                record.log(now, actor, action, &reason);
                let settled = EventSource::Request {
                    index: position,
                    settled: true,
                };
                Ok::<_, DomainError>(record.add_events(settled))
            })
            .expect("the record was found above")?;
        desk.events
            .extend(events.map(|e| (agreement_id.clone(), e)));
        Ok(())
    }

    /// The buyer's own cancellation: it ends the agreement at once, marked as the buyer's,
    /// and refunds nothing. It sends no event: source 004's events are the seller's
    /// cancellation requests and billing adjustments, and it gives none for CancelAgreement.
    fn cancel_as_buyer(
        &mut self,
        command: CancelAgreementAsBuyer,
        desk: &mut Desk<'_>,
    ) -> Result<BuyerCancelled, DomainError> {
        let (actor, now) = (desk.actor, desk.now);
        let id = command.agreement_id;
        let record = self
            .record(&id)
            .ok_or_else(|| DomainError::AgreementNotFound(id.clone()))?;
        if !matches!(actor, Actor::Buyer(a) if *a == record.agreement.buyer) {
            return Err(DomainError::NotTheBuyer);
        }
        self.buyer_may_cancel(&id, now)?;
        let reason = match command.reason.filter(|r| !r.trim().is_empty()) {
            Some(reason) => cancellation::checked_text("A reason", &reason, DESCRIPTION_MAX)?,
            None => String::new(),
        };
        self.records
            .update(&id, &mut desk.changed, |record| {
                record.agreement.status = AgreementStatus::Cancelled;
                record.agreement.cancelled_by_buyer = Some(now);
                record.log(
                    now,
                    actor,
                    "Cancelled the agreement (self-service)",
                    &reason,
                );
                Ok::<_, DomainError>(())
            })
            .expect("the record was found above")?;
        Ok(BuyerCancelled {
            agreement_id: id,
            status: AgreementStatus::Cancelled,
            at: now,
        })
    }

    fn batch(
        &mut self,
        entries: Vec<AdjustmentEntry>,
        desk: &mut Desk<'_>,
    ) -> Result<BatchResult, DomainError> {
        check_batch(&entries)?;
        let mut results = Vec::new();
        for entry in entries {
            let token = entry.client_token.clone();
            match self.create_adjustment(&entry, desk) {
                Ok(id) => results.push(BatchEntryResult::Created {
                    id,
                    client_token: token,
                }),
                Err(error) => results.push(BatchEntryResult::Failed {
                    client_token: token,
                    error,
                }),
            }
        }
        Ok(BatchResult { entries: results })
    }

    fn create_adjustment(
        &mut self,
        entry: &AdjustmentEntry,
        desk: &mut Desk<'_>,
    ) -> Result<AdjustmentId, EntryError> {
        let (actor, now) = (desk.actor, desk.now);
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
            EntryPlan::Earlier(id) => return Ok(id),
            EntryPlan::New(checked, amount) => (checked, amount),
        };
        let created = BillingAdjustment {
            id: desk.ids.adjustment_id(),
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
        self.records
            .update(&agreement_id, &mut desk.changed, |record| {
                record.log(now, actor, &action, &created.description);
                record.adjustments.push(created);
                Ok::<_, EntryError>(())
            });
        Ok(id)
    }

    // The commands of the other billing families: each changes one record of its family.

    /// Amazon FPS CancelSubscriptionAndRefund, by the subscription's seller.
    fn fps_cancel_and_refund(
        &mut self,
        FpsCancelAndRefund { subscription, call }: FpsCancelAndRefund,
        desk: &mut Desk<'_>,
    ) -> Result<FpsResult, DomainError> {
        let seller = seller_of(desk.actor)?;
        if &versioned_mut(&mut self.fps, "FPS subscription", &subscription)?
            .record
            .seller
            != seller
        {
            return Err(DomainError::NotTheSeller);
        }
        // A CallerReference is the caller's: used on any of its subscriptions within seven
        // days, the call returns the first result and changes nothing.
        let subscriptions = self.fps.values().map(|v| &v.record);
        if let Some(first) = fps::replay(subscriptions, seller, &call, desk.now) {
            return Ok(first);
        }
        let versioned = versioned_mut(&mut self.fps, "FPS subscription", &subscription)?;
        let (now, ids) = (desk.now, &mut *desk.ids);
        let result = versioned.change(|s| s.cancel_and_refund(&call, now, ids))?;
        desk.changed.insert(RecordKey::Fps(subscription));
        Ok(result)
    }

    /// A DevPay customer cancels; a seller trying is refused with the way to do it.
    fn devpay_cancel(
        &mut self,
        id: DevPaySubscriptionId,
        desk: &mut Desk<'_>,
    ) -> Result<DevPayCancellation, DomainError> {
        let by = match desk.actor {
            Actor::Seller(account) | Actor::Buyer(account) => account,
            Actor::System => return Err(DomainError::NotTheBuyer),
        };
        let versioned = versioned_mut(&mut self.devpay, "DevPay subscription", &id)?;
        let done = versioned.change(|s| s.cancel(by, desk.now))?;
        desk.changed.insert(RecordKey::DevPay(id));
        Ok(done)
    }

    /// An Alibaba Cloud buyer unsubscribes: submits a ticket, which Alibaba Cloud processes
    /// later ([`Book::advance_to`]).
    fn alibaba_unsubscribe(
        &mut self,
        AlibabaUnsubscribe {
            order,
            confirm_data_deletion,
        }: AlibabaUnsubscribe,
        desk: &mut Desk<'_>,
    ) -> Result<UnsubscribeTicket, DomainError> {
        let versioned = versioned_mut(&mut self.alibaba, "Alibaba Cloud order", &order)?;
        if !matches!(desk.actor, Actor::Buyer(a) if *a == versioned.record.buyer) {
            return Err(DomainError::NotTheBuyer);
        }
        versioned.record.can_unsubscribe(confirm_data_deletion)?;
        let id = format!("ticket-{}", digits(desk));
        let ticket = versioned.change(|o| o.unsubscribe(desk.now, confirm_data_deletion, id))?;
        desk.changed.insert(RecordKey::Alibaba(order));
        Ok(ticket)
    }

    /// The legacy "Request refund" form: opens a support case at once.
    fn open_support_case(
        &mut self,
        form: &RefundForm,
        desk: &mut Desk<'_>,
    ) -> Result<SupportCaseId, DomainError> {
        let seller = seller_of(desk.actor)?;
        let id = SupportCaseId::new(format!("case-{}", digits(desk)));
        let mut case = SupportCase::open(seller.clone(), form, id.clone(), desk.now)?;
        // Only a case that asks a cancellation may come to need the buyer's approval.
        if case.cancel_effective.is_some() {
            case.buyer_link_secret = Some(desk.ids.link_secret());
        }
        self.support_cases.insert(
            id.clone(),
            Versioned {
                version: 1,
                record: case,
            },
        );
        desk.changed.insert(RecordKey::SupportCase(id.clone()));
        Ok(id)
    }

    /// The seller's reply on one of its support cases.
    fn reply_to_support_case(
        &mut self,
        ReplyToSupportCase { case, text }: ReplyToSupportCase,
        desk: &mut Desk<'_>,
    ) -> Result<(), DomainError> {
        let seller = seller_of(desk.actor)?;
        let versioned = versioned_mut(&mut self.support_cases, "support case", &case)?;
        if &versioned.record.seller != seller {
            return Err(DomainError::NotTheSeller);
        }
        versioned.change(|c| c.reply(&text, desk.now))?;
        desk.changed.insert(RecordKey::SupportCase(case));
        Ok(())
    }

    /// The buyer's answer on a support case AWS asked them about.
    fn answer_support_case(
        &mut self,
        AnswerSupportCase { case, approve }: AnswerSupportCase,
        desk: &mut Desk<'_>,
    ) -> Result<(), DomainError> {
        let versioned = versioned_mut(&mut self.support_cases, "support case", &case)?;
        if !matches!(desk.actor, Actor::Buyer(a) if *a == versioned.record.subscriber) {
            return Err(DomainError::NotTheBuyer);
        }
        versioned.change(|c| c.answer_as_buyer(approve, None, desk.now))?;
        desk.changed.insert(RecordKey::SupportCase(case));
        Ok(())
    }
}

/// A number for an ID that AWS writes in digits (a support case's, a ticket's), from the
/// shell's ID source.
fn digits(desk: &mut Desk<'_>) -> String {
    desk.ids
        .next_suffix()
        .bytes()
        .map(|b| char::from(b'0' + b % 10))
        .collect()
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

/// The account of a seller acting, or the refusal every seller's action gives anyone else.
fn seller_of(actor: &Actor) -> Result<&AccountId, DomainError> {
    match actor {
        Actor::Seller(account) => Ok(account),
        _ => Err(DomainError::NotTheSeller),
    }
}

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
    let mut desk = Desk {
        actor: &seller,
        now: record.agreement.start,
        ids: &mut SequentialIds::default(),
        changed: BTreeSet::new(),
        events: Vec::new(),
    };
    let result = book.batch(entries, &mut desk)?;
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

/// The commands on one agreement's cancellation requests: their reply, their record and
/// their handler.
macro_rules! request_command {
    ($command:ty, $reply:ty, |$it:ident, $book:ident, $desk:ident| $body:expr) => {
        impl Command for $command {
            type Reply = $reply;
            type Error = DomainError;

            fn record(&self, _: &Book) -> Option<RecordKey> {
                Some(RecordKey::Agreement(self.agreement_id.clone()))
            }

            fn carry_out(
                self,
                $book: &mut Book,
                $desk: &mut Desk<'_>,
            ) -> Result<$reply, DomainError> {
                let $it = self;
                $body
            }
        }
    };
}

request_command!(SendCancellation, RequestId, |it, book, desk| book
    .send(it, desk));
request_command!(AcceptCancellation, (), |it, book, desk| {
    book.decide(it.agreement_id, it.request_id, Resolution::Accept, desk)
});
request_command!(RejectCancellation, (), |it, book, desk| {
    let decision = Resolution::Reject(it.reason);
    book.decide(it.agreement_id, it.request_id, decision, desk)
});
request_command!(WithdrawCancellation, (), |it, book, desk| {
    let decision = Resolution::Withdraw(it.reason);
    book.decide(it.agreement_id, it.request_id, decision, desk)
});
request_command!(CancelAgreementAsBuyer, BuyerCancelled, |it, book, desk| {
    book.cancel_as_buyer(it, desk)
});

/// The commands that act on one record of another family, named by `$record`.
macro_rules! family_command {
    (
        $command:ty,
        $reply:ty,
        |$named:ident| $record:expr,
        |$it:ident, $book:ident, $desk:ident| $body:expr
    ) => {
        impl Command for $command {
            type Reply = $reply;
            type Error = DomainError;

            fn record(&self, _: &Book) -> Option<RecordKey> {
                let $named = self;
                $record
            }

            fn carry_out(
                self,
                $book: &mut Book,
                $desk: &mut Desk<'_>,
            ) -> Result<$reply, DomainError> {
                let $it = self;
                $body
            }
        }
    };
}

family_command!(
    BatchCreateAdjustments,
    BatchResult,
    |it| it
        .entries
        .first()
        .and_then(|e| AgreementId::parse(&e.agreement_id).ok())
        .map(RecordKey::Agreement),
    |it, book, desk| book.batch(it.entries, desk)
);
family_command!(
    FpsCancelAndRefund,
    FpsResult,
    |it| Some(RecordKey::Fps(it.subscription.clone())),
    |it, book, desk| book.fps_cancel_and_refund(it, desk)
);
family_command!(
    DevPayCancel,
    DevPayCancellation,
    |it| Some(RecordKey::DevPay(it.subscription.clone())),
    |it, book, desk| book.devpay_cancel(it.subscription, desk)
);
family_command!(
    AlibabaUnsubscribe,
    UnsubscribeTicket,
    |it| Some(RecordKey::Alibaba(it.order.clone())),
    |it, book, desk| book.alibaba_unsubscribe(it, desk)
);
family_command!(
    OpenSupportCase,
    SupportCaseId,
    |_it| None,
    |it, book, desk| book.open_support_case(&it.form, desk)
);
family_command!(
    ReplyToSupportCase,
    (),
    |it| Some(RecordKey::SupportCase(it.case.clone())),
    |it, book, desk| book.reply_to_support_case(it, desk)
);
family_command!(
    AnswerSupportCase,
    (),
    |it| Some(RecordKey::SupportCase(it.case.clone())),
    |it, book, desk| book.answer_support_case(it, desk)
);

/// How a party ends a pending request, with the reason each needs.
enum Resolution {
    Accept,
    Reject(String),
    Withdraw(String),
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::book::tests::*;
    use crate::cancellation::CancellationError;
    use crate::families::fps::FpsCall;

    #[test]
    fn sending_creates_a_pending_request_and_tells_both_sides() {
        let mut book = book();
        let mut ids = SequentialIds::default();
        let (_, outcome) = book
            .apply(send("form-1"), &Actor::Seller(seller()), t(0), &mut ids)
            .unwrap();
        let types: Vec<_> = outcome
            .bus_events(&book)
            .iter()
            .map(|e| e.detail_type.to_string())
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
        assert_eq!(reply, first);
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
        let accept = AcceptCancellation {
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
        let withdraw = WithdrawCancellation {
            agreement_id: id(),
            request_id: request_id.clone(),
            reason: "Buyer renewed their commitment".into(),
        };
        book.apply(withdraw, &Actor::Seller(seller()), t(1), &mut ids)
            .unwrap();
        let before = book.clone();
        let accept = AcceptCancellation {
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
    fn a_batch_creates_what_is_valid_and_reports_what_is_not() {
        let mut book = book();
        let mut ids = SequentialIds::default();
        let batch = BatchCreateAdjustments {
            entries: vec![
                entry("inv-1", "400.00", "b-1"),
                entry("inv-1", "700.00", "b-2"),
                entry("inv-9", "1.00", "b-3"),
                entry("inv-2", "10.00", "b-4"),
            ],
        };
        let (result, outcome) = book
            .apply(batch, &Actor::Seller(seller()), t(0), &mut ids)
            .unwrap();
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
            .bus_events(&book)
            .iter()
            .map(|e| e.detail_type.to_string())
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
        let batch = BatchCreateAdjustments {
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
        let other = BatchCreateAdjustments {
            entries: vec![entry("inv-1", "11.00", "b-1")],
        };
        let (result, _) = book
            .apply(other, &Actor::Seller(seller()), t(0), &mut ids)
            .unwrap();
        assert!(matches!(
            &result.entries[0],
            BatchEntryResult::Failed { error, .. } if error.code == BatchErrorCode::ConflictException
        ));
    }

    #[test]
    fn batches_hold_one_to_five_entries_of_one_agreement() {
        let mut book = book();
        let mut ids = SequentialIds::default();
        let empty = BatchCreateAdjustments { entries: vec![] };
        assert_eq!(
            book.apply(empty, &Actor::Seller(seller()), t(0), &mut ids),
            Err(DomainError::BatchSize(0))
        );
        let six = BatchCreateAdjustments {
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
        let mixed = BatchCreateAdjustments {
            entries: vec![entry("inv-1", "1", "y"), other],
        };
        assert_eq!(
            book.apply(mixed, &Actor::Seller(seller()), t(0), &mut ids),
            Err(DomainError::MixedAgreements)
        );
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
        let fps = |call: &FpsCall| FpsCancelAndRefund {
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
        let devpay_cancel = DevPayCancel {
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
        let unsubscribe = AlibabaUnsubscribe {
            order: order_id,
            confirm_data_deletion: true,
        };
        assert_eq!(
            book.apply(unsubscribe, &Actor::Buyer(stranger), now, &mut ids),
            Err(DomainError::NotTheBuyer)
        );
    }

    fn book_priced(pricing: crate::cancellation::PricingModel) -> Book {
        let mut book = book();
        let mut changed = BTreeSet::new();
        book.records
            .update(&id(), &mut changed, |r| {
                r.agreement.pricing = pricing;
                Ok::<_, DomainError>(())
            })
            .unwrap()
            .unwrap();
        book
    }

    fn cancel_as_buyer(reason: Option<&str>) -> CancelAgreementAsBuyer {
        CancelAgreementAsBuyer {
            agreement_id: id(),
            reason: reason.map(Into::into),
        }
    }

    #[test]
    fn a_buyer_cancels_a_usage_based_agreement_at_once_with_no_refund_and_no_event() {
        use crate::cancellation::PricingModel;
        let mut book = book_priced(PricingModel::Usage);
        let before = book.record(&id()).unwrap().clone();
        let mut ids = SequentialIds::default();
        let (reply, outcome) = book
            .apply(
                cancel_as_buyer(Some("Moving to a self-hosted build")),
                &Actor::Buyer(buyer()),
                t(5),
                &mut ids,
            )
            .unwrap();
        assert_eq!(
            reply,
            BuyerCancelled {
                agreement_id: id(),
                status: AgreementStatus::Cancelled,
                at: t(5),
            }
        );
        assert!(outcome.events.is_empty(), "source 004 gives no such event");
        assert_eq!(
            outcome.changed,
            BTreeSet::from([RecordKey::Agreement(id())])
        );
        let after = book.record(&id()).unwrap();
        assert_eq!(after.agreement.status, AgreementStatus::Cancelled);
        assert_eq!(after.agreement.cancelled_by_buyer, Some(t(5)));
        assert_eq!(after.invoices, before.invoices, "nothing is refunded");
        let line = after.history.last().unwrap();
        assert_eq!(&*line.reason, "Moving to a self-hosted build");
        let again = book.apply(
            cancel_as_buyer(None),
            &Actor::Buyer(buyer()),
            t(6),
            &mut ids,
        );
        assert!(matches!(
            again,
            Err(DomainError::NotSelfService(
                crate::agreement::NotSelfService::NotActive(AgreementStatus::Cancelled)
            ))
        ));
    }

    #[test]
    fn only_the_buyer_may_and_not_where_the_seller_must_start_it() {
        use crate::agreement::NotSelfService;
        use crate::cancellation::PricingModel;
        let mut ids = SequentialIds::default();
        let mut usage = book_priced(PricingModel::Usage);
        let as_seller = usage.apply(
            cancel_as_buyer(None),
            &Actor::Seller(seller()),
            t(0),
            &mut ids,
        );
        assert_eq!(as_seller, Err(DomainError::NotTheBuyer));
        // The fixture's contract is a month old, on an offer the directory does not hold.
        for (pricing, why) in [
            (PricingModel::Contract, NotSelfService::OfferUnknown),
            (PricingModel::Unknown, NotSelfService::PricingUnknown),
        ] {
            let mut book = book_priced(pricing);
            let before = book.clone();
            let refused = book.apply(
                cancel_as_buyer(None),
                &Actor::Buyer(buyer()),
                t(0),
                &mut ids,
            );
            assert_eq!(refused, Err(DomainError::NotSelfService(why)));
            assert_eq!(book, before);
        }
    }

    #[test]
    fn a_seller_request_waiting_for_the_buyer_is_answered_rather_than_overtaken() {
        use crate::cancellation::PricingModel;
        let mut book = book_priced(PricingModel::Usage);
        let mut ids = SequentialIds::default();
        let request = sent(&mut book, &mut ids);
        assert_eq!(
            book.buyer_may_cancel(&id(), t(1)),
            Err(DomainError::SellerRequestWaiting(request.clone()))
        );
        let refused = book.apply(
            cancel_as_buyer(None),
            &Actor::Buyer(buyer()),
            t(1),
            &mut ids,
        );
        assert_eq!(
            refused,
            Err(DomainError::SellerRequestWaiting(request.clone()))
        );
        assert!(refused
            .unwrap_err()
            .to_string()
            .contains("approve it to end the agreement"));
        let withdraw = WithdrawCancellation {
            agreement_id: id(),
            request_id: request,
            reason: "Sent to the wrong agreement by mistake".into(),
        };
        book.apply(withdraw, &Actor::Seller(seller()), t(2), &mut ids)
            .unwrap();
        assert_eq!(book.buyer_may_cancel(&id(), t(3)), Ok(()));
    }
}
