//! The refunds AWS processed for the buyer through a seller's support case (the legacy
//! "Request refund" route), with when they reach the buyer's AWS bill and bank.

use chrono::Duration;
use leptos::prelude::*;
use workbench_core::families::support_case::BUYER_REFUND_TIMING;
use workbench_core::ids::AccountId;
use workbench_link::words::local_time;

use crate::state::use_app;

/// "Refunds from AWS": one line per refund a completed support case gave this buyer.
#[component]
pub fn RefundsFromAws(account: AccountId) -> impl IntoView {
    let app = use_app();
    let refunds = Memo::new(move |_| {
        app.book.with(|b| {
            b.support_cases()
                .values()
                .filter_map(|v| v.record.outcome.as_ref())
                .filter_map(|done| {
                    let record = b.record(&done.agreement)?;
                    let refund = done.refund.as_ref()?;
                    (record.agreement.buyer == account).then(|| {
                        let product = b
                            .directory()
                            .product(&record.agreement.product)
                            .map_or(record.agreement.product.to_string(), |p| p.name.clone());
                        format!(
                            "{} refunded on invoice {} of agreement {} ({product}) on {}, in your \
                             AWS billing account by {}.",
                            refund.amount,
                            refund.invoice,
                            done.agreement,
                            local_time(done.at),
                            local_time(done.at + Duration::hours(48)),
                        )
                    })
                })
                .collect::<Vec<_>>()
        })
    });
    view! {
        <Show when=move || refunds.with(|r| !r.is_empty())>
            <section aria-labelledby="aws-refunds-heading">
                <h2 id="aws-refunds-heading">"Refunds from AWS"</h2>
                <ul>
                    {move || refunds.get().into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
                </ul>
                <p>{BUYER_REFUND_TIMING}</p>
            </section>
        </Show>
    }
}
