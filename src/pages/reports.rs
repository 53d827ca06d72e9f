//! /seller/reports: the shape of a seller's cancellations and refunds over a period, as
//! charts with their numbers. The figures are the core's (`workbench_core::report`), the
//! period and filters the address's (`report_filters`), the parts and charts plain data
//! (`report_charts`); this file only draws them, with one view for every part and one for
//! every chart: a few SVG shapes each, bars or columns, above the table of its numbers.

use chrono::Local;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::params::ParamsMap;
use leptos_router::NavigateOptions;
use workbench_core::report::{Period, PeriodChoice, Report, Scope};

use crate::components::page_title::PageTitle;
use crate::download::save_file;
use crate::pages::report_charts::{covers, glance_words, markup, parts};
use crate::pages::report_filters::{Edit, ReportFilters, DATES};
use crate::state::use_app;

/// A link to this month's report for the acting seller, in the words of [`glance_words`].
#[component]
pub fn ThisMonthLink() -> impl IntoView {
    let app = use_app();
    let today = Memo::new(move |_| app.now.get().with_timezone(&Local).date_naive());
    let words = Memo::new(move |_| {
        let period = Period::chosen(PeriodChoice::ThisMonth, today.get(), &Local).ok()?;
        let scope = Scope {
            seller: app.seller.get(),
            ..Scope::default()
        };
        let report = app.book.with(|b| Report::of(b, period, scope));
        Some(glance_words(&report.requests.outcomes))
    });
    move || {
        words.get().map(|words| {
            view! {
                <p class="glance"><A href="/seller/reports?period=this-month">{words}</A></p>
            }
        })
    }
}

/// /seller/reports, for the acting seller.
#[component]
pub fn ReportsPage() -> impl IntoView {
    let app = use_app();
    let query = use_query_map();
    let filters = Memo::new(move |_| query.with(|q| ReportFilters::from_query(|k| q.get(k))));
    let today = Memo::new(move |_| app.now.get().with_timezone(&Local).date_naive());
    let resolved =
        Memo::new(move |_| filters.with(|f| f.resolve(today.get(), &Local, app.seller.get())));
    let report = Memo::new(move |_| {
        let (period, scope) = resolved.get().ok()?;
        Some(app.book.with(|b| Report::of(b, period, scope)))
    });
    let navigate = use_navigate();
    let go = Callback::new(move |edit: Edit| {
        let next = filters.with_untracked(|f| f.changed(edit));
        let query: ParamsMap = next.query().into_iter().collect();
        let options = NavigateOptions {
            scroll: false,
            ..Default::default()
        };
        navigate(
            &format!("/seller/reports{}", query.to_query_string()),
            options,
        );
    });
    view! {
        <PageTitle text="Reports"/>
        <h1>"Reports"</h1>
        <p class="lede">
            "Why buyers leave, how they answer and what refunds cost, for a period and a \
             product or offer. Every chart has its numbers in a table below it."
        </p>
        <ReportForm filters go/>
        {move || match (report.get(), resolved.with(|r| r.as_ref().err().map(ToString::to_string))) {
            (Some(report), _) => view! { <ReportBody report/> }.into_any(),
            (None, why) => view! { <p class="field-error" role="alert">{why}</p> }.into_any(),
        }}
    }
}

