//! The banner on every page of the workbench.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use crate::components::clock_control::{is_buyers_page, ClockControl};
use crate::work_queue::use_work_queue;

/// The banner: the app's name, and on every page but the buyer's, the way to each view,
/// how many items wait for the seller, and the clock.
#[component]
pub fn SiteHeader() -> impl IntoView {
    let path = use_location().pathname;
    let buyers = Memo::new(move |_| is_buyers_page(&path.get()));
    move || {
        if buyers.get() {
            view! {
                <header class="site-header">
                    <span class="brand">"Cancellation workbench"</span>
                </header>
            }
            .into_any()
        } else {
            view! { <SellersHeader/> }.into_any()
        }
    }
}

#[component]
fn SellersHeader() -> impl IntoView {
    let queue = use_work_queue();
    view! {
        <header class="site-header">
            <A href="/" attr:class="brand">"Cancellation workbench"</A>
            <nav aria-label="Main">
                <ul>
                    <li><A href="/seller">
                        "Seller console"
                        {move || match queue.count() {
                            0 => None,
                            n => Some(view! { <span class="count">{format!(" · {n} waiting")}</span> }),
                        }}
                    </A></li>
                    <li><A href="/buyer">"Buyer view"</A></li>
                </ul>
            </nav>
            <ClockControl/>
        </header>
    }
}
