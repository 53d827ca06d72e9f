//! The older families in a report's terms: what was cancelled in the period and what it
//! refunded, per currency. Each family keeps its own dates, and says so where it keeps none.

use crate::book::Book;
use crate::families::alibaba::{Destination, OrderStatus};
use crate::families::devpay::DevPayStatus;
use crate::families::fps::FpsStatus;
use crate::families::support_case::CaseStatus;
use crate::money::Money;

use super::{Period, Scope, Tally};

/// Amazon FPS subscriptions last paid in the period. FPS keeps no date of a cancellation
/// (and forgets its calls after seven days), so a subscription counts by its last payment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FpsFigures {
    pub cancelled: u32,
    /// Refunded from those last payments.
    pub refunded: Tally,
}

/// DevPay customers who left in the period, and what their refunds charged the seller.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DevPayFigures {
    pub cancelled: u32,
    /// Customers whose access AWS ended because their bill was not paid.
    pub ended_unpaid: u32,
    pub charged_to_seller: Tally,
}

/// Alibaba Cloud orders unsubscribed in the period, their refunds by where they went, and the
/// tickets submitted in the period still waiting. Orders name no seller: they are all counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlibabaFigures {
    pub unsubscribed: u32,
    pub waiting: u32,
    pub to_original_method: Tally,
    pub to_balance: Tally,
}

/// The older families, and the support cases opened in the period by where they stand.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OlderFamilies {
    pub fps: FpsFigures,
    pub devpay: DevPayFigures,
    pub alibaba: AlibabaFigures,
    pub support_cases: Vec<(CaseStatus, u32)>,
}

/// Every status a support case has, in the order a report shows them.
pub const CASE_STATUSES: [CaseStatus; 3] = [
    CaseStatus::Pending,
    CaseStatus::ActionRequired,
    CaseStatus::Completed,
];

impl OlderFamilies {
    /// One pass over each family's records.
    pub(super) fn of(book: &Book, period: &Period, scope: &Scope) -> OlderFamilies {
        let of_seller = |seller| scope.seller.as_ref().is_none_or(|s| s == seller);
        let mut fps = FpsFigures::default();
        for s in book.fps().values().map(|v| &v.record) {
            if !of_seller(&s.seller) || !period.contains(s.last_payment_at) {
                continue;
            }
            fps.cancelled += u32::from(s.status == FpsStatus::Cancelled);
            if s.refunded_from_last_minor > 0 {
                let currency = s.last_payment.currency;
                fps.refunded
                    .add(Money::new(s.refunded_from_last_minor, currency));
            }
        }
        let mut devpay = DevPayFigures::default();
        for s in book.devpay().values().map(|v| &v.record) {
            let Some(c) = s.cancellation.as_ref().filter(|c| period.contains(c.at)) else {
                continue;
            };
            if !of_seller(&s.seller) {
                continue;
            }
            match s.status {
                DevPayStatus::Unpaid => devpay.ended_unpaid += 1,
                _ => {
                    devpay.cancelled += 1;
                    if c.refund.minor > 0 {
                        devpay.charged_to_seller.add(c.refund);
                    }
                }
            }
        }
        let mut support_cases = CASE_STATUSES.map(|s| (s, 0));
        for case in book.support_cases().values().map(|v| &v.record) {
            if scope.holds(&case.seller, &case.product, &case.offer)
                && period.contains(case.opened_at)
            {
                if let Some(slot) = support_cases.iter_mut().find(|(s, _)| *s == case.status) {
                    slot.1 += 1;
                }
            }
        }
        OlderFamilies {
            fps,
            devpay,
            alibaba: alibaba(book, period),
            support_cases: support_cases.into(),
        }
    }

    /// Whether nothing of the older families happened in the period.
    pub fn is_empty(&self) -> bool {
        *self
            == OlderFamilies {
                support_cases: CASE_STATUSES.map(|s| (s, 0)).into(),
                ..OlderFamilies::default()
            }
    }
}

fn alibaba(book: &Book, period: &Period) -> AlibabaFigures {
    let mut figures = AlibabaFigures::default();
    for order in book.alibaba().values().map(|v| &v.record) {
        match (&order.refund, &order.ticket) {
            (Some(refund), _) if period.contains(refund.at) => {
                figures.unsubscribed += u32::from(order.status == OrderStatus::Unsubscribed);
                if refund.amount.minor > 0 {
                    match refund.route.destination {
                        Destination::OriginalMethod(_) => {
                            figures.to_original_method.add(refund.amount)
                        }
                        Destination::AccountBalance => figures.to_balance.add(refund.amount),
                    }
                }
            }
            (None, Some(ticket)) if period.contains(ticket.submitted_at) => figures.waiting += 1,
            _ => {}
        }
    }
    figures
}
