//! Billing adjustments: refunds against one invoice of an agreement, which itself stays as
//! it is. Entries are checked when the batch is sent (each passes or fails alone, as
//! BatchCreateBillingAdjustmentRequest reports), created PENDING, and processed a minute
//! later, when billing either completes them or fails them on the invoice's payment state.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::coded::coded;
use crate::ids::{AdjustmentId, AgreementId, ClientToken, InvoiceId};
use crate::money::{Currency, Money};

/// The longest description of a billing adjustment the API accepts.
pub const DESCRIPTION_MAX: usize = 500;
/// The most entries one BatchCreateBillingAdjustmentRequest may hold.
pub const BATCH_MAX: usize = 5;
/// How long billing takes to process a created adjustment.
pub const PROCESSING_DELAY: Duration = Duration::minutes(1);

/// Why a billing adjustment is made, with the values of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AdjustmentReasonCode {
    IncorrectTermsAccepted,
    IncorrectMetering,
    TestEnvironmentCharges,
    AlternativeProcurementChannel,
    UnintendedRenewal,
    BuyerDissatisfaction,
    Other,
}

coded!(AdjustmentReasonCode {
    IncorrectTermsAccepted => "INCORRECT_TERMS_ACCEPTED", "The buyer accepted incorrect terms";
    IncorrectMetering => "INCORRECT_METERING", "Usage was metered incorrectly";
    TestEnvironmentCharges => "TEST_ENVIRONMENT_CHARGES", "Charges for a test environment";
    AlternativeProcurementChannel => "ALTERNATIVE_PROCUREMENT_CHANNEL", "Bought through another channel";
    UnintendedRenewal => "UNINTENDED_RENEWAL", "It renewed unintentionally";
    BuyerDissatisfaction => "BUYER_DISSATISFACTION", "The buyer is dissatisfied";
    Other => "OTHER", "Another reason";
});

/// Where a billing adjustment stands: created PENDING, then COMPLETED or VALIDATION_FAILED
/// when billing processes it, [`PROCESSING_DELAY`] later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AdjustmentStatus {
    Pending,
    ValidationFailed,
    Completed,
}

coded!(AdjustmentStatus {
    Pending => "PENDING", "Pending";
    ValidationFailed => "VALIDATION_FAILED", "Validation failed";
    Completed => "COMPLETED", "Completed";
});

/// An invoice of an agreement: what it charged and what has been refunded from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    pub id: InvoiceId,
    pub currency: Currency,
    pub charged_minor: i64,
    pub refunded_minor: i64,
    pub issued_at: DateTime<Utc>,
    /// Billing refunds only what was paid.
    pub paid: bool,
}

impl Invoice {
    /// What the invoice charged.
    pub fn charged(&self) -> Money {
        Money::new(self.charged_minor, self.currency)
    }

    /// What has been refunded from it so far.
    pub fn refunded(&self) -> Money {
        Money::new(self.refunded_minor, self.currency)
    }

    /// The invoice's maximum adjustment amount: what it charged minus what was refunded.
    pub fn maximum_adjustment(&self) -> Money {
        Money::new(self.charged_minor - self.refunded_minor, self.currency)
    }

    /// The rules a stored invoice must satisfy: no negative amount, never refunded above its
    /// charge.
    pub fn check(&self) -> Result<(), BrokenInvoiceRule> {
        if self.charged_minor < 0 || self.refunded_minor < 0 {
            return Err(BrokenInvoiceRule::NegativeAmount(self.id.clone()));
        }
        if self.refunded_minor > self.charged_minor {
            return Err(BrokenInvoiceRule::RefundedAboveCharge(self.id.clone()));
        }
        Ok(())
    }
}

/// A rule of [`Invoice::check`] that a stored invoice breaks, naming the invoice.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BrokenInvoiceRule {
    #[error("invoice {0} holds a negative amount")]
    NegativeAmount(InvoiceId),
    #[error("invoice {0} refunded more than it charged")]
    RefundedAboveCharge(InvoiceId),
}

