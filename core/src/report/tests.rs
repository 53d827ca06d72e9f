//! A small hand-built book counted figure by figure, and the property that after any sequence
//! of commands and time the parts of a report add up to its totals and agree with the event
//! log.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use proptest::prelude::*;

use super::*;
use crate::book::tests::{self as fixtures, agreement, book, entry, invoice, seller, send, t};
use crate::book::{
    AcceptCancellation, Actor, AgreementRecord, BatchCreateAdjustments, RejectCancellation,
    WithdrawCancellation,
};
use crate::events::{Detail, EventKind, Side};
use crate::ids::{AgreementId, OfferId, ProductId, RequestId, SequentialIds};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn january() -> Period {
    Period::new(day(2025, 1, 1), day(2025, 1, 31), &Utc).unwrap()
}

fn agmt(n: u32) -> AgreementId {
    AgreementId::parse(&format!("agmt-{n}")).unwrap()
}

fn sent_on(
    book: &mut Book,
    n: u32,
    reason: CancellationReasonCode,
    at: DateTime<Utc>,
) -> RequestId {
    let mut command = send(&format!("form-{n}-{}", at.timestamp()));
    command.agreement_id = agmt(n);
    command.reason_code = Some(reason);
    let ids = &mut SequentialIds::starting_at(at.timestamp() as u64);
    book.apply(command, &Actor::Seller(seller()), at, ids)
        .unwrap()
        .0
}

fn buyer() -> Actor {
    Actor::Buyer(fixtures::buyer())
}

/// Four agreements of one seller: agmt-1 (prod-1, offer-1) with a rejected request, a
/// withdrawn one and two refunds (one completed, one failed on an unpaid invoice); agmt-2
/// (prod-1, offer-2) auto-approved; agmt-3 (prod-3) approved by its buyer after two hours;
/// agmt-4 (prod-3) still pending, sent in February.
fn hand_built() -> Book {
    let mut book = book();
    for (n, product, offer) in [
        (2, "prod-1", "offer-2"),
        (3, "prod-3", "offer-3"),
        (4, "prod-3", "offer-3"),
    ] {
        let mut a = agreement();
        a.id = agmt(n);
        a.product = ProductId::parse(product).unwrap();
        a.offer = OfferId::parse(offer).unwrap();
        book.insert(AgreementRecord::new(
            a,
            vec![invoice("inv-1", 20_000, true)],
        ));
    }
    let ids = &mut SequentialIds::starting_at(500);
    let first = sent_on(
        &mut book,
        1,
        CancellationReasonCode::ReplacingAgreement,
        t(0),
    );
    let reject = RejectCancellation {
        agreement_id: agmt(1),
        request_id: first,
        reason: "We keep it".into(),
    };
    book.apply(reject, &buyer(), t(5), ids).unwrap();
    let refunds = BatchCreateAdjustments {
        entries: vec![
            entry("inv-1", "100.00", "r-1"),
            entry("inv-2", "10.00", "r-2"),
        ],
    };
    book.apply(refunds, &Actor::Seller(seller()), t(10), ids)
        .unwrap();
    let second = sent_on(
        &mut book,
        1,
        CancellationReasonCode::ReplacingAgreement,
        t(24),
    );
    let withdraw = WithdrawCancellation {
        agreement_id: agmt(1),
        request_id: second,
        reason: "Sent by mistake".into(),
    };
    book.apply(withdraw, &Actor::Seller(seller()), t(25), ids)
        .unwrap();
    sent_on(
        &mut book,
        2,
        CancellationReasonCode::UnintendedRenewal,
        t(30),
    );
    let third = sent_on(
        &mut book,
        3,
        CancellationReasonCode::UnintendedRenewal,
        t(40),
    );
    let accept = AcceptCancellation {
        agreement_id: agmt(3),
        request_id: third,
    };
    book.apply(accept, &buyer(), t(42), ids).unwrap();
    book.advance_to(t(24 * 31));
    sent_on(&mut book, 4, CancellationReasonCode::Other, t(24 * 32));
    book
}

fn seller_scope() -> Scope {
    Scope {
        seller: Some(seller()),
        ..Scope::default()
    }
}

