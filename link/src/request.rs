//! What the buyer's page draws of a link: the question, the time left, the answer and the
//! request's particulars; or, for a link that cannot be read, that it is damaged. The
//! drawing only: [`crate::page`] keeps the state and says when to draw.

use chrono::{DateTime, Utc};
use web_sys::Element;
use workbench_core::cancellation::AUTO_APPROVAL_AFTER;
use workbench_core::link::{Decision, LinkPayload};

use crate::decision::{self, DecisionForm, Mode};
use crate::dom::{button, el, El};
use crate::share::{length_hint, COPY_LINK};
use crate::words::{duration_words, local_time, push_number};

/// What a control on the page asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    /// "Approve", "Reject" or "Go back".
    Show(Mode),
    /// "Yes, approve and cancel the agreement".
    Send,
    /// The rejection's form submitted.
    Submit,
    /// The rejection reason typed.
    Type,
    /// The receipt's "Copy link".
    Copy,
}

/// A decision sealed for the seller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub url: String,
    pub code: String,
    pub decision: Decision,
}

/// What the answer's place shows; drawn again only when this changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// What a workbench in this browser made of the answer.
    pub settled: Option<String>,
    pub receipt: bool,
    /// The decision's panel, while the buyer can still decide.
    pub deciding: Option<Mode>,
}

/// A request's page, as drawn: the parts that change.
pub struct Drawn {
    pub next_step: Element,
    /// The answer's elements go before this heading.
    pub particulars: Element,
    pub answer: Vec<Element>,
    pub shown: Option<Shown>,
    /// Where an error of the decision is said, while the decision is drawn.
    pub error: Option<Element>,
    /// Where "Copy link" says how it went, while the receipt is drawn.
    pub copied: Option<Element>,
}

/// The question, the time left and the particulars, into `main`; the answer's place empty.
pub fn draw_request(main: &Element, payload: &LinkPayload, deadline_words: &str) -> Drawn {
    let next_step = el("p").class("next-step").attr("role", "status").done();
    let particulars = el("h2").text("The request").done();
    let question = [
        &*payload.seller_name,
        " asks to cancel ",
        &payload.product_name,
    ]
    .concat();
    let mut terms = el("dl").class("terms");
    let term = |terms: El, name: &str, value: &str, class: &str| {
        let value = el("dd").text(value);
        let value = if class.is_empty() {
            value
        } else {
            value.class(class)
        };
        terms.child(el("dt").text(name)).child(value)
    };
    terms = term(terms, "Reason", &payload.reason, "user-text");
    terms = term(terms, "Reason code", payload.reason_code.label(), "");
    if !payload.details_for_buyer.trim().is_empty() {
        terms = term(
            terms,
            "Details from the seller",
            &payload.details_for_buyer,
            "user-text",
        );
    }
    terms = term(terms, "Agreement", payload.agreement_id.as_str(), "");
    terms = term(
        terms,
        "Cancellation request",
        payload.request_id.as_str(),
        "",
    );
    terms = term(
        terms,
        "Your AWS account",
        payload.buyer_account.as_str(),
        "",
    );
    terms = term(terms, "Sent", &local_time(payload.created_at), "");
    terms = term(terms, "Approved automatically", deadline_words, "");
    place(main, &question, next_step, particulars, terms)
}

/// The page's parts into `main`: on a phone the question, the next step and the answer
/// come first, the particulars (`terms`, under their heading) follow.
pub fn place(
    main: &Element,
    question: &str,
    next_step: Element,
    particulars: Element,
    terms: El,
) -> Drawn {
    for part in [
        el("h1").text(question).done(),
        next_step.clone(),
        particulars.clone(),
        terms.done(),
    ] {
        main.append_with_node_1(&part).ok();
    }
    Drawn {
        next_step,
        particulars,
        answer: Vec::new(),
        shown: None,
        error: None,
        copied: None,
    }
}

