//! "Request cancellation" and "Withdraw request": the seller's forms on an agreement, whose
//! typed text outlives every redraw. What each form holds and decides is
//! [`CancellationForm`] or [`WithdrawalForm`]; these components draw them.

use leptos::ev::{Event, SubmitEvent};
use leptos::prelude::*;
use workbench_core::agreement::Agreement;
use workbench_core::book::{Actor, AgreementRecord};
use workbench_core::cancellation::{
    coordination_note, CancellationReasonCode, CancellationRequest, AUTO_APPROVAL_AFTER,
    DESCRIPTION_MAX,
};
use workbench_core::ids::IdSource;
use workbench_link::words::local_time;

use crate::browser_ids::BrowserIds;
use crate::components::aws_cli::AwsCliCommand;
use crate::components::request_form_state::{
    CancellationForm, RequestField, TextField, WithdrawalForm,
};
use crate::focus::focus_when_drawn;
use crate::state::use_app;

/// The cancellation form as the agreement's page keeps it: it lives as long as the page, so
/// a re-render (another tab's write, a failed submit) never loses what was typed.
#[derive(Clone, Copy)]
pub struct CancelDraft(RwSignal<CancellationForm>);

impl CancelDraft {
    pub fn new() -> Self {
        Self::of(CancellationForm::default())
    }

    /// A draft that starts as `form`: a buyer's request filled in.
    pub fn of(form: CancellationForm) -> Self {
        CancelDraft(RwSignal::new(form))
    }
}

impl Default for CancelDraft {
    fn default() -> Self {
        Self::new()
    }
}

/// "Request cancellation": reason code, a specific reason, additional details, a review of
/// it all, then "Submit cancellation request". Once submitted there is no undo.
#[component]
pub fn RequestCancellation(record: AgreementRecord, draft: CancelDraft) -> impl IntoView {
    let CancelDraft(form) = draft;
    let agreement = StoredValue::new(record.agreement);
    let start = move |_| {
        form.update(|f| f.open(|| format!("form-{}", BrowserIds.next_suffix())));
    };
    view! {
        <Show
            when=move || form.with(CancellationForm::is_open)
            fallback=move || view! { <button type="button" on:click=start>"Request cancellation"</button> }
        >
            <Show
                when=move || form.with(CancellationForm::is_reviewing)
                fallback=move || view! { <CancellationFields agreement=agreement form=form/> }
            >
                <CancellationReview agreement=agreement form=form/>
            </Show>
        </Show>
    }
}

/// The form's first step: the reason and the details, then "Review request", which the core
/// checks.
#[component]
fn CancellationFields(
    agreement: StoredValue<Agreement>,
    form: RwSignal<CancellationForm>,
) -> impl IntoView {
    let app = use_app();
    let (pricing, start, offer) = agreement.with_value(|a| (a.pricing, a.start, a.offer.clone()));
    let private = app
        .book
        .with_untracked(|b| b.directory().offer(&offer).is_some_and(|o| o.private));
    let coordination = move || coordination_note(pricing, private, start, app.now.get());
    let review = move |ev: SubmitEvent| {
        ev.prevent_default();
        form.update(|f| {
            f.review();
        });
    };
    view! {
        <form class="panel" on:submit=review novalidate aria-labelledby="cancel-form-heading">
            <h3 id="cancel-form-heading">"Request cancellation"</h3>
            <p>{format!(
                "This ends the agreement once the buyer approves, or automatically after {} days. It refunds nothing: use a billing adjustment for that.",
                AUTO_APPROVAL_AFTER.num_days()
            )}</p>
            {move || coordination().map(|note| view! { <p class="note">{note}</p> })}
            <ReasonCodeField form=form/>
            <ReasonField form=form/>
            <AdditionalDetailsFields form=form/>
            <p class="field-error" role="alert">{error_beside(form, RequestField::Form)}</p>
            <div class="buttons">
                <button type="submit">"Review request"</button>
                <button type="button" class="secondary" on:click=move |_| form.update(CancellationForm::close)>"Close the form"</button>
            </div>
        </form>
    }
}

/// The refusal shown beside `field`, as the view draws it.
fn error_beside(
    form: RwSignal<CancellationForm>,
    field: RequestField,
) -> impl Fn() -> Option<String> + Copy {
    move || form.with(|f| f.error_beside(field).map(str::to_string))
}

/// A text of the form, as typed.
fn text(form: RwSignal<CancellationForm>, field: TextField) -> impl Fn() -> String + Copy {
    move || form.with(|f| f.text(field).to_string())
}

