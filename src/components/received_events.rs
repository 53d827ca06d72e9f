//! The events a buyer's bus received, on the buyer's view.

use leptos::prelude::*;
use workbench_core::events::Side;
use workbench_core::ids::AccountId;

use crate::components::event_log::EventItem;
use crate::state::use_app;

/// The "- Acceptor" events this buyer's EventBridge bus received, newest first, each with
/// its exact JSON: the newest page, built by the core without building the rest.
#[component]
pub fn ReceivedEvents(account: AccountId) -> impl IntoView {
    let app = use_app();
    let newest = Memo::new(move |_| {
        app.book
            .with(|b| b.log_page(Side::Acceptor, Some(&account), None, 0))
    });
    view! {
        <section aria-labelledby="received-heading">
            <h2 id="received-heading">"Events on your bus (- Acceptor)"</h2>
            <p>{move || {
                let page = newest.get();
                match page.total {
                    1 => "1 event.".to_string(),
                    n if n > page.items.len() => format!("{n} events; the newest {} are shown.", page.items.len()),
                    n => format!("{n} events."),
                }
            }}</p>
            <ol class="events">
                {move || newest.get().items.into_iter().map(|e| view! { <EventItem event=e with_agreement=true/> }).collect_view()}
            </ol>
        </section>
    }
}
