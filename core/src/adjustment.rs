//! Billing adjustments: refunds against one invoice of an agreement, which itself stays as
//! it is. Entries are checked when the batch is sent (each passes or fails alone, as
//! BatchCreateBillingAdjustmentRequest reports), created PENDING, and processed a minute
//! later, when billing either completes them or fails them on the invoice's payment state.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::agreement::Agreement;
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

/// How long after a free trial converts to paid AWS may refund, on the seller's behalf,
/// the software charges that accrue (the seller guide's "Product refunds").
pub const FREE_TRIAL_REFUND_WINDOW: Duration = Duration::days(7);

/// Whether AWS may already have refunded `invoice` on the seller's behalf: some of its
/// charges accrued within [`FREE_TRIAL_REFUND_WINDOW`] of the agreement's free trial
/// converting to paid. An invoice's charges accrue after the invoice before it (of
/// `invoices`, the agreement's), or the agreement's start, up to its own issue; it is
/// inside when that span meets the window.
pub fn may_be_refunded_by_aws(
    agreement: &Agreement,
    invoice: &Invoice,
    invoices: &[Invoice],
) -> bool {
    let Some(converted) = agreement.free_trial_converted else {
        return false;
    };
    let accrued_from = invoices
        .iter()
        .map(|i| i.issued_at)
        .filter(|at| *at < invoice.issued_at)
        .max()
        .unwrap_or(agreement.start);
    invoice.issued_at > converted && accrued_from < converted + FREE_TRIAL_REFUND_WINDOW
}

/// The warning the adjustment form shows for such an invoice, so that no charge is
/// refunded twice.
pub fn free_trial_warning(
    agreement: &Agreement,
    invoice: &Invoice,
    invoices: &[Invoice],
) -> Option<String> {
    let converted = agreement.free_trial_converted?;
    may_be_refunded_by_aws(agreement, invoice, invoices).then(|| {
        format!(
            "Invoice {} holds charges from the first {} days after this agreement's free trial \
             converted to paid ({}). AWS may already have refunded those on your behalf: check \
             the invoice's credit memos before refunding, so no charge is refunded twice.",
            invoice.id,
            FREE_TRIAL_REFUND_WINDOW.num_days(),
            converted.format("%Y-%m-%d %H:%M UTC")
        )
    })
}

/// Where the money of a billing adjustment goes, as the buyer guide tells it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RefundDestination {
    /// Back to the card or bank account that paid the invoice.
    PaymentMethod { invoice: InvoiceId },
    /// It lowers what is still owed on the invoice, which is not paid yet.
    UnpaidInvoice { invoice: InvoiceId },
    /// Nowhere: billing refused it (its status message says why).
    Nowhere,
}

impl RefundDestination {
    /// Where an adjustment's money goes, from its status and whether its invoice is paid.
    pub fn of(adjustment: &BillingAdjustment, invoice: &Invoice) -> RefundDestination {
        let id = invoice.id.clone();
        match adjustment.status {
            AdjustmentStatus::ValidationFailed => RefundDestination::Nowhere,
            _ if invoice.paid => RefundDestination::PaymentMethod { invoice: id },
            _ => RefundDestination::UnpaidInvoice { invoice: id },
        }
    }

    /// In words, for the buyer; the credit memo is how AWS shows every adjustment.
    pub fn words(&self) -> String {
        match self {
            RefundDestination::PaymentMethod { invoice } => format!(
                "Back to the card or bank account that paid invoice {invoice}, shown as a \
                 credit memo in your AWS billing account"
            ),
            RefundDestination::UnpaidInvoice { invoice } => format!(
                "It lowers what you still owe on invoice {invoice}, which is not paid yet; \
                 you see it as a credit memo"
            ),
            RefundDestination::Nowhere => "Nowhere: billing did not make this refund".into(),
        }
    }

    /// When the money arrives, as source 001 gives it for a refund, counted from when the
    /// adjustment was processed (`processed` `None`: not yet).
    pub fn timing(&self, processed: Option<DateTime<Utc>>) -> Option<String> {
        let RefundDestination::PaymentMethod { .. } = self else {
            return None;
        };
        let when = |at: DateTime<Utc>| at.format("%Y-%m-%d").to_string();
        Some(match processed {
            None => "Once processed: within 24 to 48 hours in your AWS billing account, and up \
                     to 5 business days more to reach your bank account"
                .into(),
            Some(at) => format!(
                "In your AWS billing account by {}; in your bank account by {} at the latest",
                when(at + REFUND_IN_BILLING_ACCOUNT_WITHIN),
                when(add_business_days(at, REFUND_IN_BANK_BUSINESS_DAYS))
            ),
        })
    }
}

