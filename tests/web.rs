//! Tests that need a real browser: they run in headless Chromium through
//! wasm-bindgen-test-runner (`cargo test --target wasm32-unknown-unknown`).
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh element of the test page to render into; the runner's own output lives in
/// the body and must survive.
fn container() -> web_sys::Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let div = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&div).unwrap();
    div
}

#[wasm_bindgen_test]
fn a_panic_leaves_a_readable_message_with_the_detail_instead_of_a_blank_page() {
    let page = container();
    page.set_text_content(Some("the app as it was"));
    cancellation_workbench::crash::render_crash(
        &page,
        "index out of bounds at src/pages/seller.rs:10",
    );
    let heading = page.query_selector("main[role=alert] h1").unwrap().unwrap();
    assert_eq!(heading.text_content().unwrap(), "Something went wrong");
    let text = page.text_content().unwrap();
    assert!(!text.contains("the app as it was"));
    assert!(text.contains("reload the page"));
    assert!(text.contains("index out of bounds at src/pages/seller.rs:10"));
}
