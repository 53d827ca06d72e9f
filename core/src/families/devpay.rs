//! Amazon DevPay customer cancellation (seed 000): the buyer cancels from their own billing
//! page, access ends at once, the unused part of the monthly charge comes back at once,
//! one-time charges never do, and usage is billed up to the moment of cancelling. The
//! seller cannot cancel a customer (only through a support case) and is not told.
//!
//! Readings of the seed:
//! - The subscription is billed monthly from `period_start`: month `n` runs from
//!   `period_start + n` calendar months to `period_start + n + 1` (counted from
//!   `period_start` each time, so a subscription started on 31 January has months ending on
//!   28 or 29 February, then 31 March). Months have different lengths and the proration is
//!   over the true number of seconds of the month in progress, whichever month that is.
//! - Rounding: refund = ⌊monthly charge × seconds left ÷ seconds in the month⌋ in minor
//!   units. Rounding down means the refund never exceeds the unused share; the buyer loses
//!   less than one minor unit. Usage is rounded down the same way.
//! - Each month is paid in advance at its start, and earlier months' usage was billed at
//!   their end, so cancelling refunds and bills only the month in progress. Cancelling
//!   before the first month began refunds it all.
//! - "If they don't pay their bills for your product, we cancel their access to your
//!   product and their data becomes unavailable": AWS ends the customer's access
//!   ([`DevPaySubscription::end_access_for_unpaid_bill`]) as a cancellation would, but
//!   nothing comes back (the bill was not paid, and the source promises no refund then), and
//!   the usage up to that moment is still billed. The customer cannot cancel afterwards.

use chrono::{DateTime, Datelike, Months, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::{line, RefundFacts, RefundTo};
use crate::ids::AccountId;
use crate::key::DevPaySubscriptionId;
use crate::money::Money;

pub const DATA_WARNING: &str = "Access ends at once when you cancel, and so does access to any \
data you stored through this product (for example in Amazon S3). Retrieve your data first.";
/// DevPay sends the seller no message when a customer cancels.
pub const SELLER_NOT_TOLD: &str = "DevPay does not tell the seller: they find out from their \
reports and from the subscription's status.";
pub const RULE_PRORATED: &str = "The monthly charge is prorated to the second: what is left of \
the month comes back at once, rounded down to the cent.";
pub const RULE_ONE_TIME: &str = "One-time charges are never refunded.";
pub const RULE_USAGE: &str =
    "Usage is billed at the end of the month, up to the moment of cancelling.";
/// What happened to a customer who did not pay, in the source's words.
pub const UNPAID: &str = "The bill for this product was not paid, so AWS cancelled access to \
the product, and the data stored with AWS through it is unavailable.";

/// What the seller is told beside its customers, about learning that one cancelled.
pub const SELLER_NO_EMAIL: &str = "DevPay doesn't notify you by e-mail when a customer cancels: \
their status here and your reports are how you find out.";
/// The seller's only way to cancel a customer.
pub const SELLER_CANCEL_ROUTE: &str = "There isn't a programmatic way for you to cancel a \
customer. To cancel one, open a case in the AWS Support Center, selecting Billing > DevPay \
Inquiry.";
pub const RULE_SELLER_CHARGED: &str = "Amazon charges you to cover a customer's refund.";
/// The customer's first step on their Application Billing page.
pub const VIEW_CANCEL: &str = "View/Cancel Application";

/// What the seller's reports show of a customer who cancelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SellerStatement {
    pub cancelled_at: DateTime<Utc>,
    /// Billed to the customer at the end of the month, up to the moment of cancelling.
    pub usage_billed: Money,
    /// The customer's refund, which Amazon charges the seller to cover.
    pub charged_to_you: Money,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DevPayStatus {
    Active,
    Cancelled,
    /// AWS cancelled the customer's access because a bill went unpaid.
    Unpaid,
}

impl DevPayStatus {
    /// The status in the words of the customer's billing page.
    pub fn label(self) -> &'static str {
        match self {
            DevPayStatus::Active => "Active",
            DevPayStatus::Cancelled => "Cancelled",
            DevPayStatus::Unpaid => "Access cancelled: bill not paid",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevPaySubscription {
    pub id: DevPaySubscriptionId,
    pub seller: AccountId,
    pub buyer: AccountId,
    pub product_name: String,
    pub monthly_charge: Money,
    pub one_time_charge: Money,
    /// What usage costs per hour, billed at the end of the month.
    pub usage_per_hour: Money,
    /// The start of the first billing month; each month is paid in advance at its start.
    pub period_start: DateTime<Utc>,
    pub status: DevPayStatus,
    pub cancellation: Option<DevPayCancellation>,
}

/// What cancelling did, to the second, whether the customer cancelled or AWS ended their
/// access for an unpaid bill. It holds nothing for the seller: DevPay tells them nothing
/// (see [`SELLER_NOT_TOLD`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevPayCancellation {
    /// When access to the product and its data ended.
    pub at: DateTime<Utc>,
    pub refund: Money,
    pub one_time_not_refunded: Money,
    pub usage_billed: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DevPayError {
    #[error(
        "A seller cannot cancel a DevPay customer: there is no way to do it from here. Open a \
         case in the AWS Support Center (Billing > DevPay Inquiry) instead."
    )]
    SellerCannotCancel,
    #[error("This product was already cancelled on {0}.")]
    AlreadyCancelled(String),
    #[error("Only the customer who subscribed can cancel this product.")]
    NotTheCustomer,
    #[error(
        "AWS cancelled access to this product on {0} because its bill was not paid; the data \
         stored through it is unavailable."
    )]
    AccessEndedUnpaid(String),
}

