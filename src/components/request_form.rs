//! "Request cancellation" and "Withdraw request": the seller's forms on an agreement, whose
//! typed text outlives every redraw.

use leptos::prelude::*;
use workbench_core::book::{
    Actor, AgreementRecord, DomainError, SendCancellation, WithdrawCancellation,
};
use workbench_core::cancellation::{
    check_request, coordination_note, vague_reason_warning, AdditionalDetails, CancellationError,
    CancellationReasonCode, CancellationRequest, AUTO_APPROVAL_AFTER, DESCRIPTION_MAX,
};
use workbench_core::confirmation::{
    carried, details_for_buyer, Carried, DETAILS_BYTES_IN_LINK, REASON_BYTES_IN_LINK,
};
use workbench_core::ids::{ClientToken, IdSource, RequestId};
use workbench_link::words::local_time;

use crate::browser_ids::BrowserIds;
use crate::components::aws_cli::AwsCliCommand;
use crate::error::AppError;
use crate::focus::focus_when_drawn;
use crate::state::use_app;

/// What the seller has typed into the cancellation form. It lives as long as the page, so a
/// re-render (another tab's write, a failed submit) never loses it.
#[derive(Clone, Copy)]
pub struct CancelDraft {
    open: RwSignal<bool>,
    reviewing: RwSignal<bool>,
    reason_code: RwSignal<Option<CancellationReasonCode>>,
    reason: RwSignal<String>,
    support_case: RwSignal<String>,
    buyer_reference: RwSignal<String>,
    next_step: RwSignal<String>,
    details: RwSignal<String>,
    /// One token per form: a double click, a retry or a second tab sends the same request.
    token: RwSignal<String>,
    error: RwSignal<Option<(RequestField, String)>>,
    /// The request this form sent, for the confirmation that follows it.
    submitted: RwSignal<Option<RequestId>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RequestField {
    ReasonCode,
    Reason,
    Details,
    Form,
}

impl CancelDraft {
    pub fn new() -> Self {
        CancelDraft {
            open: RwSignal::new(false),
            reviewing: RwSignal::new(false),
            reason_code: RwSignal::new(None),
            reason: RwSignal::new(String::new()),
            support_case: RwSignal::new(String::new()),
            buyer_reference: RwSignal::new(String::new()),
            next_step: RwSignal::new(String::new()),
            details: RwSignal::new(String::new()),
            token: RwSignal::new(String::new()),
            error: RwSignal::new(None),
            submitted: RwSignal::new(None),
        }
    }

    fn additional(&self) -> AdditionalDetails {
        AdditionalDetails {
            support_case_id: self.support_case.get_untracked(),
            buyer_reference: self.buyer_reference.get_untracked(),
            next_step: self.next_step.get_untracked(),
            coordination_notes: self.details.get_untracked(),
        }
    }

    fn error_for(&self, field: RequestField) -> impl Fn() -> Option<String> + Copy + 'static {
        let error = self.error;
        move || error.get().filter(|(f, _)| *f == field).map(|(_, m)| m)
    }
}

impl Default for CancelDraft {
    fn default() -> Self {
        Self::new()
    }
}

fn field_of(error: &CancellationError) -> RequestField {
    match error {
        CancellationError::MissingReasonCode => RequestField::ReasonCode,
        CancellationError::Required { .. } | CancellationError::TooLong { .. } => {
            RequestField::Reason
        }
        CancellationError::DetailTooLong { .. } => RequestField::Details,
        CancellationError::Conflict(_) => RequestField::Form,
    }
}

