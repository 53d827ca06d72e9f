//! The handlers: how the book carries out each command, in every billing family, checking
//! everything before it changes anything.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::command::{BatchEntryResult, BatchResult, Command, DomainError, Outcome, Reply};
use super::record::{Actor, AgreementRecord, EntryPlan};
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
use crate::events::{self, BusEvent, EventKind};
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
