//! /seller/attention: the seller's work queue, soonest first, each item a link to what it
//! is about.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_router::components::A;
use workbench_core::book::{Attention, AttentionAbout, AttentionKind, Book, Page, DUE_SOON};
use workbench_link::words::{duration_words, local_time};

use crate::components::page_title::PageTitle;
use crate::components::pager::Pager;
use crate::pages::reports::ThisMonthLink;
use crate::state::use_app;
use crate::work_queue::{use_work_queue, waiting_words};

/// One item as it is shown: what it is, what it is about, and where to handle it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Item {
    what: String,
    about: String,
    href: String,
    at: DateTime<Utc>,
    /// A deadline still to come, rather than a moment past.
    ahead: bool,
    urgent: bool,
}

fn item_of(book: &Book, attention: &Attention, now: DateTime<Utc>) -> Item {
    let (about, href) = match &attention.about {
        AttentionAbout::Agreement(id) => {
            let product = book
                .record(id)
                .map(|r| {
                    let d = book.directory();
                    let buyer = d
                        .buyer(&r.agreement.buyer)
                        .map_or(r.agreement.buyer.to_string(), |p| p.name.clone());
                    let product = d
                        .product(&r.agreement.product)
                        .map_or(r.agreement.product.to_string(), |p| p.name.clone());
                    format!("{product} for {buyer}")
                })
                .unwrap_or_default();
            (
                format!("Agreement {id}: {product}"),
                format!("/seller/agreements/{id}"),
            )
        }
        AttentionAbout::SupportCase(id) => (
            format!("Support case {id}"),
            format!("/seller/support#case-{id}-heading"),
        ),
    };
    let (what, ahead, urgent) = match &attention.kind {
        AttentionKind::Waiting { due_soon } => (
            format!(
                "Waiting for the buyer: approved automatically in {}",
                duration_words(attention.at - now)
            ),
            true,
            *due_soon,
        ),
        AttentionKind::Denied => (
            "The buyer denied the cancellation: agree the next step with them".into(),
            false,
            false,
        ),
        AttentionKind::ValidationFailed => (
            "The cancellation request failed validation: cancel the renewal agreement first, then ask again".into(),
            false,
            false,
        ),
        AttentionKind::RefundPending { invoice } => (
            format!("Refund on invoice {invoice} pending: billing processes it"),
            true,
            false,
        ),
        AttentionKind::RefundFailed { invoice } => (
            format!("Refund on invoice {invoice} failed: read why and apply it again"),
            false,
            false,
        ),
        AttentionKind::ActionRequired => (
            "Action Required: AWS needs your reply".into(),
            false,
            false,
        ),
    };
    Item {
        what,
        about,
        href,
        at: attention.at,
        ahead,
        urgent,
    }
}

/// The seller's work queue, a page at a time.
#[component]
pub fn NeedsAttentionPage() -> impl IntoView {
    let app = use_app();
    let queue = use_work_queue();
    let page = RwSignal::new(0usize);
    // The queue changes with the book alone, and the work queue keeps it; the clock's tick
    // brings only the items on this page up to the time, so that a request entering its last
    // day is marked at once, without going through the whole book every second.
    let shown = Memo::new(move |_| {
        let now = app.now.get();
        queue.items.with(|items| {
            app.book.with(|book| {
                Page::of(items.iter(), page.get()).map(|a| item_of(book, &a.as_of(now), now))
            })
        })
    });
    view! {
        <PageTitle text="Needs attention"/>
        <h1>"Needs attention"</h1>
        <p class="lede" role="status">{move || waiting_words(queue.count())}</p>
        <ThisMonthLink/>
        <Show when=move || queue.storage_full.get()>
            <p class="attention urgent">
                {move || format!("This browser's storage is {} % full: archive closed cases before changes stop being saved. ", app.usage.get().percent())}
                <A href="/seller/data">"Go to Data"</A>
            </p>
        </Show>
        <Show
            when=move || shown.with(|p| p.total > 0)
            fallback=move || view! { <p>"No request, refund or support case waits for you or for a buyer."</p> }
        >
            <ol class="attention-list">
                <For each=move || shown.get().items key=|item| item.clone() let:item>
                    <li class=if item.urgent { "attention urgent" } else { "attention" }>
                        <A href=item.href.clone()>{item.about.clone()}</A>
                        <span class="what">{item.what.clone()}</span>
                        <span class="when">
                            {item.urgent.then(|| format!("Due within {} hours · ", DUE_SOON.num_hours()))}
                            {format!("{} {}", if item.ahead { "Due" } else { "Since" }, local_time(item.at))}
                        </span>
                    </li>
                </For>
            </ol>
            <Show when=move || shown.with(|p| p.pages > 1)>
                <Pager label="Needs attention pages" page=page shown=Signal::derive(move || shown.with(Page::at))/>
            </Show>
        </Show>
    }
}
