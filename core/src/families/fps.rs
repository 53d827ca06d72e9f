//! Amazon FPS CancelSubscriptionAndRefund (seed 002): the seller cancels a subscription at
//! once and may refund part of the last payment in the same call.
//!
//! Readings of the seed:
//! - Without a refund amount the call only cancels, and a subscription that is already
//!   cancelled or completed is an `InvalidSubscriptionState` error. With a refund amount the
//!   cancel part is skipped for such a subscription and the refund still runs.
//! - The CallerReference is a parameter of the call with a refund only ("Only if you
//!   specify a value for Refund Amount"). A cancel-only call "uses the SubscriptionId by
//!   itself": a reference sent with it is neither checked, remembered nor replayed, so
//!   cancelling again answers `InvalidSubscriptionState`, never a replay.
//! - "128 bytes maximum" counts the UTF-8 bytes of the CallerReference (after the spaces a
//!   person may type around it are trimmed), not its characters.
//! - "maintained for seven days": a reference used at `t` is remembered while
//!   `now < t + 7 × 24 h`. Any call with it in that window, whatever its other parameters,
//!   gets the first call's result and does nothing; from `t + 7 days` on it is forgotten.
//!   FPS keeps a reference as the caller's ("a value you provide that uniquely identifies
//!   the request"), not a subscription's: the same reference on another subscription of the
//!   same seller within the seven days is a replay too ([`replay`]). Each call is still
//!   remembered on the subscription it was made on, because each subscription is stored
//!   and versioned on its own; finding it again looks through all of the caller's.
//! - The refund transaction ID has the shape of the seed's sample,
//!   `14GKE3B85HCMF1BTSH5C4PD2IHZL95RJ2LM`: 35 upper-case letters and digits, drawn by the
//!   [`IdSource`] the caller passes in.
//! - A refund that fails (bad amount, other currency, more than is left of the last
//!   payment) does not undo the cancellation of the same call: the result says both.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::{line, RefundFacts, RefundTo};
use crate::ids::{AccountId, IdSource};
use crate::key::FpsSubscriptionId;
use crate::money::{Currency, Money};

/// How long FPS remembers a CallerReference.
pub const CALLER_REFERENCE_KEPT: Duration = Duration::days(7);
pub const CALLER_REFERENCE_MAX_BYTES: usize = 128;
/// The IPN status and status reason of a cancellation made by the seller, as in the seed's
/// sample notification ("status: SubscriptionCancelled", "statusReason:
/// CancelledByRecipient"): in FPS the recipient of the payments is the seller.
pub const SUBSCRIPTION_CANCELLED: &str = "SubscriptionCancelled";
pub const CANCELLED_BY_RECIPIENT: &str = "CancelledByRecipient";
/// The length of a refund transaction ID, as in the seed's sample response.
pub const REFUND_TRANSACTION_ID_LEN: usize = 35;
pub const RULE_LAST_PAYMENT: &str =
    "FPS refunds only from the last subscription payment, never more than is left of it.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FpsStatus {
    Active,
    Cancelled,
    Completed,
}

impl FpsStatus {
    pub fn label(self) -> &'static str {
        match self {
            FpsStatus::Active => "Active",
            FpsStatus::Cancelled => "Cancelled",
            FpsStatus::Completed => "Completed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FpsSubscription {
    pub id: FpsSubscriptionId,
    pub seller: AccountId,
    pub buyer: AccountId,
    pub product_name: String,
    pub last_payment: Money,
    pub last_payment_at: DateTime<Utc>,
    pub refunded_from_last_minor: i64,
    pub status: FpsStatus,
    pub cancel_reason: String,
    /// CallerReferences of calls with a refund on this subscription in the last seven days,
    /// with their result.
    pub calls: Vec<RememberedCall>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RememberedCall {
    pub caller_reference: String,
    pub at: DateTime<Utc>,
    pub result: FpsResult,
}

/// The IPN notification that follows a cancellation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub status: String,
    pub status_reason: String,
    pub subscription_id: FpsSubscriptionId,
}

/// Why the refund part of a call failed, while its cancel part may have worked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Error)]
pub enum RefundFailure {
    #[error("InvalidParams: the refund amount \"{text}\" is not valid. {why}")]
    InvalidAmount { text: String, why: String },
    #[error(
        "InvalidParams: the refund is in {asked} but the last payment was in {paid}; refunds \
         are made in the currency of the payment."
    )]
    WrongCurrency { asked: String, paid: Currency },
    #[error(
        "RefundAmountExceeded: {asked} was asked, but at most {left} of the last payment \
         ({last_payment}) can still be refunded."
    )]
    AmountExceeded {
        asked: Money,
        left: Money,
        last_payment: Money,
    },
}

