//! /seller/agreements/<id>: one agreement, its case and what the seller can do next.

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use workbench_core::book::{AgreementRecord, AgreementStatus};
use workbench_core::cancellation::CancellationRequest;
use workbench_core::cancellation::AUTO_APPROVAL_AFTER;
use workbench_core::case::case_of;
use workbench_core::events::{BusEvent, Side};
use workbench_core::ids::AgreementId;
use workbench_link::words::{duration_words, local_date, local_time};

use crate::components::adjustment_form::{AdjustDraft, ApplyAdjustment};
use crate::components::apply_receipt::{PasteReceipt, PastedReceipt};
use crate::components::event_log::EventItem;
use crate::components::page_title::PageTitle;
use crate::components::request_form::{
    CancelDraft, RequestCancellation, RequestSubmitted, WithdrawDraft, WithdrawRequest,
};
use crate::components::share_link::ShareLink;
use crate::state::use_app;

/// One agreement as its seller sees it: terms, invoices, the case, and its events.
#[component]
pub fn AgreementPage() -> impl IntoView {
    let app = use_app();
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|id| AgreementId::parse(&id).ok())
    });
    let record = Memo::new(move |_| {
        id.get()
            .and_then(|id| app.book.with(|b| b.record(&id).cloned()))
    });
    let draft = CancelDraft::new();
    let withdraw = WithdrawDraft::new();
    let adjust = AdjustDraft::new();
    let receipt = PastedReceipt::new();
    view! {
        <PageTitle text="Agreement"/>
        <p><A href="/seller">"Back to all agreements"</A></p>
        {move || match record.get() {
            None => view! {
                <h1>"Agreement not found"</h1>
                <p>"There is no agreement with this ID in the workbench. Check the ID, or search for it in the seller console."</p>
            }
            .into_any(),
            Some(record) => view! { <AgreementDetail record=record draft=draft withdraw=withdraw adjust=adjust receipt=receipt/> }.into_any(),
        }}
    }
}

/// The agreement's page once it is found: its terms, the case, what the seller can do, the
/// invoices and the events.
#[component]
pub fn AgreementDetail(
    record: AgreementRecord,
    draft: CancelDraft,
    withdraw: WithdrawDraft,
    adjust: AdjustDraft,
    receipt: PastedReceipt,
) -> impl IntoView {
    view! {
        <h1>{format!("Agreement {}", record.agreement.id)}</h1>
        <AgreementTerms record=record.clone()/>
        <TheCase record=record.clone() draft=draft receipt=receipt/>
        <AgreementActions record=record.clone() draft=draft withdraw=withdraw adjust=adjust/>
        <AgreementInvoices record=record.clone()/>
        <AgreementEvents record=record/>
    }
}

/// "Terms": who buys what under which offer, its pricing, status and dates, and whether it
/// came from AWS.
#[component]
fn AgreementTerms(record: AgreementRecord) -> impl IntoView {
    let app = use_app();
    let a = record.agreement;
    let (buyer, product, private) = app.book.with_untracked(|b| {
        let d = b.directory();
        (
            d.buyer(&a.buyer).map_or(a.buyer.to_string(), |p| {
                format!("{} ({})", p.name, p.account)
            }),
            d.product(&a.product)
                .map_or(a.product.to_string(), |p| p.name.clone()),
            d.offer(&a.offer).is_some_and(|o| o.private),
        )
    });
    view! {
        <section aria-labelledby="terms-heading">
            <h2 id="terms-heading">"Terms"</h2>
            <dl class="terms">
                <dt>"Buyer"</dt><dd>{buyer}</dd>
                <dt>"Product"</dt><dd>{product}</dd>
                <dt>"Offer"</dt>
                <dd>{format!("{} ({})", a.offer, if private { "private offer" } else { "public offer" })}</dd>
                <dt>"Pricing model"</dt><dd>{a.pricing.label()}</dd>
                {a.free_trial_converted.map(|at| view! { <dt>"Free trial converted to paid"</dt><dd>{local_time(at)}</dd> })}
                <dt>"Status"</dt><dd>{a.status_label()}</dd>
                <dt>"Started"</dt><dd>{local_date(a.start)}</dd>
                <dt>"Ends"</dt><dd>{a.end.map_or("No end date".to_string(), local_date)}</dd>
                <dt>"Source"</dt><dd>{if record.from_aws.agreement { "From AWS" } else { "Made in the workbench" }}</dd>
            </dl>
        </section>
    }
}

/// "The case": its next step, the cancellation request with its link and the buyer's
/// receipt, and the evidence pack.
#[component]
fn TheCase(record: AgreementRecord, draft: CancelDraft, receipt: PastedReceipt) -> impl IntoView {
    let case = case_of(&record);
    let next_step = case.next_step;
    let request = case.request.cloned();
    let agreement = record.agreement.id.clone();
    view! {
        <section aria-labelledby="case-heading">
            <h2 id="case-heading" tabindex="-1">"The case"</h2>
            <p class="next-step">{next_step}</p>
            {request.map(|r| view! { <RequestFacts from_aws=record.from_aws.request(&r.id) request=r draft=draft receipt=receipt/> })}
            <crate::components::evidence::DownloadEvidencePack agreement=agreement/>
            <crate::components::evidence::VerifyEvidencePack/>
        </section>
    }
}

