//! "Import from AWS": what the AWS CLI printed about the seller's own agreements, checked
//! against the service model, previewed, and added only once the person confirms.

use std::fmt;

use leptos::prelude::*;
use leptos::task::spawn_local;
use workbench_core::aws::import::{AwsFile, FileError, FileReport, ImportPreview};
use workbench_core::aws::model::TimeStyle;
use workbench_core::book::Actor;

use crate::chosen_files::{read_text, take_chosen};
use crate::error::AppError;
use crate::focus::focus_when_drawn;
use crate::state::{use_app, AppState};
use crate::storage::exchange::FILE_MAX_BYTES;

const PASTED: &str = "pasted text";

/// What the browser is doing with the files chosen, or why it stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Reading {
    Started { files: usize },
    TooLarge { name: String },
    Unreadable { name: String },
}

impl fmt::Display for Reading {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reading::Started { files } => write!(f, "Reading {files} file(s)…"),
            Reading::TooLarge { name } => write!(
                f,
                "{name} is larger than any output of the AWS CLI the workbench reads; choose the files again without it."
            ),
            Reading::Unreadable { name } => write!(f, "{name} could not be read. Choose it again."),
        }
    }
}

/// What became of "Import these records".
#[derive(Debug, Clone, PartialEq, Eq)]
enum ImportStatus {
    /// The import was kept: this many agreements added or updated.
    Imported { agreements: usize },
    /// Nothing was imported, for this reason.
    Failed(AppError),
}

impl ImportStatus {
    fn failed(&self) -> bool {
        matches!(self, ImportStatus::Failed(_))
    }
}

impl fmt::Display for ImportStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportStatus::Imported { agreements } => write!(
                f,
                "Imported from AWS: {agreements} agreement{} added or updated. They are marked \u{201c}From AWS\u{201d} wherever they are listed.",
                if *agreements == 1 { "" } else { "s" }
            ),
            ImportStatus::Failed(problem) => write!(f, "{problem}"),
        }
    }
}

/// The files to check: those chosen, then the pasted text as one more, unless it is blank.
fn files_to_check(mut chosen: Vec<AwsFile>, pasted: String) -> Vec<AwsFile> {
    if !pasted.trim().is_empty() {
        chosen.push(AwsFile {
            name: PASTED.into(),
            text: pasted,
        });
    }
    chosen
}

/// What the person gave and what the workbench made of it, shared by the parts of the
/// section.
#[derive(Clone, Copy)]
struct ImportState {
    app: AppState,
    chosen: RwSignal<Vec<AwsFile>>,
    pasted: RwSignal<String>,
    preview: RwSignal<Option<ImportPreview>>,
    status: RwSignal<Option<ImportStatus>>,
}

impl ImportState {
    fn new(app: AppState) -> Self {
        ImportState {
            app,
            chosen: RwSignal::new(Vec::new()),
            pasted: RwSignal::new(String::new()),
            preview: RwSignal::new(None),
            status: RwSignal::new(None),
        }
    }

    /// Reads the files chosen and the text pasted against the book into a new preview.
    fn check(self) {
        let files = files_to_check(self.chosen.get_untracked(), self.pasted.get_untracked());
        self.status.set(None);
        self.preview.set(
            (!files.is_empty()).then(|| self.app.book.with_untracked(|b| b.preview_import(&files))),
        );
    }

