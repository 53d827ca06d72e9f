//! The seller's Amazon FPS subscriptions and CancelSubscriptionAndRefund: "Cancel
//! subscription" alone, or "Cancel and refund" from the last payment in the same call. The
//! core decides everything (the state, the caller reference, what the refund may take) and
//! its result is shown as FPS returns it.

use leptos::prelude::*;
use workbench_core::book::{Actor, DomainError, FpsCancelAndRefund};
use workbench_core::families::fps::{
    FpsCall, FpsError, FpsResult, FpsStatus, CALLER_REFERENCE_KEPT, CALLER_REFERENCE_MAX_BYTES,
};
use workbench_core::ids::IdSource;
use workbench_core::key::FpsSubscriptionId;
use workbench_core::preview;
use workbench_link::words::local_date;

use crate::browser_ids::BrowserIds;
use crate::components::family_actions::RefundLines;
use crate::error::AppError;
use crate::focus::focus_when_drawn;
use crate::state::use_app;

/// The signed-in seller's FPS subscriptions.
#[component]
pub fn FpsSubscriptions() -> impl IntoView {
    let app = use_app();
    let ids = Memo::new(move |_| {
        let seller = app.seller.get();
        app.book.with(|b| {
            b.fps
                .values()
                .filter(|v| Some(&v.record.seller) == seller.as_ref())
                .map(|v| v.record.id.clone())
                .collect::<Vec<_>>()
        })
    });
    view! {
        <section class="family" aria-labelledby="fps-heading">
            <h2 id="fps-heading">"Amazon FPS subscriptions"</h2>
            <p class="hint">"Cancelling takes effect at once. A refund comes only from the last payment, in the same action."</p>
            <Show when=move || ids.with(Vec::is_empty)>
                <p>"You have no FPS subscriptions."</p>
            </Show>
            <For each=move || ids.get() key=|id| id.clone() let:id>
                <FpsItem id=id/>
            </For>
        </section>
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Closed,
    Cancel,
    Refund,
}

/// Where a refused call's message belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CallField {
    CallerReference,
    Form,
}

fn fresh_reference() -> String {
    format!("cw-{}", BrowserIds.next_suffix())
}

