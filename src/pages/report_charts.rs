//! What the Reports page shows, as plain data: its parts (a heading, figures, notes, charts
//! and a table), each chart's bars and the shapes that draw them, all from the core's
//! `Report`. Tested natively; `pages::reports` only draws it, with one view for every part
//! and one for every chart, which keeps the console's download small.

use std::fmt::Write;

use workbench_core::book::Directory;
use workbench_core::money::{Currency, Money};
use workbench_core::report::{
    percent, AnswerTimes, Month, Outcomes, Report, RequestOutcome, Tally,
};
use workbench_link::words::duration_words;

/// One bar or column: what it stands for, its size, and its number as people read it.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// A chart with its title, its numbers as a table, and what to say when it has nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    pub id: String,
    pub title: String,
    /// Columns side by side (months), rather than bars one under another.
    pub columns: bool,
    pub bars: Vec<Bar>,
    pub empty: String,
    pub heads: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

/// One bar of a chart as SVG draws it: the bar, its label and its number, each placed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    /// x, y, width, height; a length may be a percentage of the chart's width.
    pub bar: [String; 4],
    /// x, y and text-anchor of the label, then of the number.
    pub label: [String; 3],
    pub number: [String; 3],
}

/// Bars are 14 px thick on a row of 36, under their label; columns stand on a plot 110 px
/// tall, under their number and over their month.
const ROW: i64 = 36;
const PLOT: i64 = 110;
const TOP: i64 = 18;

/// `tenths` of a percent, as SVG reads a length.
fn pct(tenths: i64) -> String {
    format!("{}.{}%", tenths / 10, tenths % 10)
}

/// A bar's length in tenths of `room`: the largest value fills it, and a small one never
/// vanishes.
pub fn length(value: i64, largest: i64, room: i64) -> i64 {
    if largest <= 0 || value <= 0 {
        return 0;
    }
    (i128::from(value) * i128::from(room) / i128::from(largest)).max(1) as i64
}

impl Chart {
    /// Whether there is nothing to draw: every bar is zero.
    pub fn is_empty(&self) -> bool {
        self.bars.iter().all(|b| b.value <= 0)
    }

    /// The chart's height in pixels and its shapes.
    pub fn shapes(&self) -> (i64, Vec<Shape>) {
        let largest = self.bars.iter().map(|b| b.value).max().unwrap_or(0);
        let n = self.bars.len().max(1) as i64;
        let shapes = self.bars.iter().enumerate().map(|(i, b)| {
            let i = i as i64;
            if self.columns {
                let (width, h) = (1_000 / n, length(b.value, largest, PLOT));
                let middle = pct(i * width + width / 2);
                let y = TOP + PLOT - h;
                Shape {
                    bar: [
                        pct(i * width + width / 6),
                        y.to_string(),
                        pct(width * 2 / 3),
                        h.to_string(),
                    ],
                    label: [
                        middle.clone(),
                        (TOP + PLOT + 16).to_string(),
                        "middle".into(),
                    ],
                    number: [middle, (y - 4).to_string(), "middle".into()],
                }
            } else {
                let w = length(b.value, largest, 750);
                let y = i * ROW;
                Shape {
                    bar: ["0".into(), (y + 16).to_string(), pct(w), "14".into()],
                    label: ["0".into(), (y + 12).to_string(), "start".into()],
                    number: [pct(w + 15), (y + 28).to_string(), "start".into()],
                }
            }
        });
        let height = if self.columns {
            TOP + PLOT + 22
        } else {
            ROW * n
        };
        (height, shapes.collect())
    }

    /// What the chart shows, in one sentence, for those who do not see it.
    pub fn summary(&self) -> String {
        let parts: Vec<String> = self
            .bars
            .iter()
            .map(|b| format!("{} {}", b.label, b.text))
            .collect();
        format!("{}: {}", self.title, parts.join("; "))
    }

    fn new(id: String, title: String, columns: bool, bars: Vec<Bar>, empty: &str) -> Chart {
        let rows = bars
            .iter()
            .map(|b| vec![b.label.clone(), b.text.clone()])
            .collect();
        Chart {
            id,
            title,
            columns,
            bars,
            empty: empty.into(),
            heads: Vec::new(),
            rows,
        }
    }

