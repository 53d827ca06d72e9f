//! What a person sees when the app panics: a readable message instead of a frozen or blank
//! page. The wasm instance cannot be trusted after a panic, so the message is built with
//! plain DOM calls and replaces the app.

use crate::words::push_number;

/// Logs panics to the console and replaces the page with an explanation. The detail is
/// written with pushes rather than through `PanicHookInfo`'s formatting, which would bring
/// Rust's formatting machinery into the buyer's small bundle.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let mut detail = String::from("panicked at ");
        if let Some(at) = info.location() {
            detail.push_str(at.file());
            for number in [at.line(), at.column()] {
                detail.push(':');
                push_number(&mut detail, number.into());
            }
        }
        detail.push_str(":\n");
        detail.push_str(info.payload_as_str().unwrap_or("(no message)"));
        console_error(&detail);
        show_crash(&detail);
    }));
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(text: &str);
}

/// Replaces the page's content with a message that says the app stopped, what to do next,
/// and the technical detail for a bug report.
pub fn show_crash(detail: &str) {
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        render_crash(&body, detail);
    }
}

/// Empties `container` and fills it with the crash message.
pub fn render_crash(container: &web_sys::Element, detail: &str) {
    let Some(document) = container.owner_document() else {
        return;
    };
    container.set_text_content(None);
    let element = |tag: &str, text: &str| {
        let el = document.create_element(tag).ok()?;
        el.set_text_content(Some(text));
        Some(el)
    };
    let Ok(main) = document.create_element("main") else {
        return;
    };
    main.set_class_name("crash");
    main.set_attribute("role", "alert").ok();
    let parts = [
        element("h1", "Something went wrong"),
        element(
            "p",
            "The workbench stopped because of an error in the app itself. Your saved data is \
             still in this browser: reload the page to carry on.",
        ),
        element("p", "Technical detail, for a bug report:"),
        element("pre", detail),
    ];
    for part in parts.into_iter().flatten() {
        main.append_child(&part).ok();
    }
    // The page's own address, so a buyer's link reloads as the link it was.
    let here = document
        .location()
        .and_then(|l| l.href().ok())
        .unwrap_or_else(|| "/".into());
    if let Ok(reload) = document.create_element("a") {
        reload.set_text_content(Some("Reload the page"));
        reload.set_attribute("href", &here).ok();
        main.append_child(&reload).ok();
    }
    container.append_child(&main).ok();
}
