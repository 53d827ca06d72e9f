//! The form of one FPS subscription's CancelSubscriptionAndRefund call, as plain data:
//! which of the two calls the seller is making, what was typed, the caller reference drawn
//! when the form opened, and the refusal with the field it belongs to: the core's refusal
//! of the call, or its refusal of a refund that was all the call would have done. The core
//! decides everything else; `fps_actions` only draws it, so all of it is tested natively.

use workbench_core::book::{DomainError, FpsCancelAndRefund};
use workbench_core::families::fps::{FpsCall, FpsError, FpsResult, RefundFailure};
use workbench_core::key::FpsSubscriptionId;

use crate::error::AppError;

/// The seller's two calls on a subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FpsAction {
    /// "Cancel subscription": no refund.
    Cancel,
    /// "Cancel and refund": a refund from the last payment, in the same call.
    CancelAndRefund,
}

impl FpsAction {
    /// The button that opens the form, and the form's heading.
    pub fn label(self) -> &'static str {
        match self {
            FpsAction::Cancel => "Cancel subscription",
            FpsAction::CancelAndRefund => "Cancel and refund",
        }
    }

    /// The button that sends the call.
    pub fn confirm_label(self) -> &'static str {
        match self {
            FpsAction::Cancel => "Confirm cancellation",
            FpsAction::CancelAndRefund => "Confirm cancel and refund",
        }
    }

    /// Whether the call asks for a refund, and the form for its amount and caller reference.
    pub fn refunds(self) -> bool {
        self == FpsAction::CancelAndRefund
    }
}

/// Where a refused call's message belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallField {
    CallerReference,
    /// RefundAmount.Value.
    Amount,
    /// RefundAmount.CurrencyCode.
    Currency,
    /// The form as a whole: the subscription's state, or a change that was not saved.
    Form,
}

impl CallField {
    /// The field `error` is about: the core's refusals of the caller reference sit beside
    /// it, every other refusal under the form.
    pub fn of(error: &AppError) -> CallField {
        match error {
            AppError::Domain(DomainError::Fps(
                FpsError::CallerReferenceRequired | FpsError::CallerReferenceTooLong(_),
            )) => CallField::CallerReference,
            _ => CallField::Form,
        }
    }

    /// The field a failed refund is about: the currency, or the amount.
    pub fn of_refund(failure: &RefundFailure) -> CallField {
        match failure {
            RefundFailure::WrongCurrency { .. } => CallField::Currency,
            RefundFailure::InvalidAmount { .. } | RefundFailure::AmountExceeded { .. } => {
                CallField::Amount
            }
        }
    }
}

/// Why the form is still open after sending.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Refusal {
    /// The core refused the call, or its change was not saved.
    Call(AppError),
    /// The call would only have refunded, and the refund failed: nothing was done.
    Refund(RefundFailure),
}

/// One subscription's form. What the seller types stays through a refusal; the caller
/// reference is drawn when the form opens, so a retry or a double click repeats the same
/// call and FPS returns the first result instead of refunding twice.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FpsForm {
    /// The call being made; none while the form is closed.
    action: Option<FpsAction>,
    pub reason: String,
    pub reference: String,
    pub amount: String,
    /// RefundAmount.CurrencyCode as typed; empty, the core takes the last payment's.
    pub currency: String,
    refusal: Option<Refusal>,
}

impl FpsForm {
    /// The call the open form makes, or none while it is closed.
    pub fn action(&self) -> Option<FpsAction> {
        self.action
    }

    /// Opens the form for `action` with a freshly drawn caller `reference`; the reason and
    /// amount typed before stay.
    pub fn open(&mut self, action: FpsAction, reference: String) {
        self.reference = reference;
        self.refusal = None;
        self.action = Some(action);
    }

    /// "Go back": closes the form, keeping what was typed.
    pub fn close(&mut self) {
        self.action = None;
    }

