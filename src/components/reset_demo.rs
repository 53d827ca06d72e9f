//! "Reset demo data": the demo, or a book at scale, in place of everything stored.

use leptos::prelude::*;

use workbench_link::timing;

use crate::focus::focus_when_drawn;
use crate::state::use_app;

/// "Reset demo data", behind a confirmation: it replaces everything this browser holds,
/// with the demo or with a large book that shows the workbench (and the quota) at scale.
#[component]
pub fn ResetDemo() -> impl IntoView {
    let app = use_app();
    let asking = RwSignal::new(false);
    let size = RwSignal::new(String::from("demo"));
    let result = RwSignal::new(None::<Result<(), String>>);
    let confirm = move |_| {
        let scale = size.get_untracked().parse::<usize>().ok();
        timing::mark("reset-demo-start");
        result.set(Some(app.reset_demo(scale).map_err(|e| e.to_string())));
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
            <p role="status" id="reset-result" tabindex="-1">{move || match result.get() {
                Some(Ok(())) => "The demo data was reset.".to_string(),
                Some(Err(e)) => e,
                None => String::new(),
            }}</p>
        </section>
    }
}
