//! "Import from AWS": what the AWS CLI printed about the seller's own agreements, checked
//! against the service model, previewed, and added only once the person confirms.

use leptos::prelude::*;
use leptos::task::spawn_local;
use workbench_core::aws::import::{AwsFile, FileError, FileReport, ImportPreview};
use workbench_core::aws::model::TimeStyle;
use workbench_core::book::Actor;

use crate::chosen_files::{read_text, take_chosen};
use crate::focus::focus_when_drawn;
use crate::state::use_app;
use crate::storage::exchange::FILE_MAX_BYTES;

const PASTED: &str = "pasted text";

/// The files chosen and the text pasted, read against the book into one preview; nothing
/// is imported until "Import these records".
#[component]
pub fn ImportFromAws() -> impl IntoView {
    let app = use_app();
    let chosen = RwSignal::new(Vec::<AwsFile>::new());
    let pasted = RwSignal::new(String::new());
    let preview = RwSignal::new(None::<ImportPreview>);
    let reading = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<Result<String, String>>);

    let check = move || {
        let mut files = chosen.get_untracked();
        let text = pasted.get_untracked();
        if !text.trim().is_empty() {
            files.push(AwsFile {
                name: PASTED.into(),
                text,
            });
        }
        status.set(None);
        preview.set(
            (!files.is_empty()).then(|| app.book.with_untracked(|b| b.preview_import(&files))),
        );
    };

    let choose = move |ev: leptos::ev::Event| {
        let files = take_chosen(&ev);
        if let Some(big) = files.iter().find(|f| f.size() > FILE_MAX_BYTES as f64) {
            reading.set(Some(format!(
                "{} is larger than any output of the AWS CLI the workbench reads; choose the files again without it.",
                big.name()
            )));
            return;
        }
        reading.set(Some(format!("Reading {} file(s)…", files.len())));
        spawn_local(async move {
            let mut read = Vec::new();
            for file in files {
                let name = file.name();
                match read_text(&file).await {
                    Some(text) => read.push(AwsFile { name, text }),
                    None => {
                        reading.set(Some(format!("{name} could not be read. Choose it again.")));
                        return;
                    }
                }
            }
            reading.set(None);
            chosen.set(read);
            check();
        });
    };

    let confirm = move |_| {
        let Some(command) = preview.with_untracked(|p| p.as_ref().and_then(ImportPreview::command))
        else {
            return;
        };
        let actor = app
            .seller
            .get_untracked()
            .map_or(Actor::System, Actor::Seller);
        let result = match app.act(command, &actor) {
            Ok(done) => {
                chosen.set(Vec::new());
                pasted.set(String::new());
                preview.set(None);
                Ok(format!(
                    "Imported from AWS: {} agreement{} added or updated. They are marked \u{201c}From AWS\u{201d} wherever they are listed.",
                    done.agreements,
                    if done.agreements == 1 { "" } else { "s" }
                ))
            }
            Err(problem) => Err(problem.to_string()),
        };
        status.set(Some(result));
        focus_when_drawn("aws-import-status");
    };

    let reports = move |pasted_text: bool| {
        preview.with(|p| {
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
    };

    view! {
        <section aria-labelledby="aws-import-heading">
            <h2 id="aws-import-heading">"Import from AWS"</h2>
            <p>
                "Bring in your own agreements: save what the AWS CLI prints for "
                <code>"aws marketplace-agreement search-agreements"</code>", "<code>"describe-agreement"</code>", "
                <code>"list-agreement-invoice-line-items"</code>", "<code>"list-agreement-cancellation-requests"</code>" and "
                <code>"list-billing-adjustment-requests"</code>
                " (version 1 or 2 of the CLI), and choose the files here. Each is checked against the service model; nothing leaves this browser."
            </p>
            <div class="field">
                <label for="aws-files">"Files the AWS CLI printed"</label>
                <input id="aws-files" type="file" multiple accept=".json,application/json,text/plain"
                    aria-describedby="aws-files-hint aws-files-result" on:change=choose/>
                <span class="hint" id="aws-files-hint">"One file or several; a file that does not fit is refused whole, with the field and the reason."</span>
                <div id="aws-files-result" role="status">
                    {move || reading.get()}
                    <FileReports reports=Signal::derive(move || reports(false))/>
                </div>
            </div>
            <div class="field">
                <label for="aws-pasted">"Or paste the CLI's output"</label>
                <textarea id="aws-pasted" rows="4" aria-describedby="aws-pasted-result"
                    prop:value=move || pasted.get() on:input=move |ev| pasted.set(event_target_value(&ev))></textarea>
                <div id="aws-pasted-result">
                    <FileReports reports=Signal::derive(move || reports(true))/>
                </div>
                <div class="buttons">
                    <button type="button" class="secondary" on:click=move |_| check()>"Check what would be imported"</button>
                </div>
            </div>
            {move || preview.get().map(|p| view! { <ImportSummary preview=p/> })}
            <Show when=move || preview.with(|p| p.as_ref().is_some_and(|p| p.command().is_some()))>
                <div class="buttons">
                    <button type="button" on:click=confirm>"Import these records"</button>
                    <button type="button" class="secondary" on:click=move |_| preview.set(None)>"Cancel"</button>
                </div>
            </Show>
            <p role="status" id="aws-import-status" tabindex="-1"
                class=move || if matches!(status.get(), Some(Err(_))) { "field-error" } else { "" }>
                {move || status.get().map(|r| r.unwrap_or_else(|e| e))}
            </p>
        </section>
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
