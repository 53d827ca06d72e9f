use leptos::prelude::*;
use workbench_core::events::{BusEvent, Side};
use workbench_core::ids::AccountId;

use crate::state::{local_time, use_app};

const SHOWN: usize = 50;

/// The "- Acceptor" events this buyer's EventBridge bus received, newest first, each with
/// its exact JSON.
#[component]
pub fn ReceivedEvents(account: AccountId) -> impl IntoView {
    let app = use_app();
    let events = Memo::new(move |_| {
        app.book.with(|b| {
            b.log(Side::Acceptor, Some(&account), None)
                .into_iter()
                .cloned()
                .collect::<Vec<BusEvent>>()
        })
    });
    view! {
        <section aria-labelledby="received-heading">
            <h2 id="received-heading">"Events on your bus (- Acceptor)"</h2>
            <p>{move || {
                let n = events.get().len();
                if n > SHOWN { format!("{n} events; the newest {SHOWN} are shown.") } else { format!("{n} events.") }
            }}</p>
            <ol class="events">
                {move || events.get().into_iter().take(SHOWN).map(|e| view! {
                    <li>
                        <details>
                            <summary>{format!("{} · {} · {}", local_time(e.time), e.detail_type, e.agreement_id())}</summary>
                            <pre>{serde_json::to_string_pretty(&e).unwrap_or_default()}</pre>
                        </details>
                    </li>
                }).collect_view()}
            </ol>
        </section>
    }
}
