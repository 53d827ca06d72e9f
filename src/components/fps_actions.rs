//! The seller's Amazon FPS subscriptions and CancelSubscriptionAndRefund: "Cancel
//! subscription" alone, or "Cancel and refund" from the last payment in the same call. The
//! core decides everything (the state, the caller reference, what the refund may take) and
//! its result is shown as FPS returns it. The form itself is plain data (`fps_form`).

use leptos::prelude::*;
use workbench_core::book::Actor;
use workbench_core::families::fps::{
    FpsResult, FpsStatus, FpsSubscription, CALLER_REFERENCE_KEPT, CALLER_REFERENCE_MAX_BYTES,
};
use workbench_core::ids::IdSource;
use workbench_core::key::FpsSubscriptionId;
use workbench_core::preview;
use workbench_link::words::local_date;

use crate::browser_ids::BrowserIds;
use crate::components::family_actions::RefundLines;
use crate::components::fps_form::{CallField, FpsAction, FpsForm};
use crate::focus::focus_when_drawn;
use crate::state::use_app;

/// The signed-in seller's FPS subscriptions.
#[component]
pub fn FpsSubscriptions() -> impl IntoView {
    let app = use_app();
    let ids = Memo::new(move |_| {
        let seller = app.seller.get();
        app.book.with(|b| {
            b.fps()
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

/// The subscription as it stands now; `None` once it is gone from the book.
type Current = Memo<Option<FpsSubscription>>;

/// An element ID unique on the page: `fps-<field>-<subscription><part>`, so that each
/// field has its hint and error beside it.
fn field_id(id: &FpsSubscriptionId, field: &str, part: &str) -> String {
    format!("fps-{field}-{id}{part}")
}

fn outcome_id(id: &FpsSubscriptionId) -> String {
    format!("outcome-{id}")
}

/// One subscription: its terms, its two actions or the form of the one chosen, and what
/// the last call returned.
#[component]
fn FpsItem(id: FpsSubscriptionId) -> impl IntoView {
    let app = use_app();
    let key = StoredValue::new(id);
    let sub = Memo::new(move |_| {
        key.with_value(|id| app.book.with(|b| b.fps().get(id).map(|v| v.record.clone())))
    });
    let Some(first) = sub.get_untracked() else {
        return ().into_any();
    };
    let form = RwSignal::new(FpsForm::default());
    let result = RwSignal::new(None::<FpsResult>);
    // Only opening and closing draw the form again, never typing in it.
    let action = Memo::new(move |_| form.with(FpsForm::action));
    let heading = format!("fps-{}", first.id);
    let heading_id = heading.clone();
    let id = first.id.clone();
    view! {
        <article class="panel family-item" aria-labelledby=heading.clone()>
            <h3 id=heading_id>{first.product_name.clone()}</h3>
            <FpsTerms first=first sub=sub/>
            {move || match action.get() {
                None => view! { <FpsButtons form=form sub=sub/> }.into_any(),
                Some(chosen) => view! {
                    <FpsCallForm action=chosen id=key.get_value() form=form result=result sub=sub/>
                }.into_any(),
            }}
            <FpsOutcome id=id result=result/>
        </article>
    }
    .into_any()
}

/// What the seller knows of the subscription: its buyer, status and last payment, what is
/// still refundable and why it was cancelled.
#[component]
fn FpsTerms(first: FpsSubscription, sub: Current) -> impl IntoView {
    let app = use_app();
    let buyer = app.book.with_untracked(|b| {
        b.directory()
            .buyer(&first.buyer)
            .map_or(first.buyer.to_string(), |p| {
                format!("{} ({})", p.name, p.account)
            })
    });
    view! {
        <dl class="terms">
            <dt>"Subscription"</dt><dd>{first.id.to_string()}</dd>
            <dt>"Buyer"</dt><dd>{buyer}</dd>
            <dt>"Status"</dt><dd>{move || sub.with(|s| s.as_ref().map(|s| s.status.label()))}</dd>
            <dt>"Last payment"</dt>
            <dd>{format!("{} on {}", first.last_payment, local_date(first.last_payment_at))}</dd>
            <dt>"Still refundable"</dt><dd>{move || sub.with(|s| s.as_ref().map(|s| s.refundable().to_string()))}</dd>
            <dt>"Cancellation reason"</dt><dd class="user-text">{move || sub.with(|s| s.as_ref().map(|s| s.cancel_reason.clone()))}</dd>
        </dl>
    }
}

/// A caller reference drawn now, in the browser.
fn drawn_reference() -> String {
    format!("cw-{}", BrowserIds.next_suffix())
}

/// "Cancel subscription" (while it is active) and "Cancel and refund", each opening its
/// form with a caller reference drawn now, and the last payment's currency until the
/// seller types another.
#[component]
fn FpsButtons(form: RwSignal<FpsForm>, sub: Current) -> impl IntoView {
    let open = move |action: FpsAction| {
        let paid = sub.with_untracked(|s| s.as_ref().map(|s| s.last_payment.currency.code()));
        form.update(|f| {
            f.open(action, drawn_reference());
            if f.currency.is_empty() {
                f.currency = paid.unwrap_or_default().to_string();
            }
        });
    };
    let active = move || sub.with(|s| s.as_ref().map(|s| s.status)) == Some(FpsStatus::Active);
    view! {
        <div class="buttons">
            <Show when=active>
                <button type="button" on:click=move |_| open(FpsAction::Cancel)>{FpsAction::Cancel.label()}</button>
            </Show>
            <button type="button" on:click=move |_| open(FpsAction::CancelAndRefund)>{FpsAction::CancelAndRefund.label()}</button>
        </div>
    }
}

/// The form of the call chosen: the reason, and for a refund the caller reference, the
/// amount and what would come back. A refusal shows beside the field it is about.
#[component]
fn FpsCallForm(
    action: FpsAction,
    id: FpsSubscriptionId,
    form: RwSignal<FpsForm>,
    result: RwSignal<Option<FpsResult>>,
    sub: Current,
) -> impl IntoView {
    let app = use_app();
    let key = StoredValue::new(id.clone());
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(seller) = app.seller.get_untracked() else {
            return;
        };
        // Read before settling, which closes this form and so disposes of what it owns.
        let id = key.get_value();
        let Some(command) = form.with_untracked(|f| f.command(id.clone())) else {
            return;
        };
        let answer = app.act(command, &Actor::Seller(seller));
        if let Some(done) = form
            .try_update(|f| f.settle(answer, drawn_reference))
            .flatten()
        {
            result.set(Some(done));
            focus_when_drawn(outcome_id(&id));
        }
    };
    let reason = field_id(&id, "reason", "");
    let reason_hint = field_id(&id, "reason", "-hint");
    let facts = Memo::new(move |_| sub.with(|s| s.as_ref().map(preview::fps)));
    view! {
        <form class="panel" novalidate on:submit=send>
            <h4>{action.label()}</h4>
            <p class="note">"Cancelling takes effect at once and cannot be undone; the buyer is notified (SubscriptionCancelled)."</p>
            <div class="field">
                <label for=reason.clone()>"Reason"</label>
                <textarea id=reason aria-describedby=reason_hint.clone()
                    prop:value=move || form.with(|f| f.reason.clone())
                    on:input=move |ev| form.update(|f| f.reason = event_target_value(&ev))></textarea>
                <span class="hint" id=reason_hint>"Optional: why you cancel."</span>
            </div>
            <Show when=move || action.refunds()>
                <CallerReferenceField id=key.get_value() form=form/>
                <RefundAmountField id=key.get_value() form=form sub=sub/>
                {move || facts.get().map(|f| view! { <RefundLines facts=f/> })}
            </Show>
            <p class="field-error" role="alert">{move || form.with(|f| f.error_for(CallField::Form))}</p>
            <div class="buttons">
                <button type="submit">{action.confirm_label()}</button>
                <button type="button" class="secondary" on:click=move |_| form.update(FpsForm::close)>"Go back"</button>
            </div>
        </form>
    }
}

/// "Caller reference": drawn when the form opened, editable, with how long FPS remembers it
/// and how many bytes it takes.
#[component]
fn CallerReferenceField(id: FpsSubscriptionId, form: RwSignal<FpsForm>) -> impl IntoView {
    let hint = Signal::derive(move || {
        Some(format!(
            "Sending the same reference again within {} days, on this or any other of your subscriptions, returns the first result instead of refunding twice. {} of {CALLER_REFERENCE_MAX_BYTES} bytes.",
            CALLER_REFERENCE_KEPT.num_days(),
            form.with(FpsForm::reference_bytes)
        ))
    });
    let text = CallText {
        field: CallField::CallerReference,
        key: "reference",
        label: "Caller reference",
        inputmode: "text",
        value: |f| f.reference.clone(),
        set: |f, text| f.reference = text,
    };
    view! { <CallTextField id form text hint/> }
}

/// "Refund amount" and its "Currency" (RefundAmount.Value and .CurrencyCode), with what is
/// left to refund and the currency FPS refunds in: only the payment's, and it says so beside
/// "Currency" when another is asked.
#[component]
fn RefundAmountField(
    id: FpsSubscriptionId,
    form: RwSignal<FpsForm>,
    sub: Current,
) -> impl IntoView {
    let left = Signal::derive(move || {
        sub.with(|s| {
            s.as_ref().map(|s| {
                format!(
                    "From the last payment of {}: at most {} is left to refund.",
                    s.last_payment,
                    s.refundable()
                )
            })
        })
    });
    let currency_hint = Signal::derive(move || {
        sub.with(|s| {
            s.as_ref().map(|s| {
                format!(
                    "The currency code of the refund; the last payment was in {}.",
                    s.last_payment.currency.code()
                )
            })
        })
    });
    let amount = CallText {
        field: CallField::Amount,
        key: "amount",
        label: "Refund amount",
        inputmode: "decimal",
        value: |f| f.amount.clone(),
        set: |f, text| f.amount = text,
    };
    let currency = CallText {
        field: CallField::Currency,
        key: "currency",
        label: "Currency",
        inputmode: "text",
        value: |f| f.currency.clone(),
        set: |f, text| f.currency = text,
    };
    view! {
        <CallTextField id=id.clone() form text=amount hint=left/>
        <CallTextField id form text=currency hint=currency_hint/>
    }
}

/// Which text of the call form a field shows and edits.
#[derive(Clone, Copy)]
struct CallText {
    field: CallField,
    /// The field's part of its elements' IDs.
    key: &'static str,
    label: &'static str,
    /// The keyboard a phone offers: "decimal" for an amount.
    inputmode: &'static str,
    value: fn(&FpsForm) -> String,
    set: fn(&mut FpsForm, String),
}

/// A text field of the call form, with its hint and, beside it, the core's refusal of it.
#[component]
fn CallTextField(
    id: FpsSubscriptionId,
    form: RwSignal<FpsForm>,
    text: CallText,
    hint: Signal<Option<String>>,
) -> impl IntoView {
    let input = field_id(&id, text.key, "");
    let hint_id = field_id(&id, text.key, "-hint");
    let error = field_id(&id, text.key, "-error");
    let refused = move || form.with(|f| f.error_for(text.field));
    view! {
        <div class="field">
            <label for=input.clone()>{text.label}</label>
            <input id=input type="text" inputmode=text.inputmode autocomplete="off"
                aria-describedby=format!("{hint_id} {error}")
                aria-invalid=move || refused().is_some().to_string()
                prop:value=move || form.with(text.value)
                on:input=move |ev| form.update(|f| (text.set)(f, event_target_value(&ev)))/>
            <span class="hint" id=hint_id>{move || hint.get()}</span>
            <span class="field-error" id=error>{refused}</span>
        </div>
    }
}

/// What the last call returned, as FPS returns it; focus moves here once it is drawn.
#[component]
fn FpsOutcome(id: FpsSubscriptionId, result: RwSignal<Option<FpsResult>>) -> impl IntoView {
    view! {
        <div role="status" class="outcome" id=outcome_id(&id) tabindex="-1">
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
    }
}
