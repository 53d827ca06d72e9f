//! The buyer's own actions on the other billing families: cancelling a DevPay product and
//! unsubscribing from an Alibaba Cloud order. What comes back, to where and why is the
//! core's refund preview; this view shows it, asks for what the core needs confirmed, and
//! shows the core's answer.

use leptos::prelude::*;
use workbench_core::book::{Actor, DevPayCancel};
use workbench_core::families::alibaba::{AlibabaOrder, Billing, OrderStatus};
use workbench_core::families::devpay::{DevPayStatus, UNPAID, VIEW_CANCEL};
use workbench_core::families::{RefundFacts, RefundTo};
use workbench_core::ids::AccountId;
use workbench_core::key::{AlibabaOrderId, DevPaySubscriptionId};
use workbench_core::preview;
use workbench_link::words::{local_date, local_time};

use crate::components::alibaba_form::{
    order_words, ticket_words, UnsubscribeField, UnsubscribeForm, Unsubscribing,
};
use crate::focus::focus_when_drawn;
use crate::state::use_app;

/// The buyer's DevPay subscriptions and Alibaba Cloud orders, each with its own action.
#[component]
pub fn FamilyActions(account: AccountId) -> impl IntoView {
    let app = use_app();
    let (devpay_of, alibaba_of) = (account.clone(), account.clone());
    let devpay = Memo::new(move |_| {
        app.book.with(|b| {
            b.devpay()
                .values()
                .filter(|v| v.record.buyer == devpay_of)
                .map(|v| v.record.id.clone())
                .collect::<Vec<_>>()
        })
    });
    let alibaba = Memo::new(move |_| {
        app.book.with(|b| {
            b.alibaba()
                .values()
                .filter(|v| v.record.buyer == alibaba_of)
                .map(|v| v.record.id.clone())
                .collect::<Vec<_>>()
        })
    });
    let (devpay_buyer, alibaba_buyer) = (account.clone(), account);
    view! {
        <section class="family" aria-labelledby="devpay-heading">
            <h2 id="devpay-heading">"Your DevPay subscriptions"</h2>
            <p class="hint">"You cancel DevPay products yourself, here: the seller cannot do it for you."</p>
            <Show when=move || devpay.with(Vec::is_empty)>
                <p>"You have no DevPay subscriptions."</p>
            </Show>
            <For each=move || devpay.get() key=|id| id.clone() let:id>
                <DevPayItem id=id buyer=devpay_buyer.clone()/>
            </For>
        </section>
        <section class="family" aria-labelledby="alibaba-heading">
            <h2 id="alibaba-heading">"Your Alibaba Cloud orders"</h2>
            <Show when=move || alibaba.with(Vec::is_empty)>
                <p>"You have no Alibaba Cloud orders."</p>
            </Show>
            <For each=move || alibaba.get() key=|id| id.clone() let:id>
                <AlibabaItem id=id buyer=alibaba_buyer.clone()/>
            </For>
        </section>
    }
}

