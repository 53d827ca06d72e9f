//! Reports a seller takes in at a glance: how their cancellation requests ended and why they
//! were sent, how fast buyers answered, what refunds cost, and the older families in the same
//! terms, for a period and a product or offer. Everything is counted from the records in one
//! pass ([`Report::of`]); the page draws it and the CSV ([`Report::to_csv`]) writes the same
//! figures, so the two never disagree.
//!
//! Requests and refunds are counted by when they were sent or made: a request sent in the
//! period counts under how it ended (or "still pending"), so the outcomes add up to what was
//! sent; `agreements_cancelled` counts the approvals that happened in the period, as the
//! event log does.

mod csv;
mod families;
mod period;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use chrono::Duration;

use crate::adjustment::{AdjustmentReasonCode, AdjustmentStatus};
use crate::book::{AgreementRecord, Book};
use crate::cancellation::{CancellationReasonCode, CancellationRequest, DecidedBy, RequestStatus};
use crate::ids::{AccountId, OfferId, ProductId};
use crate::money::{Currency, Money};

pub use csv::{percent, HEADER};
pub use families::{AlibabaFigures, DevPayFigures, FpsFigures, OlderFamilies};
pub use period::{Month, Period, PeriodChoice, PeriodError, LONGEST};

/// Whose records a report counts: a seller's, and of those one product's or one offer's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub seller: Option<AccountId>,
    pub product: Option<ProductId>,
    pub offer: Option<OfferId>,
}

impl Scope {
    /// Whether an agreement (or a support case) of this seller, product and offer is counted.
    pub fn holds(&self, seller: &AccountId, product: &ProductId, offer: &OfferId) -> bool {
        self.seller.as_ref().is_none_or(|s| s == seller)
            && self.product.as_ref().is_none_or(|p| p == product)
            && self.offer.as_ref().is_none_or(|o| o == offer)
    }

    /// Whether a product or an offer is chosen: the older families have neither, so a report
    /// so narrowed leaves them out.
    pub fn narrowed(&self) -> bool {
        self.product.is_some() || self.offer.is_some()
    }
}

/// How a cancellation request sent in the period ended, or that it has not yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestOutcome {
    ApprovedByBuyer,
    AutoApproved,
    Rejected,
    Withdrawn,
    Pending,
    ValidationFailed,
}

impl RequestOutcome {
    /// Every outcome, in the order a report shows them.
    pub const ALL: [RequestOutcome; 6] = [
        RequestOutcome::ApprovedByBuyer,
        RequestOutcome::AutoApproved,
        RequestOutcome::Rejected,
        RequestOutcome::Withdrawn,
        RequestOutcome::Pending,
        RequestOutcome::ValidationFailed,
    ];

    /// How a request stands now.
    pub fn of(request: &CancellationRequest) -> RequestOutcome {
        match request.status {
            RequestStatus::Approved if request.decided_by == Some(DecidedBy::System) => {
                RequestOutcome::AutoApproved
            }
            RequestStatus::Approved => RequestOutcome::ApprovedByBuyer,
            RequestStatus::Rejected => RequestOutcome::Rejected,
            RequestStatus::Cancelled => RequestOutcome::Withdrawn,
            RequestStatus::PendingApproval => RequestOutcome::Pending,
            RequestStatus::ValidationFailed => RequestOutcome::ValidationFailed,
        }
    }

    /// In words, for people.
    pub fn label(self) -> &'static str {
        match self {
            RequestOutcome::ApprovedByBuyer => "Approved by the buyer",
            RequestOutcome::AutoApproved => "Approved automatically after 7 days",
            RequestOutcome::Rejected => "Rejected by the buyer",
            RequestOutcome::Withdrawn => "Withdrawn by the seller",
            RequestOutcome::Pending => "Still pending",
            RequestOutcome::ValidationFailed => "Failed validation",
        }
    }

    fn place(self) -> usize {
        self as usize
    }
}

/// How many requests ended each way; together, how many were sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcomes([u32; 6]);

impl Outcomes {
    /// How many ended this way.
    pub fn get(&self, outcome: RequestOutcome) -> u32 {
        self.0[outcome.place()]
    }

    /// How many were sent: every outcome together.
    pub fn sent(&self) -> u32 {
        self.0.iter().sum()
    }

    fn add(&mut self, outcome: RequestOutcome) {
        self.0[outcome.place()] += 1;
    }
}

impl FromIterator<RequestOutcome> for Outcomes {
    fn from_iter<I: IntoIterator<Item = RequestOutcome>>(outcomes: I) -> Self {
        let mut counted = Outcomes::default();
        outcomes.into_iter().for_each(|o| counted.add(o));
        counted
    }
}

