//! /seller/reports: the shape of a seller's cancellations and refunds over a period, as
//! charts with their numbers. The figures are the core's (`workbench_core::report`), the
//! period and filters the address's (`report_filters`); this file only draws them. Charts
//! are a few SVG shapes drawn here: bars for counts by outcome and reason, columns for
//! months, each with a title, a table of its numbers and words for when it is empty.

use chrono::Local;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::params::ParamsMap;
use leptos_router::NavigateOptions;
use workbench_core::book::Directory;
use workbench_core::money::{Currency, Money};
use workbench_core::report::{
    AnswerTimes, Month, OlderFamilies, Outcomes, Period, PeriodChoice, Report, RequestOutcome,
    Scope, Tally,
};
use workbench_link::words::duration_words;

use crate::components::page_title::PageTitle;
use crate::download::save_file;
use crate::pages::report_filters::{Edit, ReportFilters, DATES};
use crate::state::use_app;

/// One bar or column: what it stands for, its size, and its number as people read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub text: String,
}

impl Bar {
    fn count(label: impl Into<String>, n: u32) -> Bar {
        Bar {
            label: label.into(),
            value: i64::from(n),
            text: n.to_string(),
        }
    }

    fn money(label: impl Into<String>, money: Money) -> Bar {
        Bar {
            label: label.into(),
            value: money.minor,
            text: money.to_string(),
        }
    }
}

