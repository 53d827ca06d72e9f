//! "Export all data" and "Import data".

use leptos::prelude::*;
use leptos::task::spawn_local;
use workbench_link::words::local_time;

use crate::chosen_files::{read_text, take_chosen};
use crate::focus::focus_when_drawn;
use crate::state::use_app;
use crate::storage::exchange::{self, Imported, FILE_MAX_BYTES};

/// "Export all data" and "Import data": everything this browser holds as one file, and
/// back. An import is read and checked whole, then shown against what it would replace,
/// and replaces nothing until the person confirms.
#[component]
pub fn YourData() -> impl IntoView {
    let app = use_app();
    let status = RwSignal::new(None::<Result<String, String>>);
    let chosen = RwSignal::new(None::<(String, Imported)>);
    let export = move |_| {
        status.set(Some(
            app.export_all()
                .map(|()| "All data was exported to one file. Keep it private: it holds the secrets of your confirmation links.".into())
                .map_err(|e| e.to_string()),
        ));
    };
    let choose = move |ev: leptos::ev::Event| {
        let Some(file) = take_chosen(&ev).into_iter().next() else {
            return;
        };
        chosen.set(None);
        let name = file.name();
        if file.size() > FILE_MAX_BYTES as f64 {
            status.set(Some(Err(format!(
                "{name}: {}",
                exchange::ImportError::TooLarge
            ))));
            return;
        }
        status.set(Some(Ok(format!("Reading {name}…"))));
        spawn_local(async move {
            match read_text(&file).await.map(|t| exchange::read(&t)) {
                None => status.set(Some(Err(format!(
                    "{name} could not be read. Choose it again."
                )))),
                Some(Err(error)) => status.set(Some(Err(format!("{name}: {error}")))),
                Some(Ok(imported)) => {
                    status.set(None);
                    chosen.set(Some((name, imported)));
                }
            }
        });
    };
    let confirm = move |_| {
        let Some((name, imported)) = chosen.get_untracked() else {
            return;
        };
        chosen.set(None);
        status.set(Some(
            app.import(imported)
                .map(|()| format!("{name} was imported: it replaced everything this browser held."))
                .map_err(|e| e.to_string()),
        ));
        focus_when_drawn("data-status");
    };
    let current = move || app.book.with(exchange::summary);
    view! {
        <section aria-labelledby="your-data-heading">
            <h2 id="your-data-heading">"Your data"</h2>
            <p>"Everything the workbench knows lives in this browser. Export it to keep a copy or move it to another browser."</p>
            <div class="buttons">
                <button type="button" class="secondary" on:click=export>"Export all data"</button>
            </div>
            <div class="field">
                <label for="import-data">"Import data"</label>
                <input id="import-data" type="file" accept=".json,application/json" aria-describedby="import-data-hint" on:change=choose/>
                <span class="hint" id="import-data-hint">"A file saved by \u{201c}Export all data\u{201d} (or an archive of closed cases). It is checked before anything is replaced."</span>
            </div>
            {move || chosen.get().map(|(name, imported)| view! {
                <div class="panel" role="alertdialog" aria-labelledby="import-question">
                    <p id="import-question">{format!(
                        "Replace everything in this browser with {name}? It was exported on {} and holds {}. This browser now holds {}.",
                        local_time(imported.exported_at),
                        exchange::summary(&imported.book),
                        current()
                    )}</p>
                    <div class="buttons">
                        <button type="button" on:click=confirm>"Replace my data with this file"</button>
                        <button type="button" class="secondary" on:click=move |_| chosen.set(None)>"Keep my data"</button>
                    </div>
                </div>
            })}
            <p role="status" id="data-status" tabindex="-1" class=move || if matches!(status.get(), Some(Err(_))) { "field-error" } else { "" }>
                {move || status.get().map(|r| r.unwrap_or_else(|e| e))}
            </p>
        </section>
    }
}