    fn with_table(self, heads: Vec<&'static str>, rows: Vec<Vec<String>>) -> Chart {
        Chart {
            heads,
            rows,
            ..self
        }
    }

    fn headed(self, first: &'static str, second: &'static str) -> Chart {
        Chart {
            heads: vec![first, second],
            ..self
        }
    }
}

/// A part of the page: its heading, figures, notes, charts and a table of other figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub id: &'static str,
    pub heading: &'static str,
    pub terms: Vec<(String, String)>,
    pub notes: Vec<String>,
    pub charts: Vec<Chart>,
    pub table: Vec<(String, String)>,
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn short_month(m: &Month) -> &'static str {
    MONTHS[(m.month as usize + 11) % 12]
}

/// "Mar 2026".
pub fn month_words(m: &Month) -> String {
    format!("{} {}", short_month(m), m.year)
}

/// "1 Sep 2026".
pub fn day_words(day: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!(
        "{} {} {}",
        day.day(),
        MONTHS[day.month0() as usize],
        day.year()
    )
}

/// "1 Sep 2026 to 30 Nov 2026, Northwind BI Cloud": what a report covers, in words.
pub fn covers(report: &Report, directory: &Directory) -> String {
    let p = &report.period;
    let mut words = format!("{} to {}", day_words(p.first_day), day_words(p.last_day));
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

const OUTCOME_HEADS: [&str; 7] = [
    "Reason code",
    "Sent",
    "Approved by the buyer",
    "Approved automatically",
    "Rejected",
    "Withdrawn",
    "Still pending",
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

fn answer_words(a: &AnswerTimes) -> (String, String) {
    let words = |d: Option<chrono::Duration>| d.map_or("No answers".to_string(), duration_words);
    (words(a.median), words(a.p90))
}

fn tally_words(t: &Tally) -> String {
    let amounts: Vec<String> = t.amounts.each().map(|m| m.to_string()).collect();
    match t.count {
        0 => "None".into(),
        n => format!("{n}: {}", amounts.join(", ")),
    }
}

/// Largest first, equals in the order they came: a handful of reason codes, sorted in place
/// without the standard library's general sort, which a chart's few bars do not need and the
/// console's download would carry for each kind of item.
fn most_first<T>(items: &mut [T], value: impl Fn(&T) -> i64) {
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 && value(&items[j - 1]) < value(&items[j]) {
            items.swap(j - 1, j);
            j -= 1;
        }
    }
}

const NO_REQUESTS: &str = "No cancellation request was sent in this period.";

/// The cancellation requests: how they ended, why they were sent, how fast buyers
/// answered, month by month.
fn requests(report: &Report) -> Part {
    let r = &report.requests;
    let o = r.outcomes;
    let (median, p90) = answer_words(&r.answers);
    let approved = o.get(RequestOutcome::ApprovedByBuyer) + o.get(RequestOutcome::AutoApproved);
    let terms = vec![
        ("Sent".into(), o.sent().to_string()),
        (
            "Approved (agreement cancelled)".into(),
            approved.to_string(),
        ),
        (
            "Agreements ended by a cancellation in the period".into(),
            r.agreements_cancelled.to_string(),
        ),
        ("Buyer's answer, median".into(), median),
        ("Buyer's answer, 90th percentile".into(), p90),
        (
            "Answers counted".into(),
            format!(
                "{} by buyers; {} approved automatically after 7 days, counted apart",
                r.answers.answered, r.answers.auto_approved
            ),
        ),
    ];
    let outcomes = RequestOutcome::ALL
        .iter()
        .map(|&outcome| Bar::count(outcome.label(), o.get(outcome)))
        .collect();
    let mut reasons: Vec<_> = r.by_reason.iter().filter(|(_, o)| o.sent() > 0).collect();
    most_first(&mut reasons, |(_, o)| i64::from(o.sent()));
    let reason_bars = reasons
        .iter()
        .map(|(code, o)| Bar::count(code.code(), o.sent()))
        .collect();
    let reason_rows = reasons
        .iter()
        .map(|(code, o)| outcome_row(code.code().into(), o))
        .collect();
    let month_bars = report
        .months
        .iter()
        .map(|m| Bar::count(short_month(&m.month), m.requests.sent()))
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
    let mut month_heads = OUTCOME_HEADS.to_vec();
    month_heads[0] = "Month";
    month_heads.push("Median answer");
    let title = |t: &str| t.to_string();
    Part {
        id: "report-requests",
        heading: "Cancellation requests",
        terms,
        notes: Vec::new(),
        charts: vec![
            Chart::new(
                "chart-outcomes".into(),
                title("How the requests sent in the period ended"),
                false,
                outcomes,
                NO_REQUESTS,
            )
            .headed("Outcome", "Requests"),
            Chart::new(
                "chart-reasons".into(),
                title("Why the requests were sent, most common first"),
                false,
                reason_bars,
                NO_REQUESTS,
            )
            .with_table(OUTCOME_HEADS.to_vec(), reason_rows),
            Chart::new(
                "chart-request-months".into(),
                title("Requests sent, month by month"),
                true,
                month_bars,
                NO_REQUESTS,
            )
            .with_table(month_heads, month_rows),
        ],
        table: Vec::new(),
    }
}

/// The refunds of one currency by reason code, product and month.
fn refund_charts(report: &Report, directory: &Directory, currency: Currency) -> [Chart; 3] {
    let f = &report.refunds;
    let amount = |t: &Tally| t.amounts.of(currency);
    let mut reasons: Vec<Bar> = f
        .by_reason
        .iter()
        .filter(|(_, t)| amount(t).minor > 0)
        .map(|(code, t)| Bar::money(code.code(), amount(t)))
        .collect();
    most_first(&mut reasons, |b| b.value);
    let products = f
        .by_product
        .iter()
        .filter(|(_, t)| amount(t).minor > 0)
        .map(|(id, t)| {
            let name = directory
                .product(id)
                .map_or(id.to_string(), |p| p.name.clone());
            Bar::money(name, amount(t))
        })
        .collect();
    let months = report
        .months
        .iter()
        .map(|m| Bar::money(short_month(&m.month), amount(&m.refunded)))
        .collect();
    let code = currency.code();
    let none = format!("No refund in {code} was completed in this period.");
    [
        Chart::new(
            format!("chart-refund-reasons-{code}"),
            format!("Refunds in {code} by reason code, largest first"),
            false,
            reasons,
            &none,
        )
        .headed("Reason code", code),
        Chart::new(
            format!("chart-refund-products-{code}"),
            format!("Refunds in {code} by product"),
            false,
            products,
            &none,
        )
        .headed("Product", code),
        Chart::new(
            format!("chart-refund-months-{code}"),
            format!("Refunds in {code}, month by month"),
            true,
            months,
            &none,
        )
        .headed("Month", code),
    ]
}

/// The billing adjustments: per currency, never added across currencies.
fn refunds(report: &Report, directory: &Directory) -> Part {
    let f = &report.refunds;
    let shares: Vec<String> = f
        .refunded_share()
        .iter()
        .map(|(billed, tenths)| format!("{} % of {billed}", percent(*tenths)))
        .collect();
    let share = match shares.is_empty() {
        true => "No invoice was issued in the period".to_string(),
        false => shares.join("; "),
    };
    let mut currencies: Vec<Currency> = f.completed.amounts.each().map(|m| m.currency).collect();
    currencies.dedup();
    let notes = match f.completed.count {
        0 => vec!["No refund was completed in this period, so there is nothing to chart by reason, product or month.".into()],
        _ => Vec::new(),
    };
    Part {
        id: "report-refunds",
        heading: "Refunds (billing adjustments)",
        terms: vec![
            ("Completed".into(), tally_words(&f.completed)),
            ("Pending".into(), tally_words(&f.pending)),
            ("Failed".into(), tally_words(&f.failed)),
            (
                "Refunded of what the period's invoices billed".into(),
                share,
            ),
        ],
        notes,
        charts: currencies
            .into_iter()
            .flat_map(|c| refund_charts(report, directory, c))
            .collect(),
        table: Vec::new(),
    }
}

/// The older families and the support cases, in the same terms.
fn older(report: &Report) -> Part {
    let mut part = Part {
        id: "report-older",
        heading: "Older billing families and support cases",
        terms: Vec::new(),
        notes: Vec::new(),
        charts: Vec::new(),
        table: Vec::new(),
    };
    let Some(o) = &report.older else {
        part.notes.push("Amazon FPS, DevPay and Alibaba Cloud records name no AWS Marketplace product or offer: choose all products and offers to see them.".into());
        return part;
    };
    let rows: [(&str, String); 9] = [
        (
            "Amazon FPS: subscriptions last paid in the period and cancelled",
            o.fps.cancelled.to_string(),
        ),
        (
            "Amazon FPS: refunded from those last payments",
            tally_words(&o.fps.refunded),
        ),
        (
            "Amazon DevPay: customers who cancelled",
            o.devpay.cancelled.to_string(),
        ),
        (
            "Amazon DevPay: refunds charged to you",
            tally_words(&o.devpay.charged_to_seller),
        ),
        (
            "Amazon DevPay: access ended for an unpaid bill",
            o.devpay.ended_unpaid.to_string(),
        ),
        (
            "Alibaba Cloud: orders unsubscribed",
            o.alibaba.unsubscribed.to_string(),
        ),
        (
            "Alibaba Cloud: refunds to the original payment method",
            tally_words(&o.alibaba.to_original_method),
        ),
        (
            "Alibaba Cloud: refunds to the account balance",
            tally_words(&o.alibaba.to_balance),
        ),
        (
            "Alibaba Cloud: unsubscription tickets still waiting",
            o.alibaba.waiting.to_string(),
        ),
    ];
    part.table = rows.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    let cases = o
        .support_cases
        .iter()
        .map(|(status, n)| Bar::count(status.label(), *n))
        .collect();
    let title = "Support cases opened in the period, by status".to_string();
    let empty = "No support case was opened in this period.";
    part.charts.push(
        Chart::new("chart-cases".into(), title, false, cases, empty).headed("Status", "Cases"),
    );
    part
}

/// Every part of the page, in order.
pub fn parts(report: &Report, directory: &Directory) -> Vec<Part> {
    vec![requests(report), refunds(report, directory), older(report)]
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

/// `text` safe inside an element or a quoted attribute: every character markup gives a
/// meaning to is written as its entity. Product names and reasons come from the book, which
/// an import from AWS fills, so nothing here is trusted to be plain.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Writes `<tag attr="value"...>`, each value escaped.
fn open(out: &mut String, tag: &str, attrs: &[(&str, &str)]) {
    out.push('<');
    out.push_str(tag);
    for (name, value) in attrs {
        let _ = write!(out, " {name}=\"{}\"", escape(value));
    }
    out.push('>');
}

/// Writes `<tag attrs>text</tag>`, the text escaped.
fn element(out: &mut String, tag: &str, attrs: &[(&str, &str)], text: &str) {
    open(out, tag, attrs);
    out.push_str(&escape(text));
    let _ = write!(out, "</{tag}>");
}

/// A table in a frame that scrolls sideways on a narrow screen, which a keyboard reaches too.
fn table(out: &mut String, label: &str, heads: &[&str], rows: &[Vec<String>]) {
    let attrs = [
        ("class", "table-wrap"),
        ("role", "region"),
        ("tabindex", "0"),
        ("aria-label", label),
    ];
    open(out, "div", &attrs);
    out.push_str("<table><thead><tr>");
    for head in heads {
        element(out, "th", &[("scope", "col")], head);
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            match i {
                0 => element(out, "th", &[("scope", "row")], cell),
                _ => element(out, "td", &[], cell),
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>");
}

impl Chart {
    /// The chart as markup: its title, the SVG above the table of its numbers, or the words
    /// for why it is empty.
    fn markup(&self, out: &mut String) {
        let caption = format!("{}-title", self.id);
        open(
            out,
            "figure",
            &[
                ("class", "chart-figure"),
                ("id", &self.id),
                ("aria-labelledby", &caption),
            ],
        );
        element(out, "figcaption", &[("id", &caption)], &self.title);
        if self.is_empty() {
            element(out, "p", &[("class", "empty-state")], &self.empty);
            out.push_str("</figure>");
            return;
        }
        let (height, shapes) = self.shapes();
        let height = height.to_string();
        let summary = self.summary();
        open(
            out,
            "svg",
            &[
                ("class", "chart"),
                ("width", "100%"),
                ("height", &height),
                ("role", "img"),
                ("aria-label", &summary),
            ],
        );
        for (shape, bar) in shapes.iter().zip(&self.bars) {
            let [x, y, w, h] = &shape.bar;
            open(
                out,
                "rect",
                &[
                    ("x", x),
                    ("y", y),
                    ("width", w),
                    ("height", h),
                    ("class", "chart-bar"),
                ],
            );
            out.push_str("</rect>");
            // An empty month's column is its month alone: a "0" over the axis reads as one.
            let number = match self.columns && bar.value <= 0 {
                true => "",
                false => bar.text.as_str(),
            };
            for ([x, y, anchor], text, class) in [
                (&shape.label, bar.label.as_str(), "chart-label"),
                (&shape.number, number, "chart-value"),
            ] {
                element(
                    out,
                    "text",
                    &[
                        ("x", x),
                        ("y", y),
                        ("text-anchor", anchor),
                        ("class", class),
                    ],
                    text,
                );
            }
        }
        out.push_str("</svg>");
        table(
            out,
            &format!("{}: the numbers", self.title),
            &self.heads,
            &self.rows,
        );
        out.push_str("</figure>");
    }
}

/// Every part as markup, for the page to put under its heading: plain text and SVG, every
/// value escaped, no script, style or link of any kind.
pub fn markup(parts: &[Part]) -> String {
    let mut out = String::new();
    for part in parts {
        open(&mut out, "section", &[("aria-labelledby", part.id)]);
        element(&mut out, "h2", &[("id", part.id)], part.heading);
        if !part.terms.is_empty() {
            out.push_str("<dl class=\"terms figures\">");
            for (term, value) in &part.terms {
                element(&mut out, "dt", &[], term);
                element(&mut out, "dd", &[], value);
            }
            out.push_str("</dl>");
        }
        for note in &part.notes {
            element(&mut out, "p", &[("class", "empty-state")], note);
        }
        if !part.table.is_empty() {
            let rows: Vec<Vec<String>> = part
                .table
                .iter()
                .map(|(k, v)| vec![k.clone(), v.clone()])
                .collect();
            let label = format!("{}: the figures", part.heading);
            table(&mut out, &label, &["Figure", "In the period"], &rows);
        }
        for chart in &part.charts {
            chart.markup(&mut out);
        }
        out.push_str("</section>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, Utc};
    use workbench_core::demo::{demo_book, demo_now};
    use workbench_core::report::{Period, Scope};
    use RequestOutcome::*;

    fn demo_report(first: NaiveDate, last: NaiveDate) -> (Report, Directory) {
        let book = demo_book(demo_now());
        let scope = Scope {
            seller: Some(book.directory().sellers[0].account.clone()),
            ..Scope::default()
        };
        let period = Period::new(first, last, &Utc).unwrap();
        (Report::of(&book, period, scope), book.directory().clone())
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_largest_bar_fills_the_room_and_a_small_one_still_shows() {
        assert_eq!(length(10, 10, 750), 750);
        assert_eq!(length(5, 10, 750), 375);
        assert_eq!(length(1, 10_000, 750), 1, "never too thin to see");
        assert_eq!(length(0, 10, 750), 0);
        assert_eq!(length(3, 0, 750), 0);
    }

    #[test]
    fn most_first_keeps_equals_in_their_order() {
        let mut items = [("a", 1), ("b", 3), ("c", 1), ("d", 3), ("e", 2)];
        most_first(&mut items, |(_, n)| *n);
        assert_eq!(items.map(|(k, _)| k), ["b", "d", "e", "a", "c"]);
    }

    #[test]
    fn bars_stack_under_their_labels_and_columns_share_the_width() {
        let bars = vec![Bar::count("A", 4), Bar::count("B", 2)];
        let chart = Chart::new("c".into(), "Title".into(), false, bars.clone(), "none");
        let (height, shapes) = chart.shapes();
        assert_eq!(height, 72);
        assert_eq!(shapes[0].bar, ["0", "16", "75.0%", "14"].map(String::from));
        assert_eq!(shapes[1].bar[2], "37.5%");
        assert_eq!(shapes[1].number[0], "39.0%", "the number just past its bar");
        let columns = Chart {
            columns: true,
            ..chart
        };
        let (_, shapes) = columns.shapes();
        assert_eq!(shapes[0].bar[0], "8.3%");
        assert_eq!(
            shapes[1].label[0], "75.0%",
            "the second of two columns centred at three quarters"
        );
        assert_eq!(columns.summary(), "Title: A 4; B 2");
    }

    #[test]
    fn a_year_of_the_demo_draws_every_part_with_the_reports_numbers() {
        let (report, directory) = demo_report(day(2025, 11, 24), day(2026, 11, 23));
        let parts = parts(&report, &directory);
        let outcomes = &parts[0].charts[0];
        assert_eq!(outcomes.rows.len(), 6);
        let shown: u32 = outcomes.bars.iter().map(|b| b.value as u32).sum();
        assert_eq!(shown, report.requests.outcomes.sent());
        assert_eq!(parts[0].terms[0], ("Sent".to_string(), shown.to_string()));
        let reasons = &parts[0].charts[1];
        assert!(
            reasons.bars.windows(2).all(|w| w[0].value >= w[1].value),
            "most common first"
        );
        assert_eq!(reasons.rows[0][0], reasons.bars[0].label);
        assert_eq!(
            parts[0].charts[2].rows.len(),
            13,
            "thirteen months, the first and last cut"
        );
        assert!(parts[1]
            .charts
            .iter()
            .any(|c| c.id == "chart-refund-reasons-USD" && !c.is_empty()));
        assert_eq!(parts[2].table.len(), 9);
    }

    #[test]
    fn an_empty_period_says_why_in_every_part() {
        let (report, directory) = demo_report(day(2020, 1, 1), day(2020, 1, 31));
        let parts = parts(&report, &directory);
        assert!(parts[0].charts.iter().all(Chart::is_empty));
        assert_eq!(parts[0].charts[0].empty, NO_REQUESTS);
        assert!(parts[1].charts.is_empty());
        assert_eq!(parts[1].notes.len(), 1);
        assert_eq!(covers(&report, &directory), "1 Jan 2020 to 31 Jan 2020");
    }

    #[test]
    fn the_markup_escapes_every_value_and_draws_each_chart_over_its_table() {
        assert_eq!(
            escape(r#"<script>"a" & 'b'</script>"#),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;"
        );
        let chart = Chart::new(
            "c".into(),
            "Products".into(),
            false,
            vec![Bar::count("<b>Evil</b>", 3)],
            "none",
        )
        .headed("Product", "Requests");
        let page = markup(&[Part {
            id: "p",
            heading: "Part",
            terms: vec![("Sent".into(), "3".into())],
            notes: Vec::new(),
            charts: vec![chart],
            table: Vec::new(),
        }]);
        assert!(!page.contains("<b>"), "{page}");
        assert!(page.contains(r#"<text x="0" y="12" text-anchor="start" class="chart-label">&lt;b&gt;Evil&lt;/b&gt;</text>"#), "{page}");
        assert!(
            page.contains(r#"aria-label="Products: &lt;b&gt;Evil&lt;/b&gt; 3""#),
            "{page}"
        );
        let (svg, table) = (page.find("<svg").unwrap(), page.find("<table>").unwrap());
        assert!(svg < table, "the chart above its numbers");
        assert!(
            page.contains(r#"<tr><th scope="row">&lt;b&gt;Evil&lt;/b&gt;</th><td>3</td></tr>"#),
            "{page}"
        );
        let empty = Chart::new(
            "e".into(),
            "Nothing".into(),
            true,
            vec![Bar::count("Jan", 0)],
            "Why it is empty.",
        );
        let mut out = String::new();
        empty.markup(&mut out);
        assert!(
            out.contains(r#"<p class="empty-state">Why it is empty.</p>"#) && !out.contains("<svg")
        );
    }

    #[test]
    fn the_glance_leads_with_what_ended_on_its_own() {
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
}
