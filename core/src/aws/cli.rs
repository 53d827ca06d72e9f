//! "Copy AWS CLI command": the exact `aws marketplace-agreement <operation> --cli-input-json
//! '<json>'` that does in AWS what a workbench action does, built from the very command the
//! workbench sends. Where the operation takes a client token (sending a request, each
//! billing adjustment) it carries the workbench's own, so running it twice acts once.
//! Withdraw, accept and reject name the request by the ID AWS gave it, so only a request
//! imported from AWS has them. Every payload is checked against the operation's input
//! shape before it is offered: a command AWS would refuse is never copied.

use std::fmt;

use serde::Serialize;
use thiserror::Error;

use super::model::{Model, ShapeError};
use super::Operation;
use crate::adjustment::{self, AdjustmentEntry, BATCH_MAX};
use crate::book::{
    AcceptCancellation, BatchCreateAdjustments, Book, CancelAgreementAsBuyer, DomainError,
    RejectCancellation, SendCancellation, WithdrawCancellation,
};
use crate::cancellation::{self, DESCRIPTION_MAX};
use crate::ids::{AgreementId, RequestId};

/// A command to paste into a shell where the AWS CLI is set up with the seller's (or, to
/// accept, reject or cancel an agreement, the buyer's) credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliCommand {
    pub operation: Operation,
    /// The operation's input, as `--cli-input-json` takes it.
    pub input_json: String,
}

impl CliCommand {
    /// The whole command line, the JSON quoted for a POSIX shell.
    pub fn line(&self) -> String {
        format!(
            "aws marketplace-agreement {} --cli-input-json {}",
            self.operation.cli_name(),
            shell_quote(&self.input_json)
        )
    }
}

impl fmt::Display for CliCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.line())
    }
}

/// Quotes text as one word for a POSIX shell: inside single quotes nothing is special
/// (newlines and any non-ASCII text included) but the single quote itself, which closes
/// the quotes, is written escaped, and opens them again: `'\''`.
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// Why an action has no AWS CLI command, in words for the person who asked for one.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NoCliCommand {
    #[error(
        "Cancellation request {request} was made in the workbench, not in AWS, so AWS knows \
         no request by that ID: only a request imported from AWS can be {action} with the AWS CLI."
    )]
    NotFromAws {
        request: RequestId,
        /// "withdrawn", "approved" or "rejected".
        action: &'static str,
    },
    /// The workbench itself would refuse the action, for this reason.
    #[error("{0}")]
    Refused(String),
    #[error(
        "Agreement {0} was made in the workbench, not in AWS, so AWS knows no agreement by \
         that ID: only an agreement imported from AWS can be cancelled with the AWS CLI."
    )]
    AgreementNotFromAws(AgreementId),
    #[error("AWS would refuse the command: {0}")]
    DoesNotFit(ShapeError),
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SendInput<'a> {
    agreement_id: &'a str,
    reason_code: &'a str,
    description: &'a str,
    client_token: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DecideInput<'a> {
    agreement_id: &'a str,
    agreement_cancellation_request_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    cancellation_reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rejection_reason: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CancelAgreementInput<'a> {
    agreement_id: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BatchInput<'a> {
    billing_adjustment_request_entries: Vec<BatchEntry<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BatchEntry<'a> {
    agreement_id: &'a str,
    original_invoice_id: &'a str,
    adjustment_amount: &'a str,
    currency_code: &'a str,
    adjustment_reason_code: &'a str,
    description: &'a str,
    client_token: &'a str,
}

/// A command the AWS Marketplace Agreement API also takes, so it has an AWS CLI command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgreementAction {
    Send(SendCancellation),
    Withdraw(WithdrawCancellation),
    Accept(AcceptCancellation),
    Reject(RejectCancellation),
    Refund(BatchCreateAdjustments),
    /// The buyer's own cancellation, run with the buyer's credentials. Offer it where
    /// [`Book::buyer_may_cancel`] allows: AWS refuses an agreement not eligible.
    BuyerCancel(CancelAgreementAsBuyer),
}

impl From<CancelAgreementAsBuyer> for AgreementAction {
    fn from(command: CancelAgreementAsBuyer) -> Self {
        AgreementAction::BuyerCancel(command)
    }
}

impl From<SendCancellation> for AgreementAction {
    fn from(command: SendCancellation) -> Self {
        AgreementAction::Send(command)
    }
}

impl From<WithdrawCancellation> for AgreementAction {
    fn from(command: WithdrawCancellation) -> Self {
        AgreementAction::Withdraw(command)
    }
}

impl From<AcceptCancellation> for AgreementAction {
    fn from(command: AcceptCancellation) -> Self {
        AgreementAction::Accept(command)
    }
}

impl From<RejectCancellation> for AgreementAction {
    fn from(command: RejectCancellation) -> Self {
        AgreementAction::Reject(command)
    }
}

impl From<BatchCreateAdjustments> for AgreementAction {
    fn from(command: BatchCreateAdjustments) -> Self {
        AgreementAction::Refund(command)
    }
}

