//! The legacy route (seed 001, AWS Marketplace Management Portal): a "Request refund" form
//! opens a support case at once, with an ID to keep; its status is Pending, Action Required
//! or Completed, and the seller can reply to it.
//!
//! The form serves cancellations and refunds alike, so a refund amount is optional; when
//! one is given, the invoice it is taken from is required, since a refund is always
//! against an invoice.
//!
//! AWS moves a case with time ([`Book::advance_to`](crate::book::Book::advance_to)): it
//! stays Pending until the billing cycle it was opened in ends, then AWS reads it. If it can
//! tell which agreement and invoice the case is about and what to do, the case is Completed
//! with the cancellation and the refund applied to the agreement and its invoice; otherwise
//! it is Action Required with what AWS needs, and the seller's answer puts it back to
//! Pending, read again a day later. This file holds the case, what AWS may ask of it and
//! what it plans; the book, which holds the agreement records a reading needs, reads a case
//! (`book/support_case_reading.rs`) and applies what it reads (`book/schedule.rs`), so the
//! family never imports the book.
//!
//! Readings of the seed:
//! - The billing cycle is the calendar month (UTC) the case was opened in, as AWS bills.
//! - Whether to cancel, and from when, are fields of the form ("Also cancel this agreement",
//!   "Effective date"), never read from free text: a comment saying "do NOT cancel" once
//!   cancelled an agreement. The form writes the seed's sentence ("Please cancel this
//!   agreement effective <date>.") at the head of the comments itself. AWS processes a
//!   cancellation after the current billing cycle, and on the asked date when that is later.
//!   A case stored before these fields asks no cancellation.
//! - A reply answers AWS's question with an agreement ID, an invoice reference or an amount
//!   followed by its currency code ("12.50 USD"), the latest reply first.
//! - The billing period and the invoice reference are part of what the form asks the
//!   seller to provide. The form takes the billing period as a month and lets the invoice be left out
//!   for a cancellation alone, as before; AWS then asks for it (Action Required).

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::{line, RefundFacts, RefundTo};
use crate::agreement::AgreementStatus;
use crate::ids::{AccountId, AgreementId, InvoiceId, OfferId, ProductId, RequestId};
use crate::key::SupportCaseId;
use crate::money::{Currency, Money};
use crate::secret::LinkSecret;

pub const COMMENTS_MAX: usize = 2000;
pub const RULE_CASE_REFUND: &str = "Once AWS processes the case, the refund appears in the \
customer's AWS billing account within 24 to 48 hours; it can take up to 5 business days to \
reach their bank.";
/// What the buyer is told of a refund AWS processed.
pub const BUYER_REFUND_TIMING: &str = "A refund appears in your AWS billing account within 24 \
to 48 hours; it may take up to 5 business days to be reflected in your bank account.";
/// What the seller is told of a refund AWS processed.
pub const CUSTOMER_REFUND_TIMING: &str = "The refund appears in the customer's AWS billing \
account within 24 to 48 hours; it can take up to 5 business days to reach their bank.";
/// How long AWS takes to read the seller's answer to an Action Required case.
pub const ANSWER_READ_WITHIN: Duration = Duration::days(1);

/// The comment the seed suggests for a cancellation, for the form to offer.
pub fn cancel_effective_comment(date: NaiveDate) -> String {
    format!(
        "Please cancel this agreement effective {}.",
        date.format("%Y-%m-%d")
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CaseStatus {
    /// Processing will occur after the current billing cycle.
    Pending,
    /// The seller needs to add something.
    ActionRequired,
    /// Processed; nothing more to do.
    Completed,
}

impl CaseStatus {
    pub fn label(self) -> &'static str {
        match self {
            CaseStatus::Pending => "Pending",
            CaseStatus::ActionRequired => "Action Required",
            CaseStatus::Completed => "Completed",
        }
    }

    /// What the status means for the seller, in the seed's words.
    pub fn meaning(self) -> &'static str {
        match self {
            CaseStatus::Pending => "Processing will occur after the current billing cycle.",
            CaseStatus::ActionRequired => {
                "Additional input is needed from you: respond directly in the support case."
            }
            CaseStatus::Completed => {
                "The cancellation has been processed; no further action is required."
            }
        }
    }
}

/// The "Request refund" form as the seller filled it in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundForm {
    pub subscriber_account: String,
    pub product_id: String,
    pub offer_id: String,
    pub billing_period: String,
    pub invoice_id: String,
    pub refund_amount: String,
    pub currency: String,
    /// "Also cancel this agreement".
    #[serde(default)]
    pub also_cancel: bool,
    /// The date the cancellation is to take effect, `YYYY-MM-DD` (a date input's value).
    #[serde(default)]
    pub effective_date: String,
    /// What the seller adds; the case's comments begin with the cancellation's sentence.
    pub comments: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Author {
    Seller,
    Aws,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseReply {
    pub at: DateTime<Utc>,
    pub author: Author,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportCase {
    pub id: SupportCaseId,
    pub seller: AccountId,
    pub subscriber: AccountId,
    pub product: ProductId,
    pub offer: OfferId,
    pub billing_period: String,
    pub invoice_id: String,
    pub refund: Option<Money>,
    /// The date the seller asked the cancellation to take effect; none when the case asks
    /// no cancellation (and in cases stored before the form asked it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_effective: Option<NaiveDate>,
    pub comments: String,
    pub status: CaseStatus,
    pub opened_at: DateTime<Utc>,
    pub replies: Vec<CaseReply>,
    /// When the seller last answered an Action Required case. Left out when there is none:
    /// cases stored before cases moved with time read back exactly as they were written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<DateTime<Utc>>,
    /// What AWS did when it completed the case; left out until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<CaseOutcome>,
    /// The contract whose cancellation AWS is waiting for the buyer to approve; none when
    /// AWS waits for no buyer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub awaiting_buyer: Option<AgreementId>,
    /// The buyer's answer to AWS's request for their approval; left out until they answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_answer: Option<BuyerAnswer>,
    /// The secret that seals the link to AWS's question for the buyer and their receipt,
    /// made when the case asks a cancellation; left out otherwise, and in cases opened
    /// before cases had links (their buyer answers in the Buyer view).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_link_secret: Option<LinkSecret>,
}

/// The buyer's answer, through AWS, to the cancellation of their contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuyerAnswer {
    pub at: DateTime<Utc>,
    pub approved: bool,
    /// Why the buyer rejected it, when they said (a receipt's rejection always does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The buyer answered a case that is not waiting for them.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("AWS is not waiting for your approval on support case {0}.")]
pub struct NotAwaitingBuyer(pub SupportCaseId);

/// What a completed case did to its agreement and invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseOutcome {
    pub at: DateTime<Utc>,
    pub agreement: AgreementId,
    /// Whether this case cancelled the agreement (not when it was not asked, or the
    /// agreement had already ended).
    pub cancelled: bool,
    pub refund: Option<CaseRefund>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRefund {
    pub invoice: String,
    pub amount: Money,
}

/// Which form field a problem belongs beside, and what it is.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message}")]
pub struct FormError {
    pub field: FormField,
    pub message: String,
}

/// A field of the "Request refund" form, or the reply box of a case: where a refusal's
/// message belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FormField {
    SubscriberAccount,
    ProductId,
    OfferId,
    BillingPeriod,
    Invoice,
    RefundAmount,
    Currency,
    AlsoCancel,
    EffectiveDate,
    Comments,
    Reply,
}

impl FormField {
    pub const ALL: [FormField; 11] = [
        FormField::SubscriberAccount,
        FormField::ProductId,
        FormField::OfferId,
        FormField::BillingPeriod,
        FormField::Invoice,
        FormField::RefundAmount,
        FormField::Currency,
        FormField::AlsoCancel,
        FormField::EffectiveDate,
        FormField::Comments,
        FormField::Reply,
    ];

    /// The field's label, as the form shows it.
    pub fn label(self) -> &'static str {
        match self {
            FormField::SubscriberAccount => "Subscriber account",
            FormField::ProductId => "Product ID",
            FormField::OfferId => "Offer ID",
            FormField::BillingPeriod => "Billing period",
            FormField::Invoice => "Invoice",
            FormField::RefundAmount => "Refund amount",
            FormField::Currency => "Currency",
            FormField::AlsoCancel => "Also cancel this agreement",
            FormField::EffectiveDate => "Effective date",
            FormField::Comments => "Additional comments",
            FormField::Reply => "Reply",
        }
    }
}

