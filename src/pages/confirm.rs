use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_params_map};
use workbench_core::link::{self, LinkPayload};

use crate::components::page_title::PageTitle;
use crate::state::{duration_words, local_time, use_app};

/// The page a buyer reaches from the seller's confirmation link, on any device: the link
/// itself carries the request, sealed with a secret that travels only after `#`.
#[component]
pub fn ConfirmPage() -> impl IntoView {
    let params = use_params_map();
    let location = use_location();
    let payload = Memo::new(move |_| {
        let token = params.read().get("token").unwrap_or_default();
        let hash = location.hash.get();
        link::decode(&token, hash.trim_start_matches('#')).ok()
    });
    view! {
        <PageTitle text="Confirm cancellation"/>
        {move || match payload.get() {
            Some(payload) => view! { <RequestFromLink payload=payload/> }.into_any(),
            None => view! { <DamagedLink/> }.into_any(),
        }}
    }
}

/// What the seller asked, in words, with the time left before it approves itself.
#[component]
fn RequestFromLink(payload: LinkPayload) -> impl IntoView {
    let app = use_app();
    let deadline = payload.auto_approval_at();
    let details = payload.details_for_buyer.clone();
    view! {
        <h1>{format!("{} asks to cancel {}", payload.seller_name, payload.product_name)}</h1>
        <dl class="terms">
            <dt>"Agreement"</dt><dd>{payload.agreement_id.to_string()}</dd>
            <dt>"Cancellation request"</dt><dd>{payload.request_id.to_string()}</dd>
            <dt>"Your AWS account"</dt><dd>{payload.buyer_account.to_string()}</dd>
            <dt>"Reason code"</dt><dd>{payload.reason_code.label()}</dd>
            <dt>"Reason"</dt><dd class="user-text">{payload.reason.clone()}</dd>
            {(!details.trim().is_empty()).then(|| view! { <dt>"Details from the seller"</dt><dd class="user-text">{details.clone()}</dd> })}
            <dt>"Sent"</dt><dd>{local_time(payload.created_at)}</dd>
            <dt>"Approved automatically"</dt><dd>{local_time(deadline)}</dd>
        </dl>
        <p class="next-step" role="status">{move || {
            let now = app.now.get();
            if now >= deadline {
                format!("The 7 days ran out on {}: the request was approved automatically and the agreement is cancelled. There is nothing left to decide.", local_time(deadline))
            } else {
                format!("Without an answer, this request is approved automatically in {}.", duration_words(deadline - now))
            }
        }}</p>
    }
}

/// Shown when a confirmation link cannot be read: no decision can be taken from it.
#[component]
fn DamagedLink() -> impl IntoView {
    view! {
        <h1>"This link is damaged or altered"</h1>
        <p>
            "The confirmation link could not be read: part of it is missing or was changed. \
             No decision can be made from it."
        </p>
        <p>"Ask the seller to send the link again, and open it exactly as you received it."</p>
    }
}