/// A bar's length as a percentage of the widest room, `room` percent: the largest value
/// fills it.
pub fn length(value: i64, largest: i64, room: f64) -> f64 {
    if largest <= 0 || value <= 0 {
        return 0.0;
    }
    (value as f64 / largest as f64 * room).max(0.5)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn month_words(m: &Month) -> String {
    format!("{} {}", MONTHS[(m.month as usize + 11) % 12], m.year)
}

/// What this month's report opens with, in a line that leads to it: what ended on its own
/// first, since a request approved automatically is one the buyer never answered.
pub fn glance_words(o: &Outcomes) -> String {
    let auto = o.get(RequestOutcome::AutoApproved);
    let plural = |n: u32| if n == 1 { "" } else { "s" };
    match (o.sent(), auto) {
        (0, _) => "No cancellation request sent this month: see the reports".into(),
        (_, 0) => format!(
            "{} cancellation request{} sent this month: see how they ended",
            o.sent(),
            plural(o.sent())
        ),
        (_, n) => format!("{n} request{} auto-approved this month: see why", plural(n)),
    }
}

/// A link to this month's report for the acting seller, with [`glance_words`].
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
        {move || resolved.with(|r| r.as_ref().err().map(|e| view! {
            <p class="field-error" role="alert">{e.to_string()}</p>
        }))}
        {move || report.get().map(|report| view! { <ReportBody report/> })}
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

/// "1 Sep 2026 to 30 Nov 2026, Northwind BI Cloud": what a report covers, in words.
fn covers(report: &Report, directory: &Directory) -> String {
    let p = &report.period;
    let mut words = format!(
        "{} to {}",
        p.first_day.format("%-d %b %Y"),
        p.last_day.format("%-d %b %Y")
    );
    if let Some(product) = &report.scope.product {
        let name = directory
            .product(product)
            .map_or(product.as_str(), |p| &p.name);
        words.push_str(", ");
        words.push_str(name);
    }
    if let Some(offer) = &report.scope.offer {
        words.push_str(", offer ");
        words.push_str(offer.as_str());
    }
    words
}

/// Every section of one report.
#[component]
fn ReportBody(report: Report) -> impl IntoView {
    let app = use_app();
    let covered = app.book.with_untracked(|b| covers(&report, b.directory()));
    let error = RwSignal::new(None::<String>);
    let csv = report.to_csv();
    let name = format!(
        "report-{}-to-{}.csv",
        report.period.first_day, report.period.last_day
    );
    let download = move |_| {
        if let Err(e) = save_file(&name, "text/csv", &csv) {
            error.set(Some(e.to_string()));
        }
    };
    let empty = report.is_empty().then(|| {
        view! {
            <p class="empty-state">{format!(
                "Nothing happened in {covered}: no cancellation request was sent, no refund made \
                 and no invoice issued. Choose a longer period, or another product."
            )}</p>
        }
    });
    view! {
        <p class="report-covers">"Covers " <strong>{covered.clone()}</strong> "."</p>
        <div class="buttons">
            <button type="button" on:click=download>"Download CSV"</button>
            <span class="field-error" role="status">{move || error.get()}</span>
        </div>
        {empty}
        <RequestsSection report=report.clone()/>
        <RefundsSection report=report.clone()/>
        <OlderSection older=report.older.clone()/>
    }
}

fn approved(o: &Outcomes) -> u32 {
    o.get(RequestOutcome::ApprovedByBuyer) + o.get(RequestOutcome::AutoApproved)
}

fn answer_words(a: &AnswerTimes) -> (String, String) {
    let words = |d: Option<chrono::Duration>| d.map_or("No answers".to_string(), duration_words);
    (words(a.median), words(a.p90))
}

/// The cancellation requests: how they ended, why they were sent, how fast buyers
/// answered, month by month.
#[component]
fn RequestsSection(report: Report) -> impl IntoView {
    let r = &report.requests;
    let o = r.outcomes;
    let (median, p90) = answer_words(&r.answers);
    let outcomes: Vec<Bar> = RequestOutcome::ALL
        .iter()
        .map(|&outcome| Bar::count(outcome.label(), o.get(outcome)))
        .collect();
    let mut reasons: Vec<(String, Outcomes)> = r
        .by_reason
        .iter()
        .filter(|(_, o)| o.sent() > 0)
        .map(|(code, o)| (code.code().to_string(), *o))
        .collect();
    reasons.sort_by_key(|(_, o)| std::cmp::Reverse(o.sent()));
    let reason_bars = reasons
        .iter()
        .map(|(code, o)| Bar::count(code.clone(), o.sent()))
        .collect();
    let reason_rows = reasons
        .into_iter()
        .map(|(code, o)| outcome_row(code, &o))
        .collect();
    let month_bars = report
        .months
        .iter()
        .map(|m| {
            Bar::count(
                MONTHS[(m.month.month as usize + 11) % 12],
                m.requests.sent(),
            )
        })
        .collect();
    let month_rows = report
        .months
        .iter()
        .map(|m| {
            let mut row = outcome_row(month_words(&m.month), &m.requests);
            row.push(answer_words(&m.answers).0);
            row
        })
        .collect();
    let none = "No cancellation request was sent in this period.";
    view! {
        <section aria-labelledby="report-requests">
            <h2 id="report-requests">"Cancellation requests"</h2>
            <dl class="terms figures">
                <dt>"Sent"</dt><dd>{o.sent()}</dd>
                <dt>"Approved (agreement cancelled)"</dt><dd>{approved(&o)}</dd>
                <dt>"Agreements ended by a cancellation in the period"</dt><dd>{r.agreements_cancelled}</dd>
                <dt>"Buyer's answer, median"</dt><dd>{median}</dd>
                <dt>"Buyer's answer, 90th percentile"</dt><dd>{p90}</dd>
                <dt>"Answers counted"</dt>
                <dd>{format!("{} by buyers; {} approved automatically after 7 days, counted apart", r.answers.answered, r.answers.auto_approved)}</dd>
            </dl>
            <BarChart id="chart-outcomes" title="How the requests sent in the period ended" head="Outcome" unit="Requests" bars=outcomes empty=none/>
            <BarChart id="chart-reasons" title="Why the requests were sent, most common first" head="Reason code" unit="Requests" bars=reason_bars empty=none
                table=Some((OUTCOME_HEADS.to_vec(), reason_rows))/>
            <ColumnChart id="chart-request-months" title="Requests sent, month by month" head="Month" unit="Requests" bars=month_bars empty=none
                table=Some((MONTH_HEADS.to_vec(), month_rows))/>
        </section>
    }
}

const OUTCOME_HEADS: [&str; 7] = [
    "Reason code",
    "Sent",
    "Approved by the buyer",
    "Approved automatically",
    "Rejected",
    "Withdrawn",
    "Still pending",
];

const MONTH_HEADS: [&str; 8] = [
    "Month",
    "Sent",
    "Approved by the buyer",
    "Approved automatically",
    "Rejected",
    "Withdrawn",
    "Still pending",
    "Median answer",
];

fn outcome_row(first: String, o: &Outcomes) -> Vec<String> {
    let mut row = vec![first, o.sent().to_string()];
    row.extend(
        [
            RequestOutcome::ApprovedByBuyer,
            RequestOutcome::AutoApproved,
            RequestOutcome::Rejected,
            RequestOutcome::Withdrawn,
            RequestOutcome::Pending,
        ]
        .map(|outcome| o.get(outcome).to_string()),
    );
    row
}

/// Every currency any of these tallies holds, in order.
fn currencies<'a>(tallies: impl Iterator<Item = &'a Tally>) -> Vec<Currency> {
    let mut all: Vec<Currency> = tallies
        .flat_map(|t| t.amounts.each().map(|m| m.currency))
        .collect();
    all.sort();
    all.dedup();
    all
}

