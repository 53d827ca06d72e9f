//! A refund preview for any agreement of any family, before anything is submitted: what the
//! buyer gets back, to where, what is never refunded, and the rule that decided each line.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::book::AgreementRecord;
use crate::families::alibaba::{
    self, AlibabaOrder, Billing, Destination as AlibabaDestination, InstanceKind,
};
use crate::families::devpay::{DevPayStatus, DevPaySubscription};
use crate::families::fps::{FpsStatus, FpsSubscription};
use crate::money::Money;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Destination {
    /// A credit on the buyer's AWS bill.
    AwsBill,
    /// The card or account the buyer paid with.
    OriginalMethod(String),
    AccountBalance,
    /// Kept by the seller: never refunded.
    NotRefunded,
}

impl Destination {
    pub fn label(&self) -> String {
        match self {
            Destination::AwsBill => "the buyer's AWS bill".into(),
            Destination::OriginalMethod(what) => what.clone(),
            Destination::AccountBalance => "the buyer's account balance".into(),
            Destination::NotRefunded => "not refunded".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewLine {
    pub what: String,
    pub amount: Money,
    pub destination: Destination,
    pub rule: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundPreview {
    pub family: String,
    pub lines: Vec<PreviewLine>,
    /// Timing and warnings the person should read before going on.
    pub notes: Vec<String>,
}

impl RefundPreview {
    pub fn refunded_lines(&self) -> impl Iterator<Item = &PreviewLine> {
        self.lines
            .iter()
            .filter(|l| l.destination != Destination::NotRefunded)
    }
}

/// AWS Marketplace: nothing comes back by cancelling; each invoice can be refunded up to
/// what is still refundable, by a billing adjustment.
pub fn marketplace(record: &AgreementRecord) -> RefundPreview {
    let lines = record
        .invoices
        .iter()
        .map(|invoice| {
            let left = Money::new(record.still_refundable_minor(invoice), invoice.currency);
            PreviewLine {
                what: format!("Invoice {}: up to {left} of {} charged", invoice.id, invoice.charged()),
                amount: left,
                destination: Destination::AwsBill,
                rule: "A billing adjustment refunds at most what the invoice charged minus what was already refunded or is pending."
                    .into(),
            }
        })
        .collect();
    RefundPreview {
        family: "AWS Marketplace".into(),
        lines,
        notes: vec![
            "Cancelling the agreement refunds nothing by itself: apply a billing adjustment for what the buyer is owed.".into(),
            "A refund appears on the buyer's AWS bill within 24 to 48 hours and can take up to 5 business days to reach their bank."
                .into(),
        ],
    }
}

/// Amazon FPS: part of the last payment, back to the payment method used.
pub fn fps(subscription: &FpsSubscription) -> RefundPreview {
    let mut notes = vec![
        "Cancelling and refunding happen in one action; the refund needs a caller reference."
            .into(),
    ];
    if subscription.status != FpsStatus::Active {
        notes.push("The subscription is already cancelled: only the refund part will run.".into());
    }
    RefundPreview {
        family: "Amazon FPS".into(),
        lines: vec![PreviewLine {
            what: format!("Up to {} from the last payment of {}", subscription.refundable(), subscription.last_payment),
            amount: subscription.refundable(),
            destination: Destination::OriginalMethod("the payment method of the last payment".into()),
            rule: "FPS refunds only from the last subscription payment, never more than is left of it.".into(),
        }],
        notes,
    }
}

/// DevPay: the unused part of this month, at once; one-time charges never.
pub fn devpay(subscription: &DevPaySubscription, at: DateTime<Utc>) -> RefundPreview {
    let at = match (&subscription.cancellation, subscription.status) {
        (Some(c), DevPayStatus::Cancelled) => c.at,
        _ => at,
    };
    RefundPreview {
        family: "Amazon DevPay".into(),
        lines: vec![
            PreviewLine {
                what: "Unused part of this month's charge".into(),
                amount: subscription.unused_monthly(at),
                destination: Destination::OriginalMethod("the customer's AWS payment method".into()),
                rule: "The monthly charge is prorated to the second: what is left of the month comes back at once.".into(),
            },
            PreviewLine {
                what: "One-time charge".into(),
                amount: subscription.one_time_charge,
                destination: Destination::NotRefunded,
                rule: "One-time charges are never refunded.".into(),
            },
            PreviewLine {
                what: "Usage so far this month".into(),
                amount: subscription.usage_until(at),
                destination: Destination::NotRefunded,
                rule: "Usage is billed at the end of the month, up to the moment of cancelling.".into(),
            },
        ],
        notes: vec![crate::families::devpay::DATA_WARNING.into()],
    }
}

/// Alibaba Cloud: the cash part, routed by the 548-day rule; vouchers never.
pub fn alibaba(order: &AlibabaOrder, at: DateTime<Utc>) -> RefundPreview {
    let mut lines = Vec::new();
    let mut notes = vec![alibaba::TIMING.to_string()];
    if order.billing == Billing::PayAsYouGo {
        lines.push(PreviewLine {
            what: "Pay-as-you-go charges".into(),
            amount: order.paid_cash,
            destination: Destination::NotRefunded,
            rule: "Pay-as-you-go instances are not refundable.".into(),
        });
    } else {
        let route = order.route(at);
        let destination = match route.destination {
            AlibabaDestination::OriginalMethod(method) => {
                if method == alibaba::PaymentMethod::OnlineBanking {
                    notes.push(alibaba::BANK_TIMING.into());
                }
                Destination::OriginalMethod(method.label().into())
            }
            AlibabaDestination::AccountBalance => Destination::AccountBalance,
        };
        lines.push(PreviewLine {
            what: "Cash or prepaid-card part of the payment".into(),
            amount: order.paid_cash,
            destination,
            rule: route.rule,
        });
    }
    lines.push(PreviewLine {
        what: "Part paid with vouchers or coupons".into(),
        amount: order.paid_vouchers,
        destination: Destination::NotRefunded,
        rule: "Amounts offset by vouchers or coupons are never refunded.".into(),
    });
    if order.kind == InstanceKind::Enterprise {
        notes.push(alibaba::ENTERPRISE_WARNING.into());
    }
    RefundPreview {
        family: "Alibaba Cloud".into(),
        lines,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo;

    #[test]
    fn every_family_of_the_demo_book_has_a_preview_with_a_rule_on_every_line() {
        let book = demo::demo_book(demo::demo_now());
        let now = demo::demo_now();
        let mut previews: Vec<RefundPreview> = book
            .records
            .values()
            .map(|v| marketplace(&v.record))
            .collect();
        previews.extend(book.fps.values().map(|v| fps(&v.record)));
        previews.extend(book.devpay.values().map(|v| devpay(&v.record, now)));
        previews.extend(book.alibaba.values().map(|v| alibaba(&v.record, now)));
        let families: std::collections::BTreeSet<_> =
            previews.iter().map(|p| p.family.clone()).collect();
        assert_eq!(families.len(), 4);
        assert!(previews
            .iter()
            .flat_map(|p| &p.lines)
            .all(|l| !l.rule.is_empty()));
    }

    #[test]
    fn a_marketplace_preview_counts_pending_refunds_and_says_cancelling_is_not_a_refund() {
        let book = demo::demo_book(demo::demo_now());
        let record = book
            .records
            .values()
            .map(|v| &v.record)
            .find(|r| !r.invoices.is_empty())
            .unwrap();
        let preview = marketplace(record);
        assert_eq!(preview.lines.len(), record.invoices.len());
        assert_eq!(
            preview.lines[0].amount.minor,
            record.still_refundable_minor(&record.invoices[0])
        );
        assert!(preview.notes[0].contains("refunds nothing"));
    }

    #[test]
    fn vouchers_and_pay_as_you_go_are_shown_as_never_refunded() {
        let book = demo::demo_book(demo::demo_now());
        let now = demo::demo_now();
        for v in book.alibaba.values() {
            let preview = alibaba(&v.record, now);
            let vouchers = preview
                .lines
                .iter()
                .find(|l| l.what.contains("vouchers"))
                .unwrap();
            assert_eq!(vouchers.destination, Destination::NotRefunded);
            if v.record.billing == Billing::PayAsYouGo {
                assert_eq!(preview.refunded_lines().count(), 0);
            }
        }
    }
}
