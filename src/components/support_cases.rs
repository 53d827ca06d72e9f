//! The legacy AWS Marketplace Management Portal route: "Request refund" opens a support case
//! at once and shows its ID; the seller's cases follow with their status (Pending, Action
//! Required, Completed) and a reply box. The core checks every field and names the one at
//! fault, so its message appears beside that field. AWS moves the cases with the clock
//! (the core's catch-up); each case says when AWS reads it next.

use leptos::prelude::*;
use workbench_core::book::{Actor, DomainError, OpenSupportCase, ReplyToSupportCase};
use workbench_core::families::support_case::{Author, CaseStatus, FormField, RefundForm};
use workbench_core::key::SupportCaseId;
use workbench_core::money::Currency;
use workbench_link::words::local_time;

use crate::components::share_link::ShareCaseLink;
use crate::error::AppError;
use crate::focus::focus_when_drawn;
use crate::state::use_app;

/// The form as typed; it stays through a refusal and empties once the case is open.
#[derive(Clone, Copy)]
struct CaseFormFields {
    subscriber: RwSignal<String>,
    product: RwSignal<String>,
    offer: RwSignal<String>,
    period: RwSignal<String>,
    invoice: RwSignal<String>,
    amount: RwSignal<String>,
    currency: RwSignal<String>,
    also_cancel: RwSignal<bool>,
    effective: RwSignal<String>,
    comments: RwSignal<String>,
}

impl CaseFormFields {
    fn new() -> Self {
        CaseFormFields {
            subscriber: RwSignal::new(String::new()),
            product: RwSignal::new(String::new()),
            offer: RwSignal::new(String::new()),
            period: RwSignal::new(String::new()),
            invoice: RwSignal::new(String::new()),
            amount: RwSignal::new(String::new()),
            currency: RwSignal::new(Currency::USD.code().to_string()),
            also_cancel: RwSignal::new(false),
            effective: RwSignal::new(String::new()),
            comments: RwSignal::new(String::new()),
        }
    }

    fn form(&self) -> RefundForm {
        RefundForm {
            subscriber_account: self.subscriber.get_untracked(),
            product_id: self.product.get_untracked(),
            offer_id: self.offer.get_untracked(),
            billing_period: self.period.get_untracked(),
            invoice_id: self.invoice.get_untracked(),
            refund_amount: self.amount.get_untracked(),
            currency: self.currency.get_untracked(),
            also_cancel: self.also_cancel.get_untracked(),
            effective_date: self.effective.get_untracked(),
            comments: self.comments.get_untracked(),
        }
    }

    /// Empties what was typed for the next case; the currency stays, as sellers bill in one.
    fn clear(&self) {
        for field in [
            self.subscriber,
            self.product,
            self.offer,
            self.period,
            self.invoice,
            self.amount,
            self.effective,
            self.comments,
        ] {
            field.set(String::new());
        }
        self.also_cancel.set(false);
    }
}

/// "Request refund" and the signed-in seller's support cases.
#[component]
pub fn SupportCases() -> impl IntoView {
    let app = use_app();
    let open = RwSignal::new(false);
    let opened = RwSignal::new(None::<SupportCaseId>);
    let cases = Memo::new(move |_| {
        let seller = app.seller.get();
        app.book.with(|b| {
            let mut ids: Vec<_> = b
                .support_cases()
                .values()
                .filter(|v| Some(&v.record.seller) == seller.as_ref())
                .map(|v| (v.record.opened_at, v.record.id.clone()))
                .collect();
            ids.sort();
            ids.into_iter().rev().map(|(_, id)| id).collect::<Vec<_>>()
        })
    });
    view! {
        <section class="family" aria-labelledby="cases-heading">
            <h2 id="cases-heading">"Support cases"</h2>
            <p class="hint">"The legacy route: a refund or cancellation request that AWS Support processes for you."</p>
            <p role="status" class="outcome" id="case-opened" tabindex="-1">{move || opened.get().map(|id| format!(
                "Support case {id} is open. Keep its ID: AWS answers in the case, and you can reply below."
            ))}</p>
            <Show
                when=move || open.get()
                fallback=move || view! {
                    <button type="button" on:click=move |_| { opened.set(None); open.set(true); }>"Request refund"</button>
                }
            >
                <RequestRefundForm open opened/>
            </Show>
            <Show when=move || cases.with(Vec::is_empty)>
                <p>"You have no support cases."</p>
            </Show>
            <For each=move || cases.get() key=|id| id.clone() let:id>
                <CaseItem id=id/>
            </For>
        </section>
    }
}

