//! A refund preview for any agreement of any family, before anything is submitted: what the
//! buyer gets back, to where, what is never refunded, and the rule that decided each line.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::adjustment::{AdjustmentEntry, EntryError};
use crate::book::{trial_batch, AgreementRecord, BatchEntryResult, DomainError};
use crate::families::alibaba::AlibabaOrder;
use crate::families::devpay::DevPaySubscription;
use crate::families::fps::FpsSubscription;
use crate::families::{RefundFacts, RefundLine, RefundTo};
use crate::money::{Currency, Money};

impl RefundTo {
    /// Where the money goes, in words.
    pub fn label(&self) -> String {
        match self {
            RefundTo::AwsBill => "the buyer's AWS bill".into(),
            RefundTo::OriginalMethod(what) => what.clone(),
            RefundTo::AccountBalance => "the buyer's account balance".into(),
            RefundTo::NotRefunded => "not refunded".into(),
        }
    }
}

/// AWS Marketplace: nothing comes back by cancelling; each invoice can be refunded up to
/// what is still refundable, by a billing adjustment.
pub fn marketplace(record: &AgreementRecord) -> RefundFacts {
    let lines = record
        .invoices
        .iter()
        .map(|invoice| {
            let left = Money::new(record.still_refundable_minor(invoice), invoice.currency);
            RefundLine {
                what: format!("Invoice {}: up to {left} of {} charged", invoice.id, invoice.charged()),
                amount: left,
                to: RefundTo::AwsBill,
                rule: "A billing adjustment refunds at most what the invoice charged minus what was already refunded or is pending."
                    .into(),
            }
        })
        .collect();
    RefundFacts {
        family: "AWS Marketplace".into(),
        lines,
        notes: vec![
            "Cancelling the agreement refunds nothing by itself: apply a billing adjustment for what the buyer is owed.".into(),
            "A refund appears on the buyer's AWS bill within 24 to 48 hours and can take up to 5 business days to reach their bank."
                .into(),
        ],
    }
}

/// One entry of a billing adjustment batch, before it is sent: the refund it would make,
/// or the error the batch would report for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryPreview {
    pub client_token: String,
    pub outcome: Result<RefundLine, EntryError>,
}

/// A billing adjustment batch before it is sent: what each entry would refund, and the
/// total per currency that the seller confirms by typing it, as the AWS console asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdjustmentPreview {
    pub entries: Vec<EntryPreview>,
    /// What comes back to the buyer, per currency, in the order of `Currency`.
    pub totals: Vec<Money>,
}

impl AdjustmentPreview {
    /// Whether `typed` states every total, e.g. "1250.00" or "1,250.00 USD" for one
    /// currency, "100.00 USD + 90 EUR" for two: a billing adjustment cannot be undone, so the
    /// seller retypes what it will refund.
    pub fn confirmed_by(&self, typed: &str) -> bool {
        let mut amounts: Vec<&str> = typed
            .split(|c: char| c.is_whitespace() || c == '+' || c == ';')
            .map(|token| token.trim_end_matches([',', '.']))
            .filter(|token| !token.is_empty() && token.parse::<Currency>().is_err())
            .collect();
        if self.totals.is_empty() || amounts.len() != self.totals.len() {
            return false;
        }
        self.totals.iter().all(|total| {
            let position = amounts.iter().position(|text| {
                Money::parse_positive(&text.replace(',', ""), total.currency) == Ok(*total)
            });
            position.map(|i| amounts.remove(i)).is_some()
        })
    }
}

