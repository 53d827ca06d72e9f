//! /seller: the seller's agreements, and the search for them, kept in the address.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::params::ParamsMap;
use leptos_router::NavigateOptions;
use workbench_core::book::{AgreementStatus, Filter, Page, PAGE_MAX};
use workbench_core::ids::{AccountId, AgreementId, OfferId};
use workbench_link::timing;
use workbench_link::words::{duration_words, local_date};

use crate::components::page_title::PageTitle;
use crate::components::pager::Pager;
use crate::state::use_app;

/// /seller: the seller's agreements, found by the filters in the address.
#[component]
pub fn AgreementsPage() -> impl IntoView {
    view! {
        <PageTitle text="Agreements"/>
        <h1>"Agreements"</h1>
        <p class="lede">
            "Find a buyer's agreement, request its cancellation or refund its invoices. \
             Filtering by Agreement ID is the only way to reach exactly one agreement; the \
             other filters can match several. The filters are part of the address, so a \
             filtered list can be bookmarked or sent to a colleague."
        </p>
        <AgreementSearch/>
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
    from_aws: bool,
    status: &'static str,
    start: DateTime<Utc>,
    deadline: Option<DateTime<Utc>>,
}

/// The filters and the page, as the address keeps them (`?buyer=444455556666&status=ACTIVE&page=2`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct InAddress {
    agreement_id: String,
    buyer_id: String,
    offer_id: String,
    product: String,
    status: Option<AgreementStatus>,
    /// From 0; the address counts from 1.
    page: usize,
}

impl InAddress {
    fn from_query(query: &ParamsMap) -> InAddress {
        let text = |key| query.get(key).unwrap_or_default();
        InAddress {
            agreement_id: text("agreement"),
            buyer_id: text("buyer"),
            offer_id: text("offer"),
            product: text("product"),
            // The API's code, or its words as a person would write them ("Active").
            status: query.get("status").and_then(|s| {
                AgreementStatus::from_code(&s.trim().to_uppercase().replace(' ', "_"))
            }),
            page: text("page")
                .parse::<usize>()
                .map_or(0, |p| p.saturating_sub(1)),
        }
    }

    fn address(&self) -> String {
        let mut query = ParamsMap::new();
        for (key, value) in [
            ("agreement", self.agreement_id.as_str()),
            ("buyer", self.buyer_id.as_str()),
            ("offer", self.offer_id.as_str()),
            ("product", self.product.as_str()),
            ("status", self.status.map_or("", AgreementStatus::code)),
        ] {
            if !value.is_empty() {
                query.insert(key, value.to_string());
            }
        }
        if self.page > 0 {
            query.insert("page", (self.page + 1).to_string());
        }
        format!("/seller{}", query.to_query_string())
    }
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
    let query = use_query_map();
    let shown = query.with_untracked(InAddress::from_query);
    let agreement_id = RwSignal::new(shown.agreement_id);
    let buyer_id = RwSignal::new(shown.buyer_id);
    let offer_id = RwSignal::new(shown.offer_id);
    let product = RwSignal::new(shown.product);
    let status = RwSignal::new(shown.status);
    let page = RwSignal::new(shown.page);
    let not_found = RwSignal::new(false);
    let current = move || InAddress {
        agreement_id: agreement_id.get(),
        buyer_id: buyer_id.get(),
        offer_id: offer_id.get(),
        product: product.get(),
        status: status.get(),
        page: page.get(),
    };

    // The back and forward buttons bring another address: the filters follow it.
    Effect::new(move |_| {
        let wanted = query.with(InAddress::from_query);
        if wanted != untrack(current) {
            agreement_id.set(wanted.agreement_id);
            buyer_id.set(wanted.buyer_id);
            offer_id.set(wanted.offer_id);
            product.set(wanted.product);
            status.set(wanted.status);
            page.set(wanted.page);
        }
    });
    // And the address follows the filters. Typing replaces the address, so the back
    // button does not step through every keystroke; a new page is a step of its own.
    let to_address = use_navigate();
    Effect::new(move |_| {
        let now = current();
        let there = query.with_untracked(InAddress::from_query);
        if now != there {
            let only_the_page = InAddress {
                page: 0,
                ..now.clone()
            } == InAddress { page: 0, ..there };
            let options = NavigateOptions {
                replace: !only_the_page,
                scroll: false,
                ..Default::default()
            };
            to_address(&now.address(), options);
        }
    });

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
                    from_aws: r.from_aws.agreement,
                    status: a.status.label(),
                    start: a.start,
                    deadline: r.pending_request().map(|p| p.deadline()),
                }
            })
        })
    });

    // Effects run once the list is drawn. The first time it is final is the console's cold
    // start: drawn from part of a large book, the page is final once it is full of IDs the
    // book holds all of. Every later result is a filter's or a page's. `make bench` reads
    // both.
    Effect::new(move |_| {
        let is_final = app.reading.with(|reading| {
            reading.as_ref().is_none_or(|r| {
                results.with(|page| {
                    page.items.len() == PAGE_MAX
                        && page.items.last().is_some_and(|row| {
                            AgreementId::parse(&row.id).is_ok_and(|id| id <= r.shown_through)
                        })
                })
            })
        });
        if is_final {
            timing::mark_once("list-ready");
        }
    });
    Effect::new(move |drawn: Option<()>| {
        results.track();
        if drawn.is_some() {
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
        app.finish_reading();
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
            <h2 id="results-heading">{move || match app.reading.get() {
                None => count_words(results.get().total),
                Some(_) => format!("{} so far", count_words(results.get().total)),
            }}</h2>
            {move || app.reading.get().map(|r| view! {
                <p class="hint" role="status">{format!("Still reading the stored agreements: {} of {}. The list shows the first of them, in ID order; the rest follow in a moment.", r.read, r.total)}</p>
            })}
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
                                <td>
                                    <A href=format!("/seller/agreements/{}", row.id)>{row.id.clone()}</A>
                                    {row.from_aws.then(|| view! { <br/><span class="tag from-aws">"From AWS"</span> })}
                                </td>
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
