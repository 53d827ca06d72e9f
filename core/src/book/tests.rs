//! The fixtures the book's tests (and other modules' tests) build on, and the property
//! tests of the whole book: every sequence of commands and steps of time keeps the rules,
//! and every index and page of the log holds what a full scan finds. The tests of one
//! concern sit beside its code.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;

use super::records::{side_slot, IdKey, LogIndex, Moment};
use super::*;
use crate::adjustment::{AdjustmentEntry, AdjustmentReasonCode, AdjustmentStatus, Invoice};
use crate::cancellation::{
    AdditionalDetails, CancellationReasonCode, CancellationRequest, PricingModel, RequestStatus,
};
use crate::events::{self, BusEvent, EventKind, Side};
use crate::ids::{
    AccountId, AgreementId, ClientToken, InvoiceId, OfferId, ProductId, RequestId, SequentialIds,
};
use crate::key::RecordKey;
use crate::money::Currency;

pub(crate) fn t(hours: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 1, 13, 12, 22).unwrap() + Duration::hours(hours)
}

pub(crate) fn seller() -> AccountId {
    AccountId::parse("111122223333").unwrap()
}

pub(crate) fn buyer() -> AccountId {
    AccountId::parse("444455556666").unwrap()
}

pub(crate) fn agreement() -> Agreement {
    Agreement {
        id: AgreementId::parse("agmt-1").unwrap(),
        seller: seller(),
        buyer: buyer(),
        product: ProductId::parse("prod-1").unwrap(),
        offer: OfferId::parse("offer-1").unwrap(),
        status: AgreementStatus::Active,
        start: t(-24 * 30),
        end: None,
        renewal: None,
        pricing: PricingModel::Contract,
        free_trial_converted: None,
        cancelled_by_buyer: None,
    }
}

pub(crate) fn invoice(id: &str, charged: i64, paid: bool) -> Invoice {
    Invoice {
        id: InvoiceId::parse(id).unwrap(),
        currency: Currency::USD,
        charged_minor: charged,
        refunded_minor: 0,
        issued_at: t(-24),
        paid,
    }
}

pub(crate) fn book() -> Book {
    let mut book = Book::default();
    book.insert(AgreementRecord::new(
        agreement(),
        vec![
            invoice("inv-1", 100_000, true),
            invoice("inv-2", 5_000, false),
        ],
    ));
    book
}

pub(super) fn id() -> AgreementId {
    AgreementId::parse("agmt-1").unwrap()
}

pub(crate) fn send(token: &str) -> SendCancellation {
    SendCancellation {
        agreement_id: id(),
        reason_code: Some(CancellationReasonCode::ReplacingAgreement),
        description: "Replacing with a new private offer offer-2".into(),
        details: AdditionalDetails::default(),
        client_token: ClientToken::parse(token).unwrap(),
    }
}

pub(super) fn sent(book: &mut Book, ids: &mut SequentialIds) -> RequestId {
    book.apply(send("form-1"), &Actor::Seller(seller()), t(0), ids)
        .unwrap()
        .0
}

pub(crate) fn entry(invoice: &str, amount: &str, token: &str) -> AdjustmentEntry {
    AdjustmentEntry {
        agreement_id: "agmt-1".into(),
        invoice_id: invoice.into(),
        amount: amount.into(),
        currency: "USD".into(),
        reason_code: Some(AdjustmentReasonCode::IncorrectMetering),
        description: "Metering double-counted in January".into(),
        client_token: token.into(),
    }
}

/// One thing a person or the clock can do, against agreement `0` (`agmt-1`) or `1`
/// (`agmt-2`, which has a renewal when the test says so, so its requests fail
/// validation).
#[derive(Debug, Clone)]
pub(crate) enum Step {
    Send(usize, u8),
    Accept(usize),
    Reject(usize),
    Withdraw(usize),
    Refund(usize, bool, u32),
    /// Sends the last accepted command again, as a double click or a retry would.
    Retry,
    /// The clock moves on by this many seconds and the shell catches up with it.
    Wait(i64),
    /// The clock moves on, but the next command comes before the shell catches up.
    Jump(i64),
}

