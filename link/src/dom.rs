//! The little DOM building the buyer's page needs: an element with its attributes, text and
//! children in one expression, and listeners that live as long as the page.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, UnwrapThrowExt};
use web_sys::{Document, Element, Event, EventTarget, Node};

/// The page's document.
pub fn document() -> Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect_throw("the buyer's page runs in a document")
}

/// An element being built.
pub struct El(Element);

/// A new `<tag>`.
pub fn el(tag: &str) -> El {
    El(document().create_element(tag).unwrap_throw())
}

impl El {
    pub fn attr(self, name: &str, value: &str) -> El {
        self.0.set_attribute(name, value).unwrap_throw();
        self
    }

    pub fn class(self, names: &str) -> El {
        self.0.set_class_name(names);
        self
    }

    /// Text after what the element holds; as text, so no one's words become markup.
    pub fn text(self, text: &str) -> El {
        self.0.append_with_str_1(text).unwrap_throw();
        self
    }

    pub fn child(self, child: impl AsRef<Node>) -> El {
        self.0.append_with_node_1(child.as_ref()).unwrap_throw();
        self
    }

    pub fn children(self, children: impl IntoIterator<Item = El>) -> El {
        for child in children {
            self.0.append_with_node_1(&child.0).unwrap_throw();
        }
        self
    }

    pub fn done(self) -> Element {
        self.0
    }
}

impl AsRef<Node> for El {
    fn as_ref(&self) -> &Node {
        &self.0
    }
}

/// A `<button type="button">` that says `label`, with the classes `class`.
pub fn button(label: &str, class: &str) -> El {
    let button = el("button").attr("type", "button").text(label);
    if class.is_empty() {
        button
    } else {
        button.class(class)
    }
}

/// Calls `f` on every `event` at `target`, for as long as the page lives.
pub fn listen(target: &EventTarget, event: &str, f: impl FnMut(Event) + 'static) {
    let listener = Closure::<dyn FnMut(Event)>::new(f);
    target
        .add_event_listener_with_callback(event, listener.as_ref().unchecked_ref())
        .unwrap_throw();
    listener.forget();
}

/// Sets the text `element` holds, only where it changed: a live region speaks each change.
pub fn set_text(element: &Element, text: &str) {
    if element.text_content().as_deref() != Some(text) {
        element.set_text_content(Some(text));
    }
}