/// What a batch of billing adjustments on `record` would refund, entry by entry: the batch
/// runs on a copy of the record, so the preview is exactly what sending it will do (each
/// entry within what its invoice can still refund after the batch's earlier entries, a
/// repeated client token refunding nothing twice).
pub fn adjustments(
    record: &AgreementRecord,
    entries: &[AdjustmentEntry],
) -> Result<AdjustmentPreview, DomainError> {
    let (result, after) = trial_batch(record, entries.to_vec())?;
    let mut totals: BTreeMap<Currency, i64> = BTreeMap::new();
    let entries = result
        .entries
        .into_iter()
        .map(|done| match done {
            BatchEntryResult::Failed {
                client_token,
                error,
            } => EntryPreview {
                client_token,
                outcome: Err(error),
            },
            BatchEntryResult::Created { id, client_token } => {
                let adjustment = after
                    .adjustments
                    .iter()
                    .find(|a| a.id == id)
                    .expect("a created entry names its adjustment");
                let invoice = after
                    .invoice(adjustment.invoice_id.as_str())
                    .expect("an adjustment names an invoice of its record");
                let line = if record.adjustments.iter().any(|a| a.id == id) {
                    RefundLine {
                        what: format!("Invoice {}: already applied as {id}", invoice.id),
                        amount: Money::zero(invoice.currency),
                        to: RefundTo::NotRefunded,
                        rule: "A client token already used returns the first adjustment: nothing is refunded twice."
                            .into(),
                    }
                } else {
                    *totals.entry(invoice.currency).or_default() += adjustment.amount.minor;
                    RefundLine {
                        what: format!("Invoice {}: refund {}", invoice.id, adjustment.amount),
                        amount: adjustment.amount,
                        to: RefundTo::AwsBill,
                        rule: format!(
                            "An invoice refunds at most what it charged ({}) less what was refunded or is on its way; after this batch {} remains refundable.",
                            invoice.charged(),
                            Money::new(after.still_refundable_minor(invoice), invoice.currency)
                        ),
                    }
                };
                EntryPreview {
                    client_token,
                    outcome: Ok(line),
                }
            }
        })
        .collect();
    Ok(AdjustmentPreview {
        entries,
        totals: totals
            .into_iter()
            .map(|(currency, minor)| Money::new(minor, currency))
            .collect(),
    })
}

/// Amazon FPS: part of the last payment, back to the payment method used.
pub fn fps(subscription: &FpsSubscription) -> RefundFacts {
    subscription.refund_facts()
}

/// DevPay: the unused part of this month, at once; one-time charges never.
pub fn devpay(subscription: &DevPaySubscription, at: DateTime<Utc>) -> RefundFacts {
    subscription.refund_facts(at)
}