fn tally_words(t: &Tally) -> String {
    let amounts: Vec<String> = t.amounts.each().map(|m| m.to_string()).collect();
    match t.count {
        0 => "None".into(),
        n => format!("{n}: {}", amounts.join(", ")),
    }
}

/// The billing adjustments: per currency, never added across currencies.
#[component]
fn RefundsSection(report: Report) -> impl IntoView {
    let f = &report.refunds;
    let shares: Vec<String> = f
        .refunded_share()
        .iter()
        .map(|(billed, tenths)| {
            format!("{} % of {billed}", workbench_core::report::percent(*tenths))
        })
        .collect();
    let share = if shares.is_empty() {
        "No invoice was issued in the period".to_string()
    } else {
        shares.join("; ")
    };
    let all = currencies(
        [&f.completed]
            .into_iter()
            .chain(report.months.iter().map(|m| &m.refunded)),
    );
    let per_currency = all
        .into_iter()
        .map(|c| view! { <RefundCharts report=report.clone() currency=c/> })
        .collect_view();
    let none = f.completed.count == 0;
    view! {
        <section aria-labelledby="report-refunds">
            <h2 id="report-refunds">"Refunds (billing adjustments)"</h2>
            <dl class="terms figures">
                <dt>"Completed"</dt><dd>{tally_words(&f.completed)}</dd>
                <dt>"Pending"</dt><dd>{tally_words(&f.pending)}</dd>
                <dt>"Failed"</dt><dd>{tally_words(&f.failed)}</dd>
                <dt>"Refunded of what the period's invoices billed"</dt><dd>{share}</dd>
            </dl>
            {none.then(|| view! {
                <p class="empty-state">"No refund was completed in this period, so there is nothing to chart by reason, product or month."</p>
            })}
            {per_currency}
        </section>
    }
}

/// The refunds of one currency by reason code, product and month.
#[component]
fn RefundCharts(report: Report, currency: Currency) -> impl IntoView {
    let app = use_app();
    let f = &report.refunds;
    let amount = |t: &Tally| t.amounts.of(currency);
    let mut reasons: Vec<Bar> = f
        .by_reason
        .iter()
        .filter(|(_, t)| amount(t).minor > 0)
        .map(|(code, t)| Bar::money(code.code(), amount(t)))
        .collect();
    reasons.sort_by_key(|b| std::cmp::Reverse(b.value));
    let products: Vec<Bar> = app.book.with_untracked(|b| {
        f.by_product
            .iter()
            .filter(|(_, t)| amount(t).minor > 0)
            .map(|(id, t)| {
                let name = b
                    .directory()
                    .product(id)
                    .map_or(id.to_string(), |p| p.name.clone());
                Bar::money(name, amount(t))
            })
            .collect()
    });
    let months = report
        .months
        .iter()
        .map(|m| {
            Bar::money(
                MONTHS[(m.month.month as usize + 11) % 12],
                amount(&m.refunded),
            )
        })
        .collect();
    let code = currency.code();
    let none = format!("No refund in {code} was completed in this period.");
    view! {
        <BarChart id=format!("chart-refund-reasons-{code}") title=format!("Refunds in {code} by reason code, largest first")
            head="Reason code" unit=code bars=reasons empty=none.clone()/>
        <BarChart id=format!("chart-refund-products-{code}") title=format!("Refunds in {code} by product")
            head="Product" unit=code bars=products empty=none.clone()/>
        <ColumnChart id=format!("chart-refund-months-{code}") title=format!("Refunds in {code}, month by month")
            head="Month" unit=code bars=months empty=none/>
    }
}

