//! A link someone must send to someone else: as text with "Copy link", and, where the
//! caller draws one, as a QR code. Its words are the link crate's, whose page draws the
//! buyer's receipt the same way.

use leptos::prelude::*;
use workbench_link::share::{copy_text, length_hint, COPY_LINK};

/// A link drawn as a QR code: SVG markup that a QR encoder made from the link's bytes, so
/// no text of anyone's ends up as markup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrPicture {
    pub svg: String,
    pub version: i16,
}

/// A link someone must send to someone else, with "Copy link" and, if given, its QR code;
/// `openable` where opening it here makes sense too (the seller trying the buyer's page).
#[component]
pub fn LinkToSend(
    url: String,
    #[prop(into)] id: String,
    label: &'static str,
    openable: bool,
    #[prop(default = None)] qr: Option<QrPicture>,
) -> impl IntoView {
    let status = RwSignal::new(String::new());
    let hint = length_hint(&url, qr.as_ref().map(|q| q.version));
    let copy = {
        let (url, id) = (url.clone(), id.clone());
        move |_| copy_to_clipboard(url.clone(), id.clone(), status, "link")
    };
    view! {
        <div class="share">
            <div class="field">
                <label for=id.clone()>{label}</label>
                <textarea id=id readonly rows="3" class="link-text" prop:value=url.clone()></textarea>
                <span class="hint">{hint}</span>
            </div>
            <div class="buttons">
                <button type="button" on:click=copy>{COPY_LINK}</button>
                {openable.then(|| view! { <a href=url.clone() target="_blank" rel="noopener">"Open it in a new tab"</a> })}
            </div>
            <p role="status" class="copied">{move || status.get()}</p>
            {qr.map(|q| view! {
                <div class="qr" role="img" aria-label=format!("QR code of the {}", label.to_lowercase()) inner_html=q.svg></div>
            })}
        </div>
    }
}

/// Copies through the Clipboard API; where the browser refuses, selects the text (in the
/// textarea `field`) so that the person can copy it with the keyboard. `what` names it in
/// the message ("link", "command").
pub fn copy_to_clipboard(
    text: String,
    field: String,
    status: RwSignal<String>,
    what: &'static str,
) {
    copy_text(&text, &field, what, move |words| status.set(words));
}
