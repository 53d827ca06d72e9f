//! Alibaba Cloud subscription refunds (seed 003): the buyer unsubscribes and Alibaba's rules
//! decide what comes back and where.
//!
//! Readings of the seed's boundaries, each tested on both sides:
//! - Dates are Alibaba Cloud's calendar dates in China Standard Time (UTC+8, no daylight
//!   saving), the zone its billing dates orders in; the seed gives dates without a zone.
//! - "paid after March 29, 2019": paid on 30 March 2019 or later. An order paid at any
//!   moment of 29 March (UTC+8) goes to the account balance; from 2019-03-30 00:00 UTC+8
//!   (2019-03-29 16:00 UTC) on it can go back to the original method.
//! - "within 18 months (548 days) after payment": counted in calendar days, the payment
//!   day being day 0. A cancellation on day 548 (all of it, to 23:59:59) is within; from
//!   the first second of day 549 it is not.
//! - An issued invoice sends the refund to the balance whatever the dates, but only for
//!   "products purchased on the Alibaba Cloud official website (excluding products from
//!   the cloud marketplace)"; a cloud-marketplace order follows the dates. A refund the
//!   original channel refuses goes to the balance too. An order paid from the balance goes
//!   back there.
//! - Online banking: "expected to be credited within 2-3 business days" is the whole time
//!   for such a refund, the bank's processing included, not days on top of the usual 2.
//! - Only the cash or prepaid-card part is ever refunded; vouchers and coupons never come
//!   back. How much of the cash part follows Alibaba Cloud's Unsubscription Rules, which the
//!   seed points to but does not give: the workbench assumes the whole cash part, with no
//!   deduction for time used, and says that it is an assumption ([`AMOUNT_ASSUMPTION`]).
//! - "To unsubscribe from purchased instance resources, submit a ticket": unsubscribing
//!   opens a ticket; the instance is released and the refund made when Alibaba Cloud
//!   processes it, [`TICKET_BUSINESS_DAYS`] business days (Monday to Friday, UTC+8) later,
//!   the "approximately 2 business days" the seed gives. The refund's route is decided by
//!   the day the ticket was submitted, the day the buyer cancelled, so the buyer gets what
//!   the preview showed.
//! - Of IoT Platform's instances only the old public instance is pay-as-you-go, and it is
//!   not refundable; the new public instance is free of charge, so there is nothing to
//!   refund.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::{line, RefundFacts, RefundLine, RefundTo};
use crate::ids::AccountId;
use crate::key::AlibabaOrderId;
use crate::money::Money;

/// The last payment date that does not qualify for a refund to the original method.
pub const CUTOFF_DATE: NaiveDate = NaiveDate::from_ymd_opt(2019, 3, 29).unwrap();
/// The last day after payment (payment day = day 0) that still qualifies.
pub const ORIGINAL_METHOD_DAYS: i64 = 548;
const CHINA_STANDARD_TIME: FixedOffset = FixedOffset::east_opt(8 * 3600).unwrap();

/// Business days from an unsubscription ticket to its processing.
pub const TICKET_BUSINESS_DAYS: u32 = 2;

pub const TIMING: &str = "Refunds generally arrive within about 2 business days.";
pub const BANK_TIMING: &str = "A refund to online banking depends on the bank's processing \
time: it is expected within 2-3 business days in all.";
pub const ENTERPRISE_WARNING: &str = "Refunding an enterprise instance releases it at once and \
deletes all of its data permanently. It cannot be recovered.";
pub const INVOICE_NOTE: &str = "To move the money from the balance back to the original \
channel, return the invoice and then withdraw the balance.";

pub const RULE_INVOICE_ISSUED: &str = "An invoice was already issued for this order, bought on \
the Alibaba Cloud official website, so the refund goes to the account balance.";
pub const RULE_PAID_ON_OR_BEFORE_CUTOFF: &str =
    "Orders paid on or before 29 March 2019 (UTC+8) are refunded to the account balance.";

/// More than [`ORIGINAL_METHOD_DAYS`] days since payment: to the balance.
pub fn rule_past_window() -> String {
    format!(
        "More than {ORIGINAL_METHOD_DAYS} days have passed since payment, so the refund goes to \
         the account balance."
    )
}

/// Paid after the cutoff and cancelled within the window: back to the original method.
pub fn rule_original_method() -> String {
    format!(
        "Paid after 29 March 2019 and cancelled within {ORIGINAL_METHOD_DAYS} days of payment: \
         back to the original payment method."
    )
}

/// Paid from the balance, after the cutoff and within the window: back to the balance.
pub fn rule_paid_from_balance() -> String {
    format!(
        "Paid after 29 March 2019 and cancelled within {ORIGINAL_METHOD_DAYS} days of payment \
         from the account balance: back to the account balance."
    )
}
pub const RULE_ORIGINAL_METHOD_FAILED: &str =
    "The refund to the original payment method failed, so it goes to the account balance.";