/// What a call did. A refund can fail while the cancellation stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FpsResult {
    /// Whether this call cancelled the subscription (false when it was already cancelled).
    pub cancelled_now: bool,
    pub refund_transaction_id: Option<String>,
    pub refunded: Option<Money>,
    /// Why the refund failed, when it did.
    pub refund_failure: Option<RefundFailure>,
    pub notification: Option<Notification>,
    /// True when the CallerReference had been used within seven days: this is the first
    /// call's result, and nothing happened again.
    pub replayed: bool,
    /// On a replay, the subscription the first call was made on, which may be another of
    /// the caller's. Never stored: only first calls are remembered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_call_on: Option<FpsSubscriptionId>,
}

impl FpsResult {
    /// The result in words, for the person who made the call.
    pub fn summary(&self) -> String {
        let mut text = String::new();
        if self.replayed {
            let on = self
                .first_call_on
                .as_ref()
                .map_or(String::new(), |id| format!(" on subscription {id}"));
            text.push_str(&format!(
                "This caller reference was already used{on} in the last {} days, so nothing \
                 was done again; this is what the first call did. ",
                CALLER_REFERENCE_KEPT.num_days()
            ));
        }
        let refund = match (
            &self.refunded,
            &self.refund_transaction_id,
            &self.refund_failure,
        ) {
            (Some(amount), Some(id), _) => Some(format!("{amount} refunded (transaction {id}).")),
            (_, _, Some(failure)) => Some(format!("the refund failed. {failure}")),
            _ => None,
        };
        match (self.cancelled_now, refund) {
            (true, None) => text.push_str("Subscription cancelled."),
            (true, Some(refund)) if self.refund_failure.is_some() => {
                text.push_str(&format!("Subscription cancelled, but {refund}"));
            }
            (true, Some(refund)) => text.push_str(&format!("Subscription cancelled and {refund}")),
            (false, Some(refund)) => {
                text.push_str(&format!("The subscription was no longer active; {refund}"));
            }
            (false, None) => text.push_str("Nothing was done."),
        }
        text
    }
}

/// The parameters of one CancelSubscriptionAndRefund call, as the seller typed them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FpsCall {
    pub cancel_reason: String,
    /// RefundAmount.Value. Absent or empty: cancel only.
    pub refund: Option<String>,
    /// RefundAmount.CurrencyCode. Empty: the currency of the last payment.
    #[serde(default)]
    pub currency: String,
    /// CallerReference: read only with a refund, as FPS requires it only then.
    pub caller_reference: String,
}

impl FpsCall {
    /// RefundAmount.Value as typed, trimmed; none when the call only cancels.
    pub fn refund_amount(&self) -> Option<&str> {
        self.refund
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
    }
}

/// A call refused as a whole: nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FpsError {
    #[error(
        "InvalidSubscriptionState: subscription {id} is already {}, so there is nothing to \
         cancel. To refund part of its last payment, give a refund amount and a caller \
         reference.",
        .status.label().to_lowercase()
    )]
    InvalidSubscriptionState {
        id: FpsSubscriptionId,
        status: FpsStatus,
    },
    #[error("A caller reference is required with a refund, so that a retry cannot refund twice.")]
    CallerReferenceRequired,
    #[error(
        "A caller reference can be at most 128 bytes (this one has {0}; letters outside \
         English take more than one byte each)."
    )]
    CallerReferenceTooLong(usize),
}

/// The rule of [`FpsSubscription::check`] that a stored subscription breaks.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BrokenFpsRule {
    #[error("FPS subscription {0} refunded more than its last payment")]
    RefundedAboveLastPayment(FpsSubscriptionId),
}