    /// The call as typed, for `subscription`; none while the form is closed. A cancel-only
    /// call sends the subscription ID by itself, as FPS asks: no caller reference.
    pub fn command(&self, subscription: FpsSubscriptionId) -> Option<FpsCancelAndRefund> {
        let action = self.action?;
        let refunds = action.refunds();
        Some(FpsCancelAndRefund {
            subscription,
            call: FpsCall {
                cancel_reason: self.reason.clone(),
                refund: refunds.then(|| self.amount.clone()),
                currency: if refunds {
                    self.currency.clone()
                } else {
                    String::new()
                },
                caller_reference: if refunds {
                    self.reference.clone()
                } else {
                    String::new()
                },
            },
        })
    }

    /// Takes the core's answer to the call. A result closes the form, empties the reason
    /// and the amount, and is handed back to be shown; a refusal keeps everything typed.
    /// So does a first call whose only part, the refund, failed: its reason goes beside
    /// the field it is about, and since FPS now keeps that reference with the failure, the
    /// next try gets `fresh_reference` instead of replaying it.
    pub fn settle(
        &mut self,
        answer: Result<FpsResult, AppError>,
        fresh_reference: impl FnOnce() -> String,
    ) -> Option<FpsResult> {
        match answer {
            Ok(FpsResult {
                refund_failure: Some(failure),
                cancelled_now: false,
                replayed: false,
                ..
            }) => {
                self.refusal = Some(Refusal::Refund(failure));
                self.reference = fresh_reference();
                None
            }
            Ok(result) => {
                self.refusal = None;
                self.reason.clear();
                self.amount.clear();
                self.action = None;
                Some(result)
            }
            Err(problem) => {
                self.refusal = Some(Refusal::Call(problem));
                None
            }
        }
    }

    /// The refusal's message, if it belongs to `field`.
    pub fn error_for(&self, field: CallField) -> Option<String> {
        match self.refusal.as_ref()? {
            Refusal::Call(e) if CallField::of(e) == field => Some(e.to_string()),
            Refusal::Refund(why) if CallField::of_refund(why) == field => Some(format!(
                "Nothing was refunded: {why} A new caller reference was drawn for the next try."
            )),
            _ => None,
        }
    }

    /// How many bytes of the caller reference the core counts: it trims the reference.
    pub fn reference_bytes(&self) -> usize {
        self.reference.trim().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, TimeZone, Utc};
    use workbench_core::book::{Actor, Book};
    use workbench_core::demo::demo_book;
    use workbench_core::families::fps::CALLER_REFERENCE_MAX_BYTES;
    use workbench_core::ids::{AccountId, SequentialIds};

    use crate::storage::SaveError;

