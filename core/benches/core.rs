//! What the book costs at the scale the app must hold: the auto-approval sweep over 10,000
//! pending requests, one command at 100 and at 10,000 agreements (the goal: the same), a
//! page of the event log at 10,000 agreements beside the whole log sorted at once, and the
//! confirmation link's round trip. Run with `cargo bench -p workbench-core`.
//!
//! The core's performance budgets, natively in this bench profile (the release profile):
//!
//! - the sweep when all 10,000 pending requests fall due at once ("all approved"): 50 ms;
//! - one command, at 100 and at 10,000 agreements: 20 µs;
//! - the event log's newest page at 10,000 agreements: 1 ms;
//! - a confirmation link made, opened (its seal checked) and recognised by the seller's
//!   book ("encode + decode + verify"): 50 µs;
//! - a year's report at 10,000 agreements, every figure of the Reports page: 50 ms.

use std::time::Instant;

use chrono::Duration;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use workbench_core::book::{Actor, Book, WithdrawCancellation};
use workbench_core::demo::{demo_now, scale_book};
use workbench_core::events::Side;
use workbench_core::ids::{AgreementId, SequentialIds};
use workbench_core::link::{self, Decision};
use workbench_core::report::{Period, PeriodChoice, Report, Scope};

const SCALE: usize = 10_000;

/// Checking 10,000 pending requests when none is due (what every clock tick does), and
/// approving all of them when the clock jumps past their deadlines.
fn sweep(c: &mut Criterion) {
    let book = scale_book(SCALE, demo_now(), &mut SequentialIds::default());
    let mut group = c.benchmark_group("sweep of 10,000 pending requests");
    group.sample_size(20);
    group.bench_function("nothing due", |b| {
        let mut book = book.clone();
        b.iter(|| book.advance_to(demo_now()))
    });
    group.bench_function("all approved", |b| {
        b.iter_batched_ref(
            || book.clone(),
            |book| book.advance_to(demo_now() + Duration::days(2)),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

/// One seller command: withdrawing the pending request of an agreement not touched
/// before, so that every measured command changes a record of the same size. When every
/// agreement has had its turn, a fresh copy of the book is taken, outside the measurement.
///
/// The book and the turn outlive each run of the routine: criterion times its warm-up by
/// the wall clock, so a copy of 10,000 records taken in every run made it count tens of
/// milliseconds per command and measure one command per sample, always the first
/// agreement's, on a book the copy had just pushed out of the cache.
fn command_at(c: &mut Criterion, agreements: usize) {
    let fresh = scale_book(agreements, demo_now(), &mut SequentialIds::default());
    let targets: Vec<AgreementId> = fresh.records().keys().cloned().collect();
    let mut ids = SequentialIds::starting_at(10_000_000);
    let mut book: Book = fresh.clone();
    let mut turn = 0;
    c.bench_function(&format!("one command at {agreements} agreements"), |b| {
        b.iter_custom(|iterations| {
            let mut spent = std::time::Duration::ZERO;
            for _ in 0..iterations {
                if turn == targets.len() {
                    book = fresh.clone();
                    turn = 0;
                }
                let agreement_id = targets[turn].clone();
                turn += 1;
                let record = book.record(&agreement_id).unwrap();
                let seller = Actor::Seller(record.agreement.seller.clone());
                let withdraw = WithdrawCancellation {
                    agreement_id,
                    request_id: record.pending_request().unwrap().id.clone(),
                    reason: "Sent before the buyer's renewal was confirmed".into(),
                };
                let start = Instant::now();
                let done = book.apply(withdraw, &seller, demo_now(), &mut ids);
                spent += start.elapsed();
                assert!(done.is_ok());
            }
            spent
        })
    });
}

/// What the seller's event log computes on every change of the book: the newest page and
/// a page deep in the log, against the full sort it replaced.
fn log(c: &mut Criterion) {
    let book = scale_book(SCALE, demo_now(), &mut SequentialIds::default());
    let seller = book.directory().sellers[0].account.clone();
    let mut group = c.benchmark_group("event log at 10,000 agreements");
    group.sample_size(20);
    group.bench_function("newest page", |b| {
        b.iter(|| book.log_page(Side::Proposer, Some(&seller), None, 0))
    });
    group.bench_function("page 100", |b| {
        b.iter(|| book.log_page(Side::Proposer, Some(&seller), None, 100))
    });
    group.bench_function("whole log sorted", |b| {
        b.iter(|| {
            book.log(Side::Proposer, Some(&seller), None)
                .collect::<Vec<_>>()
        })
    });
    group.finish();
}

/// The confirmation link of a pending request in a book of 10,000 agreements: the seller's
/// book makes it and the buyer's page opens it, checking its seal; and the receipt the
/// buyer's page makes, checked by the seller's book against the secret it kept.
fn confirmation(c: &mut Criterion) {
    let book = scale_book(SCALE, demo_now(), &mut SequentialIds::default());
    let record = &book.records().values().nth(SCALE / 2).unwrap().record;
    let agreement_id = record.agreement.id.clone();
    let request_id = record.pending_request().unwrap().id.clone();
    let mut group = c.benchmark_group("confirmation link at 10,000 agreements");
    group.bench_function("encode + decode + verify", |b| {
        b.iter(|| {
            let encoded = book.confirmation_link(&agreement_id, &request_id).unwrap();
            let link::Opened::Request(payload) =
                link::decode(&encoded.token, &encoded.fragment).unwrap()
            else {
                panic!("a request\'s link opens a request")
            };
            assert_eq!(payload.request_id, request_id);
        })
    });
    let secret = record
        .pending_request()
        .unwrap()
        .link_secret
        .clone()
        .unwrap();
    let reject = Decision::Reject("We still use it every day".into());
    group.bench_function("receipt made + verified", |b| {
        b.iter(|| {
            let code = link::make_receipt(
                &link::Subject::Request(request_id.clone()),
                &reject,
                demo_now(),
                &secret,
            )
            .unwrap();
            assert!(book.holds_receipt(&code));
        })
    });
    group.finish();
}

/// The Reports page's figures for "This year" at 10,000 agreements, for the first seller and
/// for every seller at once.
fn report(c: &mut Criterion) {
    let book = scale_book(SCALE, demo_now(), &mut SequentialIds::default());
    let year = Period::chosen(
        PeriodChoice::ThisYear,
        demo_now().date_naive(),
        &chrono::Utc,
    )
    .expect("a year is a period");
    let seller = Scope {
        seller: Some(book.directory().sellers[0].account.clone()),
        ..Scope::default()
    };
    let mut group = c.benchmark_group("report of a year at 10,000 agreements");
    group.sample_size(20);
    group.bench_function("one seller", |b| {
        b.iter(|| Report::of(&book, year.clone(), seller.clone()))
    });
    group.bench_function("every seller", |b| {
        b.iter(|| Report::of(&book, year.clone(), Scope::default()))
    });
    group.finish();
}

fn commands(c: &mut Criterion) {
    command_at(c, 100);
    command_at(c, SCALE);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3));
    targets = sweep, commands, log, confirmation, report
}
criterion_main!(benches);
