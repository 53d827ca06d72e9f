//! Amazon FPS CancelSubscriptionAndRefund (seed 002): the seller cancels a subscription at
//! once and may refund part of the last payment in the same call. A CallerReference makes a
//! call idempotent for seven days.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::ids::{AccountId, IdSource};
use crate::money::{Money, MoneyError};

/// How long FPS remembers a CallerReference.
pub const CALLER_REFERENCE_KEPT: Duration = Duration::days(7);
pub const CALLER_REFERENCE_MAX_BYTES: usize = 128;

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
    pub id: String,
    pub seller: AccountId,
    pub buyer: AccountId,
    pub product_name: String,
    pub last_payment: Money,
    pub last_payment_at: DateTime<Utc>,
    pub refunded_from_last_minor: i64,
    pub status: FpsStatus,
    pub cancel_reason: String,
    /// CallerReferences used on this subscription, with the result they gave.
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
    pub subscription_id: String,
}

/// What a call did. A refund can fail while the cancellation stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FpsResult {
    /// Whether this call cancelled the subscription (false when it was already cancelled).
    pub cancelled_now: bool,
    pub refund_transaction_id: Option<String>,
    pub refunded: Option<Money>,
    /// Why the refund failed, when it did.
    pub refund_failure: Option<String>,
    pub notification: Option<Notification>,
    /// True when the CallerReference had been used within seven days: this is the first
    /// call's result, and nothing happened again.
    pub replayed: bool,
}

/// The parameters of one CancelSubscriptionAndRefund call, as the seller typed them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FpsCall {
    pub cancel_reason: String,
    /// Empty or absent: cancel only.
    pub refund: Option<String>,
    pub caller_reference: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FpsError {
    #[error("InvalidSubscriptionState: subscription {id} is already {}, so it cannot be cancelled again.", .status.label().to_lowercase())]
    InvalidSubscriptionState { id: String, status: FpsStatus },
    #[error("A caller reference is required with a refund.")]
    CallerReferenceRequired,
    #[error("A caller reference can be at most 128 bytes (this one has {0}).")]
    CallerReferenceTooLong(usize),
}

impl FpsSubscription {
    /// What can still be refunded from the last payment.
    pub fn refundable(&self) -> Money {
        Money::new(
            self.last_payment.minor - self.refunded_from_last_minor,
            self.last_payment.currency,
        )
    }

    pub fn check(&self) -> Result<(), String> {
        if self.refunded_from_last_minor < 0
            || self.refunded_from_last_minor > self.last_payment.minor
        {
            return Err(format!(
                "FPS subscription {} refunded more than its last payment",
                self.id
            ));
        }
        Ok(())
    }

    /// CancelSubscriptionAndRefund. Without `refund` it only cancels; with one it needs a
    /// CallerReference, cancels if still active, and refunds from the last payment.
    pub fn cancel_and_refund(
        &mut self,
        call: &FpsCall,
        now: DateTime<Utc>,
        ids: &mut dyn IdSource,
    ) -> Result<FpsResult, FpsError> {
        let cancel_reason = call.cancel_reason.as_str();
        let refund = call.refund.as_deref();
        let caller_reference = call.caller_reference.trim();
        if caller_reference.len() > CALLER_REFERENCE_MAX_BYTES {
            return Err(FpsError::CallerReferenceTooLong(caller_reference.len()));
        }
        if !caller_reference.is_empty() {
            if let Some(earlier) = self.calls.iter().find(|c| {
                c.caller_reference == caller_reference && now - c.at < CALLER_REFERENCE_KEPT
            }) {
                return Ok(FpsResult {
                    replayed: true,
                    ..earlier.result.clone()
                });
            }
        }
        let Some(amount_text) = refund.map(str::trim).filter(|r| !r.is_empty()) else {
            if self.status != FpsStatus::Active {
                return Err(FpsError::InvalidSubscriptionState {
                    id: self.id.clone(),
                    status: self.status,
                });
            }
            let result = self.cancel(cancel_reason);
            self.remember(caller_reference, now, &result);
            return Ok(result);
        };
        if caller_reference.is_empty() {
            return Err(FpsError::CallerReferenceRequired);
        }
        let mut result = if self.status == FpsStatus::Active {
            self.cancel(cancel_reason)
        } else {
            FpsResult {
                cancelled_now: false,
                refund_transaction_id: None,
                refunded: None,
                refund_failure: None,
                notification: None,
                replayed: false,
            }
        };
        match self.refund_check(amount_text) {
            Ok(amount) => {
                self.refunded_from_last_minor += amount.minor;
                result.refunded = Some(amount);
                result.refund_transaction_id = Some(ids.next_suffix().to_uppercase());
            }
            Err(why) => result.refund_failure = Some(why),
        }
        self.remember(caller_reference, now, &result);
        Ok(result)
    }