impl DevPaySubscription {
    /// The start and end of the billing month in progress at `at`: the first month until
    /// it ends (and before it begins), then each following calendar month.
    pub fn month_at(&self, at: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        let start = self.period_start;
        let month = |n: u32| start.checked_add_months(Months::new(n));
        let guess = (at.year() - start.year()) * 12 + at.month() as i32 - start.month() as i32;
        let mut n = u32::try_from(guess).unwrap_or(0);
        // The guess counts calendar months, so it is at most one ahead of the month whose
        // day and time have come.
        if n > 0 && month(n).is_none_or(|begun| begun > at) {
            n -= 1;
        }
        match (month(n), month(n + 1)) {
            (Some(from), Some(to)) => (from, to),
            // Beyond chrono's last date: one month that never ends.
            _ => (start, DateTime::<Utc>::MAX_UTC),
        }
    }

    /// The unused part of the month in progress' charge at `at`, prorated to the second
    /// and rounded down to the minor unit; always within 0 and the monthly charge.
    pub fn unused_monthly(&self, at: DateTime<Utc>) -> Money {
        let (from, to) = self.month_at(at);
        let total = (to - from).num_seconds().max(1);
        let left = (to - at).num_seconds().clamp(0, total);
        let monthly = self.monthly_charge.minor.max(0);
        let minor = i128::from(monthly) * i128::from(left) / i128::from(total);
        Money::new(to_minor(minor), self.monthly_charge.currency)
    }

    /// Usage from the start of the month in progress to `at`, billed by the second and
    /// rounded down.
    pub fn usage_until(&self, at: DateTime<Utc>) -> Money {
        let (from, to) = self.month_at(at);
        let seconds = (at - from)
            .num_seconds()
            .clamp(0, (to - from).num_seconds());
        let minor = i128::from(self.usage_per_hour.minor.max(0)) * i128::from(seconds) / 3600;
        Money::new(to_minor(minor), self.usage_per_hour.currency)
    }