#[test]
fn a_hand_built_book_is_counted_figure_by_figure() {
    let report = Report::of(&hand_built(), january(), seller_scope());
    let o = &report.requests.outcomes;
    assert_eq!(o.sent(), 4);
    assert_eq!(o.get(RequestOutcome::ApprovedByBuyer), 1);
    assert_eq!(o.get(RequestOutcome::AutoApproved), 1);
    assert_eq!(o.get(RequestOutcome::Rejected), 1);
    assert_eq!(o.get(RequestOutcome::Withdrawn), 1);
    assert_eq!(o.get(RequestOutcome::Pending), 0);
    assert_eq!(report.requests.agreements_cancelled, 2);
    let by = |code| {
        report
            .requests
            .by_reason
            .iter()
            .find(|(r, _)| *r == code)
            .unwrap()
            .1
    };
    assert_eq!(by(CancellationReasonCode::ReplacingAgreement).sent(), 2);
    assert_eq!(
        by(CancellationReasonCode::UnintendedRenewal).get(RequestOutcome::AutoApproved),
        1
    );
    assert_eq!(
        by(CancellationReasonCode::Other).sent(),
        0,
        "sent in February"
    );
    let answers = report.requests.answers;
    assert_eq!(
        answers.answered, 2,
        "the rejection and the approval, not the automatic one"
    );
    assert_eq!(answers.median, Some(Duration::hours(2)));
    assert_eq!(answers.p90, Some(Duration::hours(5)));
    assert_eq!(answers.auto_approved, 1);
    let refunds = &report.refunds;
    assert_eq!(refunds.completed.count, 1);
    assert_eq!(refunds.completed.amounts.of(Currency::USD).minor, 10_000);
    assert_eq!(refunds.failed.count, 1);
    assert_eq!(refunds.failed.amounts.of(Currency::USD).minor, 1_000);
    assert_eq!(refunds.pending.count, 0);
    let metering = refunds
        .by_reason
        .iter()
        .find(|(r, _)| *r == AdjustmentReasonCode::IncorrectMetering)
        .unwrap();
    assert_eq!(metering.1.amounts.of(Currency::USD).minor, 10_000);
    assert_eq!(refunds.by_product.len(), 1);
    assert_eq!(refunds.by_product[0].0.as_str(), "prod-1");
    assert!(
        refunds.billed.is_empty(),
        "every invoice was issued on 31 December"
    );
    assert_eq!(report.months.len(), 1);
    assert_eq!(report.months[0].requests, *o);
}

#[test]
fn a_product_or_an_offer_narrows_the_report_and_leaves_the_older_families_out() {
    let book = hand_built();
    let february = Period::new(day(2024, 12, 1), day(2025, 2, 28), &Utc).unwrap();
    let prod3 = Scope {
        product: Some(ProductId::parse("prod-3").unwrap()),
        ..seller_scope()
    };
    let report = Report::of(&book, february.clone(), prod3);
    assert_eq!(report.requests.outcomes.sent(), 2);
    assert_eq!(report.requests.outcomes.get(RequestOutcome::Pending), 1);
    assert_eq!(report.older, None);
    let months: Vec<u32> = report.months.iter().map(|m| m.requests.sent()).collect();
    assert_eq!(months, [0, 1, 1]);
    let offer2 = Scope {
        offer: Some(OfferId::parse("offer-2").unwrap()),
        ..seller_scope()
    };
    let report = Report::of(&book, february.clone(), offer2);
    assert_eq!(
        report.requests.outcomes.get(RequestOutcome::AutoApproved),
        1
    );
    assert_eq!(report.requests.outcomes.sent(), 1);
    let whole = Report::of(&book, february, seller_scope());
    assert_eq!(whole.refunds.billed.of(Currency::USD).minor, 165_000);
    assert_eq!(
        whole.refunds.refunded_of_billed.of(Currency::USD).minor,
        10_000
    );
    assert_eq!(whole.refunds.refunded_share()[0].1, 61, "6.1 %");
    assert!(whole.older.is_some());
}

#[test]
fn another_sellers_report_and_an_empty_period_say_nothing_happened() {
    let book = hand_built();
    let other = Scope {
        seller: Some(fixtures::buyer()),
        ..Scope::default()
    };
    assert!(Report::of(&book, january(), other).is_empty());
    let later = Period::new(day(2030, 1, 1), day(2030, 1, 31), &Utc).unwrap();
    let report = Report::of(&book, later, seller_scope());
    assert!(report.is_empty());
    assert_eq!(report.requests.answers.median, None);
}

#[test]
fn the_csv_has_one_row_per_figure_with_its_period_and_filters() {
    let scope = Scope {
        offer: Some(OfferId::parse("offer-1").unwrap()),
        ..seller_scope()
    };
    let csv = Report::of(&hand_built(), january(), scope).to_csv();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some(csv::HEADER));
    assert!(lines
        .clone()
        .all(|l| l.starts_with("2025-01-01,2025-01-31,111122223333,,offer-1,")));
    for row in [
        "requests,requests_sent,,,2",
        "requests,requests_by_outcome,rejected,,1",
        "requests,requests_by_outcome,REPLACING_AGREEMENT/withdrawn,,1",
        "requests,answer_time_median_seconds,,,18000",
        "refunds,refunds_completed,,USD,100.00",
        "refunds,refunds_failed,,,1",
        "refunds,refunds_by_reason,INCORRECT_METERING,USD,100.00",
        "months,refunds_completed,2025-01,USD,100.00",
    ] {
        assert!(lines.clone().any(|l| l.ends_with(row)), "{row} in\n{csv}");
    }
    assert!(!csv.contains("older_families"), "an offer leaves them out");
}

#[test]
fn percentiles_take_the_nearest_rank() {
    assert_eq!(rank(&[], 50), None);
    assert_eq!(rank(&[7], 90), Some(7));
    let ten: Vec<i64> = (1..=10).collect();
    assert_eq!(rank(&ten, 50), Some(5));
    assert_eq!(rank(&ten, 90), Some(9));
    assert_eq!(rank(&ten[..9], 90), Some(9));
}

