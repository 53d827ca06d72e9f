//! The handlers: how the book carries out each command, in every billing family, checking
//! everything before it changes anything.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::command::{BatchEntryResult, BatchResult, Command, DomainError, Outcome, Reply};
use super::record::{Actor, AgreementRecord, EntryPlan, EventRef, EventSource};
use super::records::Versioned;
use super::Book;
use crate::adjustment::{
    self, AdjustmentEntry, AdjustmentStatus, BatchErrorCode, BillingAdjustment, EntryError,
    EntryField, BATCH_MAX,
};
use crate::agreement::AgreementStatus;
use crate::cancellation::{
    self, AdditionalDetails, CancellationReasonCode, CancellationRequest, RequestStatus,
};
use crate::families::fps::{self, FpsCall};
use crate::families::support_case::{RefundForm, SupportCase};
use crate::ids::{
    AccountId, AdjustmentId, AgreementId, ClientToken, IdSource, RequestId, SequentialIds,
};
use crate::key::{
    AlibabaOrderId, DevPaySubscriptionId, FpsSubscriptionId, RecordKey, SupportCaseId,
};

impl Book {
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
            } => self.decide(agreement_id, request_id, Resolution::Accept, actor, now),
            Command::RejectCancellation {
                agreement_id,
                request_id,
                reason,
            } => {
                let decision = Resolution::Reject(reason);
                self.decide(agreement_id, request_id, decision, actor, now)
            }
            Command::WithdrawCancellation {
                agreement_id,
                request_id,
                reason,
            } => {
                let decision = Resolution::Withdraw(reason);
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
            Command::ImportFromAws { import } => {
                self.import_from_aws(import, now).map(|(reply, changed)| {
                    outcome.changed.extend(changed);
                    (reply, None, Vec::new())
                })
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
        let id = request.id.clone();
        let events = self.records.update(&draft.agreement_id, |v| {
            v.record.log(
                now,
                actor,
                "Sent a cancellation request",
                &request.description,
            );
            v.record.requests.push(request);
            v.version += 1;
            let sent = EventSource::Request {
                index: v.record.requests.len() - 1,
                settled: false,
            };
            v.record.add_events(sent)
        });
        let events = events
            .expect("the record was found above")
            .map(|e| (draft.agreement_id.clone(), e))
            .collect();
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
        decision: Resolution,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Handled, DomainError> {
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
            .update(&agreement_id, |v| {
                let record = &mut v.record;
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
                v.version += 1;
                let settled = EventSource::Request {
                    index: position,
                    settled: true,
                };
                Ok::<_, DomainError>(record.add_events(settled))
            })
            .expect("the record was found above")?;
        let events = events.map(|e| (agreement_id.clone(), e)).collect();
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

    // The commands of the other billing families: each changes one record of its family.

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
type Handled = (Reply, Option<RecordKey>, Vec<(AgreementId, EventRef)>);

/// A cancellation request as the seller sends it, before it is checked.
struct Draft {
    agreement_id: AgreementId,
    reason_code: Option<CancellationReasonCode>,
    description: String,
    details: AdditionalDetails,
    client_token: ClientToken,
}

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
}
