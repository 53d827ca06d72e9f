//! Files handed to the person: exports, archives, evidence packs and event logs.

use wasm_bindgen::JsCast;

/// Hands the person a file, built only when they ask for it (an export of 10,000 agreements
/// is not worth rebuilding on every change).
pub fn save_file(name: &str, mime: &str, text: &str) -> Result<(), String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("The page is not ready for a download.")?;
    let anchor = document
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        .ok_or("The browser refused to start the download.")?;
    let href = format!(
        "data:{mime};charset=utf-8,{}",
        String::from(js_sys::encode_uri_component(text))
    );
    anchor.set_href(&href);
    anchor.set_download(name);
    anchor.click();
    Ok(())
}