pub(crate) fn step() -> impl Strategy<Value = Step> {
    let which = 0usize..2;
    prop_oneof![
        (which.clone(), 0u8..4).prop_map(|(a, t)| Step::Send(a, t)),
        which.clone().prop_map(Step::Accept),
        which.clone().prop_map(Step::Reject),
        which.clone().prop_map(Step::Withdraw),
        (which, any::<bool>(), 1u32..80_000).prop_map(|(a, i, c)| Step::Refund(a, i, c)),
        Just(Step::Retry),
        // Seconds, to land on both sides of a 158-second validation and a one-minute
        // processing, and hours, to cross 7-day deadlines.
        (0i64..400).prop_map(Step::Wait),
        (0i64..400).prop_map(|h| Step::Wait(h * 3_600)),
        (0i64..400).prop_map(|h| Step::Jump(h * 3_600)),
    ]
}

fn agreement_id(which: usize) -> AgreementId {
    AgreementId::parse(&format!("agmt-{}", which + 1)).unwrap()
}

/// Changes a record in a test's book, as the shell never does: outside any command.
pub fn edit(book: &mut Book, id: &AgreementId, change: impl FnOnce(&mut AgreementRecord)) {
    book.records.update(id, &mut BTreeSet::new(), |record| {
        change(record);
        Ok::<_, std::convert::Infallible>(())
    });
}

/// A command a step sends, of the kinds the property tests send: their replies differ,
/// and the tests read none of them.
#[derive(Debug, Clone)]
enum StepCommand {
    Send(SendCancellation),
    Accept(AcceptCancellation),
    Reject(RejectCancellation),
    Withdraw(WithdrawCancellation),
    Refund(BatchCreateAdjustments),
}

impl StepCommand {
    /// Applies the command as [`Book::apply`] does, leaving out its reply.
    fn apply(
        self,
        book: &mut Book,
        actor: &Actor,
        now: DateTime<Utc>,
        ids: &mut SequentialIds,
    ) -> Result<Outcome, DomainError> {
        match self {
            StepCommand::Send(command) => book.apply(command, actor, now, ids).map(|(_, o)| o),
            StepCommand::Accept(command) => book.apply(command, actor, now, ids).map(|(_, o)| o),
            StepCommand::Reject(command) => book.apply(command, actor, now, ids).map(|(_, o)| o),
            StepCommand::Withdraw(command) => book.apply(command, actor, now, ids).map(|(_, o)| o),
            StepCommand::Refund(command) => book.apply(command, actor, now, ids).map(|(_, o)| o),
        }
    }

    /// Whether sending it again, with the same client token, is a retry.
    fn retryable(&self) -> bool {
        matches!(self, StepCommand::Send(_) | StepCommand::Refund(_))
    }
}

fn two_agreements(renewal: bool) -> Book {
    let mut book = book();
    let mut second = agreement();
    second.id = agreement_id(1);
    second.renewal = renewal.then(|| AgreementId::parse("agmt-2r").unwrap());
    book.insert(AgreementRecord::new(
        second,
        vec![invoice("inv-1", 30_000, true), invoice("inv-2", 900, true)],
    ));
    book
}

/// The command a step sends, and who sends it; `None` for the steps that are not a command.
fn command(book: &Book, step: &Step, ids: &SequentialIds) -> Option<(StepCommand, Actor)> {
    let target = |which: usize| {
        let record = book.record(&agreement_id(which)).unwrap();
        record
            .pending_request()
            .or(record.latest_request())
            .map_or_else(|| RequestId::parse("acr-none").unwrap(), |r| r.id.clone())
    };
    let sent = match *step {
        Step::Send(which, token) => {
            let mut command = send(&format!("form-{token}"));
            command.agreement_id = agreement_id(which);
            (StepCommand::Send(command), Actor::Seller(seller()))
        }
        Step::Accept(which) => (
            StepCommand::Accept(AcceptCancellation {
                agreement_id: agreement_id(which),
                request_id: target(which),
            }),
            Actor::Buyer(buyer()),
        ),
        Step::Reject(which) => (
            StepCommand::Reject(RejectCancellation {
                agreement_id: agreement_id(which),
                request_id: target(which),
                reason: "Still needed".into(),
            }),
            Actor::Buyer(buyer()),
        ),
        Step::Withdraw(which) => (
            StepCommand::Withdraw(WithdrawCancellation {
                agreement_id: agreement_id(which),
                request_id: target(which),
                reason: "Mistake".into(),
            }),
            Actor::Seller(seller()),
        ),
        Step::Refund(which, first, cents) => {
            let mut entry = entry(
                if first { "inv-1" } else { "inv-2" },
                &format!("{}.{:02}", cents / 100, cents % 100),
                &format!("r-{}", ids.next),
            );
            entry.agreement_id = agreement_id(which).to_string();
            (
                StepCommand::Refund(BatchCreateAdjustments {
                    entries: vec![entry],
                }),
                Actor::Seller(seller()),
            )
        }
        Step::Retry | Step::Wait(_) | Step::Jump(_) => return None,
    };
    Some(sent)
}

