//! A link someone must send to someone else: its words, and "Copy link". The buyer's page
//! draws the receipt's link with them, the workbench the confirmation link.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::words::push_number;

pub const COPY_LINK: &str = "Copy link";

/// This page's origin, which the links it makes start with.
pub fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// The hint under a link: its length, and the version of its QR code where there is one.
pub fn length_hint(url: &str, qr_version: Option<i16>) -> String {
    let mut hint = String::new();
    push_number(&mut hint, url.chars().count() as i64);
    hint.push_str(" characters");
    if let Some(version) = qr_version {
        hint.push_str(", QR code version ");
        push_number(&mut hint, version.into());
    }
    hint
}

/// Copies `text` through the Clipboard API, then hands `then` the words that say how it
/// went. Where the browser refuses, the text is selected (in the textarea of id `field`) so
/// that the person can copy it with the keyboard. `what` names it ("link", "command").
pub fn copy_text(text: &str, field: &str, what: &'static str, then: impl FnOnce(String) + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let written = window.navigator().clipboard().write_text(text);
    let field = field.to_string();
    // One callback, called once whichever way the promise settles.
    let settled = Closure::once(move |outcomes: JsValue| {
        let fulfilled = js_sys::Array::from(&outcomes)
            .get(0)
            .dyn_into::<js_sys::Object>()
            .ok()
            .and_then(|o| js_sys::Reflect::get(&o, &"status".into()).ok())
            .and_then(|s| s.as_string())
            .is_some_and(|s| s == "fulfilled");
        let selected = !fulfilled && select_field(&window, &field);
        then(copy_words(what, fulfilled, selected));
    });
    let _ = js_sys::Promise::all_settled(&js_sys::Array::of1(&written)).then(&settled);
    // The promise holds the callback now; the browser frees both once it has run.
    let _ = settled.into_js_value();
}

fn select_field(window: &web_sys::Window, field: &str) -> bool {
    window
        .document()
        .and_then(|d| d.get_element_by_id(field))
        .and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
        .map(|t| t.select())
        .is_some()
}

/// What copying `what` (a lower-case English word) came to: copied, or refused with the
/// text selected or not.
pub fn copy_words(what: &str, copied: bool, selected: bool) -> String {
    if copied {
        // `what` is an English word of the app's own: ASCII, so no Unicode case table.
        let mut words = String::from(what);
        if let Some(first) = words.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        words.push_str(" copied.");
        return words;
    }
    if selected {
        [
            "This browser did not allow copying. The ",
            what,
            " is selected: press Ctrl+C (or ⌘+C) to copy it.",
        ]
        .concat()
    } else {
        [
            "This browser did not allow copying. Select the ",
            what,
            " and copy it.",
        ]
        .concat()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hint_counts_characters_and_names_the_qr_version() {
        assert_eq!(length_hint("https://x/é", None), "11 characters");
        assert_eq!(
            length_hint("abc", Some(12)),
            "3 characters, QR code version 12"
        );
    }

    #[test]
    fn copying_says_what_became_of_it() {
        assert_eq!(copy_words("link", true, false), "Link copied.");
        assert_eq!(
            copy_words("command", false, true),
            "This browser did not allow copying. The command is selected: press Ctrl+C (or \
             ⌘+C) to copy it."
        );
        assert_eq!(
            copy_words("rule", false, false),
            "This browser did not allow copying. Select the rule and copy it."
        );
    }
}
