//! The event log: what each EventBridge bus received, a page at a time, with exports.

use leptos::prelude::*;
use workbench_core::api;
use workbench_core::aws::rule::{put_rule, DELIVERY};
use workbench_core::book::{Page, PAGE_MAX};
use workbench_core::events::{to_json_lines, BusEvent, Side};
use workbench_core::ids::AgreementId;
use workbench_link::words::local_time;

use crate::components::copy_text::CopyText;
use crate::components::pager::Pager;
use crate::download::save_file;
use crate::state::use_app;

/// The seller's events ("- Proposer") and, for comparison, what the buyer's bus receives,
/// newest first and a page at a time, with each event's exact JSON and exports of every
/// matching event and of the API shapes.
#[component]
pub fn EventLog() -> impl IntoView {
    let app = use_app();
    let side = RwSignal::new(Side::Proposer);
    let agreement = RwSignal::new(String::new());
    let page = RwSignal::new(0usize);
    let error = RwSignal::new(None::<String>);
    let filter = move || AgreementId::parse(agreement.get().trim()).ok();
    // Only the page's events are built: the log can hold every event of 10,000
    // agreements, and this runs again on every change of the book.
    let shown = Memo::new(move |_| {
        let seller = app.seller.get();
        let filter = filter();
        app.book
            .with(|b| b.log_page(side.get(), seller.as_ref(), filter.as_ref(), page.get()))
    });
    let export_events = move |_| {
        let seller = app.seller.get_untracked();
        let filter = filter();
        let text = app.book.with_untracked(|b| {
            to_json_lines(b.log(side.get_untracked(), seller.as_ref(), filter.as_ref()))
        });
        if let Err(e) = save_file("events.jsonl", "application/x-ndjson", &text) {
            error.set(Some(e.to_string()));
        }
    };
    let export_api = move |_| {
        let Some(seller) = app.seller.get_untracked() else {
            return;
        };
        let export = app.book.with_untracked(|b| api::export(b, &seller));
        let text = serde_json::to_string_pretty(&export).unwrap_or_default();
        if let Err(e) = save_file("agreement-api.json", "application/json", &text) {
            error.set(Some(e.to_string()));
        }
    };
    let span = move || {
        let p = shown.get();
        if p.total == 0 {
            "No events.".to_string()
        } else {
            let first = p.page * PAGE_MAX + 1;
            format!(
                "Events {first}–{} of {}",
                first + p.items.len() - 1,
                p.total
            )
        }
    };
    view! {
        <section aria-labelledby="log-heading">
            <h2 id="log-heading">"Event log"</h2>
            <div class="filters">
                <div class="field">
                    <label for="log-side">"Events of"</label>
                    <select id="log-side" on:change=move |ev| {
                        side.set(if event_target_value(&ev) == "buyer" { Side::Acceptor } else { Side::Proposer });
                        page.set(0);
                    }>
                        <option value="seller">"Your bus (- Proposer)"</option>
                        <option value="buyer">"The buyer's bus (- Acceptor)"</option>
                    </select>
                </div>
                <div class="field">
                    <label for="log-agreement">"Only agreement"</label>
                    <input id="log-agreement" type="text" placeholder="agmt-…" prop:value=move || agreement.get()
                        on:input=move |ev| {
                            agreement.set(event_target_value(&ev));
                            page.set(0);
                        }/>
                </div>
            </div>
            <div class="buttons">
                <button type="button" on:click=export_events>"Export events (JSON lines)"</button>
                <button type="button" class="secondary" on:click=export_api>"Export API JSON"</button>
            </div>
            <p class="field-error" role="alert">{move || error.get()}</p>
            <div class="aws-cli">
                <p class="hint">"To send these events to your own systems: an EventBridge rule that delivers exactly the events this log shows for the chosen bus. "{DELIVERY}</p>
                <CopyText id="eventbridge-rule".to_string() label="EventBridge rule (AWS CLI)" button="Copy EventBridge rule" what="rule"
                    text=Signal::derive(move || put_rule(side.get()))/>
            </div>
            <Pager label="Event log pages" page=page shown=Signal::derive(move || shown.with(Page::at))
                earlier="Newer events" later="Older events" position=Signal::derive(span)/>
            <ol class="events">
                {move || shown.get().items.into_iter().map(|e| view! { <EventItem event=e with_agreement=true/> }).collect_view()}
            </ol>
        </section>
    }
}

/// One delivered event: when and what, opening to its exact JSON.
#[component]
pub fn EventItem(event: BusEvent, with_agreement: bool) -> impl IntoView {
    let summary = if with_agreement {
        format!(
            "{} · {} · {}",
            local_time(event.time),
            event.detail_type,
            event.agreement_id()
        )
    } else {
        format!("{} · {}", local_time(event.time), event.detail_type)
    };
    view! {
        <li>
            <details>
                <summary>{summary}</summary>
                <pre>{serde_json::to_string_pretty(&event).unwrap_or_default()}</pre>
            </details>
        </li>
    }
}
