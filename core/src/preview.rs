//! A refund preview for any agreement of any family, before anything is submitted: what the
//! buyer gets back, to where, what is never refunded, and the rule that decided each line.

use chrono::{DateTime, Utc};

use crate::book::AgreementRecord;
use crate::families::alibaba::AlibabaOrder;
use crate::families::devpay::DevPaySubscription;
use crate::families::fps::FpsSubscription;
pub use crate::families::{
    RefundFacts as RefundPreview, RefundLine as PreviewLine, RefundTo as Destination,
};
use crate::money::Money;

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
                to: Destination::AwsBill,
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
    subscription.refund_facts()
}

/// DevPay: the unused part of this month, at once; one-time charges never.
pub fn devpay(subscription: &DevPaySubscription, at: DateTime<Utc>) -> RefundPreview {
    subscription.refund_facts(at)
}

/// Alibaba Cloud: the cash part, routed by the 548-day rule; vouchers never.
pub fn alibaba(order: &AlibabaOrder, at: DateTime<Utc>) -> RefundPreview {
    order.refund_facts(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo;
    use crate::families::alibaba::Billing;

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
            assert_eq!(vouchers.to, Destination::NotRefunded);
            if v.record.billing == Billing::PayAsYouGo {
                assert_eq!(preview.refunded().count(), 0);
            }
        }
    }
}