/// The period, product and offer, and the CSV of what they show.
#[component]
fn ReportForm(filters: Memo<ReportFilters>, go: Callback<Edit>) -> impl IntoView {
    let app = use_app();
    let products = Memo::new(move |_| {
        let seller = app.seller.get();
        app.book.with(|b| {
            let d = b.directory();
            d.products
                .iter()
                .filter(|p| seller.as_ref().is_none_or(|s| &p.seller == s))
                .map(|p| (p.id.to_string(), p.name.clone()))
                .collect::<Vec<_>>()
        })
    });
    let offers = Memo::new(move |_| {
        let product = filters.with(|f| f.product.clone());
        let ours = products.get();
        app.book.with(|b| {
            b.directory()
                .offers
                .iter()
                .filter(|o| ours.iter().any(|(p, _)| p == o.product.as_str()))
                .filter(|o| product.is_empty() || o.product.as_str() == product)
                .map(|o| (o.id.to_string(), o.name.clone()))
                .collect::<Vec<_>>()
        })
    });
    let dates = move || filters.with(|f| f.period == DATES);
    let options = move |list: Vec<(String, String)>| {
        list.into_iter()
            .map(|(value, name)| view! { <option value=value>{name}</option> })
            .collect_view()
    };
    view! {
        <form class="filters report-filters" on:submit=|ev| ev.prevent_default()>
            <div class="field">
                <label for="report-period">"Period"</label>
                <select id="report-period"
                    prop:value=move || filters.with(|f| f.period.clone())
                    on:change=move |ev| go.run(Edit::Period(event_target_value(&ev)))>
                    {PeriodChoice::USUAL.map(|c| view! { <option value=c.code()>{c.label()}</option> })}
                    <option value=DATES>"From and to dates"</option>
                </select>
            </div>
            <Show when=dates>
                <div class="field">
                    <label for="report-from">"From"</label>
                    <input id="report-from" type="date"
                        prop:value=move || filters.with(|f| f.from.clone())
                        on:change=move |ev| go.run(Edit::From(event_target_value(&ev)))/>
                </div>
                <div class="field">
                    <label for="report-to">"To"</label>
                    <input id="report-to" type="date"
                        prop:value=move || filters.with(|f| f.to.clone())
                        on:change=move |ev| go.run(Edit::To(event_target_value(&ev)))/>
                </div>
            </Show>
            <div class="field">
                <label for="report-product">"Product"</label>
                <select id="report-product"
                    prop:value=move || filters.with(|f| f.product.clone())
                    on:change=move |ev| go.run(Edit::Product(event_target_value(&ev)))>
                    <option value="">"All products"</option>
                    {move || options(products.get())}
                </select>
            </div>
            <div class="field">
                <label for="report-offer">"Offer"</label>
                <select id="report-offer"
                    prop:value=move || filters.with(|f| f.offer.clone())
                    on:change=move |ev| go.run(Edit::Offer(event_target_value(&ev)))>
                    <option value="">"All offers"</option>
                    {move || options(offers.get())}
                </select>
            </div>
        </form>
    }
}

/// Every part of one report, and its CSV. The parts are markup made by `report_charts`,
/// every value escaped there: drawn as Leptos views of their own they made the console 11 KB
/// larger, gzipped.
#[component]
fn ReportBody(report: Report) -> impl IntoView {
    let app = use_app();
    let (covered, markup) = app.book.with_untracked(|b| {
        let d = b.directory();
        (covers(&report, d), markup(&parts(&report, d)))
    });
    let error = RwSignal::new(None::<String>);
    let name = format!(
        "report-{}-to-{}.csv",
        report.period.first_day, report.period.last_day
    );
    let empty = report.is_empty().then(|| {
        format!(
            "Nothing happened in {covered}: no cancellation request was sent, no refund made and \
         no invoice issued. Choose a longer period, or another product."
        )
    });
    // Written when asked for, not on every change of period.
    let kept = StoredValue::new(report);
    let download = move |_| {
        let csv = kept.with_value(Report::to_csv);
        if let Err(e) = save_file(&name, "text/csv", &csv) {
            error.set(Some(e.to_string()));
        }
    };
    view! {
        <p class="report-covers">"Covers " <strong>{covered}</strong> "."</p>
        <div class="buttons">
            <button type="button" on:click=download>"Download CSV"</button>
            <span class="field-error" role="status">{move || error.get()}</span>
        </div>
        {empty.map(|words| view! { <p class="empty-state">{words}</p> })}
        <div class="report-parts" inner_html=markup></div>
    }
}
