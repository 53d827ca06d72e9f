//! A link someone must send to someone else: as text with "Copy link", and, where the
//! caller draws one, as a QR code.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// This page's origin, which the links it makes start with.
pub fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

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
    id: &'static str,
    label: &'static str,
    openable: bool,
    #[prop(default = None)] qr: Option<QrPicture>,
) -> impl IntoView {
    let status = RwSignal::new(String::new());
    let version = qr.as_ref().map(|q| q.version);
    let length = url.chars().count();
    let copy = {
        let url = url.clone();
        move |_| copy_to_clipboard(url.clone(), id.to_string(), status, "link")
    };
    view! {
        <div class="share">
            <div class="field">
                <label for=id>{label}</label>
                <textarea id=id readonly rows="3" class="link-text" prop:value=url.clone()></textarea>
                <span class="hint">{format!("{length} characters{}", version.map(|v| format!(", QR code version {v}")).unwrap_or_default())}</span>
            </div>
            <div class="buttons">
                <button type="button" on:click=copy>"Copy link"</button>
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
    let Some(window) = web_sys::window() else {
        return;
    };
    let promise = window.navigator().clipboard().write_text(&text);
    spawn_local(async move {
        match JsFuture::from(promise).await {
            Ok(_) => {
                let mut letters = what.chars();
                let named: String = letters.next().map_or_else(String::new, |first| {
                    first.to_uppercase().chain(letters).collect()
                });
                status.set(format!("{named} copied."));
            }
            Err(_) => {
                let selected = window
                    .document()
                    .and_then(|d| d.get_element_by_id(&field))
                    .and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
                    .map(|t| t.select())
                    .is_some();
                status.set(if selected {
                    format!("This browser did not allow copying. The {what} is selected: press Ctrl+C (or ⌘+C) to copy it.")
                } else {
                    format!("This browser did not allow copying. Select the {what} and copy it.")
                });
            }
        }
    });
}
