//! The legacy route (seed 001, AWS Marketplace Management Portal): a "Request refund" form
//! opens a support case at once, with an ID to keep; its status is Pending, Action Required
//! or Completed, and the seller can reply to it.
//!
//! The form serves cancellations and refunds alike, so a refund amount is optional; when
//! one is given, the invoice it is taken from is required, since a refund is always
//! against an invoice.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::{line, RefundFacts, RefundTo};
use crate::ids::{AccountId, OfferId, ProductId};
use crate::money::{Currency, Money};

pub const COMMENTS_MAX: usize = 2000;
pub const RULE_CASE_REFUND: &str = "Once AWS processes the case, the refund appears in the \
customer's AWS billing account within 24 to 48 hours; it can take up to 5 business days to \
reach their bank.";

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
    pub id: String,
    pub seller: AccountId,
    pub subscriber: AccountId,
    pub product: ProductId,
    pub offer: OfferId,
    pub billing_period: String,
    pub invoice_id: String,
    pub refund: Option<Money>,
    pub comments: String,
    pub status: CaseStatus,
    pub opened_at: DateTime<Utc>,
    pub replies: Vec<CaseReply>,
}

/// Which form field a problem belongs beside, and what it is.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message}")]
pub struct FormError {
    pub field: &'static str,
    pub message: String,
}

fn problem(field: &'static str, message: impl Into<String>) -> FormError {
    FormError {
        field,
        message: message.into(),
    }
}

impl SupportCase {
    /// Opens a case from the form; `id` comes from the shell's ID source.
    pub fn open(
        seller: AccountId,
        form: &RefundForm,
        id: String,
        now: DateTime<Utc>,
    ) -> Result<SupportCase, FormError> {
        let subscriber = AccountId::parse(&form.subscriber_account)
            .map_err(|e| problem("Subscriber account", e.to_string()))?;
        let product =
            ProductId::parse(&form.product_id).map_err(|e| problem("Product ID", e.to_string()))?;
        let offer =
            OfferId::parse(&form.offer_id).map_err(|e| problem("Offer ID", e.to_string()))?;
        if form.billing_period.trim().is_empty() {
            return Err(problem(
                "Billing period",
                "Enter the billing period, for example 2026-10.",
            ));
        }
        let refund = if form.refund_amount.trim().is_empty() {
            None
        } else {
            let currency: Currency = form
                .currency
                .parse()
                .map_err(|e: crate::money::MoneyError| problem("Currency", e.to_string()))?;
            if form.invoice_id.trim().is_empty() {
                return Err(problem(
                    "Invoice",
                    "Enter the invoice the refund is taken from.",
                ));
            }
            Some(
                Money::parse_positive(&form.refund_amount, currency)
                    .map_err(|e| problem("Refund amount", e.to_string()))?,
            )
        };
        if form.comments.trim().is_empty() {
            return Err(problem(
                "Comments",
                "Say what AWS should do, for example \"Please cancel this agreement effective 2026-12-01.\"",
            ));
        }
        if form.comments.chars().count() > COMMENTS_MAX {
            return Err(problem(
                "Comments",
                format!("Comments can be at most {COMMENTS_MAX} characters."),
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
            comments: form.comments.clone(),
            status: CaseStatus::Pending,
            opened_at: now,
            replies: Vec::new(),
        })
    }

    /// The seller answers the case; an answer to "Action Required" puts it back to Pending.
    pub fn reply(&mut self, text: &str, now: DateTime<Utc>) -> Result<(), FormError> {
        if text.trim().is_empty() {
            return Err(problem("Reply", "Write a reply first."));
        }
        if text.chars().count() > COMMENTS_MAX {
            return Err(problem(
                "Reply",
                format!("A reply can be at most {COMMENTS_MAX} characters."),
            ));
        }
        if self.status == CaseStatus::Completed {
            return Err(problem(
                "Reply",
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
        }
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn form() -> RefundForm {
        RefundForm {
            subscriber_account: "444455556666".into(),
            product_id: "prod-abc".into(),
            offer_id: "offer-abc".into(),
            billing_period: "2026-10".into(),
            invoice_id: "inv-7".into(),
            refund_amount: "120.00".into(),
            currency: "USD".into(),
            comments: "Please cancel this agreement effective 2026-12-01.".into(),
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
        assert_eq!(case.id, "case-1234567890");
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
            "Subscriber account"
        );
        let mut f = form();
        f.refund_amount = "12.345".into();
        assert_eq!(
            SupportCase::open(seller(), &f, "c".into(), now())
                .unwrap_err()
                .field,
            "Refund amount"
        );
        let mut f = form();
        f.comments = " ".into();
        assert_eq!(
            SupportCase::open(seller(), &f, "c".into(), now())
                .unwrap_err()
                .field,
            "Comments"
        );
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
        f.comments = cancel_effective_comment(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
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
            "Invoice"
        );
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
        ) {
            let f = RefundForm {
                subscriber_account: account,
                refund_amount: amount,
                currency,
                comments,
                ..form()
            };
            match SupportCase::open(seller(), &f, "c".into(), now()) {
                Ok(case) => prop_assert!(case.refund.is_none_or(|m| m.minor > 0)),
                Err(e) => prop_assert!(!e.field.is_empty() && !e.message.is_empty()),
            }
        }
    }

    #[test]
    fn a_completed_case_takes_no_more_replies() {
        let mut case = SupportCase::open(seller(), &form(), "c".into(), now()).unwrap();
        case.update_by_aws(CaseStatus::Completed, "Cancelled and refunded.", now());
        assert!(case.reply("Thanks", now()).is_err());
    }
}