    /// Northwind Reports (FPS), active, last paid 20.00 USD, of the demo's first seller.
    const REPORTS: &str = "17d62772-c53e-4bdb-9667-65d7b7841cfc";

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
    }

    fn fresh() -> String {
        "cw-fresh".into()
    }

    fn opened(action: FpsAction) -> FpsForm {
        let mut form = FpsForm::default();
        form.open(action, "cw-drawn".into());
        form
    }

    /// The form's call carried out by the core on the demo book, as the app does it.
    fn sent(form: &FpsForm, book: &mut Book) -> Result<FpsResult, AppError> {
        sent_to(form, book, REPORTS)
    }

    fn sent_to(form: &FpsForm, book: &mut Book, id: &str) -> Result<FpsResult, AppError> {
        let command = form.command(id.into()).expect("the form is open");
        let seller = Actor::Seller(AccountId::parse("111122223333").unwrap());
        let (result, _) = book.apply(command, &seller, now(), &mut SequentialIds::default())?;
        Ok(result)
    }

    #[test]
    fn cancelling_alone_sends_the_subscription_id_by_itself() {
        let mut form = opened(FpsAction::Cancel);
        form.reason = "Moved to the annual plan".into();
        form.amount = "5.00".into();
        form.currency = "EUR".into();
        let command = form.command(REPORTS.into()).unwrap();
        assert_eq!(
            command,
            FpsCancelAndRefund {
                subscription: REPORTS.into(),
                call: FpsCall {
                    cancel_reason: "Moved to the annual plan".into(),
                    refund: None,
                    currency: String::new(),
                    caller_reference: String::new(),
                },
            }
        );
    }

    #[test]
    fn cancelling_and_refunding_sends_the_amount_and_reference_as_typed() {
        let mut form = opened(FpsAction::CancelAndRefund);
        form.reference = " ref-0001 ".into();
        form.amount = " 5.00".into();
        let call = form.command(REPORTS.into()).unwrap().call;
        assert_eq!(call.refund.as_deref(), Some(" 5.00"));
        assert_eq!(call.caller_reference, " ref-0001 ");
        assert_eq!(
            call.currency, "",
            "the core takes the last payment's currency"
        );
    }

    #[test]
    fn a_closed_form_sends_nothing() {
        assert_eq!(FpsForm::default().command(REPORTS.into()), None);
        let mut form = opened(FpsAction::Cancel);
        form.close();
        assert_eq!(form.command(REPORTS.into()), None);
    }

    #[test]
    fn a_refund_without_a_caller_reference_is_refused_beside_it_keeping_what_was_typed() {
        let mut book = demo_book(now());
        let mut form = opened(FpsAction::CancelAndRefund);
        form.reference = "   ".into();
        form.amount = "1.00".into();
        let answer = sent(&form, &mut book);
        assert_eq!(form.settle(answer, fresh), None);
        assert_eq!(
            form.error_for(CallField::CallerReference).as_deref(),
            Some("A caller reference is required with a refund, so that a retry cannot refund twice.")
        );
        assert_eq!(form.error_for(CallField::Form), None);
        assert_eq!(form.action(), Some(FpsAction::CancelAndRefund));
        assert_eq!(form.amount, "1.00");
    }

    #[test]
    fn a_caller_reference_too_long_is_refused_beside_it_with_the_bytes_the_form_counts() {
        let mut book = demo_book(now());
        let mut form = opened(FpsAction::CancelAndRefund);
        form.reference = format!(" {} ", "é".repeat(CALLER_REFERENCE_MAX_BYTES / 2 + 1));
        form.amount = "1.00".into();
        let answer = sent(&form, &mut book);
        assert_eq!(
            answer,
            Err(AppError::Domain(DomainError::Fps(
                FpsError::CallerReferenceTooLong(form.reference_bytes())
            )))
        );
        form.settle(answer, fresh);
        assert!(form.error_for(CallField::CallerReference).is_some());
        assert_eq!(form.error_for(CallField::Form), None);
    }

    #[test]
    fn cancelling_a_cancelled_subscription_is_refused_under_the_form() {
        let mut book = demo_book(now());
        let mut first = opened(FpsAction::Cancel);
        let answer = sent(&first, &mut book);
        assert!(first.settle(answer, fresh).is_some());

        // Another tab, or the same form again: a cancel-only call is never a replay.
        let mut again = FpsForm::default();
        again.open(FpsAction::Cancel, "cw-drawn".into());
        again.reason = "From the second tab".into();
        let answer = sent(&again, &mut book);
        again.settle(answer, fresh);
        let message = again.error_for(CallField::Form).unwrap();
        assert!(
            message.starts_with("InvalidSubscriptionState: "),
            "{message}"
        );
        assert_eq!(again.error_for(CallField::CallerReference), None);
        assert_eq!(again.reason, "From the second tab");
    }

    /// Northwind Digest (FPS), completed, last paid 15.00 USD, of the demo's first seller.
    const DIGEST: &str = "e4b7a9c2-3d1f-4f6e-8a2b-7c5d9e0f1a36";

    #[test]
    fn a_refund_in_another_currency_on_a_completed_subscription_is_refused_beside_the_currency() {
        let mut book = demo_book(now());
        let mut form = opened(FpsAction::CancelAndRefund);
        form.amount = "5.00".into();
        form.currency = "EUR".into();
        assert_eq!(form.command(DIGEST.into()).unwrap().call.currency, "EUR");
        let answer = sent_to(&form, &mut book, DIGEST);
        assert_eq!(
            form.settle(answer, fresh),
            None,
            "nothing to show: nothing was done"
        );
        let message = form.error_for(CallField::Currency).unwrap();
        assert!(
            message.contains("the refund is in EUR but the last payment was in USD"),
            "{message}"
        );
        assert_eq!(form.error_for(CallField::Form), None);
        assert_eq!(form.error_for(CallField::Amount), None);
        assert_eq!(form.action(), Some(FpsAction::CancelAndRefund));
        assert_eq!(
            (form.amount.as_str(), form.currency.as_str()),
            ("5.00", "EUR")
        );
        // FPS keeps the first reference with its failure; the next try is a new call.
        assert_eq!(form.reference, "cw-fresh");
        form.currency = "USD".into();
        let answer = sent_to(&form, &mut book, DIGEST);
        let done = form
            .settle(answer, fresh)
            .expect("refunded in the payment's currency");
        assert!(!done.replayed && done.refunded.is_some());
    }

    #[test]
    fn a_refund_above_what_is_left_is_refused_beside_the_amount_and_a_cancel_that_ran_closes() {
        let mut book = demo_book(now());
        let mut form = opened(FpsAction::CancelAndRefund);
        form.amount = "99.00".into();
        let answer = sent_to(&form, &mut book, DIGEST);
        assert_eq!(form.settle(answer, fresh), None);
        assert!(form
            .error_for(CallField::Amount)
            .unwrap()
            .contains("RefundAmountExceeded"));
        // On an active subscription the cancellation stands: the form closes and says both.
        let mut form = opened(FpsAction::CancelAndRefund);
        form.reference = "cw-second".into();
        form.amount = "99.00".into();
        let answer = sent(&form, &mut book);
        let done = form.settle(answer, fresh).expect("the cancellation ran");
        assert!(done.cancelled_now && done.refund_failure.is_some());
        assert_eq!(form.action(), None);
    }

    #[test]
    fn a_change_that_was_not_saved_is_told_under_the_form() {
        let mut form = opened(FpsAction::CancelAndRefund);
        form.settle(Err(AppError::Save(SaveError::ReadOnly)), fresh);
        assert_eq!(
            form.error_for(CallField::Form),
            Some(SaveError::ReadOnly.to_string())
        );
        assert_eq!(form.error_for(CallField::CallerReference), None);
    }

    #[test]
    fn a_call_that_goes_through_closes_the_form_and_empties_reason_and_amount() {
        let mut book = demo_book(now());
        let mut form = opened(FpsAction::CancelAndRefund);
        form.reason = "Refund the last month".into();
        form.amount = "5.00".into();
        let answer = sent(&form, &mut book);
        let result = form.settle(answer, fresh).expect("the core refunds");
        assert_eq!(
            result.refunded.map(|m| m.to_string()).as_deref(),
            Some("5.00 USD")
        );
        assert_eq!(form.action(), None);
        assert_eq!((form.reason.as_str(), form.amount.as_str()), ("", ""));
        assert_eq!(form.error_for(CallField::Form), None);
    }

    #[test]
    fn opening_again_draws_a_new_reference_and_forgets_the_refusal_not_what_was_typed() {
        let mut form = opened(FpsAction::CancelAndRefund);
        form.reason = "Typed before".into();
        form.settle(Err(AppError::Save(SaveError::ReadOnly)), fresh);
        form.close();
        form.open(FpsAction::Cancel, "cw-second".into());
        assert_eq!(form.reference, "cw-second");
        assert_eq!(form.error_for(CallField::Form), None);
        assert_eq!(form.reason, "Typed before");
    }

    #[test]
    fn each_call_has_its_own_words() {
        assert_eq!(FpsAction::Cancel.label(), "Cancel subscription");
        assert_eq!(FpsAction::Cancel.confirm_label(), "Confirm cancellation");
        assert_eq!(FpsAction::CancelAndRefund.label(), "Cancel and refund");
        assert_eq!(
            FpsAction::CancelAndRefund.confirm_label(),
            "Confirm cancel and refund"
        );
    }
}
