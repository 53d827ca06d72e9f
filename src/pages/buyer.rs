use leptos::prelude::*;

use crate::components::page_title::PageTitle;

/// The buyer's own view: their agreements and the cancellations waiting for an answer.
#[component]
pub fn BuyerPage() -> impl IntoView {
    view! {
        <PageTitle text="Buyer view"/>
        <h1>"Buyer view"</h1>
        <p class="lede">"Your agreements, and the cancellation requests waiting for your answer."</p>
    }
}
