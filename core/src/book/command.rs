//! What a person can ask of the book, and what it answers: the command, its reply, what
//! changed, and why a command was refused.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use chrono::{DateTime, Utc};

use super::record::{Actor, EventRef};
use super::Book;
use crate::adjustment::{AdjustmentEntry, EntryError, BATCH_MAX};
use crate::agreement::{AgreementStatus, NotSelfService};
use crate::cancellation::{AdditionalDetails, CancellationError, CancellationReasonCode};
use crate::events::BusEvent;
use crate::families::alibaba::AlibabaError;
use crate::families::devpay::DevPayError;
use crate::families::fps::{FpsCall, FpsError};
use crate::families::support_case::{FormError, NotAwaitingBuyer, RefundForm};
use crate::ids::{AdjustmentId, AgreementId, ClientToken, IdSource, RequestId};
use crate::key::{
    AlibabaOrderId, DevPaySubscriptionId, FpsSubscriptionId, RecordKey, SupportCaseId,
};

/// What a person can ask of the marketplace: each kind of request is a type of its own
/// that names what the book answers, so a caller cannot expect another reply than the one
/// its command gives. [`Book::apply`] is the one way to carry one out.
pub trait Command {
    /// What the book answers when the command is carried out.
    type Reply;
    /// Why the book refused it; nothing changed.
    type Error: From<DomainError>;

    /// The stored record this command acts on, if it already exists: the shell reads it
    /// afresh from storage first, in case another tab changed it.
    fn record(&self, book: &Book) -> Option<RecordKey>;

    /// Carries the command out on `book`, at a desk that only [`Book::apply`] sets up, so
    /// nothing else can skip its catching up with time and its undoing of a refusal.
    #[doc(hidden)]
    fn carry_out(self, book: &mut Book, desk: &mut Desk<'_>) -> Result<Self::Reply, Self::Error>;
}

/// Where a command is carried out: who acts, when, fresh IDs, and what changed so far. Its
/// fields are the core's own.
pub struct Desk<'a> {
    pub(crate) actor: &'a Actor,
    pub(crate) now: DateTime<Utc>,
    pub(crate) ids: &'a mut dyn IdSource,
    pub(crate) changed: BTreeSet<RecordKey>,
    pub(crate) events: Vec<(AgreementId, EventRef)>,
}

/// The seller asks the buyer to cancel an agreement. Answers the request now in force:
/// new, or the earlier one for a repeated client token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendCancellation {
    pub agreement_id: AgreementId,
    pub reason_code: Option<CancellationReasonCode>,
    pub description: String,
    pub details: AdditionalDetails,
    pub client_token: ClientToken,
}

/// The buyer approves a pending request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptCancellation {
    pub agreement_id: AgreementId,
    pub request_id: RequestId,
}

/// The buyer rejects a pending request, with a reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectCancellation {
    pub agreement_id: AgreementId,
    pub request_id: RequestId,
    pub reason: String,
}

/// The seller withdraws a pending request, with a reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithdrawCancellation {
    pub agreement_id: AgreementId,
    pub request_id: RequestId,
    pub reason: String,
}

/// The buyer cancels an agreement themselves, where self-service allows it
/// ([`Agreement::self_service`](crate::agreement::Agreement::self_service); AWS's
/// CancelAgreement, by the acceptor). It ends the agreement and refunds nothing. AWS takes
/// no reason; one given here is kept in the agreement's history only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelAgreementAsBuyer {
    pub agreement_id: AgreementId,
    pub reason: Option<String>,
}

/// What a buyer's own cancellation changed: the agreement's new status and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuyerCancelled {
    pub agreement_id: AgreementId,
    pub status: AgreementStatus,
    pub at: DateTime<Utc>,
}

/// BatchCreateBillingAdjustmentRequest: 1 to 5 refunds of one agreement's invoices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchCreateAdjustments {
    pub entries: Vec<AdjustmentEntry>,
}

/// Amazon FPS CancelSubscriptionAndRefund, by the subscription's seller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FpsCancelAndRefund {
    pub subscription: FpsSubscriptionId,
    pub call: FpsCall,
}

/// A DevPay customer cancels (a seller is told how the customer does it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevPayCancel {
    pub subscription: DevPaySubscriptionId,
}

/// An Alibaba Cloud buyer unsubscribes by submitting a ticket; a refund that deletes data
/// needs its consent before the ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlibabaUnsubscribe {
    pub order: AlibabaOrderId,
    pub confirm_data_deletion: bool,
}

/// The legacy "Request refund" form, which opens a support case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenSupportCase {
    pub form: RefundForm,
}

/// The seller's reply on one of its support cases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyToSupportCase {
    pub case: SupportCaseId,
    pub text: String,
}

/// The buyer approves or rejects the cancellation AWS asks them about on a support case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerSupportCase {
    pub case: SupportCaseId,
    pub approve: bool,
}

/// A decision receipt the buyer sent from another device, pasted or opened as a link,
/// applied at the time the buyer decided. It applies once; again, it changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyReceipt {
    pub code: String,
}

/// Removes closed agreements from the book, once the person has them in a downloaded
/// archive ([`Book::closed_archive`](crate::book::Book::closed_archive)). One that is no
/// longer closed (it changed since) stays. Answers how many were removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveClosed {
    pub agreements: Vec<AgreementId>,
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

/// What a command or the passing of time did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The events, in time order, as the agreement that keeps each and where it stands
    /// there; [`Outcome::bus_events`] builds them for a caller that reads them. Building
    /// them here, 20,000 events with two SHA-256 IDs each, took the sweep that approves
    /// 10,000 requests from 46 ms to 82 ms, past its budget of 50, and the app reads none.
    pub events: Vec<(AgreementId, EventRef)>,
    /// The records whose content changed, of any kind, for storage to write.
    pub changed: BTreeSet<RecordKey>,
}

impl Outcome {
    /// The agreements among the records that changed.
    pub fn agreements(&self) -> impl Iterator<Item = &AgreementId> {
        self.changed.iter().filter_map(RecordKey::agreement)
    }

    /// The events, exactly as the buses delivered them, built from `book` as this outcome
    /// left it: those of records since removed are left out.
    pub fn bus_events(&self, book: &Book) -> Vec<BusEvent> {
        self.events
            .iter()
            .filter_map(|(id, event)| book.record(id)?.bus_event(event))
            .collect()
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
    NotSelfService(#[from] NotSelfService),
    #[error("The seller's cancellation request {0} is waiting for your answer: approve it to end the agreement.")]
    SellerRequestWaiting(RequestId),
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
    #[error("{0}")]
    CaseAnswer(#[from] NotAwaitingBuyer),
    #[error("Agreement {0} changed in the workbench since the import was previewed; nothing was imported. Look at the import again.")]
    ImportOutdated(AgreementId),
}
