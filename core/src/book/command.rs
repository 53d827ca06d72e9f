//! What a person can ask of the book, and what it answers: the command, its reply, what
//! changed, and why a command was refused.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::record::EventRef;
use super::Book;
use crate::adjustment::{AdjustmentEntry, EntryError, BATCH_MAX};
use crate::agreement::AgreementStatus;
use crate::aws::import::{AwsImport, Imported};
use crate::cancellation::{AdditionalDetails, CancellationError, CancellationReasonCode};
use crate::events::BusEvent;
use crate::families::alibaba::{AlibabaError, AlibabaRefund};
use crate::families::devpay::{DevPayCancellation, DevPayError};
use crate::families::fps::{FpsCall, FpsError, FpsResult};
use crate::families::support_case::{FormError, RefundForm};
use crate::ids::{AdjustmentId, AgreementId, ClientToken, RequestId};
use crate::key::{
    AlibabaOrderId, DevPaySubscriptionId, FpsSubscriptionId, RecordKey, SupportCaseId,
};

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
    /// Amazon FPS CancelSubscriptionAndRefund, by the subscription's seller.
    FpsCancelAndRefund {
        subscription: FpsSubscriptionId,
        call: FpsCall,
    },
    /// A DevPay customer cancels (a seller is told how the customer does it).
    DevPayCancel {
        subscription: DevPaySubscriptionId,
    },
    /// An Alibaba Cloud buyer unsubscribes; a refund that deletes data needs its consent.
    AlibabaUnsubscribe {
        order: AlibabaOrderId,
        confirm_data_deletion: bool,
    },
    /// The legacy "Request refund" form, which opens a support case.
    OpenSupportCase {
        form: RefundForm,
    },
    /// The seller's reply on one of its support cases.
    ReplyToSupportCase {
        case: SupportCaseId,
        text: String,
    },
    /// What the AWS CLI printed, as the person confirmed it from
    /// [`Book::preview_import`](crate::book::Book::preview_import).
    ImportFromAws {
        import: AwsImport,
    },
}

impl Command {
    /// The stored record this command acts on, if it already exists: the shell reads it
    /// afresh from storage first, in case another tab changed it.
    pub fn record(&self) -> Option<RecordKey> {
        match self {
            Command::SendCancellation { agreement_id, .. }
            | Command::AcceptCancellation { agreement_id, .. }
            | Command::RejectCancellation { agreement_id, .. }
            | Command::WithdrawCancellation { agreement_id, .. } => {
                Some(RecordKey::Agreement(agreement_id.clone()))
            }
            Command::BatchCreateAdjustments { entries } => entries
                .first()
                .and_then(|e| AgreementId::parse(&e.agreement_id).ok())
                .map(RecordKey::Agreement),
            Command::FpsCancelAndRefund { subscription, .. } => {
                Some(RecordKey::Fps(subscription.clone()))
            }
            Command::DevPayCancel { subscription } => Some(RecordKey::DevPay(subscription.clone())),
            Command::AlibabaUnsubscribe { order, .. } => Some(RecordKey::Alibaba(order.clone())),
            Command::OpenSupportCase { .. } | Command::ImportFromAws { .. } => None,
            Command::ReplyToSupportCase { case, .. } => Some(RecordKey::SupportCase(case.clone())),
        }
    }
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

/// What a command answers, beside what it changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reply {
    /// The request now in force: new, or the earlier one for a repeated client token.
    Request(RequestId),
    Batch(BatchResult),
    Fps(FpsResult),
    DevPay(DevPayCancellation),
    Alibaba(AlibabaRefund),
    /// The support case just opened.
    SupportCase(SupportCaseId),
    Imported(Imported),
    Done,
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
    #[error("Agreement {0} changed in the workbench since the import was previewed; nothing was imported. Look at the import again.")]
    ImportOutdated(AgreementId),
}