/// Alibaba Cloud: the cash part, routed by the 548-day rule; vouchers never.
pub fn alibaba(order: &AlibabaOrder, at: DateTime<Utc>) -> RefundFacts {
    order.refund_facts(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adjustment::{AdjustmentReasonCode, BatchErrorCode, EntryField};
    use crate::book::{Actor, BatchCreateAdjustments, Book};
    use crate::demo;
    use crate::families::alibaba::Billing;
    use crate::ids::SequentialIds;
    use proptest::prelude::*;

    #[test]
    fn every_family_of_the_demo_book_has_a_preview_with_a_rule_on_every_line() {
        let book = demo::demo_book(demo::demo_now());
        let now = demo::demo_now();
        let mut previews: Vec<RefundFacts> = book
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

    fn usd_record() -> AgreementRecord {
        let book = demo::demo_book(demo::demo_now());
        book.records
            .values()
            .map(|v| v.record.clone())
            .filter(|r| r.invoices.len() == 3 && r.invoices[0].currency == Currency::USD)
            .max_by_key(|r| r.invoices[0].charged_minor)
            .expect("the demo has three-invoice USD agreements")
    }

    fn entry(
        record: &AgreementRecord,
        invoice: usize,
        amount: &str,
        token: &str,
    ) -> AdjustmentEntry {
        AdjustmentEntry {
            agreement_id: record.agreement.id.to_string(),
            invoice_id: record.invoices[invoice].id.to_string(),
            amount: amount.into(),
            currency: record.invoices[invoice].currency.code().into(),
            reason_code: Some(AdjustmentReasonCode::IncorrectMetering),
            description: "Metering double-counted in March".into(),
            client_token: token.into(),
        }
    }

    #[test]
    fn a_batch_preview_counts_earlier_entries_against_the_same_invoice() {
        let record = usd_record();
        let left = record.still_refundable_minor(&record.invoices[0]);
        let half = Money::new(left / 2 + 1, Currency::USD).decimal_string();
        let preview = adjustments(
            &record,
            &[
                entry(&record, 0, &half, "p-1"),
                entry(&record, 0, &half, "p-2"),
            ],
        )
        .unwrap();
        assert!(preview.entries[0].outcome.is_ok());
        let refused = preview.entries[1].outcome.as_ref().unwrap_err();
        assert_eq!(refused.code, BatchErrorCode::ValidationException);
        assert_eq!(refused.field, EntryField::RefundAmount);
        assert_eq!(preview.totals, [Money::new(left / 2 + 1, Currency::USD)]);
    }

    #[test]
    fn the_total_must_be_retyped_to_confirm() {
        let record = usd_record();
        let preview = adjustments(
            &record,
            &[
                entry(&record, 0, "1000.5", "p-1"),
                entry(&record, 1, "250", "p-2"),
            ],
        )
        .unwrap();
        assert_eq!(preview.totals, [Money::new(125_050, Currency::USD)]);
        for typed in ["1250.50", "1,250.50 USD", "USD 1250.5", " 1250.50. "] {
            assert!(preview.confirmed_by(typed), "{typed}");
        }
        for typed in ["", "1250", "1250.51", "1250.50 1250.50", "USD", "12,50.50x"] {
            assert!(!preview.confirmed_by(typed), "{typed}");
        }
    }

    #[test]
    fn a_batch_the_book_would_refuse_whole_is_refused_by_the_preview() {
        let record = usd_record();
        assert_eq!(adjustments(&record, &[]), Err(DomainError::BatchSize(0)));
        let mut other = entry(&record, 0, "1", "p-2");
        other.agreement_id = "agmt-other".into();
        assert_eq!(
            adjustments(&record, &[entry(&record, 0, "1", "p-1"), other]),
            Err(DomainError::MixedAgreements)
        );
    }

    proptest! {
        #[test]
        fn the_preview_of_a_batch_is_what_the_book_then_does(
            amounts in proptest::collection::vec((0usize..3, 0u32..300_000, 0u8..3), 1..=5),
        ) {
            let record = usd_record();
            let entries: Vec<_> = amounts
                .iter()
                .enumerate()
                .map(|(i, (invoice, cents, token))| {
                    let amount = format!("{}.{:02}", cents / 100, cents % 100);
                    // Tokens repeat now and then, as a retried form's would.
                    entry(&record, *invoice, &amount, &format!("demo-{}", 1_000 + u32::from(*token) * (i as u32 % 2)))
                })
                .collect();
            let preview = adjustments(&record, &entries).unwrap();
            let mut book = Book::default();
            book.insert(record.clone());
            let seller = Actor::Seller(record.agreement.seller.clone());
            let mut ids = SequentialIds::starting_at(77);
            let (result, _) = book
                .apply(BatchCreateAdjustments { entries }, &seller, demo::demo_now(), &mut ids)
                .unwrap();
            let mut created = 0;
            for (shown, done) in preview.entries.iter().zip(&result.entries) {
                match (&shown.outcome, done) {
                    (Err(a), BatchEntryResult::Failed { error: b, .. }) => prop_assert_eq!(a, b),
                    (Ok(line), BatchEntryResult::Created { id, .. }) => {
                        if let Some(adjustment) = book.record(&record.agreement.id).unwrap().adjustments.iter().find(|a| &a.id == id && line.to == RefundTo::AwsBill) {
                            prop_assert_eq!(adjustment.amount, line.amount);
                            created += adjustment.amount.minor;
                        }
                    }
                    (shown, done) => prop_assert!(false, "preview {:?} but the book {:?}", shown, done),
                }
            }
            prop_assert_eq!(preview.totals.iter().map(|m| m.minor).sum::<i64>(), created);
        }
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
            assert_eq!(vouchers.to, RefundTo::NotRefunded);
            if v.record.billing == Billing::PayAsYouGo {
                assert_eq!(preview.refunded().count(), 0);
            }
        }
    }
}
