//! Where focus goes after an action: to what the action produced, so that keyboard and
//! screen reader users start where the result is.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Moves focus to the element with this ID once the view has drawn it.
pub fn focus_when_drawn(id: impl Into<String>) {
    let id = id.into();
    request_animation_frame(move || {
        if let Some(element) = document()
            .get_element_by_id(&id)
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            // Focus can only fail on an element that is gone again: nothing to move to then.
            let _ = element.focus();
        }
    });
}
