//! A text the person takes elsewhere (a command for a shell, a rule for EventBridge): shown
//! in full, with a button that copies it.

use leptos::prelude::*;

use crate::components::link_to_send::copy_to_clipboard;

/// `text` in a read-only field labelled `label`, and the `button` that copies it; `what`
/// names it in the message that says it was copied ("command", "rule").
#[component]
pub fn CopyText(
    id: String,
    label: &'static str,
    button: &'static str,
    what: &'static str,
    #[prop(into)] text: Signal<String>,
) -> impl IntoView {
    let status = RwSignal::new(String::new());
    let field = id.clone();
    view! {
        <div class="share">
            <div class="field">
                <label for=id.clone()>{label}</label>
                <textarea id=id readonly rows="4" class="link-text" prop:value=move || text.get()></textarea>
            </div>
            <div class="buttons">
                <button type="button" on:click=move |_| copy_to_clipboard(text.get_untracked(), field.clone(), status, what)>{button}</button>
            </div>
            <p role="status" class="copied">{move || status.get()}</p>
        </div>
    }
}