/// How many of `side`'s events of `kind` the log holds, of requests sent (or adjustments
/// made) in the period.
fn logged(run: &fixtures::Run, kind: EventKind, period: &Period) -> u32 {
    run.events
        .iter()
        .filter(|e| e.detail_type == kind.on(Side::Proposer))
        .filter(|e| match &e.detail {
            Detail::Cancellation(c) => period.contains(c.agreement_cancellation_request.created_at),
            Detail::Adjustment(_) => period.contains(e.time - crate::adjustment::PROCESSING_DELAY),
        })
        .count() as u32
}

fn sums(parts: impl Iterator<Item = Outcomes>) -> Outcomes {
    let mut total = Outcomes::default();
    for part in parts {
        for outcome in RequestOutcome::ALL {
            for _ in 0..part.get(outcome) {
                total.add(outcome);
            }
        }
    }
    total
}

fn check(run: &fixtures::Run, period: Period) -> Result<(), TestCaseError> {
    let report = Report::of(&run.book, period.clone(), Scope::default());
    let r = &report.requests;
    prop_assert_eq!(sums(r.by_reason.iter().map(|(_, o)| *o)), r.outcomes);
    prop_assert_eq!(sums(report.months.iter().map(|m| m.requests)), r.outcomes);
    prop_assert_eq!(
        r.outcomes.sent(),
        logged(run, EventKind::CancellationPendingApproval, &period)
    );
    let approved = r.outcomes.get(RequestOutcome::ApprovedByBuyer)
        + r.outcomes.get(RequestOutcome::AutoApproved);
    prop_assert_eq!(
        approved,
        logged(run, EventKind::CancellationApproved, &period)
    );
    prop_assert_eq!(
        r.outcomes.get(RequestOutcome::Rejected),
        logged(run, EventKind::CancellationRejected, &period)
    );
    prop_assert_eq!(
        r.outcomes.get(RequestOutcome::Withdrawn),
        logged(run, EventKind::CancellationCancelled, &period)
    );
    prop_assert_eq!(
        r.outcomes.get(RequestOutcome::ValidationFailed),
        logged(run, EventKind::CancellationValidationFailed, &period)
    );
    let cancelled_in_period = run
        .events
        .iter()
        .filter(|e| e.detail_type == EventKind::CancellationApproved.on(Side::Proposer))
        .filter(|e| period.contains(e.time))
        .count() as u32;
    prop_assert_eq!(r.agreements_cancelled, cancelled_in_period);
    prop_assert!(
        r.answers.answered
            <= r.outcomes.get(RequestOutcome::ApprovedByBuyer)
                + r.outcomes.get(RequestOutcome::Rejected)
    );
    prop_assert!(r.answers.median <= r.answers.p90);
    let f = &report.refunds;
    prop_assert_eq!(
        f.completed.count,
        logged(run, EventKind::AdjustmentCompleted, &period)
    );
    prop_assert_eq!(
        f.failed.count,
        logged(run, EventKind::AdjustmentFailed, &period)
    );
    let by_reason: u32 = f.by_reason.iter().map(|(_, t)| t.count).sum();
    let by_product: u32 = f.by_product.iter().map(|(_, t)| t.count).sum();
    let by_month: u32 = report.months.iter().map(|m| m.refunded.count).sum();
    prop_assert_eq!(
        (by_reason, by_product, by_month),
        (f.completed.count, f.completed.count, f.completed.count)
    );
    for currency in Currency::ALL {
        let total = f.completed.amounts.of(currency).minor;
        let of = |tallies: &mut dyn Iterator<Item = &Tally>| {
            tallies.map(|t| t.amounts.of(currency).minor).sum::<i64>()
        };
        prop_assert_eq!(of(&mut f.by_reason.iter().map(|(_, t)| t)), total);
        prop_assert_eq!(of(&mut f.by_product.iter().map(|(_, t)| t)), total);
        prop_assert_eq!(of(&mut report.months.iter().map(|m| &m.refunded)), total);
        prop_assert!(f.refunded_of_billed.of(currency).minor <= f.billed.of(currency).minor);
    }
    let csv_rows = report.to_csv().lines().count() - 1;
    let figures: usize = report.figures().iter().map(|(_, rows)| rows.len()).sum();
    prop_assert_eq!(csv_rows, figures);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn the_parts_add_up_to_the_totals_and_agree_with_the_event_log(
        renewal in any::<bool>(),
        steps in proptest::collection::vec(fixtures::step(), 0..40),
        from_days in -2i64..30,
        length_days in 0i64..60,
    ) {
        let run = fixtures::run(renewal, &steps)?;
        let first = t(0).date_naive() + Duration::days(from_days);
        check(&run, Period::new(first, first + Duration::days(length_days), &Utc).unwrap())?;
        let everything = Period::new(day(2024, 1, 1), run.now.date_naive() + Duration::days(1), &Utc).unwrap();
        check(&run, everything)?;
    }
}
