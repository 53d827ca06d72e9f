//! The seller's Amazon DevPay customers: each with its status and, once the customer
//! cancelled, when, the usage billed up to then and the refund Amazon charges the seller to
//! cover; or, for a customer who did not pay, when AWS ended their access and data. There
//! is no cancel button: a seller has no way to cancel a DevPay customer but a case in the
//! AWS Support Center, which the section points to.

use leptos::prelude::*;
use workbench_core::families::devpay::{
    DevPayStatus, DevPaySubscription, RULE_SELLER_CHARGED, SELLER_CANCEL_ROUTE, SELLER_NO_EMAIL,
    UNPAID,
};
use workbench_link::words::local_time;

use crate::state::use_app;

/// "DevPay customers" of the signed-in seller.
#[component]
pub fn DevPayCustomers() -> impl IntoView {
    let app = use_app();
    let customers = Memo::new(move |_| {
        let seller = app.seller.get();
        app.book.with(|b| {
            b.devpay()
                .values()
                .map(|v| &v.record)
                .filter(|s| Some(&s.seller) == seller.as_ref())
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    view! {
        <section class="family" aria-labelledby="devpay-customers-heading">
            <h2 id="devpay-customers-heading">"DevPay customers"</h2>
            <p class="note">{SELLER_NO_EMAIL}</p>
            <p class="note">{SELLER_CANCEL_ROUTE}</p>
            <Show when=move || customers.with(Vec::is_empty)>
                <p>"You have no DevPay customers."</p>
            </Show>
            <For
                each=move || customers.get()
                key=|s| (s.id.clone(), s.cancellation.as_ref().map(|c| c.at))
                let:subscription
            >
                <DevPayCustomer subscription=subscription/>
            </For>
        </section>
    }
}

/// One customer: who, what they pay, their status, and what their cancellation billed and
/// cost the seller.
#[component]
fn DevPayCustomer(subscription: DevPaySubscription) -> impl IntoView {
    let app = use_app();
    let customer = app.book.with_untracked(|b| {
        b.directory()
            .buyer(&subscription.buyer)
            .map_or(subscription.buyer.to_string(), |p| {
                format!("{} ({})", p.name, p.account)
            })
    });
    let heading = format!("devpay-customer-{}", subscription.id);
    let heading_id = heading.clone();
    let unpaid = subscription.status == DevPayStatus::Unpaid;
    let statement = subscription.seller_statement().map(|s| {
        if unpaid {
            view! {
                <dt>"Access cancelled on"</dt><dd>{local_time(s.cancelled_at)}</dd>
                <dt>"Usage billed"</dt><dd>{format!("{}, billed to the customer up to then", s.usage_billed)}</dd>
            }
            .into_any()
        } else {
            view! {
                <dt>"Cancelled on"</dt><dd>{local_time(s.cancelled_at)}</dd>
                <dt>"Usage billed"</dt><dd>{format!("{}, billed to the customer up to the cancellation", s.usage_billed)}</dd>
                <dt>"Refund charged to you"</dt><dd>{format!("{}. {RULE_SELLER_CHARGED}", s.charged_to_you)}</dd>
            }
            .into_any()
        }
    });
    view! {
        <article class="panel family-item" aria-labelledby=heading.clone()>
            <h3 id=heading_id>{subscription.product_name.clone()}</h3>
            <dl class="terms">
                <dt>"Customer"</dt><dd>{customer}</dd>
                <dt>"Subscription"</dt><dd>{subscription.id.to_string()}</dd>
                <dt>"Status"</dt><dd>{subscription.status.label()}</dd>
                <dt>"Monthly charge"</dt><dd>{subscription.monthly_charge.to_string()}</dd>
                {statement}
            </dl>
            {unpaid.then(|| view! { <p class="note">{UNPAID}</p> })}
        </article>
    }
}
