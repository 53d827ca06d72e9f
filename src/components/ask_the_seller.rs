//! "Request to the seller": on any of their AWS Marketplace agreements, a buyer asks the
//! seller to cancel it, to refund an invoice, or both, with a reason, as a sealed link
//! (`workbench_core::link::buyer_request`) they send. Opened in the seller's workbench, it
//! fills in the seller's forms for review (`crate::pages::from_buyer`).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use workbench_core::ids::IdSource;
use workbench_core::ids::{AccountId, AgreementId, InvoiceId};
use workbench_link::share::origin;

use crate::browser_ids::BrowserIds;
use crate::components::ask_the_seller_state::{AskField, AskForm, Asked};
use crate::components::link_to_send::LinkToSend;
use crate::focus::focus_when_drawn;
use crate::state::use_app;

/// The cell of one agreement in the buyer's table.
#[component]
pub fn AskTheSellerCell(agreement: AgreementId, state: RwSignal<AskForm>) -> impl IntoView {
    let app = use_app();
    let name = [" about ", agreement.as_str()].concat();
    let id = agreement.clone();
    let open = move |_| {
        let first = app.book.with_untracked(|b| {
            b.record(&id)
                .and_then(|r| r.invoices.first())
                .map(|i| i.id.clone())
        });
        let focus = state.try_update(|s| s.open(id.clone(), first.as_ref()));
        focus_when_drawn(focus.unwrap_or("ask-heading"));
    };
    let expanded = move || state.with(|s| s.asking() == Some(&agreement)).to_string();
    view! {
        <button type="button" class="secondary" aria-controls="ask-panel" aria-expanded=expanded on:click=open>
            "Request to the seller"<span class="visually-hidden">{name}</span>
        </button>
    }
}

/// The form of the agreement asked about, below the table, then its link.
#[component]
pub fn AskTheSellerPanel(account: AccountId, state: RwSignal<AskForm>) -> impl IntoView {
    let app = use_app();
    let make = move |ev: SubmitEvent| {
        ev.prevent_default();
        let secret = BrowserIds.link_secret();
        let now = app.now.get_untracked();
        let focus = state.try_update(|s| s.make(&account, now, &secret));
        focus_when_drawn(focus.unwrap_or("ask-heading"));
    };
    let asking = Memo::new(move |_| state.with(|s| s.asking().cloned()));
    view! {
        <div id="ask-panel">
        {move || asking.get().map(|id| {
            let invoices: Vec<InvoiceId> = app.book.with_untracked(|b| {
                b.record(&id).map(|r| r.invoices.iter().map(|i| i.id.clone()).collect()).unwrap_or_default()
            });
            view! {
                <form class="panel" novalidate on:submit=make.clone() aria-labelledby="ask-heading">
                    <h3 id="ask-heading" tabindex="-1">{["Request to the seller about agreement ", id.as_str()].concat()}</h3>
                    <p>"The seller receives a link that fills in their forms with what you ask. Nothing happens until the seller reviews it and submits it themselves."</p>
                    {what_to_ask(state, invoices)}
                    {reason_field(state)}
                    <div class="buttons">
                        <button type="submit">"Make the link"</button>
                        <button type="button" class="secondary" on:click=move |_| state.update(AskForm::close)>"Close"</button>
                    </div>
                    {move || state.with(|s| s.link().map(|href| [origin().as_str(), href].concat())).map(|url| view! {
                        <div id="ask-link" tabindex="-1">
                            <LinkToSend url=url id="ask-link-text" label="Link for the seller" openable=false/>
                        </div>
                    })}
                </form>
            }
        })}
        </div>
    }
}

fn error(state: RwSignal<AskForm>, field: AskField) -> Option<String> {
    state.with(|s| s.error_beside(field).map(str::to_string))
}

/// "What to ask": cancel, refund an invoice (with the invoice), or both.
fn what_to_ask(state: RwSignal<AskForm>, invoices: Vec<InvoiceId>) -> impl IntoView {
    let ticked = move |read: fn(&Asked) -> bool| move || state.with(|s| read(s.asked()));
    let tick = move |write: fn(&mut Asked, bool)| {
        move |ev| {
            let on = event_target_checked(&ev);
            state.update(|s| s.edit(|a| write(a, on)));
        }
    };
    let none = invoices.is_empty();
    view! {
        <fieldset aria-describedby="ask-what-error">
            <legend>"What to ask"</legend>
            <div class="field confirm-check">
                <label>
                    <input type="checkbox" id="ask-cancel" prop:checked=ticked(|a| a.cancel) on:change=tick(|a, on| a.cancel = on)/>
                    " Cancel this agreement"
                </label>
            </div>
            <div class="field confirm-check">
                <label>
                    <input type="checkbox" id="ask-refund" disabled=none aria-describedby=none.then_some("ask-refund-hint")
                        prop:checked=ticked(|a| a.refund) on:change=tick(|a, on| a.refund = on)/>
                    " Refund an invoice"
                </label>
                {none.then(|| view! { <span class="hint" id="ask-refund-hint">"This agreement has no invoices."</span> })}
            </div>
            <span class="field-error" id="ask-what-error">{move || error(state, AskField::What)}</span>
        </fieldset>
        <div class="field">
            <label for="ask-invoice">"Invoice to refund"</label>
            <select id="ask-invoice" aria-describedby="ask-invoice-error" disabled=none
                prop:value=move || state.with(|s| s.asked().invoice.clone())
                on:change=move |ev| state.update(|s| s.edit(|a| a.invoice = event_target_value(&ev)))>
                <option value="">"Choose an invoice"</option>
                {invoices.into_iter().map(|i| { let (v, shown) = (i.to_string(), i.to_string()); view! { <option value=v>{shown}</option> } }).collect_view()}
            </select>
            <span class="field-error" id="ask-invoice-error">{move || error(state, AskField::Invoice)}</span>
        </div>
    }
}

/// Says the core's limit (`REASON_MAX`), which a test holds it to.
const REASON_HINT: &str = "Why, in at most 280 characters: the seller reads it before deciding.";

/// "Reason": why, within the core's limit.
fn reason_field(state: RwSignal<AskForm>) -> impl IntoView {
    view! {
        <div class="field">
            <label for="ask-reason">"Reason"</label>
            <textarea id="ask-reason" rows="3" aria-describedby="ask-reason-hint ask-reason-error"
                prop:value=move || state.with(|s| s.asked().reason.clone())
                on:input=move |ev| state.update(|s| s.edit(|a| a.reason = event_target_value(&ev)))></textarea>
            <span class="hint" id="ask-reason-hint">{REASON_HINT}</span>
            <span class="field-error" id="ask-reason-error">{move || error(state, AskField::Reason)}</span>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use workbench_core::link::buyer_request::REASON_MAX;

    #[test]
    fn the_reason_hint_names_the_cores_limit() {
        assert!(super::REASON_HINT.contains(&REASON_MAX.to_string()));
    }
}