/// One DevPay subscription: its terms, and the billing page's "View/Cancel Application" with
/// the refund preview and the data warning, then "Cancel the use of <product>".
#[component]
fn DevPayItem(id: DevPaySubscriptionId, buyer: AccountId) -> impl IntoView {
    let app = use_app();
    let key = StoredValue::new(id.clone());
    let buyer = StoredValue::new(buyer);
    let sub = Memo::new(move |_| {
        key.with_value(|id| {
            app.book
                .with(|b| b.devpay().get(id).map(|v| v.record.clone()))
        })
    });
    let Some(first) = sub.get_untracked() else {
        return ().into_any();
    };
    let reviewing = RwSignal::new(false);
    let outcome = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    // Recomputed every second; the Memo keeps the view still until an amount changes.
    let facts = Memo::new(move |_| {
        let now = app.now.get();
        sub.with(|s| s.as_ref().map(|s| preview::devpay(s, now)))
    });
    let cancelled = move || sub.with(|s| s.as_ref().and_then(|s| s.cancellation.clone()));
    let active = move || sub.with(|s| s.as_ref().is_some_and(|s| s.status == DevPayStatus::Active));
    let unpaid = move || sub.with(|s| s.as_ref().is_some_and(|s| s.status == DevPayStatus::Unpaid));
    let confirm = move |_| {
        let command = DevPayCancel {
            subscription: key.get_value(),
        };
        match app.act(command, &Actor::Buyer(buyer.get_value())) {
            Ok(done) => {
                reviewing.set(false);
                error.set(None);
                focus_when_drawn(format!("outcome-{}", key.get_value()));
                outcome.set(Some(format!(
                    "Cancelled. {} comes back to you at once; access to the product and its data has ended.",
                    done.refund
                )));
            }
            Err(problem) => error.set(Some(problem.to_string())),
        }
    };
    let heading = format!("devpay-{}", first.id);
    let heading_id = heading.clone();
    let cancel_action = first.cancel_action();
    view! {
        <article class="panel family-item" aria-labelledby=heading.clone()>
            <h3 id=heading_id>{first.product_name.clone()}</h3>
            <dl class="terms">
                <dt>"Subscription"</dt><dd>{first.id.to_string()}</dd>
                <dt>"Status"</dt><dd>{move || sub.with(|s| s.as_ref().map(|s| s.status.label()))}</dd>
                <dt>"Monthly charge"</dt><dd>{first.monthly_charge.to_string()}</dd>
                <dt>"One-time charge"</dt><dd>{first.one_time_charge.to_string()}</dd>
                <dt>"Usage"</dt><dd>{format!("{} an hour", first.usage_per_hour)}</dd>
                <dt>"This billing month"</dt>
                <dd>{move || sub.with(|s| s.as_ref().map(|s| {
                    let (from, to) = s.month_at(s.cancellation.as_ref().map_or(app.now.get(), |c| c.at));
                    format!("{} to {}", local_date(from), local_date(to))
                }))}</dd>
            </dl>
            {move || cancelled().map(|c| if unpaid() {
                view! { <p>{format!("{UNPAID} Access ended on {}.", local_time(c.at))}</p> }
            } else {
                view! { <p>{format!("You cancelled on {}: access to the product and to the data stored through it ended then.", local_time(c.at))}</p> }
            })}
            <Show when=move || reviewing.get() || !active()>
                {move || facts.get().map(|f| view! { <RefundLines facts=f/> })}
            </Show>
            <Show when=move || active() && reviewing.get()>
                <div class="buttons">
                    <button type="button" on:click=confirm>{cancel_action.clone()}</button>
                    <button type="button" class="secondary" on:click=move |_| reviewing.set(false)>"Keep the subscription"</button>
                </div>
            </Show>
            <Show when=move || active() && !reviewing.get()>
                <button type="button" on:click=move |_| reviewing.set(true)>{VIEW_CANCEL}</button>
            </Show>
            <p role="status" class="outcome" id=format!("outcome-{}", key.get_value()) tabindex="-1">{move || outcome.get()}</p>
            <p class="field-error" role="alert">{move || error.get()}</p>
        </article>
    }
    .into_any()
}

/// The Alibaba Cloud order as it stands now; `None` once it is gone from the book.
type CurrentOrder = Memo<Option<AlibabaOrder>>;

