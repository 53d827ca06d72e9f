//! The banner on every page of the workbench.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::clock_control::ClockControl;

/// The banner on every page: the app's name and the way to each view.
#[component]
pub fn SiteHeader() -> impl IntoView {
    view! {
        <header class="site-header">
            <A href="/" attr:class="brand">"Cancellation workbench"</A>
            <nav aria-label="Main">
                <ul>
                    <li><A href="/seller">"Seller console"</A></li>
                    <li><A href="/buyer">"Buyer view"</A></li>
                </ul>
            </nav>
            <ClockControl/>
        </header>
    }
}
