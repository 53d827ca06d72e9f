//! The evidence pack of a case: its download, and the check of a pack someone
//! hands back, which says whether it is as it was downloaded or where it was changed.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen_futures::JsFuture;
use workbench_core::evidence::{self, EvidenceError, Verdict, Verification, MAX_PACK_BYTES};
use workbench_core::ids::AgreementId;
use workbench_link::words::local_time;

use crate::chosen_files::{read_text, take_chosen};
use crate::download::save_file;
use crate::state::use_app;

/// "Download evidence pack": the case's whole history as hash-chained JSON lines, made from
/// the book as it stands when the person asks, stamped with the app's own time.
#[component]
pub fn DownloadEvidencePack(agreement: AgreementId) -> impl IntoView {
    let app = use_app();
    let error = RwSignal::new(None::<String>);
    let download = move |_| {
        let now = app.now.get_untracked();
        let made = app.book.with_untracked(|b| match b.record(&agreement) {
            Some(record) => {
                evidence::case_pack(record, b.directory(), now).map_err(|e| e.to_string())
            }
            None => Err(format!(
                "Agreement {agreement} is no longer in the workbench: there is no case to pack."
            )),
        });
        let saved = made.and_then(|text| {
            save_file(
                &evidence::file_name(&agreement),
                "application/x-ndjson",
                &text,
            )
            .map_err(|e| e.to_string())
        });
        error.set(saved.err());
    };
    view! {
        <div class="evidence">
            <button type="button" class="secondary" on:click=download>"Download evidence pack"</button>
            <p class="hint">
                "Every command on this case (who, when, what and why) and every event both \
                 buses received, as one file whose lines are hash-chained: a later edit shows."
            </p>
            <p class="field-error" role="alert">{move || error.get()}</p>
        </div>
    }
}

/// What the person is shown about the file they chose.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PackCheck {
    Reading(String),
    Checked { file: String, verdict: Verdict },
    Unreadable(String),
}

/// "Verify evidence pack": a file input that checks the chosen pack's chain in the browser
/// and says, in a live region, whether it is intact or at which line it was altered.
#[component]
pub fn VerifyEvidencePack() -> impl IntoView {
    let shown = RwSignal::new(None::<PackCheck>);
    // A slow read of an earlier choice must not overwrite the verdict on a later one.
    let latest = StoredValue::new(0u64);
    let on_change = move |ev: leptos::ev::Event| {
        let Some(file) = take_chosen(&ev).into_iter().next() else {
            return;
        };
        latest.update_value(|n| *n += 1);
        let this = latest.get_value();
        let name = file.name();
        // The size is known before reading: a huge file is refused without being loaded.
        if file.size() > MAX_PACK_BYTES as f64 {
            shown.set(Some(PackCheck::Checked {
                file: name,
                verdict: Verdict::Unverifiable(EvidenceError::TooLarge {
                    bytes: file.size() as u64,
                }),
            }));
            return;
        }
        shown.set(Some(PackCheck::Reading(name.clone())));
        spawn_local(async move {
            let result = match read_text(&file).await {
                Some(text) => PackCheck::Checked {
                    file: name,
                    verdict: check_in_steps(&text).await,
                },
                None => PackCheck::Unreadable(name),
            };
            if latest.get_value() == this {
                shown.set(Some(result));
            }
        });
    };
    view! {
        <div class="evidence">
            <label for="verify-evidence-pack">"Verify evidence pack"</label>
            <input
                id="verify-evidence-pack"
                type="file"
                aria-describedby="verify-evidence-pack-hint"
                on:change=on_change
            />
            <p class="hint" id="verify-evidence-pack-hint">
                "Choose a file saved by \u{201c}Download evidence pack\u{201d}. It is checked in \
                 this browser, line by line: nothing is uploaded."
            </p>
            <div role="status" class="verdict">{move || shown.get().map(verdict_view)}</div>
        </div>
    }
}

/// How much of a pack is checked before the page is given back to the person.
const STEP_BYTES: usize = 512 * 1024;

/// Verifies `text` a slice at a time, letting the browser paint and answer clicks between
/// slices, so that even the largest pack never holds the page.
async fn check_in_steps(text: &str) -> Verdict {
    let outcome = match Verification::new(text) {
        Err(error) => Err(error),
        Ok(mut verification) => loop {
            match verification.step(STEP_BYTES) {
                Some(outcome) => break outcome,
                None => next_task().await,
            }
        },
    };
    evidence::verdict(text, outcome)
}

/// Resolves in a later task of the browser's event loop, after it had the chance to paint
/// and handle input.
async fn next_task() {
    let later = js_sys::Promise::new(&mut |resolve, _| {
        let scheduled =
            web_sys::window().is_some_and(|w| w.set_timeout_with_callback(&resolve).is_ok());
        // Without a timer the check still goes on, only without the pause.
        if !scheduled {
            let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
        }
    });
    // The promise only ever resolves.
    let _ = JsFuture::from(later).await;
}

fn verdict_view(shown: PackCheck) -> impl IntoView {
    let (class, headline, about, file) = match shown {
        PackCheck::Reading(file) => ("", "Checking\u{2026}".to_string(), None, file),
        PackCheck::Unreadable(file) => (
            "altered",
            "The browser could not read this file. Choose it again, or save it again first."
                .to_string(),
            None,
            file,
        ),
        PackCheck::Checked { file, verdict } => {
            let class = match verdict {
                Verdict::Intact { .. } => "intact",
                Verdict::Altered { .. } | Verdict::Unverifiable(_) => "altered",
            };
            let about = match &verdict {
                Verdict::Intact {
                    about: Some(about), ..
                } => Some(format!(
                    "It is the evidence pack of agreement {}, made {}.",
                    about.agreement_id,
                    local_time(about.made_at)
                )),
                _ => None,
            };
            (class, verdict.to_string(), about, file)
        }
    };
    view! {
        <p class=format!("headline {class}")>{headline}</p>
        {about.map(|a| view! { <p class="user-text">{a}</p> })}
        <p class="hint user-text">{format!("File: {file}")}</p>
    }
}

/// The seller console's place to check a pack someone hands back; each agreement's page
/// downloads its own case's pack.
#[component]
pub fn EvidencePacks() -> impl IntoView {
    view! {
        <section aria-labelledby="evidence-heading">
            <h2 id="evidence-heading">"Evidence packs"</h2>
            <p>
                "Each agreement's page downloads the evidence pack of its case. Check a pack \
                 here, one you kept or one someone sends you, to know whether it is exactly as \
                 it was downloaded."
            </p>
            <VerifyEvidencePack/>
        </section>
    }
}