/// "Request cancellation": reason code, a specific reason, additional details, a review of
/// it all, then "Submit cancellation request". Once submitted there is no undo.
#[component]
pub fn RequestCancellation(record: AgreementRecord, draft: CancelDraft) -> impl IntoView {
    let app = use_app();
    let agreement = record.agreement.clone();
    let private = app.book.with_untracked(|b| {
        b.directory
            .offer(&agreement.offer)
            .is_some_and(|o| o.private)
    });
    let coordination =
        move || coordination_note(agreement.pricing, private, agreement.start, app.now.get());
    let parties = StoredValue::new((record.agreement.id.clone(), record.agreement.seller.clone()));

    let review = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match check_request(
            draft.reason_code.get_untracked(),
            &draft.reason.get_untracked(),
            draft.additional(),
        ) {
            Ok(_) => {
                draft.error.set(None);
                draft.reviewing.set(true);
            }
            Err(e) => draft.error.set(Some((field_of(&e), e.to_string()))),
        }
    };
    // What "Submit cancellation request" sends, worked out again each time the review opens.
    let to_send = Memo::new(move |_| {
        draft.reviewing.get().then_some(())?;
        let client_token = ClientToken::parse(&draft.token.get()).ok()?;
        Some(SendCancellation {
            agreement_id: parties.get_value().0,
            reason_code: draft.reason_code.get(),
            description: draft.reason.get(),
            details: draft.additional(),
            client_token,
        })
    });
    let submit = {
        move |_| {
            let Some(command) = to_send.get_untracked() else {
                return;
            };
            let seller = parties.get_value().1;
            match app.act(command, &Actor::Seller(seller)) {
                Ok(id) => {
                    draft.submitted.set(Some(id));
                    draft.token.set(String::new());
                    draft.open.set(false);
                    draft.reviewing.set(false);
                    draft.error.set(None);
                    focus_when_drawn("request-outcome");
                }
                Err(problem) => {
                    let field = match &problem {
                        AppError::Domain(DomainError::Cancellation(e)) => field_of(e),
                        _ => RequestField::Form,
                    };
                    draft.reviewing.set(false);
                    draft.error.set(Some((field, problem.to_string())));
                }
            }
        }
    };
    let start = move |_| {
        if draft.token.get_untracked().is_empty() {
            draft
                .token
                .set(format!("form-{}", BrowserIds.next_suffix()));
        }
        draft.submitted.set(None);
        draft.open.set(true);
    };

    view! {
        <Show
            when=move || draft.open.get()
            fallback=move || view! { <button type="button" on:click=start>"Request cancellation"</button> }
        >
            <Show
                when=move || draft.reviewing.get()
                fallback=move || view! {
                    <form class="panel" on:submit=review novalidate aria-labelledby="cancel-form-heading">
                        <h3 id="cancel-form-heading">"Request cancellation"</h3>
                        <p>{format!(
                            "This ends the agreement once the buyer approves, or automatically after {} days. It refunds nothing: use a billing adjustment for that.",
                            AUTO_APPROVAL_AFTER.num_days()
                        )}</p>
                        {move || coordination().map(|note| view! { <p class="note">{note}</p> })}
                        <div class="field">
                            <label for="reason-code">"Reason code"</label>
                            <select id="reason-code" aria-describedby="reason-code-error"
                                aria-invalid=move || draft.error_for(RequestField::ReasonCode)().is_some().to_string()
                                prop:value=move || draft.reason_code.get().map_or("", CancellationReasonCode::code)
                                on:change=move |ev| draft.reason_code.set(CancellationReasonCode::from_code(&event_target_value(&ev)))>
                                <option value="">"Choose a reason code"</option>
                                {CancellationReasonCode::ALL.into_iter().map(|c| view! { <option value=c.code()>{c.label()}</option> }).collect_view()}
                            </select>
                            <span class="field-error" id="reason-code-error">{draft.error_for(RequestField::ReasonCode)}</span>
                        </div>
                        <div class="field">
                            <label for="reason">"Reason"</label>
                            <textarea id="reason" aria-describedby="reason-hint reason-warning reason-error"
                                aria-invalid=move || draft.error_for(RequestField::Reason)().is_some().to_string()
                                prop:value=move || draft.reason.get()
                                on:input=move |ev| draft.reason.set(event_target_value(&ev))></textarea>
                            <span class="hint" id="reason-hint">{move || format!("Say specifically why, for example \"Buyer migrating to a different product offer.\" {} of {DESCRIPTION_MAX} characters.", draft.reason.get().chars().count())}</span>
                            <span class="warning" id="reason-warning">{move || {
                                let text = draft.reason.get();
                                (!text.trim().is_empty()).then(|| vague_reason_warning(&text)).flatten()
                            }}</span>
                            <span class="field-error" id="reason-error">{draft.error_for(RequestField::Reason)}</span>
                        </div>
                        <div class="field">
                            <label for="support-case">"Support case ID"</label>
                            <input id="support-case" type="text" prop:value=move || draft.support_case.get()
                                on:input=move |ev| draft.support_case.set(event_target_value(&ev))/>
                        </div>
                        <div class="field">
                            <label for="buyer-reference">"Buyer's request reference"</label>
                            <input id="buyer-reference" type="text" prop:value=move || draft.buyer_reference.get()
                                on:input=move |ev| draft.buyer_reference.set(event_target_value(&ev))/>
                        </div>
                        <div class="field">
                            <label for="next-step">"Intended next step"</label>
                            <input id="next-step" type="text" placeholder="Replacing with a new offer, full exit…" prop:value=move || draft.next_step.get()
                                on:input=move |ev| draft.next_step.set(event_target_value(&ev))/>
                        </div>
                        <div class="field">
                            <label for="details">"Additional details"</label>
                            <textarea id="details" aria-describedby="details-hint details-error" prop:value=move || draft.details.get()
                                on:input=move |ev| draft.details.set(event_target_value(&ev))></textarea>
                            <span class="hint" id="details-hint">"Coordination with the buyer or your finance team, anything AWS should know."</span>
                            <span class="field-error" id="details-error">{draft.error_for(RequestField::Details)}</span>
                        </div>
                        <p class="field-error" role="alert">{draft.error_for(RequestField::Form)}</p>
                        <div class="buttons">
                            <button type="submit">"Review request"</button>
                            <button type="button" class="secondary" on:click=move |_| draft.open.set(false)>"Close the form"</button>
                        </div>
                    </form>
                }
            >
                <section class="panel" aria-labelledby="review-heading">
                    <h3 id="review-heading">"Review the cancellation request"</h3>
                    <p class="note">"Once submitted there is no undo: reversing a cancellation needs a new offer and agreement."</p>
                    <dl class="terms">
                        <dt>"Reason code"</dt><dd>{move || draft.reason_code.get().map(|c| c.label()).unwrap_or_default()}</dd>
                        <dt>"Reason"</dt><dd class="user-text">{move || draft.reason.get()}</dd>
                        <dt>"Support case ID"</dt><dd class="user-text">{move || draft.support_case.get()}</dd>
                        <dt>"Buyer's request reference"</dt><dd class="user-text">{move || draft.buyer_reference.get()}</dd>
                        <dt>"Intended next step"</dt><dd class="user-text">{move || draft.next_step.get()}</dd>
                        <dt>"Additional details"</dt><dd class="user-text">{move || draft.details.get()}</dd>
                    </dl>
                    {move || link_note(&draft)}
                    <AwsCliCommand id="send-cli" command=Signal::derive(move || to_send.get().map(Into::into))/>
                    <div class="buttons">
                        <button type="button" on:click=submit>"Submit cancellation request"</button>
                        <button type="button" class="secondary" on:click=move |_| draft.reviewing.set(false)>"Edit"</button>
                    </div>
                </section>
            </Show>
        </Show>
    }
}