/// The case's cancellation request: that it was submitted, its terms and how long it waits,
/// the link for the buyer while it waits, and where to apply the buyer's receipt.
#[component]
fn RequestFacts(
    request: CancellationRequest,
    from_aws: bool,
    draft: CancelDraft,
    receipt: PastedReceipt,
) -> impl IntoView {
    let app = use_app();
    let r = request;
    let deadline = r.deadline();
    view! {
        <RequestSubmitted request=r.clone() draft=draft/>
        <dl class="terms">
            <dt>"Cancellation request"</dt>
            <dd>{r.id.to_string()}{from_aws.then_some(" (From AWS)")}</dd>
            <dt>"Status"</dt><dd>{r.status.label()}{r.approved_automatically().then(|| format!(" (automatically, after {} days)", AUTO_APPROVAL_AFTER.num_days()))}</dd>
            <dt>"Reason code"</dt><dd>{r.reason_code.label()}</dd>
            <dt>"Reason"</dt><dd class="user-text">{r.description.clone()}</dd>
            <dt>"Sent"</dt><dd>{local_time(r.created_at)}</dd>
            {r.status.is_pending().then(|| view! {
                <dt>"Approved automatically"</dt>
                <dd>{local_time(deadline)}" ("{move || duration_words(deadline - app.now.get())}" left)"</dd>
            })}
            {(!r.status_message.is_empty()).then(|| view! {
                <dt>"Message"</dt><dd class="user-text">{r.status_message.clone()}</dd>
            })}
        </dl>
        {r.status.is_pending().then(|| view! {
            <h3>"Send the buyer this link"</h3>
            <p>"The buyer opens it on any device to approve or reject. Opened in this browser, their decision applies at once; on another device they get a receipt to send back, which you apply below."</p>
            <ShareLink agreement_id=r.agreement_id.clone() request_id=r.id.clone()/>
        })}
        <h3>"The buyer's decision from another device"</h3>
        <PasteReceipt draft=receipt/>
    }
}

/// "Actions": a cancellation request (or withdrawing the one that waits) and a billing
/// adjustment, told apart.
#[component]
fn AgreementActions(
    record: AgreementRecord,
    draft: CancelDraft,
    withdraw: WithdrawDraft,
    adjust: AdjustDraft,
) -> impl IntoView {
    let pending = record.pending_request().is_some();
    let can_request = record.agreement.status == AgreementStatus::Active && !pending;
    view! {
        <section aria-labelledby="actions-heading">
            <h2 id="actions-heading">"Actions"</h2>
            <p>
                "A cancellation ends the agreement and refunds nothing. A billing adjustment \
                 refunds an invoice and keeps the agreement as it is. They are separate actions."
            </p>
            {can_request.then(|| view! { <RequestCancellation record=record.clone() draft=draft/> })}
            {pending.then(|| view! { <WithdrawRequest record=record.clone() draft=withdraw/> })}
            <ApplyAdjustment record=record draft=adjust/>
        </section>
    }
}

/// "Invoices": each invoice's charge, refunds made and pending, and what is still
/// refundable.
#[component]
fn AgreementInvoices(record: AgreementRecord) -> impl IntoView {
    let balances = case_of(&record).balances;
    let from_aws: BTreeSet<String> = record
        .from_aws
        .invoices
        .iter()
        .map(ToString::to_string)
        .collect();
    view! {
        <section aria-labelledby="invoices-heading">
            <h2 id="invoices-heading">"Invoices"</h2>
            <div class="table-wrap" tabindex="0" role="region" aria-label="Invoices table">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">"Invoice"</th>
                            <th scope="col">"Charged"</th>
                            <th scope="col">"Refunded"</th>
                            <th scope="col">"Refund pending"</th>
                            <th scope="col">"Still refundable"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {balances.into_iter().map(|b| view! {
                            <tr>
                                <td>{b.invoice_id.clone()}{from_aws.contains(&b.invoice_id).then_some(" (From AWS)")}</td>
                                <td>{b.charged.to_string()}</td>
                                <td>{b.refunded.to_string()}</td>
                                <td>{b.owed.to_string()}</td>
                                <td>{b.still_refundable.to_string()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

/// "Events": the seller's side of the agreement's events, newest first.
#[component]
fn AgreementEvents(record: AgreementRecord) -> impl IntoView {
    let events: Vec<BusEvent> = record
        .event_refs()
        .iter()
        .rev()
        .filter(|e| e.side == Side::Proposer)
        .filter_map(|e| record.bus_event(e))
        .collect();
    view! {
        <section aria-labelledby="events-heading">
            <h2 id="events-heading">"Events"</h2>
            {if events.is_empty() {
                view! { <p>"No events yet."</p> }.into_any()
            } else {
                view! {
                    <ol class="events">
                        {events.into_iter().map(|e| view! { <EventItem event=e with_agreement=false/> }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}