/// Everything a run saw, for the invariants to be checked against.
pub(crate) struct Run {
    pub(crate) book: Book,
    pub(crate) now: DateTime<Utc>,
    pub(crate) events: Vec<BusEvent>,
}

/// Runs `steps` from `t(0)`, checking after each one what must hold at every moment.
pub(crate) fn run(renewal: bool, steps: &[Step]) -> Result<Run, TestCaseError> {
    let mut book = two_agreements(renewal);
    let mut ids = SequentialIds::default();
    let mut now = t(0);
    let mut events: Vec<BusEvent> = Vec::new();
    let mut last_accepted: Option<(StepCommand, Actor)> = None;
    let mut settled: BTreeMap<RequestId, CancellationRequest> = BTreeMap::new();
    for step in steps {
        let before = book.clone();
        let outcome = match (command(&book, step, &ids), step) {
            (Some((command, actor)), _) => {
                match command.clone().apply(&mut book, &actor, now, &mut ids) {
                    Ok(outcome) => {
                        if command.retryable() && !outcome.changed.is_empty() {
                            last_accepted = Some((command, actor));
                        }
                        outcome
                    }
                    Err(_) => {
                        prop_assert_eq!(&book, &before, "a refused command changes nothing");
                        check_indexes(&book)?;
                        continue;
                    }
                }
            }
            (None, Step::Jump(seconds)) => {
                now += Duration::seconds(*seconds);
                continue;
            }
            (None, Step::Wait(seconds)) => {
                now += Duration::seconds(*seconds);
                book.advance_to(now)
            }
            // A retry, the one other step that is not a command.
            (None, _) => {
                let Some((command, actor)) = last_accepted.clone() else {
                    continue;
                };
                // What time did since is not the retry's doing: the shell catches up first.
                let caught_up = book.advance_to(now);
                let settled = book.clone();
                let outcome = command.apply(&mut book, &actor, now, &mut ids).unwrap();
                prop_assert!(outcome.events.is_empty(), "a retry emits nothing");
                prop_assert!(outcome.changed.is_empty(), "a retry changes nothing");
                prop_assert_eq!(&book, &settled);
                caught_up
            }
        };
        let emitted = outcome.bus_events(&book);
        prop_assert_eq!(
            emitted.len(),
            outcome.events.len(),
            "every event can be built"
        );
        prop_assert!(
            emitted.windows(2).all(|w| w[0].time <= w[1].time),
            "an outcome's events are in time order"
        );
        prop_assert!(
            events
                .last()
                .zip(emitted.first())
                .is_none_or(|(a, b)| a.time <= b.time),
            "nothing happens before what already happened"
        );
        events.extend(emitted);
        for (id, versioned) in &book.records {
            let old = &before.records[id];
            let changed = versioned.record != old.record;
            prop_assert_eq!(
                changed,
                outcome.changed.contains(&RecordKey::Agreement(id.clone())),
                "changed lists exactly the changed records"
            );
            prop_assert_eq!(
                changed,
                versioned.version > old.version,
                "a change bumps the version"
            );
            let record = &versioned.record;
            prop_assert!(record.check().is_ok(), "{:?}", record.check());
            check_events(record)?;
            for invoice in &record.invoices {
                prop_assert!(invoice.refunded_minor <= invoice.charged_minor);
            }
            prop_assert!(
                record
                    .requests
                    .iter()
                    .filter(|r| r.status.is_pending())
                    .count()
                    <= 1
            );
            for request in &record.requests {
                if let Some(earlier) = settled.get(&request.id) {
                    prop_assert_eq!(earlier, request, "a settled request never changes again");
                } else if !request.status.is_pending() {
                    settled.insert(request.id.clone(), request.clone());
                }
            }
            let approved = record
                .requests
                .iter()
                .any(|r| r.status == RequestStatus::Approved);
            prop_assert_eq!(
                approved,
                record.agreement.status == AgreementStatus::Cancelled
            );
        }
        prop_assert_eq!(
            book.records.next_due(),
            book.records
                .values()
                .filter_map(|v| v.record.next_due())
                .min(),
            "the schedule follows the records"
        );
        check_indexes(&book)?;
    }
    Ok(Run { book, now, events })
}

