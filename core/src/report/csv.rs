//! The whole report as CSV, one row per figure, each with its period and filters, so that a
//! row copied out of the file still says what it counts.

use std::fmt::Write;

use chrono::Duration;

use crate::money::Money;

use super::families::OlderFamilies;
use super::{AnswerTimes, Outcomes, Refunds, Report, RequestOutcome, Tally};

/// The header of [`Report::to_csv`].
pub const HEADER: &str = "from,to,seller,product,offer,section,figure,breakdown,currency,value";

/// A figure's name, what it is broken down by, its currency, its value.
type Figure = (&'static str, String, &'static str, String);

impl RequestOutcome {
    /// As the CSV names it.
    pub fn code(self) -> &'static str {
        match self {
            RequestOutcome::ApprovedByBuyer => "approved_by_buyer",
            RequestOutcome::AutoApproved => "auto_approved",
            RequestOutcome::Rejected => "rejected",
            RequestOutcome::Withdrawn => "withdrawn",
            RequestOutcome::Pending => "pending",
            RequestOutcome::ValidationFailed => "validation_failed",
        }
    }
}

impl Refunds {
    /// Of what the invoices issued in the period charged, the part refunded, in tenths of a
    /// percent, per currency billed.
    pub fn refunded_share(&self) -> Vec<(Money, u32)> {
        self.billed
            .each()
            .filter(|billed| billed.minor > 0)
            .map(|billed| {
                let refunded = self.refunded_of_billed.of(billed.currency).minor;
                let tenths = (refunded * 1_000 + billed.minor / 2) / billed.minor;
                (billed, u32::try_from(tenths).unwrap_or(0))
            })
            .collect()
    }
}

/// "12.5": tenths of a percent as a person reads them.
pub fn percent(tenths: u32) -> String {
    format!("{}.{}", tenths / 10, tenths % 10)
}

fn count(name: &'static str, breakdown: impl Into<String>, n: u32) -> Figure {
    (name, breakdown.into(), "", n.to_string())
}

fn outcomes(out: &mut Vec<Figure>, prefix: &str, o: &Outcomes) {
    out.push(count("requests_sent", prefix, o.sent()));
    for outcome in RequestOutcome::ALL {
        let breakdown = if prefix.is_empty() {
            outcome.code().to_string()
        } else {
            format!("{prefix}/{}", outcome.code())
        };
        out.push(count("requests_by_outcome", breakdown, o.get(outcome)));
    }
}

fn answers(out: &mut Vec<Figure>, breakdown: &str, a: &AnswerTimes) {
    let seconds = |d: Option<Duration>| d.map(|d| d.num_seconds().to_string()).unwrap_or_default();
    out.push(count("buyer_answers", breakdown, a.answered));
    out.push((
        "answer_time_median_seconds",
        breakdown.into(),
        "",
        seconds(a.median),
    ));
    out.push((
        "answer_time_p90_seconds",
        breakdown.into(),
        "",
        seconds(a.p90),
    ));
}

fn tally(out: &mut Vec<Figure>, name: &'static str, breakdown: &str, t: &Tally) {
    out.push(count(name, breakdown, t.count));
    for money in t.amounts.each() {
        out.push((
            name,
            breakdown.into(),
            money.currency.code(),
            money.decimal_string(),
        ));
    }
}

fn older(out: &mut Vec<Figure>, o: &OlderFamilies) {
    out.push(count("fps_cancelled", "", o.fps.cancelled));
    tally(out, "fps_refunded", "", &o.fps.refunded);
    out.push(count("devpay_cancelled", "", o.devpay.cancelled));
    out.push(count("devpay_ended_unpaid", "", o.devpay.ended_unpaid));
    tally(
        out,
        "devpay_charged_to_seller",
        "",
        &o.devpay.charged_to_seller,
    );
    out.push(count("alibaba_unsubscribed", "", o.alibaba.unsubscribed));
    out.push(count("alibaba_tickets_waiting", "", o.alibaba.waiting));
    tally(
        out,
        "alibaba_refunded",
        "original_method",
        &o.alibaba.to_original_method,
    );
    tally(
        out,
        "alibaba_refunded",
        "account_balance",
        &o.alibaba.to_balance,
    );
    for (status, n) in &o.support_cases {
        out.push(count("support_cases", status.label(), *n));
    }
}

/// A field as CSV writes it: quoted when it holds a comma, a quote or a line break.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

impl Report {
    /// Every figure, by section: what the CSV writes, row by row.
    pub fn figures(&self) -> Vec<(&'static str, Vec<Figure>)> {
        let r = &self.requests;
        let mut requests = Vec::new();
        outcomes(&mut requests, "", &r.outcomes);
        for (reason, o) in &r.by_reason {
            outcomes(&mut requests, reason.code(), o);
        }
        requests.push(count("agreements_cancelled", "", r.agreements_cancelled));
        answers(&mut requests, "", &r.answers);
        let f = &self.refunds;
        let mut refunds = Vec::new();
        tally(&mut refunds, "refunds_completed", "", &f.completed);
        tally(&mut refunds, "refunds_pending", "", &f.pending);
        tally(&mut refunds, "refunds_failed", "", &f.failed);
        for (reason, t) in &f.by_reason {
            tally(&mut refunds, "refunds_by_reason", reason.code(), t);
        }
        for (product, t) in &f.by_product {
            tally(&mut refunds, "refunds_by_product", product.as_str(), t);
        }
        for billed in f.billed.each() {
            let currency = billed.currency.code();
            refunds.push(("billed", String::new(), currency, billed.decimal_string()));
            let refunded = f.refunded_of_billed.of(billed.currency).decimal_string();
            refunds.push(("refunded_of_billed", String::new(), currency, refunded));
        }
        for (billed, tenths) in f.refunded_share() {
            let currency = billed.currency.code();
            refunds.push((
                "refunded_share_percent",
                String::new(),
                currency,
                percent(tenths),
            ));
        }
        let mut months = Vec::new();
        for m in &self.months {
            let name = m.month.name();
            outcomes(&mut months, &name, &m.requests);
            answers(&mut months, &name, &m.answers);
            tally(&mut months, "refunds_completed", &name, &m.refunded);
        }
        let mut sections = vec![
            ("requests", requests),
            ("refunds", refunds),
            ("months", months),
        ];
        if let Some(o) = &self.older {
            let mut rows = Vec::new();
            older(&mut rows, o);
            sections.push(("older_families", rows));
        }
        sections
    }

    /// The whole report as CSV, one row per figure.
    pub fn to_csv(&self) -> String {
        let scope = &self.scope;
        let id = |v: Option<&str>| field(v.unwrap_or(""));
        let lead = format!(
            "{},{},{},{},{}",
            self.period.first_day,
            self.period.last_day,
            id(scope.seller.as_ref().map(|s| s.as_str())),
            id(scope.product.as_ref().map(|p| p.as_str())),
            id(scope.offer.as_ref().map(|o| o.as_str())),
        );
        let mut csv = format!("{HEADER}\n");
        for (section, rows) in self.figures() {
            for (name, breakdown, currency, value) in rows {
                let _ = writeln!(
                    csv,
                    "{lead},{section},{name},{},{currency},{value}",
                    field(&breakdown)
                );
            }
        }
        csv
    }
}
