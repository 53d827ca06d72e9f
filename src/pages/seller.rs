//! /seller: the seller's agreements, and the search for them, kept in the address.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::params::ParamsMap;
use leptos_router::NavigateOptions;
use workbench_core::book::{AgreementRecord, AgreementStatus, Directory, Page, PAGE_MAX};
use workbench_core::ids::AgreementId;
use workbench_link::timing;
use workbench_link::words::{duration_words, local_date};

use crate::components::page_title::PageTitle;
use crate::components::pager::Pager;
use crate::pages::agreement_filters::{
    AgreementFilters, Change, Edit, HistoryStep, IdFilter, Take, WaitingChanges,
};
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
#[derive(Debug, Clone, PartialEq, Eq)]
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

impl Row {
    /// The row of one agreement the search found, with its parties' names.
    fn of(record: &AgreementRecord, directory: &Directory) -> Row {
        let a = &record.agreement;
        Row {
            id: a.id.to_string(),
            buyer: directory.buyer(&a.buyer).map_or(a.buyer.to_string(), |p| {
                format!("{} ({})", p.name, p.account)
            }),
            product: directory
                .product(&a.product)
                .map_or(a.product.to_string(), |p| p.name.clone()),
            offer: a.offer.to_string(),
            private: directory.offer(&a.offer).is_some_and(|o| o.private),
            from_aws: record.from_aws.agreement,
            status: a.status_label(),
            start: a.start,
            deadline: record.pending_request().map(|p| p.deadline()),
        }
    }
}

fn count_words(total: usize) -> String {
    match total {
        0 => "No agreements match".into(),
        1 => "1 agreement matches".into(),
        n => format!("{n} agreements match"),
    }
}

/// The filters the address holds, and the way to change them: `go` takes a change, and
/// everything drawn from the filters follows. Nothing else keeps them but for a moment. A
/// typed change waits until the frame that shows the key is painted before the list takes
/// it (`WaitingChanges`), because working out and drawing the list at 10,000 agreements is
/// what kept that frame from the screen; the address takes the filters a paint after the
/// list, because writing it (history's `replaceState`) took a third of that time.
fn use_filters_in_address() -> FiltersInAddress {
    let query = use_query_map();
    let address = Memo::new(move |_| query.with(|q| AgreementFilters::from_query(|k| q.get(k))));
    let typed = RwSignal::new(None::<AgreementFilters>);
    let filters = Memo::new(move |_| typed.get().unwrap_or_else(|| address.get()));
    let waiting = StoredValue::new(WaitingChanges::default());
    let navigate = use_navigate();
    // Whatever was typed last goes into the address; earlier keystrokes' flushes find it
    // already there.
    let to_address = Callback::new(move |()| {
        // Gone from the page (Search opened an agreement): the address is no longer the
        // list's.
        let Some(next) = typed.try_get_untracked().flatten() else {
            return;
        };
        if let Some(step) = address.with_untracked(|shown| shown.step_to(&next)) {
            let query: ParamsMap = next.query().into_iter().collect();
            let options = NavigateOptions {
                replace: step == HistoryStep::Replace,
                scroll: false,
                ..Default::default()
            };
            navigate(&format!("/seller{}", query.to_query_string()), options);
        }
        typed.set(None);
    });
    let take = move || {
        let next = waiting.try_update_value(|w| filters.with_untracked(|shown| w.take(shown)));
        if let Some(next) = next.flatten() {
            typed.set(Some(next));
            after_the_paint(move || _ = to_address.try_run(()));
        }
    };
    let go = Callback::new(move |change: Change| {
        let when =
            waiting.try_update_value(|w| filters.with_untracked(|shown| w.add(shown, change)));
        match when {
            Some(Take::Now) => take(),
            Some(Take::AfterThePaint) => after_the_paint(take),
            Some(Take::AsPlanned) | None => {}
        }
    });
    let flush = Callback::new(move |()| {
        take();
        to_address.run(());
    });
    FiltersInAddress { filters, go, flush }
}

/// Runs `then` once the next frame is painted: a timeout set in an animation frame runs
/// after that frame.
fn after_the_paint(then: impl FnOnce() + 'static) {
    request_animation_frame(move || set_timeout(then, std::time::Duration::ZERO));
}

/// The filters shown, `go` to change them, and `flush`, which makes the list and the
/// address take every change at once, before Search reads the list or leaves it.
#[derive(Clone, Copy)]
struct FiltersInAddress {
    filters: Memo<AgreementFilters>,
    go: Callback<Change>,
    flush: Callback<()>,
}