    /// The customer cancels at `at`. Anyone else is refused; the seller is told how it can
    /// be done instead.
    pub fn cancel(
        &mut self,
        by: &AccountId,
        at: DateTime<Utc>,
    ) -> Result<DevPayCancellation, DevPayError> {
        if by != &self.buyer {
            return Err(if by == &self.seller {
                DevPayError::SellerCannotCancel
            } else {
                DevPayError::NotTheCustomer
            });
        }
        self.still_active()?;
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

    /// AWS ends the access of a customer who did not pay their bill, at `at`: access and
    /// the data stored through the product become unavailable, nothing is refunded, and
    /// the usage up to then is still billed.
    pub fn end_access_for_unpaid_bill(
        &mut self,
        at: DateTime<Utc>,
    ) -> Result<DevPayCancellation, DevPayError> {
        self.still_active()?;
        let ended = DevPayCancellation {
            at,
            refund: Money::new(0, self.monthly_charge.currency),
            one_time_not_refunded: self.one_time_charge,
            usage_billed: self.usage_until(at),
        };
        self.status = DevPayStatus::Unpaid;
        self.cancellation = Some(ended.clone());
        Ok(ended)
    }

    fn still_active(&self) -> Result<(), DevPayError> {
        let Some(done) = &self.cancellation else {
            return Ok(());
        };
        let when = done.at.format("%Y-%m-%d %H:%M:%S UTC").to_string();
        Err(match self.status {
            DevPayStatus::Unpaid => DevPayError::AccessEndedUnpaid(when),
            DevPayStatus::Active | DevPayStatus::Cancelled => DevPayError::AlreadyCancelled(when),
        })
    }

    /// The customer's cancel control, in the words of their Application Billing page.
    pub fn cancel_action(&self) -> String {
        format!("Cancel the use of {}", self.product_name)
    }

    /// What the seller sees of this customer once it cancelled; nothing while it has not.
    pub fn seller_statement(&self) -> Option<SellerStatement> {
        self.cancellation.as_ref().map(|c| SellerStatement {
            cancelled_at: c.at,
            usage_billed: c.usage_billed,
            charged_to_you: c.refund,
        })
    }

    /// What cancelling at `at` gives back and what it does not; once cancelled, what the
    /// cancellation did.
    pub fn refund_facts(&self, at: DateTime<Utc>) -> RefundFacts {
        let at = self.cancellation.as_ref().map_or(at, |c| c.at);
        let unused = if self.status == DevPayStatus::Unpaid {
            line(
                "Unused part of this month's charge",
                Money::new(0, self.monthly_charge.currency),
                RefundTo::NotRefunded,
                UNPAID,
            )
        } else {
            line(
                "Unused part of this month's charge",
                self.unused_monthly(at),
                RefundTo::OriginalMethod("the customer's AWS payment method".into()),
                RULE_PRORATED,
            )
        };
        RefundFacts {
            family: "Amazon DevPay".into(),
            lines: vec![
                unused,
                line(
                    "One-time charge",
                    self.one_time_charge,
                    RefundTo::NotRefunded,
                    RULE_ONE_TIME,
                ),
                line(
                    "Usage so far this month",
                    self.usage_until(at),
                    RefundTo::NotRefunded,
                    RULE_USAGE,
                ),
            ],
            notes: vec![DATA_WARNING.into(), SELLER_NOT_TOLD.into()],
        }
    }

    /// The rule a stored subscription must satisfy: cancelled (by the customer, or by AWS
    /// for an unpaid bill) exactly when it holds a cancellation, whose refund is at most a
    /// month's charge, and nothing when the bill went unpaid.
    pub fn check(&self) -> Result<(), BrokenDevPayRule> {
        match (&self.cancellation, self.status) {
            (Some(c), DevPayStatus::Cancelled)
                if c.refund.minor <= self.monthly_charge.minor && c.refund.minor >= 0 =>
            {
                Ok(())
            }
            (Some(c), DevPayStatus::Unpaid) if c.refund.minor == 0 => Ok(()),
            (None, DevPayStatus::Active) => Ok(()),
            _ => Err(BrokenDevPayRule::InconsistentCancellation(self.id.clone())),
        }
    }
}

/// The rule of [`DevPaySubscription::check`] that a stored subscription breaks.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BrokenDevPayRule {
    #[error("DevPay subscription {0} has an inconsistent cancellation")]
    InconsistentCancellation(DevPaySubscriptionId),
}