/// The events a record keeps, where each stands and each built, are the ones a derivation
/// from its requests and adjustments alone gives, in the same order: each request told both
/// sides when it was sent and again when it was settled (a failed validation only the
/// seller), each processed adjustment told them once, in time order, the events of one
/// moment in the order of the record's lists.
fn check_events(record: &AgreementRecord) -> Result<(), TestCaseError> {
    let mut derived = Vec::new();
    for request in &record.requests {
        let sent = CancellationRequest {
            status: RequestStatus::PendingApproval,
            status_message: String::new(),
            decided_by: None,
            updated_at: request.created_at,
            ..request.clone()
        };
        let kind = EventKind::CancellationPendingApproval;
        for &side in kind.sides() {
            derived.push(events::cancellation_event(
                kind,
                side,
                &record.agreement,
                &sent,
            ));
        }
        let settled = match request.status {
            RequestStatus::PendingApproval => None,
            RequestStatus::Approved => Some(EventKind::CancellationApproved),
            RequestStatus::Rejected => Some(EventKind::CancellationRejected),
            RequestStatus::Cancelled => Some(EventKind::CancellationCancelled),
            RequestStatus::ValidationFailed => Some(EventKind::CancellationValidationFailed),
        };
        if let Some(kind) = settled {
            for &side in kind.sides() {
                derived.push(events::cancellation_event(
                    kind,
                    side,
                    &record.agreement,
                    request,
                ));
            }
        }
    }
    for adjustment in &record.adjustments {
        let kind = match adjustment.status {
            AdjustmentStatus::Pending => continue,
            AdjustmentStatus::Completed => EventKind::AdjustmentCompleted,
            AdjustmentStatus::ValidationFailed => EventKind::AdjustmentFailed,
        };
        for &side in kind.sides() {
            derived.push(events::adjustment_event(
                kind,
                side,
                &record.agreement,
                adjustment,
            ));
        }
    }
    derived.sort_by_key(|e| e.time);
    let refs: Vec<(DateTime<Utc>, Side)> = derived.iter().map(|e| (e.time, e.side())).collect();
    let kept: Vec<(DateTime<Utc>, Side)> = record
        .event_refs()
        .iter()
        .map(|e| (e.time, e.side))
        .collect();
    prop_assert_eq!(kept, refs, "each event stands where the derivation puts it");
    prop_assert_eq!(record.event_refs(), &record.derived_events()[..]);
    let built: Vec<BusEvent> = record.events().collect();
    prop_assert_eq!(
        built,
        derived,
        "each event is built as the derivation builds it"
    );
    Ok(())
}

/// Every index of the records holds exactly what a scan of the whole book finds.
fn check_indexes(book: &Book) -> Result<(), TestCaseError> {
    let records = || book.records.values().map(|v| &v.record);
    let mut accounts: BTreeSet<AccountId> = records()
        .flat_map(|r| [r.agreement.seller.clone(), r.agreement.buyer.clone()])
        .collect();
    accounts.insert(AccountId::parse("999999999999").unwrap());
    for account in &accounts {
        let sold: Vec<_> = records()
            .filter(|r| &r.agreement.seller == account)
            .map(|r| &r.agreement.id)
            .collect();
        let bought: Vec<_> = records()
            .filter(|r| &r.agreement.buyer == account)
            .map(|r| &r.agreement.id)
            .collect();
        prop_assert_eq!(
            book.records.of_seller(account).iter().collect::<Vec<_>>(),
            sold
        );
        prop_assert_eq!(
            book.records.of_buyer(account).iter().collect::<Vec<_>>(),
            bought
        );
    }
    prop_assert!(book
        .records
        .indexes
        .by_seller
        .keys()
        .all(|a| accounts.contains(a)));
    prop_assert!(book
        .records
        .indexes
        .by_buyer
        .keys()
        .all(|a| accounts.contains(a)));
    let products: BTreeSet<&ProductId> = records().map(|r| &r.agreement.product).collect();
    for product in &products {
        let sold: Vec<_> = records()
            .filter(|r| &&r.agreement.product == product)
            .map(|r| &r.agreement.id)
            .collect();
        prop_assert_eq!(
            book.records.of_product(product).iter().collect::<Vec<_>>(),
            sold
        );
    }
    prop_assert!(book
        .records
        .indexes
        .by_product
        .keys()
        .all(|p| products.contains(p)));
    let requests: BTreeSet<&RequestId> = records()
        .flat_map(|r| r.requests.iter().map(|q| &q.id))
        .collect();
    for request in &requests {
        let first = records()
            .find(|r| r.request(request).is_some())
            .map(|r| &r.agreement.id);
        prop_assert_eq!(book.records.with_request(request), first);
        let found = book
            .request_by_id(request)
            .map(|(r, q)| (&r.agreement.id, &q.id));
        prop_assert_eq!(found, first.map(|a| (a, *request)));
    }
    prop_assert_eq!(book.records.indexes.by_request.len(), requests.len());
    let scheduled: BTreeSet<(DateTime<Utc>, IdKey)> = records()
        .filter_map(|r| Some((r.next_due()?, IdKey::of(&r.agreement.id))))
        .collect();
    prop_assert_eq!(&book.records.indexes.schedule, &scheduled);
    for side in [Side::Acceptor, Side::Proposer] {
        let log_of = |party: Option<&AccountId>| {
            let mut log = LogIndex::default();
            for r in records().filter(|r| {
                party.is_none_or(|p| &r.agreement.seller == p || &r.agreement.buyer == p)
            }) {
                let mine: Vec<_> = r.event_refs().iter().filter(|e| e.side == side).collect();
                if let Some(newest) = mine.iter().map(|e| e.time).max() {
                    log.newest
                        .insert((Reverse(Moment::of(newest)), IdKey::of(&r.agreement.id)));
                    log.events += mine.len();
                }
            }
            log
        };
        prop_assert_eq!(book.records.log_index(side, None), Some(&log_of(None)));
        for account in &accounts {
            let expected = log_of(Some(account));
            let expected = (!expected.newest.is_empty()).then_some(&expected);
            prop_assert_eq!(book.records.log_index(side, Some(account)), expected);
        }
        let slot = side_slot(side);
        prop_assert!(book.records.indexes.logs.parties[slot]
            .keys()
            .all(|a| accounts.contains(a)));
    }
    Ok(())
}

