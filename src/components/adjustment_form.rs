//! "Billing adjustments": a batch of refund entries against an agreement's invoices, reviewed
//! with what each leaves refundable, then sent as one batch. What the form holds and decides
//! is [`AdjustmentForm`]; these components draw it.

use leptos::ev::{Event, SubmitEvent};
use leptos::prelude::*;
use workbench_core::adjustment::{
    free_trial_warning, AdjustmentReasonCode, BATCH_MAX, DESCRIPTION_MAX,
};
use workbench_core::book::{Actor, AgreementRecord, BatchCreateAdjustments, BatchEntryResult};
use workbench_core::ids::IdSource;
use workbench_core::money::Money;
use workbench_link::words::local_date;

use crate::browser_ids::BrowserIds;
use crate::components::adjustment_form_state::{
    batch_of, confirmation_hint, preview_of, result_lines, review_lines, AdjustmentForm,
    EntryInput, Preview, ResultLine, Stage, TypedEntry,
};
use crate::components::aws_cli::AwsCliCommand;
use crate::focus::focus_when_drawn;
use crate::state::use_app;

/// The billing adjustment form as the agreement's page keeps it: it lives as long as the
/// page, so a re-render (another tab's write, an adjustment processed while the seller
/// types) never loses what was typed.
#[derive(Clone, Copy)]
pub struct AdjustDraft(RwSignal<AdjustmentForm>);

impl AdjustDraft {
    pub fn new() -> Self {
        Self::of(AdjustmentForm::default())
    }

    /// A draft that starts as `form`: a buyer's request filled in.
    pub fn of(form: AdjustmentForm) -> Self {
        AdjustDraft(RwSignal::new(form))
    }
}

impl Default for AdjustDraft {
    fn default() -> Self {
        Self::new()
    }
}

/// What every part of the open form reads: the form, the agreement it refunds, the entries
/// as typed and the core's preview of them.
#[derive(Clone, Copy)]
struct Adjusting {
    form: RwSignal<AdjustmentForm>,
    record: StoredValue<AgreementRecord>,
    entries: Memo<Vec<TypedEntry>>,
    preview: Memo<Preview>,
}

impl Adjusting {
    /// Takes the form a step further, then moves the focus where the form says.
    fn step<F: Into<String>>(self, step: impl FnOnce(&mut AdjustmentForm) -> F) {
        if let Some(id) = self.form.try_update(step) {
            focus_when_drawn(id);
        }
    }

    fn record<T>(self, read: impl FnOnce(&AgreementRecord) -> T) -> T {
        self.record.with_value(read)
    }
}

/// "Apply billing adjustment": one to five invoices of the agreement, each with a refund
/// amount, a reason code and a reason; a review with the total per currency that the seller
/// types to confirm, since a billing adjustment cannot be undone; then one batch, whose
/// result lists every entry as created or refused.
#[component]
pub fn ApplyAdjustment(record: AgreementRecord, draft: AdjustDraft) -> impl IntoView {
    let AdjustDraft(form) = draft;
    form.maybe_update(|f| f.follow(&record.agreement.id));
    if record.invoices.is_empty() {
        return ().into_any();
    }
    let record = StoredValue::new(record);
    let entries = Memo::new(move |_| form.with(|f| f.entries().to_vec()));
    let preview = Memo::new(move |_| entries.with(|e| record.with_value(|r| preview_of(r, e))));
    let stage = Memo::new(move |_| form.with(|f| f.stage().clone()));
    let adjusting = Adjusting {
        form,
        record,
        entries,
        preview,
    };
    let start = move |_| {
        adjusting.step(|f| adjusting.record(|r| f.open(r, || BrowserIds.next_uuid())));
    };
    view! {
        {move || match stage.get() {
            Stage::Closed => view! {
                <button type="button" id="adjust-open" on:click=start>"Apply billing adjustment"</button>
            }.into_any(),
            Stage::Editing => view! { <AdjustmentEntries adjusting=adjusting/> }.into_any(),
            Stage::Reviewing => view! { <AdjustmentReview adjusting=adjusting/> }.into_any(),
            Stage::Done(results) => view! { <AdjustmentResult adjusting=adjusting results=results/> }.into_any(),
        }}
    }
    .into_any()
}

