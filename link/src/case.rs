//! What the buyer's page draws of a support case's link: AWS asks the buyer of a contract
//! to approve the cancellation a seller asked for on a support case (seed 001: a contract's
//! cancellation "typically requires approval from both the buyer and the seller,
//! coordinated through AWS"). The answer and its receipt are drawn as a request's are
//! ([`crate::request::draw_answer`]).

use chrono::{Datelike, NaiveDate};
use web_sys::Element;
use workbench_core::link::CaseLinkPayload;

use crate::dom::{el, El};
use crate::request::{place, Drawn};
use crate::words::{local_time, push_number};

/// The question and the case's particulars, into `main`; the answer's place empty.
pub fn draw_case(main: &Element, payload: &CaseLinkPayload) -> Drawn {
    let next_step = el("p").class("next-step").attr("role", "status").done();
    let particulars = el("h2").text("The support case").done();
    let question = [
        &*payload.seller_name,
        " asks AWS to cancel ",
        &payload.product_name,
    ]
    .concat();
    let effective = match payload.effective {
        Some(date) => [
            &*iso_date(date),
            ", or when the current billing cycle ends if that is later",
        ]
        .concat(),
        None => "When the current billing cycle ends".to_string(),
    };
    let terms = [
        (
            "Why AWS asks you",
            "Your agreement is contract-based: cancelling it needs your approval as well as \
             the seller's, which AWS coordinates.",
        ),
        ("Takes effect", &effective),
        ("Agreement", payload.agreement_id.as_str()),
        ("Support case", payload.case_id.as_str()),
        ("Your AWS account", payload.buyer_account.as_str()),
        ("Case opened", &local_time(payload.opened_at)),
    ]
    .into_iter()
    .fold(el("dl").class("terms"), |terms: El, (name, value)| {
        terms.child(el("dt").text(name)).child(el("dd").text(value))
    });
    place(main, &question, next_step, particulars, terms)
}

/// What happens next. AWS sets no deadline: without the buyer's approval, the contract is
/// not cancelled.
pub fn next_step(answered: bool) -> &'static str {
    if answered {
        "Your decision counts once the seller opens your receipt: AWS reads the case again a \
         day after it reaches them."
    } else {
        "AWS waits for your answer. Without your approval, the agreement is not cancelled."
    }
}

/// A calendar day as `2027-01-31`: the date the seller asked, the same in every time zone.
fn iso_date(date: NaiveDate) -> String {
    let mut out = String::with_capacity(10);
    push_number(&mut out, i64::from(date.year()));
    for part in [date.month(), date.day()] {
        out.push('-');
        if part < 10 {
            out.push('0');
        }
        push_number(&mut out, i64::from(part));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_asked_date_is_written_the_same_everywhere() {
        assert_eq!(
            iso_date(NaiveDate::from_ymd_opt(2027, 1, 5).unwrap()),
            "2027-01-05"
        );
        assert_eq!(
            iso_date(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()),
            "2026-12-31"
        );
    }
}
