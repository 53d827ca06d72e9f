//! "Billing adjustments": a batch of refund entries against an agreement's invoices, reviewed
//! with what each leaves refundable, then sent as one batch.

use leptos::prelude::*;
use workbench_core::adjustment::{
    AdjustmentEntry, AdjustmentReasonCode, EntryError, EntryField, BATCH_MAX, DESCRIPTION_MAX,
};
use workbench_core::book::{
    Actor, AgreementRecord, BatchCreateAdjustments, BatchEntryResult, DomainError,
};
use workbench_core::families::RefundTo;
use workbench_core::ids::{AgreementId, IdSource};
use workbench_core::money::Money;
use workbench_core::preview::{self, AdjustmentPreview};
use workbench_link::words::local_date;

use crate::browser_ids::BrowserIds;
use crate::components::aws_cli::AwsCliCommand;
use crate::focus::focus_when_drawn;
use crate::state::use_app;

/// One entry as the seller types it. Its client token is drawn when the entry is added and
/// kept until the adjustment exists, so a double click or a retry never refunds twice; being
/// unique, it also names the entry's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
struct EntryDraft {
    token: String,
    invoice: String,
    amount: String,
    reason_code: Option<AdjustmentReasonCode>,
    reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Stage {
    Closed,
    Editing,
    Reviewing,
    /// Each entry as it was sent, beside what the book made of it.
    Done(Vec<(EntryDraft, BatchEntryResult)>),
}

/// The billing adjustment form's state. It lives as long as the page, so a re-render (another
/// tab's write, an adjustment processed while the seller types) never loses what was typed.
#[derive(Clone, Copy)]
pub struct AdjustDraft {
    agreement: RwSignal<Option<AgreementId>>,
    stage: RwSignal<Stage>,
    entries: RwSignal<Vec<EntryDraft>>,
    /// Errors wait until the seller first asks for the review, then follow what they type.
    checked: RwSignal<bool>,
    confirmation: RwSignal<String>,
    confirmation_error: RwSignal<Option<String>>,
    alert: RwSignal<Option<String>>,
}

impl AdjustDraft {
    pub fn new() -> Self {
        AdjustDraft {
            agreement: RwSignal::new(None),
            stage: RwSignal::new(Stage::Closed),
            entries: RwSignal::new(Vec::new()),
            checked: RwSignal::new(false),
            confirmation: RwSignal::new(String::new()),
            confirmation_error: RwSignal::new(None),
            alert: RwSignal::new(None),
        }
    }

    /// Starts afresh when the page moves to another agreement: its invoices are not these.
    fn follow(&self, id: &AgreementId) {
        if self.agreement.get_untracked().as_ref() != Some(id) {
            self.agreement.set(Some(id.clone()));
            self.close();
        }
    }

    fn close(&self) {
        self.stage.set(Stage::Closed);
        self.entries.set(Vec::new());
        self.checked.set(false);
        self.confirmation.set(String::new());
        self.confirmation_error.set(None);
        self.alert.set(None);
    }

    fn position(&self, token: &str) -> usize {
        self.entries
            .with(|v| v.iter().position(|e| e.token == token))
            .unwrap_or_default()
    }

    fn read<T: Clone + Default>(&self, token: &str, field: fn(&EntryDraft) -> &T) -> T {
        self.entries.with(|v| {
            v.iter()
                .find(|e| e.token == token)
                .map(|e| field(e).clone())
                .unwrap_or_default()
        })
    }

    fn write<T>(&self, token: &str, field: fn(&mut EntryDraft) -> &mut T, value: T) {
        self.entries.update(|v| {
            if let Some(e) = v.iter_mut().find(|e| e.token == token) {
                *field(e) = value;
            }
        });
    }