/// One Alibaba Cloud order: its terms, and "Unsubscribe" with the refund route and why,
/// and, where the core asks for it, the confirmation that an instance's data is deleted.
#[component]
fn AlibabaItem(id: AlibabaOrderId, buyer: AccountId) -> impl IntoView {
    let app = use_app();
    let key = StoredValue::new(id.clone());
    let order = Memo::new(move |_| {
        key.with_value(|id| {
            app.book
                .with(|b| b.alibaba().get(id).map(|v| v.record.clone()))
        })
    });
    let Some(first) = order.get_untracked() else {
        return ().into_any();
    };
    let form = RwSignal::new(UnsubscribeForm::default());
    let outcome = RwSignal::new(None::<String>);
    let facts = Memo::new(move |_| {
        let now = app.now.get();
        order.with(|o| o.as_ref().map(|o| preview::alibaba(o, now)))
    });
    let unsubscribing = Memo::new(move |_| order.with(|o| o.as_ref().map(Unsubscribing::of)));
    let needs_confirmation =
        move || unsubscribing.with(|u| u == &Some(Unsubscribing::NeedsConfirmation));
    // Active with no ticket yet: the buyer can still unsubscribe.
    let active = move || {
        order.with(|o| {
            o.as_ref()
                .is_some_and(|o| o.status == OrderStatus::Active && o.ticket.is_none())
        })
    };
    // The status says the ticket's words until it is processed; then the terms say what
    // came back.
    let unsubscribed = move || {
        order.with(|o| {
            o.as_ref()
                .is_some_and(|o| o.status == OrderStatus::Unsubscribed)
        })
    };
    let reviewing = move || form.with(UnsubscribeForm::reviewing);
    let heading = format!("alibaba-{}", first.id);
    let heading_id = heading.clone();
    view! {
        <article class="panel family-item" aria-labelledby=heading.clone()>
            <h3 id=heading_id>{first.product_name.clone()}</h3>
            <OrderTerms first=first order=order/>
            <Show when=move || reviewing() || !active()>
                {move || facts.get().map(|f| view! { <RefundLines facts=f/> })}
            </Show>
            <Show when=move || active() && reviewing()>
                <UnsubscribeReview id=key.get_value() buyer=buyer.clone() form=form outcome=outcome unsubscribing=unsubscribing/>
            </Show>
            <Show when=move || active() && !reviewing()>
                <button type="button" on:click=move |_| form.update(UnsubscribeForm::review)>"Unsubscribe"</button>
            </Show>
            <p role="status" class="outcome" id=format!("outcome-{id}") tabindex="-1">{move || outcome.get().filter(|_| !unsubscribed())}</p>
            <Show when=move || !needs_confirmation()>
                <p class="field-error" role="alert">{move || refusal_at(form, unsubscribing, UnsubscribeField::Form)}</p>
            </Show>
        </article>
    }
    .into_any()
}

/// The refusal's message, if it shows at `field` now.
fn refusal_at(
    form: RwSignal<UnsubscribeForm>,
    unsubscribing: Memo<Option<Unsubscribing>>,
    field: UnsubscribeField,
) -> Option<String> {
    form.with(|f| unsubscribing.with(|u| u.as_ref().and_then(|u| f.error_for(field, u))))
}

/// What the buyer bought and paid, and, once unsubscribed, the ticket or what came back.
#[component]
fn OrderTerms(first: AlibabaOrder, order: CurrentOrder) -> impl IntoView {
    let paid = if first.billing == Billing::Free {
        first.billing.label().to_string()
    } else {
        format!("{} on {}", first.paid_cash, local_date(first.paid_at))
    };
    view! {
        <dl class="terms">
            <dt>"Order"</dt><dd>{first.id.to_string()}</dd>
            <dt>"Status"</dt><dd>{move || order.with(|o| o.as_ref().map(|o| o.status.label()))}</dd>
            <dt>"Billing"</dt><dd>{first.billing.label()}</dd>
            <dt>"Instance"</dt><dd>{first.kind.label()}</dd>
            <dt>"Bought on"</dt><dd>{first.channel.label()}</dd>
            <dt>"Paid"</dt><dd>{paid}</dd>
            {(first.billing != Billing::Free).then(|| view! {
                <dt>"Paid with"</dt><dd>{first.method.name()}</dd>
                <dt>"Paid with vouchers or coupons"</dt><dd>{first.paid_vouchers.to_string()}</dd>
            })}
            <dt>"Invoice issued"</dt><dd>{if first.invoice_issued { "Yes" } else { "No" }}</dd>
        </dl>
        {move || order.with(|o| o.as_ref().and_then(order_words)).map(|words| view! { <p class="ticket">{words}</p> })}
    }
}