/// How long buyers took to answer, from sending to their approval or rejection. Automatic
/// approvals are counted apart: they are the 7 days running out, not an answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AnswerTimes {
    pub answered: u32,
    pub median: Option<Duration>,
    pub p90: Option<Duration>,
    pub auto_approved: u32,
}

impl AnswerTimes {
    /// From the buyers' answer times in seconds, in any order.
    fn of(mut seconds: Vec<i64>, auto_approved: u32) -> AnswerTimes {
        seconds.sort_unstable();
        AnswerTimes {
            answered: seconds.len() as u32,
            median: rank(&seconds, 50).map(Duration::seconds),
            p90: rank(&seconds, 90).map(Duration::seconds),
            auto_approved,
        }
    }
}

/// The nearest-rank percentile of sorted values: the smallest one at least `percent` of
/// them do not exceed.
fn rank(sorted: &[i64], percent: usize) -> Option<i64> {
    let n = sorted.len();
    let at = (percent * n).div_ceil(100).max(1);
    sorted.get(at - 1).copied()
}

/// Amounts per currency, in minor units, never added across currencies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Amounts(BTreeMap<Currency, i64>);

impl Amounts {
    fn add(&mut self, money: Money) {
        *self.0.entry(money.currency).or_insert(0) += money.minor;
    }

    /// Each currency's amount, in the order of the currencies.
    pub fn each(&self) -> impl Iterator<Item = Money> + '_ {
        self.0
            .iter()
            .map(|(&currency, &minor)| Money::new(minor, currency))
    }

    /// The amount of one currency (zero where there is none).
    pub fn of(&self, currency: Currency) -> Money {
        Money::new(self.0.get(&currency).copied().unwrap_or(0), currency)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// How many, and how much in each currency.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub count: u32,
    pub amounts: Amounts,
}

impl Tally {
    fn add(&mut self, money: Money) {
        self.count += 1;
        self.amounts.add(money);
    }
}

/// The cancellation requests sent in the period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requests {
    pub outcomes: Outcomes,
    /// By reason code, every code in the API's order.
    pub by_reason: Vec<(CancellationReasonCode, Outcomes)>,
    pub answers: AnswerTimes,
    /// Agreements whose cancellation was approved in the period.
    pub agreements_cancelled: u32,
}

/// The billing adjustments made in the period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refunds {
    pub completed: Tally,
    pub pending: Tally,
    pub failed: Tally,
    /// Completed, by reason code, every code in the API's order.
    pub by_reason: Vec<(AdjustmentReasonCode, Tally)>,
    /// Completed, by product, the products that have any.
    pub by_product: Vec<(ProductId, Tally)>,
    /// What the invoices issued in the period charged, and how much of that is refunded.
    pub billed: Amounts,
    pub refunded_of_billed: Amounts,
}

/// One month of the period: its requests by outcome, how fast buyers answered, what was
/// refunded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthFigures {
    pub month: Month,
    pub requests: Outcomes,
    pub answers: AnswerTimes,
    pub refunded: Tally,
}

/// Every figure of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub period: Period,
    pub scope: Scope,
    pub requests: Requests,
    pub refunds: Refunds,
    pub months: Vec<MonthFigures>,
    /// `None` when a product or offer is chosen: the older families have neither.
    pub older: Option<OlderFamilies>,
}

/// What one pass gathers before the figures are made of it.
struct Gathered {
    by_reason: Vec<Outcomes>,
    answer_seconds: Vec<i64>,
    month_seconds: Vec<Vec<i64>>,
    months: Vec<(Outcomes, Tally)>,
    refunds: Refunds,
    refund_reasons: Vec<Tally>,
    refund_products: BTreeMap<ProductId, Tally>,
    agreements_cancelled: u32,
}

impl Gathered {
    fn new(period: &Period) -> Gathered {
        let months = period.months.len();
        Gathered {
            by_reason: vec![Outcomes::default(); CancellationReasonCode::ALL.len()],
            answer_seconds: Vec::new(),
            month_seconds: vec![Vec::new(); months],
            months: vec![(Outcomes::default(), Tally::default()); months],
            refunds: Refunds::default(),
            refund_reasons: vec![Tally::default(); AdjustmentReasonCode::ALL.len()],
            refund_products: BTreeMap::new(),
            agreements_cancelled: 0,
        }
    }