/// One subscription with its two actions. What the seller types stays through a refusal;
/// the caller reference is drawn when the form opens, so a retry or a double click repeats
/// the same call and FPS returns the first result instead of refunding twice.
#[component]
fn FpsItem(id: FpsSubscriptionId) -> impl IntoView {
    let app = use_app();
    let key = StoredValue::new(id);
    let sub = Memo::new(move |_| {
        key.with_value(|id| app.book.with(|b| b.fps.get(id).map(|v| v.record.clone())))
    });
    let Some(first) = sub.get_untracked() else {
        return ().into_any();
    };
    let buyer = app.book.with_untracked(|b| {
        b.directory
            .buyer(&first.buyer)
            .map_or(first.buyer.to_string(), |p| {
                format!("{} ({})", p.name, p.account)
            })
    });
    let mode = RwSignal::new(Mode::Closed);
    let reason = RwSignal::new(String::new());
    let reference = RwSignal::new(String::new());
    let amount = RwSignal::new(String::new());
    let error = RwSignal::new(None::<(CallField, String)>);
    let result = RwSignal::new(None::<FpsResult>);
    let error_for =
        move |field: CallField| move || error.get().filter(|(f, _)| *f == field).map(|(_, m)| m);
    let open = move |to: Mode| {
        reference.set(fresh_reference());
        error.set(None);
        mode.set(to);
    };
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(seller) = app.seller.get_untracked() else {
            return;
        };
        let call = FpsCall {
            cancel_reason: reason.get_untracked(),
            refund: (mode.get_untracked() == Mode::Refund).then(|| amount.get_untracked()),
            currency: String::new(),
            caller_reference: reference.get_untracked(),
        };
        let command = FpsCancelAndRefund {
            subscription: key.get_value(),
            call,
        };
        match app.act(command, &Actor::Seller(seller)) {
            Ok(done) => {
                result.set(Some(done));
                focus_when_drawn(format!("outcome-{}", key.get_value()));
                error.set(None);
                reason.set(String::new());
                amount.set(String::new());
                mode.set(Mode::Closed);
            }
            Err(problem) => {
                let field = match problem {
                    AppError::Domain(DomainError::Fps(
                        FpsError::CallerReferenceRequired | FpsError::CallerReferenceTooLong(_),
                    )) => CallField::CallerReference,
                    _ => CallField::Form,
                };
                error.set(Some((field, problem.to_string())));
            }
        }
    };
    let status = move || sub.with(|s| s.as_ref().map(|s| s.status));
    let facts = Memo::new(move |_| sub.with(|s| s.as_ref().map(preview::fps)));
    let slug = first.id.clone();
    let heading = format!("fps-{slug}");
    let heading_id = heading.clone();
    // CallField IDs unique on the page, each with its hint and error beside it.
    let field_id = move |field: &'static str, part: &'static str| {
        move || key.with_value(|id| format!("fps-{field}-{id}{part}"))
    };
    let currency = first.last_payment.currency.code();
    view! {
        <article class="panel family-item" aria-labelledby=heading.clone()>
            <h3 id=heading_id>{first.product_name.clone()}</h3>
            <dl class="terms">
                <dt>"Subscription"</dt><dd>{first.id.to_string()}</dd>
                <dt>"Buyer"</dt><dd>{buyer}</dd>
                <dt>"Status"</dt><dd>{move || status().map(FpsStatus::label)}</dd>
                <dt>"Last payment"</dt>
                <dd>{format!("{} on {}", first.last_payment, local_date(first.last_payment_at))}</dd>
                <dt>"Still refundable"</dt><dd>{move || sub.with(|s| s.as_ref().map(|s| s.refundable().to_string()))}</dd>
                <dt>"Cancellation reason"</dt><dd class="user-text">{move || sub.with(|s| s.as_ref().map(|s| s.cancel_reason.clone()))}</dd>
            </dl>
            {move || match mode.get() {
                Mode::Closed => view! {
                    <div class="buttons">
                        <Show when=move || status() == Some(FpsStatus::Active)>
                            <button type="button" on:click=move |_| open(Mode::Cancel)>"Cancel subscription"</button>
                        </Show>
                        <button type="button" on:click=move |_| open(Mode::Refund)>"Cancel and refund"</button>
                    </div>
                }.into_any(),
                chosen => {
                    let refunding = chosen == Mode::Refund;
                    view! {
                        <form class="panel" novalidate on:submit=send>
                            <h4>{if refunding { "Cancel and refund" } else { "Cancel subscription" }}</h4>
                            <p class="note">"Cancelling takes effect at once and cannot be undone; the buyer is notified (SubscriptionCancelled)."</p>
                            <div class="field">
                                <label for=field_id("reason", "")>"Reason"</label>
                                <textarea id=field_id("reason", "") aria-describedby=field_id("reason", "-hint")
                                    prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                                <span class="hint" id=field_id("reason", "-hint")>"Optional: why you cancel."</span>
                            </div>
                            <Show when=move || refunding>
                                <div class="field">
                                    <label for=field_id("reference", "")>"Caller reference"</label>
                                    <input id=field_id("reference", "") type="text" autocomplete="off"
                                        aria-describedby=move || format!("{} {}", field_id("reference", "-hint")(), field_id("reference", "-error")())
                                        aria-invalid=move || error_for(CallField::CallerReference)().is_some().to_string()
                                        prop:value=move || reference.get() on:input=move |ev| reference.set(event_target_value(&ev))/>
                                    <span class="hint" id=field_id("reference", "-hint")>{move || format!(
                                        "Sending the same reference again within {} days, on this or any other of your subscriptions, returns the first result instead of refunding twice. {} of {CALLER_REFERENCE_MAX_BYTES} bytes.",
                                        CALLER_REFERENCE_KEPT.num_days(),
                                        reference.get().trim().len()
                                    )}</span>
                                    <span class="field-error" id=field_id("reference", "-error")>{error_for(CallField::CallerReference)}</span>
                                </div>
                                <div class="field">
                                    <label for=field_id("amount", "")>"Refund amount"</label>
                                    <div class="amount-row">
                                        <input id=field_id("amount", "") type="text" inputmode="decimal" autocomplete="off"
                                            aria-describedby=field_id("amount", "-hint")
                                            prop:value=move || amount.get() on:input=move |ev| amount.set(event_target_value(&ev))/>
                                        <span class="currency">{currency}</span>
                                    </div>
                                    <span class="hint" id=field_id("amount", "-hint")>{move || sub.with(|s| s.as_ref().map(|s| format!(
                                        "From the last payment of {}: at most {} is left to refund.", s.last_payment, s.refundable()
                                    )))}</span>
                                </div>
                                {move || facts.get().map(|f| view! { <RefundLines facts=f/> })}
                            </Show>
                            <p class="field-error" role="alert">{error_for(CallField::Form)}</p>
                            <div class="buttons">
                                <button type="submit">{if refunding { "Confirm cancel and refund" } else { "Confirm cancellation" }}</button>
                                <button type="button" class="secondary" on:click=move |_| mode.set(Mode::Closed)>"Go back"</button>
                            </div>
                        </form>
                    }.into_any()
                }
            }}
            <div role="status" class="outcome" id=format!("outcome-{}", key.get_value()) tabindex="-1">
                {move || result.get().map(|r| view! {
                    <p>{r.summary()}</p>
                    <dl class="terms">
                        {r.refund_transaction_id.clone().map(|id| view! { <dt>"Refund transaction ID"</dt><dd><code>{id}</code></dd> })}
                        {r.notification.clone().map(|n| view! {
                            <dt>"Notification"</dt><dd>{format!("{} (status reason: {})", n.status, n.status_reason)}</dd>
                        })}
                        {r.refund_failure.clone().map(|why| view! { <dt>"Why the refund failed"</dt><dd>{why.to_string()}</dd> })}
                    </dl>
                })}
            </div>
        </article>
    }
    .into_any()
}