/// "Request refund": the form, kept as typed through a refusal, with the core's message
/// beside the field it names. `opened` takes the new case's ID, and `open` closes the form.
#[component]
fn RequestRefundForm(
    open: RwSignal<bool>,
    opened: RwSignal<Option<SupportCaseId>>,
) -> impl IntoView {
    let app = use_app();
    let draft = CaseFormFields::new();
    let error = RwSignal::new(None::<Refusal>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(seller) = app.seller.get_untracked() else {
            return;
        };
        let command = OpenSupportCase { form: draft.form() };
        match app.act(command, &Actor::Seller(seller)) {
            Ok(id) => {
                error.set(None);
                draft.clear();
                open.set(false);
                opened.set(Some(id));
                focus_when_drawn("case-opened");
            }
            Err(problem) => {
                let field = match &problem {
                    AppError::Domain(DomainError::Form(form)) => Some(form.field),
                    _ => None,
                };
                error.set(Some((field, problem.to_string())));
            }
        }
    };
    view! {
        <form class="panel" novalidate on:submit=submit aria-labelledby="refund-form-heading">
            <h3 id="refund-form-heading">"Request refund"</h3>
            <div class="case-grid">
                <CaseField field=FormField::SubscriberAccount id="case-subscriber" value=draft.subscriber error=error
                    hint="The buyer's 12-digit AWS account ID."/>
                <CaseField field=FormField::ProductId id="case-product" value=draft.product error=error hint="prod-…"/>
                <CaseField field=FormField::OfferId id="case-offer" value=draft.offer error=error hint="offer-…"/>
                <CaseField field=FormField::BillingPeriod id="case-period" value=draft.period error=error hint="The month billed, for example 2026-10."/>
                <CaseField field=FormField::Invoice id="case-invoice" value=draft.invoice error=error
                    hint="The invoice reference of that billing period, which a refund is taken from. Without it, AWS asks for it."/>
                <RefundAmountField draft error/>
                <CancelFields draft error/>
                <CommentsField draft error/>
            </div>
            <p class="field-error" role="alert">{move || error.with(|e| e.as_ref().map(summary))}</p>
            <div class="buttons">
                <button type="submit">"Open support case"</button>
                <button type="button" class="secondary" on:click=move |_| open.set(false)>"Close the form"</button>
            </div>
        </form>
    }
}

/// The refund's amount and currency; empty for a cancellation alone.
#[component]
fn RefundAmountField(draft: CaseFormFields, error: RwSignal<Option<Refusal>>) -> impl IntoView {
    view! {
        <div class="field">
            <label for="case-amount">"Refund amount"</label>
            <div class="amount-row">
                <input id="case-amount" type="text" inputmode="decimal" autocomplete="off"
                    aria-describedby="case-amount-hint case-amount-error"
                    aria-invalid=move || field_error(error, FormField::RefundAmount)().is_some().to_string()
                    prop:value=move || draft.amount.get() on:input=move |ev| draft.amount.set(event_target_value(&ev))/>
                <label class="visually-hidden" for="case-currency">"Currency"</label>
                <select id="case-currency" aria-describedby="case-amount-error"
                    prop:value=move || draft.currency.get() on:change=move |ev| draft.currency.set(event_target_value(&ev))>
                    {Currency::ALL.into_iter().map(|c| view! { <option value=c.code()>{c.code()}</option> }).collect_view()}
                </select>
            </div>
            <span class="hint" id="case-amount-hint">"Optional: leave empty to ask for a cancellation only."</span>
            <span class="field-error" id="case-amount-error">{move || field_error(error, FormField::RefundAmount)().or_else(field_error(error, FormField::Currency))}</span>
        </div>
    }
}

