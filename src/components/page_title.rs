//! The browser tab's title for each route.

use leptos::prelude::*;
use leptos_meta::Title;

/// Sets the browser tab's title for a route, so tabs and history entries say where they lead.
#[component]
pub fn PageTitle(#[prop(into)] text: String) -> impl IntoView {
    view! { <Title text=format!("{text} · Cancellation workbench")/> }
}