    fn request(&mut self, period: &Period, request: &CancellationRequest) {
        let outcome = RequestOutcome::of(request);
        if outcome == RequestOutcome::ApprovedByBuyer || outcome == RequestOutcome::AutoApproved {
            self.agreements_cancelled += u32::from(period.contains(request.updated_at));
        }
        let Some(month) = period.month_of(request.created_at) else {
            return;
        };
        let reason = CancellationReasonCode::ALL
            .iter()
            .position(|&r| r == request.reason_code)
            .unwrap_or(0);
        self.by_reason[reason].add(outcome);
        self.months[month].0.add(outcome);
        if request.decided_by == Some(DecidedBy::Buyer) {
            let seconds = (request.updated_at - request.created_at).num_seconds();
            self.answer_seconds.push(seconds);
            self.month_seconds[month].push(seconds);
        }
    }

    fn record(&mut self, period: &Period, record: &AgreementRecord) {
        for request in &record.requests {
            self.request(period, request);
        }
        for adjustment in &record.adjustments {
            let Some(month) = period.month_of(adjustment.created_at) else {
                continue;
            };
            match adjustment.status {
                AdjustmentStatus::Pending => self.refunds.pending.add(adjustment.amount),
                AdjustmentStatus::ValidationFailed => self.refunds.failed.add(adjustment.amount),
                AdjustmentStatus::Completed => {
                    self.refunds.completed.add(adjustment.amount);
                    self.months[month].1.add(adjustment.amount);
                    let reason = AdjustmentReasonCode::ALL
                        .iter()
                        .position(|&r| r == adjustment.reason_code)
                        .unwrap_or(0);
                    self.refund_reasons[reason].add(adjustment.amount);
                    self.refund_products
                        .entry(record.agreement.product.clone())
                        .or_default()
                        .add(adjustment.amount);
                }
            }
        }
        for invoice in record
            .invoices
            .iter()
            .filter(|i| period.contains(i.issued_at))
        {
            self.refunds.billed.add(invoice.charged());
            self.refunds.refunded_of_billed.add(invoice.refunded());
        }
    }

    fn into_figures(self, period: &Period) -> (Requests, Refunds, Vec<MonthFigures>) {
        let mut outcomes = Outcomes::default();
        for part in &self.by_reason {
            for (total, n) in outcomes.0.iter_mut().zip(part.0) {
                *total += n;
            }
        }
        let auto = outcomes.get(RequestOutcome::AutoApproved);
        let requests = Requests {
            outcomes,
            by_reason: CancellationReasonCode::ALL
                .into_iter()
                .zip(self.by_reason)
                .collect(),
            answers: AnswerTimes::of(self.answer_seconds, auto),
            agreements_cancelled: self.agreements_cancelled,
        };
        let refunds = Refunds {
            by_reason: AdjustmentReasonCode::ALL
                .into_iter()
                .zip(self.refund_reasons)
                .collect(),
            by_product: self.refund_products.into_iter().collect(),
            ..self.refunds
        };
        let months = period
            .months
            .iter()
            .zip(self.months)
            .zip(self.month_seconds)
            .map(|((&month, (requests, refunded)), seconds)| MonthFigures {
                month,
                answers: AnswerTimes::of(seconds, requests.get(RequestOutcome::AutoApproved)),
                requests,
                refunded,
            })
            .collect();
        (requests, refunds, months)
    }
}

impl Report {
    /// The report of `book` for `period` and `scope`, in one pass over its records.
    pub fn of(book: &Book, period: Period, scope: Scope) -> Report {
        let mut gathered = Gathered::new(&period);
        let records = book.records();
        let in_scope = |record: &&AgreementRecord| {
            let a = &record.agreement;
            scope.holds(&a.seller, &a.product, &a.offer)
        };
        match &scope.seller {
            Some(seller) => records
                .of_seller(seller)
                .iter()
                .filter_map(|id| book.record(id))
                .filter(in_scope)
                .for_each(|record| gathered.record(&period, record)),
            None => records
                .values()
                .map(|v| &v.record)
                .filter(in_scope)
                .for_each(|record| gathered.record(&period, record)),
        }
        let (requests, refunds, months) = gathered.into_figures(&period);
        let older = (!scope.narrowed()).then(|| OlderFamilies::of(book, &period, &scope));
        Report {
            period,
            scope,
            requests,
            refunds,
            months,
            older,
        }
    }

    /// Whether the period holds nothing at all to report, for the page to say so once.
    pub fn is_empty(&self) -> bool {
        self.requests.outcomes.sent() == 0
            && self.requests.agreements_cancelled == 0
            && self.refunds.completed.count + self.refunds.pending.count + self.refunds.failed.count
                == 0
            && self.refunds.billed.is_empty()
            && self.older.as_ref().is_none_or(OlderFamilies::is_empty)
    }
}
