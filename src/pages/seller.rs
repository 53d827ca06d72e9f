//! /seller: the seller's console and the search for agreements.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use workbench_core::book::{AgreementStatus, Filter, Page};
use workbench_core::ids::{AccountId, AgreementId, OfferId};
use workbench_link::timing;
use workbench_link::words::{duration_words, local_date};

use crate::components::event_log::EventLog;
use crate::components::page_title::PageTitle;
use crate::components::pager::Pager;
use crate::components::reset_demo::ResetDemo;
use crate::state::use_app;

/// The seller's console: who is acting, and the search for a buyer's agreement.
#[component]
pub fn SellerPage() -> impl IntoView {
    view! {
        <PageTitle text="Seller console"/>
        <h1>"Seller console"</h1>
        <p class="lede">
            "Find a buyer's agreement, request its cancellation or refund its invoices, and \
             follow every case. Filtering by Agreement ID is the only way to reach exactly one \
             agreement; the other filters can match several."
        </p>
        <ActingSeller/>
        <AgreementSearch/>
        <crate::components::fps_actions::FpsSubscriptions/>
        <crate::components::devpay_customers::DevPayCustomers/>
        <crate::components::support_cases::SupportCases/>
        <EventLog/>
        <crate::components::evidence::EvidencePacks/>
        <crate::components::your_data::YourData/>
        <ResetDemo/>
    }
}

/// The demo seller whose console this is.
#[component]
pub fn ActingSeller() -> impl IntoView {
    let app = use_app();
    let sellers = move || app.book.with(|b| b.directory.sellers.clone());
    view! {
        <div class="field inline">
            <label for="acting-seller">"Signed in as seller"</label>
            <select
                id="acting-seller"
                on:change=move |ev| app.seller.set(AccountId::parse(&event_target_value(&ev)).ok())
                prop:value=move || app.seller.get().map(|a| a.to_string()).unwrap_or_default()
            >
                {move || {
                    sellers()
                        .into_iter()
                        .map(|p| {
                            let value = p.account.to_string();
                            view! { <option value=value>{format!("{} ({})", p.name, p.account)}</option> }
                        })
                        .collect_view()
                }}
            </select>
        </div>
    }
}

/// One row of the results, with everything it shows copied out of the book.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Row {
    id: String,
    buyer: String,
    product: String,
    offer: String,
    private: bool,
    status: &'static str,
    start: DateTime<Utc>,
    deadline: Option<DateTime<Utc>>,
}

/// Checks what was typed in an ID field, so a mistake is named beside the field.
fn field_error<T>(
    text: &str,
    parse: impl Fn(&str) -> Result<T, workbench_core::ids::IdError>,
) -> Option<String> {
    let text = text.trim();
    (!text.is_empty())
        .then(|| parse(text).err().map(|e| e.to_string()))
        .flatten()
}

fn count_words(total: usize) -> String {
    match total {
        0 => "No agreements match".into(),
        1 => "1 agreement matches".into(),
        n => format!("{n} agreements match"),
    }
}