/// How many events of `detail_type` name `id` (a request or an adjustment).
fn count(events: &[BusEvent], detail_type: &str, id: &str) -> usize {
    events
        .iter()
        .filter(|e| e.detail_type.to_string() == detail_type)
        .filter(|e| match &e.detail {
            events::Detail::Cancellation(d) => d.agreement_cancellation_request.id == id,
            events::Detail::Adjustment(d) => d.billing_adjustment_request.id == id,
        })
        .count()
}

proptest! {
    #[test]
    fn every_sequence_of_commands_keeps_the_rules_at_every_step(
        renewal in any::<bool>(),
        steps in proptest::collection::vec(step(), 0..40),
    ) {
        run(renewal, &steps)?;
    }

    #[test]
    fn every_change_has_exactly_one_event_on_each_side_that_should_see_it(
        renewal in any::<bool>(),
        steps in proptest::collection::vec(step(), 0..40),
    ) {
        let Run { book, events, .. } = run(renewal, &steps)?;
        let mut expected_total = 0;
        for record in book.records.values().map(|v| &v.record) {
            for r in &record.requests {
                let id = r.id.as_str();
                for side in ["Acceptor", "Proposer"] {
                    let pending = format!("Agreement Cancellation Request Pending Approval - {side}");
                    prop_assert_eq!(count(&events, &pending, id), 1);
                }
                let (kind, sides) = match r.status {
                    RequestStatus::PendingApproval => ("", 0),
                    RequestStatus::Approved => ("Approved", 2),
                    RequestStatus::Rejected => ("Rejected", 2),
                    RequestStatus::Cancelled => ("Cancelled", 2),
                    RequestStatus::ValidationFailed => ("Validation Failed", 1),
                };
                if sides > 0 {
                    let proposer = format!("Agreement Cancellation Request {kind} - Proposer");
                    let acceptor = format!("Agreement Cancellation Request {kind} - Acceptor");
                    prop_assert_eq!(count(&events, &proposer, id), 1);
                    prop_assert_eq!(count(&events, &acceptor, id), sides - 1);
                }
                expected_total += 2 + sides;
            }
            for a in &record.adjustments {
                let id = a.id.as_str();
                let (completed, failed) = match a.status {
                    AdjustmentStatus::Pending => (0, 0),
                    AdjustmentStatus::Completed => (2, 0),
                    AdjustmentStatus::ValidationFailed => (0, 1),
                };
                let named = |t: &str| count(&events, &format!("Purchase Agreement Billing Adjustment {t}"), id);
                prop_assert_eq!(named("Completed - Acceptor") + named("Completed - Proposer"), completed);
                prop_assert_eq!(named("Failed - Proposer"), failed);
                expected_total += completed + failed;
            }
            prop_assert!(record.events().all(|e| e.agreement_id() == record.agreement.id.as_str()));
        }
        prop_assert_eq!(events.len(), expected_total, "no other event");
        let kept: usize = book.records.values().map(|v| v.record.event_count()).sum();
        prop_assert_eq!(kept, events.len(), "each record keeps its own events");
        for versioned in book.records.values() {
            let mut emitted: Vec<&BusEvent> = events
                .iter()
                .filter(|e| e.agreement_id() == versioned.record.agreement.id.as_str())
                .collect();
            let built: Vec<BusEvent> = versioned.record.events().collect();
            let mut kept: Vec<&BusEvent> = built.iter().collect();
            prop_assert!(kept.windows(2).all(|w| w[0].time <= w[1].time), "a record keeps its events in time order");
            // Events of one moment may be emitted in another order than the record keeps
            // them (a refund processed as a request is sent): the same events, in time order.
            let same_moment_order = |e: &&BusEvent| (e.time, serde_json::to_string(e).unwrap());
            emitted.sort_by_key(same_moment_order);
            kept.sort_by_key(same_moment_order);
            prop_assert_eq!(kept, emitted, "a record's events are the ones its commands emitted");
            let stored = serde_json::to_string(&versioned.record).unwrap();
            prop_assert!(!stored.contains("detail-type"), "events are not stored");
            let read: AgreementRecord = serde_json::from_str(&stored).unwrap();
            prop_assert_eq!(&read, &versioned.record, "reading a record rebuilds its events");
        }
    }

    #[test]
    fn one_jump_of_time_gives_the_same_state_and_events_as_many_small_steps(
        renewal in any::<bool>(),
        steps in proptest::collection::vec(step(), 0..20),
        hops in proptest::collection::vec(1i64..200_000, 1..12),
    ) {
        let Run { book: mut a, now, .. } = run(renewal, &steps)?;
        let mut b = a.clone();
        let end = now + Duration::seconds(hops.iter().sum());
        let jumped = a.advance_to(end).bus_events(&a);
        let mut stepped = Vec::new();
        let mut at = now;
        for hop in hops {
            at += Duration::seconds(hop);
            stepped.extend(b.advance_to(at).bus_events(&b));
        }
        prop_assert_eq!(jumped, stepped);
        let contents = |book: &Book| book.records.values().map(|v| v.record.clone()).collect::<Vec<_>>();
        prop_assert_eq!(contents(&a), contents(&b));
    }
}