/// The older families and the support cases, in the same terms.
#[component]
fn OlderSection(older: Option<OlderFamilies>) -> impl IntoView {
    let Some(o) = older else {
        return view! {
            <section aria-labelledby="report-older">
                <h2 id="report-older">"Older billing families and support cases"</h2>
                <p class="empty-state">"Amazon FPS, DevPay and Alibaba Cloud records name no AWS Marketplace product or offer: choose all products and offers to see them."</p>
            </section>
        }
        .into_any();
    };
    let rows: Vec<(String, String)> = vec![
        (
            "Amazon FPS: subscriptions last paid in the period and cancelled".into(),
            o.fps.cancelled.to_string(),
        ),
        (
            "Amazon FPS: refunded from those last payments".into(),
            tally_words(&o.fps.refunded),
        ),
        (
            "Amazon DevPay: customers who cancelled".into(),
            o.devpay.cancelled.to_string(),
        ),
        (
            "Amazon DevPay: refunds charged to you".into(),
            tally_words(&o.devpay.charged_to_seller),
        ),
        (
            "Amazon DevPay: access ended for an unpaid bill".into(),
            o.devpay.ended_unpaid.to_string(),
        ),
        (
            "Alibaba Cloud: orders unsubscribed".into(),
            o.alibaba.unsubscribed.to_string(),
        ),
        (
            "Alibaba Cloud: refunds to the original payment method".into(),
            tally_words(&o.alibaba.to_original_method),
        ),
        (
            "Alibaba Cloud: refunds to the account balance".into(),
            tally_words(&o.alibaba.to_balance),
        ),
        (
            "Alibaba Cloud: unsubscription tickets still waiting".into(),
            o.alibaba.waiting.to_string(),
        ),
    ];
    let cases: Vec<Bar> = o
        .support_cases
        .iter()
        .map(|(status, n)| Bar::count(status.label(), *n))
        .collect();
    view! {
        <section aria-labelledby="report-older">
            <h2 id="report-older">"Older billing families and support cases"</h2>
            <div class="table-wrap">
                <table>
                    <caption class="visually-hidden">"The older billing families in the period"</caption>
                    <thead><tr><th scope="col">"Figure"</th><th scope="col">"In the period"</th></tr></thead>
                    <tbody>
                        {rows.into_iter().map(|(what, value)| view! { <tr><th scope="row">{what}</th><td>{value}</td></tr> }).collect_view()}
                    </tbody>
                </table>
            </div>
            <BarChart id="chart-cases" title="Support cases opened in the period, by status" head="Status" unit="Cases" bars=cases
                empty="No support case was opened in this period."/>
        </section>
    }
    .into_any()
}

