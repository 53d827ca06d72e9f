use leptos::prelude::*;
use workbench_core::api;
use workbench_core::events::{to_json_lines, BusEvent, Side};
use workbench_core::ids::AgreementId;

use crate::components::download::save_file;
use crate::state::{local_time, use_app};

const SHOWN: usize = 50;

/// The seller's events ("- Proposer") and, for comparison, what the buyer's bus receives,
/// newest first, with each event's exact JSON and exports of events and API shapes.
#[component]
pub fn EventLog() -> impl IntoView {
    let app = use_app();
    let side = RwSignal::new(Side::Proposer);
    let agreement = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let events = Memo::new(move |_| {
        let seller = app.seller.get();
        let filter = AgreementId::parse(agreement.get().trim()).ok();
        app.book.with(|b| {
            let theirs: std::collections::BTreeSet<&str> = b
                .records
                .values()
                .filter(|v| {
                    seller
                        .as_ref()
                        .is_none_or(|s| &v.record.agreement.seller == s)
                })
                .map(|v| v.record.agreement.id.as_str())
                .collect();
            b.log(side.get(), None, filter.as_ref())
                .into_iter()
                .filter(|e| theirs.contains(e.agreement_id()))
                .cloned()
                .collect::<Vec<BusEvent>>()
        })
    });
    let export_events = move |_| {
        let text = to_json_lines(events.get_untracked().iter());
        if let Err(e) = save_file("events.jsonl", "application/x-ndjson", &text) {
            error.set(Some(e));
        }
    };
    let export_api = move |_| {
        let Some(seller) = app.seller.get_untracked() else {
            return;
        };
        let export = app.book.with_untracked(|b| api::export(b, &seller));
        let text = serde_json::to_string_pretty(&export).unwrap_or_default();
        if let Err(e) = save_file("agreement-api.json", "application/json", &text) {
            error.set(Some(e));
        }
    };
    view! {
        <section aria-labelledby="log-heading">
            <h2 id="log-heading">"Event log"</h2>
            <div class="filters">
                <div class="field">
                    <label for="log-side">"Events of"</label>
                    <select id="log-side" on:change=move |ev| side.set(if event_target_value(&ev) == "buyer" { Side::Acceptor } else { Side::Proposer })>
                        <option value="seller">"Your bus (- Proposer)"</option>
                        <option value="buyer">"The buyer's bus (- Acceptor)"</option>
                    </select>
                </div>
                <div class="field">
                    <label for="log-agreement">"Only agreement"</label>
                    <input id="log-agreement" type="text" placeholder="agmt-…" prop:value=move || agreement.get()
                        on:input=move |ev| agreement.set(event_target_value(&ev))/>
                </div>
            </div>
            <div class="buttons">
                <button type="button" on:click=export_events>"Export events (JSON lines)"</button>
                <button type="button" class="secondary" on:click=export_api>"Export API JSON"</button>
            </div>
            <p class="field-error" role="alert">{move || error.get()}</p>
            <p>{move || {
                let n = events.get().len();
                if n > SHOWN { format!("{n} events; the newest {SHOWN} are shown, the export holds them all.") } else { format!("{n} events.") }
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