pub const RULE_CASH_ONLY: &str =
    "Only the cash or prepaid-card portion of the payment is refundable.";
pub const RULE_VOUCHERS: &str = "Amounts offset by vouchers or coupons are never refunded.";
pub const RULE_PAY_AS_YOU_GO: &str = "The old public instance uses the pay-as-you-go billing \
method and does not support refunds. The new public instance is free of charge.";
pub const RULE_FREE: &str = "The new public instance is free of charge: nothing was paid, so \
nothing is refunded.";
/// What the workbench assumes of the amount, which the seed leaves to the Unsubscription Rules.
pub const AMOUNT_ASSUMPTION: &str = "The amount refunded follows Alibaba Cloud's Unsubscription \
Rules, which this workbench does not have. It assumes the whole cash or prepaid-card portion \
comes back, with nothing deducted for the time used: an assumption, not Alibaba Cloud's figure.";
pub const TICKET_NOTE: &str = "Unsubscribing submits a ticket. The instance is released and the \
refund made when Alibaba Cloud processes it, in about 2 business days.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Billing {
    Subscription,
    /// The old public instance's billing: not refundable.
    PayAsYouGo,
    /// The new public instance: free of charge.
    Free,
}

impl Billing {
    pub fn label(self) -> &'static str {
        match self {
            Billing::Subscription => "Subscription",
            Billing::PayAsYouGo => "Pay-as-you-go",
            Billing::Free => "Free of charge",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaymentMethod {
    Alipay,
    OnlineBanking,
    AccountBalance,
}

impl PaymentMethod {
    /// The method's name, as an order lists it.
    pub fn name(self) -> &'static str {
        match self {
            PaymentMethod::Alipay => "Alipay",
            PaymentMethod::OnlineBanking => "Online banking",
            PaymentMethod::AccountBalance => "Alibaba Cloud account balance",
        }
    }

    /// Where a refund to this method goes, in words.
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
    /// IoT Platform's public instance: the old one pay-as-you-go, the new one free.
    Public,
}

impl InstanceKind {
    pub fn label(self) -> &'static str {
        match self {
            InstanceKind::Standard => "Standard instance",
            InstanceKind::Enterprise => "Enterprise instance",
            InstanceKind::Public => "Public instance",
        }
    }
}

/// Where the order was bought. The seed's invoice rule is for "products purchased on the
/// Alibaba Cloud official website (excluding products from the cloud marketplace)".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SalesChannel {
    /// Orders stored before the channel was recorded were all bought here.
    #[default]
    OfficialWebsite,
    CloudMarketplace,
}

impl SalesChannel {
    pub fn label(self) -> &'static str {
        match self {
            SalesChannel::OfficialWebsite => "Alibaba Cloud official website",
            SalesChannel::CloudMarketplace => "Alibaba Cloud Marketplace",
        }
    }

    fn is_official_website(&self) -> bool {
        *self == SalesChannel::OfficialWebsite
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderStatus {
    Active,
    Unsubscribed,
}

impl OrderStatus {
    /// The status in the words of the Alibaba Cloud console.
    pub fn label(self) -> &'static str {
        match self {
            OrderStatus::Active => "Active",
            OrderStatus::Unsubscribed => "Unsubscribed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlibabaOrder {
    pub id: AlibabaOrderId,
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
    /// Absent from orders stored before it was recorded: those are official-website orders,
    /// and an official-website order is not written with it, so that they load unchanged.
    #[serde(default, skip_serializing_if = "SalesChannel::is_official_website")]
    pub channel: SalesChannel,
    pub invoice_issued: bool,
    /// The original channel refuses the refund (closed account, expired card).
    pub original_method_refuses: bool,
    pub status: OrderStatus,
    pub refund: Option<AlibabaRefund>,
    /// The unsubscription ticket. Absent from orders stored before tickets, and not written
    /// while there is none, so that those load and are written unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<UnsubscribeTicket>,
}

/// The ticket a buyer submits to unsubscribe: Alibaba Cloud processes it some business days
/// later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnsubscribeTicket {
    pub id: String,
    pub submitted_at: DateTime<Utc>,
}

impl UnsubscribeTicket {
    /// When Alibaba Cloud processes it.
    pub fn due_at(&self) -> DateTime<Utc> {
        after_business_days(self.submitted_at, TICKET_BUSINESS_DAYS)
    }
}

/// `days` business days after `from`, at the same time of day: Saturdays and Sundays (in
/// China Standard Time) do not count.
pub fn after_business_days(from: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    let mut at = from;
    let mut left = days;
    while left > 0 {
        at += Duration::days(1);
        if !matches!(alibaba_date(at).weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    at
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

impl Route {
    fn to(destination: Destination, rule: &str) -> Route {
        Route {
            destination,
            rule: rule.to_string(),
        }
    }

    /// When the money should arrive, in words.
    pub fn expected_timing(&self) -> Vec<&'static str> {
        match self.destination {
            Destination::OriginalMethod(PaymentMethod::OnlineBanking) => vec![BANK_TIMING],
            _ => vec![TIMING],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlibabaRefund {
    pub at: DateTime<Utc>,
    pub amount: Money,
    pub not_refunded: Money,
    pub route: Route,
    /// The enterprise instance was released and its data deleted for good.
    pub released_instance: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AlibabaError {
    #[error(
        "The old public instance uses the pay-as-you-go billing method and does not support \
         refunds. The new public instance is free of charge. If you no longer use the old \
         public instance, disable its devices: once all of them are disabled, it stops \
         incurring charges."
    )]
    PayAsYouGo,
    #[error(
        "The new public instance is free of charge: nothing was paid, so there is nothing to \
         refund."
    )]
    Free,
    #[error(
        "Ticket {0} to unsubscribe this order is already submitted. Alibaba Cloud releases the \
         instance and makes the refund when it processes the ticket."
    )]
    TicketOpen(String),
    #[error(
        "Refunding an enterprise instance releases it and deletes all of its data \
         permanently. Confirm that you understand this before unsubscribing."
    )]
    ConfirmDataDeletion,
    #[error("This order was already unsubscribed.")]
    AlreadyUnsubscribed,
}