/// What typing into a text field of the form changes.
fn typing(form: RwSignal<CancellationForm>, field: TextField) -> impl Fn(Event) + Copy {
    move |ev| form.update(|f| f.type_text(field, event_target_value(&ev)))
}

/// "Reason code": the API's reasons for a cancellation.
#[component]
fn ReasonCodeField(form: RwSignal<CancellationForm>) -> impl IntoView {
    let error = error_beside(form, RequestField::ReasonCode);
    view! {
        <div class="field">
            <label for="reason-code">"Reason code"</label>
            <select id="reason-code" aria-describedby="reason-code-error"
                aria-invalid=move || error().is_some().to_string()
                prop:value=move || form.with(CancellationForm::reason_code).map_or("", CancellationReasonCode::code)
                on:change=move |ev| form.update(|f| f.choose_reason_code(CancellationReasonCode::from_code(&event_target_value(&ev))))>
                <option value="">"Choose a reason code"</option>
                {CancellationReasonCode::ALL.into_iter().map(|c| view! { <option value=c.code()>{c.label()}</option> }).collect_view()}
            </select>
            <span class="field-error" id="reason-code-error">{error}</span>
        </div>
    }
}

/// "Reason": why, specifically, with a count of its characters and the core's warning when
/// it says nothing specific.
#[component]
fn ReasonField(form: RwSignal<CancellationForm>) -> impl IntoView {
    let error = error_beside(form, RequestField::Reason);
    let reason = text(form, TextField::Reason);
    view! {
        <div class="field">
            <label for="reason">"Reason"</label>
            <textarea id="reason" aria-describedby="reason-hint reason-warning reason-error"
                aria-invalid=move || error().is_some().to_string()
                prop:value=reason
                on:input=typing(form, TextField::Reason)></textarea>
            <span class="hint" id="reason-hint">{move || format!("Say specifically why, for example \"Buyer migrating to a different product offer.\" {} of {DESCRIPTION_MAX} characters.", reason().chars().count())}</span>
            <span class="warning" id="reason-warning">{move || form.with(CancellationForm::reason_warning)}</span>
            <span class="field-error" id="reason-error">{error}</span>
        </div>
    }
}

/// The optional details: a support case, the buyer's reference, the next step, and notes.
#[component]
fn AdditionalDetailsFields(form: RwSignal<CancellationForm>) -> impl IntoView {
    use TextField::{BuyerReference, Details, NextStep, SupportCase};
    view! {
        <div class="field">
            <label for="support-case">"Support case ID"</label>
            <input id="support-case" type="text" prop:value=text(form, SupportCase) on:input=typing(form, SupportCase)/>
        </div>
        <div class="field">
            <label for="buyer-reference">"Buyer's request reference"</label>
            <input id="buyer-reference" type="text" prop:value=text(form, BuyerReference) on:input=typing(form, BuyerReference)/>
        </div>
        <div class="field">
            <label for="next-step">"Intended next step"</label>
            <input id="next-step" type="text" placeholder="Replacing with a new offer, full exit…" prop:value=text(form, NextStep)
                on:input=typing(form, NextStep)/>
        </div>
        <div class="field">
            <label for="details">"Additional details"</label>
            <textarea id="details" aria-describedby="details-hint details-error" prop:value=text(form, Details)
                on:input=typing(form, Details)></textarea>
            <span class="hint" id="details-hint">"Coordination with the buyer or your finance team, anything AWS should know."</span>
            <span class="field-error" id="details-error">{error_beside(form, RequestField::Details)}</span>
        </div>
    }
}