/// A refund against one invoice of an agreement, as the seller applied it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingAdjustment {
    pub id: AdjustmentId,
    pub agreement_id: AgreementId,
    pub invoice_id: InvoiceId,
    pub amount: Money,
    pub reason_code: AdjustmentReasonCode,
    pub description: String,
    pub client_token: ClientToken,
    pub status: AdjustmentStatus,
    pub status_message: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl BillingAdjustment {
    /// When billing processes it: [`PROCESSING_DELAY`] after it was created.
    pub fn due_at(&self) -> DateTime<Utc> {
        self.created_at + PROCESSING_DELAY
    }
}

/// One entry of a batch, as the seller typed it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdjustmentEntry {
    pub agreement_id: String,
    pub invoice_id: String,
    pub amount: String,
    pub currency: String,
    pub reason_code: Option<AdjustmentReasonCode>,
    pub description: String,
    pub client_token: String,
}

/// The error codes of BatchCreateBillingAdjustmentRequest. The workbench gives
/// VALIDATION_EXCEPTION (a field, or an amount above what the invoice can still refund),
/// RESOURCE_NOT_FOUND_EXCEPTION (no such agreement or invoice) and CONFLICT_EXCEPTION (a client
/// token already used for another adjustment); INTERNAL_FAILURE is the API's and never
/// produced here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BatchErrorCode {
    ConflictException,
    ValidationException,
    ResourceNotFoundException,
    InternalFailure,
}

impl BatchErrorCode {
    /// The code as the API spells it.
    pub fn code(self) -> &'static str {
        match self {
            Self::ConflictException => "CONFLICT_EXCEPTION",
            Self::ValidationException => "VALIDATION_EXCEPTION",
            Self::ResourceNotFoundException => "RESOURCE_NOT_FOUND_EXCEPTION",
            Self::InternalFailure => "INTERNAL_FAILURE",
        }
    }
}

/// Why one entry of a batch was refused: the code the API uses, and a message for people.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
#[error("{message}")]
pub struct EntryError {
    pub code: BatchErrorCode,
    pub message: String,
    /// Which form field the message belongs beside.
    pub field: EntryField,
}

/// The form field an entry's error belongs beside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EntryField {
    Agreement,
    Invoice,
    RefundAmount,
    Currency,
    ReasonCode,
    Reason,
    ClientToken,
}

fn entry_error(code: BatchErrorCode, field: EntryField, message: impl Into<String>) -> EntryError {
    EntryError {
        code,
        message: message.into(),
        field,
    }
}

/// An entry whose fields are valid on their own; the book then checks it against the invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedEntry {
    pub agreement_id: AgreementId,
    pub invoice_id: InvoiceId,
    pub amount_text: String,
    pub reason_code: AdjustmentReasonCode,
    pub description: String,
    pub client_token: ClientToken,
}

/// Checks the fields that need no invoice: IDs, reason code, description, token.
pub fn check_fields(entry: &AdjustmentEntry) -> Result<CheckedEntry, EntryError> {
    use BatchErrorCode::ValidationException as V;
    let agreement_id = AgreementId::parse(&entry.agreement_id)
        .map_err(|e| entry_error(V, EntryField::Agreement, e.to_string()))?;
    let invoice_id = InvoiceId::parse(&entry.invoice_id)
        .map_err(|_| entry_error(V, EntryField::Invoice, "Choose an invoice."))?;
    let reason_code = entry
        .reason_code
        .ok_or_else(|| entry_error(V, EntryField::ReasonCode, "Choose a reason code."))?;
    let description = entry.description.clone();
    if description.trim().is_empty() {
        return Err(entry_error(V, EntryField::Reason, "A reason is required."));
    }
    let length = description.chars().count();
    if length > DESCRIPTION_MAX {
        return Err(entry_error(
            V,
            EntryField::Reason,
            format!("A reason can be at most {DESCRIPTION_MAX} characters (it has {length})."),
        ));
    }
    let client_token = ClientToken::parse(&entry.client_token)
        .map_err(|e| entry_error(V, EntryField::ClientToken, e.to_string()))?;
    Ok(CheckedEntry {
        agreement_id,
        invoice_id,
        amount_text: entry.amount.clone(),
        reason_code,
        description,
        client_token,
    })
}

