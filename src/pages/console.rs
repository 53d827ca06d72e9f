//! The seller's console around each of its sections: who is acting, and the navigation
//! between the sections, each at its own address.

use leptos::prelude::*;
use leptos_router::components::{Outlet, A};
use workbench_core::book::AttentionKind;
use workbench_core::ids::AccountId;

use crate::state::use_app;
use crate::work_queue::use_work_queue;

/// Every section of the console: the navigation, who is acting, and the section shown.
#[component]
pub fn SellerConsole() -> impl IntoView {
    view! {
        <ConsoleSections/>
        <ActingSeller/>
        <Outlet/>
    }
}

/// The navigation between the console's sections, with what waits in each.
#[component]
fn ConsoleSections() -> impl IntoView {
    let queue = use_work_queue();
    // The queue already holds the cases in Action Required: the count is read from it.
    let cases_waiting = Memo::new(move |_| {
        queue.items.with(|items| {
            items
                .iter()
                .filter(|a| a.kind == AttentionKind::ActionRequired)
                .count()
        })
    });
    view! {
        <nav class="sections" aria-label="Console sections">
            <ul>
                <li><A href="/seller" exact=true>"Agreements"</A></li>
                <li><A href="/seller/attention" exact=true>
                    "Needs attention"
                    {move || match queue.count() {
                        0 => None,
                        n => Some(view! { <span class="count">{format!(" · {n}")}</span> }),
                    }}
                </A></li>
                <li><A href="/seller/fps" exact=true>"FPS subscriptions"</A></li>
                <li><A href="/seller/support" exact=true>
                    "Support cases"
                    {move || match cases_waiting.get() {
                        0 => None,
                        n => Some(view! { <span class="count">{format!(" · {n} need{} you", if n == 1 { "s" } else { "" })}</span> }),
                    }}
                </A></li>
                <li><A href="/seller/events" exact=true>"Event log"</A></li>
                <li><A href="/seller/reports" exact=true>"Reports"</A></li>
                <li><A href="/seller/data" exact=true>"Data"</A></li>
            </ul>
        </nav>
    }
}

/// The demo seller whose console this is.
#[component]
pub fn ActingSeller() -> impl IntoView {
    let app = use_app();
    let sellers = move || app.book.with(|b| b.directory().sellers.clone());
    view! {
        <div class="field inline">
            <label for="acting-seller">"Signed in as seller"</label>
            <select
                id="acting-seller"
                on:change=move |ev| app.seller.set(AccountId::parse(&event_target_value(&ev)).ok())
                prop:value=move || app.seller.get().map(|a| a.to_string()).unwrap_or_default()
            >
                {move || {
                    sellers()
                        .into_iter()
                        .map(|p| {
                            let value = p.account.to_string();
                            view! { <option value=value>{format!("{} ({})", p.name, p.account)}</option> }
                        })
                        .collect_view()
                }}
            </select>
        </div>
    }
}