/// The calendar date of `at` in China Standard Time.
pub fn alibaba_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&CHINA_STANDARD_TIME).date_naive()
}

impl AlibabaOrder {
    /// Which day after payment `at` falls on (the payment day is day 0).
    pub fn days_since_payment(&self, at: DateTime<Utc>) -> i64 {
        (alibaba_date(at) - alibaba_date(self.paid_at)).num_days()
    }

    /// Whether an issued invoice sends the refund to the balance: only for an order bought
    /// on the official website.
    fn invoice_goes_to_balance(&self) -> bool {
        self.invoice_issued && self.channel == SalesChannel::OfficialWebsite
    }

    /// Where a refund at `at` goes, and why.
    pub fn route(&self, at: DateTime<Utc>) -> Route {
        if self.invoice_goes_to_balance() {
            return Route::to(Destination::AccountBalance, RULE_INVOICE_ISSUED);
        }
        if alibaba_date(self.paid_at) <= CUTOFF_DATE {
            return Route::to(Destination::AccountBalance, RULE_PAID_ON_OR_BEFORE_CUTOFF);
        }
        if self.days_since_payment(at) > ORIGINAL_METHOD_DAYS {
            return Route::to(Destination::AccountBalance, &rule_past_window());
        }
        match self.method {
            PaymentMethod::AccountBalance => {
                Route::to(Destination::AccountBalance, &rule_paid_from_balance())
            }
            _ if self.original_method_refuses => {
                Route::to(Destination::AccountBalance, RULE_ORIGINAL_METHOD_FAILED)
            }
            method => Route::to(Destination::OriginalMethod(method), &rule_original_method()),
        }
    }

    /// Whether the buyer may unsubscribe now, with or without having confirmed that an
    /// enterprise instance's data is deleted for good.
    pub fn can_unsubscribe(&self, confirm_data_deletion: bool) -> Result<(), AlibabaError> {
        if self.status == OrderStatus::Unsubscribed {
            return Err(AlibabaError::AlreadyUnsubscribed);
        }
        if let Some(ticket) = &self.ticket {
            return Err(AlibabaError::TicketOpen(ticket.id.clone()));
        }
        match self.billing {
            Billing::PayAsYouGo => return Err(AlibabaError::PayAsYouGo),
            Billing::Free => return Err(AlibabaError::Free),
            Billing::Subscription => {}
        }
        if self.kind == InstanceKind::Enterprise && !confirm_data_deletion {
            return Err(AlibabaError::ConfirmDataDeletion);
        }
        Ok(())
    }

    /// The buyer unsubscribes at `at`: submits ticket `id`. Nothing is released or refunded
    /// until Alibaba Cloud processes it ([`AlibabaOrder::process_ticket`]). An enterprise
    /// instance's ticket is submitted only once the buyer has confirmed that its data will
    /// be deleted for good.
    pub fn unsubscribe(
        &mut self,
        at: DateTime<Utc>,
        confirm_data_deletion: bool,
        id: String,
    ) -> Result<UnsubscribeTicket, AlibabaError> {
        self.can_unsubscribe(confirm_data_deletion)?;
        let ticket = UnsubscribeTicket {
            id,
            submitted_at: at,
        };
        self.ticket = Some(ticket.clone());
        Ok(ticket)
    }

    /// When time alone next changes the order: its open ticket's processing.
    pub fn due_at(&self) -> Option<DateTime<Utc>> {
        self.ticket
            .as_ref()
            .filter(|_| self.status == OrderStatus::Active)
            .map(UnsubscribeTicket::due_at)
    }