/// Checks the amount against the invoice: its currency, its decimals, and what is left to
/// refund after what was refunded and what is already on its way (`pending_minor`).
pub fn check_amount(
    amount_text: &str,
    currency_text: &str,
    invoice: &Invoice,
    pending_minor: i64,
) -> Result<Money, EntryError> {
    use BatchErrorCode::ValidationException as V;
    if currency_text != invoice.currency.code() {
        return Err(entry_error(
            V,
            EntryField::Currency,
            format!(
                "Invoice {} is in {}; the refund must be in {} too.",
                invoice.id, invoice.currency, invoice.currency
            ),
        ));
    }
    let amount = Money::parse_positive(amount_text, invoice.currency)
        .map_err(|e| entry_error(V, EntryField::RefundAmount, e.to_string()))?;
    let left = invoice.maximum_adjustment().minor - pending_minor;
    if amount.minor > left {
        return Err(entry_error(
            V,
            EntryField::RefundAmount,
            format!(
                "At most {} can still be refunded on invoice {}.",
                Money::new(left.max(0), invoice.currency),
                invoice.id
            ),
        ));
    }
    Ok(amount)
}

/// The outcome of processing a pending adjustment, applied to its invoice.
pub fn process(adjustment: &mut BillingAdjustment, invoice: &mut Invoice) {
    let at = adjustment.due_at();
    adjustment.updated_at = at;
    if !invoice.paid {
        adjustment.status = AdjustmentStatus::ValidationFailed;
        adjustment.status_message = format!(
            "Invoice {} has not been paid yet, so there is nothing to refund on it.",
            invoice.id
        );
    } else if adjustment.amount.minor > invoice.maximum_adjustment().minor {
        adjustment.status = AdjustmentStatus::ValidationFailed;
        adjustment.status_message = format!(
            "Invoice {} has only {} left to refund.",
            invoice.id,
            invoice.maximum_adjustment()
        );
    } else {
        invoice.refunded_minor += adjustment.amount.minor;
        adjustment.status = AdjustmentStatus::Completed;
        adjustment.status_message = String::new();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn invoice(charged: i64, refunded: i64) -> Invoice {
        Invoice {
            id: InvoiceId::parse("2028746221").unwrap(),
            currency: Currency::USD,
            charged_minor: charged,
            refunded_minor: refunded,
            issued_at: Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
            paid: true,
        }
    }

    fn entry() -> AdjustmentEntry {
        AdjustmentEntry {
            agreement_id: "agmt-1".into(),
            invoice_id: "2028746221".into(),
            amount: "10.00".into(),
            currency: "USD".into(),
            reason_code: Some(AdjustmentReasonCode::IncorrectMetering),
            description: "Metering double-counted 3 January".into(),
            client_token: "batch-1-0".into(),
        }
    }

    fn pending(amount: i64) -> BillingAdjustment {
        let at = Utc.with_ymd_and_hms(2025, 1, 2, 0, 0, 0).unwrap();
        BillingAdjustment {
            id: AdjustmentId::parse("ba-1").unwrap(),
            agreement_id: AgreementId::parse("agmt-1").unwrap(),
            invoice_id: InvoiceId::parse("2028746221").unwrap(),
            amount: Money::new(amount, Currency::USD),
            reason_code: AdjustmentReasonCode::Other,
            description: "x".into(),
            client_token: ClientToken::parse("t").unwrap(),
            status: AdjustmentStatus::Pending,
            status_message: String::new(),
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn the_maximum_shrinks_with_each_refund_and_counts_pending_ones() {
        let inv = invoice(100_000, 30_000);
        assert_eq!(inv.maximum_adjustment(), Money::new(70_000, Currency::USD));
        assert!(check_amount("700.00", "USD", &inv, 0).is_ok());
        let error = check_amount("700.00", "USD", &inv, 1).unwrap_err();
        assert_eq!(error.field, EntryField::RefundAmount);
        assert_eq!(
            error.message,
            "At most 699.99 USD can still be refunded on invoice 2028746221."
        );
    }

    #[test]
    fn the_currency_must_be_the_invoices_and_its_decimals_respected() {
        let inv = invoice(100_000, 0);
        assert_eq!(
            check_amount("10", "EUR", &inv, 0).unwrap_err().field,
            EntryField::Currency
        );
        assert_eq!(
            check_amount("10.001", "USD", &inv, 0).unwrap_err().field,
            EntryField::RefundAmount
        );
        assert_eq!(
            check_amount("0", "USD", &inv, 0).unwrap_err().field,
            EntryField::RefundAmount
        );
    }

    #[test]
    fn descriptions_need_one_to_500_characters() {
        let mut e = entry();
        e.description = "x".repeat(500);
        assert!(check_fields(&e).is_ok());
        e.description = "x".repeat(501);
        assert_eq!(check_fields(&e).unwrap_err().field, EntryField::Reason);
        e.description = " ".into();
        assert_eq!(check_fields(&e).unwrap_err().field, EntryField::Reason);
    }

    #[test]
    fn a_missing_reason_code_or_bad_token_is_a_validation_exception() {
        let mut e = entry();
        e.reason_code = None;
        let error = check_fields(&e).unwrap_err();
        assert_eq!(
            (error.code, error.field),
            (BatchErrorCode::ValidationException, EntryField::ReasonCode)
        );
        let mut e = entry();
        e.client_token = "has space".into();
        assert_eq!(check_fields(&e).unwrap_err().field, EntryField::ClientToken);
    }

    #[test]
    fn processing_completes_a_paid_invoice_refund_at_its_due_time() {
        let mut inv = invoice(100_000, 0);
        let mut adj = pending(100_000);
        process(&mut adj, &mut inv);
        assert_eq!(adj.status, AdjustmentStatus::Completed);
        assert_eq!(adj.updated_at, adj.created_at + PROCESSING_DELAY);
        assert_eq!(inv.refunded_minor, 100_000);
        assert!(inv.check().is_ok());
    }

    #[test]
    fn processing_fails_an_unpaid_invoice_and_refunds_nothing() {
        let mut inv = invoice(100_000, 0);
        inv.paid = false;
        let mut adj = pending(5_000);
        process(&mut adj, &mut inv);
        assert_eq!(adj.status, AdjustmentStatus::ValidationFailed);
        assert!(adj.status_message.contains("has not been paid"));
        assert_eq!(inv.refunded_minor, 0);
    }

    #[test]
    fn processing_never_refunds_above_the_charge() {
        let mut inv = invoice(10_000, 9_000);
        let mut adj = pending(2_000);
        process(&mut adj, &mut inv);
        assert_eq!(adj.status, AdjustmentStatus::ValidationFailed);
        assert_eq!(inv.refunded_minor, 9_000);
    }

    #[test]
    fn codes_are_stored_as_the_api_spells_them() {
        for code in [
            BatchErrorCode::ConflictException,
            BatchErrorCode::ValidationException,
            BatchErrorCode::ResourceNotFoundException,
            BatchErrorCode::InternalFailure,
        ] {
            assert_eq!(serde_json::to_value(code).unwrap(), code.code());
        }
        for status in [
            AdjustmentStatus::Pending,
            AdjustmentStatus::ValidationFailed,
            AdjustmentStatus::Completed,
        ] {
            assert_eq!(serde_json::to_value(status).unwrap(), status.code());
        }
        for reason in AdjustmentReasonCode::ALL {
            assert_eq!(AdjustmentReasonCode::from_code(reason.code()), Some(reason));
        }
    }

    #[test]
    fn an_invoice_refunded_above_its_charge_fails_its_check() {
        assert!(invoice(100, 101).check().is_err());
        assert!(invoice(100, 100).check().is_ok());
    }

    #[test]
    fn a_broken_invoice_rule_names_the_invoice_and_the_rule() {
        let id = invoice(100, 101).id;
        assert_eq!(
            invoice(100, 101).check(),
            Err(BrokenInvoiceRule::RefundedAboveCharge(id.clone()))
        );
        assert_eq!(
            invoice(-1, 0).check().unwrap_err().to_string(),
            format!("invoice {id} holds a negative amount")
        );
        assert_eq!(
            invoice(100, 101).check().unwrap_err().to_string(),
            format!("invoice {id} refunded more than it charged")
        );
    }
}