    /// A new entry on the first invoice no other entry names yet: "Add another invoice".
    fn add_entry(&self, record: &AgreementRecord) -> String {
        let token = BrowserIds.next_uuid();
        let invoice = self.entries.with_untracked(|v| {
            record
                .invoices
                .iter()
                .find(|i| v.iter().all(|e| e.invoice != i.id.as_str()))
                .map(|i| i.id.to_string())
                .unwrap_or_default()
        });
        self.entries.update(|v| {
            v.push(EntryDraft {
                token: token.clone(),
                invoice,
                amount: String::new(),
                reason_code: None,
                reason: String::new(),
            })
        });
        token
    }
}

impl Default for AdjustDraft {
    fn default() -> Self {
        Self::new()
    }
}

/// The field an entry's error is shown beside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EntryInput {
    Invoice,
    Amount,
    ReasonCode,
    Reason,
    /// Nothing the seller typed: the agreement or the client token.
    Entry,
}

impl EntryInput {
    fn of(field: EntryField) -> EntryInput {
        match field {
            EntryField::Invoice => EntryInput::Invoice,
            EntryField::RefundAmount | EntryField::Currency => EntryInput::Amount,
            EntryField::ReasonCode => EntryInput::ReasonCode,
            EntryField::Reason => EntryInput::Reason,
            EntryField::Agreement | EntryField::ClientToken => EntryInput::Entry,
        }
    }

    fn id(self, token: &str) -> String {
        let name = match self {
            EntryInput::Invoice => "invoice",
            EntryInput::Amount => "amount",
            EntryInput::ReasonCode => "reason-code",
            EntryInput::Reason => "reason",
            EntryInput::Entry => "entry",
        };
        format!("adjust-{token}-{name}")
    }
}

/// The entry as the book receives it: the currency is always the chosen invoice's.
fn to_entry(record: &AgreementRecord, e: &EntryDraft) -> AdjustmentEntry {
    AdjustmentEntry {
        agreement_id: record.agreement.id.to_string(),
        invoice_id: e.invoice.clone(),
        amount: e.amount.clone(),
        currency: record
            .invoice(&e.invoice)
            .map(|i| i.currency.code().to_string())
            .unwrap_or_default(),
        reason_code: e.reason_code,
        description: e.reason.clone(),
        client_token: e.token.clone(),
    }
}

fn total_words(preview: &AdjustmentPreview) -> String {
    preview
        .totals
        .iter()
        .map(Money::to_string)
        .collect::<Vec<_>>()
        .join(" + ")
}

type Checked = Memo<Result<AdjustmentPreview, DomainError>>;

