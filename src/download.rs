//! Files handed to the person: exports, archives, evidence packs and event logs.

use thiserror::Error;
use wasm_bindgen::JsCast;

/// Why the browser did not hand the person a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum DownloadError {
    /// No window or document to start it from.
    #[error("The page is not ready for a download.")]
    PageNotReady,
    /// The browser would not make the link that starts it.
    #[error("The browser refused to start the download.")]
    Refused,
}

/// Hands the person a file, built only when they ask for it (an export of 10,000 agreements
/// is not worth rebuilding on every change).
pub fn save_file(name: &str, mime: &str, text: &str) -> Result<(), DownloadError> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or(DownloadError::PageNotReady)?;
    let anchor = document
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        .ok_or(DownloadError::Refused)?;
    let href = format!(
        "data:{mime};charset=utf-8,{}",
        String::from(js_sys::encode_uri_component(text))
    );
    anchor.set_href(&href);
    anchor.set_download(name);
    anchor.click();
    Ok(())
}