/// The form's first step: every entry's fields, "Add another invoice", then "Review billing
/// adjustment", which names the first field to correct if the core refuses an entry.
#[component]
fn AdjustmentEntries(adjusting: Adjusting) -> impl IntoView {
    let Adjusting { form, preview, .. } = adjusting;
    let review = move |ev: SubmitEvent| {
        ev.prevent_default();
        let preview = preview.get_untracked();
        if let Some(Some(id)) = form.try_update(|f| f.review(&preview)) {
            focus_when_drawn(id);
        }
    };
    view! {
        <form class="panel adjust" on:submit=review novalidate aria-labelledby="adjust-form-heading">
            <h3 id="adjust-form-heading" tabindex="-1">"Apply billing adjustment"</h3>
            <p>{format!("Refund one or more invoices of this agreement, up to {BATCH_MAX} at once. The agreement itself stays as it is.")}</p>
            <For each=move || adjusting.entries.get() key=|e| e.token.clone() let:entry>
                <EntryFields entry=EntrySlot::new(adjusting, entry.token)/>
            </For>
            <AddInvoice adjusting=adjusting/>
            <p class="field-error" role="alert">{move || form.with(|f| f.alert().map(str::to_string))}</p>
            <div class="buttons">
                <button type="submit">"Review billing adjustment"</button>
                <button type="button" class="secondary" on:click=move |_| adjusting.step(AdjustmentForm::hide)>"Close the form"</button>
            </div>
        </form>
    }
}

/// "Add another invoice" while the batch has room, or why it has none.
#[component]
fn AddInvoice(adjusting: Adjusting) -> impl IntoView {
    let can_add = Memo::new(move |_| adjusting.form.with(AdjustmentForm::can_add));
    let add = move |_| {
        let token = BrowserIds.next_uuid();
        adjusting.step(|f| adjusting.record(|r| f.add_entry(r, token)));
    };
    move || {
        if can_add.get() {
            view! {
                <p>
                    <button type="button" class="secondary" id="adjust-add" on:click=add>"Add another invoice"</button>
                </p>
            }
            .into_any()
        } else {
            view! { <p class="hint">{format!("A batch holds at most {BATCH_MAX} entries: submit these, then start another.")}</p> }
                .into_any()
        }
    }
}

/// One entry of the open form, named by its client token: what its fields show and change.
#[derive(Clone, Copy)]
struct EntrySlot {
    adjusting: Adjusting,
    token: StoredValue<String>,
}

impl EntrySlot {
    fn new(adjusting: Adjusting, token: String) -> Self {
        EntrySlot {
            adjusting,
            token: StoredValue::new(token),
        }
    }

    fn id(self, field: EntryInput) -> String {
        self.token.with_value(|t| field.id(t))
    }

    /// The core's refusal of this entry, beside the field it names.
    fn error(self, field: EntryInput) -> impl Fn() -> Option<String> + Copy {
        let Adjusting { form, preview, .. } = self.adjusting;
        move || {
            form.with(|f| preview.with(|p| self.token.with_value(|t| f.error_beside(p, t, field))))
        }
    }

    fn invalid(self, field: EntryInput) -> impl Fn() -> String + Copy {
        move || self.error(field)().is_some().to_string()
    }

    /// The field's `aria-describedby`: `extra` (its hint), then its error.
    fn described(self, field: EntryInput, extra: &str) -> String {
        format!("{extra}{}-error", self.id(field))
    }

    fn read<T: Default>(self, read: impl FnOnce(&TypedEntry) -> T) -> T {
        self.adjusting.form.with(|f| {
            self.token
                .with_value(|t| f.entry(t).map(read))
                .unwrap_or_default()
        })
    }

    fn value(self, field: fn(&TypedEntry) -> &String) -> impl Fn() -> String + Copy {
        move || self.read(|e| field(e).clone())
    }

    fn write(self, change: impl FnOnce(&mut TypedEntry)) {
        let form = self.adjusting.form;
        self.token
            .with_value(|t| form.update(|f| f.edit(t, change)));
    }

    fn set(self, field: fn(&mut TypedEntry) -> &mut String) -> impl Fn(Event) + Copy {
        move |ev| self.write(|e| *field(e) = event_target_value(&ev))
    }

