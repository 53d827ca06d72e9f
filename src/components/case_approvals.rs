//! The cancellations AWS asks a buyer to approve on a seller's support case: a contract's
//! cancellation needs both the buyer's and the seller's approval, coordinated through AWS
//! (source 001). The buyer approves or rejects here; AWS reads the case a day later.

use leptos::prelude::*;
use workbench_core::book::{Actor, AnswerSupportCase};
use workbench_core::ids::AccountId;
use workbench_core::key::SupportCaseId;

use crate::state::use_app;

/// "Cancellations AWS asks you to approve": one per support case waiting for this buyer.
#[component]
pub fn CaseApprovals(account: AccountId) -> impl IntoView {
    let app = use_app();
    let buyer = account.clone();
    let waiting = Memo::new(move |_| {
        app.book.with(|b| {
            b.support_cases()
                .values()
                .map(|v| &v.record)
                .filter(|c| c.awaiting_buyer.is_some() && c.subscriber == buyer)
                .map(|c| c.id.clone())
                .collect::<Vec<_>>()
        })
    });
    let answered = RwSignal::new(None::<String>);
    view! {
        <section aria-labelledby="case-approvals-heading">
            <h2 id="case-approvals-heading">"Cancellations AWS asks you to approve"</h2>
            <p role="status" class="outcome">{move || answered.get()}</p>
            <Show when=move || waiting.with(Vec::is_empty)>
                <p>"AWS is not asking you about any cancellation."</p>
            </Show>
            <For each=move || waiting.get() key=|id| id.clone() let:id>
                <CaseToApprove id account=account.clone() answered/>
            </For>
        </section>
    }
}

/// One case: what the seller asked AWS, what AWS asks, and the buyer's two answers.
#[component]
fn CaseToApprove(
    id: SupportCaseId,
    account: AccountId,
    answered: RwSignal<Option<String>>,
) -> impl IntoView {
    let app = use_app();
    let Some(case) = app
        .book
        .with_untracked(|b| b.support_cases().get(&id).map(|v| v.record.clone()))
    else {
        return ().into_any();
    };
    let product = app.book.with_untracked(|b| {
        b.directory()
            .product(&case.product)
            .map_or(case.product.to_string(), |p| p.name.clone())
    });
    let error = RwSignal::new(None::<String>);
    let key = StoredValue::new(id.clone());
    let answer = move |approve: bool| {
        let command = AnswerSupportCase {
            case: key.get_value(),
            approve,
        };
        match app.act(command, &Actor::Buyer(account.clone())) {
            Ok(()) => answered.set(Some(answer_words(&key.get_value(), approve))),
            Err(problem) => error.set(Some(problem.to_string())),
        }
    };
    let answer = StoredValue::new(answer);
    let heading = format!("Support case {id}");
    let heading_id = format!("approve-{id}");
    let labelled_by = heading_id.clone();
    view! {
        <article class="panel" aria-labelledby=labelled_by>
            <h3 id=heading_id>{heading}</h3>
            <dl>
                <dt>"Product"</dt><dd>{product}</dd>
                <dt>"The seller asked AWS"</dt><dd class="user-text">{case.comments.clone()}</dd>
                <dt>"AWS asks you"</dt><dd>{case.buyer_question()}</dd>
            </dl>
            <div class="buttons">
                <button type="button" on:click=move |_| answer.with_value(|a| a(true))>"Approve the cancellation"</button>
                <button type="button" class="secondary" on:click=move |_| answer.with_value(|a| a(false))>"Reject the cancellation"</button>
            </div>
            <p class="field-error" role="alert">{move || error.get()}</p>
        </article>
    }
    .into_any()
}

fn answer_words(id: &SupportCaseId, approve: bool) -> String {
    let verb = if approve { "approved" } else { "rejected" };
    format!(
        "You {verb} the cancellation on support case {id}. AWS reads the case again within a day."
    )
}
