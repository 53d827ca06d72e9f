//! /: what the workbench is for, and the way in.

use leptos::prelude::*;
use leptos_router::components::A;
use workbench_core::cancellation::AUTO_APPROVAL_AFTER;

use crate::components::page_title::PageTitle;
use crate::pages::reports::ThisMonthLink;
use crate::work_queue::{use_work_queue, waiting_words};

/// What the app is for, and the way into each side of the workflow.
#[component]
pub fn HomePage() -> impl IntoView {
    const DAYS: i64 = AUTO_APPROVAL_AFTER.num_days();
    let queue = use_work_queue();
    view! {
        <PageTitle text="Home"/>
        <h1>"Cancel subscriptions and refund buyers, with every step on record"</h1>
        <p class="lede">{format!(
            "A seller finds a buyer's agreement, asks to cancel it with a specific reason and \
             shares a confirmation link. The buyer opens the link on their own device and \
             approves or rejects. Without an answer, the request is approved automatically \
             after {DAYS} days. Refunds are separate billing adjustments against invoices."
        )}</p>
        <div class="cards">
            <section class="card" aria-labelledby="for-sellers">
                <h2 id="for-sellers">"For sellers"</h2>
                <p>
                    "Find an agreement, request its cancellation, apply billing adjustments and \
                     follow each case to the end."
                </p>
                <p class="waiting">
                    <A href="/seller/attention">{move || waiting_words(queue.count())}</A>
                </p>
                <ThisMonthLink/>
                <A href="/seller">"Open the seller console"</A>
            </section>
            <section class="card" aria-labelledby="for-buyers">
                <h2 id="for-buyers">"For buyers"</h2>
                <p>
                    "See your agreements and the cancellations waiting for your answer, and \
                     approve or reject them."
                </p>
                <A href="/buyer">"Open the buyer view"</A>
            </section>
        </div>
        <section aria-labelledby="families">
            <h2 id="families">"Four billing families"</h2>
            <ul>
                <li><strong>"AWS Marketplace: "</strong>{format!("the seller requests, the buyer approves or rejects within {DAYS} days, refunds are billing adjustments.")}</li>
                <li><strong>"Amazon FPS: "</strong>"the seller cancels at once and may refund part of the last payment."</li>
                <li><strong>"Amazon DevPay: "</strong>"the buyer cancels at once and gets back the unused part of the monthly charge."</li>
                <li><strong>"Alibaba Cloud: "</strong>"the buyer unsubscribes; Alibaba's rules decide where the money goes."</li>
            </ul>
        </section>
    }
}