fn problem(field: FormField, message: impl Into<String>) -> FormError {
    FormError {
        field,
        message: message.into(),
    }
}

impl RefundForm {
    /// The sentence the case's comments begin with, once the form asks a cancellation on a
    /// date: for the form to show before the case is opened.
    pub fn cancellation_sentence(&self) -> Option<String> {
        let date = self.also_cancel.then(|| typed_date(&self.effective_date));
        date.flatten().map(cancel_effective_comment)
    }
}

fn typed_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

/// The effective date typed (`YYYY-MM-DD`), which cannot be before the day the case opens.
fn effective_date(text: &str, now: DateTime<Utc>) -> Result<NaiveDate, FormError> {
    let date = typed_date(text).ok_or_else(|| {
        problem(
            FormField::EffectiveDate,
            "Enter the date the cancellation takes effect, for example 2026-12-31.",
        )
    })?;
    let today = now.date_naive();
    if date < today {
        return Err(problem(
            FormField::EffectiveDate,
            format!(
                "The effective date cannot be before today, {}.",
                today.format("%Y-%m-%d")
            ),
        ));
    }
    Ok(date)
}

/// The case's comments: the seed's sentence for a cancellation, then what the seller added.
fn case_comments(cancel_effective: Option<NaiveDate>, added: &str) -> String {
    let added = added.trim();
    match cancel_effective {
        None => added.to_string(),
        Some(date) if added.is_empty() => cancel_effective_comment(date),
        Some(date) => format!("{}\n\n{added}", cancel_effective_comment(date)),
    }
}

/// The first day of the month `text` names ("2026-10"), if it names one.
fn billing_month(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{}-01", text.trim()), "%Y-%m-%d").ok()
}

/// The end of the billing cycle (calendar month, UTC) that holds `at`.
pub fn billing_cycle_end(at: DateTime<Utc>) -> DateTime<Utc> {
    let first = NaiveDate::from_ymd_opt(at.year(), at.month(), 1)
        .expect("the first of a month exists")
        + Months::new(1);
    Utc.from_utc_datetime(&first.and_hms_opt(0, 0, 0).expect("midnight exists"))
}

impl SupportCase {
    /// Opens a case from the form; `id` comes from the shell's ID source.
    pub fn open(
        seller: AccountId,
        form: &RefundForm,
        id: SupportCaseId,
        now: DateTime<Utc>,
    ) -> Result<SupportCase, FormError> {
        let subscriber = AccountId::parse(&form.subscriber_account)
            .map_err(|e| problem(FormField::SubscriberAccount, e.to_string()))?;
        let product = ProductId::parse(&form.product_id)
            .map_err(|e| problem(FormField::ProductId, e.to_string()))?;
        let offer = OfferId::parse(&form.offer_id)
            .map_err(|e| problem(FormField::OfferId, e.to_string()))?;
        if billing_month(&form.billing_period).is_none() {
            return Err(problem(
                FormField::BillingPeriod,
                "Enter the billing period as a month, for example 2026-10.",
            ));
        }
        let refund = if form.refund_amount.trim().is_empty() {
            None
        } else {
            let currency: Currency =
                form.currency
                    .parse()
                    .map_err(|e: crate::money::MoneyError| {
                        problem(FormField::Currency, e.to_string())
                    })?;
            if form.invoice_id.trim().is_empty() {
                return Err(problem(
                    FormField::Invoice,
                    "Enter the invoice the refund is taken from.",
                ));
            }
            Some(
                Money::parse_positive(&form.refund_amount, currency)
                    .map_err(|e| problem(FormField::RefundAmount, e.to_string()))?,
            )
        };
        let cancel_effective = form
            .also_cancel
            .then(|| effective_date(&form.effective_date, now))
            .transpose()?;
        if cancel_effective.is_none() && refund.is_none() {
            return Err(problem(
                FormField::AlsoCancel,
                "Ask AWS for something: tick \"Also cancel this agreement\", enter a refund amount, or both.",
            ));
        }
        let comments = case_comments(cancel_effective, &form.comments);
        if comments.chars().count() > COMMENTS_MAX {
            return Err(problem(
                FormField::Comments,
                format!("The comments can be at most {COMMENTS_MAX} characters, the cancellation's sentence included."),
            ));
        }
        Ok(SupportCase {
            id,
            seller,
            subscriber,
            product,
            offer,
            billing_period: form.billing_period.trim().to_string(),
            invoice_id: form.invoice_id.trim().to_string(),
            refund,
            cancel_effective,
            comments,
            status: CaseStatus::Pending,
            opened_at: now,
            replies: Vec::new(),
            answered_at: None,
            outcome: None,
            awaiting_buyer: None,
            buyer_answer: None,
            buyer_link_secret: None,
        })
    }