    /// The reports on the files chosen, or on the text pasted.
    fn reports(self, pasted_text: bool) -> Vec<FileReport> {
        self.preview.with(|p| {
            p.as_ref()
                .map(|p| {
                    p.files
                        .iter()
                        .filter(|f| (f.name == PASTED) == pasted_text)
                        .cloned()
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    }
}

/// The files chosen and the text pasted, read against the book into one preview; nothing
/// is imported until "Import these records".
#[component]
pub fn ImportFromAws() -> impl IntoView {
    let import = ImportState::new(use_app());
    view! {
        <section aria-labelledby="aws-import-heading">
            <h2 id="aws-import-heading">"Import from AWS"</h2>
            <p>
                "Bring in your own agreements: save what the AWS CLI prints for "
                <code>"aws marketplace-agreement search-agreements"</code>", "<code>"describe-agreement"</code>", "
                <code>"list-agreement-invoice-line-items"</code>", "<code>"list-agreement-cancellation-requests"</code>" and "
                <code>"list-billing-adjustment-requests"</code>", and "<code>"get-agreement-terms"</code>
                " for an agreement's pricing, in a file named after it ("<code>"agmt-….json"</code>
                ") (version 1 or 2 of the CLI), and choose the files here. Each is checked against the service model; nothing leaves this browser. Without its terms, an imported agreement's pricing is shown as not known."
            </p>
            <AwsFilesField import=import/>
            <PastedOutputField import=import/>
            {move || import.preview.get().map(|p| view! { <ImportSummary preview=p/> })}
            <ImportButtons import=import/>
            <p role="status" id="aws-import-status" tabindex="-1"
                class=move || if import.status.with(|s| s.as_ref().is_some_and(ImportStatus::failed)) { "field-error" } else { "" }>
                {move || import.status.with(|s| s.as_ref().map(ToString::to_string))}
            </p>
        </section>
    }
}

/// "Files the AWS CLI printed": read as soon as they are chosen, then checked.
#[component]
fn AwsFilesField(import: ImportState) -> impl IntoView {
    let reading = RwSignal::new(None::<Reading>);
    let choose = move |ev: leptos::ev::Event| {
        let files = take_chosen(&ev);
        if let Some(big) = files.iter().find(|f| f.size() > FILE_MAX_BYTES as f64) {
            reading.set(Some(Reading::TooLarge { name: big.name() }));
            return;
        }
        reading.set(Some(Reading::Started { files: files.len() }));
        spawn_local(async move {
            let mut read = Vec::new();
            for file in files {
                let name = file.name();
                match read_text(&file).await {
                    Some(text) => read.push(AwsFile { name, text }),
                    None => {
                        reading.set(Some(Reading::Unreadable { name }));
                        return;
                    }
                }
            }
            reading.set(None);
            import.chosen.set(read);
            import.check();
        });
    };
    view! {
        <div class="field">
            <label for="aws-files">"Files the AWS CLI printed"</label>
            <input id="aws-files" type="file" multiple accept=".json,application/json,text/plain"
                aria-describedby="aws-files-hint aws-files-result" on:change=choose/>
            <span class="hint" id="aws-files-hint">"One file or several; a file that does not fit is refused whole, with the field and the reason."</span>
            <div id="aws-files-result" role="status">
                {move || reading.with(|r| r.as_ref().map(ToString::to_string))}
                <FileReports reports=Signal::derive(move || import.reports(false))/>
            </div>
        </div>
    }
}

/// "Or paste the CLI's output", checked on "Check what would be imported".
#[component]
fn PastedOutputField(import: ImportState) -> impl IntoView {
    view! {
        <div class="field">
            <label for="aws-pasted">"Or paste the CLI's output"</label>
            <textarea id="aws-pasted" rows="4" aria-describedby="aws-pasted-result"
                prop:value=move || import.pasted.get() on:input=move |ev| import.pasted.set(event_target_value(&ev))></textarea>
            <div id="aws-pasted-result">
                <FileReports reports=Signal::derive(move || import.reports(true))/>
            </div>
            <div class="buttons">
                <button type="button" class="secondary" on:click=move |_| import.check()>"Check what would be imported"</button>
            </div>
        </div>
    }
}

/// "Import these records", one `ImportFromAws` command, and "Cancel"; shown only when the
/// preview has something to import. Focus moves to the status it leaves.
#[component]
fn ImportButtons(import: ImportState) -> impl IntoView {
    let app = import.app;
    let confirm = move |_| {
        let Some(command) = import
            .preview
            .with_untracked(|p| p.as_ref().and_then(ImportPreview::command))
        else {
            return;
        };
        let actor = app
            .seller
            .get_untracked()
            .map_or(Actor::System, Actor::Seller);
        let status = match app.act(command, &actor) {
            Ok(done) => {
                import.chosen.set(Vec::new());
                import.pasted.set(String::new());
                import.preview.set(None);
                ImportStatus::Imported {
                    agreements: done.agreements,
                }
            }
            Err(problem) => ImportStatus::Failed(problem),
        };
        import.status.set(Some(status));
        focus_when_drawn("aws-import-status");
    };
    let importable = move || {
        import
            .preview
            .with(|p| p.as_ref().is_some_and(|p| p.command().is_some()))
    };
    view! {
        <Show when=importable>
            <div class="buttons">
                <button type="button" on:click=confirm>"Import these records"</button>
                <button type="button" class="secondary" on:click=move |_| import.preview.set(None)>"Cancel"</button>
            </div>
        </Show>
    }
}

/// What became of each file: the operation it came from and what it holds, or why it was
/// refused, every misfit named by its field.
#[component]
fn FileReports(reports: Signal<Vec<FileReport>>) -> impl IntoView {
    view! {
        <ul class="file-reports">
            {move || reports.get().into_iter().map(|report| match report.result {
                Ok(read) => {
                    let c = read.counts();
                    let version = match read.times {
                        Some(TimeStyle::EpochSeconds) => " (AWS CLI version 1)",
                        Some(TimeStyle::Iso8601) => " (AWS CLI version 2)",
                        None => "",
                    };
                    view! {
                        <li>{format!(
                            "{}: the output of {}{version}, with {} agreement(s), {} invoice(s), {} cancellation request(s) and {} billing adjustment(s).",
                            report.name, read.operation.cli_name(), c.agreements, c.invoices, c.requests, c.adjustments
                        )}</li>
                    }.into_any()
                }
                Err(error) => {
                    let problems = match &error {
                        FileError::DoesNotFit { problems, .. } if problems.len() > 1 => {
                            problems.iter().map(ToString::to_string).collect()
                        }
                        _ => Vec::new(),
                    };
                    view! {
                        <li class="field-error">
                            {format!("{} was not imported. {error}", report.name)}
                            <ul>{problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
                        </li>
                    }.into_any()
                }
            }).collect_view()}
        </ul>
    }
}

/// What confirming would add, change and leave out.
#[component]
fn ImportSummary(preview: ImportPreview) -> impl IntoView {
    let nothing = preview.command().is_none();
    view! {
        <div class="panel" role="region" aria-label="What the import would do">
            {nothing.then(|| view! { <p>"Nothing to import: the workbench already holds all of it as the files have it, or no file fits."</p> })}
            {(!preview.added.is_empty()).then(|| view! {
                <h3>{format!("It adds {}", preview.added.len())}</h3>
                <ul>{preview.added.iter().map(|i| view! { <li>{i.to_string()}</li> }).collect_view()}</ul>
            })}
            {(!preview.changed.is_empty()).then(|| view! {
                <h3>{format!("It changes {}", preview.changed.len())}</h3>
                <ul>{preview.changed.iter().map(|c| view! {
                    <li>{c.item.to_string()}": "
                        {c.fields.iter().map(|f| format!("{} from \u{201c}{}\u{201d} to \u{201c}{}\u{201d}", f.field, f.from, f.to)).collect::<Vec<_>>().join("; ")}
                    </li>
                }).collect_view()}</ul>
            })}
            {(!preview.left_out.is_empty()).then(|| view! {
                <h3>{format!("It leaves out {}", preview.left_out.len())}</h3>
                <ul>{preview.left_out.iter().map(|l| view! { <li>{format!("{}: {}", l.item, l.reason)}</li> }).collect_view()}</ul>
            })}
            {(!preview.unchanged.is_empty()).then(|| view! {
                <p>{format!("{} already in the workbench exactly as the files have it.", preview.unchanged.len())}</p>
            })}
            {(!preview.new_sellers.is_empty() || !preview.new_buyers.is_empty()).then(|| view! {
                <p>{format!(
                    "New accounts, added so their agreements are listed under them: {}.",
                    preview.new_sellers.iter().chain(&preview.new_buyers).map(ToString::to_string).collect::<Vec<_>>().join(", ")
                )}</p>
            })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use workbench_core::book::DomainError;
    use workbench_core::ids::AgreementId;

    fn file(name: &str) -> AwsFile {
        AwsFile {
            name: name.into(),
            text: "{}".into(),
        }
    }

    #[test]
    fn the_pasted_text_is_checked_after_the_files_chosen_unless_it_is_blank() {
        let files = files_to_check(vec![file("search.json")], " \n".into());
        assert_eq!(files, vec![file("search.json")]);
        let files = files_to_check(vec![file("search.json")], "{\"items\": []}".into());
        assert_eq!(files.len(), 2);
        assert_eq!(files[1].name, PASTED);
        assert_eq!(files[1].text, "{\"items\": []}");
        assert!(files_to_check(Vec::new(), String::new()).is_empty());
    }

    #[test]
    fn an_import_says_how_many_agreements_it_added_or_updated() {
        assert_eq!(
            ImportStatus::Imported { agreements: 1 }.to_string(),
            "Imported from AWS: 1 agreement added or updated. They are marked \u{201c}From AWS\u{201d} wherever they are listed."
        );
        assert!(ImportStatus::Imported { agreements: 2 }
            .to_string()
            .starts_with("Imported from AWS: 2 agreements added or updated."));
        assert!(!ImportStatus::Imported { agreements: 2 }.failed());
    }

    #[test]
    fn a_failed_import_is_told_in_the_errors_own_words_as_a_failure() {
        let problem = AppError::Domain(DomainError::ImportOutdated(
            AgreementId::parse("agmt-awsimport1").unwrap(),
        ));
        let status = ImportStatus::Failed(problem.clone());
        assert_eq!(status.to_string(), problem.to_string());
        assert!(status.failed());
    }

    #[test]
    fn reading_files_is_told_as_before() {
        assert_eq!(
            Reading::Started { files: 2 }.to_string(),
            "Reading 2 file(s)…"
        );
        assert_eq!(
            Reading::Unreadable {
                name: "a.json".into()
            }
            .to_string(),
            "a.json could not be read. Choose it again."
        );
        assert!(Reading::TooLarge {
            name: "big.json".into()
        }
        .to_string()
        .starts_with("big.json is larger than any output of the AWS CLI"));
    }
}
