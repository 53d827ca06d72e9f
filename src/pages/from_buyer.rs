//! /seller/from-buyer#<token>.<secret>: a buyer's request opened in the seller's workbench.
//! A genuine link for an agreement this workbench holds opens that agreement's page with the
//! forms the buyer asked for filled in; the seller reviews and submits them, or not. Anything
//! else says why and fills in nothing.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;
use workbench_core::book::AgreementRecord;
use workbench_core::ids::IdSource;
use workbench_core::link::buyer_request::{
    open_buyer_request, refusal_words, BuyerRequest, NotForThisBook,
};
use workbench_link::words::local_time;

use crate::browser_ids::BrowserIds;
use crate::components::adjustment_form::AdjustDraft;
use crate::components::adjustment_form_state::AdjustmentForm;
use crate::components::apply_receipt::PastedReceipt;
use crate::components::page_title::PageTitle;
use crate::components::request_form::{CancelDraft, WithdrawDraft};
use crate::components::request_form_state::CancellationForm;
use crate::pages::agreement::AgreementDetail;
use crate::state::use_app;

/// Where a buyer's request link lands: the request, checked, then the agreement's page.
/// Plain closures rather than memos: each new kind of signal costs the console's download.
#[component]
pub fn FromBuyerPage() -> impl IntoView {
    let hash = use_location().hash;
    view! {
        <PageTitle text="Request from a buyer"/>
        {move || match open_buyer_request(&hash.get()) {
            Err(problem) => refused("Request from a buyer", refusal_words(&problem).into(), false),
            Ok(request) => view! { <FromBuyer request=request/> }.into_any(),
        }}
    }
}

/// A genuine request: the agreement it names, as this workbench holds it, or why not.
#[component]
fn FromBuyer(request: BuyerRequest) -> impl IntoView {
    let app = use_app();
    let id = request.agreement_id.clone();
    // The agreement's page reads its record the same way.
    let record = Memo::new(move |_| app.book.with(|b| b.record(&id).cloned()));
    // Filled in once per link, outside the view below, which the record's changes (the
    // clock, the seller's submit) redraw: what the seller typed since stays.
    let (draft, adjust) = match request.held_in(record.get_untracked().as_ref()) {
        Ok(held) => filled_in(&request, held),
        Err(_) => (CancelDraft::new(), AdjustDraft::new()),
    };
    let (withdraw, receipt) = (WithdrawDraft::new(), PastedReceipt::new());
    move || {
        let record = record.get();
        match request.held_in(record.as_ref()) {
            Err(problem @ NotForThisBook::NotHeld(_)) => {
                refused("Agreement not found", problem.to_string(), true)
            }
            Err(problem) => refused("Request from a buyer", problem.to_string(), false),
            Ok(held) => view! {
                {what_the_buyer_asks(request.clone(), held)}
                <AgreementDetail record=held.clone() draft=draft withdraw=withdraw adjust=adjust receipt=receipt/>
            }
            .into_any(),
        }
    }
}

/// A link that fills in nothing, and why; for an agreement this workbench does not hold,
/// the way to import it.
fn refused(title: &'static str, words: String, import: bool) -> AnyView {
    view! {
        <h1>{title}</h1>
        <p role="alert" class="field-error">{words}</p>
        {import.then(|| view! { <p><A href="/seller/data">"Import from AWS"</A></p> })}
    }
    .into_any()
}

/// The seller's forms as the buyer's request fills them in: each form asked for, open.
fn filled_in(request: &BuyerRequest, record: &AgreementRecord) -> (CancelDraft, AdjustDraft) {
    let cancel = if request.cancel_blocked(record).is_none() && request.wanted.cancel() {
        let token = ["form-", BrowserIds.next_suffix().as_str()].concat();
        CancellationForm::prefilled(&request.reason, token)
    } else {
        CancellationForm::default()
    };
    let adjust = match request.wanted.invoice() {
        Some(invoice) => AdjustmentForm::prefilled(
            &record.agreement.id,
            invoice,
            &request.reason,
            BrowserIds.next_uuid(),
        ),
        None => AdjustmentForm::default(),
    };
    (CancelDraft::of(cancel), AdjustDraft::of(adjust))
}

/// What the buyer asks, above the agreement's page, and that only the seller's submit acts.
fn what_the_buyer_asks(request: BuyerRequest, record: &AgreementRecord) -> impl IntoView {
    let blocked = request.cancel_blocked(record);
    view! {
        <h1>"Request from the buyer"</h1>
        <section class="panel" aria-labelledby="from-buyer-heading">
            <h2 id="from-buyer-heading">{["The buyer asks ", request.wanted.words()].concat()}</h2>
            <dl class="terms">
                <dt>"Buyer"</dt><dd>{request.buyer_account.to_string()}</dd>
                <dt>"Agreement"</dt><dd>{request.agreement_id.to_string()}</dd>
                {request.wanted.invoice().map(|i| view! { <dt>"Invoice to refund"</dt><dd>{i.to_string()}</dd> })}
                <dt>"Reason"</dt><dd class="user-text">{request.reason.clone()}</dd>
                <dt>"Made"</dt><dd>{local_time(request.made_at)}</dd>
            </dl>
            <p class="next-step">"Their request fills in the forms below. Nothing is sent until you review them, choose a reason code (and an amount for a refund) and submit them yourself."</p>
            {blocked.map(|why| view! { <p class="note">{why}</p> })}
        </section>
    }
}