/// The form's second step: everything typed, what the link will cut, the AWS CLI command,
/// then "Submit cancellation request".
#[component]
fn CancellationReview(
    agreement: StoredValue<Agreement>,
    form: RwSignal<CancellationForm>,
) -> impl IntoView {
    let app = use_app();
    // What "Submit cancellation request" sends, worked out again each time the review opens.
    let to_send = Memo::new(move |_| form.with(|f| agreement.with_value(|a| f.command(&a.id))));
    let submit = move |_| {
        let Some(command) = to_send.get_untracked() else {
            return;
        };
        let seller = agreement.with_value(|a| a.seller.clone());
        match app.act(command, &Actor::Seller(seller)) {
            Ok(id) => {
                if let Some(focus) = form.try_update(|f| f.sent(id)) {
                    focus_when_drawn(focus);
                }
            }
            Err(problem) => form.update(|f| f.refused(&problem)),
        }
    };
    use TextField::{BuyerReference, Details, NextStep, Reason, SupportCase};
    view! {
        <section class="panel" aria-labelledby="review-heading">
            <h3 id="review-heading">"Review the cancellation request"</h3>
            <p class="note">"Once submitted there is no undo: reversing a cancellation needs a new offer and agreement."</p>
            <dl class="terms">
                <dt>"Reason code"</dt><dd>{move || form.with(CancellationForm::reason_code).map(|c| c.label()).unwrap_or_default()}</dd>
                <dt>"Reason"</dt><dd class="user-text">{text(form, Reason)}</dd>
                <dt>"Support case ID"</dt><dd class="user-text">{text(form, SupportCase)}</dd>
                <dt>"Buyer's request reference"</dt><dd class="user-text">{text(form, BuyerReference)}</dd>
                <dt>"Intended next step"</dt><dd class="user-text">{text(form, NextStep)}</dd>
                <dt>"Additional details"</dt><dd class="user-text">{text(form, Details)}</dd>
            </dl>
            {move || form.with(CancellationForm::link_note).map(|note| view! { <p class="note" id="link-length-note">{note}</p> })}
            <AwsCliCommand id="send-cli" command=Signal::derive(move || to_send.get().map(Into::into))/>
            <div class="buttons">
                <button type="button" on:click=submit>"Submit cancellation request"</button>
                <button type="button" class="secondary" on:click=move |_| form.update(CancellationForm::back_to_editing)>"Edit"</button>
            </div>
        </section>
    }
}

/// The confirmation that follows "Submit cancellation request": the
/// request went to AWS for processing, with its ID and the moment it is approved on its own.
#[component]
pub fn RequestSubmitted(request: CancellationRequest, draft: CancelDraft) -> impl IntoView {
    let CancelDraft(form) = draft;
    let id = request.id.clone();
    let message = format!(
        "Your cancellation request {} has been submitted to AWS for processing. Share the link \
         below with the buyer to expedite it: if the buyer does not approve or reject it by {}, \
         it is approved automatically.",
        request.id,
        local_time(request.deadline())
    );
    view! {
        <p role="status" class="outcome" id="request-outcome" tabindex="-1">
            {move || form.with(|f| f.submitted() == Some(&id)).then(|| message.clone())}
        </p>
    }
}

/// The withdrawal form as the agreement's page keeps it. The page redraws the form whenever
/// the record changes (the clock, an adjustment being processed): the reason typed must
/// outlive those redraws.
#[derive(Clone, Copy)]
pub struct WithdrawDraft(RwSignal<WithdrawalForm>);

impl WithdrawDraft {
    pub fn new() -> Self {
        WithdrawDraft(RwSignal::new(WithdrawalForm::default()))
    }
}

impl Default for WithdrawDraft {
    fn default() -> Self {
        Self::new()
    }
}

/// "Withdraw request": the seller takes a pending request back, with a reason.
#[component]
pub fn WithdrawRequest(record: AgreementRecord, draft: WithdrawDraft) -> impl IntoView {
    let app = use_app();
    let WithdrawDraft(form) = draft;
    let Some(request) = record.pending_request().cloned() else {
        return ().into_any();
    };
    let agreement = record.agreement;
    let seller = StoredValue::new(agreement.seller);
    let to_send = Memo::new(move |_| Some(form.with(|f| f.command(&agreement.id, &request.id))));
    let confirm = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(command) = to_send.get_untracked() else {
            return;
        };
        match app.act(command, &Actor::Seller(seller.get_value())) {
            Ok(()) => {
                if let Some(focus) = form.try_update(WithdrawalForm::withdrawn) {
                    focus_when_drawn(focus);
                }
            }
            Err(problem) => form.update(|f| f.refused(&problem)),
        }
    };
    view! {
        <Show
            when=move || form.with(WithdrawalForm::is_open)
            fallback=move || view! { <button type="button" class="secondary" on:click=move |_| form.update(WithdrawalForm::open)>"Withdraw request"</button> }
        >
            <form class="panel" on:submit=confirm novalidate>
                <div class="field">
                    <label for="withdraw-reason">"Reason for withdrawing"</label>
                    <textarea id="withdraw-reason" aria-describedby="withdraw-error"
                        prop:value=move || form.with(|f| f.reason().to_string())
                        on:input=move |ev| form.update(|f| f.type_reason(event_target_value(&ev)))></textarea>
                    <span class="field-error" id="withdraw-error" role="alert">{move || form.with(|f| f.error().map(str::to_string))}</span>
                </div>
                <AwsCliCommand id="withdraw-cli" command=Signal::derive(move || to_send.get().map(Into::into))/>
                <div class="buttons">
                    <button type="submit">"Confirm withdrawal"</button>
                    <button type="button" class="secondary" on:click=move |_| form.update(WithdrawalForm::keep)>"Keep the request"</button>
                </div>
            </form>
        </Show>
    }
    .into_any()
}
