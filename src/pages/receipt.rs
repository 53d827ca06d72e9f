use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;
use workbench_core::confirmation::Settled;

use crate::components::apply_receipt::{receipt_code, settled_words, ApplyReceipt, ReceiptDraft};
use crate::components::page_title::PageTitle;
use crate::state::use_app;

/// Where a buyer's receipt link lands in the seller's browser: opening it applies the
/// decision it carries (once; opening it again says so and changes nothing).
#[component]
pub fn ReceiptPage() -> impl IntoView {
    let app = use_app();
    let hash = use_location().hash.get_untracked();
    let code = receipt_code(hash.trim_start_matches('#')).to_string();
    let result = (!code.is_empty()).then(|| app.apply_receipt(&code));
    let agreement = result
        .as_ref()
        .and_then(|r| r.as_ref().ok())
        .map(|s| match s {
            Settled::Applied { agreement_id, .. }
            | Settled::AlreadyApplied { agreement_id, .. } => agreement_id.clone(),
        });
    view! {
        <PageTitle text="Decision receipt"/>
        <h1>"Decision receipt"</h1>
        {match result {
            None => view! { <p>"This receipt link is empty. Paste the receipt the buyer sent below."</p> }.into_any(),
            Some(Ok(settled)) => view! { <p role="status" class="next-step">{settled_words(&settled)}</p> }.into_any(),
            Some(Err(message)) => view! { <p role="alert" class="field-error">{message}</p> }.into_any(),
        }}
        {agreement.map(|id| view! {
            <p><A href=format!("/seller/agreements/{id}")>{format!("Open agreement {id}")}</A></p>
        })}
        <h2>"Apply another receipt"</h2>
        <ApplyReceipt draft=ReceiptDraft::new()/>
    }
}
