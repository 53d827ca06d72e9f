//! Any address the workbench does not know.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::page_title::PageTitle;

/// Shown for any address the app does not know.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <PageTitle text="Page not found"/>
        <h1>"Page not found"</h1>
        <p>"There is no page at this address. It may have been mistyped or cut short."</p>
        <p><A href="/">"Go to the home page"</A></p>
    }
}
