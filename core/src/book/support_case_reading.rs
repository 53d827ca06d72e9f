//! How AWS reads a support case when its time comes: which agreement of the book it is
//! about, and either what AWS will apply to it ([`Plan`]) or what it asks the seller first
//! ([`CaseQuestion`]). The case, its plan and its questions belong to its family
//! (`families/support_case.rs`); the reading lives here because it looks through the
//! book's agreement records, and the families sit below the book that holds their records.
//! `schedule.rs` applies what it reads. Its tests are the support case's own
//! (`families::support_case`, `moved_by_time`), which drive it through the book.

use super::record::AgreementRecord;
use super::records::Records;
use crate::agreement::AgreementStatus;
use crate::families::support_case::{CaseQuestion, CaseRefund, Plan, SupportCase};
use crate::ids::AgreementId;
use crate::money::{Currency, Money};

/// The words of a text that could be identifiers or amounts, without the punctuation
/// around them.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c.is_whitespace() || ",;:()[]\"'".contains(c))
        .map(|w| w.trim_end_matches(['.', '!', '?']))
        .filter(|w| !w.is_empty())
}

impl SupportCase {
    /// The agreement the case is about: one the seller names in its replies or comments,
    /// else the only one of this seller with this subscriber, product and offer.
    pub(crate) fn agreement_in<'b>(
        &self,
        records: &'b Records,
    ) -> Result<&'b AgreementRecord, CaseQuestion> {
        let named = self
            .sellers_words()
            .flat_map(words)
            .filter_map(|w| AgreementId::parse(w).ok())
            .filter_map(|id| records.get(&id).map(|v| &v.record))
            .find(|r| r.agreement.seller == self.seller);
        if let Some(record) = named {
            return Ok(record);
        }
        let matching: Vec<&AgreementRecord> = records
            .values()
            .map(|v| &v.record)
            .filter(|r| {
                let a = &r.agreement;
                a.seller == self.seller
                    && a.buyer == self.subscriber
                    && a.product == self.product
                    && a.offer == self.offer
            })
            .collect();
        match matching.as_slice() {
            [one] => Ok(one),
            [] => Err(CaseQuestion::NoAgreement {
                subscriber: self.subscriber.clone(),
                product: self.product.clone(),
                offer: self.offer.clone(),
            }),
            several => Err(CaseQuestion::SeveralAgreements {
                subscriber: self.subscriber.clone(),
                count: several.len(),
                product: self.product.clone(),
                offer: self.offer.clone(),
            }),
        }
    }

    /// What AWS makes of the case: what it will apply, or what it asks the seller for.
    pub(crate) fn read(&self, records: &Records) -> Result<Plan, CaseQuestion> {
        let record = self.agreement_in(records)?;
        let agreement = &record.agreement;
        let cancel = self.asks_cancellation();
        let amount = self.sellers_replies().find_map(amount_in).or(self.refund);
        if !cancel && amount.is_none() {
            return Err(CaseQuestion::NothingAsked);
        }
        let invoice = self
            .sellers_replies()
            .flat_map(words)
            .chain(words(&self.invoice_id))
            .chain(words(&self.comments))
            .find_map(|w| record.invoice(w));
        let Some(invoice) = invoice else {
            let known = record.invoices.iter().map(|i| i.id.clone()).collect();
            let agreement = agreement.id.clone();
            return Err(if self.invoice_id.trim().is_empty() {
                CaseQuestion::WhichInvoice { agreement, known }
            } else {
                CaseQuestion::NoSuchInvoice {
                    agreement,
                    named: self.invoice_id.trim().to_string(),
                    known,
                }
            });
        };
        let refund = match amount {
            None => None,
            Some(amount) if amount.currency != invoice.currency => {
                return Err(CaseQuestion::OtherCurrency {
                    invoice: invoice.id.clone(),
                    currency: invoice.currency,
                })
            }
            Some(_) if !invoice.paid => return Err(CaseQuestion::Unpaid(invoice.id.clone())),
            Some(amount) => {
                let left = Money::new(record.still_refundable_minor(invoice), invoice.currency);
                if amount.minor > left.minor {
                    return Err(CaseQuestion::AboveRefundable {
                        invoice: invoice.id.clone(),
                        left,
                        asked: amount,
                    });
                }
                Some(CaseRefund {
                    invoice: invoice.id.to_string(),
                    amount,
                })
            }
        };
        if cancel {
            if let Some(pending) = record.pending_request() {
                return Err(CaseQuestion::RequestWaiting {
                    request: pending.id.clone(),
                    agreement: agreement.id.clone(),
                });
            }
        }
        let active = agreement.status == AgreementStatus::Active;
        // Source 001: a contract's cancellation "typically requires approval from both the
        // buyer and the seller, coordinated through AWS"; a usage-based one does not. Pricing
        // not known might be a contract, so it asks the buyer too.
        let needs_buyer = cancel && active && !agreement.pricing.is_usage_based();
        let buyer_declined = match &self.buyer_answer {
            _ if !needs_buyer => None,
            None => return Err(CaseQuestion::BuyerApproval(agreement.id.clone())),
            Some(answer) => (!answer.approved).then(|| answer.reason.clone()),
        };
        Ok(Plan {
            agreement: agreement.id.clone(),
            cancel: cancel && active && buyer_declined.is_none(),
            already_ended: (cancel && !active).then_some(agreement.status),
            buyer_declined,
            refund,
        })
    }
}

/// The first "<amount> <currency code>" of a text ("Refund 12.50 USD").
fn amount_in(text: &str) -> Option<Money> {
    let words: Vec<&str> = words(text).collect();
    words.windows(2).find_map(|pair| {
        let currency: Currency = pair[1].parse().ok()?;
        Money::parse_positive(pair[0], currency).ok()
    })
}
