//! Requests and adjustments exactly as the AWS Marketplace Agreement API returns them, for
//! export: GetAgreementCancellationRequest, GetBillingAdjustmentRequest,
//! BatchCreateBillingAdjustmentRequest and the List operations (at most 50 items a page).
//! Field names, enums and limits follow the SDK's service model (checked in
//! `core/tests/api_shapes.rs`); timestamps are ISO-8601 UTC.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::adjustment::BillingAdjustment;
use crate::book::{BatchEntryResult, BatchResult, Book, PAGE_MAX};
use crate::cancellation::CancellationRequest;
use crate::ids::AccountId;

/// The catalog every request and adjustment belongs to.
pub const CATALOG: &str = "AWSMarketplace";
/// The agreement type the List operations report.
pub const AGREEMENT_TYPE: &str = "PurchaseAgreement";

fn iso(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The service model allows no empty status message: an empty one is left out.
fn message(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_string())
}

/// A cancellation request as GetAgreementCancellationRequest returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CancellationRequestOutput {
    pub agreement_cancellation_request_id: String,
    pub agreement_id: String,
    pub reason_code: String,
    pub description: String,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&CancellationRequest> for CancellationRequestOutput {
    fn from(r: &CancellationRequest) -> Self {
        CancellationRequestOutput {
            agreement_cancellation_request_id: r.id.to_string(),
            agreement_id: r.agreement_id.to_string(),
            reason_code: r.reason_code.code().into(),
            description: r.description.clone(),
            status: r.status.code().into(),
            status_message: message(&r.status_message),
            created_at: iso(r.created_at),
            updated_at: iso(r.updated_at),
        }
    }
}

/// A billing adjustment as GetBillingAdjustmentRequest returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BillingAdjustmentOutput {
    pub billing_adjustment_request_id: String,
    pub agreement_id: String,
    pub adjustment_reason_code: String,
    pub description: String,
    pub original_invoice_id: String,
    pub adjustment_amount: String,
    pub currency_code: String,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&BillingAdjustment> for BillingAdjustmentOutput {
    fn from(a: &BillingAdjustment) -> Self {
        BillingAdjustmentOutput {
            billing_adjustment_request_id: a.id.to_string(),
            agreement_id: a.agreement_id.to_string(),
            adjustment_reason_code: a.reason_code.code().into(),
            description: a.description.clone(),
            original_invoice_id: a.invoice_id.to_string(),
            adjustment_amount: a.amount.decimal_string(),
            currency_code: a.amount.currency.code().into(),
            status: a.status.code().into(),
            status_message: message(&a.status_message),
            created_at: iso(a.created_at),
            updated_at: iso(a.updated_at),
        }
    }
}

/// An entry BatchCreateBillingAdjustmentRequest created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchItem {
    pub billing_adjustment_request_id: String,
    pub client_token: String,
}

/// An entry BatchCreateBillingAdjustmentRequest refused, with its error code and message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchError {
    pub code: String,
    pub message: String,
    pub client_token: String,
}

/// BatchCreateBillingAdjustmentRequest's output: every entry, created or refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchOutput {
    pub items: Vec<BatchItem>,
    pub errors: Vec<BatchError>,
}

impl From<&BatchResult> for BatchOutput {
    fn from(result: &BatchResult) -> Self {
        let mut output = BatchOutput {
            items: Vec::new(),
            errors: Vec::new(),
        };
        for entry in &result.entries {
            match entry {
                BatchEntryResult::Created { id, client_token } => output.items.push(BatchItem {
                    billing_adjustment_request_id: id.to_string(),
                    client_token: client_token.clone(),
                }),
                BatchEntryResult::Failed {
                    client_token,
                    error,
                } => output.errors.push(BatchError {
                    code: error.code.code().into(),
                    message: error.message.clone(),
                    client_token: client_token.clone(),
                }),
            }
        }
        output
    }
}

/// One item of ListAgreementCancellationRequests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CancellationRequestSummary {
    pub agreement_cancellation_request_id: String,
    pub agreement_id: String,
    pub status: String,
    pub reason_code: String,
    pub agreement_type: String,
    pub catalog: String,
    pub created_at: String,
    pub updated_at: String,
}