/// The log pages one after the other, as a person paging through them sees it.
pub(super) fn every_page(
    book: &Book,
    side: Side,
    party: Option<&AccountId>,
    agreement: Option<&AgreementId>,
) -> Vec<Page<BusEvent>> {
    let first = book.log_page(side, party, agreement, 0);
    (0..first.pages)
        .map(|page| book.log_page(side, party, agreement, page))
        .collect()
}

/// Which part of a book a log looks at.
#[derive(Debug, Clone)]
enum LogFilter {
    All,
    /// The seller or buyer at this place in the directory.
    Party(bool, usize),
    /// The agreement at this place in ID order.
    Agreement(usize),
}

fn log_filter() -> impl Strategy<Value = LogFilter> {
    prop_oneof![
        Just(LogFilter::All),
        (any::<bool>(), 0usize..8).prop_map(|(s, n)| LogFilter::Party(s, n)),
        (0usize..64).prop_map(LogFilter::Agreement),
    ]
}

/// Every page of the log is the matching slice of the whole log sorted at once, and
/// the whole log is every matching event, newest first.
fn check_log(book: &Book, side: Side, filter: &LogFilter) -> Result<(), TestCaseError> {
    let (party, agreement) = match filter {
        LogFilter::All => (None, None),
        LogFilter::Party(seller, n) => {
            let parties = if *seller {
                &book.directory.sellers
            } else {
                &book.directory.buyers
            };
            (parties.get(*n).map(|p| p.account.clone()), None)
        }
        LogFilter::Agreement(n) => (None, book.records.keys().nth(*n).cloned()),
    };
    let whole: Vec<BusEvent> = book.log(side, party.as_ref(), agreement.as_ref()).collect();
    let mut expected: Vec<BusEvent> = book
        .records
        .values()
        .map(|v| &v.record)
        .filter(|r| agreement.as_ref().is_none_or(|a| &r.agreement.id == a))
        .filter(|r| {
            party
                .as_ref()
                .is_none_or(|p| &r.agreement.seller == p || &r.agreement.buyer == p)
        })
        .flat_map(|r| r.events().filter(|e| e.side() == side))
        .collect();
    prop_assert!(whole.windows(2).all(|w| w[0].time >= w[1].time));
    let mut sorted = whole.clone();
    let by_id = |e: &BusEvent| e.id.clone();
    sorted.sort_by_key(by_id);
    expected.sort_by_key(by_id);
    prop_assert_eq!(sorted, expected, "the log holds every matching event once");
    let pages = every_page(book, side, party.as_ref(), agreement.as_ref());
    for (page, chunk) in pages.iter().zip(whole.chunks(PAGE_MAX)) {
        prop_assert_eq!(page.total, whole.len());
        prop_assert_eq!(&page.items[..], chunk);
    }
    prop_assert_eq!(pages.len(), whole.len().div_ceil(PAGE_MAX).max(1));
    Ok(())
}

