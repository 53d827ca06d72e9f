use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_params_map};
use workbench_core::cancellation::AUTO_APPROVAL_AFTER;
use workbench_core::link::{self, Decision as Answer, LinkPayload, LinkSecret};

use crate::components::decision::Decision;
use crate::components::page_title::PageTitle;
use crate::components::share_link::LinkToSend;
use crate::state::{duration_words, local_time, origin, use_app};

/// The page a buyer reaches from the seller's confirmation link, on any device: the link
/// itself carries the request, sealed with a secret that travels only after `#`.
#[component]
pub fn ConfirmPage() -> impl IntoView {
    let params = use_params_map();
    let location = use_location();
    let payload = Memo::new(move |_| {
        let token = params.read().get("token").unwrap_or_default();
        let hash = location.hash.get();
        let fragment = hash.trim_start_matches('#');
        let payload = link::decode(&token, fragment).ok()?;
        let secret = LinkSecret::from_fragment(fragment).ok()?;
        Some((payload, secret))
    });
    view! {
        <PageTitle text="Confirm cancellation"/>
        {move || match payload.get() {
            Some((payload, secret)) => view! { <RequestFromLink payload=payload secret=secret/> }.into_any(),
            None => view! { <DamagedLink/> }.into_any(),
        }}
    }
}

/// What the seller asked, in words, with the time left before it approves itself.
#[component]
fn RequestFromLink(payload: LinkPayload, secret: LinkSecret) -> impl IntoView {
    let app = use_app();
    let deadline = payload.auto_approval_at();
    let details = payload.details_for_buyer.clone();
    let answer = view! { <Answering payload=payload.clone() secret=secret/> };
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
                format!("The {} days ran out on {}: the request was approved automatically and the agreement is cancelled. There is nothing left to decide.", AUTO_APPROVAL_AFTER.num_days(), local_time(deadline))
            } else {
                format!("Without an answer, this request is approved automatically in {}.", duration_words(deadline - now))
            }
        }}</p>
        {answer}
    }
}

/// The buyer's decision. In the browser that holds the seller's data (another tab of the
/// seller's) it applies at once; anywhere else it becomes a receipt to send back.
#[component]
fn Answering(payload: LinkPayload, secret: LinkSecret) -> impl IntoView {
    let app = use_app();
    let deadline = payload.auto_approval_at();
    let expired = Memo::new(move |_| app.now.get() >= deadline);
    let payload = StoredValue::new(payload);
    let secret = StoredValue::new(secret);
    // Only the browser that made the link holds the request with this secret; a buyer's
    // browser may hold the same demo request, under a secret of its own.
    let here = Memo::new(move |_| {
        app.book.with(|b| {
            payload.with_value(|p| {
                secret
                    .with_value(|s| b.holds_link(p, s))
                    .then(|| b.record(&p.agreement_id)?.request(&p.request_id))
                    .flatten()
                    .map(|r| (r.status, r.updated_at))
            })
        })
    });
    let receipt = RwSignal::new(None::<(String, String, Answer)>);
    let decide = Callback::new(move |answer: Answer| {
        let (payload, secret) = (payload.get_value(), secret.get_value());
        if here.get_untracked().is_some() {
            return app.decide_from_link(&payload, &secret, answer).map(|_| ());
        }
        let code = link::make_receipt(
            &payload.request_id,
            &answer,
            app.now.get_untracked(),
            &secret,
        )
        .map_err(|e| e.to_string())?;
        receipt.set(Some((format!("{}/receipt#{code}", origin()), code, answer)));
        Ok(())
    });
    move || {
        if let Some((url, code, answer)) = receipt.get() {
            return view! { <ReceiptToSend url=url code=code answer=answer/> }.into_any();
        }
        match here.get() {
            Some((status, at)) if !status.is_pending() => view! {
                <p role="status" class="next-step">{format!("This request is {} since {}: there is nothing left to decide.", status.label().to_lowercase(), local_time(at))}</p>
            }.into_any(),
            _ if expired.get() => ().into_any(),
            _ => view! {
                <section aria-labelledby="decide-heading">
                    <h2 id="decide-heading">"Your decision"</h2>
                    <Decision agreement=payload.with_value(|p| p.agreement_id.clone()) decide=decide/>
                </section>
            }.into_any(),
        }
    }
}

/// The receipt a buyer on another device sends back to the seller.
#[component]
fn ReceiptToSend(url: String, code: String, answer: Answer) -> impl IntoView {
    let decided = match answer {
        Answer::Approve => "You approved the cancellation.".to_string(),
        Answer::Reject(reason) => {
            format!("You rejected the cancellation: \u{201c}{reason}\u{201d}")
        }
    };
    view! {
        <section aria-labelledby="receipt-heading">
            <h2 id="receipt-heading">"Send your decision to the seller"</h2>
            <p class="next-step user-text" role="status">{decided}</p>
            <p>"Your decision is sealed in this receipt. Send the link (or the code) to the seller: their workbench applies it when they open it. Nothing is sent anywhere until you do."</p>
            <LinkToSend url=url id="receipt-link" label="Receipt link" openable=false/>
            <div class="field">
                <label for="receipt-code-to-send">"Receipt code"</label>
                <textarea id="receipt-code-to-send" readonly rows="2" class="link-text" prop:value=code></textarea>
            </div>
        </section>
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