/// The filters and the paged list of matching agreements, both drawn from the address.
#[component]
pub fn AgreementSearch() -> impl IntoView {
    let app = use_app();
    let FiltersInAddress { filters, go, flush } = use_filters_in_address();
    let page = Memo::new(move |_| filters.with(|f| f.page));
    let filter = Memo::new(move |_| filters.with(|f| f.filter(app.seller.get())));
    let results = Memo::new(move |_| {
        app.book.with(|book| {
            book.find(&filter.get(), page.get())
                .map(|record| Row::of(record, book.directory()))
        })
    });
    mark_results_drawn(results);
    view! {
        <FindAnAgreement filters go flush results/>
        <section aria-labelledby="results-heading">
            <MatchCount results/>
            <MatchingAgreements results/>
            <ResultPages filters go results/>
        </section>
    }
}

/// Marks when the list is drawn, for `make bench` (effects run once it is). The first time
/// it is final is the console's cold start ("list-ready"): drawn from part of a large book,
/// the page is final once it is full of IDs the book holds all of. Every later result is a
/// filter's or a page's ("filter-applied").
fn mark_results_drawn(results: Memo<Page<Row>>) {
    let app = use_app();
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
}

/// "Find an agreement": the filters, and Search, which opens the one agreement a typed
/// Agreement ID names, or says there is none.
#[component]
fn FindAnAgreement(
    filters: Memo<AgreementFilters>,
    go: Callback<Change>,
    flush: Callback<()>,
    results: Memo<Page<Row>>,
) -> impl IntoView {
    let app = use_app();
    let navigate = use_navigate();
    let not_found = RwSignal::new(false);
    // A change to any filter takes back what Search said about the ID.
    let edit = move |edit: Edit| {
        not_found.set(false);
        go.run(Change::Edit(edit));
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // Search reads all that was typed, and back from the agreement is the list as it
        // was typed.
        flush.run(());
        if !filters.with_untracked(AgreementFilters::names_an_agreement) {
            return;
        }
        app.finish_reading();
        let only = results.with_untracked(|page| {
            let row = page.items.first().filter(|_| page.total == 1);
            row.map(|row| row.id.clone())
        });
        match only {
            Some(id) => navigate(&format!("/seller/agreements/{id}"), Default::default()),
            None => not_found.set(true),
        }
    };
    let not_found_words = move || {
        not_found.get().then(|| {
            filters.with(|f| {
                format!(
                    "No agreement of yours has the ID {}.",
                    f.agreement_id.trim()
                )
            })
        })
    };
    view! {
        <section aria-labelledby="find-heading">
            <h2 id="find-heading">"Find an agreement"</h2>
            <form class="filters" on:submit=on_submit novalidate>
                <TextFilter label="Agreement ID" id="filter-agreement" field=IdFilter::Agreement filters edit
                    hint="Unique: opens the agreement."/>
                <TextFilter label="Buyer ID" id="filter-buyer" field=IdFilter::Buyer filters edit
                    hint="The buyer's 12-digit AWS account ID."/>
                <TextFilter label="Offer ID" id="filter-offer" field=IdFilter::Offer filters edit hint=""/>
                <ProductFilter filters edit/>
                <StatusFilter filters edit/>
                <div class="field actions">
                    <button type="submit">"Search"</button>
                </div>
            </form>
            <p class="field-error" role="alert">{not_found_words}</p>
        </section>
    }
}

/// A labelled ID filter with its hint and, when what was typed cannot be an ID, the
/// reason beside it. What was typed is never cleared: the address keeps it as it is.
#[component]
fn TextFilter(
    label: &'static str,
    id: &'static str,
    field: IdFilter,
    filters: Memo<AgreementFilters>,
    edit: impl Fn(Edit) + Copy + 'static,
    hint: &'static str,
) -> impl IntoView {
    let value = Memo::new(move |_| filters.with(|f| f.id_text(field).to_owned()));
    let error = Memo::new(move |_| filters.with(|f| f.id_error(field)));
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
                aria-invalid=move || error.with(Option::is_some).to_string()
                prop:value=move || value.get()
                on:input=move |ev| edit(Edit::Id(field, event_target_value(&ev)))
            />
            <span class="hint" id=hint_id>{hint}</span>
            <span class="field-error" id=error_id>{move || error.get().map(|e| e.to_string())}</span>
        </div>
    }
}

/// The Product filter: part of a product's name, or its ID.
#[component]
fn ProductFilter(
    filters: Memo<AgreementFilters>,
    edit: impl Fn(Edit) + Copy + 'static,
) -> impl IntoView {
    let value = Memo::new(move |_| filters.with(|f| f.product.clone()));
    view! {
        <div class="field">
            <label for="filter-product">"Product"</label>
            <input id="filter-product" type="text" prop:value=move || value.get()
                on:input=move |ev| edit(Edit::Product(event_target_value(&ev)))/>
        </div>
    }
}