/// The AWS CLI command that does what `action` does in the workbench, or why there is none.
pub fn command_for(book: &Book, action: &AgreementAction) -> Result<CliCommand, NoCliCommand> {
    let refused = |e: &dyn fmt::Display| NoCliCommand::Refused(e.to_string());
    let (operation, input) = match action {
        AgreementAction::Send(SendCancellation {
            agreement_id,
            reason_code,
            description,
            details,
            client_token,
        }) => {
            let checked = cancellation::check_request(*reason_code, description, details.clone())
                .map_err(|e| refused(&e))?;
            let input = SendInput {
                agreement_id: agreement_id.as_str(),
                reason_code: checked.reason_code.code(),
                description: &checked.description,
                client_token: client_token.as_str(),
            };
            (Operation::SendAgreementCancellationRequest, json(&input))
        }
        AgreementAction::Withdraw(WithdrawCancellation {
            agreement_id,
            request_id,
            reason,
        }) => {
            from_aws(book, agreement_id, request_id, "withdrawn")?;
            cancellation::checked_text("A reason for withdrawing", reason, DESCRIPTION_MAX)
                .map_err(|e| refused(&e))?;
            let input = DecideInput {
                agreement_id: agreement_id.as_str(),
                agreement_cancellation_request_id: request_id.as_str(),
                cancellation_reason: Some(reason),
                rejection_reason: None,
            };
            (Operation::CancelAgreementCancellationRequest, json(&input))
        }
        AgreementAction::Accept(AcceptCancellation {
            agreement_id,
            request_id,
        }) => {
            from_aws(book, agreement_id, request_id, "approved")?;
            let input = DecideInput {
                agreement_id: agreement_id.as_str(),
                agreement_cancellation_request_id: request_id.as_str(),
                cancellation_reason: None,
                rejection_reason: None,
            };
            (Operation::AcceptAgreementCancellationRequest, json(&input))
        }
        AgreementAction::Reject(RejectCancellation {
            agreement_id,
            request_id,
            reason,
        }) => {
            from_aws(book, agreement_id, request_id, "rejected")?;
            cancellation::checked_text("A rejection reason", reason, DESCRIPTION_MAX)
                .map_err(|e| refused(&e))?;
            let input = DecideInput {
                agreement_id: agreement_id.as_str(),
                agreement_cancellation_request_id: request_id.as_str(),
                cancellation_reason: None,
                rejection_reason: Some(reason),
            };
            (Operation::RejectAgreementCancellationRequest, json(&input))
        }
        AgreementAction::Refund(BatchCreateAdjustments { entries }) => (
            Operation::BatchCreateBillingAdjustmentRequest,
            batch(entries)?,
        ),
        AgreementAction::BuyerCancel(CancelAgreementAsBuyer { agreement_id, .. }) => {
            if !book
                .record(agreement_id)
                .is_some_and(|r| r.from_aws.agreement)
            {
                return Err(NoCliCommand::AgreementNotFromAws(agreement_id.clone()));
            }
            let input = CancelAgreementInput {
                agreement_id: agreement_id.as_str(),
            };
            (Operation::CancelAgreement, json(&input))
        }
    };
    let model = Model::embedded();
    let value: serde_json::Value =
        serde_json::from_str(&input).expect("the input was just written as JSON");
    if let Some(problem) = model
        .check(model.input_of(operation), &value, "")
        .into_iter()
        .next()
    {
        return Err(NoCliCommand::DoesNotFit(problem));
    }
    Ok(CliCommand {
        operation,
        input_json: input,
    })
}

fn json(input: &impl Serialize) -> String {
    serde_json::to_string(input).expect("an input of strings is always JSON")
}

/// Withdraw, accept and reject name the request by its AWS ID, which only an imported
/// request has.
fn from_aws(
    book: &Book,
    agreement: &AgreementId,
    request: &RequestId,
    action: &'static str,
) -> Result<(), NoCliCommand> {
    let known = book
        .record(agreement)
        .is_some_and(|r| r.from_aws.request(request));
    if known {
        Ok(())
    } else {
        Err(NoCliCommand::NotFromAws {
            request: request.clone(),
            action,
        })
    }
}

/// A batch as the workbench checks it: 1 to 5 entries of one agreement, each entry's
/// fields valid on their own (the invoice's limits are AWS's to check).
fn batch(entries: &[AdjustmentEntry]) -> Result<String, NoCliCommand> {
    if entries.is_empty() || entries.len() > BATCH_MAX {
        return Err(NoCliCommand::Refused(
            DomainError::BatchSize(entries.len()).to_string(),
        ));
    }
    let mut checked = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let fields = adjustment::check_fields(entry)
            .map_err(|e| NoCliCommand::Refused(format!("Entry {}: {e}", i + 1)))?;
        checked.push((entry, fields));
    }
    if checked
        .iter()
        .any(|(_, c)| c.agreement_id != checked[0].1.agreement_id)
    {
        return Err(NoCliCommand::Refused(
            DomainError::MixedAgreements.to_string(),
        ));
    }
    let input = BatchInput {
        billing_adjustment_request_entries: checked
            .iter()
            .map(|(entry, c)| BatchEntry {
                agreement_id: c.agreement_id.as_str(),
                original_invoice_id: c.invoice_id.as_str(),
                adjustment_amount: c.amount_text.trim(),
                currency_code: &entry.currency,
                adjustment_reason_code: c.reason_code.code(),
                description: &c.description,
                client_token: c.client_token.as_str(),
            })
            .collect(),
    };
    Ok(json(&input))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_quote_closes_escapes_and_reopens() {
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(
            shell_quote("a\nb \"c\" $HOME `x` 日本"),
            "'a\nb \"c\" $HOME `x` 日本'"
        );
    }
}