fn side() -> impl Strategy<Value = Side> {
    prop_oneof![Just(Side::Proposer), Just(Side::Acceptor)]
}

/// What happens to a book with many parties: commands, time, and what storage does.
#[derive(Debug, Clone)]
enum Change {
    /// The seller withdraws, or the buyer accepts or rejects, the pending request of the
    /// agreement at this place in ID order, or the seller sends a new one.
    Command(usize, u8),
    Wait(i64),
    /// Another tab deleted the record at this place, or it was archived.
    Remove(usize),
    /// Another tab wrote a record at this place, now between these parties (by their
    /// place among every account of the book; the same one can be both).
    Moved(usize, usize, usize),
    /// Another tab wrote the record at this place as it was at the start.
    Older(usize),
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        (0usize..64, 0u8..4).prop_map(|(n, c)| Change::Command(n, c)),
        (0i64..200).prop_map(|h| Change::Wait(h * 3_600)),
        (0usize..64).prop_map(Change::Remove),
        (0usize..64, 0usize..16, 0usize..16).prop_map(|(n, s, b)| Change::Moved(n, s, b)),
        (0usize..64).prop_map(Change::Older),
    ]
}

/// Runs `changes` on the demo book of `seed`, checking the indexes after each one.
fn changed_book(seed: u64, changes: &[Change]) -> Result<Book, TestCaseError> {
    let start = crate::demo::demo_book_from_seed(seed, t(0));
    let accounts: Vec<AccountId> = start
        .directory
        .sellers
        .iter()
        .chain(&start.directory.buyers)
        .map(|p| p.account.clone())
        .collect();
    let mut book = start.clone();
    let mut ids = SequentialIds::starting_at(1_000_000);
    let mut now = t(0);
    check_indexes(&book)?;
    for change in changes {
        let nth = |book: &Book, n: usize| {
            let len = book.records.len().max(1);
            book.records.keys().nth(n % len).cloned()
        };
        match *change {
            Change::Command(n, c) => {
                let Some(id) = nth(&book, n) else { continue };
                let record = book.record(&id).unwrap();
                let (seller, buyer) = (
                    Actor::Seller(record.agreement.seller.clone()),
                    Actor::Buyer(record.agreement.buyer.clone()),
                );
                let pending = record.pending_request().map(|r| r.id.clone());
                let (command, actor) = match (pending, c) {
                    (None, _) => {
                        let mut command = send(&format!("change-{}", ids.next));
                        command.agreement_id = id;
                        (StepCommand::Send(command), seller)
                    }
                    (Some(request_id), 0) => (
                        StepCommand::Accept(AcceptCancellation {
                            agreement_id: id,
                            request_id,
                        }),
                        buyer,
                    ),
                    (Some(request_id), 1) => (
                        StepCommand::Reject(RejectCancellation {
                            agreement_id: id,
                            request_id,
                            reason: "Still needed".into(),
                        }),
                        buyer,
                    ),
                    (Some(request_id), _) => (
                        StepCommand::Withdraw(WithdrawCancellation {
                            agreement_id: id,
                            request_id,
                            reason: "Mistake".into(),
                        }),
                        seller,
                    ),
                };
                let _ = command.apply(&mut book, &actor, now, &mut ids);
            }
            Change::Wait(seconds) => {
                now += Duration::seconds(seconds);
                book.advance_to(now);
            }
            Change::Remove(n) => {
                if let Some(id) = nth(&book, n) {
                    book.records.remove(&id);
                }
            }
            Change::Moved(n, s, b) => {
                let Some(id) = nth(&start, n) else { continue };
                let mut versioned = start.records[&id].clone();
                versioned.record.agreement.seller = accounts[s % accounts.len()].clone();
                versioned.record.agreement.buyer = accounts[b % accounts.len()].clone();
                versioned.version += 100;
                book.replace(versioned);
            }
            Change::Older(n) => {
                if let Some(id) = nth(&start, n) {
                    book.replace(start.records[&id].clone());
                }
            }
        }
        check_indexes(&book)?;
    }
    for versioned in book.records.values() {
        check_events(&versioned.record)?;
    }
    Ok(book)
}