    /// "Entry N", as the legend says it.
    fn number(self) -> usize {
        self.adjusting
            .form
            .with(|f| self.token.with_value(|t| f.number(t)))
    }
}

/// One entry's fields, named "Entry N" for assistive technology and tests alike.
#[component]
fn EntryFields(entry: EntrySlot) -> impl IntoView {
    let remove = move |_| {
        entry
            .adjusting
            .step(|f| entry.token.with_value(|t| f.remove_entry(t)));
    };
    view! {
        <fieldset class="adjust-entry">
            <legend>{move || format!("Entry {}", entry.number())}</legend>
            <p class="field-error" id=entry.id(EntryInput::Entry) tabindex="-1">{entry.error(EntryInput::Entry)}</p>
            <div class="adjust-grid">
                <InvoiceField entry=entry/>
                <RefundAmountField entry=entry/>
                <ReasonCodeField entry=entry/>
                <ReasonField entry=entry/>
            </div>
            <Show when=move || entry.adjusting.form.with(AdjustmentForm::can_remove)>
                <button type="button" class="secondary" on:click=remove>
                    "Remove"<span class="visually-hidden">{move || format!(" entry {}", entry.number())}</span>
                </button>
            </Show>
        </fieldset>
    }
}

/// "Invoice": one of the agreement's invoices, with when it was issued and what it charged.
#[component]
fn InvoiceField(entry: EntrySlot) -> impl IntoView {
    let field = EntryInput::Invoice;
    let options = entry.adjusting.record(|r| {
        r.invoices
            .iter()
            .map(|i| {
                let label = format!(
                    "{} (issued {}, {} charged)",
                    i.id,
                    local_date(i.issued_at),
                    i.charged()
                );
                view! { <option value=i.id.to_string()>{label}</option> }
            })
            .collect_view()
    });
    // Source: the seller guide's "Product refunds": AWS may already have refunded charges
    // of the first days after a free trial converted; the rule and its words are the core's.
    let trial = move || {
        let chosen = entry.value(|e| &e.invoice)();
        entry.adjusting.record(|r| {
            r.invoice(&chosen)
                .and_then(|i| free_trial_warning(&r.agreement, i, &r.invoices))
        })
    };
    let trial_id = format!("{}-trial", entry.id(field));
    view! {
        <div class="field">
            <label for=entry.id(field)>"Invoice"</label>
            <select id=entry.id(field) aria-describedby=entry.described(field, &format!("{trial_id} "))
                aria-invalid=entry.invalid(field)
                prop:value=entry.value(|e| &e.invoice)
                on:change=entry.set(|e| &mut e.invoice)>
                <option value="">"Choose an invoice"</option>
                {options}
            </select>
            <span class="warning" id=trial_id>{trial}</span>
            <span class="field-error" id=format!("{}-error", entry.id(field))>{entry.error(field)}</span>
        </div>
    }
}

/// "Refund amount", in the chosen invoice's currency, with what that invoice can still
/// refund.
#[component]
fn RefundAmountField(entry: EntrySlot) -> impl IntoView {
    let field = EntryInput::Amount;
    let invoice = move || {
        let chosen = entry.value(|e| &e.invoice)();
        entry.adjusting.record(|r| {
            r.invoice(&chosen).map(|i| {
                (
                    i.currency,
                    Money::new(r.still_refundable_minor(i), i.currency),
                )
            })
        })
    };
    let left = format!("{}-left", entry.id(field));
    let described = entry.described(field, &format!("{left} "));
    view! {
        <div class="field">
            <label for=entry.id(field)>"Refund amount"</label>
            <div class="amount-row">
                <input id=entry.id(field) type="text" inputmode="decimal" autocomplete="off"
                    aria-describedby=described
                    aria-invalid=entry.invalid(field)
                    prop:value=entry.value(|e| &e.amount)
                    on:input=entry.set(|e| &mut e.amount)/>
                <span class="currency" aria-hidden="true">{move || invoice().map(|(c, _)| c.code())}</span>
            </div>
            <span class="hint" id=left>{move || match invoice() {
                Some((_, left)) => format!("Still refundable: {left}"),
                None => "Choose an invoice to see what it can still refund.".to_string(),
            }}</span>
            <span class="field-error" id=format!("{}-error", entry.id(field))>{entry.error(field)}</span>
        </div>
    }
}