/// "Apply billing adjustment": one to five invoices of the agreement, each with a refund
/// amount, a reason code and a reason; a review with the total per currency that the seller
/// types to confirm, since a billing adjustment cannot be undone; then one batch, whose
/// result lists every entry as created or refused.
#[component]
pub fn ApplyAdjustment(record: AgreementRecord, draft: AdjustDraft) -> impl IntoView {
    let app = use_app();
    draft.follow(&record.agreement.id);
    if record.invoices.is_empty() {
        return ().into_any();
    }
    let record = StoredValue::new(record);
    // The core's own check, run on a copy of the record: the form refuses exactly what
    // sending would refuse, each entry within what its invoice has left after the earlier ones.
    let checked: Checked = Memo::new(move |_| {
        let entries = draft.entries.get();
        record.with_value(|r| {
            let entries: Vec<_> = entries.iter().map(|e| to_entry(r, e)).collect();
            preview::adjustments(r, &entries)
        })
    });

    let start = move |_| {
        if draft.entries.with_untracked(Vec::is_empty) {
            record.with_value(|r| draft.add_entry(r));
        }
        draft.stage.set(Stage::Editing);
        focus_when_drawn("adjust-form-heading");
    };
    let review = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        draft.checked.set(true);
        match checked.get_untracked() {
            Err(e) => draft.alert.set(Some(e.to_string())),
            Ok(preview) => {
                let refused = preview
                    .entries
                    .iter()
                    .find_map(|e| e.outcome.as_ref().err().map(|err| (e, err)));
                if let Some((entry, error)) = refused {
                    draft.alert.set(Some(
                        "Some entries need correcting: see the messages beside their fields."
                            .into(),
                    ));
                    focus_when_drawn(EntryInput::of(error.field).id(&entry.client_token));
                } else {
                    draft.alert.set(None);
                    draft.confirmation.set(String::new());
                    draft.confirmation_error.set(None);
                    draft.stage.set(Stage::Reviewing);
                    focus_when_drawn("adjust-review-heading");
                }
            }
        }
    };
    // What "Submit billing adjustment" sends: the entries as typed, each with its own
    // client token.
    let to_send = Memo::new(move |_| {
        let entries = draft
            .entries
            .with(|sent| record.with_value(|r| sent.iter().map(|e| to_entry(r, e)).collect()));
        Some(BatchCreateAdjustments { entries })
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let preview = match checked.get_untracked() {
            Ok(preview) => preview,
            Err(e) => return draft.alert.set(Some(e.to_string())),
        };
        if !preview.confirmed_by(&draft.confirmation.get_untracked()) {
            draft
                .confirmation_error
                .set(Some(if preview.totals.is_empty() {
                    "Nothing would be refunded: edit the entries first.".into()
                } else {
                    format!(
                        "Type the total exactly as shown: {}.",
                        total_words(&preview)
                    )
                }));
            focus_when_drawn("adjust-confirm");
            return;
        }
        draft.confirmation_error.set(None);
        let sent = draft.entries.get_untracked();
        let (Some(command), seller) = (
            to_send.get_untracked(),
            record.with_value(|r| r.agreement.seller.clone()),
        ) else {
            return;
        };
        match app.act(command, &Actor::Seller(seller)) {
            Ok(result) => {
                draft.alert.set(None);
                draft
                    .stage
                    .set(Stage::Done(sent.into_iter().zip(result.entries).collect()));
                focus_when_drawn("adjust-result-heading");
            }
            Err(problem) => draft.alert.set(Some(problem.to_string())),
        }
    };

    view! {
        {move || match draft.stage.get() {
            Stage::Closed => view! {
                <button type="button" id="adjust-open" on:click=start>"Apply billing adjustment"</button>
            }.into_any(),
            Stage::Editing => view! {
                <form class="panel adjust" on:submit=review novalidate aria-labelledby="adjust-form-heading">
                    <h3 id="adjust-form-heading" tabindex="-1">"Apply billing adjustment"</h3>
                    <p>{format!("Refund one or more invoices of this agreement, up to {BATCH_MAX} at once. The agreement itself stays as it is.")}</p>
                    <For each=move || draft.entries.get() key=|e| e.token.clone() let:entry>
                        <EntryFields draft=draft token=entry.token record=record checked=checked/>
                    </For>
                    {move || if draft.entries.with(Vec::len) < BATCH_MAX {
                        view! {
                            <p>
                                <button type="button" class="secondary" id="adjust-add" on:click=move |_| {
                                    let token = record.with_value(|r| draft.add_entry(r));
                                    focus_when_drawn(EntryInput::Invoice.id(&token));
                                }>"Add another invoice"</button>
                            </p>
                        }.into_any()
                    } else {
                        view! { <p class="hint">{format!("A batch holds at most {BATCH_MAX} entries: submit these, then start another.")}</p> }.into_any()
                    }}
                    <p class="field-error" role="alert">{move || draft.alert.get()}</p>
                    <div class="buttons">
                        <button type="submit">"Review billing adjustment"</button>
                        <button type="button" class="secondary" on:click=move |_| {
                            draft.stage.set(Stage::Closed);
                            focus_when_drawn("adjust-open");
                        }>"Close the form"</button>
                    </div>
                </form>
            }.into_any(),
            Stage::Reviewing => view! {
                <form class="panel adjust" on:submit=submit novalidate aria-labelledby="adjust-review-heading">
                    <h3 id="adjust-review-heading" tabindex="-1">"Review the billing adjustment"</h3>
                    <p class="note">"A billing adjustment cannot be undone: once submitted, the refund goes back to the buyer on their AWS bill."</p>
                    <Review draft=draft record=record checked=checked/>
                    <div class="field">
                        <label for="adjust-confirm">"Type the total to confirm"</label>
                        <input id="adjust-confirm" type="text" autocomplete="off"
                            aria-describedby="adjust-confirm-hint adjust-confirm-error"
                            aria-invalid=move || draft.confirmation_error.get().is_some().to_string()
                            prop:value=move || draft.confirmation.get()
                            on:input=move |ev| draft.confirmation.set(event_target_value(&ev))/>
                        <span class="hint" id="adjust-confirm-hint">{move || match checked.get() {
                            Ok(p) if !p.totals.is_empty() => format!("Type {} to confirm that this is what the buyer gets back.", total_words(&p)),
                            _ => "Nothing would be refunded: edit the entries.".to_string(),
                        }}</span>
                        <span class="field-error" id="adjust-confirm-error">{move || draft.confirmation_error.get()}</span>
                    </div>
                    <p class="field-error" role="alert">{move || draft.alert.get()}</p>
                    <AwsCliCommand id="adjust-cli" command=Signal::derive(move || to_send.get().map(Into::into))/>
                    <div class="buttons">
                        <button type="submit">"Submit billing adjustment"</button>
                        <button type="button" class="secondary" on:click=move |_| {
                            draft.stage.set(Stage::Editing);
                            focus_when_drawn("adjust-form-heading");
                        }>"Edit"</button>
                    </div>
                </form>
            }.into_any(),
            Stage::Done(results) => view! { <Outcome draft=draft record=record results=results/> }.into_any(),
        }}
    }
    .into_any()
}