    /// When AWS reads the case next: at the end of the billing cycle it was opened in, on
    /// the cancellation's effective date if that is later, or a day after the seller's
    /// answer if that is later still. Only a Pending case waits for AWS.
    pub fn due_at(&self) -> Option<DateTime<Utc>> {
        (self.status == CaseStatus::Pending).then(|| {
            let effective = self.cancel_effective.map(|date| {
                Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0).expect("midnight exists"))
            });
            let cycle_end = billing_cycle_end(self.opened_at).max(effective.unwrap_or_default());
            self.answered_at
                .map_or(cycle_end, |at| cycle_end.max(at + ANSWER_READ_WITHIN))
        })
    }

    /// The seller's replies, latest first.
    pub(crate) fn sellers_replies(&self) -> impl Iterator<Item = &str> {
        self.replies
            .iter()
            .rev()
            .filter(|r| r.author == Author::Seller)
            .map(|r| r.text.as_str())
    }

    /// The seller's own words, latest first: its replies, then the form's comments.
    pub(crate) fn sellers_words(&self) -> impl Iterator<Item = &str> {
        self.sellers_replies()
            .chain(std::iter::once(self.comments.as_str()))
    }

    /// Whether the seller asked for the agreement to be cancelled.
    pub fn asks_cancellation(&self) -> bool {
        self.cancel_effective.is_some()
    }

    /// The seller answers the case; an answer to "Action Required" puts it back to Pending.
    pub fn reply(&mut self, text: &str, now: DateTime<Utc>) -> Result<(), FormError> {
        if text.trim().is_empty() {
            return Err(problem(FormField::Reply, "Write a reply first."));
        }
        if text.chars().count() > COMMENTS_MAX {
            return Err(problem(
                FormField::Reply,
                format!("A reply can be at most {COMMENTS_MAX} characters."),
            ));
        }
        if self.status == CaseStatus::Completed {
            return Err(problem(
                FormField::Reply,
                "This case is completed; open a new one for anything further.",
            ));
        }
        self.replies.push(CaseReply {
            at: now,
            author: Author::Seller,
            text: text.to_string(),
        });
        if self.status == CaseStatus::ActionRequired {
            self.status = CaseStatus::Pending;
            self.answered_at = Some(now);
        }
        Ok(())
    }

    /// The buyer approves or rejects the cancellation AWS asked them about; AWS reads the
    /// case again a day later, as after the seller's answer.
    pub fn answer_as_buyer(
        &mut self,
        approved: bool,
        reason: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<(), NotAwaitingBuyer> {
        if self.awaiting_buyer.is_none() || self.status != CaseStatus::ActionRequired {
            return Err(NotAwaitingBuyer(self.id.clone()));
        }
        self.buyer_answer = Some(BuyerAnswer {
            at: now,
            approved,
            reason,
        });
        self.awaiting_buyer = None;
        self.status = CaseStatus::Pending;
        self.answered_at = Some(now);
        Ok(())
    }

    /// What AWS asks the buyer, when it waits for their approval.
    pub fn buyer_question(&self) -> Option<String> {
        self.awaiting_buyer.as_ref().map(|agreement| {
            format!(
                "Your agreement {agreement} is contract-based: the seller asks AWS to cancel it, \
                 and cancelling it needs your approval as well as the seller's. AWS reads the \
                 case again a day after you answer."
            )
        })
    }

    /// AWS's side of the case: a status change with a message.
    pub fn update_by_aws(&mut self, status: CaseStatus, text: &str, now: DateTime<Utc>) {
        self.status = status;
        self.replies.push(CaseReply {
            at: now,
            author: Author::Aws,
            text: text.to_string(),
        });
    }

    /// What the case asks to refund, and where it would arrive.
    pub fn refund_facts(&self) -> RefundFacts {
        let lines = self
            .refund
            .map(|amount| {
                line(
                    format!("Refund requested against invoice {}", self.invoice_id),
                    amount,
                    RefundTo::AwsBill,
                    RULE_CASE_REFUND,
                )
            })
            .into_iter()
            .collect();
        RefundFacts {
            family: "AWS Marketplace support case".into(),
            lines,
            notes: vec![format!(
                "Case {}: {}. {}",
                self.id,
                self.status.label(),
                self.status.meaning()
            )],
        }
    }
}

/// What AWS applies once it can read a case whole.
pub(crate) struct Plan {
    pub(crate) agreement: AgreementId,
    /// Asked, and the agreement is still active.
    pub(crate) cancel: bool,
    /// Asked, but the agreement had already ended.
    pub(crate) already_ended: Option<AgreementStatus>,
    /// Asked, and the buyer of the contract did not approve: with their reason, when given.
    pub(crate) buyer_declined: Option<Option<String>>,
    pub(crate) refund: Option<CaseRefund>,
}

/// What AWS asks the seller before it can act on a case (the case is then Action
/// Required), in the words of its reply.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub(crate) enum CaseQuestion {
    #[error(
        "We found no agreement of yours with subscriber {subscriber} for product {product} and \
         offer {offer}. Reply with the agreement ID this case is about."
    )]
    NoAgreement {
        subscriber: AccountId,
        product: ProductId,
        offer: OfferId,
    },
    #[error(
        "Subscriber {subscriber} has {count} agreements with you for product {product} and \
         offer {offer}. Reply with the agreement ID this case is about."
    )]
    SeveralAgreements {
        subscriber: AccountId,
        count: usize,
        product: ProductId,
        offer: OfferId,
    },
    #[error(
        "Your case asks neither for a cancellation nor for a refund. Reply with the amount to \
         refund and its currency (for example \"Refund 10.00 USD\"), or open a new case with \
         \"Also cancel this agreement\" ticked."
    )]
    NothingAsked,
    #[error(
        "Which invoice of agreement {agreement} is this case about? Reply with its invoice \
         reference ({}).",
        joined(.known)
    )]
    WhichInvoice {
        agreement: AgreementId,
        known: Vec<InvoiceId>,
    },
    #[error(
        "Agreement {agreement} has no invoice {named}. Reply with the invoice reference this \
         case is about ({}).",
        joined(.known)
    )]
    NoSuchInvoice {
        agreement: AgreementId,
        named: String,
        known: Vec<InvoiceId>,
    },
    #[error(
        "Invoice {invoice} is billed in {currency}. Reply with the amount to refund in \
         {currency} (for example \"Refund 10.00 {currency}\")."
    )]
    OtherCurrency {
        invoice: InvoiceId,
        currency: Currency,
    },
    #[error(
        "Invoice {0} has not been paid yet, so there is nothing to refund on it. Reply with the \
         reference of a paid invoice."
    )]
    Unpaid(InvoiceId),
    #[error(
        "Invoice {invoice} has only {left} left to refund, less than the {asked} asked. Reply \
         with the amount to refund (for example \"Refund {left}\")."
    )]
    AboveRefundable {
        invoice: InvoiceId,
        left: Money,
        asked: Money,
    },
    #[error(
        "Cancellation request {request} is waiting for the buyer's answer on agreement \
         {agreement}. Withdraw it or wait for the buyer, then reply here."
    )]
    RequestWaiting {
        request: RequestId,
        agreement: AgreementId,
    },
    #[error(
        "Agreement {0} is contract-based: its cancellation needs the buyer's approval as well \
         as yours, which AWS coordinates. We have asked the buyer; we read the case again a \
         day after they answer."
    )]
    BuyerApproval(AgreementId),
}