/// A chart's table: its own rows, or one row per bar.
type Table = Option<(Vec<&'static str>, Vec<Vec<String>>)>;

/// The numbers of a chart, in a table below it.
#[component]
fn ChartTable(
    head: &'static str,
    unit: &'static str,
    bars: Vec<Bar>,
    table: Table,
) -> impl IntoView {
    let (heads, rows) = table.unwrap_or_else(|| {
        let rows = bars.into_iter().map(|b| vec![b.label, b.text]).collect();
        (vec![head, unit], rows)
    });
    view! {
        <div class="table-wrap">
            <table>
                <thead><tr>{heads.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {rows.into_iter().map(|row| {
                        let mut cells = row.into_iter();
                        let first = cells.next().unwrap_or_default();
                        view! {
                            <tr>
                                <th scope="row">{first}</th>
                                {cells.map(|c| view! { <td>{c}</td> }).collect_view()}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// What a chart shows, in one sentence, for those who do not see it.
fn summary(title: &str, bars: &[Bar]) -> String {
    let parts: Vec<String> = bars
        .iter()
        .map(|b| format!("{} {}", b.label, b.text))
        .collect();
    format!("{title}: {}", parts.join("; "))
}

/// Horizontal bars, each under its label with its number after it.
#[component]
fn BarChart(
    #[prop(into)] id: String,
    #[prop(into)] title: String,
    head: &'static str,
    unit: &'static str,
    bars: Vec<Bar>,
    #[prop(into)] empty: String,
    #[prop(optional)] table: Table,
) -> impl IntoView {
    let largest = bars.iter().map(|b| b.value).max().unwrap_or(0);
    let chart = (largest > 0).then(|| {
        let row = 36;
        let height = row * bars.len();
        let shapes = bars
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let y = i * row;
                let w = length(b.value, largest, 75.0);
                view! {
                    <text x="0" y=y + 12 class="chart-label">{b.label.clone()}</text>
                    <rect x="0" y=y + 16 width=format!("{w:.1}%") height="14" class="chart-bar"/>
                    <text x=format!("{w:.1}%") dx="6" y=y + 28 class="chart-value">{b.text.clone()}</text>
                }
            })
            .collect_view();
        view! {
            <svg class="chart" width="100%" height=height role="img" aria-label=summary(&title, &bars)>
                {shapes}
            </svg>
        }
    });
    chart_figure(
        id,
        title,
        empty,
        chart.map(IntoAny::into_any),
        head,
        unit,
        bars,
        table,
    )
}

/// Columns side by side, one per month, each with its number above it and its month below.
#[component]
fn ColumnChart(
    #[prop(into)] id: String,
    #[prop(into)] title: String,
    head: &'static str,
    unit: &'static str,
    bars: Vec<Bar>,
    #[prop(into)] empty: String,
    #[prop(optional)] table: Table,
) -> impl IntoView {
    let largest = bars.iter().map(|b| b.value).max().unwrap_or(0);
    let chart = (largest > 0).then(|| {
        let (top, plot) = (18.0, 110.0);
        let width = 100.0 / bars.len().max(1) as f64;
        let shapes = bars
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let h = length(b.value, largest, plot) ;
                let x = i as f64 * width;
                let middle = format!("{:.2}%", x + width / 2.0);
                view! {
                    <rect x=format!("{:.2}%", x + width * 0.15) y=top + plot - h width=format!("{:.2}%", width * 0.7) height=h class="chart-bar"/>
                    <text x=middle.clone() y=top + plot - h - 4.0 text-anchor="middle" class="chart-value">{(b.value > 0).then(|| b.text.clone())}</text>
                    <text x=middle y=top + plot + 16.0 text-anchor="middle" class="chart-label">{b.label.clone()}</text>
                }
            })
            .collect_view();
        view! {
            <svg class="chart" width="100%" height=top + plot + 22.0 role="img" aria-label=summary(&title, &bars)>
                <line x1="0" x2="100%" y1=top + plot y2=top + plot class="chart-axis"/>
                {shapes}
            </svg>
        }
    });
    chart_figure(
        id,
        title,
        empty,
        chart.map(IntoAny::into_any),
        head,
        unit,
        bars,
        table,
    )
}

/// A chart with its title, and its table, or the words for why it is empty.
#[allow(clippy::too_many_arguments)]
fn chart_figure(
    id: String,
    title: String,
    empty: String,
    chart: Option<AnyView>,
    head: &'static str,
    unit: &'static str,
    bars: Vec<Bar>,
    table: Table,
) -> impl IntoView {
    let caption = format!("{id}-title");
    let labelled_by = caption.clone();
    let body = match chart {
        Some(chart) => view! { {chart} <ChartTable head unit bars table/> }.into_any(),
        None => view! { <p class="empty-state">{empty}</p> }.into_any(),
    };
    view! {
        <figure class="chart-figure" id=id aria-labelledby=labelled_by>
            <figcaption id=caption>{title}</figcaption>
            {body}
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_bar_fills_the_room_and_a_small_one_still_shows() {
        assert_eq!(length(10, 10, 75.0), 75.0);
        assert_eq!(length(5, 10, 75.0), 37.5);
        assert_eq!(length(1, 10_000, 75.0), 0.5, "never too thin to see");
        assert_eq!(length(0, 10, 75.0), 0.0);
        assert_eq!(length(3, 0, 75.0), 0.0);
    }

    #[test]
    fn the_glance_leads_with_what_ended_on_its_own() {
        use RequestOutcome::*;
        let words = |outcomes: &[RequestOutcome]| glance_words(&outcomes.iter().copied().collect());
        assert_eq!(
            words(&[]),
            "No cancellation request sent this month: see the reports"
        );
        assert_eq!(
            words(&[Rejected]),
            "1 cancellation request sent this month: see how they ended"
        );
        assert_eq!(
            words(&[AutoApproved, Rejected, AutoApproved]),
            "2 requests auto-approved this month: see why"
        );
        assert_eq!(
            words(&[AutoApproved]),
            "1 request auto-approved this month: see why"
        );
    }

    #[test]
    fn a_month_is_named_by_its_short_name_and_year() {
        let at = chrono::DateTime::UNIX_EPOCH;
        let month = Month {
            year: 2026,
            month: 3,
            from: at,
            to: at,
        };
        assert_eq!(month_words(&month), "Mar 2026");
    }
}