/// One entry's fields, named "Entry N" for assistive technology and tests alike.
#[component]
fn EntryFields(
    draft: AdjustDraft,
    token: String,
    record: StoredValue<AgreementRecord>,
    checked: Checked,
) -> impl IntoView {
    let token = StoredValue::new(token);
    let id = move |field: EntryInput| token.with_value(|t| field.id(t));
    let error = move |field: EntryInput| {
        move || -> Option<String> {
            if !draft.checked.get() {
                return None;
            }
            checked.with(|c| {
                let preview = c.as_ref().ok()?;
                token.with_value(|t| {
                    let shown = preview.entries.iter().find(|e| &e.client_token == t)?;
                    let refused: &EntryError = shown.outcome.as_ref().err()?;
                    (EntryInput::of(refused.field) == field).then(|| refused.message.clone())
                })
            })
        }
    };
    let invalid = move |field: EntryInput| move || error(field)().is_some().to_string();
    let described = move |field: EntryInput, extra: &str| format!("{extra}{}-error", id(field));
    let value =
        move |field: fn(&EntryDraft) -> &String| move || token.with_value(|t| draft.read(t, field));
    let set = move |field: fn(&mut EntryDraft) -> &mut String| {
        move |ev: leptos::ev::Event| {
            token.with_value(|t| draft.write(t, field, event_target_value(&ev)))
        }
    };
    let invoice = move || {
        let chosen = value(|e| &e.invoice)();
        record.with_value(|r| {
            r.invoice(&chosen).map(|i| {
                (
                    i.currency,
                    Money::new(r.still_refundable_minor(i), i.currency),
                )
            })
        })
    };
    let options = record.with_value(|r| {
        r.invoices
            .iter()
            .map(|i| {
                (
                    i.id.to_string(),
                    format!(
                        "{} (issued {}, {} charged)",
                        i.id,
                        local_date(i.issued_at),
                        i.charged()
                    ),
                )
            })
            .collect::<Vec<_>>()
    });
    let remove = move |_| {
        token.with_value(|t| draft.entries.update(|v| v.retain(|e| &e.token != t)));
        focus_when_drawn("adjust-add");
    };
    view! {
        <fieldset class="adjust-entry">
            <legend>{move || token.with_value(|t| format!("Entry {}", draft.position(t) + 1))}</legend>
            <p class="field-error" id=id(EntryInput::Entry) tabindex="-1">{error(EntryInput::Entry)}</p>
            <div class="adjust-grid">
                <div class="field">
                    <label for=id(EntryInput::Invoice)>"Invoice"</label>
                    <select id=id(EntryInput::Invoice) aria-describedby=described(EntryInput::Invoice, "")
                        aria-invalid=invalid(EntryInput::Invoice)
                        prop:value=value(|e| &e.invoice)
                        on:change=set(|e| &mut e.invoice)>
                        <option value="">"Choose an invoice"</option>
                        {options.into_iter().map(|(value, label)| view! { <option value=value>{label}</option> }).collect_view()}
                    </select>
                    <span class="field-error" id=format!("{}-error", id(EntryInput::Invoice))>{error(EntryInput::Invoice)}</span>
                </div>
                <div class="field">
                    <label for=id(EntryInput::Amount)>"Refund amount"</label>
                    <div class="amount-row">
                        <input id=id(EntryInput::Amount) type="text" inputmode="decimal" autocomplete="off"
                            aria-describedby=described(EntryInput::Amount, &format!("{}-left ", id(EntryInput::Amount)))
                            aria-invalid=invalid(EntryInput::Amount)
                            prop:value=value(|e| &e.amount)
                            on:input=set(|e| &mut e.amount)/>
                        <span class="currency" aria-hidden="true">{move || invoice().map(|(c, _)| c.code())}</span>
                    </div>
                    <span class="hint" id=format!("{}-left", id(EntryInput::Amount))>{move || match invoice() {
                        Some((_, left)) => format!("Still refundable: {left}"),
                        None => "Choose an invoice to see what it can still refund.".to_string(),
                    }}</span>
                    <span class="field-error" id=format!("{}-error", id(EntryInput::Amount))>{error(EntryInput::Amount)}</span>
                </div>
                <div class="field">
                    <label for=id(EntryInput::ReasonCode)>"Reason code"</label>
                    <select id=id(EntryInput::ReasonCode) aria-describedby=described(EntryInput::ReasonCode, "")
                        aria-invalid=invalid(EntryInput::ReasonCode)
                        prop:value=move || token.with_value(|t| draft.read(t, |e| &e.reason_code)).map_or("", AdjustmentReasonCode::code)
                        on:change=move |ev| {
                            let code = AdjustmentReasonCode::from_code(&event_target_value(&ev));
                            token.with_value(|t| draft.write(t, |e| &mut e.reason_code, code));
                        }>
                        <option value="">"Choose a reason code"</option>
                        {AdjustmentReasonCode::ALL.into_iter().map(|c| view! { <option value=c.code()>{c.label()}</option> }).collect_view()}
                    </select>
                    <span class="field-error" id=format!("{}-error", id(EntryInput::ReasonCode))>{error(EntryInput::ReasonCode)}</span>
                </div>
                <div class="field wide">
                    <label for=id(EntryInput::Reason)>"Reason"</label>
                    <textarea id=id(EntryInput::Reason)
                        aria-describedby=described(EntryInput::Reason, &format!("{}-hint ", id(EntryInput::Reason)))
                        aria-invalid=invalid(EntryInput::Reason)
                        prop:value=value(|e| &e.reason)
                        on:input=set(|e| &mut e.reason)></textarea>
                    <span class="hint" id=format!("{}-hint", id(EntryInput::Reason))>{move || format!(
                        "Say what went wrong, for example \"Usage was double-counted on 3 March.\" {} of {DESCRIPTION_MAX} characters.",
                        value(|e| &e.reason)().chars().count()
                    )}</span>
                    <span class="field-error" id=format!("{}-error", id(EntryInput::Reason))>{error(EntryInput::Reason)}</span>
                </div>
            </div>
            <Show when=move || draft.entries.with(|v| v.len() > 1)>
                <button type="button" class="secondary" on:click=remove>
                    "Remove"<span class="visually-hidden">{move || token.with_value(|t| format!(" entry {}", draft.position(t) + 1))}</span>
                </button>
            </Show>
        </fieldset>
    }
}