/// The Status filter: one of the API's statuses, or any.
#[component]
fn StatusFilter(
    filters: Memo<AgreementFilters>,
    edit: impl Fn(Edit) + Copy + 'static,
) -> impl IntoView {
    let status = Memo::new(move |_| filters.with(|f| f.status));
    view! {
        <div class="field">
            <label for="filter-status">"Status"</label>
            <select id="filter-status" prop:value=move || status.get().map_or("", AgreementStatus::code)
                on:change=move |ev| edit(Edit::Status(AgreementStatus::from_code(&event_target_value(&ev))))>
                <option value="">"Any status"</option>
                {AgreementStatus::ALL
                    .into_iter()
                    .map(|s| view! { <option value=s.code()>{s.label()}</option> })
                    .collect_view()}
            </select>
        </div>
    }
}

/// The heading that says how many agreements match and, while a large book is still
/// read, how far the reading is.
#[component]
fn MatchCount(results: Memo<Page<Row>>) -> impl IntoView {
    let app = use_app();
    let total = move || results.with(|page| page.total);
    view! {
        <h2 id="results-heading">{move || match app.reading.get() {
            None => count_words(total()),
            Some(_) => format!("{} so far", count_words(total())),
        }}</h2>
        {move || app.reading.get().map(|r| view! {
            <p class="hint" role="status">{format!("Still reading the stored agreements: {} of {}. The list shows the first of them, in ID order; the rest follow in a moment.", r.read, r.total)}</p>
        })}
    }
}

/// The rows a screen shows at most: they take a new result in the frame that follows the
/// keystroke, the rest of the page's rows in the frame after.
const ROWS_FIRST: usize = 10;

/// The table of the agreements on this page of the results. Its rows are places on the
/// page, not agreements: a new result changes their words and keeps their elements, where
/// building 50 rows anew (and removing the old) was most of a keystroke's time at 10,000
/// agreements. Laying out the new words of all 50 rows then took as long as the rest of the
/// keystroke, so the rows below the first screenful follow a frame later.
#[component]
fn MatchingAgreements(results: Memo<Page<Row>>) -> impl IntoView {
    let now: Signal<DateTime<Utc>> = use_app().now.into();
    let rows = move || 0..results.with(|page| page.items.len());
    let below = RwSignal::new(results.get_untracked());
    Effect::new(move |_| {
        results.track();
        after_the_paint(move || {
            if let Some(page) = results.try_get_untracked() {
                below.try_set(page);
            }
        });
    });
    let shown = move |place: usize| {
        let page: Signal<Page<Row>> = if place < ROWS_FIRST {
            results.into()
        } else {
            below.into()
        };
        Memo::new(move |_| page.with(|p| p.items.get(place).cloned()))
    };
    view! {
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
                    <For each=rows key=|place| *place let:place>
                        <AgreementRow row=shown(place) now/>
                    </For>
                </tbody>
            </table>
        </div>
    }
}

/// The agreement in one place of the page, with the time its pending request has left.
#[component]
fn AgreementRow(row: Memo<Option<Row>>, now: Signal<DateTime<Utc>>) -> impl IntoView {
    let shown = move |words: fn(&Row) -> String| {
        move || row.with(|r| r.as_ref().map(words).unwrap_or_default())
    };
    let pending = move || {
        row.with(|r| r.as_ref().and_then(|r| r.deadline))
            .map(|d| format!("Pending approval: {} left", duration_words(d - now.get())))
            .unwrap_or_else(|| "None".into())
    };
    let from_aws = move || row.with(|r| r.as_ref().is_some_and(|r| r.from_aws));
    // Links are plain anchors: the router follows them, and `A`'s own reactive path
    // resolution cost more than the rest of a row.
    view! {
        <tr>
            <td>
                <a href=shown(|r| format!("/seller/agreements/{}", r.id))>{shown(|r| r.id.clone())}</a>
                {move || from_aws().then(|| view! { <br/><span class="tag from-aws">"From AWS"</span> })}
            </td>
            <td>{shown(|r| r.buyer.clone())}</td>
            <td>{shown(|r| r.product.clone())}</td>
            <td>{shown(|r| r.offer.clone())}<br/><span class="tag">{shown(|r| (if r.private { "Private offer" } else { "Public offer" }).into())}</span></td>
            <td>{shown(|r| r.status.into())}</td>
            <td>{shown(|r| local_date(r.start))}</td>
            <td>{pending}</td>
        </tr>
    }
}

/// The pager under the list. Each page it turns to is a step in the address's history,
/// and the page shown is the one the address holds.
#[component]
fn ResultPages(
    filters: Memo<AgreementFilters>,
    go: Callback<Change>,
    results: Memo<Page<Row>>,
) -> impl IntoView {
    // The pager asks for a page by setting this signal, which nothing reads: each ask
    // becomes an address, and what the pager shows follows the results.
    let asked = RwSignal::new(filters.with_untracked(|f| f.page));
    Effect::watch(
        move || asked.get(),
        move |page, _, _| go.run(Change::Page(*page)),
        false,
    );
    view! {
        <Pager label="Result pages" page=asked shown=Signal::derive(move || results.with(Page::at))/>
    }
}
