//! Alibaba Cloud subscription refunds (seed 003): the buyer unsubscribes and Alibaba's rules
//! decide what comes back and where.
//!
//! Readings of the seed's boundaries, each tested on both sides:
//! - "paid after March 29, 2019": paid on 2019-03-30 (UTC) or later; an order paid at any
//!   time on the 29th does not qualify.
//! - "within 548 days after payment": cancelled at most 548 × 24 hours after the payment;
//!   one second later is outside.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::ids::AccountId;
use crate::money::Money;

pub const ORIGINAL_METHOD_WINDOW: Duration = Duration::days(548);

pub fn cutoff() -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(2019, 3, 30)
        .expect("a real date")
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc()
}

pub const TIMING: &str = "Refunds generally arrive within about 2 business days.";
pub const BANK_TIMING: &str = "Online banking takes another 2-3 business days.";
pub const ENTERPRISE_WARNING: &str = "Refunding an enterprise instance releases it at once and \
deletes all of its data permanently. It cannot be recovered.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Billing {
    Subscription,
    PayAsYouGo,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaymentMethod {
    Alipay,
    OnlineBanking,
    AccountBalance,
}

impl PaymentMethod {
    pub fn label(self) -> &'static str {
        match self {
            PaymentMethod::Alipay => "the Alipay account used to pay",
            PaymentMethod::OnlineBanking => "the online banking account used to pay",
            PaymentMethod::AccountBalance => "the Alibaba Cloud account balance",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InstanceKind {
    Standard,
    Enterprise,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderStatus {
    Active,
    Unsubscribed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlibabaOrder {
    pub id: String,
    pub buyer: AccountId,
    pub product_name: String,
    pub billing: Billing,
    pub kind: InstanceKind,
    pub paid_at: DateTime<Utc>,
    /// The cash or prepaid-card part of the payment: the only part ever refunded.
    pub paid_cash: Money,
    /// The part covered by vouchers or coupons: never refunded.
    pub paid_vouchers: Money,
    pub method: PaymentMethod,
    pub invoice_issued: bool,
    /// The original channel refuses the refund (closed account, expired card).
    pub original_method_refuses: bool,
    pub status: OrderStatus,
    pub refund: Option<AlibabaRefund>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Destination {
    OriginalMethod(PaymentMethod),
    AccountBalance,
}

/// Where the money goes, and the rule that decided it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    pub destination: Destination,
    pub rule: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlibabaRefund {
    pub at: DateTime<Utc>,
    pub amount: Money,
    pub not_refunded: Money,
    pub route: Route,
    pub released_instance: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AlibabaError {
    #[error(
        "Pay-as-you-go instances are not refundable. Disable their devices to stop the charges."
    )]
    PayAsYouGo,
    #[error(
        "Refunding an enterprise instance deletes all of its data permanently. Confirm that you \
         understand this before unsubscribing."
    )]
    ConfirmDataDeletion,
    #[error("This order was already unsubscribed.")]
    AlreadyUnsubscribed,
}

impl AlibabaOrder {
    /// Where a refund at `at` would go, before trying the original channel.
    pub fn route(&self, at: DateTime<Utc>) -> Route {
        if self.invoice_issued {
            return Route {
                destination: Destination::AccountBalance,
                rule: "An invoice was already issued for this order, so the refund goes to the account balance.".into(),
            };
        }
        if self.paid_at < cutoff() {
            return Route {
                destination: Destination::AccountBalance,
                rule: "Orders paid on or before 29 March 2019 are refunded to the account balance."
                    .into(),
            };
        }
        if at - self.paid_at > ORIGINAL_METHOD_WINDOW {
            return Route {
                destination: Destination::AccountBalance,
                rule: "More than 548 days have passed since payment, so the refund goes to the account balance.".into(),
            };
        }
        let route = Route {
            destination: Destination::OriginalMethod(self.method),
            rule: "Paid after 29 March 2019 and cancelled within 548 days of payment: back to the original payment method.".into(),
        };
        if self.original_method_refuses && self.method != PaymentMethod::AccountBalance {
            return Route {
                destination: Destination::AccountBalance,
                rule: "The refund to the original payment method failed, so it goes to the account balance.".into(),
            };
        }
        route
    }

    pub fn unsubscribe(
        &mut self,
        at: DateTime<Utc>,
        confirm_data_deletion: bool,
    ) -> Result<AlibabaRefund, AlibabaError> {
        if self.status == OrderStatus::Unsubscribed {
            return Err(AlibabaError::AlreadyUnsubscribed);
        }
        if self.billing == Billing::PayAsYouGo {
            return Err(AlibabaError::PayAsYouGo);
        }
        if self.kind == InstanceKind::Enterprise && !confirm_data_deletion {
            return Err(AlibabaError::ConfirmDataDeletion);
        }
        let refund = AlibabaRefund {
            at,
            amount: self.paid_cash,
            not_refunded: self.paid_vouchers,
            route: self.route(at),
            released_instance: self.kind == InstanceKind::Enterprise,
        };
        self.status = OrderStatus::Unsubscribed;
        self.refund = Some(refund.clone());
        Ok(refund)
    }

    pub fn check(&self) -> Result<(), String> {
        if self.paid_cash.minor < 0 || self.paid_vouchers.minor < 0 {
            return Err(format!("Alibaba order {} holds a negative amount", self.id));
        }
        if self
            .refund
            .as_ref()
            .is_some_and(|r| r.amount.minor > self.paid_cash.minor)
        {
            return Err(format!(
                "Alibaba order {} refunded more than was paid in cash",
                self.id
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use chrono::TimeZone;

    fn order(paid_at: DateTime<Utc>) -> AlibabaOrder {
        AlibabaOrder {
            id: "ali-1".into(),
            buyer: AccountId::parse("444455556666").unwrap(),
            product_name: "IoT Platform enterprise instance".into(),
            billing: Billing::Subscription,
            kind: InstanceKind::Standard,
            paid_at,
            paid_cash: Money::new(80_000, Currency::CNY),
            paid_vouchers: Money::new(20_000, Currency::CNY),
            method: PaymentMethod::Alipay,
            invoice_issued: false,
            original_method_refuses: false,
            status: OrderStatus::Active,
            refund: None,
        }
    }

    fn day(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
    }

    #[test]
    fn paid_on_the_cutoff_day_goes_to_the_balance_and_the_day_after_to_the_original_method() {
        assert_eq!(
            order(day(2019, 3, 29)).route(day(2019, 4, 2)).destination,
            Destination::AccountBalance
        );
        assert_eq!(
            order(day(2019, 3, 30)).route(day(2019, 4, 2)).destination,
            Destination::OriginalMethod(PaymentMethod::Alipay)
        );
    }

    #[test]
    fn day_548_is_inside_the_window_and_a_second_later_is_not() {
        let paid = day(2025, 1, 1);
        let o = order(paid);
        assert!(matches!(
            o.route(paid + ORIGINAL_METHOD_WINDOW).destination,
            Destination::OriginalMethod(_)
        ));
        assert_eq!(
            o.route(paid + ORIGINAL_METHOD_WINDOW + Duration::seconds(1))
                .destination,
            Destination::AccountBalance
        );
    }

    #[test]
    fn an_issued_invoice_or_a_failed_original_channel_sends_the_refund_to_the_balance() {
        let mut o = order(day(2025, 1, 1));
        o.invoice_issued = true;
        assert_eq!(
            o.route(day(2025, 2, 1)).destination,
            Destination::AccountBalance
        );
        let mut o = order(day(2025, 1, 1));
        o.original_method_refuses = true;
        let route = o.route(day(2025, 2, 1));
        assert_eq!(route.destination, Destination::AccountBalance);
        assert!(route.rule.contains("failed"));
    }

    #[test]
    fn only_the_cash_part_is_refunded_never_the_vouchers() {
        let mut o = order(day(2025, 1, 1));
        let refund = o.unsubscribe(day(2025, 2, 1), false).unwrap();
        assert_eq!(refund.amount.minor, 80_000);
        assert_eq!(refund.not_refunded.minor, 20_000);
        assert_eq!(o.status, OrderStatus::Unsubscribed);
    }

    #[test]
    fn pay_as_you_go_is_never_refunded() {
        let mut o = order(day(2025, 1, 1));
        o.billing = Billing::PayAsYouGo;
        assert_eq!(
            o.unsubscribe(day(2025, 2, 1), true),
            Err(AlibabaError::PayAsYouGo)
        );
        assert_eq!(o.status, OrderStatus::Active);
    }

    #[test]
    fn an_enterprise_refund_needs_explicit_confirmation_of_data_deletion() {
        let mut o = order(day(2025, 1, 1));
        o.kind = InstanceKind::Enterprise;
        assert_eq!(
            o.unsubscribe(day(2025, 2, 1), false),
            Err(AlibabaError::ConfirmDataDeletion)
        );
        assert_eq!(o.status, OrderStatus::Active);
        assert!(
            o.unsubscribe(day(2025, 2, 1), true)
                .unwrap()
                .released_instance
        );
    }
}