/// What will be refunded, entry by entry, and the total per currency. It follows the
/// record: if another tab refunds one of these invoices meanwhile, the entry says so here.
#[component]
fn Review(
    draft: AdjustDraft,
    record: StoredValue<AgreementRecord>,
    checked: Checked,
) -> impl IntoView {
    move || {
        let Ok(preview) = checked.get() else {
            return ().into_any();
        };
        let entries = draft.entries.get();
        let rows = entries
            .into_iter()
            .zip(preview.entries.iter().cloned())
            .enumerate()
            .map(|(n, (entry, shown))| {
                let currency = record.with_value(|r| r.invoice(&entry.invoice).map(|i| i.currency));
                let code = entry.reason_code.map(|c| c.label());
                let (amount, outcome) = match shown.outcome {
                    Ok(line) if line.to == RefundTo::NotRefunded => (line.what, None),
                    Ok(line) => (line.amount.to_string(), None),
                    Err(error) => (
                        format!("{} {}", entry.amount.trim(), currency.map(|c| c.code()).unwrap_or_default()),
                        Some(format!("This entry would now be refused ({}): {} Edit it, or submit anyway: the other entries are created without it.", error.code.code(), error.message)),
                    ),
                };
                view! {
                    <li>
                        <h4>{format!("Entry {}", n + 1)}</h4>
                        <dl class="terms">
                            <dt>"Invoice"</dt><dd>{entry.invoice.clone()}</dd>
                            <dt>"Refund amount"</dt><dd>{amount}</dd>
                            <dt>"Reason code"</dt><dd>{code}</dd>
                            <dt>"Reason"</dt><dd class="user-text">{entry.reason.clone()}</dd>
                        </dl>
                        {outcome.map(|text| view! { <p class="field-error">{text}</p> })}
                    </li>
                }
            })
            .collect_view();
        let total = if preview.totals.is_empty() {
            "nothing".to_string()
        } else {
            total_words(&preview)
        };
        view! {
            <ol class="adjust-list">{rows}</ol>
            <p class="adjust-total">"Total refund: "<strong>{total}</strong></p>
        }
        .into_any()
    }
}