/// Under review: why the core refuses, with "Close"; or the data-deletion confirmation where
/// it is asked, "Confirm unsubscribe" and "Keep the order".
#[component]
fn UnsubscribeReview(
    id: AlibabaOrderId,
    buyer: AccountId,
    form: RwSignal<UnsubscribeForm>,
    outcome: RwSignal<Option<String>>,
    unsubscribing: Memo<Option<Unsubscribing>>,
) -> impl IntoView {
    let app = use_app();
    let key = StoredValue::new(id);
    let buyer = StoredValue::new(buyer);
    let confirm = move |_| {
        // Read before settling, which ends the review and so disposes of what it owns.
        let (id, buyer) = (key.get_value(), buyer.get_value());
        let Some(command) = form.with_untracked(|f| f.command(id.clone())) else {
            return;
        };
        let answer = app.act(command, &Actor::Buyer(buyer));
        if let Some(ticket) = form.try_update(|f| f.settle(answer)).flatten() {
            focus_when_drawn(format!("outcome-{id}"));
            outcome.set(Some(ticket_words(&ticket)));
        }
    };
    let keep = move |_| form.update(UnsubscribeForm::keep);
    let refused = move || match unsubscribing.get() {
        Some(Unsubscribing::Refused(why)) => Some(why.to_string()),
        _ => None,
    };
    move || match refused() {
        Some(why) => view! {
            <p class="note">{why}</p>
            <div class="buttons">
                <button type="button" class="secondary" on:click=keep>"Close"</button>
            </div>
        }
        .into_any(),
        None => view! {
            <Show when=move || unsubscribing.with(|u| u == &Some(Unsubscribing::NeedsConfirmation))>
                <DataDeletionCheck id=key.get_value() form=form unsubscribing=unsubscribing/>
            </Show>
            <div class="buttons">
                <button type="button" on:click=confirm>"Confirm unsubscribe"</button>
                <button type="button" class="secondary" on:click=keep>"Keep the order"</button>
            </div>
        }
        .into_any(),
    }
}

/// The confirmation that releasing an enterprise instance deletes all of its data, with the
/// core's refusal beside it.
#[component]
fn DataDeletionCheck(
    id: AlibabaOrderId,
    form: RwSignal<UnsubscribeForm>,
    unsubscribing: Memo<Option<Unsubscribing>>,
) -> impl IntoView {
    let checkbox = format!("confirm-deletion-{id}");
    let error = format!("{checkbox}-error");
    view! {
        <div class="field confirm-check">
            <label>
                <input type="checkbox" id=checkbox aria-describedby=error.clone()
                    prop:checked=move || form.with(|f| f.confirmed)
                    on:change=move |ev| form.update(|f| f.confirmed = event_target_checked(&ev))/>
                " I understand that the instance is released and all of its data deleted permanently"
            </label>
            <span class="field-error" id=error role="alert">
                {move || refusal_at(form, unsubscribing, UnsubscribeField::DataDeletion)}
            </span>
        </div>
    }
}

/// A refund preview as a person reads it: each line with its amount, where it goes (or that
/// it never comes back) and the rule that decided it, then the notes on timing and data.
#[component]
pub fn RefundLines(facts: RefundFacts) -> impl IntoView {
    let lines = facts
        .lines
        .into_iter()
        .map(|line| {
            let refunded = line.to != RefundTo::NotRefunded;
            let to = if refunded {
                format!("Back to {}", line.to.label())
            } else {
                "Not refunded".to_string()
            };
            view! {
                <li class=if refunded { "refunded" } else { "kept" }>
                    <span class="what">{line.what}</span>
                    <strong class="amount">{line.amount.to_string()}</strong>
                    <span class="to">{to}</span>
                    <span class="rule">{line.rule}</span>
                </li>
            }
        })
        .collect_view();
    let notes = facts
        .notes
        .into_iter()
        .map(|note| view! { <li>{note}</li> })
        .collect_view();
    view! {
        <div class="refund-preview">
            <h4>{format!("What comes back ({})", facts.family)}</h4>
            <ul class="refund-lines">{lines}</ul>
            <ul class="refund-notes">{notes}</ul>
        </div>
    }
}
