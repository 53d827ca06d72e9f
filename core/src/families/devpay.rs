//! Amazon DevPay customer cancellation (seed 000): the buyer cancels from their own billing
//! page, access ends at once, the unused part of the monthly charge comes back at once,
//! one-time charges never do, and usage is billed up to the moment of cancelling. The
//! seller cannot cancel a customer (only through a support case) and is not told.

use chrono::{DateTime, Months, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::ids::AccountId;
use crate::money::Money;

pub const DATA_WARNING: &str = "Access ends at once when you cancel, and so does access to any \
data you stored through this product (for example in Amazon S3). Retrieve your data first.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DevPayStatus {
    Active,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevPaySubscription {
    pub id: String,
    pub seller: AccountId,
    pub buyer: AccountId,
    pub product_name: String,
    pub monthly_charge: Money,
    pub one_time_charge: Money,
    /// What usage costs per hour, billed at the end of the month.
    pub usage_per_hour: Money,
    /// The current billing month: paid in advance at its start.
    pub period_start: DateTime<Utc>,
    pub status: DevPayStatus,
    pub cancellation: Option<DevPayCancellation>,
}

/// What cancelling did, to the second.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevPayCancellation {
    pub at: DateTime<Utc>,
    pub refund: Money,
    pub one_time_not_refunded: Money,
    pub usage_billed: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DevPayError {
    #[error(
        "A seller cannot cancel a DevPay customer. Open a case in the AWS Support Center \
         (Billing > DevPay Inquiry) instead."
    )]
    SellerCannotCancel,
    #[error("This product was already cancelled on {0}.")]
    AlreadyCancelled(String),
    #[error("Only the customer who subscribed can cancel this product.")]
    NotTheCustomer,
}

impl DevPaySubscription {
    pub fn period_end(&self) -> DateTime<Utc> {
        self.period_start + Months::new(1)
    }

    /// The unused part of the monthly charge at `at`, prorated to the second and rounded
    /// down to the minor unit, so the refund never exceeds what is unused.
    pub fn unused_monthly(&self, at: DateTime<Utc>) -> Money {
        let total = (self.period_end() - self.period_start).num_seconds();
        let left = (self.period_end() - at).num_seconds().clamp(0, total);
        let minor =
            i128::from(self.monthly_charge.minor) * i128::from(left) / i128::from(total.max(1));
        Money::new(minor as i64, self.monthly_charge.currency)
    }

    /// Usage from the start of the month to `at`, billed by the second.
    pub fn usage_until(&self, at: DateTime<Utc>) -> Money {
        let seconds = (at - self.period_start).num_seconds().max(0);
        let minor = i128::from(self.usage_per_hour.minor) * i128::from(seconds) / 3600;
        Money::new(minor as i64, self.usage_per_hour.currency)
    }

    pub fn cancel(
        &mut self,
        by_buyer: &AccountId,
        at: DateTime<Utc>,
    ) -> Result<DevPayCancellation, DevPayError> {
        if by_buyer != &self.buyer {
            return Err(if by_buyer == &self.seller {
                DevPayError::SellerCannotCancel
            } else {
                DevPayError::NotTheCustomer
            });
        }
        if let Some(done) = &self.cancellation {
            return Err(DevPayError::AlreadyCancelled(
                done.at.format("%Y-%m-%d %H:%M UTC").to_string(),
            ));
        }
        let cancellation = DevPayCancellation {
            at,
            refund: self.unused_monthly(at),
            one_time_not_refunded: self.one_time_charge,
            usage_billed: self.usage_until(at),
        };
        self.status = DevPayStatus::Cancelled;
        self.cancellation = Some(cancellation.clone());
        Ok(cancellation)
    }

    pub fn check(&self) -> Result<(), String> {
        match (&self.cancellation, self.status) {
            (Some(c), DevPayStatus::Cancelled)
                if c.refund.minor <= self.monthly_charge.minor && c.refund.minor >= 0 =>
            {
                Ok(())
            }
            (None, DevPayStatus::Active) => Ok(()),
            _ => Err(format!(
                "DevPay subscription {} has an inconsistent cancellation",
                self.id
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use chrono::{Duration, TimeZone};
    use proptest::prelude::*;

    fn start() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap()
    }

    fn subscription() -> DevPaySubscription {
        DevPaySubscription {
            id: "devpay-1".into(),
            seller: AccountId::parse("111122223333").unwrap(),
            buyer: AccountId::parse("444455556666").unwrap(),
            product_name: "Backup appliance".into(),
            monthly_charge: Money::new(3_000, Currency::USD),
            one_time_charge: Money::new(5_000, Currency::USD),
            usage_per_hour: Money::new(10, Currency::USD),
            period_start: start(),
            status: DevPayStatus::Active,
            cancellation: None,
        }
    }

    #[test]
    fn the_unused_part_of_the_month_is_refunded_to_the_second() {
        let sub = subscription();
        // April has 30 days: cancelling after 10 leaves 20/30 of 30.00.
        assert_eq!(
            sub.unused_monthly(start() + Duration::days(10)).minor,
            2_000
        );
        // One second in: 2591999/2592000 of 3000 cents, rounded down.
        assert_eq!(
            sub.unused_monthly(start() + Duration::seconds(1)).minor,
            2_999
        );
        assert_eq!(sub.unused_monthly(sub.period_end()).minor, 0);
    }

    #[test]
    fn cancelling_refunds_the_unused_month_never_the_one_time_charge_and_bills_usage_so_far() {
        let mut sub = subscription();
        let at = start() + Duration::days(15);
        let done = sub.cancel(&sub.buyer.clone(), at).unwrap();
        assert_eq!(done.refund.minor, 1_500);
        assert_eq!(done.one_time_not_refunded.minor, 5_000);
        assert_eq!(done.usage_billed.minor, 15 * 24 * 10);
        assert_eq!(sub.status, DevPayStatus::Cancelled);
    }

    #[test]
    fn the_seller_cannot_cancel_a_customer() {
        let mut sub = subscription();
        let seller = sub.seller.clone();
        assert_eq!(
            sub.cancel(&seller, start()),
            Err(DevPayError::SellerCannotCancel)
        );
        assert_eq!(sub.status, DevPayStatus::Active);
    }

    #[test]
    fn cancelling_twice_is_refused() {
        let mut sub = subscription();
        let buyer = sub.buyer.clone();
        sub.cancel(&buyer, start()).unwrap();
        assert!(matches!(
            sub.cancel(&buyer, start()),
            Err(DevPayError::AlreadyCancelled(_))
        ));
    }

    proptest! {
        #[test]
        fn the_refund_stays_within_the_monthly_charge(seconds in -100_000i64..4_000_000, monthly in 0i64..10_000_000) {
            let mut sub = subscription();
            sub.monthly_charge = Money::new(monthly, Currency::USD);
            let refund = sub.unused_monthly(start() + Duration::seconds(seconds));
            prop_assert!(refund.minor >= 0 && refund.minor <= monthly);
        }
    }
}
