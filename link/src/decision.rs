//! The buyer's decision on a cancellation request: approve, or reject with a reason.

use leptos::prelude::*;
use workbench_core::ids::AgreementId;
use workbench_core::link::Decision;

/// The buyer's answer to one pending request: "Approve" (after saying plainly that the
/// agreement will be cancelled) or "Reject" with a reason the seller will read. Where the
/// answer goes (this browser's book, or a receipt for the seller) is `decide`'s business,
/// and so is its error type, which names what went wrong there: the page shows its words,
/// and the reason typed stays.
#[component]
pub fn ApproveOrReject<E>(
    agreement: AgreementId,
    decide: Callback<Decision, Result<(), E>>,
) -> impl IntoView
where
    E: std::error::Error + 'static,
{
    let mode = RwSignal::new(Mode::Choosing);
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let agreement = StoredValue::new(agreement);
    let decide = move |approve: bool| {
        let answer = if approve {
            Decision::Approve
        } else {
            Decision::Reject(reason.get_untracked())
        };
        match decide.run(answer) {
            Ok(()) => error.set(None),
            Err(problem) => error.set(Some(problem.to_string())),
        }
    };
    let agreement_text = move || agreement.with_value(|a| a.to_string());
    view! {
        <div class="decision">
            {move || match mode.get() {
                Mode::Choosing => view! {
                    <div class="buttons">
                        <button type="button" on:click=move |_| mode.set(Mode::Approving)>"Approve"</button>
                        <button type="button" class="secondary" on:click=move |_| mode.set(Mode::Rejecting)>"Reject"</button>
                    </div>
                }.into_any(),
                Mode::Approving => view! {
                    <div class="panel" role="alertdialog" aria-labelledby="approve-question">
                        <p id="approve-question">{move || format!("Approving cancels agreement {} for good. Refunds, if any, come separately from the seller.", agreement_text())}</p>
                        <div class="buttons">
                            <button type="button" on:click=move |_| decide(true)>"Yes, approve and cancel the agreement"</button>
                            <button type="button" class="secondary" on:click=move |_| mode.set(Mode::Choosing)>"Go back"</button>
                        </div>
                    </div>
                }.into_any(),
                Mode::Rejecting => view! {
                    <form class="panel" novalidate on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); decide(false); }>
                        <div class="field">
                            <label for=move || format!("rejection-{}", agreement_text())>"Rejection reason"</label>
                            <textarea id=move || format!("rejection-{}", agreement_text())
                                prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                            <span class="hint">"The seller will read this."</span>
                        </div>
                        <div class="buttons">
                            <button type="submit">"Send rejection"</button>
                            <button type="button" class="secondary" on:click=move |_| mode.set(Mode::Choosing)>"Go back"</button>
                        </div>
                    </form>
                }.into_any(),
            }}
            <p class="field-error" role="alert">{move || error.get()}</p>
        </div>
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Choosing,
    Approving,
    Rejecting,
}
