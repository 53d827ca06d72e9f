//! The billing adjustments of the buyer's agreements: they need no approval of the buyer's,
//! so the buyer is told what each gives back, why, and where and when the money goes.

use leptos::prelude::*;
use workbench_core::adjustment::AdjustmentStatus;
use workbench_core::book::{BuyerAdjustment, Page};
use workbench_core::ids::AccountId;
use workbench_link::words::local_time;

use crate::components::pager::Pager;
use crate::state::use_app;

/// "Billing adjustments from your sellers", newest first.
#[component]
pub fn AdjustmentsFromSellers(account: AccountId) -> impl IntoView {
    let app = use_app();
    let page = RwSignal::new(0usize);
    let adjustments = Memo::new(move |_| {
        app.book
            .with(|b| Page::of(b.buyer_adjustments(&account), page.get()))
    });
    view! {
        <section aria-labelledby="buyer-adjustments-heading">
            <h2 id="buyer-adjustments-heading">"Billing adjustments from your sellers"</h2>
            <p class="hint">"A seller refunds an invoice with a billing adjustment. It needs no approval from you: AWS processes it once it is validated, and you see it as a credit memo."</p>
            {move || adjustments.with(|p| p.total == 0).then(|| view! { <p>"No seller has made a billing adjustment on your agreements."</p> })}
            <ul class="adjustments">
                {move || adjustments.get().items.into_iter().map(|a| view! { <AdjustmentItem adjustment=a/> }).collect_view()}
            </ul>
            <Show when=move || adjustments.with(|p| p.pages > 1)>
                <Pager label="Pages of billing adjustments" page=page shown=Signal::derive(move || adjustments.with(Page::at))/>
            </Show>
        </section>
    }
}

#[component]
fn AdjustmentItem(adjustment: BuyerAdjustment) -> impl IntoView {
    let a = adjustment;
    let failed = a.status == AdjustmentStatus::ValidationFailed;
    let when = if failed {
        a.status_message.clone()
    } else {
        a.timing
            .clone()
            .unwrap_or_else(|| "No money moves: the invoice's balance goes down instead.".into())
    };
    view! {
        <li class="panel">
            <p><strong>{format!("{} on invoice {} of agreement {}", a.amount, a.invoice, a.agreement)}</strong>
                {format!(" ({}, {})", a.status.label(), local_time(a.created_at))}</p>
            <dl class="terms">
                <dt>"Reason"</dt><dd class="user-text">{format!("{}: {}", a.reason_code.label(), a.reason)}</dd>
                <dt>"Where the money goes"</dt><dd>{a.destination.words()}</dd>
                <dt>{if failed { "Why it was not made" } else { "When" }}</dt><dd>{when}</dd>
            </dl>
        </li>
    }
}