/// "Reason code": the API's reasons for a billing adjustment.
#[component]
fn ReasonCodeField(entry: EntrySlot) -> impl IntoView {
    let field = EntryInput::ReasonCode;
    view! {
        <div class="field">
            <label for=entry.id(field)>"Reason code"</label>
            <select id=entry.id(field) aria-describedby=entry.described(field, "")
                aria-invalid=entry.invalid(field)
                prop:value=move || entry.read(|e| e.reason_code).map_or("", AdjustmentReasonCode::code)
                on:change=move |ev| {
                    let code = AdjustmentReasonCode::from_code(&event_target_value(&ev));
                    entry.write(|e| e.reason_code = code);
                }>
                <option value="">"Choose a reason code"</option>
                {AdjustmentReasonCode::ALL.into_iter().map(|c| view! { <option value=c.code()>{c.label()}</option> }).collect_view()}
            </select>
            <span class="field-error" id=format!("{}-error", entry.id(field))>{entry.error(field)}</span>
        </div>
    }
}

/// "Reason": what went wrong, in the seller's words, with a count of its characters.
#[component]
fn ReasonField(entry: EntrySlot) -> impl IntoView {
    let field = EntryInput::Reason;
    let hint = format!("{}-hint", entry.id(field));
    let described = entry.described(field, &format!("{hint} "));
    view! {
        <div class="field wide">
            <label for=entry.id(field)>"Reason"</label>
            <textarea id=entry.id(field)
                aria-describedby=described
                aria-invalid=entry.invalid(field)
                prop:value=entry.value(|e| &e.reason)
                on:input=entry.set(|e| &mut e.reason)></textarea>
            <span class="hint" id=hint>{move || format!(
                "Say what went wrong, for example \"Usage was double-counted on 3 March.\" {} of {DESCRIPTION_MAX} characters.",
                entry.value(|e| &e.reason)().chars().count()
            )}</span>
            <span class="field-error" id=format!("{}-error", entry.id(field))>{entry.error(field)}</span>
        </div>
    }
}

/// The form's second step: what will be refunded, the total typed to confirm it, the AWS
/// CLI command, then "Submit billing adjustment", which sends the batch.
#[component]
fn AdjustmentReview(adjusting: Adjusting) -> impl IntoView {
    let app = use_app();
    let Adjusting {
        form,
        entries,
        preview,
        ..
    } = adjusting;
    // What "Submit billing adjustment" sends: the entries as typed, each with its own
    // client token.
    let to_send = Memo::new(move |_| {
        let entries = entries.with(|e| adjusting.record(|r| batch_of(r, e)));
        Some(BatchCreateAdjustments { entries })
    });
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let preview = preview.get_untracked();
        let confirmed = form.try_update(|f| adjusting.record(|r| f.confirm(&preview, r)));
        match confirmed {
            Some(Ok(command)) => {
                let seller = adjusting.record(|r| r.agreement.seller.clone());
                match app.act(command, &Actor::Seller(seller)) {
                    Ok(result) => adjusting.step(|f| f.sent(result)),
                    Err(problem) => form.update(|f| f.refused(problem.to_string())),
                }
            }
            Some(Err(Some(id))) => focus_when_drawn(id),
            _ => {}
        }
    };
    view! {
        <form class="panel adjust" on:submit=submit novalidate aria-labelledby="adjust-review-heading">
            <h3 id="adjust-review-heading" tabindex="-1">"Review the billing adjustment"</h3>
            <p class="note">"A billing adjustment cannot be undone: once submitted, the refund goes back to the buyer on their AWS bill."</p>
            <ReviewList adjusting=adjusting/>
            <ConfirmTotal adjusting=adjusting/>
            <p class="field-error" role="alert">{move || form.with(|f| f.alert().map(str::to_string))}</p>
            <AwsCliCommand id="adjust-cli" command=Signal::derive(move || to_send.get().map(Into::into))/>
            <div class="buttons">
                <button type="submit">"Submit billing adjustment"</button>
                <button type="button" class="secondary" on:click=move |_| adjusting.step(AdjustmentForm::back_to_editing)>"Edit"</button>
            </div>
        </form>
    }
}