/// The results above are at most an `i64` amount times a fraction ≤ 1, or a month of hourly
/// usage; saturating keeps an absurd hourly price from wrapping round to a negative bill.
fn to_minor(value: i128) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
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
    fn the_unused_part_of_the_month_is_refunded_to_the_second_and_rounded_down() {
        let sub = subscription();
        // April has 30 days: cancelling after 10 leaves 20/30 of 30.00.
        assert_eq!(
            sub.unused_monthly(start() + Duration::days(10)).minor,
            2_000
        );
        // One second in: 3000 × 2591999 / 2592000 = 2999.9988…, rounded down.
        assert_eq!(
            sub.unused_monthly(start() + Duration::seconds(1)).minor,
            2_999
        );
        // One second before the end: 3000 / 2592000 = 0.0011…, rounded down to nothing.
        let end = start() + Duration::days(30);
        assert_eq!(sub.unused_monthly(end - Duration::seconds(1)).minor, 0);
        assert_eq!(sub.unused_monthly(start()).minor, 3_000);
    }

    #[test]
    fn the_refund_covers_the_month_in_progress_whatever_month_the_clock_is_in() {
        let sub = subscription();
        let may = Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap();
        // The first month is over: May has begun, paid in advance, all of it unused.
        assert_eq!(sub.month_at(may), (may, may + Duration::days(31)));
        assert_eq!(sub.unused_monthly(may).minor, 3_000);
        // Ten of November's 30 days gone, seven months on: 20/30 of 30.00 comes back, and
        // usage is billed from 1 November only (earlier months were billed at their end).
        let november = Utc.with_ymd_and_hms(2026, 11, 11, 0, 0, 0).unwrap();
        assert_eq!(sub.unused_monthly(november).minor, 2_000);
        assert_eq!(sub.usage_until(november).minor, 10 * 24 * 10);
        let mut buyer_sub = subscription();
        let buyer = buyer_sub.buyer.clone();
        let done = buyer_sub.cancel(&buyer, november).unwrap();
        assert_eq!((done.refund.minor, done.usage_billed.minor), (2_000, 2_400));
        // Before the first month began, it is the first month, untouched.
        assert_eq!(sub.unused_monthly(start() - Duration::days(3)).minor, 3_000);
    }

    #[test]
    fn months_count_from_the_first_so_a_start_on_the_31st_keeps_its_day_when_it_can() {
        let mut sub = subscription();
        sub.period_start = Utc.with_ymd_and_hms(2026, 1, 31, 12, 0, 0).unwrap();
        let at = |m, d, h| Utc.with_ymd_and_hms(2026, m, d, h, 0, 0).unwrap();
        assert_eq!(
            sub.month_at(at(2, 28, 11)),
            (sub.period_start, at(2, 28, 12))
        );
        assert_eq!(sub.month_at(at(2, 28, 12)), (at(2, 28, 12), at(3, 31, 12)));
        assert_eq!(sub.month_at(at(3, 31, 11)), (at(2, 28, 12), at(3, 31, 12)));
        assert_eq!(sub.month_at(at(4, 1, 0)), (at(3, 31, 12), at(4, 30, 12)));
    }

    #[test]
    fn the_month_is_a_calendar_month_so_february_is_shorter() {
        let mut sub = subscription();
        sub.period_start = Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap();
        assert_eq!(
            sub.month_at(sub.period_start).1,
            Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap()
        );
        // 14 of 28 days left: exactly half.
        assert_eq!(
            sub.unused_monthly(sub.period_start + Duration::days(14))
                .minor,
            1_500
        );
    }

    #[test]
    fn cancelling_refunds_the_unused_month_never_the_one_time_charge_and_bills_usage_so_far() {
        let mut sub = subscription();
        let at = start() + Duration::days(15) + Duration::seconds(90);
        let buyer = sub.buyer.clone();
        let done = sub.cancel(&buyer, at).unwrap();
        // 15 days less 90 s left of 30 days: 3000 × 1295910 / 2592000 = 1499.89…
        assert_eq!(done.refund.minor, 1_499);
        assert_eq!(done.one_time_not_refunded.minor, 5_000);
        // 15 days and 90 s of usage at 0.10 an hour: 36.0025 → 36.00.
        assert_eq!(done.usage_billed.minor, 3_600);
        assert_eq!(done.at, at);
        assert_eq!(sub.status, DevPayStatus::Cancelled);
        assert!(sub.check().is_ok());
    }

    #[test]
    fn a_subscription_cancelled_without_its_cancellation_breaks_its_rule() {
        let mut sub = subscription();
        sub.status = DevPayStatus::Cancelled;
        let broken = sub.check().unwrap_err();
        assert_eq!(
            broken,
            BrokenDevPayRule::InconsistentCancellation(sub.id.clone())
        );
        assert_eq!(
            broken.to_string(),
            format!(
                "DevPay subscription {} has an inconsistent cancellation",
                sub.id
            )
        );
    }

    #[test]
    fn the_status_reads_cancelled_once_the_customer_cancels() {
        let mut sub = subscription();
        assert_eq!(sub.status.label(), "Active");
        let buyer = sub.buyer.clone();
        sub.cancel(&buyer, start()).unwrap();
        assert_eq!(sub.status.label(), "Cancelled");
    }

    #[test]
    fn the_seller_cannot_cancel_a_customer_and_is_sent_to_a_support_case() {
        let mut sub = subscription();
        let seller = sub.seller.clone();
        let error = sub.cancel(&seller, start()).unwrap_err();
        assert_eq!(error, DevPayError::SellerCannotCancel);
        assert!(error.to_string().contains("Billing > DevPay Inquiry"));
        assert_eq!(sub.status, DevPayStatus::Active);
        let stranger = AccountId::parse("999999999999").unwrap();
        assert_eq!(
            sub.cancel(&stranger, start()),
            Err(DevPayError::NotTheCustomer)
        );
    }

    #[test]
    fn a_cancelled_customer_shows_the_seller_the_usage_billed_and_charges_it_the_refund() {
        let mut sub = subscription();
        assert_eq!(sub.seller_statement(), None);
        let buyer = sub.buyer.clone();
        let at = start() + Duration::days(10);
        let done = sub.cancel(&buyer, at).unwrap();
        let statement = sub.seller_statement().unwrap();
        assert_eq!(statement.cancelled_at, at);
        // Ten days at 0.10 an hour; the 20/30 of 30.00 refunded is charged to the seller.
        assert_eq!(statement.usage_billed.minor, 2_400);
        assert_eq!(statement.charged_to_you, done.refund);
        assert_eq!(statement.charged_to_you.minor, 2_000);
    }

    #[test]
    fn the_customer_cancels_in_the_words_of_the_billing_page_and_the_seller_is_sent_to_support() {
        assert_eq!(VIEW_CANCEL, "View/Cancel Application");
        assert_eq!(
            subscription().cancel_action(),
            "Cancel the use of Backup appliance"
        );
        assert!(
            SELLER_CANCEL_ROUTE.contains("AWS Support Center, selecting Billing > DevPay Inquiry")
        );
        assert!(SELLER_CANCEL_ROUTE.contains("isn't a programmatic way"));
        assert!(SELLER_NO_EMAIL.contains("doesn't notify you by e-mail"));
    }

    #[test]
    fn a_customer_who_does_not_pay_loses_access_and_data_and_gets_nothing_back() {
        let mut sub = subscription();
        let at = start() + Duration::days(20);
        let ended = sub.end_access_for_unpaid_bill(at).unwrap();
        assert_eq!(sub.status, DevPayStatus::Unpaid);
        assert_eq!(sub.status.label(), "Access cancelled: bill not paid");
        assert_eq!(ended.refund.minor, 0);
        assert_eq!(ended.usage_billed.minor, 20 * 24 * 10);
        assert!(sub.check().is_ok());
        assert!(UNPAID.contains("data") && UNPAID.contains("not paid"));
        // The customer can no longer cancel, and is told why.
        let before = sub.clone();
        let buyer = sub.buyer.clone();
        let refused = sub.cancel(&buyer, at + Duration::days(1)).unwrap_err();
        assert_eq!(
            refused,
            DevPayError::AccessEndedUnpaid("2026-04-21 00:00:00 UTC".into())
        );
        assert!(refused.to_string().contains("bill was not paid"));
        assert_eq!(sub.end_access_for_unpaid_bill(at), Err(refused));
        assert_eq!(sub, before);
        // Nothing comes back, and the seller's statement charges it nothing.
        let facts = sub.refund_facts(at + Duration::days(2));
        assert_eq!(facts.refunded().count(), 0);
        assert_eq!(facts.lines[0].rule, UNPAID);
        assert_eq!(facts.lines[2].amount, ended.usage_billed);
        assert_eq!(sub.seller_statement().unwrap().charged_to_you.minor, 0);
        // A refund on an unpaid record breaks its rule.
        sub.cancellation.as_mut().unwrap().refund.minor = 1;
        assert!(sub.check().is_err());
    }

    #[test]
    fn stored_statuses_read_as_before() {
        for (status, json) in [
            (DevPayStatus::Active, "\"Active\""),
            (DevPayStatus::Cancelled, "\"Cancelled\""),
            (DevPayStatus::Unpaid, "\"Unpaid\""),
        ] {
            assert_eq!(serde_json::to_string(&status).unwrap(), json);
            assert_eq!(serde_json::from_str::<DevPayStatus>(json).unwrap(), status);
        }
    }

    #[test]
    fn cancelling_twice_is_refused_and_changes_nothing() {
        let mut sub = subscription();
        let buyer = sub.buyer.clone();
        sub.cancel(&buyer, start()).unwrap();
        let before = sub.clone();
        assert_eq!(
            sub.cancel(&buyer, start() + Duration::days(1)),
            Err(DevPayError::AlreadyCancelled(
                "2026-04-01 00:00:00 UTC".into()
            ))
        );
        assert_eq!(sub, before);
    }

    #[test]
    fn the_refund_facts_say_what_never_comes_back_and_warn_about_data_and_the_seller() {
        let sub = subscription();
        let facts = sub.refund_facts(start() + Duration::days(10));
        assert_eq!(facts.refunded().count(), 1);
        assert_eq!(facts.lines[0].amount.minor, 2_000);
        assert_eq!(facts.lines[1].rule, RULE_ONE_TIME);
        assert_eq!(facts.lines[1].to, RefundTo::NotRefunded);
        assert_eq!(facts.lines[2].amount.minor, 10 * 24 * 10);
        assert!(facts.notes.contains(&DATA_WARNING.to_string()));
        assert!(facts.notes.contains(&SELLER_NOT_TOLD.to_string()));
    }

    #[test]
    fn after_cancelling_the_facts_are_those_of_the_cancellation_moment() {
        let mut sub = subscription();
        let buyer = sub.buyer.clone();
        let done = sub.cancel(&buyer, start() + Duration::days(6)).unwrap();
        let facts = sub.refund_facts(start() + Duration::days(20));
        assert_eq!(facts.lines[0].amount, done.refund);
        assert_eq!(facts.lines[2].amount, done.usage_billed);
    }

    proptest! {
        #[test]
        fn the_refund_stays_within_the_monthly_charge(
            seconds in -100_000i64..4_000_000,
            monthly in 0i64..i64::MAX,
            day in 1u32..29,
        ) {
            let mut sub = subscription();
            sub.period_start = Utc.with_ymd_and_hms(2026, 1, day, 0, 0, 0).unwrap();
            sub.monthly_charge = Money::new(monthly, Currency::USD);
            let at = sub.period_start + Duration::seconds(seconds);
            let refund = sub.unused_monthly(at);
            prop_assert!(refund.minor >= 0 && refund.minor <= monthly);
            // Later in the same month never refunds more than earlier.
            let next = at + Duration::seconds(1);
            if sub.month_at(next) == sub.month_at(at) {
                prop_assert!(sub.unused_monthly(next).minor <= refund.minor);
            }
        }

        #[test]
        fn the_month_in_progress_holds_the_moment_and_is_a_calendar_month_long(
            seconds in 0i64..400_000_000,
            day in 1u32..32,
        ) {
            let mut sub = subscription();
            sub.period_start = Utc.with_ymd_and_hms(2026, 1, day, 7, 30, 0).unwrap();
            let at = sub.period_start + Duration::seconds(seconds);
            let (from, to) = sub.month_at(at);
            prop_assert!(from <= at && at < to);
            prop_assert!((28..=31).contains(&(to - from).num_days()));
            prop_assert_eq!(sub.month_at(to).0, to);
        }

        #[test]
        fn usage_is_never_negative_and_never_more_than_a_month(
            seconds in -100_000i64..10_000_000,
            per_hour in 0i64..1_000_000_000,
        ) {
            let mut sub = subscription();
            sub.usage_per_hour = Money::new(per_hour, Currency::USD);
            let usage = sub.usage_until(start() + Duration::seconds(seconds)).minor;
            prop_assert!(usage >= 0);
            let (from, to) = sub.month_at(start() + Duration::seconds(seconds));
            let month = i128::from(per_hour) * i128::from((to - from).num_seconds()) / 3600;
            prop_assert!(i128::from(usage) <= month);
        }
    }
}
