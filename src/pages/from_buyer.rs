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
#[component]
pub fn FromBuyerPage() -> impl IntoView {
    let hash = use_location().hash;
    let opened = Memo::new(move |_| open_buyer_request(&hash.get()));
    view! {
        <PageTitle text="Request from a buyer"/>
        {move || match opened.get() {
            Err(problem) => view! {
                <h1>"Request from a buyer"</h1>
                <p role="alert" class="field-error">{refusal_words(&problem)}</p>
            }
            .into_any(),
            Ok(request) => view! { <FromBuyer request=request/> }.into_any(),
        }}
    }
}

/// A genuine request: the agreement it names, as this workbench holds it, or why not.
#[component]
fn FromBuyer(request: BuyerRequest) -> impl IntoView {
    let app = use_app();
    let asked = StoredValue::new(request);
    let held = Memo::new(move |_| {
        app.book
            .with(|b| asked.with_value(|r| r.held_in(b.record(&r.agreement_id)).cloned()))
    });
    // Filled in once per link, outside the view below, which the record's changes (the
    // clock, the seller's submit) redraw: what the seller typed since stays.
    let (draft, adjust) = app.book.with_untracked(|b| {
        asked.with_value(|r| match r.held_in(b.record(&r.agreement_id)) {
            Ok(record) => filled_in(r, record),
            Err(_) => (CancelDraft::new(), AdjustDraft::new()),
        })
    });
    let (withdraw, receipt) = (WithdrawDraft::new(), PastedReceipt::new());
    move || {
        match held.get() {
        Err(NotForThisBook::NotHeld(id)) => view! {
            <h1>"Agreement not found"</h1>
            <p role="alert">{NotForThisBook::NotHeld(id).to_string()}</p>
            <p><A href="/seller/data">"Import from AWS"</A></p>
        }
        .into_any(),
        Err(problem) => view! {
            <h1>"Request from a buyer"</h1>
            <p role="alert" class="field-error">{problem.to_string()}</p>
        }
        .into_any(),
        Ok(record) => view! {
            {what_the_buyer_asks(asked.get_value(), &record)}
            <AgreementDetail record=record draft=draft withdraw=withdraw adjust=adjust receipt=receipt/>
        }
        .into_any(),
    }
    }
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
