//! "Export all data" and "Import data".

use std::fmt;

use leptos::prelude::*;
use leptos::task::spawn_local;
use workbench_link::words::local_time;

use crate::chosen_files::{read_text, take_chosen};
use crate::error::AppError;
use crate::focus::focus_when_drawn;
use crate::state::use_app;
use crate::storage::exchange::{self, ImportError, Imported, FILE_MAX_BYTES};

/// What the last export or import did, as the status line says it.
#[derive(Debug, Clone, PartialEq)]
enum DataStatus {
    Exported,
    /// The chosen file is being read.
    Reading(String),
    /// The file replaced everything this browser held.
    Imported(String),
    /// The browser could not read the chosen file.
    Unreadable(String),
    /// The file is not one the workbench imports; nothing was replaced.
    Refused {
        file: String,
        error: ImportError,
    },
    /// The export or the import failed.
    Failed(AppError),
}

impl DataStatus {
    /// Whether the status line shows it as an error.
    fn is_error(&self) -> bool {
        matches!(
            self,
            DataStatus::Unreadable(_) | DataStatus::Refused { .. } | DataStatus::Failed(_)
        )
    }
}

impl fmt::Display for DataStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataStatus::Exported => f.write_str(
                "All data was exported to one file. Keep it private: it holds the secrets of \
                 your confirmation links.",
            ),
            DataStatus::Reading(file) => write!(f, "Reading {file}\u{2026}"),
            DataStatus::Imported(file) => write!(
                f,
                "{file} was imported: it replaced everything this browser held."
            ),
            DataStatus::Unreadable(file) => write!(f, "{file} could not be read. Choose it again."),
            DataStatus::Refused { file, error } => write!(f, "{file}: {error}"),
            DataStatus::Failed(error) => error.fmt(f),
        }
    }
}

/// "Export all data" and "Import data": everything this browser holds as one file, and
/// back. An import is read and checked whole, then shown against what it would replace,
/// and replaces nothing until the person confirms.
#[component]
pub fn YourData() -> impl IntoView {
    let app = use_app();
    let status = RwSignal::new(None::<DataStatus>);
    let chosen = RwSignal::new(None::<(String, Imported)>);
    let export = move |_| {
        status.set(Some(match app.export_all() {
            Ok(()) => DataStatus::Exported,
            Err(error) => DataStatus::Failed(error),
        }));
    };
    let choose = move |ev: leptos::ev::Event| {
        let Some(file) = take_chosen(&ev).into_iter().next() else {
            return;
        };
        chosen.set(None);
        let name = file.name();
        if file.size() > FILE_MAX_BYTES as f64 {
            status.set(Some(DataStatus::Refused {
                file: name,
                error: ImportError::TooLarge,
            }));
            return;
        }
        status.set(Some(DataStatus::Reading(name.clone())));
        spawn_local(async move {
            match read_text(&file).await.map(|t| exchange::read(&t)) {
                None => status.set(Some(DataStatus::Unreadable(name))),
                Some(Err(error)) => status.set(Some(DataStatus::Refused { file: name, error })),
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
        status.set(Some(match app.import(imported) {
            Ok(()) => DataStatus::Imported(name),
            Err(error) => DataStatus::Failed(error),
        }));
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
            <p role="status" id="data-status" tabindex="-1" class=move || if status.with(|s| s.as_ref().is_some_and(DataStatus::is_error)) { "field-error" } else { "" }>
                {move || status.with(|s| s.as_ref().map(ToString::to_string))}
            </p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::SaveError;

    #[test]
    fn each_status_reads_as_the_status_line_says_it() {
        let failed = AppError::Save(SaveError::ReadOnly);
        let said = [
            (
                DataStatus::Exported,
                "All data was exported to one file. Keep it private: it holds the secrets of \
                 your confirmation links."
                    .to_string(),
            ),
            (
                DataStatus::Reading("a.json".into()),
                "Reading a.json\u{2026}".into(),
            ),
            (
                DataStatus::Imported("a.json".into()),
                "a.json was imported: it replaced everything this browser held.".into(),
            ),
            (
                DataStatus::Unreadable("a.json".into()),
                "a.json could not be read. Choose it again.".into(),
            ),
            (
                DataStatus::Refused {
                    file: "a.json".into(),
                    error: ImportError::NotOurs,
                },
                "a.json: This file was not exported by the cancellation workbench.".into(),
            ),
            (DataStatus::Failed(failed.clone()), failed.to_string()),
        ];
        for (status, words) in said {
            assert_eq!(status.to_string(), words);
        }
    }

    #[test]
    fn only_a_refused_or_failed_file_shows_as_an_error() {
        assert!(!DataStatus::Exported.is_error());
        assert!(!DataStatus::Reading("a.json".into()).is_error());
        assert!(!DataStatus::Imported("a.json".into()).is_error());
        assert!(DataStatus::Unreadable("a.json".into()).is_error());
        assert!(DataStatus::Refused {
            file: "a.json".into(),
            error: ImportError::TooLarge
        }
        .is_error());
        assert!(DataStatus::Failed(AppError::Save(SaveError::ReadOnly)).is_error());
    }
}