/// Said before sending: a text too long for the confirmation link reaches the buyer cut,
/// with a note that the seller has the rest.
fn link_note(draft: &CancelDraft) -> Option<impl IntoView> {
    let reason = carried(&draft.reason.get(), REASON_BYTES_IN_LINK);
    let details = carried(
        &details_for_buyer(&draft.additional()),
        DETAILS_BYTES_IN_LINK,
    );
    let cut = |what: &str, c: &Carried| {
        (!c.is_whole()).then(|| {
            format!(
                "the first {} of the {} characters of {what}",
                c.shown, c.total
            )
        })
    };
    let parts: Vec<String> = [
        cut("the reason", &reason),
        cut("the details for the buyer", &details),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!parts.is_empty()).then(|| {
        view! {
            <p class="note" id="link-length-note">{format!(
                "Too long for the confirmation link: a link must fit in a chat message and a QR code, so the buyer's page shows {}, and says that you have the whole text.",
                parts.join(" and ")
            )}</p>
        }
    })
}

/// What the seller typed to withdraw a request. It lives as long as the agreement's page,
/// which redraws the form whenever the record changes (the clock, an adjustment being
/// processed): the reason typed must outlive those redraws.
#[derive(Clone, Copy)]
pub struct WithdrawDraft {
    open: RwSignal<bool>,
    reason: RwSignal<String>,
    error: RwSignal<Option<String>>,
}