/// Shown when a confirmation link cannot be read: no decision can be taken from it.
pub fn draw_damaged(main: &Element) {
    for part in [
        el("h1").text("This link is damaged or altered"),
        el("p").text(
            "The confirmation link could not be read: part of it is missing or was changed. \
             No decision can be made from it.",
        ),
        el("p")
            .text("Ask the seller to send the link again, and open it exactly as you received it."),
    ] {
        main.append_with_node_1(part.as_ref()).ok();
    }
}

/// The answer's elements for `shown`, each control in `acts` with what it asks for.
pub fn draw_answer(
    drawn: &mut Drawn,
    shown: &Shown,
    form: &DecisionForm,
    receipt: Option<&Receipt>,
    agreement: &workbench_core::ids::AgreementId,
    acts: &mut Vec<(Element, Act)>,
) {
    for old in drawn.answer.drain(..) {
        old.remove();
    }
    drawn.error = None;
    drawn.copied = None;
    if let Some(words) = &shown.settled {
        let settled = el("p")
            .attr("role", "status")
            .class("next-step")
            .text(words);
        drawn.answer.push(settled.done());
    }
    if let Some(receipt) = receipt.filter(|_| shown.receipt) {
        let (section, copied) = receipt_to_send(receipt, acts);
        drawn.answer.push(section);
        drawn.copied = Some(copied);
    } else if let Some(mode) = shown.deciding {
        let error = el("p").class("field-error").attr("role", "alert").done();
        let body = decision_body(mode, form, agreement, acts);
        let section = el("section")
            .attr("aria-labelledby", "decide-heading")
            .child(el("h2").attr("id", "decide-heading").text("Your decision"))
            .child(el("div").class("decision").child(body).child(&error))
            .done();
        drawn.answer.push(section);
        drawn.error = Some(error);
    }
    for part in &drawn.answer {
        drawn.particulars.before_with_node_1(part).ok();
    }
    drawn.shown = Some(shown.clone());
}

const GO_BACK: Act = Act::Show(Mode::Choosing);

/// The two answers, or the panel of one of them.
fn decision_body(
    mode: Mode,
    form: &DecisionForm,
    agreement: &workbench_core::ids::AgreementId,
    acts: &mut Vec<(Element, Act)>,
) -> Element {
    let mut act = |element: El, what: Act| {
        let element = element.done();
        acts.push((element.clone(), what));
        element
    };
    match mode {
        Mode::Choosing => el("div")
            .class("buttons")
            .child(act(
                button(decision::APPROVE, ""),
                Act::Show(Mode::Approving),
            ))
            .child(act(
                button(decision::REJECT, "secondary"),
                Act::Show(Mode::Rejecting),
            ))
            .done(),
        Mode::Approving => el("div")
            .class("panel")
            .attr("role", "alertdialog")
            .attr("aria-labelledby", decision::QUESTION_ID)
            .child(
                el("p")
                    .attr("id", decision::QUESTION_ID)
                    .text(&decision::approve_question(agreement)),
            )
            .child(
                el("div")
                    .class("buttons")
                    .child(act(button(decision::CONFIRM_APPROVAL, ""), Act::Send))
                    .child(act(button(decision::GO_BACK, "secondary"), GO_BACK)),
            )
            .done(),
        Mode::Rejecting => {
            let id = decision::reason_field_id(agreement);
            let reason = act(
                el("textarea").attr("id", &id).text(form.reason()),
                Act::Type,
            );
            let field = el("div")
                .class("field")
                .child(el("label").attr("for", &id).text(decision::REASON_LABEL))
                .child(&reason)
                .child(el("span").class("hint").text(decision::REASON_HINT));
            let send = el("button")
                .attr("type", "submit")
                .text(decision::SEND_REJECTION);
            let go_back = act(button(decision::GO_BACK, "secondary"), GO_BACK);
            let form = el("form")
                .class("panel")
                .attr("novalidate", "")
                .child(field)
                .child(el("div").class("buttons").child(send).child(&go_back));
            act(form, Act::Submit)
        }
    }
}

