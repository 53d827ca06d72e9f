//! "Reset demo data": the demo, or a book at scale, in place of everything stored.

use std::fmt;

use leptos::prelude::*;

use workbench_link::timing;

use crate::error::AppError;
use crate::focus::focus_when_drawn;
use crate::state::use_app;

/// What the last reset did, as the page says it.
#[derive(Debug, Clone, PartialEq)]
enum ResetStatus {
    Reset,
    Failed(AppError),
}

impl fmt::Display for ResetStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResetStatus::Reset => f.write_str("The demo data was reset."),
            ResetStatus::Failed(error) => error.fmt(f),
        }
    }
}

/// "Reset demo data", behind a confirmation: it replaces everything this browser holds,
/// with the demo or with a large book that shows the workbench (and the quota) at scale.
#[component]
pub fn ResetDemo() -> impl IntoView {
    let app = use_app();
    let asking = RwSignal::new(false);
    let size = RwSignal::new(String::from("demo"));
    let result = RwSignal::new(None::<ResetStatus>);
    let confirm = move |_| {
        let scale = size.get_untracked().parse::<usize>().ok();
        timing::mark("reset-demo-start");
        result.set(Some(match app.reset_demo(scale) {
            Ok(()) => ResetStatus::Reset,
            Err(error) => ResetStatus::Failed(error),
        }));
        timing::mark("reset-demo-done");
        asking.set(false);
        focus_when_drawn("reset-result");
    };
    view! {
        <section aria-labelledby="data-heading">
            <h2 id="data-heading">"Demo data"</h2>
            <div class="field">
                <label for="demo-size">"Demo data to load"</label>
                <select id="demo-size" prop:value=move || size.get() on:change=move |ev| size.set(event_target_value(&ev))>
                    <option value="demo">"The demo: sellers, buyers and agreements of all four families"</option>
                    <option value="100">"100 agreements, each with a full history"</option>
                    <option value="10000">"10,000 agreements, each with a full history (a scale test)"</option>
                </select>
            </div>
            <Show
                when=move || asking.get()
                fallback=move || view! {
                    <button type="button" class="secondary" on:click=move |_| { result.set(None); asking.set(true); }>"Reset demo data"</button>
                }
            >
                <div class="panel" role="alertdialog" aria-labelledby="reset-question">
                    <p id="reset-question">"Replace everything stored in this browser with fresh demo data? Requests, adjustments and events you made here will be gone. Export them first to keep them."</p>
                    <div class="buttons">
                        <button type="button" on:click=confirm>"Yes, reset demo data"</button>
                        <button type="button" class="secondary" on:click=move |_| asking.set(false)>"Keep my data"</button>
                    </div>
                </div>
            </Show>
            <p role="status" id="reset-result" tabindex="-1">{move || {
                result.with(|r| r.as_ref().map(ToString::to_string).unwrap_or_default())
            }}</p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::SaveError;

    #[test]
    fn a_reset_says_it_was_done_or_why_not() {
        assert_eq!(ResetStatus::Reset.to_string(), "The demo data was reset.");
        let error = AppError::Save(SaveError::ReadOnly);
        assert_eq!(
            ResetStatus::Failed(error.clone()).to_string(),
            error.to_string()
        );
    }
}