/// The batch's result: every entry created, with its adjustment ID and where it stands, or
/// refused, with the API's error code and the reason.
#[component]
fn Outcome(
    draft: AdjustDraft,
    record: StoredValue<AgreementRecord>,
    results: Vec<(EntryDraft, BatchEntryResult)>,
) -> impl IntoView {
    let refused: Vec<EntryDraft> = results
        .iter()
        .filter(|(_, r)| matches!(r, BatchEntryResult::Failed { .. }))
        .map(|(e, _)| e.clone())
        .collect();
    let created = results.len() - refused.len();
    let summary = format!(
        "{created} of {} {} created{}.",
        results.len(),
        if results.len() == 1 {
            "entry"
        } else {
            "entries"
        },
        if refused.is_empty() {
            String::new()
        } else {
            format!(", {} refused", refused.len())
        }
    );
    let rows = results
        .into_iter()
        .enumerate()
        .map(|(n, (entry, result))| {
            let what = format!("Entry {} (invoice {})", n + 1, entry.invoice);
            match result {
                BatchEntryResult::Created { id, .. } => {
                    let (amount, status) = record.with_value(|r| {
                        r.adjustments
                            .iter()
                            .find(|a| a.id == id)
                            .map(|a| (a.amount.to_string(), a.status.label()))
                            .unwrap_or_default()
                    });
                    view! {
                        <li class="created">
                            <strong>"Created"</strong>" "{what}": "{amount}" as "<code>{id.to_string()}</code>", status "{status}"."
                        </li>
                    }
                    .into_any()
                }
                BatchEntryResult::Failed { error, .. } => view! {
                    <li class="refused">
                        <strong>"Refused"</strong>" "{what}": "<code>{error.code.code()}</code>": "{error.message}
                    </li>
                }
                .into_any(),
            }
        })
        .collect_view();
    let retry = StoredValue::new(refused);
    view! {
        <section class="panel adjust" aria-labelledby="adjust-result-heading">
            <h3 id="adjust-result-heading" tabindex="-1">"Billing adjustment result"</h3>
            <p>{summary}</p>
            <ol class="adjust-list">{rows}</ol>
            <p class="note">"Billing processes a created adjustment about a minute later; until then the invoices below show it as a refund pending. Created adjustments stay, whatever became of the other entries."</p>
            <div class="buttons">
                {retry.with_value(|r| !r.is_empty()).then(|| view! {
                    <button type="button" on:click=move |_| {
                        draft.entries.set(retry.get_value());
                        draft.confirmation.set(String::new());
                        draft.stage.set(Stage::Editing);
                        focus_when_drawn("adjust-form-heading");
                    }>"Correct the refused entries"</button>
                })}
                <button type="button" class="secondary" on:click=move |_| {
                    draft.close();
                    focus_when_drawn("adjust-open");
                }>"Done"</button>
            </div>
        </section>
    }
}
