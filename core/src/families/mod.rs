//! The three older billing families that sit beside the AWS Marketplace one, and the legacy
//! support-case route. Each owns its rules; the book holds their records.
//!
//! Each family also states, as [`RefundFacts`], what a refund would give back, to where, what
//! is never refunded and the rule that decided each line, so that a preview can show them
//! before anything is submitted without knowing any family's rules itself.

use serde::{Deserialize, Serialize};

use crate::money::Money;

pub mod alibaba;
pub mod devpay;
pub mod fps;
pub mod support_case;

/// Where an amount ends up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RefundTo {
    /// The card or account the buyer paid with, in words ("the Alipay account used to pay").
    OriginalMethod(String),
    /// The buyer's balance with the provider (Alibaba Cloud account balance).
    AccountBalance,
    /// A credit on the buyer's AWS bill.
    AwsBill,
    /// Kept by the seller or still billed: never comes back.
    NotRefunded,
}

/// One line of a refund: what, how much, to where, and the rule that decided it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundLine {
    pub what: String,
    pub amount: Money,
    pub to: RefundTo,
    pub rule: String,
}

/// Everything a person should know about a refund in one family before going on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundFacts {
    pub family: String,
    pub lines: Vec<RefundLine>,
    /// Timing and warnings (data deletion, who is told) that are not amounts.
    pub notes: Vec<String>,
}

impl RefundFacts {
    /// The lines that actually give money back.
    pub fn refunded(&self) -> impl Iterator<Item = &RefundLine> {
        self.lines.iter().filter(|l| l.to != RefundTo::NotRefunded)
    }
}

fn line(what: impl Into<String>, amount: Money, to: RefundTo, rule: &str) -> RefundLine {
    RefundLine {
        what: what.into(),
        amount,
        to,
        rule: rule.to_string(),
    }
}
