//! /receipt#<code>: a buyer's decision receipt, applied when opened.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;
use workbench_core::confirmation::Settled;
use workbench_core::link::Subject;

use crate::components::apply_receipt::{receipt_code, settled_words, PasteReceipt, PastedReceipt};
use crate::components::page_title::PageTitle;
use crate::error::AppError;
use crate::state::use_app;

/// Where a buyer's receipt link lands in the seller's browser: opening it applies the
/// decision it carries (once; opening it again says so and changes nothing). It follows its
/// address: another receipt put into the address bar (only the fragment changes) is
/// applied in turn.
#[component]
pub fn ReceiptPage() -> impl IntoView {
    let app = use_app();
    let hash = use_location().hash;
    let result = RwSignal::new(None::<Result<Settled, AppError>>);
    // Each receipt is applied once per arrival, whatever redraws the page.
    let applied = StoredValue::new(None::<String>);
    let apply = move |hash: String| {
        let code = receipt_code(hash.trim_start_matches('#')).to_string();
        if applied.get_value().as_ref() == Some(&code) {
            return;
        }
        applied.set_value(Some(code.clone()));
        result.set((!code.is_empty()).then(|| app.apply_receipt(&code)));
    };
    apply(hash.get_untracked());
    Effect::new(move |_| apply(hash.get()));
    view! {
        <PageTitle text="Decision receipt"/>
        <h1>"Decision receipt"</h1>
        {move || match result.get() {
            None => view! { <p>"This receipt link is empty. Paste the receipt the buyer sent below."</p> }.into_any(),
            Some(Ok(settled)) => {
                let (id, subject) = match &settled {
                    Settled::Applied { agreement_id, subject, .. }
                    | Settled::AlreadyApplied { agreement_id, subject, .. } => (agreement_id.clone(), subject),
                };
                let (href, words) = match subject {
                    Subject::Request(_) => (format!("/seller/agreements/{id}"), format!("Open agreement {id}")),
                    Subject::Case(case) => ("/seller/support".to_string(), format!("Open support case {case}")),
                };
                view! {
                    <p role="status" class="next-step">{settled_words(&settled)}</p>
                    <p><A href=href>{words}</A></p>
                }.into_any()
            }
            Some(Err(problem)) => view! { <p role="alert" class="field-error">{problem.to_string()}</p> }.into_any(),
        }}
        <h2>"Apply another receipt"</h2>
        <PasteReceipt draft=PastedReceipt::new()/>
    }
}