impl WithdrawDraft {
    pub fn new() -> Self {
        WithdrawDraft {
            open: RwSignal::new(false),
            reason: RwSignal::new(String::new()),
            error: RwSignal::new(None),
        }
    }
}

impl Default for WithdrawDraft {
    fn default() -> Self {
        Self::new()
    }
}

/// The confirmation that follows "Submit cancellation request": the
/// request went to AWS for processing, with its ID and the moment it is approved on its own.
#[component]
pub fn RequestSubmitted(request: CancellationRequest, draft: CancelDraft) -> impl IntoView {
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
            {move || (draft.submitted.get().as_ref() == Some(&id)).then(|| message.clone())}
        </p>
    }
}

/// "Withdraw request": the seller takes a pending request back, with a reason.
#[component]
pub fn WithdrawRequest(record: AgreementRecord, draft: WithdrawDraft) -> impl IntoView {
    let app = use_app();
    let WithdrawDraft {
        open,
        reason,
        error,
    } = draft;
    let Some(request) = record.pending_request().cloned() else {
        return ().into_any();
    };
    let parties = StoredValue::new((
        record.agreement.id.clone(),
        record.agreement.seller.clone(),
        request.id,
    ));
    let to_send = Memo::new(move |_| {
        let (agreement_id, _, request_id) = parties.get_value();
        Some(WithdrawCancellation {
            agreement_id,
            request_id,
            reason: reason.get(),
        })
    });
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(command) = to_send.get_untracked() else {
            return;
        };
        match app.act(command, &Actor::Seller(parties.get_value().1)) {
            Ok(_) => {
                error.set(None);
                reason.set(String::new());
                open.set(false);
                focus_when_drawn("case-heading");
            }
            Err(problem) => error.set(Some(problem.to_string())),
        }
    };
    view! {
        <Show
            when=move || open.get()
            fallback=move || view! { <button type="button" class="secondary" on:click=move |_| open.set(true)>"Withdraw request"</button> }
        >
            <form class="panel" on:submit=confirm novalidate>
                <div class="field">
                    <label for="withdraw-reason">"Reason for withdrawing"</label>
                    <textarea id="withdraw-reason" aria-describedby="withdraw-error"
                        prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                    <span class="field-error" id="withdraw-error" role="alert">{move || error.get()}</span>
                </div>
                <AwsCliCommand id="withdraw-cli" command=Signal::derive(move || to_send.get().map(Into::into))/>
                <div class="buttons">
                    <button type="submit">"Confirm withdrawal"</button>
                    <button type="button" class="secondary" on:click=move |_| open.set(false)>"Keep the request"</button>
                </div>
            </form>
        </Show>
    }
    .into_any()
}