/// One item of ListBillingAdjustmentRequests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BillingAdjustmentSummary {
    pub billing_adjustment_request_id: String,
    pub original_invoice_id: String,
    pub adjustment_amount: String,
    pub currency_code: String,
    pub status: String,
    pub agreement_id: String,
    pub created_at: String,
    pub updated_at: String,
    pub agreement_type: String,
    pub catalog: String,
}

/// One page of a List operation; `nextToken` is there while more pages follow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListOutput<T> {
    pub items: Vec<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

fn page<T>(all: Vec<T>, next_token: Option<&str>) -> ListOutput<T> {
    let start: usize = next_token.and_then(|t| t.parse().ok()).unwrap_or(0);
    let total = all.len();
    let items: Vec<T> = all.into_iter().skip(start).take(PAGE_MAX).collect();
    let end = start + items.len();
    ListOutput {
        items,
        next_token: (end < total).then(|| end.to_string()),
    }
}

fn requests_of<'a>(
    book: &'a Book,
    seller: &'a AccountId,
) -> impl Iterator<Item = &'a CancellationRequest> {
    book.records
        .of_seller(seller)
        .iter()
        .flat_map(|id| book.records[id].record.requests.iter())
}

fn adjustments_of<'a>(
    book: &'a Book,
    seller: &'a AccountId,
) -> impl Iterator<Item = &'a BillingAdjustment> {
    book.records
        .of_seller(seller)
        .iter()
        .flat_map(|id| book.records[id].record.adjustments.iter())
}

/// A page of the seller's cancellation requests as ListAgreementCancellationRequests
/// returns it; pass the previous page's `nextToken` for the next one.
pub fn list_cancellation_requests(
    book: &Book,
    seller: &AccountId,
    next_token: Option<&str>,
) -> ListOutput<CancellationRequestSummary> {
    let all = requests_of(book, seller)
        .map(|r| CancellationRequestSummary {
            agreement_cancellation_request_id: r.id.to_string(),
            agreement_id: r.agreement_id.to_string(),
            status: r.status.code().into(),
            reason_code: r.reason_code.code().into(),
            agreement_type: AGREEMENT_TYPE.into(),
            catalog: CATALOG.into(),
            created_at: iso(r.created_at),
            updated_at: iso(r.updated_at),
        })
        .collect();
    page(all, next_token)
}

/// A page of the seller's billing adjustments as ListBillingAdjustmentRequests returns
/// it; pass the previous page's `nextToken` for the next one.
pub fn list_billing_adjustments(
    book: &Book,
    seller: &AccountId,
    next_token: Option<&str>,
) -> ListOutput<BillingAdjustmentSummary> {
    let all = adjustments_of(book, seller)
        .map(|a| BillingAdjustmentSummary {
            billing_adjustment_request_id: a.id.to_string(),
            original_invoice_id: a.invoice_id.to_string(),
            adjustment_amount: a.amount.decimal_string(),
            currency_code: a.amount.currency.code().into(),
            status: a.status.code().into(),
            agreement_id: a.agreement_id.to_string(),
            created_at: iso(a.created_at),
            updated_at: iso(a.updated_at),
            agreement_type: AGREEMENT_TYPE.into(),
            catalog: CATALOG.into(),
        })
        .collect();
    page(all, next_token)
}

/// Everything a seller has sent, as GetAgreementCancellationRequest and
/// GetBillingAdjustmentRequest return each one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Export {
    pub agreement_cancellation_requests: Vec<CancellationRequestOutput>,
    pub billing_adjustment_requests: Vec<BillingAdjustmentOutput>,
}

/// The seller's "Export API JSON": all its requests and adjustments, in the Get outputs' shapes.
pub fn export(book: &Book, seller: &AccountId) -> Export {
    Export {
        agreement_cancellation_requests: requests_of(book, seller).map(Into::into).collect(),
        billing_adjustment_requests: adjustments_of(book, seller).map(Into::into).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_hold_at_most_50_and_the_token_leads_to_the_rest() {
        let first = page((0..120).collect(), None);
        assert_eq!(first.items.len(), 50);
        assert_eq!(first.next_token.as_deref(), Some("50"));
        let last = page((0..120).collect(), Some("100"));
        assert_eq!(last.items, (100..120).collect::<Vec<_>>());
        assert_eq!(last.next_token, None);
    }

    #[test]
    fn an_empty_status_message_is_left_out() {
        assert_eq!(message(""), None);
        assert_eq!(message("why").as_deref(), Some("why"));
    }
}
