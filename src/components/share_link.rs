//! The confirmation link the seller sends the buyer, with its QR code.

use leptos::prelude::*;
use qrcode::render::svg;
use qrcode::{QrCode, Version};
use workbench_core::ids::{AgreementId, RequestId};
use workbench_core::key::SupportCaseId;

use crate::components::link_to_send::{LinkToSend, QrPicture};
use crate::state::use_app;

/// The confirmation link of a pending request, to send to the buyer: as text with "Copy
/// link", as a QR code for a phone's camera, and as a link to open it here.
#[component]
pub fn ShareLink(agreement_id: AgreementId, request_id: RequestId) -> impl IntoView {
    let app = use_app();
    match app.confirmation_url(&agreement_id, &request_id) {
        Err(problem) => view! { <p class="field-error">{problem.to_string()}</p> }.into_any(),
        Ok(url) => view! { <LinkToSend qr=qr_code(&url) url=url id="confirmation-link" label="Confirmation link" openable=true/> }
            .into_any(),
    }
}

/// The link that puts AWS's question on a support case to the buyer of the contract: in
/// AWS the question reaches the buyer through AWS; here the seller passes it on, and the
/// buyer's receipt comes back as a request's does.
#[component]
pub fn ShareCaseLink(case: SupportCaseId) -> impl IntoView {
    let app = use_app();
    let id = format!("case-link-{case}");
    match app.case_url(&case) {
        Err(problem) => view! { <p class="field-error">{problem.to_string()}</p> }.into_any(),
        Ok(url) => view! {
            <p>"AWS asks the buyer to approve the cancellation. Send the buyer this link: they approve or reject on their own device, and the receipt they send back applies like a request's (open it, or paste it into \"Decision receipt\" on the agreement's page)."</p>
            <LinkToSend qr=qr_code(&url) url=url id=id label="Link for the buyer" openable=true/>
        }
        .into_any(),
    }
}

/// The link's QR code, for a phone's camera, or nothing for a link too long for any QR code.
fn qr_code(url: &str) -> Option<QrPicture> {
    let code = QrCode::new(url.as_bytes()).ok()?;
    let version = match code.version() {
        Version::Normal(v) | Version::Micro(v) => v,
    };
    let markup = code
        .render::<svg::Color>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .build();
    // The XML prolog means nothing inside an HTML page.
    let svg = markup
        .find("<svg")
        .map_or(markup.clone(), |at| markup[at..].to_string());
    Some(QrPicture { svg, version })
}
