//! The buyer's decision on a cancellation request, drawn by the workbench's buyer view. The
//! decision itself (its state, rules and words) is the link crate's `DecisionForm`, which
//! the buyer's own page draws too.

use leptos::prelude::*;
use workbench_core::ids::AgreementId;
use workbench_core::link::Decision;
use workbench_link::decision::{self, DecisionForm, Mode};

/// The buyer's answer to one pending request. Where the answer goes is `decide`'s
/// business, and so is its error type, which names what went wrong there: the form shows
/// its words, and the reason typed stays.
#[component]
pub fn ApproveOrReject<E>(
    agreement: AgreementId,
    decide: Callback<Decision, Result<(), E>>,
) -> impl IntoView
where
    E: std::error::Error + 'static,
{
    let form = RwSignal::new(DecisionForm::default());
    let mode = Memo::new(move |_| form.with(DecisionForm::mode));
    let question = decision::approve_question(&agreement);
    let field = decision::reason_field_id(&agreement);
    let show = move |to: Mode| move |_| form.update(|f| f.show(to));
    let send = move || {
        let Some(answer) = form.with_untracked(DecisionForm::decision) else {
            return;
        };
        // Deciding may take this request off the page: the form is told only if it is
        // still there.
        let outcome = decide.run(answer);
        form.try_update(|f| f.settle(outcome));
    };
    view! {
        <div class="decision">
            {move || match mode.get() {
                Mode::Choosing => view! {
                    <div class="buttons">
                        <button type="button" on:click=show(Mode::Approving)>{decision::APPROVE}</button>
                        <button type="button" class="secondary" on:click=show(Mode::Rejecting)>{decision::REJECT}</button>
                    </div>
                }.into_any(),
                Mode::Approving => view! {
                    <div class="panel" role="alertdialog" aria-labelledby=decision::QUESTION_ID>
                        <p id=decision::QUESTION_ID>{question.clone()}</p>
                        <div class="buttons">
                            <button type="button" on:click=move |_| send()>{decision::CONFIRM_APPROVAL}</button>
                            <button type="button" class="secondary" on:click=show(Mode::Choosing)>{decision::GO_BACK}</button>
                        </div>
                    </div>
                }.into_any(),
                Mode::Rejecting => view! {
                    <form class="panel" novalidate on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); send(); }>
                        <div class="field">
                            <label for=field.clone()>{decision::REASON_LABEL}</label>
                            <textarea id=field.clone()
                                prop:value=move || form.with(|f| f.reason().to_string())
                                on:input=move |ev| form.update(|f| f.type_reason(event_target_value(&ev)))></textarea>
                            <span class="hint">{decision::REASON_HINT}</span>
                        </div>
                        <div class="buttons">
                            <button type="submit">{decision::SEND_REJECTION}</button>
                            <button type="button" class="secondary" on:click=show(Mode::Choosing)>{decision::GO_BACK}</button>
                        </div>
                    </form>
                }.into_any(),
            }}
            <p class="field-error" role="alert">{move || form.with(|f| f.error().map(str::to_string))}</p>
        </div>
    }
}
