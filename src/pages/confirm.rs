use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::components::page_title::PageTitle;

/// The page a buyer reaches from the seller's confirmation link.
#[component]
pub fn ConfirmPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    view! {
        <PageTitle text="Confirm cancellation"/>
        {move || {
            let _ = token();
            view! { <DamagedLink/> }
        }}
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