/// The filters and the paged list of matching agreements.
#[component]
pub fn AgreementSearch() -> impl IntoView {
    let app = use_app();
    let navigate = use_navigate();
    let agreement_id = RwSignal::new(String::new());
    let buyer_id = RwSignal::new(String::new());
    let offer_id = RwSignal::new(String::new());
    let product = RwSignal::new(String::new());
    let status = RwSignal::new(None::<AgreementStatus>);
    let page = RwSignal::new(0usize);
    let not_found = RwSignal::new(false);

    let agreement_error = Memo::new(move |_| field_error(&agreement_id.get(), AgreementId::parse));
    let buyer_error = Memo::new(move |_| field_error(&buyer_id.get(), AccountId::parse));
    let offer_error = Memo::new(move |_| field_error(&offer_id.get(), OfferId::parse));

    let filter = Memo::new(move |_| Filter {
        agreement_id: Some(agreement_id.get()).filter(|_| agreement_error.get().is_none()),
        buyer_id: Some(buyer_id.get()).filter(|_| buyer_error.get().is_none()),
        offer_id: Some(offer_id.get()).filter(|_| offer_error.get().is_none()),
        product: Some(product.get()),
        status: status.get(),
        seller: app.seller.get(),
    });
    let results = Memo::new(move |_| {
        app.book.with(|book| {
            book.find(&filter.get(), page.get()).map(|r| {
                let a = &r.agreement;
                let d = &book.directory;
                let offer = d.offer(&a.offer);
                Row {
                    id: a.id.to_string(),
                    buyer: d.buyer(&a.buyer).map_or(a.buyer.to_string(), |p| {
                        format!("{} ({})", p.name, p.account)
                    }),
                    product: d
                        .product(&a.product)
                        .map_or(a.product.to_string(), |p| p.name.clone()),
                    offer: a.offer.to_string(),
                    private: offer.is_some_and(|o| o.private),
                    status: a.status.label(),
                    start: a.start,
                    deadline: r.pending_request().map(|p| p.deadline()),
                }
            })
        })
    });

    // Effects run once the list is drawn: the first time is the console's cold start,
    // every later one a filter's or a page's result (`make bench` reads both).
    Effect::new(move |drawn: Option<()>| {
        results.track();
        if drawn.is_none() {
            timing::mark_once("list-ready");
        } else {
            timing::mark("filter-applied");
        }
    });

    let reset_page = move || {
        page.set(0);
        not_found.set(false);
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = agreement_id.get_untracked();
        if typed.trim().is_empty() || agreement_error.get_untracked().is_some() {
            return;
        }
        match results.get_untracked().items.first() {
            Some(row) if results.get_untracked().total == 1 => navigate(
                &format!("/seller/agreements/{}", row.id),
                Default::default(),
            ),
            _ => not_found.set(true),
        }
    };

    view! {
        <section aria-labelledby="find-heading">
            <h2 id="find-heading">"Find an agreement"</h2>
            <form class="filters" on:submit=on_submit novalidate>
                <TextFilter label="Agreement ID" id="filter-agreement" value=agreement_id error=agreement_error on_change=reset_page
                    hint="Unique: opens the agreement."/>
                <TextFilter label="Buyer ID" id="filter-buyer" value=buyer_id error=buyer_error on_change=reset_page
                    hint="The buyer's 12-digit AWS account ID."/>
                <TextFilter label="Offer ID" id="filter-offer" value=offer_id error=offer_error on_change=reset_page hint=""/>
                <div class="field">
                    <label for="filter-product">"Product"</label>
                    <input id="filter-product" type="text" prop:value=move || product.get()
                        on:input=move |ev| { product.set(event_target_value(&ev)); reset_page(); }/>
                </div>
                <div class="field">
                    <label for="filter-status">"Status"</label>
                    <select id="filter-status" prop:value=move || status.get().map_or("", AgreementStatus::code)
                        on:change=move |ev| {
                            status.set(AgreementStatus::from_code(&event_target_value(&ev)));
                            reset_page();
                        }>
                        <option value="">"Any status"</option>
                        {AgreementStatus::ALL
                            .into_iter()
                            .map(|s| view! { <option value=s.code()>{s.label()}</option> })
                            .collect_view()}
                    </select>
                </div>
                <div class="field actions">
                    <button type="submit">"Search"</button>
                </div>
            </form>
            <p class="field-error" role="alert">
                {move || not_found.get().then(|| format!("No agreement of yours has the ID {}.", agreement_id.get().trim()))}
            </p>
        </section>
        <section aria-labelledby="results-heading">
            <h2 id="results-heading">{move || count_words(results.get().total)}</h2>
            <div class="table-wrap" tabindex="0" role="region" aria-label="Matching agreements">
                <table>
                    <caption class="visually-hidden">"Agreements matching the filters"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Agreement"</th>
                            <th scope="col">"Buyer"</th>
                            <th scope="col">"Product"</th>
                            <th scope="col">"Offer"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Start"</th>
                            <th scope="col">"Pending request"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || results.get().items key=|row| row.clone() let:row>
                            <tr>
                                <td><A href=format!("/seller/agreements/{}", row.id)>{row.id.clone()}</A></td>
                                <td>{row.buyer.clone()}</td>
                                <td>{row.product.clone()}</td>
                                <td>{row.offer.clone()}<br/><span class="tag">{if row.private { "Private offer" } else { "Public offer" }}</span></td>
                                <td>{row.status}</td>
                                <td>{local_date(row.start)}</td>
                                <td>{move || row.deadline.map(|d| format!("Pending approval: {} left", duration_words(d - app.now.get()))).unwrap_or_else(|| "None".into())}</td>
                            </tr>
                        </For>
                    </tbody>
                </table>
            </div>
            <Pager label="Result pages" page=page shown=Signal::derive(move || results.with(Page::at))/>
        </section>
    }
}

/// A labelled text filter with its hint and, when what was typed cannot be an ID, the
/// reason beside it. What was typed is never cleared.
#[component]
fn TextFilter(
    label: &'static str,
    id: &'static str,
    value: RwSignal<String>,
    error: Memo<Option<String>>,
    on_change: impl Fn() + Copy + 'static,
    hint: &'static str,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = format!("{hint_id} {error_id}");
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                type="text"
                autocomplete="off"
                aria-describedby=described
                aria-invalid=move || error.get().is_some().to_string()
                prop:value=move || value.get()
                on:input=move |ev| { value.set(event_target_value(&ev)); on_change(); }
            />
            <span class="hint" id=hint_id>{hint}</span>
            <span class="field-error" id=error_id>{move || error.get()}</span>
        </div>
    }
}