/// Source 001: a processed refund appears in the AWS billing account within 24 to 48 hours.
pub const REFUND_IN_BILLING_ACCOUNT_WITHIN: Duration = Duration::hours(48);
/// Source 001: and may take up to 5 business days to be reflected in the bank account.
pub const REFUND_IN_BANK_BUSINESS_DAYS: u32 = 5;

/// `days` business days (Monday to Friday) after `at`; public holidays are not known.
fn add_business_days(at: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    use chrono::{Datelike, Weekday};
    let mut day = at;
    let mut left = days;
    while left > 0 {
        day += Duration::days(1);
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    day
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

    mod free_trial_and_destination {
        use super::*;
        use crate::agreement::AgreementStatus;
        use crate::cancellation::PricingModel;
        use crate::ids::{AccountId, OfferId, ProductId};

        fn day(n: i64) -> DateTime<Utc> {
            Utc.with_ymd_and_hms(2025, 3, 3, 9, 0, 0).unwrap() + Duration::days(n)
        }

        fn converted_on(day_converted: Option<i64>) -> Agreement {
            Agreement {
                id: AgreementId::parse("agmt-1").unwrap(),
                seller: AccountId::parse("111122223333").unwrap(),
                buyer: AccountId::parse("444455556666").unwrap(),
                product: ProductId::parse("prod-1").unwrap(),
                offer: OfferId::parse("offer-1").unwrap(),
                status: AgreementStatus::Active,
                start: day(0),
                end: None,
                renewal: None,
                pricing: PricingModel::Usage,
                free_trial_converted: day_converted.map(day),
                cancelled_by_buyer: None,
            }
        }

        fn issued(id: &str, on: i64) -> Invoice {
            Invoice {
                id: InvoiceId::parse(id).unwrap(),
                issued_at: day(on),
                ..invoice(5_000, 0)
            }
        }

        #[test]
        fn invoices_whose_charges_meet_the_seven_days_after_conversion_may_be_refunded_by_aws() {
            let agreement = converted_on(Some(30));
            let invoices = [
                issued("1", 30),
                issued("2", 35),
                issued("3", 40),
                issued("4", 70),
            ];
            let inside: Vec<bool> = invoices
                .iter()
                .map(|i| may_be_refunded_by_aws(&agreement, i, &invoices))
                .collect();
            // The trial's own invoice (issued at the conversion) charged nothing after it;
            // the next two accrued within the 7 days; the fourth began on day 40.
            assert_eq!(inside, [false, true, true, false]);
            let warning = free_trial_warning(&agreement, &invoices[1], &invoices).unwrap();
            assert!(warning.contains("AWS may already have refunded those on your behalf"));
            assert_eq!(
                free_trial_warning(&agreement, &invoices[3], &invoices),
                None
            );
            let no_trial = converted_on(None);
            assert!(!invoices
                .iter()
                .any(|i| may_be_refunded_by_aws(&no_trial, i, &invoices)));
        }

        fn adjustment(status: AdjustmentStatus) -> BillingAdjustment {
            BillingAdjustment {
                id: AdjustmentId::parse("ba-1").unwrap(),
                agreement_id: AgreementId::parse("agmt-1").unwrap(),
                invoice_id: InvoiceId::parse("2028746221").unwrap(),
                amount: Money::new(1_000, Currency::USD),
                reason_code: AdjustmentReasonCode::IncorrectMetering,
                description: "Metering double-counted 3 January".into(),
                client_token: ClientToken::parse("batch-1-0").unwrap(),
                status,
                status_message: String::new(),
                created_at: day(0),
                updated_at: day(0),
            }
        }

        #[test]
        fn the_money_goes_to_what_paid_the_invoice_or_off_what_is_still_owed() {
            let paid = invoice(10_000, 0);
            let unpaid = Invoice {
                paid: false,
                ..paid.clone()
            };
            let done = adjustment(AdjustmentStatus::Completed);
            let to_card = RefundDestination::of(&done, &paid);
            assert!(to_card
                .words()
                .starts_with("Back to the card or bank account"));
            assert!(RefundDestination::of(&done, &unpaid)
                .words()
                .starts_with("It lowers what you still owe on invoice 2028746221"));
            let failed = adjustment(AdjustmentStatus::ValidationFailed);
            assert_eq!(
                RefundDestination::of(&failed, &paid),
                RefundDestination::Nowhere
            );
            // Processed on Monday 3 March 2025: billing account by Wednesday the 5th, bank by
            // Monday the 10th (5 business days, the weekend skipped).
            assert_eq!(
                to_card.timing(Some(day(0))).unwrap(),
                "In your AWS billing account by 2025-03-05; in your bank account by 2025-03-10 \
                 at the latest"
            );
            assert!(to_card
                .timing(None)
                .unwrap()
                .contains("within 24 to 48 hours"));
            assert_eq!(RefundDestination::Nowhere.timing(Some(day(0))), None);
        }
    }
}