    /// Alibaba Cloud processes the ticket, if it is due by `now`: at its due time the instance
    /// is released (an enterprise instance's data deleted) and the refund made, routed by the
    /// day the ticket was submitted.
    pub fn process_ticket(&mut self, now: DateTime<Utc>) -> Option<AlibabaRefund> {
        let due = self.due_at().filter(|due| *due <= now)?;
        let submitted = self.ticket.as_ref()?.submitted_at;
        let refund = AlibabaRefund {
            at: due,
            amount: self.paid_cash,
            not_refunded: self.paid_vouchers,
            route: self.route(submitted),
            released_instance: self.kind == InstanceKind::Enterprise,
        };
        self.status = OrderStatus::Unsubscribed;
        self.refund = Some(refund.clone());
        Some(refund)
    }

    /// What unsubscribing at `at` gives back, to where, and what never comes back.
    pub fn refund_facts(&self, at: DateTime<Utc>) -> RefundFacts {
        let mut lines = Vec::new();
        let mut notes = Vec::new();
        if self.billing != Billing::Subscription {
            let (what, rule) = match self.billing {
                Billing::Free => ("Free of charge", RULE_FREE),
                _ => ("Pay-as-you-go charges", RULE_PAY_AS_YOU_GO),
            };
            lines.push(line(what, self.paid_cash, RefundTo::NotRefunded, rule));
        } else {
            let asked = self.ticket.as_ref().map_or(at, |t| t.submitted_at);
            let route = self
                .refund
                .as_ref()
                .map_or_else(|| self.route(asked), |r| r.route.clone());
            let to = match route.destination {
                Destination::OriginalMethod(method) => {
                    RefundTo::OriginalMethod(method.label().into())
                }
                Destination::AccountBalance => RefundTo::AccountBalance,
            };
            notes.push(TICKET_NOTE.into());
            notes.extend(route.expected_timing().into_iter().map(String::from));
            if self.invoice_goes_to_balance() {
                notes.push(INVOICE_NOTE.into());
            }
            notes.push(AMOUNT_ASSUMPTION.into());
            lines.push(RefundLine {
                what: "Cash or prepaid-card part of the payment, at most".into(),
                amount: self.paid_cash,
                to,
                rule: format!("{RULE_CASH_ONLY} {}", route.rule),
            });
        }
        lines.push(line(
            "Part paid with vouchers or coupons",
            self.paid_vouchers,
            RefundTo::NotRefunded,
            RULE_VOUCHERS,
        ));
        if self.kind == InstanceKind::Enterprise {
            notes.push(ENTERPRISE_WARNING.into());
        }
        RefundFacts {
            family: "Alibaba Cloud".into(),
            lines,
            notes,
        }
    }

    /// The rules a stored order must satisfy: no negative amount paid, and a refund of at
    /// most the cash paid.
    pub fn check(&self) -> Result<(), BrokenAlibabaRule> {
        if self.paid_cash.minor < 0 || self.paid_vouchers.minor < 0 {
            return Err(BrokenAlibabaRule::NegativeAmount(self.id.clone()));
        }
        if self
            .refund
            .as_ref()
            .is_some_and(|r| r.amount.minor > self.paid_cash.minor)
        {
            return Err(BrokenAlibabaRule::RefundedAboveCash(self.id.clone()));
        }
        Ok(())
    }
}

