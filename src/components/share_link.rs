use leptos::prelude::*;
use workbench_core::ids::{AgreementId, RequestId};
use workbench_link::share::LinkToSend;

use crate::state::use_app;

/// The confirmation link of a pending request, to send to the buyer: as text with "Copy
/// link", as a QR code for a phone's camera, and as a link to open it here.
#[component]
pub fn ShareLink(agreement_id: AgreementId, request_id: RequestId) -> impl IntoView {
    let app = use_app();
    match app.confirmation_url(&agreement_id, &request_id) {
        Err(message) => view! { <p class="field-error">{message}</p> }.into_any(),
        Ok(url) => view! { <LinkToSend url=url id="confirmation-link" label="Confirmation link" openable=true/> }
            .into_any(),
    }
}
