use leptos::prelude::*;

use crate::components::page_title::PageTitle;

/// The seller's console: agreements, cancellation requests, billing adjustments, events.
#[component]
pub fn SellerPage() -> impl IntoView {
    view! {
        <PageTitle text="Seller console"/>
        <h1>"Seller console"</h1>
        <p class="lede">"Find a buyer's agreement, request its cancellation or refund its invoices, and follow every case."</p>
    }
}