impl FpsSubscription {
    /// What can still be refunded from the last payment.
    pub fn refundable(&self) -> Money {
        Money::new(
            self.last_payment.minor - self.refunded_from_last_minor,
            self.last_payment.currency,
        )
    }

    /// The rule a stored subscription must satisfy: what was refunded from the last payment
    /// is between nothing and the payment.
    pub fn check(&self) -> Result<(), BrokenFpsRule> {
        if self.refunded_from_last_minor < 0
            || self.refunded_from_last_minor > self.last_payment.minor
        {
            return Err(BrokenFpsRule::RefundedAboveLastPayment(self.id.clone()));
        }
        Ok(())
    }

    /// CancelSubscriptionAndRefund. Without a refund it only cancels; with one it needs a
    /// CallerReference, cancels if still active, and refunds from the last payment. The
    /// refund transaction ID comes from `ids`.
    pub fn cancel_and_refund(
        &mut self,
        call: &FpsCall,
        now: DateTime<Utc>,
        ids: &mut dyn IdSource,
    ) -> Result<FpsResult, FpsError> {
        let Some(amount_text) = call.refund_amount() else {
            if self.status != FpsStatus::Active {
                return Err(FpsError::InvalidSubscriptionState {
                    id: self.id.clone(),
                    status: self.status,
                });
            }
            return Ok(self.cancel(&call.cancel_reason));
        };
        let caller_reference = call.caller_reference.trim();
        if caller_reference.len() > CALLER_REFERENCE_MAX_BYTES {
            return Err(FpsError::CallerReferenceTooLong(caller_reference.len()));
        }
        if caller_reference.is_empty() {
            return Err(FpsError::CallerReferenceRequired);
        }
        if let Some(first) = replay([&*self], &self.seller, call, now) {
            return Ok(first);
        }
        let mut result = if self.status == FpsStatus::Active {
            self.cancel(&call.cancel_reason)
        } else {
            FpsResult {
                cancelled_now: false,
                refund_transaction_id: None,
                refunded: None,
                refund_failure: None,
                notification: None,
                replayed: false,
                first_call_on: None,
            }
        };
        match self.refund_check(amount_text, call.currency.trim()) {
            Ok(amount) => {
                self.refunded_from_last_minor += amount.minor;
                result.refunded = Some(amount);
                result.refund_transaction_id = Some(ids.refund_transaction_id());
            }
            Err(why) => result.refund_failure = Some(why),
        }
        self.remember(caller_reference, now, &result);
        Ok(result)
    }

    /// What a refund would give back now: part of the last payment only.
    pub fn refund_facts(&self) -> RefundFacts {
        let mut notes = vec![
            "Cancelling and refunding happen in one action; a refund needs a caller reference."
                .to_string(),
            "Payments before the last one cannot be refunded this way.".to_string(),
        ];
        if self.status != FpsStatus::Active {
            notes.push(format!(
                "The subscription is already {}: only the refund part will run.",
                self.status.label().to_lowercase()
            ));
        }
        let mut lines = vec![line(
            format!(
                "Up to {} from the last payment of {}",
                self.refundable(),
                self.last_payment
            ),
            self.refundable(),
            RefundTo::OriginalMethod("the payment method of the last payment".into()),
            RULE_LAST_PAYMENT,
        )];
        if self.refunded_from_last_minor > 0 {
            lines.push(line(
                "Already refunded from the last payment",
                Money::new(self.refunded_from_last_minor, self.last_payment.currency),
                RefundTo::NotRefunded,
                "What was already refunded cannot be refunded again.",
            ));
        }
        RefundFacts {
            family: "Amazon FPS".into(),
            lines,
            notes,
        }
    }

    fn refund_check(&self, amount_text: &str, currency: &str) -> Result<Money, RefundFailure> {
        let paid = self.last_payment.currency;
        if !currency.is_empty() && currency != paid.code() {
            return Err(RefundFailure::WrongCurrency {
                asked: currency.to_string(),
                paid,
            });
        }
        let amount =
            Money::parse_positive(amount_text, paid).map_err(|e| RefundFailure::InvalidAmount {
                text: amount_text.to_string(),
                why: e.to_string(),
            })?;
        if amount.minor > self.refundable().minor {
            return Err(RefundFailure::AmountExceeded {
                asked: amount,
                left: self.refundable(),
                last_payment: self.last_payment,
            });
        }
        Ok(amount)
    }