/// What will be refunded, entry by entry, and the total per currency. It follows the
/// record: if another tab refunds one of these invoices meanwhile, the entry says so here.
#[component]
fn ReviewList(adjusting: Adjusting) -> impl IntoView {
    move || {
        let Ok(preview) = adjusting.preview.get() else {
            return ().into_any();
        };
        let (lines, total) = adjusting
            .entries
            .with(|e| adjusting.record(|r| review_lines(r, e, &preview)));
        let rows = lines
            .into_iter()
            .enumerate()
            .map(|(n, line)| {
                view! {
                    <li>
                        <h4>{format!("Entry {}", n + 1)}</h4>
                        <dl class="terms">
                            <dt>"Invoice"</dt><dd>{line.invoice}</dd>
                            <dt>"Refund amount"</dt><dd>{line.amount}</dd>
                            <dt>"Reason code"</dt><dd>{line.reason_code}</dd>
                            <dt>"Reason"</dt><dd class="user-text">{line.reason}</dd>
                        </dl>
                        {line.refusal.map(|text| view! { <p class="field-error">{text}</p> })}
                    </li>
                }
            })
            .collect_view();
        view! {
            <ol class="adjust-list">{rows}</ol>
            <p class="adjust-total">"Total refund: "<strong>{total}</strong></p>
        }
        .into_any()
    }
}

/// "Type the total to confirm": the seller retypes what the batch refunds.
#[component]
fn ConfirmTotal(adjusting: Adjusting) -> impl IntoView {
    let Adjusting { form, preview, .. } = adjusting;
    let error = move || form.with(|f| f.confirmation_error().map(str::to_string));
    view! {
        <div class="field">
            <label for="adjust-confirm">"Type the total to confirm"</label>
            <input id="adjust-confirm" type="text" autocomplete="off"
                aria-describedby="adjust-confirm-hint adjust-confirm-error"
                aria-invalid=move || error().is_some().to_string()
                prop:value=move || form.with(|f| f.confirmation().to_string())
                on:input=move |ev| form.update(|f| f.type_confirmation(event_target_value(&ev)))/>
            <span class="hint" id="adjust-confirm-hint">{move || preview.with(confirmation_hint)}</span>
            <span class="field-error" id="adjust-confirm-error">{error}</span>
        </div>
    }
}

/// The batch's result: every entry created, with its adjustment ID and where it stands, or
/// refused, with the API's error code and the reason.
#[component]
fn AdjustmentResult(
    adjusting: Adjusting,
    results: Vec<(TypedEntry, BatchEntryResult)>,
) -> impl IntoView {
    let (summary, lines) = adjusting.record(|r| result_lines(r, &results));
    let any_refused = lines
        .iter()
        .any(|l| matches!(l, ResultLine::Refused { .. }));
    let rows = lines.into_iter().map(|line| match line {
        ResultLine::Created { what, amount, id, status } => view! {
            <li class="created">
                <strong>"Created"</strong>" "{what}": "{amount}" as "<code>{id}</code>", status "{status}"."
            </li>
        }
        .into_any(),
        ResultLine::Refused { what, code, message } => view! {
            <li class="refused">
                <strong>"Refused"</strong>" "{what}": "<code>{code}</code>": "{message}
            </li>
        }
        .into_any(),
    });
    view! {
        <section class="panel adjust" aria-labelledby="adjust-result-heading">
            <h3 id="adjust-result-heading" tabindex="-1">"Billing adjustment result"</h3>
            <p>{summary}</p>
            <ol class="adjust-list">{rows.collect_view()}</ol>
            <p class="note">"Billing processes a created adjustment about a minute later; until then the invoices below show it as a refund pending. Created adjustments stay, whatever became of the other entries."</p>
            <div class="buttons">
                {any_refused.then(|| view! {
                    <button type="button" on:click=move |_| adjusting.step(AdjustmentForm::correct_refused)>"Correct the refused entries"</button>
                })}
                <button type="button" class="secondary" on:click=move |_| adjusting.step(AdjustmentForm::close)>"Done"</button>
            </div>
        </section>
    }
}