/// A rule of [`AlibabaOrder::check`] that a stored order breaks.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BrokenAlibabaRule {
    #[error("Alibaba order {0} holds a negative amount")]
    NegativeAmount(AlibabaOrderId),
    #[error("Alibaba order {0} refunded more than was paid in cash")]
    RefundedAboveCash(AlibabaOrderId),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use chrono::{Duration, TimeZone};
    use proptest::prelude::*;

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
            channel: SalesChannel::OfficialWebsite,
            invoice_issued: false,
            original_method_refuses: false,
            status: OrderStatus::Active,
            refund: None,
            ticket: None,
        }
    }

    /// Unsubscribes at `at` and lets Alibaba Cloud process the ticket.
    fn unsubscribed(
        o: &mut AlibabaOrder,
        at: DateTime<Utc>,
        confirm: bool,
    ) -> Result<AlibabaRefund, AlibabaError> {
        let ticket = o.unsubscribe(at, confirm, "ticket-1".into())?;
        Ok(o.process_ticket(ticket.due_at())
            .expect("due at its due time"))
    }

    /// A moment given in China Standard Time.
    fn cst(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
        CHINA_STANDARD_TIME
            .with_ymd_and_hms(y, m, d, h, min, s)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn an_order_with_a_negative_payment_breaks_its_rule() {
        let mut o = order(cst(2019, 4, 2, 12, 0, 0));
        assert_eq!(o.check(), Ok(()));
        o.paid_vouchers = Money::new(-1, Currency::CNY);
        let broken = o.check().unwrap_err();
        assert_eq!(broken, BrokenAlibabaRule::NegativeAmount(o.id.clone()));
        assert_eq!(
            broken.to_string(),
            "Alibaba order ali-1 holds a negative amount"
        );
    }

    #[test]
    fn paid_on_the_cutoff_day_goes_to_the_balance_and_from_the_next_day_to_the_original_method() {
        let asked = cst(2019, 4, 2, 12, 0, 0);
        let last_second_of_29 = order(cst(2019, 3, 29, 23, 59, 59)).route(asked);
        assert_eq!(last_second_of_29.destination, Destination::AccountBalance);
        assert_eq!(last_second_of_29.rule, RULE_PAID_ON_OR_BEFORE_CUTOFF);
        assert_eq!(
            order(cst(2019, 3, 30, 0, 0, 0)).route(asked).destination,
            Destination::OriginalMethod(PaymentMethod::Alipay)
        );
    }

    #[test]
    fn the_cutoff_day_is_read_in_china_standard_time_not_utc() {
        let asked = cst(2019, 4, 2, 12, 0, 0);
        // 29 March 16:00 UTC is already 30 March in Beijing.
        let paid = Utc.with_ymd_and_hms(2019, 3, 29, 16, 0, 0).unwrap();
        assert!(matches!(
            order(paid).route(asked).destination,
            Destination::OriginalMethod(_)
        ));
        let paid = Utc.with_ymd_and_hms(2019, 3, 29, 15, 59, 59).unwrap();
        assert_eq!(
            order(paid).route(asked).destination,
            Destination::AccountBalance
        );
    }

    #[test]
    fn day_548_after_payment_is_within_the_window_and_day_549_is_not() {
        let o = order(cst(2025, 1, 1, 18, 0, 0));
        let day_548 = cst(2026, 7, 3, 0, 0, 0);
        assert_eq!(o.days_since_payment(day_548), 548);
        let last_second_of_548 = cst(2026, 7, 3, 23, 59, 59);
        let first_second_of_549 = cst(2026, 7, 4, 0, 0, 0);
        assert!(matches!(
            o.route(day_548).destination,
            Destination::OriginalMethod(_)
        ));
        assert!(matches!(
            o.route(last_second_of_548).destination,
            Destination::OriginalMethod(_)
        ));
        let route = o.route(first_second_of_549);
        assert_eq!(route.destination, Destination::AccountBalance);
        assert_eq!(route.rule, rule_past_window());
        assert!(route.rule.contains("548 days"));
    }

    #[test]
    fn an_issued_invoice_sends_the_refund_to_the_balance_even_inside_the_window() {
        let mut o = order(cst(2025, 1, 1, 12, 0, 0));
        o.invoice_issued = true;
        let route = o.route(cst(2025, 2, 1, 12, 0, 0));
        assert_eq!(route.destination, Destination::AccountBalance);
        assert_eq!(route.rule, RULE_INVOICE_ISSUED);
        assert!(o
            .refund_facts(cst(2025, 2, 1, 12, 0, 0))
            .notes
            .contains(&INVOICE_NOTE.to_string()));
    }

    #[test]
    fn a_refused_original_channel_sends_the_refund_to_the_balance() {
        let mut o = order(cst(2025, 1, 1, 12, 0, 0));
        o.original_method_refuses = true;
        let route = o.route(cst(2025, 2, 1, 12, 0, 0));
        assert_eq!(route.destination, Destination::AccountBalance);
        assert_eq!(route.rule, RULE_ORIGINAL_METHOD_FAILED);
    }

    #[test]
    fn an_order_paid_from_the_balance_goes_back_to_the_balance() {
        let mut o = order(cst(2025, 1, 1, 12, 0, 0));
        o.method = PaymentMethod::AccountBalance;
        let route = o.route(cst(2025, 2, 1, 12, 0, 0));
        assert_eq!(route.destination, Destination::AccountBalance);
        assert_eq!(route.rule, rule_paid_from_balance());
    }

    #[test]
    fn online_banking_is_two_to_three_business_days_in_all_not_on_top_of_the_usual_two() {
        let mut o = order(cst(2025, 1, 1, 12, 0, 0));
        o.method = PaymentMethod::OnlineBanking;
        let at = cst(2025, 2, 1, 12, 0, 0);
        assert_eq!(o.route(at).expected_timing(), vec![BANK_TIMING]);
        assert!(BANK_TIMING.contains("within 2-3 business days in all"));
        o.invoice_issued = true;
        assert_eq!(o.route(at).expected_timing(), vec![TIMING]);
    }

    #[test]
    fn an_issued_invoice_on_a_cloud_marketplace_order_does_not_send_the_refund_to_the_balance() {
        let mut o = order(cst(2025, 1, 1, 12, 0, 0));
        o.invoice_issued = true;
        o.channel = SalesChannel::CloudMarketplace;
        let at = cst(2025, 2, 1, 12, 0, 0);
        let route = o.route(at);
        assert_eq!(
            route.destination,
            Destination::OriginalMethod(PaymentMethod::Alipay)
        );
        assert_eq!(route.rule, rule_original_method());
        assert!(!o.refund_facts(at).notes.contains(&INVOICE_NOTE.to_string()));
        // The dates still decide: past the window it is the balance, for the dates' reason.
        let late = cst(2026, 7, 4, 0, 0, 0);
        assert_eq!(o.route(late).rule, rule_past_window());
    }

    #[test]
    fn an_order_stored_without_its_channel_is_an_official_website_order_and_loads_unchanged() {
        let mut o = order(cst(2025, 1, 1, 12, 0, 0));
        let stored = serde_json::to_value(&o).unwrap();
        assert!(stored.get("channel").is_none());
        let loaded: AlibabaOrder = serde_json::from_value(stored.clone()).unwrap();
        assert_eq!(loaded.channel, SalesChannel::OfficialWebsite);
        assert_eq!(serde_json::to_value(&loaded).unwrap(), stored);
        o.channel = SalesChannel::CloudMarketplace;
        let json = serde_json::to_string(&o).unwrap();
        assert!(json.contains("\"channel\":\"CloudMarketplace\""));
        assert_eq!(serde_json::from_str::<AlibabaOrder>(&json).unwrap(), o);
    }

    #[test]
    fn only_the_cash_part_is_refunded_never_the_vouchers() {
        let mut o = order(cst(2025, 1, 1, 12, 0, 0));
        let refund = unsubscribed(&mut o, cst(2025, 2, 1, 12, 0, 0), false).unwrap();
        assert_eq!(refund.amount.minor, 80_000);
        assert_eq!(refund.not_refunded.minor, 20_000);
        assert!(!refund.released_instance);
        assert_eq!(o.status, OrderStatus::Unsubscribed);
        assert_eq!(
            o.unsubscribe(cst(2025, 2, 1, 12, 0, 0), false, "ticket-2".into()),
            Err(AlibabaError::AlreadyUnsubscribed)
        );
    }

    #[test]
    fn only_the_old_public_instance_is_pay_as_you_go_and_it_is_never_refunded() {
        let mut o = order(cst(2025, 1, 1, 12, 0, 0));
        o.billing = Billing::PayAsYouGo;
        let refused = o
            .unsubscribe(cst(2025, 2, 1, 12, 0, 0), true, "ticket-1".into())
            .unwrap_err();
        assert_eq!(refused, AlibabaError::PayAsYouGo);
        let words = refused.to_string();
        assert!(words.starts_with("The old public instance uses the pay-as-you-go billing method and does not support refunds. The new public instance is free of charge."), "{words}");
        assert!(words.contains("disable its devices"), "{words}");
        assert_eq!((o.status, o.ticket.clone()), (OrderStatus::Active, None));
        let facts = o.refund_facts(cst(2025, 2, 1, 12, 0, 0));
        assert_eq!(facts.refunded().count(), 0);
        assert_eq!(facts.lines[0].rule, RULE_PAY_AS_YOU_GO);
    }

    #[test]
    fn the_new_public_instance_is_free_so_nothing_is_refunded() {
        let mut o = order(cst(2025, 1, 1, 12, 0, 0));
        o.billing = Billing::Free;
        o.paid_cash = Money::new(0, Currency::CNY);
        o.paid_vouchers = Money::new(0, Currency::CNY);
        let refused = o
            .unsubscribe(cst(2025, 2, 1, 12, 0, 0), false, "ticket-1".into())
            .unwrap_err();
        assert_eq!(refused, AlibabaError::Free);
        assert!(refused
            .to_string()
            .starts_with("The new public instance is free of charge"));
        assert_eq!(Billing::Free.label(), "Free of charge");
        let facts = o.refund_facts(cst(2025, 2, 1, 12, 0, 0));
        assert_eq!(facts.refunded().count(), 0);
        assert_eq!(facts.lines[0].rule, RULE_FREE);
    }

    #[test]
    fn unsubscribing_submits_a_ticket_and_the_refund_waits_for_its_processing() {
        let mut o = order(cst(2025, 1, 1, 12, 0, 0));
        // A Friday: two business days on is Tuesday, at the same time.
        let friday = cst(2025, 2, 7, 15, 0, 0);
        let ticket = o.unsubscribe(friday, false, "ticket-7".into()).unwrap();
        assert_eq!(ticket.id, "ticket-7");
        assert_eq!(ticket.due_at(), cst(2025, 2, 11, 15, 0, 0));
        assert_eq!(o.status, OrderStatus::Active, "nothing is released yet");
        assert_eq!(o.refund, None);
        assert_eq!(o.due_at(), Some(ticket.due_at()));
        assert_eq!(
            o.unsubscribe(friday, false, "ticket-8".into()),
            Err(AlibabaError::TicketOpen("ticket-7".into()))
        );
        assert_eq!(o.process_ticket(cst(2025, 2, 11, 14, 59, 59)), None);
        assert_eq!(o.status, OrderStatus::Active);
        let refund = o.process_ticket(cst(2025, 3, 1, 0, 0, 0)).unwrap();
        assert_eq!(refund.at, ticket.due_at(), "made when the ticket falls due");
        assert_eq!(refund.amount.minor, 80_000);
        assert_eq!(o.status, OrderStatus::Unsubscribed);
        assert_eq!(o.due_at(), None);
        assert_eq!(o.process_ticket(cst(2025, 4, 1, 0, 0, 0)), None);
    }

    #[test]
    fn the_book_opens_a_ticket_and_releases_and_refunds_only_when_the_clock_reaches_it() {
        use crate::book::{Actor, AlibabaUnsubscribe};
        use crate::demo::{demo_book, demo_now};
        use crate::ids::SequentialIds;
        use crate::key::RecordKey;

        let now = demo_now();
        let mut book = demo_book(now);
        let id: AlibabaOrderId = "ali-202404-00931".into();
        let buyer = Actor::Buyer(AccountId::parse("555566667777").unwrap());
        let mut ids = SequentialIds::default();
        let unconfirmed = AlibabaUnsubscribe {
            order: id.clone(),
            confirm_data_deletion: false,
        };
        assert!(book.apply(unconfirmed, &buyer, now, &mut ids).is_err());
        assert_eq!(book.alibaba()[&id].record.ticket, None);
        let confirmed = AlibabaUnsubscribe {
            order: id.clone(),
            confirm_data_deletion: true,
        };
        let (ticket, _) = book.apply(confirmed, &buyer, now, &mut ids).unwrap();
        assert!(ticket.id.starts_with("ticket-"), "{}", ticket.id);
        let order = &book.alibaba()[&id].record;
        assert_eq!((order.status, &order.refund), (OrderStatus::Active, &None));
        let due = ticket.due_at();
        assert!(due >= now + Duration::days(2) && due <= now + Duration::days(4));
        assert_eq!(book.next_due().map(|d| d <= due), Some(true));
        assert!(!book
            .advance_to(due - Duration::seconds(1))
            .changed
            .contains(&RecordKey::Alibaba(id.clone())));
        assert_eq!(book.alibaba()[&id].record.status, OrderStatus::Active);
        let outcome = book.advance_to(due + Duration::days(30));
        assert!(outcome.changed.contains(&RecordKey::Alibaba(id.clone())));
        let order = &book.alibaba()[&id].record;
        assert_eq!(order.status, OrderStatus::Unsubscribed);
        let refund = order.refund.as_ref().unwrap();
        assert_eq!(refund.at, due);
        assert!(refund.released_instance);
        assert_eq!(order.due_at(), None);
    }

    #[test]
    fn the_route_is_decided_by_the_day_the_ticket_was_submitted() {
        let paid = cst(2025, 1, 1, 18, 0, 0);
        let mut o = order(paid);
        // Submitted late on day 548, processed after day 549 has begun: still the original
        // method.
        let day_548 = cst(2026, 7, 3, 23, 0, 0);
        assert_eq!(o.days_since_payment(day_548), 548);
        let ticket = o.unsubscribe(day_548, false, "ticket-1".into()).unwrap();
        assert!(o.days_since_payment(ticket.due_at()) > ORIGINAL_METHOD_DAYS);
        let refund = o.process_ticket(ticket.due_at()).unwrap();
        assert_eq!(refund.route.rule, rule_original_method());
    }

    #[test]
    fn an_order_stored_without_a_ticket_loads_and_is_written_unchanged() {
        let mut o = order(cst(2025, 1, 1, 12, 0, 0));
        let stored = serde_json::to_value(&o).unwrap();
        assert!(stored.get("ticket").is_none());
        o.unsubscribe(cst(2025, 2, 1, 12, 0, 0), false, "ticket-1".into())
            .unwrap();
        let json = serde_json::to_string(&o).unwrap();
        assert!(json.contains("\"ticket\":{\"id\":\"ticket-1\""), "{json}");
        assert_eq!(serde_json::from_str::<AlibabaOrder>(&json).unwrap(), o);
    }

    #[test]
    fn the_preview_promises_the_cash_part_at_most_and_says_its_amount_is_an_assumption() {
        let o = order(cst(2025, 1, 1, 12, 0, 0));
        let facts = o.refund_facts(cst(2025, 2, 1, 12, 0, 0));
        assert!(facts.lines[0].what.ends_with(", at most"));
        assert!(facts.lines[0]
            .rule
            .starts_with("Only the cash or prepaid-card portion of the payment is refundable."));
        assert!(facts.notes.contains(&AMOUNT_ASSUMPTION.to_string()));
        assert!(AMOUNT_ASSUMPTION.contains("Unsubscription Rules"));
        assert!(AMOUNT_ASSUMPTION.contains("an assumption"));
        assert!(facts.notes.contains(&TICKET_NOTE.to_string()));
    }

    #[test]
    fn an_enterprise_refund_needs_explicit_confirmation_of_data_deletion() {
        let mut o = order(cst(2025, 1, 1, 12, 0, 0));
        o.kind = InstanceKind::Enterprise;
        let error = o
            .unsubscribe(cst(2025, 2, 1, 12, 0, 0), false, "ticket-1".into())
            .unwrap_err();
        assert_eq!(error, AlibabaError::ConfirmDataDeletion);
        assert_eq!(o.ticket, None, "no ticket before the confirmation");
        assert!(error.to_string().contains("permanently"));
        assert_eq!(o.status, OrderStatus::Active);
        assert!(o
            .refund_facts(cst(2025, 2, 1, 12, 0, 0))
            .notes
            .contains(&ENTERPRISE_WARNING.to_string()));
        assert!(
            unsubscribed(&mut o, cst(2025, 2, 1, 12, 0, 0), true)
                .unwrap()
                .released_instance
        );
    }

    #[test]
    fn an_unsubscribed_enterprise_order_reads_as_such() {
        let mut o = order(cst(2025, 1, 1, 12, 0, 0));
        o.kind = InstanceKind::Enterprise;
        assert_eq!(
            (o.status.label(), o.billing.label(), o.kind.label()),
            ("Active", "Subscription", "Enterprise instance")
        );
        unsubscribed(&mut o, cst(2025, 2, 1, 12, 0, 0), true).unwrap();
        assert_eq!(o.status.label(), "Unsubscribed");
        assert_eq!(Billing::PayAsYouGo.label(), "Pay-as-you-go");
        assert_eq!(InstanceKind::Standard.label(), "Standard instance");
    }

    #[test]
    fn the_refund_facts_name_the_destination_and_the_rule() {
        let o = order(cst(2025, 1, 1, 12, 0, 0));
        let facts = o.refund_facts(cst(2025, 2, 1, 12, 0, 0));
        let refunded: Vec<_> = facts.refunded().collect();
        assert_eq!(refunded.len(), 1);
        assert_eq!(
            refunded[0].to,
            RefundTo::OriginalMethod(PaymentMethod::Alipay.label().into())
        );
        assert!(refunded[0].rule.contains(&rule_original_method()));
        assert!(refunded[0].rule.contains("within 548 days"));
        assert_eq!(facts.lines[1].amount.minor, 20_000);
        assert_eq!(facts.lines[1].to, RefundTo::NotRefunded);
        assert_eq!(
            facts.notes,
            vec![
                TICKET_NOTE.to_string(),
                TIMING.to_string(),
                AMOUNT_ASSUMPTION.to_string()
            ]
        );
    }

    proptest! {
        #[test]
        fn the_refund_is_the_cash_part_at_most_and_vouchers_never_come_back(
            cash in 0i64..1_000_000_000,
            vouchers in 0i64..1_000_000_000,
            paid_days in 0i64..3_000,
            after_days in 0i64..1_000,
            balance in any::<bool>(),
            invoiced in any::<bool>(),
            refuses in any::<bool>(),
            marketplace in any::<bool>(),
        ) {
            let paid = cst(2018, 1, 1, 12, 0, 0) + Duration::days(paid_days);
            let mut o = order(paid);
            o.paid_cash = Money::new(cash, Currency::CNY);
            o.paid_vouchers = Money::new(vouchers, Currency::CNY);
            o.invoice_issued = invoiced;
            o.original_method_refuses = refuses;
            if marketplace {
                o.channel = SalesChannel::CloudMarketplace;
            }
            if balance {
                o.method = PaymentMethod::AccountBalance;
            }
            let at = paid + Duration::days(after_days);
            let facts = o.refund_facts(at);
            let refunded: i64 = facts.refunded().map(|l| l.amount.minor).sum();
            prop_assert!(refunded <= cash);
            let refund = unsubscribed(&mut o, at, false).unwrap();
            prop_assert!(refund.amount.minor <= cash);
            prop_assert_eq!(refund.not_refunded.minor, vouchers);
            let original = matches!(refund.route.destination, Destination::OriginalMethod(_));
            // An issued invoice counts only for an official-website order.
            let invoice_sends_to_balance = invoiced && !marketplace;
            prop_assert_eq!(
                original,
                within_original_method_window(&o, at)
                    && !invoice_sends_to_balance
                    && !refuses
                    && !balance
            );
            prop_assert!(o.check().is_ok());
        }
    }

    /// The window by the dates alone, as the source states it: the oracle the routing is
    /// held to.
    fn within_original_method_window(o: &AlibabaOrder, at: DateTime<Utc>) -> bool {
        alibaba_date(o.paid_at) > CUTOFF_DATE && o.days_since_payment(at) <= ORIGINAL_METHOD_DAYS
    }
}