proptest! {
    #[test]
    fn the_indexes_hold_what_a_scan_finds_after_any_commands_and_storage_writes(
        seed in any::<u64>(),
        changes in proptest::collection::vec(change(), 0..30),
        side in side(),
        filter in log_filter(),
        page in 0usize..3,
    ) {
        let book = changed_book(seed, &changes)?;
        check_log(&book, side, &filter)?;
        // Indexed all at once, as storage reads a book, the same records index the same.
        let mut read = book.clone();
        read.records = (&book.records).into_iter().map(|(id, v)| (id.clone(), v.clone())).collect();
        check_indexes(&read)?;
        // Read in two parts, as a large book is: the first part shown first, the rest
        // added once read. A record of the first part read again with the rest (older
        // there) keeps the first part's.
        let split = page * book.records.len() / 3;
        let mut first = book.clone();
        first.records = (&book.records).into_iter().take(split).map(|(id, v)| (id.clone(), v.clone())).collect();
        let mut rest: BTreeMap<_, _> = (&book.records).into_iter().skip(split).map(|(id, v)| (id.clone(), v.clone())).collect();
        if let Some((id, v)) = (&first.records).into_iter().next() {
            let mut stale = v.clone();
            stale.version = stale.version.saturating_sub(1);
            stale.record.agreement.seller = AccountId::parse("999999999999").unwrap();
            rest.insert(id.clone(), stale);
        }
        first.records.add_read(rest);
        prop_assert_eq!(&first.records, &book.records);
        check_indexes(&first)?;
        let mut parties: Vec<AccountId> = book
            .records
            .values()
            .flat_map(|v| [v.record.agreement.seller.clone(), v.record.agreement.buyer.clone()])
            .collect();
        parties.push(AccountId::parse("999999999999").unwrap());
        for party in &parties {
            let filters = [
                Filter { seller: Some(party.clone()), ..Default::default() },
                Filter { buyer_id: Some(format!(" {party} ")), ..Default::default() },
                Filter {
                    seller: Some(party.clone()),
                    buyer_id: Some(parties[0].to_string()),
                    ..Default::default()
                },
            ];
            // The Product filter, answered by the indexes: part of a name in any case, a
            // product's ID, text no product has; alone, with a party, with a status.
            let first_product = book.directory.products.first();
            let texts = [
                Some(" e ".to_string()),
                Some("CLOUD".to_string()),
                first_product.map(|p| p.id.to_string()),
                first_product.map(|p| p.name.chars().skip(2).take(5).collect()),
                Some("no such product".to_string()),
            ];
            let with_products = texts.iter().flatten().flat_map(|text| {
                [
                    Filter { product: Some(text.clone()), ..Default::default() },
                    Filter { seller: Some(party.clone()), product: Some(text.clone()), ..Default::default() },
                    Filter {
                        buyer_id: Some(parties[0].to_string()),
                        product: Some(text.clone()),
                        status: Some(AgreementStatus::Active),
                        ..Default::default()
                    },
                ]
            });
            for filter in filters.iter().cloned().chain(with_products).collect::<Vec<_>>().iter() {
                let scanned: Vec<_> = book
                    .records
                    .values()
                    .map(|v| &v.record)
                    .filter(|r| filter.matches(r, &book.directory))
                    .collect();
                prop_assert_eq!(book.find(filter, page), Page::of(scanned, page));
            }
            let sold = book.agreements_of_seller(party, page);
            prop_assert_eq!(&sold, &book.find(&filters[0], page));
            let bought = book.agreements_of_buyer(party, page);
            prop_assert_eq!(&bought, &book.find(&filters[1], page));
        }
    }
}

proptest! {
    #[test]
    fn a_page_of_the_log_is_that_page_of_the_whole_log_sorted(
        seed in any::<u64>(),
        hours in prop_oneof![Just(0i64), 0i64..400],
        side in side(),
        filter in log_filter(),
    ) {
        let mut book = crate::demo::demo_book_from_seed(seed, t(0));
        book.advance_to(t(hours));
        check_log(&book, side, &filter)?;
    }

    #[test]
    fn the_log_pages_through_the_events_of_any_sequence_of_commands(
        renewal in any::<bool>(),
        steps in proptest::collection::vec(step(), 0..40),
        side in side(),
        filter in log_filter(),
    ) {
        let Run { book, .. } = run(renewal, &steps)?;
        check_log(&book, side, &filter)?;
    }
}