/// "Also cancel this agreement" and, once ticked, the date it is to take effect.
#[component]
fn CancelFields(draft: CaseFormFields, error: RwSignal<Option<Refusal>>) -> impl IntoView {
    let box_error = field_error(error, FormField::AlsoCancel);
    let date_error = field_error(error, FormField::EffectiveDate);
    view! {
        <div class="field confirm-check">
            <label>
                <input type="checkbox" id="case-cancel" aria-describedby="case-cancel-hint case-cancel-error"
                    aria-invalid=move || box_error().is_some().to_string()
                    prop:checked=move || draft.also_cancel.get()
                    on:change=move |ev| draft.also_cancel.set(event_target_checked(&ev))/>
                " " {FormField::AlsoCancel.label()}
            </label>
            <span class="hint" id="case-cancel-hint">"AWS processes a cancellation after the current billing cycle, and on the effective date when that is later."</span>
            <span class="field-error" id="case-cancel-error">{box_error}</span>
        </div>
        <Show when=move || draft.also_cancel.get()>
            <div class="field">
                <label for="case-effective">{FormField::EffectiveDate.label()}</label>
                <input id="case-effective" type="date" aria-describedby="case-effective-error"
                    aria-invalid=move || date_error().is_some().to_string()
                    prop:value=move || draft.effective.get() on:input=move |ev| draft.effective.set(event_target_value(&ev))/>
                <span class="field-error" id="case-effective-error">{date_error}</span>
            </div>
        </Show>
    }
}

/// What the seller adds to the case, under the sentence the form writes for a cancellation.
#[component]
fn CommentsField(draft: CaseFormFields, error: RwSignal<Option<Refusal>>) -> impl IntoView {
    let message = field_error(error, FormField::Comments);
    let sentence = move || {
        draft.also_cancel.track();
        draft.effective.track();
        let sentence = draft.form().cancellation_sentence();
        sentence.map(|s| format!("The case begins: \"{s}\""))
    };
    view! {
        <div class="field wide">
            <label for="case-comments">{FormField::Comments.label()}</label>
            <textarea id="case-comments" aria-describedby="case-comments-hint case-comments-error"
                aria-invalid=move || message().is_some().to_string()
                prop:value=move || draft.comments.get() on:input=move |ev| draft.comments.set(event_target_value(&ev))></textarea>
            <span class="hint" id="case-comments-hint">{move || sentence().unwrap_or_else(|| "Optional: context for AWS.".into())}</span>
            <span class="field-error" id="case-comments-error">{message}</span>
        </div>
    }
}

/// The core's refusal: the field it names (none for the form as a whole), and its message.
type Refusal = (Option<FormField>, String);

/// The refusal's message, when it names `field`.
fn beside(refusal: &Refusal, field: FormField) -> Option<String> {
    (refusal.0 == Some(field)).then(|| refusal.1.clone())
}

/// The refusal as the form's summary says it: which field to check, then why.
fn summary((field, message): &Refusal) -> String {
    match field {
        None => message.clone(),
        Some(field) => format!("Check {}: {message}", field.label()),
    }
}

fn field_error(
    error: RwSignal<Option<Refusal>>,
    field: FormField,
) -> impl Fn() -> Option<String> + Copy + 'static {
    move || error.with(|e| e.as_ref().and_then(|r| beside(r, field)))
}

/// A labelled text field of the form, with its hint and the core's message when it names it.
#[component]
fn CaseField(
    field: FormField,
    id: &'static str,
    value: RwSignal<String>,
    error: RwSignal<Option<Refusal>>,
    hint: &'static str,
) -> impl IntoView {
    let message = field_error(error, field);
    view! {
        <div class="field">
            <label for=id>{field.label()}</label>
            <input id=id type="text" autocomplete="off"
                aria-describedby=format!("{id}-hint {id}-error")
                aria-invalid=move || message().is_some().to_string()
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
            <span class="hint" id=format!("{id}-hint")>{hint}</span>
            <span class="field-error" id=format!("{id}-error")>{message}</span>
        </div>
    }
}