/// The receipt a buyer sends back to the seller, and where "Copy link" says how it went.
fn receipt_to_send(receipt: &Receipt, acts: &mut Vec<(Element, Act)>) -> (Element, Element) {
    let decided = match &receipt.decision {
        Decision::Approve => "You approved the cancellation.".to_string(),
        Decision::Reject(reason) => [
            "You rejected the cancellation: \u{201c}",
            reason,
            "\u{201d}",
        ]
        .concat(),
    };
    let copy = button(COPY_LINK, "").done();
    acts.push((copy.clone(), Act::Copy));
    let copied = el("p").attr("role", "status").class("copied").done();
    let link = el("div")
        .class("share")
        .child(
            el("div")
                .class("field")
                .child(el("label").attr("for", "receipt-link").text("Receipt link"))
                .child(read_only("receipt-link", "3", &receipt.url))
                .child(
                    el("span")
                        .class("hint")
                        .text(&length_hint(&receipt.url, None)),
                ),
        )
        .child(el("div").class("buttons").child(&copy))
        .child(&copied);
    let section = el("section")
        .attr("aria-labelledby", "receipt-heading")
        .child(
            el("h2")
                .attr("id", "receipt-heading")
                .text("Send your decision to the seller"),
        )
        .child(
            el("p")
                .class("next-step user-text")
                .attr("role", "status")
                .text(&decided),
        )
        .child(el("p").text(
            "Your decision is sealed in this receipt. Send the link (or the code) to the \
             seller: their workbench applies it when they open it. Nothing is sent anywhere \
             until you do.",
        ))
        .child(link)
        .child(
            el("div")
                .class("field")
                .child(
                    el("label")
                        .attr("for", "receipt-code-to-send")
                        .text("Receipt code"),
                )
                .child(read_only("receipt-code-to-send", "2", &receipt.code)),
        )
        .done();
    (section, copied)
}

fn read_only(id: &str, rows: &str, text: &str) -> El {
    el("textarea")
        .attr("id", id)
        .attr("readonly", "")
        .attr("rows", rows)
        .class("link-text")
        .text(text)
}

/// What happens next: the time left, or what the receipt still needs. Once the buyer has
/// answered, the time left no longer decides the request alone: the receipt does, if it
/// reaches the seller in time.
pub fn next_step(
    answered: bool,
    now: DateTime<Utc>,
    deadline: DateTime<Utc>,
    deadline_words: &str,
) -> String {
    let mut days = String::new();
    push_number(&mut days, AUTO_APPROVAL_AFTER.num_days());
    let parts: &[&str] = match (answered, now >= deadline) {
        (false, true) => &["The ", &days, " days ran out on ", deadline_words, ": the request was approved automatically and the agreement is cancelled. There is nothing left to decide."],
        (false, false) => &["Without an answer, this request is approved automatically in ", &duration_words(deadline - now), " (", deadline_words, ")."],
        (true, false) => &["Your decision counts once the seller opens your receipt. If it has not reached them by ", deadline_words, ", the request is approved automatically then."],
        (true, true) => &["The ", &days, " days ran out on ", deadline_words, ". If your receipt reached the seller before then, your decision stands; if not, the request was approved automatically."],
    };
    parts.concat()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    #[test]
    fn the_next_step_says_the_time_left_or_what_the_receipt_needs() {
        let deadline = Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0).unwrap();
        let words = "Fri 27 Nov 2026, 09:00 UTC";
        let before = deadline - Duration::hours(52);
        assert_eq!(
            next_step(false, before, deadline, words),
            "Without an answer, this request is approved automatically in 2 days 4 hours (Fri 27 Nov 2026, 09:00 UTC)."
        );
        assert_eq!(
            next_step(false, deadline, deadline, words),
            "The 7 days ran out on Fri 27 Nov 2026, 09:00 UTC: the request was approved automatically and the agreement is cancelled. There is nothing left to decide."
        );
        assert!(next_step(true, before, deadline, words).starts_with("Your decision counts once"));
        assert!(next_step(true, deadline, deadline, words)
            .ends_with("the request was approved automatically."));
    }
}