    fn cancel(&mut self, reason: &str) -> FpsResult {
        self.status = FpsStatus::Cancelled;
        self.cancel_reason = reason.to_string();
        FpsResult {
            cancelled_now: true,
            refund_transaction_id: None,
            refunded: None,
            refund_failure: None,
            notification: Some(Notification {
                status: SUBSCRIPTION_CANCELLED.into(),
                status_reason: CANCELLED_BY_RECIPIENT.into(),
                subscription_id: self.id.clone(),
            }),
            replayed: false,
            first_call_on: None,
        }
    }

    fn remember(&mut self, caller_reference: &str, now: DateTime<Utc>, result: &FpsResult) {
        // Forgotten references are dropped here so the record does not grow with history.
        self.calls.retain(|c| now - c.at < CALLER_REFERENCE_KEPT);
        self.calls.push(RememberedCall {
            caller_reference: caller_reference.to_string(),
            at: now,
            result: result.clone(),
        });
    }
}

/// The first result of a call with the CallerReference of `call` that `caller` made within
/// the last seven days on any of `subscriptions`, marked as a replay. FPS maintains a
/// CallerReference "for seven days" as the caller's, so a retry on another subscription gets
/// it too and changes nothing. A call without a refund carries no CallerReference, so it is
/// never a replay.
pub fn replay<'a>(
    subscriptions: impl IntoIterator<Item = &'a FpsSubscription>,
    caller: &AccountId,
    call: &FpsCall,
    now: DateTime<Utc>,
) -> Option<FpsResult> {
    call.refund_amount()?;
    let caller_reference = call.caller_reference.trim();
    if caller_reference.is_empty() {
        return None;
    }
    subscriptions
        .into_iter()
        .filter(|s| &s.seller == caller)
        .find_map(|s| {
            s.calls
                .iter()
                .find(|c| {
                    c.caller_reference == caller_reference && now - c.at < CALLER_REFERENCE_KEPT
                })
                .map(|c| FpsResult {
                    replayed: true,
                    first_call_on: Some(s.id.clone()),
                    ..c.result.clone()
                })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::SequentialIds;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn t(hours: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2009, 10, 6, 8, 5, 13).unwrap() + Duration::hours(hours)
    }

    fn call(reason: &str, refund: Option<&str>, reference: &str) -> FpsCall {
        FpsCall {
            cancel_reason: reason.into(),
            refund: refund.map(str::to_string),
            currency: String::new(),
            caller_reference: reference.into(),
        }
    }

    fn subscription() -> FpsSubscription {
        FpsSubscription {
            id: "17d62772-c53e-4bdb-9667-65d7b7841cfc".into(),
            seller: AccountId::parse("111122223333").unwrap(),
            buyer: AccountId::parse("444455556666").unwrap(),
            product_name: "Photo hosting".into(),
            last_payment: Money::new(2_000, Currency::USD),
            last_payment_at: t(-24),
            refunded_from_last_minor: 0,
            status: FpsStatus::Active,
            cancel_reason: String::new(),
            calls: Vec::new(),
        }
    }

    #[test]
    fn a_subscription_refunded_above_its_last_payment_breaks_its_rule() {
        let mut sub = subscription();
        sub.refunded_from_last_minor = 2_001;
        let broken = sub.check().unwrap_err();
        assert_eq!(
            broken,
            BrokenFpsRule::RefundedAboveLastPayment(sub.id.clone())
        );
        assert_eq!(
            broken.to_string(),
            format!(
                "FPS subscription {} refunded more than its last payment",
                sub.id
            )
        );
    }

    #[test]
    fn cancelling_alone_cancels_and_notifies_cancelled_by_recipient_as_the_sample_does() {
        let mut sub = subscription();
        let result = sub
            .cancel_and_refund(
                &call("MyWish", None, ""),
                t(0),
                &mut SequentialIds::default(),
            )
            .unwrap();
        assert!(result.cancelled_now);
        let notification = result.notification.clone().unwrap();
        assert_eq!(notification.status, "SubscriptionCancelled");
        assert_eq!(notification.status_reason, "CancelledByRecipient");
        assert_eq!(notification.subscription_id, sub.id);
        assert_eq!(sub.status, FpsStatus::Cancelled);
        assert_eq!(sub.cancel_reason, "MyWish");
        assert_eq!(result.refund_transaction_id, None);
        assert_eq!(result.summary(), "Subscription cancelled.");
    }

    #[test]
    fn an_empty_refund_amount_is_a_cancellation_alone() {
        let mut sub = subscription();
        let result = sub
            .cancel_and_refund(
                &call("", Some("  "), ""),
                t(0),
                &mut SequentialIds::default(),
            )
            .unwrap();
        assert!(result.cancelled_now);
        assert_eq!(result.refunded, None);
    }

    #[test]
    fn cancelling_a_cancelled_or_completed_subscription_is_invalid_subscription_state() {
        for status in [FpsStatus::Cancelled, FpsStatus::Completed] {
            let mut sub = subscription();
            sub.status = status;
            let before = sub.clone();
            let error = sub
                .cancel_and_refund(&call("", None, ""), t(0), &mut SequentialIds::default())
                .unwrap_err();
            assert!(error.to_string().starts_with("InvalidSubscriptionState"));
            assert!(error.to_string().contains(&status.label().to_lowercase()));
            assert_eq!(sub, before);
        }
    }

    #[test]
    fn a_refund_needs_a_caller_reference_of_at_most_128_bytes() {
        let mut sub = subscription();
        let mut ids = SequentialIds::default();
        assert_eq!(
            sub.cancel_and_refund(&call("", Some("1"), ""), t(0), &mut ids),
            Err(FpsError::CallerReferenceRequired)
        );
        // 65 two-byte letters: 65 characters but 130 bytes.
        let long = "é".repeat(65);
        assert_eq!(
            sub.cancel_and_refund(&call("", Some("1"), &long), t(0), &mut ids),
            Err(FpsError::CallerReferenceTooLong(130))
        );
        assert_eq!(
            sub.cancel_and_refund(&call("", Some("1"), &"r".repeat(129)), t(0), &mut ids),
            Err(FpsError::CallerReferenceTooLong(129))
        );
        assert_eq!(sub.status, FpsStatus::Active);
        assert!(sub
            .cancel_and_refund(&call("", Some("1"), &"r".repeat(128)), t(0), &mut ids)
            .is_ok());
    }

    #[test]
    fn cancelling_and_refunding_gives_a_transaction_id_from_the_id_source_shaped_as_fps_ones() {
        let mut sub = subscription();
        let mut ids = SequentialIds::starting_at(41);
        let expected = SequentialIds::starting_at(41).refund_transaction_id();
        let result = sub
            .cancel_and_refund(
                &call("MyWish", Some("1"), "CallerReference07"),
                t(0),
                &mut ids,
            )
            .unwrap();
        assert!(result.cancelled_now);
        assert_eq!(result.refunded, Some(Money::new(100, Currency::USD)));
        let id = result.refund_transaction_id.clone().unwrap();
        assert_eq!(id, expected);
        // The seed's sample: 14GKE3B85HCMF1BTSH5C4PD2IHZL95RJ2LM.
        assert_eq!(id.len(), REFUND_TRANSACTION_ID_LEN);
        assert!(id
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()));
        assert_eq!(sub.refundable(), Money::new(1_900, Currency::USD));
        assert_eq!(
            result.summary(),
            format!("Subscription cancelled and 1.00 USD refunded (transaction {id}).")
        );
    }

    #[test]
    fn on_a_cancelled_or_completed_subscription_the_cancel_part_is_ignored_and_the_refund_runs() {
        for status in [FpsStatus::Cancelled, FpsStatus::Completed] {
            let mut sub = subscription();
            sub.status = status;
            let result = sub
                .cancel_and_refund(
                    &call("", Some("5.00"), "ref-1"),
                    t(0),
                    &mut SequentialIds::default(),
                )
                .unwrap();
            assert!(!result.cancelled_now);
            assert_eq!(result.notification, None);
            assert_eq!(result.refunded, Some(Money::new(500, Currency::USD)));
            assert!(result.refund_transaction_id.is_some());
            assert_eq!(sub.status, status);
        }
    }

    #[test]
    fn a_refund_above_what_is_left_fails_while_the_cancellation_stands() {
        let mut sub = subscription();
        let result = sub
            .cancel_and_refund(
                &call("", Some("25.00"), "ref-1"),
                t(0),
                &mut SequentialIds::default(),
            )
            .unwrap();
        assert!(result.cancelled_now);
        assert_eq!(sub.status, FpsStatus::Cancelled);
        assert_eq!(result.refund_transaction_id, None);
        assert_eq!(
            result.refund_failure,
            Some(RefundFailure::AmountExceeded {
                asked: Money::new(2_500, Currency::USD),
                left: Money::new(2_000, Currency::USD),
                last_payment: Money::new(2_000, Currency::USD),
            })
        );
        assert!(result
            .summary()
            .starts_with("Subscription cancelled, but the refund failed. RefundAmountExceeded"));
        assert_eq!(sub.refunded_from_last_minor, 0);
    }

    #[test]
    fn a_second_refund_can_take_only_what_the_first_left() {
        let mut sub = subscription();
        let mut ids = SequentialIds::default();
        sub.cancel_and_refund(&call("", Some("15.00"), "a"), t(0), &mut ids)
            .unwrap();
        let second = sub
            .cancel_and_refund(&call("", Some("5.01"), "b"), t(1), &mut ids)
            .unwrap();
        assert!(matches!(
            second.refund_failure,
            Some(RefundFailure::AmountExceeded { .. })
        ));
        let third = sub
            .cancel_and_refund(&call("", Some("5.00"), "c"), t(2), &mut ids)
            .unwrap();
        assert_eq!(third.refunded, Some(Money::new(500, Currency::USD)));
        assert_eq!(sub.refundable().minor, 0);
    }

    #[test]
    fn a_refund_in_another_currency_or_with_a_bad_amount_fails_and_says_why() {
        let mut sub = subscription();
        let mut ids = SequentialIds::default();
        let mut euros = call("", Some("5.00"), "ref-eur");
        euros.currency = "EUR".into();
        let result = sub.cancel_and_refund(&euros, t(0), &mut ids).unwrap();
        assert!(result.cancelled_now);
        let failure = result.refund_failure.unwrap();
        assert_eq!(
            failure,
            RefundFailure::WrongCurrency {
                asked: "EUR".into(),
                paid: Currency::USD
            }
        );
        assert!(failure.to_string().contains("last payment was in USD"));
        let result = sub
            .cancel_and_refund(&call("", Some("1.005"), "ref-bad"), t(0), &mut ids)
            .unwrap();
        assert!(matches!(
            result.refund_failure,
            Some(RefundFailure::InvalidAmount { .. })
        ));
        assert!(result.summary().starts_with(
            "The subscription was no longer active; the refund failed. InvalidParams"
        ));
        let mut dollars = call("", Some("5.00"), "ref-usd");
        dollars.currency = "USD".into();
        let result = sub.cancel_and_refund(&dollars, t(0), &mut ids).unwrap();
        assert_eq!(result.refunded, Some(Money::new(500, Currency::USD)));
    }

    #[test]
    fn the_same_caller_reference_within_seven_days_returns_the_first_result() {
        let mut sub = subscription();
        let mut ids = SequentialIds::default();
        let first = sub
            .cancel_and_refund(&call("", Some("5.00"), "CallerReference07"), t(0), &mut ids)
            .unwrap();
        let just_before = t(0) + CALLER_REFERENCE_KEPT - Duration::seconds(1);
        let again = sub
            .cancel_and_refund(
                &call("", Some("9.00"), "CallerReference07"),
                just_before,
                &mut ids,
            )
            .unwrap();
        assert!(again.replayed);
        assert_eq!(
            FpsResult {
                replayed: false,
                first_call_on: None,
                ..again.clone()
            },
            first
        );
        assert!(again
            .summary()
            .starts_with("This caller reference was already used"));
        assert_eq!(sub.refunded_from_last_minor, 500);
        let at_seven_days = t(0) + CALLER_REFERENCE_KEPT;
        let later = sub
            .cancel_and_refund(
                &call("", Some("5.00"), "CallerReference07"),
                at_seven_days,
                &mut ids,
            )
            .unwrap();
        assert!(!later.replayed);
        assert_ne!(later.refund_transaction_id, first.refund_transaction_id);
        assert_eq!(sub.refunded_from_last_minor, 1_000);
    }

    #[test]
    fn a_caller_reference_is_the_callers_so_another_subscription_within_seven_days_replays() {
        let mut ids = SequentialIds::default();
        let mut first = subscription();
        let done = first
            .cancel_and_refund(&call("", Some("5.00"), "CallerReference07"), t(0), &mut ids)
            .unwrap();
        let mut other = FpsSubscription {
            id: "8a1f0c55-2b7e-4c1d-9f3a-6e2d8b7c4a10".into(),
            ..subscription()
        };
        let just_before = t(0) + CALLER_REFERENCE_KEPT - Duration::seconds(1);
        let again = replay(
            [&first, &other],
            &other.seller,
            &call("", Some("1.00"), " CallerReference07 "),
            just_before,
        )
        .unwrap();
        assert!(again.replayed);
        assert_eq!(again.first_call_on.as_ref(), Some(&first.id));
        assert_eq!(again.refund_transaction_id, done.refund_transaction_id);
        assert!(again.summary().starts_with(&format!(
            "This caller reference was already used on subscription {} in the last 7 days",
            first.id
        )));
        // Another caller's reference is not this caller's, and after seven days it is gone.
        let stranger = AccountId::parse("999988887777").unwrap();
        let same = call("", Some("5.00"), "CallerReference07");
        assert_eq!(replay([&first], &stranger, &same, t(1)), None);
        let at_seven_days = t(0) + CALLER_REFERENCE_KEPT;
        assert_eq!(replay([&first], &first.seller, &same, at_seven_days), None);
        let fresh = other
            .cancel_and_refund(
                &call("", Some("5.00"), "CallerReference07"),
                at_seven_days,
                &mut ids,
            )
            .unwrap();
        assert!(!fresh.replayed);
        first.calls.clear();
        assert!(
            !first
                .cancel_and_refund(&call("", Some("1.00"), "new"), t(0), &mut ids)
                .unwrap()
                .replayed
        );
    }

    #[test]
    fn a_replayed_failed_refund_stays_failed() {
        let mut sub = subscription();
        let mut ids = SequentialIds::default();
        let failed = sub
            .cancel_and_refund(&call("", Some("99.00"), "r"), t(0), &mut ids)
            .unwrap();
        let again = sub
            .cancel_and_refund(&call("", Some("1.00"), "r"), t(1), &mut ids)
            .unwrap();
        assert_eq!(again.refund_failure, failed.refund_failure);
        assert_eq!(sub.refunded_from_last_minor, 0);
    }

    #[test]
    fn a_cancel_only_call_carries_no_caller_reference_so_cancelling_again_is_never_a_replay() {
        let mut ids = SequentialIds::default();
        // The same call twice, reference and all: the second finds the subscription
        // cancelled, as the seed says, and does not answer with the first result.
        let mut sub = subscription();
        sub.cancel_and_refund(&call("", None, "cancel-1"), t(0), &mut ids)
            .unwrap();
        assert!(sub.calls.is_empty(), "a cancel-only call is not remembered");
        let before = sub.clone();
        assert_eq!(
            sub.cancel_and_refund(&call("", None, "cancel-1"), t(1), &mut ids),
            Err(FpsError::InvalidSubscriptionState {
                id: sub.id.clone(),
                status: FpsStatus::Cancelled,
            })
        );
        assert_eq!(sub, before);
        // A reference first used with a refund does not turn a later cancel-only call on a
        // completed subscription into a replay either, on this subscription or another.
        let mut done = FpsSubscription {
            status: FpsStatus::Completed,
            ..subscription()
        };
        done.cancel_and_refund(&call("", Some("1.00"), "ref-1"), t(0), &mut ids)
            .unwrap();
        assert!(matches!(
            done.cancel_and_refund(&call("", None, "ref-1"), t(1), &mut ids),
            Err(FpsError::InvalidSubscriptionState {
                status: FpsStatus::Completed,
                ..
            })
        ));
        assert_eq!(
            replay([&done], &done.seller, &call("", None, "ref-1"), t(1)),
            None
        );
        assert!(replay([&done], &done.seller, &call("", Some("2"), "ref-1"), t(1)).is_some());
        // A reference past 128 bytes is not read without a refund.
        let mut fresh = subscription();
        assert!(fresh
            .cancel_and_refund(&call("", None, &"r".repeat(129)), t(0), &mut ids)
            .is_ok());
    }

    #[test]
    fn forgotten_references_are_dropped_from_the_record() {
        let mut sub = subscription();
        let mut ids = SequentialIds::default();
        sub.cancel_and_refund(&call("", Some("1"), "old"), t(0), &mut ids)
            .unwrap();
        sub.cancel_and_refund(&call("", Some("1"), "new"), t(24 * 8), &mut ids)
            .unwrap();
        let kept: Vec<_> = sub
            .calls
            .iter()
            .map(|c| c.caller_reference.as_str())
            .collect();
        assert_eq!(kept, ["new"]);
    }

    #[test]
    fn the_refund_facts_offer_only_what_is_left_of_the_last_payment() {
        let mut sub = subscription();
        sub.cancel_and_refund(
            &call("", Some("5.00"), "a"),
            t(0),
            &mut SequentialIds::default(),
        )
        .unwrap();
        let facts = sub.refund_facts();
        let refunded: Vec<_> = facts.refunded().collect();
        assert_eq!(refunded.len(), 1);
        assert_eq!(refunded[0].amount, Money::new(1_500, Currency::USD));
        assert_eq!(refunded[0].rule, RULE_LAST_PAYMENT);
        assert!(facts
            .notes
            .iter()
            .any(|n| n.contains("only the refund part")));
    }

    #[test]
    fn state_survives_a_json_round_trip() {
        let mut sub = subscription();
        sub.cancel_and_refund(
            &call("", Some("99"), "a"),
            t(0),
            &mut SequentialIds::default(),
        )
        .unwrap();
        let json = serde_json::to_string(&sub).unwrap();
        assert_eq!(serde_json::from_str::<FpsSubscription>(&json).unwrap(), sub);
    }

    proptest! {
        #[test]
        fn refunds_never_exceed_the_last_payment_and_add_up(
            calls in proptest::collection::vec((0u32..3000, 0u8..4, 0i64..400, any::<bool>()), 0..30)
        ) {
            let mut sub = subscription();
            let mut ids = SequentialIds::default();
            let mut total = 0;
            for (cents, reference, hour, with_refund) in calls {
                let amount = format!("{}.{:02}", cents / 100, cents % 100);
                let refund = with_refund.then_some(amount.as_str());
                let reference = format!("ref-{reference}");
                if let Ok(result) = sub.cancel_and_refund(&call("", refund, &reference), t(hour), &mut ids) {
                    if !result.replayed {
                        total += result.refunded.map_or(0, |m| m.minor);
                    }
                }
                prop_assert!(sub.check().is_ok());
                prop_assert_eq!(sub.refunded_from_last_minor, total);
                prop_assert!(sub.refundable().minor >= 0);
            }
        }

        #[test]
        fn a_replayed_reference_never_refunds_twice(
            cents in 1u32..2000,
            later in 0i64..(7 * 24 * 3600),
            second_cents in 1u32..2000,
        ) {
            let mut sub = subscription();
            let mut ids = SequentialIds::default();
            let amount = format!("{}.{:02}", cents / 100, cents % 100);
            let first = sub.cancel_and_refund(&call("", Some(&amount), "same"), t(0), &mut ids).unwrap();
            let after_first = sub.refunded_from_last_minor;
            let second_amount = format!("{}.{:02}", second_cents / 100, second_cents % 100);
            let again = sub
                .cancel_and_refund(&call("", Some(&second_amount), "same"), t(0) + Duration::seconds(later), &mut ids)
                .unwrap();
            prop_assert_eq!(sub.refunded_from_last_minor, after_first);
            prop_assert_eq!(again.refund_transaction_id, first.refund_transaction_id);
        }
    }
}