/// One case: what was asked, its status and what it means, the exchange, and a reply box.
#[component]
fn CaseItem(id: SupportCaseId) -> impl IntoView {
    let app = use_app();
    let key = StoredValue::new(id);
    let case = Memo::new(move |_| {
        key.with_value(|id| {
            app.book
                .with(|b| b.support_cases().get(id).map(|v| v.record.clone()))
        })
    });
    let Some(first) = case.get_untracked() else {
        return ().into_any();
    };
    let reply = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let sent = RwSignal::new(None::<String>);
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(seller) = app.seller.get_untracked() else {
            return;
        };
        let command = ReplyToSupportCase {
            case: key.get_value(),
            text: reply.get_untracked(),
        };
        match app.act(command, &Actor::Seller(seller)) {
            Ok(_) => {
                reply.set(String::new());
                error.set(None);
                sent.set(Some("Reply sent.".into()));
                focus_when_drawn(format!("reply-sent-{}", key.get_value()));
            }
            Err(problem) => {
                sent.set(None);
                error.set(Some(problem.to_string()));
            }
        }
    };
    let heading = format!("case-{}-heading", first.id);
    let heading_id = heading.clone();
    let reply_id = format!("reply-{}", first.id);
    let status = move || case.with(|c| c.as_ref().map(|c| c.status));
    let due = move || case.with(|c| c.as_ref().and_then(|c| c.due_at()));
    let awaiting_buyer =
        move || case.with(|c| c.as_ref().is_some_and(|c| c.awaiting_buyer.is_some()));
    view! {
        <article class="panel family-item" aria-labelledby=heading.clone()>
            <h3 id=heading_id>{format!("Support case {}", first.id)}</h3>
            <p class="case-status">
                <strong>{move || status().map(CaseStatus::label)}</strong>
                ": "{move || status().map(CaseStatus::meaning)}
            </p>
            {move || due().map(|at| view! { <p>{format!("AWS processes it on {}.", local_time(at))}</p> })}
            <dl class="terms">
                <dt>"Opened"</dt><dd>{local_time(first.opened_at)}</dd>
                <dt>"Subscriber account"</dt><dd>{first.subscriber.to_string()}</dd>
                <dt>"Product ID"</dt><dd>{first.product.to_string()}</dd>
                <dt>"Offer ID"</dt><dd>{first.offer.to_string()}</dd>
                <dt>"Billing period"</dt><dd class="user-text">{first.billing_period.clone()}</dd>
                <dt>"Invoice"</dt><dd class="user-text">{first.invoice_id.clone()}</dd>
                <dt>"Refund amount"</dt><dd>{first.refund.map_or("None: cancellation only".to_string(), |m| m.to_string())}</dd>
                <dt>"Comments"</dt><dd class="user-text">{first.comments.clone()}</dd>
            </dl>
            <ol class="case-replies" aria-label="Case history">
                <li>
                    <span class="tag">{format!("You, {}", local_time(first.opened_at))}</span>
                    <p>"Opened the case with the Request refund form."</p>
                </li>
                {move || case.with(|c| c.as_ref().map(|c| c.replies.clone()).unwrap_or_default()).into_iter().map(|r| view! {
                    <li>
                        <span class="tag">{format!("{}, {}", match r.author { Author::Seller => "You", Author::Aws => "AWS Support" }, local_time(r.at))}</span>
                        <p class="user-text">{r.text}</p>
                    </li>
                }).collect_view()}
            </ol>
            <Show when=awaiting_buyer>
                <ShareCaseLink case=key.get_value()/>
            </Show>
            <Show when=move || status() != Some(CaseStatus::Completed)>
                <form class="reply" novalidate on:submit=send>
                    <div class="field">
                        <label for=reply_id.clone()>"Reply"</label>
                        <textarea id=reply_id.clone() aria-describedby=format!("{reply_id}-hint {reply_id}-error")
                            prop:value=move || reply.get() on:input=move |ev| reply.set(event_target_value(&ev))></textarea>
                        <span class="hint" id=format!("{reply_id}-hint")>"AWS reads an agreement ID, an invoice reference or an amount with its currency (10.00 USD) from your reply."</span>
                        <span class="field-error" id=format!("{reply_id}-error") role="alert">{move || error.get()}</span>
                    </div>
                    <button type="submit">"Send reply"</button>
                </form>
            </Show>
            <p role="status" class="outcome" id=format!("reply-sent-{}", key.get_value()) tabindex="-1">{move || sent.get()}</p>
        </article>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_shows_beside_the_field_it_names_and_no_other() {
        let refusal = (
            Some(FormField::Currency),
            "Enter a currency code.".to_string(),
        );
        for field in FormField::ALL {
            let expected = (field == FormField::Currency).then(|| "Enter a currency code.".into());
            assert_eq!(beside(&refusal, field), expected, "{field:?}");
        }
        let whole_form = (None, "This change was not saved.".to_string());
        assert!(FormField::ALL
            .iter()
            .all(|f| beside(&whole_form, *f).is_none()));
    }

    #[test]
    fn the_summary_says_which_field_to_check_by_its_label() {
        let refusal = (
            Some(FormField::SubscriberAccount),
            "Enter an AWS account ID.".to_string(),
        );
        assert_eq!(
            summary(&refusal),
            "Check Subscriber account: Enter an AWS account ID."
        );
        let whole_form = (None, "This change was not saved.".to_string());
        assert_eq!(summary(&whole_form), "This change was not saved.");
    }
}