    fn refund_check(&self, amount_text: &str) -> Result<Money, String> {
        let amount = Money::parse_positive(amount_text, self.last_payment.currency).map_err(
            |e| match e {
                MoneyError::TooManyDecimals { .. } => format!("InvalidParams: {e}"),
                other => format!("InvalidParams: the refund amount is not valid. {other}"),
            },
        )?;
        if amount.minor > self.refundable().minor {
            return Err(format!(
                "RefundAmountExceeded: at most {} of the last payment ({}) can still be refunded.",
                self.refundable(),
                self.last_payment
            ));
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
                status: "SubscriptionCancelled".into(),
                status_reason: "CancelledByMerchant".into(),
                subscription_id: self.id.clone(),
            }),
            replayed: false,
        }
    }

    fn remember(&mut self, caller_reference: &str, now: DateTime<Utc>, result: &FpsResult) {
        self.calls.retain(|c| now - c.at < CALLER_REFERENCE_KEPT);
        if !caller_reference.is_empty() {
            self.calls.push(RememberedCall {
                caller_reference: caller_reference.to_string(),
                at: now,
                result: result.clone(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::SequentialIds;
    use crate::money::Currency;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn t(hours: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2009, 10, 6, 8, 5, 13).unwrap() + Duration::hours(hours)
    }

    fn call(reason: &str, refund: Option<&str>, reference: &str) -> FpsCall {
        FpsCall {
            cancel_reason: reason.into(),
            refund: refund.map(str::to_string),
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
    fn cancelling_alone_cancels_and_notifies() {
        let mut sub = subscription();
        let result = sub
            .cancel_and_refund(
                &call("MyWish", None, ""),
                t(0),
                &mut SequentialIds::default(),
            )
            .unwrap();
        assert!(result.cancelled_now);
        assert_eq!(result.notification.unwrap().status, "SubscriptionCancelled");
        assert_eq!(sub.status, FpsStatus::Cancelled);
        assert_eq!(result.refund_transaction_id, None);
    }

    #[test]
    fn cancelling_a_cancelled_or_completed_subscription_is_invalid_subscription_state() {
        for status in [FpsStatus::Cancelled, FpsStatus::Completed] {
            let mut sub = subscription();
            sub.status = status;
            let error = sub
                .cancel_and_refund(&call("", None, ""), t(0), &mut SequentialIds::default())
                .unwrap_err();
            assert!(error.to_string().starts_with("InvalidSubscriptionState"));
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
        let long = "é".repeat(65);
        assert_eq!(
            sub.cancel_and_refund(&call("", Some("1"), &long), t(0), &mut ids),
            Err(FpsError::CallerReferenceTooLong(130))
        );
        assert!(sub
            .cancel_and_refund(&call("", Some("1"), &"r".repeat(128)), t(0), &mut ids)
            .is_ok());
    }

    #[test]
    fn on_a_cancelled_subscription_the_cancel_part_is_ignored_and_the_refund_runs() {
        let mut sub = subscription();
        sub.status = FpsStatus::Cancelled;
        let result = sub
            .cancel_and_refund(
                &call("", Some("5.00"), "ref-1"),
                t(0),
                &mut SequentialIds::default(),
            )
            .unwrap();
        assert!(!result.cancelled_now);
        assert_eq!(result.refunded, Some(Money::new(500, Currency::USD)));
        assert!(result.refund_transaction_id.is_some());
    }

    #[test]
    fn a_refund_above_the_last_payment_fails_while_the_cancellation_stands() {
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
        assert!(result
            .refund_failure
            .unwrap()
            .starts_with("RefundAmountExceeded"));
        assert_eq!(sub.refunded_from_last_minor, 0);
    }

    #[test]
    fn the_same_caller_reference_within_seven_days_returns_the_first_result() {
        let mut sub = subscription();
        let mut ids = SequentialIds::default();
        let first = sub
            .cancel_and_refund(&call("", Some("5.00"), "CallerReference07"), t(0), &mut ids)
            .unwrap();
        let again = sub
            .cancel_and_refund(
                &call("", Some("5.00"), "CallerReference07"),
                t(24 * 7 - 1),
                &mut ids,
            )
            .unwrap();
        assert!(again.replayed);
        assert_eq!(again.refund_transaction_id, first.refund_transaction_id);
        assert_eq!(sub.refunded_from_last_minor, 500);
        let later = sub
            .cancel_and_refund(
                &call("", Some("5.00"), "CallerReference07"),
                t(24 * 7),
                &mut ids,
            )
            .unwrap();
        assert!(!later.replayed);
        assert_eq!(sub.refunded_from_last_minor, 1_000);
    }

    proptest! {
        #[test]
        fn refunds_never_exceed_the_last_payment(calls in proptest::collection::vec((0u32..3000, 0u8..4, 0i64..400), 0..30)) {
            let mut sub = subscription();
            let mut ids = SequentialIds::default();
            for (cents, reference, hour) in calls {
                let amount = format!("{}.{:02}", cents / 100, cents % 100);
                let _ = sub.cancel_and_refund(&call("", Some(&amount), &format!("ref-{reference}")), t(hour), &mut ids);
                prop_assert!(sub.check().is_ok());
            }
        }

        #[test]
        fn a_replayed_reference_never_refunds_twice(cents in 1u32..2000, hours in 0i64..167) {
            let mut sub = subscription();
            let mut ids = SequentialIds::default();
            let amount = format!("{}.{:02}", cents / 100, cents % 100);
            sub.cancel_and_refund(&call("", Some(&amount), "same"), t(0), &mut ids).unwrap();
            let after_first = sub.refunded_from_last_minor;
            sub.cancel_and_refund(&call("", Some(&amount), "same"), t(hours), &mut ids).unwrap();
            prop_assert_eq!(sub.refunded_from_last_minor, after_first);
        }
    }
}