/// Invoice references as a reply lists them: "inv-1, inv-2".
fn joined(ids: &[InvoiceId]) -> String {
    let ids: Vec<&str> = ids.iter().map(InvoiceId::as_str).collect();
    ids.join(", ")
}

/// AWS's last message on a completed case: what it did, and when a refund arrives.
pub(crate) fn completed_message(plan: &Plan) -> String {
    let mut said = vec!["The case has been processed.".to_string()];
    if plan.cancel {
        said.push(format!("Agreement {} is cancelled.", plan.agreement));
    }
    match &plan.buyer_declined {
        Some(Some(reason)) => said.push(format!(
            "The buyer did not approve the cancellation (their reason: \u{201c}{reason}\u{201d}), \
             so agreement {} stays active.",
            plan.agreement
        )),
        Some(None) => said.push(format!(
            "The buyer did not approve the cancellation, so agreement {} stays active.",
            plan.agreement
        )),
        None => {}
    }
    if let Some(status) = plan.already_ended {
        said.push(format!(
            "Agreement {} had already ended ({}), so there was nothing to cancel.",
            plan.agreement,
            status.label().to_lowercase()
        ));
    }
    if let Some(refund) = &plan.refund {
        said.push(format!(
            "{} is refunded on invoice {}. {CUSTOMER_REFUND_TIMING}",
            refund.amount, refund.invoice
        ));
    }
    said.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn form() -> RefundForm {
        RefundForm {
            subscriber_account: "444455556666".into(),
            product_id: "prod-abc".into(),
            offer_id: "offer-abc".into(),
            billing_period: "2026-10".into(),
            invoice_id: "inv-7".into(),
            refund_amount: "120.00".into(),
            currency: "USD".into(),
            also_cancel: true,
            effective_date: "2026-12-01".into(),
            comments: String::new(),
        }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap()
    }

    fn seller() -> AccountId {
        AccountId::parse("111122223333").unwrap()
    }

    #[test]
    fn the_form_opens_a_pending_case_with_its_id_at_once() {
        let case = SupportCase::open(seller(), &form(), "case-1234567890".into(), now()).unwrap();
        assert_eq!(case.id.as_str(), "case-1234567890");
        assert_eq!(case.status.label(), "Pending");
        assert_eq!(case.refund.unwrap().minor, 12_000);
    }

    #[test]
    fn each_bad_field_is_named() {
        let mut f = form();
        f.subscriber_account = "123".into();
        assert_eq!(
            SupportCase::open(seller(), &f, "c".into(), now())
                .unwrap_err()
                .field,
            FormField::SubscriberAccount
        );
        let mut f = form();
        f.refund_amount = "12.345".into();
        assert_eq!(
            SupportCase::open(seller(), &f, "c".into(), now())
                .unwrap_err()
                .field,
            FormField::RefundAmount
        );
        let mut f = form();
        f.effective_date = "1 December".into();
        assert_eq!(
            SupportCase::open(seller(), &f, "c".into(), now())
                .unwrap_err()
                .field,
            FormField::EffectiveDate
        );
    }

    #[test]
    fn every_refusal_names_the_field_it_belongs_beside() {
        let refused = |change: fn(&mut RefundForm)| {
            let mut f = form();
            change(&mut f);
            SupportCase::open(seller(), &f, "c".into(), now())
                .unwrap_err()
                .field
        };
        assert_eq!(
            refused(|f| f.subscriber_account = "123".into()),
            FormField::SubscriberAccount
        );
        assert_eq!(refused(|f| f.product_id = "".into()), FormField::ProductId);
        assert_eq!(refused(|f| f.offer_id = "".into()), FormField::OfferId);
        assert_eq!(
            refused(|f| f.billing_period = "October".into()),
            FormField::BillingPeriod
        );
        assert_eq!(refused(|f| f.currency = "XYZ".into()), FormField::Currency);
        assert_eq!(refused(|f| f.invoice_id = " ".into()), FormField::Invoice);
        assert_eq!(
            refused(|f| f.refund_amount = "-5".into()),
            FormField::RefundAmount
        );
        assert_eq!(
            refused(|f| f.effective_date = "".into()),
            FormField::EffectiveDate
        );
        assert_eq!(
            refused(|f| f.effective_date = "2026-10-31".into()),
            FormField::EffectiveDate
        );
        assert_eq!(
            refused(|f| {
                f.also_cancel = false;
                f.refund_amount = "".into();
            }),
            FormField::AlsoCancel
        );
        assert_eq!(
            refused(|f| f.comments = "x".repeat(COMMENTS_MAX)),
            FormField::Comments,
            "the cancellation's sentence counts"
        );
        let mut case = SupportCase::open(seller(), &form(), "c".into(), now()).unwrap();
        assert_eq!(case.reply(" ", now()).unwrap_err().field, FormField::Reply);
        case.update_by_aws(CaseStatus::Completed, "Done.", now());
        assert_eq!(
            case.reply("Thanks", now()).unwrap_err().field,
            FormField::Reply
        );
    }

    #[test]
    fn each_field_has_its_own_label_as_the_form_shows_it() {
        let labels: BTreeSet<&str> = FormField::ALL.iter().map(|f| f.label()).collect();
        assert_eq!(labels.len(), FormField::ALL.len());
        assert_eq!(FormField::SubscriberAccount.label(), "Subscriber account");
        assert_eq!(FormField::RefundAmount.label(), "Refund amount");
    }

    #[test]
    fn each_question_of_aws_reads_as_its_reply_to_the_seller() {
        let agreement = AgreementId::parse("agmt-1").unwrap();
        let inv = |id: &str| InvoiceId::parse(id).unwrap();
        let usd = |minor| Money::new(minor, Currency::USD);
        let cases = [
            (
                CaseQuestion::NoAgreement {
                    subscriber: AccountId::parse("444455556666").unwrap(),
                    product: ProductId::parse("prod-abc").unwrap(),
                    offer: OfferId::parse("offer-abc").unwrap(),
                },
                "We found no agreement of yours with subscriber 444455556666 for product \
                 prod-abc and offer offer-abc. Reply with the agreement ID this case is about."
                    .to_string(),
            ),
            (
                CaseQuestion::SeveralAgreements {
                    subscriber: AccountId::parse("444455556666").unwrap(),
                    count: 2,
                    product: ProductId::parse("prod-abc").unwrap(),
                    offer: OfferId::parse("offer-abc").unwrap(),
                },
                "Subscriber 444455556666 has 2 agreements with you for product prod-abc and \
                 offer offer-abc. Reply with the agreement ID this case is about."
                    .to_string(),
            ),
            (
                CaseQuestion::NothingAsked,
                "Your case asks neither for a cancellation nor for a refund. Reply with the \
                 amount to refund and its currency (for example \"Refund 10.00 USD\"), or open \
                 a new case with \"Also cancel this agreement\" ticked."
                    .to_string(),
            ),
            (
                CaseQuestion::WhichInvoice {
                    agreement: agreement.clone(),
                    known: vec![inv("inv-1"), inv("inv-2")],
                },
                "Which invoice of agreement agmt-1 is this case about? Reply with its invoice \
                 reference (inv-1, inv-2)."
                    .to_string(),
            ),
            (
                CaseQuestion::NoSuchInvoice {
                    agreement: agreement.clone(),
                    named: "inv-9".into(),
                    known: vec![inv("inv-1")],
                },
                "Agreement agmt-1 has no invoice inv-9. Reply with the invoice reference this \
                 case is about (inv-1)."
                    .to_string(),
            ),
            (
                CaseQuestion::OtherCurrency {
                    invoice: inv("inv-1"),
                    currency: Currency::EUR,
                },
                "Invoice inv-1 is billed in EUR. Reply with the amount to refund in EUR (for \
                 example \"Refund 10.00 EUR\")."
                    .to_string(),
            ),
            (
                CaseQuestion::Unpaid(inv("inv-2")),
                "Invoice inv-2 has not been paid yet, so there is nothing to refund on it. Reply \
                 with the reference of a paid invoice."
                    .to_string(),
            ),
            (
                CaseQuestion::AboveRefundable {
                    invoice: inv("inv-1"),
                    left: usd(1_000),
                    asked: usd(2_000),
                },
                format!(
                    "Invoice inv-1 has only {} left to refund, less than the {} asked. Reply with \
                     the amount to refund (for example \"Refund {}\").",
                    usd(1_000),
                    usd(2_000),
                    usd(1_000)
                ),
            ),
            (
                CaseQuestion::RequestWaiting {
                    request: RequestId::parse("acr-1").unwrap(),
                    agreement,
                },
                "Cancellation request acr-1 is waiting for the buyer's answer on agreement \
                 agmt-1. Withdraw it or wait for the buyer, then reply here."
                    .to_string(),
            ),
        ];
        for (question, words) in cases {
            assert_eq!(question.to_string(), words);
        }
    }

    #[test]
    fn answering_an_action_required_case_puts_it_back_to_pending() {
        let mut case = SupportCase::open(seller(), &form(), "c".into(), now()).unwrap();
        case.update_by_aws(
            CaseStatus::ActionRequired,
            "Which invoice should be refunded?",
            now(),
        );
        assert_eq!(case.status.label(), "Action Required");
        case.reply("Invoice inv-7, the October one.", now())
            .unwrap();
        assert_eq!(case.status, CaseStatus::Pending);
        assert_eq!(case.replies.len(), 2);
    }

    #[test]
    fn a_cancellation_alone_needs_no_amount_nor_invoice_but_a_refund_needs_its_invoice() {
        let mut f = form();
        f.refund_amount = String::new();
        f.invoice_id = String::new();
        let case = SupportCase::open(seller(), &f, "c".into(), now()).unwrap();
        assert_eq!(case.refund, None);
        assert_eq!(
            case.comments,
            "Please cancel this agreement effective 2026-12-01."
        );
        assert!(case.refund_facts().lines.is_empty());
        f.refund_amount = "10".into();
        assert_eq!(
            SupportCase::open(seller(), &f, "c".into(), now())
                .unwrap_err()
                .field,
            FormField::Invoice
        );
    }

    #[test]
    fn the_form_writes_the_cancellations_sentence_before_what_the_seller_adds() {
        let mut f = form();
        f.effective_date = " 2026-12-15 ".into();
        f.comments = "  The buyer moved to the annual plan. ".into();
        let case = SupportCase::open(seller(), &f, "c".into(), now()).unwrap();
        assert_eq!(case.cancel_effective, NaiveDate::from_ymd_opt(2026, 12, 15));
        assert_eq!(
            case.comments,
            "Please cancel this agreement effective 2026-12-15.\n\nThe buyer moved to the annual plan."
        );
        f.also_cancel = false;
        let case = SupportCase::open(seller(), &f, "c".into(), now()).unwrap();
        assert_eq!(
            case.cancel_effective, None,
            "the date of an unticked box is ignored"
        );
        assert_eq!(case.comments, "The buyer moved to the annual plan.");
        assert_eq!(f.cancellation_sentence(), None);
        f.also_cancel = true;
        assert_eq!(
            f.cancellation_sentence().as_deref(),
            Some("Please cancel this agreement effective 2026-12-15.")
        );
        f.effective_date = "15/12/2026".into();
        assert_eq!(f.cancellation_sentence(), None);
    }

    #[test]
    fn only_the_box_asks_for_a_cancellation_never_the_words_of_the_comments() {
        let mut f = form();
        f.also_cancel = false;
        f.comments = "Refund of the November charge only. Please cancel nothing.".into();
        let case = SupportCase::open(seller(), &f, "c".into(), now()).unwrap();
        assert!(!case.asks_cancellation());
        let mut f = form();
        f.comments = "The buyer asked for it.".into();
        assert!(SupportCase::open(seller(), &f, "c".into(), now())
            .unwrap()
            .asks_cancellation());
    }

    #[test]
    fn replies_keep_their_time_and_author_in_order() {
        let mut case = SupportCase::open(seller(), &form(), "c".into(), now()).unwrap();
        let later = now() + chrono::Duration::hours(3);
        case.reply("Any news?", now()).unwrap();
        case.update_by_aws(CaseStatus::Completed, "Refund issued.", later);
        let seen: Vec<_> = case
            .replies
            .iter()
            .map(|r| (r.author, r.at, r.text.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                (Author::Seller, now(), "Any news?"),
                (Author::Aws, later, "Refund issued.")
            ]
        );
        assert!(case.reply(&"x".repeat(COMMENTS_MAX + 1), now()).is_err());
    }

    #[test]
    fn the_refund_facts_send_the_amount_to_the_aws_bill_with_the_timing() {
        let case = SupportCase::open(seller(), &form(), "case-42".into(), now()).unwrap();
        let facts = case.refund_facts();
        assert_eq!(facts.lines.len(), 1);
        assert_eq!(facts.lines[0].amount.minor, 12_000);
        assert_eq!(facts.lines[0].to, RefundTo::AwsBill);
        assert_eq!(facts.lines[0].rule, RULE_CASE_REFUND);
        assert!(facts.notes[0].starts_with("Case case-42: Pending."));
    }

    #[test]
    fn a_case_survives_a_json_round_trip() {
        let mut case = SupportCase::open(seller(), &form(), "c".into(), now()).unwrap();
        case.reply("Invoice inv-7.", now()).unwrap();
        let json = serde_json::to_string(&case).unwrap();
        assert_eq!(serde_json::from_str::<SupportCase>(&json).unwrap(), case);
    }

    proptest! {
        #[test]
        fn any_form_input_opens_a_case_or_names_a_field_and_never_panics(
            account in ".{0,14}",
            amount in ".{0,12}",
            currency in ".{0,4}",
            comments in ".{0,40}",
            effective in ".{0,12}",
            also_cancel in any::<bool>(),
        ) {
            let f = RefundForm {
                subscriber_account: account,
                refund_amount: amount,
                currency,
                comments,
                effective_date: effective,
                also_cancel,
                ..form()
            };
            match SupportCase::open(seller(), &f, "c".into(), now()) {
                Ok(case) => {
                    prop_assert!(case.refund.is_none_or(|m| m.minor > 0));
                    prop_assert_eq!(case.asks_cancellation(), also_cancel);
                    prop_assert!(case.cancel_effective.is_none_or(|d| d >= now().date_naive()));
                }
                Err(e) => prop_assert!(!e.field.label().is_empty() && !e.message.is_empty()),
            }
        }
    }

    #[test]
    fn a_completed_case_takes_no_more_replies() {
        let mut case = SupportCase::open(seller(), &form(), "c".into(), now()).unwrap();
        case.update_by_aws(CaseStatus::Completed, "Cancelled and refunded.", now());
        assert!(case.reply("Thanks", now()).is_err());
    }

    mod moved_by_time {
        use std::collections::BTreeSet;

        use super::*;
        use crate::adjustment::Invoice;
        use crate::agreement::Agreement;
        use crate::book::tests::agreement;
        use crate::book::{
            Actor, AgreementRecord, AnswerSupportCase, Book, DomainError, OpenSupportCase,
            ReplyToSupportCase,
        };
        use crate::cancellation::PricingModel;
        use crate::ids::{InvoiceId, SequentialIds};
        use crate::key::RecordKey;

        fn at(day: u32, hour: u32) -> DateTime<Utc> {
            Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).unwrap()
        }

        fn december_first() -> DateTime<Utc> {
            Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap()
        }

        /// A usage-based agreement, whose cancellation needs no approval of the buyer.
        fn book() -> Book {
            book_of(PricingModel::Usage)
        }

        fn book_of(pricing: PricingModel) -> Book {
            let mut book = Book::default();
            book.insert(AgreementRecord::new(
                Agreement {
                    pricing,
                    ..agreement()
                },
                vec![Invoice {
                    id: InvoiceId::parse("inv-1").unwrap(),
                    currency: Currency::USD,
                    charged_minor: 100_000,
                    refunded_minor: 0,
                    issued_at: at(1, 0),
                    paid: true,
                }],
            ));
            book
        }

        fn asking(amount: &str, invoice: &str) -> RefundForm {
            RefundForm {
                subscriber_account: "444455556666".into(),
                product_id: "prod-1".into(),
                offer_id: "offer-1".into(),
                billing_period: "2026-10".into(),
                invoice_id: invoice.into(),
                refund_amount: amount.into(),
                currency: "USD".into(),
                also_cancel: true,
                effective_date: "2026-11-20".into(),
                comments: String::new(),
            }
        }

        fn open(book: &mut Book, form: &RefundForm) -> SupportCaseId {
            let command = OpenSupportCase { form: form.clone() };
            let mut ids = SequentialIds::default();
            match book.apply(command, &Actor::Seller(seller()), at(10, 9), &mut ids) {
                Ok((id, _)) => id,
                Err(error) => panic!("the form is valid: {error:?}"),
            }
        }

        fn reply(book: &mut Book, id: &SupportCaseId, text: &str, now: DateTime<Utc>) {
            let command = ReplyToSupportCase {
                case: id.clone(),
                text: text.into(),
            };
            let mut ids = SequentialIds::default();
            book.apply(command, &Actor::Seller(seller()), now, &mut ids)
                .unwrap();
        }

        fn case<'b>(book: &'b Book, id: &SupportCaseId) -> &'b SupportCase {
            &book.support_cases[id].record
        }

        fn agreement_of(book: &Book) -> &AgreementRecord {
            book.records.values().next().map(|v| &v.record).unwrap()
        }

        fn last_word_of_aws(case: &SupportCase) -> &str {
            let last = case.replies.last().unwrap();
            assert_eq!(last.author, Author::Aws);
            &last.text
        }

        #[test]
        fn a_case_stays_pending_until_its_billing_cycle_ends_then_cancels_and_refunds_its_invoice()
        {
            let mut book = book();
            let id = open(&mut book, &asking("120.00", "inv-1"));
            assert_eq!(book.next_due(), Some(december_first()));
            let before = book.advance_to(december_first() - Duration::seconds(1));
            assert!(before.changed.is_empty());
            assert_eq!(case(&book, &id).status, CaseStatus::Pending);

            let outcome = book.advance_to(december_first() + Duration::days(3));
            assert_eq!(
                outcome.changed,
                BTreeSet::from([
                    RecordKey::SupportCase(id.clone()),
                    RecordKey::Agreement(agreement().id)
                ])
            );
            let done = case(&book, &id);
            assert_eq!(done.status, CaseStatus::Completed);
            assert_eq!(done.replies.last().unwrap().at, december_first());
            let said = last_word_of_aws(done);
            assert!(said.contains("Agreement agmt-1 is cancelled"), "{said}");
            assert!(
                said.contains("120.00 USD is refunded on invoice inv-1"),
                "{said}"
            );
            assert!(
                said.contains("within 24 to 48 hours") && said.contains("up to 5 business days")
            );
            let record = agreement_of(&book);
            assert_eq!(record.agreement.status, AgreementStatus::Cancelled);
            assert_eq!(record.invoices[0].refunded_minor, 12_000);
            let steps: Vec<_> = record.history.iter().map(|h| (h.at, &*h.reason)).collect();
            let reason = format!("Support case {id}");
            assert_eq!(
                steps,
                [
                    (december_first(), reason.as_str()),
                    (december_first(), reason.as_str())
                ]
            );
            assert_eq!(
                done.outcome,
                Some(CaseOutcome {
                    at: december_first(),
                    agreement: agreement().id,
                    cancelled: true,
                    refund: Some(CaseRefund {
                        invoice: "inv-1".into(),
                        amount: Money::new(12_000, Currency::USD),
                    }),
                })
            );
            assert_eq!(book.next_due(), None, "nothing is left for time to do");
        }

        #[test]
        fn a_case_without_its_invoice_asks_for_it_and_moves_on_a_day_after_the_sellers_answer() {
            let mut book = book();
            let id = open(&mut book, &asking("", ""));
            book.advance_to(december_first());
            let waiting = case(&book, &id);
            assert_eq!(waiting.status, CaseStatus::ActionRequired);
            assert!(last_word_of_aws(waiting).starts_with("Which invoice of agreement agmt-1"));
            assert!(last_word_of_aws(waiting).contains("(inv-1)"));
            assert_eq!(
                agreement_of(&book).agreement.status,
                AgreementStatus::Active
            );
            assert_eq!(
                book.next_due(),
                None,
                "an Action Required case waits for the seller"
            );

            let answered = december_first() + Duration::days(3);
            reply(&mut book, &id, "It is inv-1.", answered);
            assert_eq!(case(&book, &id).status, CaseStatus::Pending);
            assert_eq!(book.next_due(), Some(answered + ANSWER_READ_WITHIN));
            book.advance_to(answered + ANSWER_READ_WITHIN - Duration::seconds(1));
            assert_eq!(case(&book, &id).status, CaseStatus::Pending);
            book.advance_to(answered + ANSWER_READ_WITHIN);
            let done = case(&book, &id);
            assert_eq!(done.status, CaseStatus::Completed);
            assert_eq!(done.outcome.as_ref().unwrap().refund, None);
            assert_eq!(
                agreement_of(&book).agreement.status,
                AgreementStatus::Cancelled
            );
            assert_eq!(agreement_of(&book).invoices[0].refunded_minor, 0);
        }

        #[test]
        fn a_case_naming_no_agreement_of_the_seller_asks_for_its_id_and_takes_it_from_the_answer() {
            let mut book = book();
            let mut form = asking("10.00", "inv-1");
            form.offer_id = "offer-other".into();
            let id = open(&mut book, &form);
            book.advance_to(december_first());
            assert!(last_word_of_aws(case(&book, &id))
                .starts_with("We found no agreement of yours with subscriber 444455556666"));
            reply(&mut book, &id, "Sorry: it is agmt-1.", december_first());
            book.advance_to(december_first() + Duration::days(2));
            assert_eq!(case(&book, &id).status, CaseStatus::Completed);
            assert_eq!(agreement_of(&book).invoices[0].refunded_minor, 1_000);
        }

        #[test]
        fn a_refund_above_what_the_invoice_can_refund_asks_for_an_amount_and_refunds_the_one_answered(
        ) {
            let mut book = book();
            let id = open(&mut book, &asking("2000.00", "inv-1"));
            book.advance_to(december_first());
            assert!(last_word_of_aws(case(&book, &id))
                .starts_with("Invoice inv-1 has only 1000.00 USD left to refund"));
            assert_eq!(agreement_of(&book).invoices[0].refunded_minor, 0);
            reply(
                &mut book,
                &id,
                "Then refund 300.00 USD, and cancel.",
                december_first(),
            );
            book.advance_to(december_first() + Duration::days(1));
            assert_eq!(case(&book, &id).status, CaseStatus::Completed);
            assert_eq!(agreement_of(&book).invoices[0].refunded_minor, 30_000);
        }

        #[test]
        fn a_case_does_not_cancel_over_a_request_waiting_for_the_buyer() {
            use crate::book::SendCancellation;
            use crate::cancellation::{AdditionalDetails, CancellationReasonCode};
            use crate::ids::ClientToken;
            let mut book = book();
            let id = open(&mut book, &asking("", "inv-1"));
            book.apply(
                SendCancellation {
                    agreement_id: agreement().id,
                    reason_code: Some(CancellationReasonCode::ReplacingAgreement),
                    description: "Replacing with the private offer offer-2".into(),
                    details: AdditionalDetails::default(),
                    client_token: ClientToken::parse("t-1").unwrap(),
                },
                &Actor::Seller(seller()),
                december_first() - Duration::days(2),
                &mut SequentialIds::default(),
            )
            .unwrap();
            book.advance_to(december_first());
            assert!(last_word_of_aws(case(&book, &id)).starts_with("Cancellation request acr-"));
            let record = agreement_of(&book);
            assert_eq!(record.agreement.status, AgreementStatus::Active);
            assert!(record.check().is_ok());
        }

        #[test]
        fn a_refund_whose_comments_say_do_not_cancel_refunds_and_leaves_the_agreement_active() {
            let mut book = book();
            let mut form = asking("120.00", "inv-1");
            form.also_cancel = false;
            form.comments = "Refund of the November charge only. Please do NOT cancel this \
                             agreement; the buyer keeps using it."
                .into();
            let id = open(&mut book, &form);
            book.advance_to(december_first());
            let done = case(&book, &id);
            assert_eq!(done.status, CaseStatus::Completed);
            assert!(
                !last_word_of_aws(done).contains("cancelled"),
                "{}",
                last_word_of_aws(done)
            );
            assert_eq!(done.outcome.as_ref().map(|o| o.cancelled), Some(false));
            let record = agreement_of(&book);
            assert_eq!(record.agreement.status, AgreementStatus::Active);
            assert_eq!(record.invoices[0].refunded_minor, 12_000);
        }

        #[test]
        fn a_cancellation_is_processed_on_its_effective_date_when_that_is_after_the_cycle() {
            let mut book = book();
            let mut form = asking("", "inv-1");
            form.effective_date = "2026-12-15".into();
            let id = open(&mut book, &form);
            let effective = Utc.with_ymd_and_hms(2026, 12, 15, 0, 0, 0).unwrap();
            assert_eq!(book.next_due(), Some(effective));
            book.advance_to(effective - Duration::seconds(1));
            assert_eq!(case(&book, &id).status, CaseStatus::Pending);
            assert_eq!(
                agreement_of(&book).agreement.status,
                AgreementStatus::Active
            );
            book.advance_to(effective);
            assert_eq!(case(&book, &id).status, CaseStatus::Completed);
            assert_eq!(
                agreement_of(&book).agreement.status,
                AgreementStatus::Cancelled
            );
        }

        fn answer(
            book: &mut Book,
            id: &SupportCaseId,
            buyer: &str,
            approve: bool,
        ) -> Result<(), DomainError> {
            let command = AnswerSupportCase {
                case: id.clone(),
                approve,
            };
            let buyer = Actor::Buyer(AccountId::parse(buyer).unwrap());
            book.apply(
                command,
                &buyer,
                december_first(),
                &mut SequentialIds::default(),
            )
            .map(|_| ())
        }

        #[test]
        fn a_contracts_cancellation_waits_for_the_buyers_approval_then_completes_a_day_later() {
            let mut book = book_of(PricingModel::Contract);
            let id = open(&mut book, &asking("120.00", "inv-1"));
            assert!(
                answer(&mut book, &id, "444455556666", true).is_err(),
                "not asked yet"
            );
            book.advance_to(december_first());
            let waiting = case(&book, &id);
            assert_eq!(waiting.status, CaseStatus::ActionRequired);
            assert_eq!(waiting.awaiting_buyer, Some(agreement().id));
            assert!(waiting
                .buyer_question()
                .is_some_and(|q| q.starts_with("Your agreement agmt-1 is contract-based")));
            assert!(last_word_of_aws(waiting).starts_with("Agreement agmt-1 is contract-based"));
            assert_eq!(
                agreement_of(&book).invoices[0].refunded_minor,
                0,
                "nothing applied yet"
            );
            assert_eq!(
                answer(&mut book, &id, "999988887777", true),
                Err(DomainError::NotTheBuyer)
            );
            answer(&mut book, &id, "444455556666", true).unwrap();
            assert_eq!(case(&book, &id).status, CaseStatus::Pending);
            assert!(
                answer(&mut book, &id, "444455556666", false).is_err(),
                "answered once"
            );
            book.advance_to(december_first() + ANSWER_READ_WITHIN);
            assert_eq!(case(&book, &id).status, CaseStatus::Completed);
            let record = agreement_of(&book);
            assert_eq!(record.agreement.status, AgreementStatus::Cancelled);
            assert_eq!(record.invoices[0].refunded_minor, 12_000);
        }

        #[test]
        fn an_agreement_of_unknown_pricing_is_read_as_a_contract_and_waits_for_the_buyer() {
            let mut book = book_of(PricingModel::Unknown);
            let id = open(&mut book, &asking("120.00", "inv-1"));
            book.advance_to(december_first());
            assert_eq!(case(&book, &id).status, CaseStatus::ActionRequired);
            assert_eq!(case(&book, &id).awaiting_buyer, Some(agreement().id));
        }

        #[test]
        fn a_contract_whose_buyer_rejects_stays_active_and_the_refund_is_still_made() {
            let mut book = book_of(PricingModel::Contract);
            let id = open(&mut book, &asking("120.00", "inv-1"));
            book.advance_to(december_first());
            answer(&mut book, &id, "444455556666", false).unwrap();
            book.advance_to(december_first() + ANSWER_READ_WITHIN);
            let done = case(&book, &id);
            assert_eq!(done.status, CaseStatus::Completed);
            assert!(last_word_of_aws(done).contains(
                "The buyer did not approve the cancellation, so agreement agmt-1 stays active."
            ));
            let record = agreement_of(&book);
            assert_eq!(record.agreement.status, AgreementStatus::Active);
            assert_eq!(record.invoices[0].refunded_minor, 12_000);
        }

        #[test]
        fn usage_based_agreements_and_refunds_alone_complete_without_the_buyer() {
            for (pricing, cancel) in [
                (PricingModel::Usage, true),
                (PricingModel::SaasSubscription, true),
                (PricingModel::Contract, false),
            ] {
                let mut book = book_of(pricing);
                let mut form = asking("120.00", "inv-1");
                form.also_cancel = cancel;
                let id = open(&mut book, &form);
                book.advance_to(december_first());
                assert_eq!(
                    case(&book, &id).status,
                    CaseStatus::Completed,
                    "{pricing:?}"
                );
                assert_eq!(case(&book, &id).awaiting_buyer, None);
            }
        }

        #[test]
        fn a_completed_case_emits_no_event_seed_004_gives_requests_and_adjustments_only() {
            let mut book = book();
            open(&mut book, &asking("120.00", "inv-1"));
            book.advance_to(december_first());
            let record = agreement_of(&book);
            assert_eq!(record.agreement.status, AgreementStatus::Cancelled);
            assert_eq!(record.events().count(), 0);
        }

        #[test]
        fn an_effective_date_inside_the_cycle_waits_for_the_cycle_to_end() {
            let mut book = book();
            open(&mut book, &asking("", "inv-1"));
            assert_eq!(book.next_due(), Some(december_first()));
        }

        #[test]
        fn the_billing_period_is_asked_for_as_a_month() {
            for period in ["", "October", "2026-13", "2026/10"] {
                let mut form = asking("", "inv-1");
                form.billing_period = period.into();
                let refused =
                    SupportCase::open(seller(), &form, "c".into(), at(10, 9)).unwrap_err();
                assert_eq!(refused.field, FormField::BillingPeriod, "{period:?}");
            }
        }

        #[test]
        fn a_case_stored_before_cases_moved_loads_and_reads_back_unchanged() {
            let stored = serde_json::json!({
                "id": "case-1", "seller": "111122223333", "subscriber": "444455556666",
                "product": "prod-1", "offer": "offer-1", "billing_period": "2026-10",
                "invoice_id": "", "refund": null, "comments": "Please cancel.",
                "status": "Pending", "opened_at": "2026-11-10T09:00:00Z", "replies": []
            });
            let case: SupportCase = serde_json::from_value(stored.clone()).unwrap();
            assert_eq!((case.answered_at, case.outcome.clone()), (None, None));
            assert_eq!(serde_json::to_value(&case).unwrap(), stored);
        }

        proptest! {
            #[test]
            fn whatever_is_asked_and_however_time_runs_an_invoice_never_refunds_above_its_charge(
                minor in 1i64..300_000,
                steps in proptest::collection::vec(1i64..20 * 24, 1..8),
            ) {
                let amount = Money::new(minor, Currency::USD).to_string();
                let amount = amount.split(' ').next().unwrap().to_string();
                let form = asking(&amount, "inv-1");
                let mut stepped = book();
                let id = open(&mut stepped, &form);
                let mut jumped = stepped.clone();
                let mut now = at(10, 9);
                for hours in &steps {
                    now += Duration::hours(*hours);
                    stepped.advance_to(now);
                    let invoice = &agreement_of(&stepped).invoices[0];
                    prop_assert!(invoice.refunded_minor <= invoice.charged_minor);
                }
                jumped.advance_to(now);
                prop_assert_eq!(&jumped, &stepped, "one jump of time does what many steps do");
                let status = case(&stepped, &id).status;
                if now < december_first() {
                    prop_assert_eq!(status, CaseStatus::Pending);
                } else if minor <= 100_000 {
                    prop_assert_eq!(status, CaseStatus::Completed);
                    prop_assert_eq!(agreement_of(&stepped).invoices[0].refunded_minor, minor);
                } else {
                    prop_assert_eq!(status, CaseStatus::ActionRequired);
                    prop_assert_eq!(agreement_of(&stepped).invoices[0].refunded_minor, 0);
                }
            }
        }
    }
}
