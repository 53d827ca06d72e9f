//! The store natively, on an in-memory backend: loading, quarantine, compare-and-set between
//! tabs, the one path of every change, and the loader's fuzz.

use chrono::{Duration, TimeZone};
use workbench_core::book::{
    AcceptCancellation, Actor, Command, DevPayCancel, DomainError, FpsCancelAndRefund,
    RejectCancellation, WithdrawCancellation,
};
use workbench_core::demo;
use workbench_core::ids::{uuid_from_bytes, IdSource, RequestId, SequentialIds};

use super::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

fn seed() -> Book {
    demo::demo_book(now())
}

fn open(backend: &MemoryBackend) -> (Store<MemoryBackend>, Loaded) {
    Store::open(backend.clone(), now(), seed)
}

/// Reading a text that is exactly what this version writes is only a shortcut: for every
/// record the app writes, of every kind, it reads what the long way through JSON values
/// reads.
#[test]
fn both_readings_of_every_kind_of_record_agree() {
    fn agree<T: Serialize + DeserializeOwned + Checked + PartialEq + fmt::Debug>(record: &T) {
        let text = codec::encode(7, record);
        let short = codec::as_this_version_writes::<T>(&text).expect("what encode writes");
        let long = codec::through_values::<T>(&text).expect("what encode writes");
        assert_eq!((short.version, &short.data), (long.version, &long.data));
        assert_eq!(&short.data, record);
    }
    /// Whether `book` holds any record of kind `T`, each read both ways.
    fn all_agree<T: Kept + PartialEq + fmt::Debug>(book: &Book) -> bool {
        let all = T::all(book);
        for v in &all {
            agree(&v.record);
        }
        !all.is_empty()
    }
    let demo = seed();
    let kinds = [
        all_agree::<AgreementRecord>(&demo::scale_book(200, now(), &mut SequentialIds::default())),
        all_agree::<FpsSubscription>(&demo),
        all_agree::<DevPaySubscription>(&demo),
        all_agree::<AlibabaOrder>(&demo),
        all_agree::<SupportCase>(&demo),
    ];
    assert_eq!(kinds, [true; 5], "the books hold every kind of record");
    agree(demo.directory());
    agree(&SimulatedClock::default());
}

fn first_agreement_key(backend: &MemoryBackend) -> String {
    backend
        .keys()
        .unwrap()
        .into_iter()
        .find(|k| k.starts_with("cw.agreement."))
        .unwrap()
}

fn pending(book: &Book) -> (AgreementId, RequestId) {
    book.records()
        .values()
        .find_map(|v| {
            v.record
                .pending_request()
                .map(|r| (v.record.agreement.id.clone(), r.id.clone()))
        })
        .unwrap()
}

#[test]
fn a_fresh_browser_gets_the_demo_data_and_reads_it_back_the_same() {
    let backend = MemoryBackend::new();
    let (_, first) = open(&backend);
    assert_eq!(first.book, seed());
    assert!(first.notices.is_empty());
    let (_, again) = open(&backend);
    assert_eq!(again.book, first.book);
}

fn corrupted(mangle: impl Fn(&str) -> String) -> (MemoryBackend, String, Loaded) {
    let backend = MemoryBackend::new();
    open(&backend);
    let key = first_agreement_key(&backend);
    let text = backend.get(&key).unwrap().unwrap();
    backend.set(&key, &mangle(&text)).unwrap();
    let (_, loaded) = open(&backend);
    (backend, key, loaded)
}

fn assert_quarantined(backend: &MemoryBackend, key: &str, loaded: &Loaded, reason_part: &str) {
    assert_eq!(loaded.notices.len(), 1, "{:?}", loaded.notices);
    let Notice::Quarantined {
        key: bad,
        moved_to: Some(to),
        reason,
        ..
    } = &loaded.notices[0]
    else {
        panic!("{:?}", loaded.notices);
    };
    assert_eq!(bad, key);
    assert!(reason.contains(reason_part), "{reason}");
    assert!(
        backend.get(key).unwrap().is_none(),
        "the bad entry is moved, not left"
    );
    assert!(backend.get(to).unwrap().is_some());
    assert_eq!(
        loaded.book.records().len(),
        seed().records().len() - 1,
        "everything else is intact"
    );
    assert!(!loaded.notices[0].message().is_empty());
}

#[test]
fn truncated_json_is_moved_aside_and_everything_else_loads() {
    let (backend, key, loaded) = corrupted(|t| t.chars().take(t.chars().count() / 2).collect());
    assert_quarantined(&backend, &key, &loaded, "not readable JSON");
}

#[test]
fn non_json_text_is_moved_aside() {
    let (backend, key, loaded) = corrupted(|_| "hello, I am not JSON".into());
    assert_quarantined(&backend, &key, &loaded, "not readable JSON");
}

#[test]
fn a_wrong_or_missing_format_is_moved_aside() {
    let (backend, key, loaded) = corrupted(|t| t.replacen("\"format\":2", "\"format\":0", 1));
    assert_quarantined(&backend, &key, &loaded, "format 0");
    let (backend, key, loaded) = corrupted(|t| t.replacen("\"format\":2,", "", 1));
    assert_quarantined(&backend, &key, &loaded, "which format");
}

#[test]
fn unknown_fields_are_moved_aside() {
    let (backend, key, loaded) = corrupted(|t| {
        codec::edit_data(t, |data| {
            data["bonus"] = serde_json::json!(true);
        })
    });
    assert_quarantined(&backend, &key, &loaded, "fields this version");
}

#[test]
fn a_missing_required_key_is_moved_aside() {
    let (backend, key, loaded) = corrupted(|t| {
        codec::edit_data(t, |data| {
            data.as_object_mut().unwrap().remove("history");
        })
    });
    assert_quarantined(&backend, &key, &loaded, "not what the workbench stores");
}

#[test]
fn a_record_refunded_above_its_charge_is_moved_aside() {
    let (backend, key, loaded) = corrupted(|t| {
        codec::edit_data(t, |data| {
            let invoice = &mut data["invoices"][0];
            invoice["refunded_minor"] =
                serde_json::json!(invoice["charged_minor"].as_i64().unwrap() + 1);
        })
    });
    assert_quarantined(&backend, &key, &loaded, "refunded more than it charged");
}

#[test]
fn data_from_a_newer_version_is_read_but_never_written_over() {
    let backend = MemoryBackend::new();
    open(&backend);
    backend
        .set(
            META_KEY,
            r#"{"format":9,"version":1,"data":{"created_at":"2030-01-01T00:00:00Z","more":1}}"#,
        )
        .unwrap();
    let writes = backend.writes();
    let (mut store, loaded) = open(&backend);
    assert_eq!(loaded.notices, vec![Notice::NewerFormat { format: 9 }]);
    assert!(store.is_read_only());
    assert_eq!(loaded.book.records().len(), seed().records().len());
    let id = loaded.book.records().keys().next().unwrap().clone();
    assert_eq!(
        store.save(&loaded.book, &BTreeSet::from([RecordKey::Agreement(id)])),
        Err(SaveError::ReadOnly)
    );
    assert_eq!(backend.writes(), writes, "nothing was written");
}

#[test]
fn unavailable_storage_still_runs_on_demo_data_and_says_nothing_is_saved() {
    let (mut store, loaded) = Store::open(MemoryBackend::unavailable(), now(), seed);
    assert_eq!(loaded.notices, vec![Notice::Unavailable]);
    assert_eq!(loaded.book, seed());
    assert!(store.save_clock(&SimulatedClock::default()).is_err());
}

#[test]
fn a_full_quota_on_write_is_reported_and_the_stored_record_stays_as_it_was() {
    let backend = MemoryBackend::new();
    let (_, loaded) = open(&backend);
    let used = backend.used_chars();
    let tight = MemoryBackend::with_quota(used + 10);
    for key in backend.keys().unwrap() {
        tight
            .set(&key, &backend.get(&key).unwrap().unwrap())
            .unwrap();
    }
    let (mut store, mut loaded2) = Store::open(tight.clone(), now(), seed);
    assert_eq!(loaded2.book, loaded.book);
    let (agreement, request) = pending(&loaded2.book);
    let key = key_of(&RecordKey::Agreement(agreement.clone()));
    let before = tight.get(&key).unwrap();
    let buyer = loaded2
        .book
        .record(&agreement)
        .unwrap()
        .agreement
        .buyer
        .clone();
    let (_, outcome) = loaded2
        .book
        .apply(
            RejectCancellation {
                agreement_id: agreement.clone(),
                request_id: request,
                reason: "We still rely on this product for month-end reporting".into(),
            },
            &Actor::Buyer(buyer),
            now(),
            &mut SequentialIds::starting_at(77),
        )
        .unwrap();
    let error = store.save(&loaded2.book, &outcome.changed).unwrap_err();
    assert_eq!(error, SaveError::Backend(BackendError::QuotaFull));
    assert!(error.to_string().contains("not saved"));
    assert_eq!(tight.get(&key).unwrap(), before);
}

#[test]
fn an_action_writes_only_the_record_it_changed() {
    let backend = MemoryBackend::new();
    let (mut store, mut loaded) = open(&backend);
    let (agreement, request) = pending(&loaded.book);
    let buyer = loaded
        .book
        .record(&agreement)
        .unwrap()
        .agreement
        .buyer
        .clone();
    let writes = backend.writes();
    let (_, outcome) = loaded
        .book
        .apply(
            AcceptCancellation {
                agreement_id: agreement.clone(),
                request_id: request,
            },
            &Actor::Buyer(buyer),
            now(),
            &mut SequentialIds::starting_at(77),
        )
        .unwrap();
    store.save(&loaded.book, &outcome.changed).unwrap();
    assert_eq!(backend.writes() - writes, 1);
    let (_, reread) = open(&backend);
    assert_eq!(
        reread.book.record(&agreement),
        loaded.book.record(&agreement)
    );
}

/// A store of 40 agreements, each with a request that falls due within a week, and the
/// book as time moved past every deadline, its changes kept for later.
fn forty_due(backend: &MemoryBackend) -> (Store<MemoryBackend>, Book, BTreeSet<RecordKey>) {
    let scale = || demo::scale_book(40, now(), &mut SequentialIds::default());
    let (mut store, mut loaded) = Store::open(backend.clone(), now(), scale);
    let changed = loaded.book.advance_to(now() + Duration::days(8)).changed;
    assert_eq!(changed.len(), 40);
    store.write_later(changed.clone());
    (store, loaded.book, changed)
}

/// Writes `n` records of those kept for later.
fn write_n(store: &mut Store<MemoryBackend>, book: &Book, n: usize) -> Beaten {
    let mut left = n;
    store
        .write_some(book, || {
            let go_on = left > 0;
            left = left.saturating_sub(1);
            go_on
        })
        .unwrap()
}

#[test]
fn times_changes_are_written_a_slice_at_a_time_and_a_page_closed_between_loses_nothing() {
    let backend = MemoryBackend::new();
    let (mut store, book, _) = forty_due(&backend);
    let writes = backend.writes();
    assert_eq!(write_n(&mut store, &book, 15), Beaten::default());
    assert_eq!(backend.writes() - writes, 15);
    assert!(store.has_later());
    // The page closes here. The next one reads 15 approvals and 25 pending requests past
    // their deadline, and time approves those again, exactly as the first page did.
    let (_, mut next) = open(&backend);
    assert_ne!(next.book.records(), book.records());
    next.book.advance_to(now() + Duration::days(8));
    assert_eq!(next.book.records(), book.records());

    assert_eq!(write_n(&mut store, &book, usize::MAX), Beaten::default());
    assert!(!store.has_later());
    assert_eq!(backend.writes() - writes, 40);
    let (_, reread) = open(&backend);
    assert_eq!(reread.book.records(), book.records());
}

#[test]
fn a_record_written_before_its_turn_is_not_written_again() {
    let backend = MemoryBackend::new();
    let (mut store, book, changed) = forty_due(&backend);
    let first = changed.first().unwrap().clone();
    // As a person's command on it would: written at once, with compare-and-set.
    store.save(&book, &BTreeSet::from([first])).unwrap();
    let writes = backend.writes();
    assert_eq!(write_n(&mut store, &book, usize::MAX), Beaten::default());
    assert_eq!(backend.writes() - writes, 39);
}

#[test]
fn a_record_another_tab_wrote_first_is_handed_back_and_the_rest_are_written() {
    let backend = MemoryBackend::new();
    let (mut store, mut book, changed) = forty_due(&backend);
    let (mut other, mut theirs) = open(&backend);
    let taken = changed.iter().nth(3).unwrap().clone();
    let RecordKey::Agreement(id) = taken.clone() else {
        panic!("{taken:?}")
    };
    // The other tab sees the same time pass and writes one approval before this tab does.
    theirs.book.advance_to(now() + Duration::days(8));
    other
        .save(&theirs.book, &BTreeSet::from([taken.clone()]))
        .unwrap();
    let writes = backend.writes();
    let same_change = Beaten {
        records: vec![taken.clone()],
        overruled: None,
    };
    assert_eq!(write_n(&mut store, &book, usize::MAX), same_change);
    assert_eq!(backend.writes() - writes, 39);
    store.restore(&mut book, &BTreeSet::from([taken]), now());
    assert_eq!(book.record(&id), theirs.book.record(&id));
    let (_, reread) = open(&backend);
    assert_eq!(reread.book.records(), book.records());
}

#[test]
fn a_record_a_person_changed_in_another_tab_before_time_wrote_it_is_told_as_overruled() {
    let backend = MemoryBackend::new();
    let (mut store, mut book, changed) = forty_due(&backend);
    let (mut other, mut theirs) = open(&backend);
    let taken = changed.iter().nth(5).unwrap().clone();
    let RecordKey::Agreement(id) = taken.clone() else {
        panic!("{taken:?}")
    };
    // A person withdraws the request there before its deadline passes in that tab.
    let record = theirs.book.record(&id).unwrap().clone();
    let pending = record
        .requests
        .iter()
        .find(|r| r.status.is_pending())
        .unwrap();
    let (_, outcome) = theirs
        .book
        .apply(
            WithdrawCancellation {
                agreement_id: id.clone(),
                request_id: pending.id.clone(),
                reason: "Kept after a call".into(),
            },
            &Actor::Seller(record.agreement.seller.clone()),
            now(),
            &mut SequentialIds::starting_at(900),
        )
        .unwrap();
    other.save(&theirs.book, &outcome.changed).unwrap();
    let beaten = write_n(&mut store, &book, usize::MAX);
    assert_eq!(beaten.records, vec![taken.clone()]);
    assert_eq!(beaten.overruled.as_ref(), Some(&taken));
    store.restore(&mut book, &BTreeSet::from([taken]), now());
    assert_eq!(book.record(&id), theirs.book.record(&id));
}

#[test]
fn a_full_quota_while_writing_times_changes_drops_the_rest_which_the_next_page_derives() {
    let backend = MemoryBackend::new();
    let (mut roomy, book, _) = forty_due(&backend);
    write_n(&mut roomy, &book, 5);
    let tight = MemoryBackend::with_quota(backend.used_chars() + 10);
    for key in backend.keys().unwrap() {
        tight
            .set(&key, &backend.get(&key).unwrap().unwrap())
            .unwrap();
    }
    let scale = || demo::scale_book(40, now(), &mut SequentialIds::default());
    let (mut store, mut loaded) = Store::open(tight.clone(), now(), scale);
    let changed = loaded.book.advance_to(now() + Duration::days(8)).changed;
    assert_eq!(changed.len(), 35);
    store.write_later(changed);
    let error = store.write_some(&loaded.book, || true).unwrap_err();
    assert_eq!(error, SaveError::Backend(BackendError::QuotaFull));
    assert!(
        !store.has_later(),
        "the rest are dropped, not retried every second"
    );
    let (_, mut next) = Store::open(tight, now(), scale);
    next.book.advance_to(now() + Duration::days(8));
    assert_eq!(next.book.records(), book.records());
}

#[test]
fn two_tabs_acting_on_one_request_end_with_one_winner_and_a_told_loser() {
    let backend = MemoryBackend::new();
    let (mut tab_a, mut a) = open(&backend);
    let (mut tab_b, mut b) = open(&backend);
    let (agreement, request) = pending(&a.book);
    let record = a.book.record(&agreement).unwrap().agreement.clone();
    let mut ids = SequentialIds::starting_at(500);
    let (_, approved) = a
        .book
        .apply(
            AcceptCancellation {
                agreement_id: agreement.clone(),
                request_id: request.clone(),
            },
            &Actor::Buyer(record.buyer.clone()),
            now(),
            &mut ids,
        )
        .unwrap();
    tab_a.save(&a.book, &approved.changed).unwrap();
    // Tab B had not heard of it yet: its own write is refused, not last-write-wins.
    let withdraw = WithdrawCancellation {
        agreement_id: agreement.clone(),
        request_id: request,
        reason: "The buyer asked to keep the agreement".into(),
    };
    let mut stale = b.book.clone();
    let (_, withdrawn) = stale
        .apply(
            withdraw.clone(),
            &Actor::Seller(record.seller.clone()),
            now(),
            &mut ids,
        )
        .unwrap();
    assert!(matches!(
        tab_b.save(&stale, &withdrawn.changed),
        Err(SaveError::Conflict { .. })
    ));
    // Refreshing first shows tab B the approval, and the core then refuses the withdrawal.
    assert!(tab_b.refresh(&mut b.book, &RecordKey::Agreement(agreement.clone()), now()));
    let error = b
        .book
        .apply(withdraw, &Actor::Seller(record.seller), now(), &mut ids)
        .unwrap_err();
    assert!(error.to_string().contains("already approved"), "{error}");
    let (_, stored) = open(&backend);
    assert_eq!(stored.book.record(&agreement), a.book.record(&agreement));
}

#[test]
fn another_tabs_change_reaches_this_tabs_book() {
    let backend = MemoryBackend::new();
    let (mut tab_a, mut a) = open(&backend);
    let (mut tab_b, mut b) = open(&backend);
    let (agreement, request) = pending(&a.book);
    let buyer = a.book.record(&agreement).unwrap().agreement.buyer.clone();
    let (_, outcome) = a
        .book
        .apply(
            RejectCancellation {
                agreement_id: agreement.clone(),
                request_id: request,
                reason: "Still needed".into(),
            },
            &Actor::Buyer(buyer),
            now(),
            &mut SequentialIds::starting_at(600),
        )
        .unwrap();
    tab_a.save(&a.book, &outcome.changed).unwrap();
    let key = key_of(&RecordKey::Agreement(agreement.clone()));
    let text = backend.get(&key).unwrap();
    let notices = tab_b
        .apply_external(&mut b.book, &key, text.as_deref(), now())
        .unwrap();
    assert!(notices.is_empty());
    assert_eq!(b.book.record(&agreement), a.book.record(&agreement));
}

#[test]
fn reset_replaces_everything_and_forgets_what_the_new_book_lacks() {
    let backend = MemoryBackend::new();
    let (mut store, mut loaded) = open(&backend);
    let removed = loaded.book.records().keys().next().unwrap().clone();
    loaded.book.shelf().records().remove(&removed);
    let later = now() + Duration::days(3);
    store
        .replace_all(&loaded.book, &SimulatedClock::default(), later)
        .unwrap();
    assert!(backend
        .get(&key_of(&RecordKey::Agreement(removed.clone())))
        .unwrap()
        .is_none());
    let (_, reread) = open(&backend);
    assert_eq!(reread.book, loaded.book);
}

#[test]
fn a_storage_event_carrying_garbage_never_panics() {
    let backend = MemoryBackend::new();
    let (mut store, mut loaded) = open(&backend);
    for text in ["", "{", "null", "[]", "{\"format\":1}", "\u{0}"] {
        store.apply_external(&mut loaded.book, "cw.agreement.agmt-x", Some(text), now());
        store.apply_external(&mut loaded.book, "cw.nonsense", Some(text), now());
    }
}

mod fuzz {
    use std::cell::RefCell;

    use proptest::prelude::*;

    use super::*;

    struct Fixture {
        store: Store<MemoryBackend>,
        book: Book,
        samples: [String; 2],
        sample_data: String,
    }

    thread_local! {
        // One store for all cases; its quota leaves no room, so quarantining never grows it.
        static FIXTURE: RefCell<Fixture> = RefCell::new({
            let backend = MemoryBackend::new();
            let (_, loaded) = open(&backend);
            let key = first_agreement_key(&backend);
            let sample = backend.get(&key).unwrap().unwrap();
            let sample_data = packed::unpack(
                serde_json::from_str::<serde_json::Value>(&sample).unwrap()["packed"].as_str().unwrap(),
            )
            .unwrap();
            let format_1 = include_str!("../../tests/fixtures/format-1-agreement.json").to_string();
            let full = MemoryBackend::with_quota(0);
            let (store, _) = Store::open(full, now(), seed);
            Fixture { store, book: loaded.book, samples: [sample, format_1], sample_data }
        });
    }

    fn mutate(text: &str, edits: &[(usize, u8, u8)]) -> String {
        let mut bytes = text.as_bytes().to_vec();
        for &(at, byte, op) in edits {
            let at = at % (bytes.len() + 1);
            match op % 4 {
                0 if at < bytes.len() => bytes[at] = byte,
                1 if at < bytes.len() => {
                    bytes.remove(at);
                }
                2 => bytes.insert(at, byte),
                _ => bytes.truncate(at),
            }
        }
        String::from_utf8_lossy(&bytes).into_owned()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100_000))]

        /// 100,000 random or mutated stored blobs reach the loader: none panics. A mutation
        /// hits a packed record's text, a format-1 record's JSON, or the JSON inside a packed
        /// record (packed again, so that it gets past the unpacking).
        #[test]
        fn the_loader_never_panics_on_any_stored_text(
            edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 0..6),
            random in proptest::option::weighted(0.1, ".{0,200}"),
            kind in 0usize..6,
            target in 0usize..3,
        ) {
            FIXTURE.with(|fixture| {
                let mut f = fixture.borrow_mut();
                let text = random.unwrap_or_else(|| match target {
                    0 | 1 => mutate(&f.samples[target], &edits),
                    _ => format!(
                        r#"{{"format":2,"version":1,"packed":"{}"}}"#,
                        packed::pack(&mutate(&f.sample_data, &edits))
                    ),
                });
                let key = ["cw.agreement.agmt-x", "cw.fps.x", "cw.devpay.x", "cw.alibaba.x", "cw.case.x", "cw.directory"][kind];
                let Fixture { store, book, .. } = &mut *f;
                store.apply_external(book, key, Some(&text), now());
                let _ = codec::format_of(&text);
            });
        }
    }
}

/// Identifiers as random as the browser's (`BrowserIds` draws from its crypto source, which
/// native tests lack): counters would compress far better than any real record.
struct RandomIds(u64);

impl RandomIds {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

impl IdSource for RandomIds {
    fn next_suffix(&mut self) -> String {
        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        (0..16)
            .map(|_| char::from(ALPHABET[(self.next() % 36) as usize]))
            .collect()
    }

    fn next_uuid(&mut self) -> String {
        uuid_from_bytes(&[self.next().to_be_bytes(), self.next().to_be_bytes()].concat())
    }
}

#[test]
fn ten_thousand_agreements_with_their_whole_history_fit_in_the_quota_with_room_to_spare() {
    let book = demo::scale_book(10_000, now(), &mut RandomIds(7));
    let typical = &book.records().values().next().unwrap().record;
    assert_eq!(
        (
            typical.requests.len(),
            typical.adjustments.len(),
            typical.event_count()
        ),
        (3, 1, 12),
        "a full history: three requests, a refund, their events"
    );
    let backend = MemoryBackend::with_quota(QUOTA_CHARS);
    let (_, loaded) = Store::open(backend.clone(), now(), || book.clone());
    assert!(loaded.notices.is_empty(), "{:?}", loaded.notices);
    let keys = backend.keys().unwrap();
    let agreements: Vec<&String> = keys
        .iter()
        .filter(|k| k.starts_with("cw.agreement."))
        .collect();
    assert_eq!(agreements.len(), 10_000, "every agreement was stored");
    let per_agreement: usize = agreements
        .iter()
        .map(|k| k.chars().count() + backend.get(k).unwrap().unwrap().chars().count())
        .sum::<usize>()
        / agreements.len();
    let used = backend.used_chars();
    let (store, again) = Store::open(backend.clone(), now(), seed);
    assert_eq!(store.usage().used, used, "the store knows what it uses");
    assert!(store.usage().nearly_full() == (used * 10 >= QUOTA_CHARS * 8));
    println!(
        "capacity: {per_agreement} characters per agreement with full history (key included); \
         10,000 agreements use {used} of {QUOTA_CHARS} ({:.1} %)",
        used as f64 * 100.0 / QUOTA_CHARS as f64
    );
    assert!(
        used * 10 < QUOTA_CHARS * 9,
        "a tenth of the quota to spare: {used}"
    );
    assert_eq!(
        again.book.records(),
        book.records(),
        "and read back the same"
    );
}

#[test]
fn the_store_keeps_count_of_what_it_uses_through_writes_removals_and_other_tabs() {
    let backend = MemoryBackend::new();
    backend.set("someone.else", "12345").unwrap();
    let (mut store, loaded) = open(&backend);
    assert_eq!(store.usage().used, backend.used_chars());
    let mut book = loaded.book;
    let (agreement, request) = pending(&book);
    let seller = book.record(&agreement).unwrap().agreement.seller.clone();
    let (_, outcome) = book
        .apply(
            WithdrawCancellation {
                agreement_id: agreement.clone(),
                request_id: request,
                reason: "Counting characters".into(),
            },
            &Actor::Seller(seller),
            now(),
            &mut SequentialIds::starting_at(9_000),
        )
        .unwrap();
    store.save(&book, &outcome.changed).unwrap();
    assert_eq!(store.usage().used, backend.used_chars());
    let key = format!("cw.agreement.{agreement}");
    backend.remove(&key).unwrap();
    store.apply_external(&mut book, &key, None, now());
    assert_eq!(store.usage().used, backend.used_chars());
    store
        .replace_all(&seed(), &SimulatedClock::default(), now())
        .unwrap();
    assert_eq!(store.usage().used, backend.used_chars());
    let usage = Usage {
        used: 80,
        quota: 100,
    };
    assert!(
        usage.nearly_full()
            && !Usage {
                used: 79,
                quota: 100
            }
            .nearly_full()
    );
    assert_eq!(usage.percent(), 80);
}

/// Why the shell's path of a command ended in a refusal: the core's, or storage's.
#[derive(Debug, PartialEq)]
enum Refused {
    Core(DomainError),
    Save(SaveError),
}

impl From<DomainError> for Refused {
    fn from(error: DomainError) -> Self {
        Refused::Core(error)
    }
}

/// What came of a person's change, as the shell's `AppState::act` meets it.
#[derive(Debug)]
struct Committed<T> {
    result: Result<T, Refused>,
    /// Whether the book differs from before, so that views hear of it only then.
    changed: bool,
    /// Whether another tab's write to the record was picked up first.
    refreshed: bool,
}

/// The shell's path of a command: another tab's write to its record first, then the
/// core, then storage.
fn commit<C: Command>(
    store: &mut Store<MemoryBackend>,
    book: &mut Book,
    command: C,
    actor: &Actor,
) -> Committed<C::Reply>
where
    Refused: From<C::Error>,
{
    let record = command.record(book);
    let refreshed = record.is_some_and(|r| store.refresh(book, &r, now()));
    let mut ids = SequentialIds::starting_at(700);
    match book.apply(command, actor, now(), &mut ids) {
        Ok((reply, outcome)) => Committed {
            result: store
                .keep(book, &outcome.changed, now())
                .map(|()| reply)
                .map_err(Refused::Save),
            changed: refreshed || !outcome.changed.is_empty(),
            refreshed,
        },
        Err(error) => Committed {
            result: Err(error.into()),
            changed: refreshed,
            refreshed,
        },
    }
}

mod one_path_for_every_family {
    use workbench_core::book::ArchiveClosed;
    use workbench_core::families::fps::{FpsCall, FpsError, FpsStatus};

    use super::*;

    fn an_active_fps_subscription(book: &Book) -> (FpsSubscriptionId, Actor) {
        book.fps()
            .values()
            .find(|v| v.record.status == FpsStatus::Active)
            .map(|v| (v.record.id.clone(), Actor::Seller(v.record.seller.clone())))
            .expect("the demo has an active FPS subscription")
    }

    fn cancel(id: &FpsSubscriptionId, reference: &str) -> FpsCancelAndRefund {
        FpsCancelAndRefund {
            subscription: id.clone(),
            call: FpsCall {
                caller_reference: reference.into(),
                ..FpsCall::default()
            },
        }
    }

    #[test]
    fn archiving_removes_closed_agreements_from_storage_unless_another_tab_changed_them() {
        let backend = MemoryBackend::new();
        let (mut tab, mut loaded) = open(&backend);
        let closed: Vec<AgreementId> = workbench_core::case::closed_archive(&loaded.book)
            .records()
            .keys()
            .cloned()
            .collect();
        assert!(closed.len() >= 2, "the demo has closed agreements");
        // Another tab changes the first after this one read it.
        let changed = &closed[0];
        let mut theirs = loaded.book.records()[changed].clone();
        theirs.version += 1;
        let stored = codec::encode(theirs.version, &theirs.record);
        backend
            .set(&key::<AgreementRecord>(changed), &stored)
            .unwrap();
        let refused = commit(
            &mut tab,
            &mut loaded.book,
            ArchiveClosed {
                agreements: vec![changed.clone()],
            },
            &Actor::System,
        );
        assert!(
            matches!(
                refused.result,
                Err(Refused::Save(SaveError::Conflict { .. }))
            ),
            "{refused:?}"
        );
        assert_eq!(loaded.book.records()[changed], theirs, "put back as stored");

        let archived = commit(
            &mut tab,
            &mut loaded.book,
            ArchiveClosed {
                agreements: closed.clone(),
            },
            &Actor::System,
        );
        assert_eq!(archived.result, Ok(closed.len()));
        let (_, reopened) = open(&backend);
        assert!(closed
            .iter()
            .all(|id| !reopened.book.records().contains_key(id)));
        assert_eq!(reopened.book, loaded.book);
    }

    #[test]
    fn two_tabs_cancelling_one_fps_subscription_end_with_one_winner_and_a_told_loser() {
        let backend = MemoryBackend::new();
        let (mut tab_a, mut a) = open(&backend);
        let (mut tab_b, mut b) = open(&backend);
        let (id, seller) = an_active_fps_subscription(&a.book);

        let won = commit(&mut tab_a, &mut a.book, cancel(&id, "ref-a"), &seller);
        assert!(won.result.is_ok(), "{won:?}");
        assert!(won.changed && !won.refreshed);

        // Tab B still shows the subscription active; acting picks up tab A's write first,
        // and the core refuses to cancel it twice.
        assert_eq!(b.book.fps()[&id].record.status, FpsStatus::Active);
        let lost = commit(&mut tab_b, &mut b.book, cancel(&id, "ref-b"), &seller);
        assert!(
            matches!(
                lost.result,
                Err(Refused::Core(DomainError::Fps(
                    FpsError::InvalidSubscriptionState { .. }
                )))
            ),
            "{lost:?}"
        );
        assert!(lost.refreshed && lost.changed, "the shell tells the person");
        let (_, stored) = open(&backend);
        assert_eq!(stored.book.fps(), a.book.fps());
        assert_eq!(
            b.book.fps(),
            stored.book.fps(),
            "nothing lost, nothing invented"
        );
    }

    #[test]
    fn a_write_that_another_tab_beats_puts_the_record_back_to_what_that_tab_wrote() {
        let backend = MemoryBackend::new();
        let (mut tab_a, mut a) = open(&backend);
        let (mut tab_b, mut b) = open(&backend);
        let (id, seller) = an_active_fps_subscription(&a.book);
        let record = RecordKey::Fps(id.clone());
        let mut ids = SequentialIds::starting_at(800);
        // Tab A writes between tab B's read of the record and its write.
        assert!(!tab_b.refresh(&mut b.book, &record, now()));
        let won = commit(&mut tab_a, &mut a.book, cancel(&id, "ref-a"), &seller);
        assert!(won.result.is_ok());
        let (_, outcome) = b
            .book
            .apply(cancel(&id, "ref-b"), &seller, now(), &mut ids)
            .expect("tab B still sees the subscription active");
        let lost = tab_b.keep(&mut b.book, &outcome.changed, now());
        assert!(matches!(lost, Err(SaveError::Conflict { .. })), "{lost:?}");
        let (_, stored) = open(&backend);
        assert_eq!(b.book.fps(), stored.book.fps());
        assert_eq!(stored.book.fps(), a.book.fps());
    }

    #[test]
    fn a_devpay_cancellation_whose_write_fails_leaves_memory_equal_to_storage() {
        let backend = MemoryBackend::new();
        open(&backend);
        let used = backend.used_chars();
        let full = MemoryBackend::with_quota(used);
        for key in backend.keys().unwrap() {
            full.set(&key, &backend.get(&key).unwrap().unwrap())
                .unwrap();
        }
        let (mut store, mut loaded) = open(&full);
        let before = loaded.book.clone();
        let (id, customer) = loaded
            .book
            .devpay()
            .values()
            .find(|v| v.record.cancellation.is_none())
            .map(|v| (v.record.id.clone(), Actor::Buyer(v.record.buyer.clone())))
            .expect("the demo has a running DevPay subscription");

        let failed = commit(
            &mut store,
            &mut loaded.book,
            DevPayCancel { subscription: id },
            &customer,
        );
        assert_eq!(
            failed.result.unwrap_err(),
            Refused::Save(SaveError::Backend(BackendError::QuotaFull))
        );
        assert_eq!(
            loaded.book, before,
            "the cancellation a reload would undo is gone"
        );
        let (_, stored) = open(&full);
        assert_eq!(loaded.book, stored.book);
    }

    #[test]
    fn a_command_that_changes_nothing_tells_no_view() {
        let backend = MemoryBackend::new();
        let (mut store, mut loaded) = open(&backend);
        let (id, seller) = an_active_fps_subscription(&loaded.book);
        let first = commit(
            &mut store,
            &mut loaded.book,
            cancel(&id, "same-ref"),
            &seller,
        );
        assert!(first.changed);
        // The same refund with the same caller reference again is a replay: the first
        // result, nothing changed.
        let refund = FpsCancelAndRefund {
            subscription: id.clone(),
            call: FpsCall {
                refund: Some("1.00".into()),
                caller_reference: "same-ref".into(),
                ..FpsCall::default()
            },
        };
        let refunded = commit(&mut store, &mut loaded.book, refund.clone(), &seller);
        assert!(matches!(refunded.result, Ok(ref r) if !r.replayed) && refunded.changed);
        let again = commit(&mut store, &mut loaded.book, refund, &seller);
        assert!(matches!(again.result, Ok(ref r) if r.replayed));
        assert!(!again.changed);
        let refused = commit(
            &mut store,
            &mut loaded.book,
            DevPayCancel {
                subscription: "no-such-subscription".into(),
            },
            &seller,
        );
        assert!(refused.result.is_err());
        assert!(!refused.changed);
    }

    #[test]
    fn an_import_from_aws_that_names_a_new_seller_stores_it_with_its_agreement() {
        use workbench_core::aws::import::AwsFile;
        use workbench_core::ids::AccountId;

        let backend = MemoryBackend::new();
        let (mut store, mut loaded) = open(&backend);
        let text = r#"{"agreementViewSummaries": [{
            "agreementId": "agmt-newseller1",
            "startTime": "2026-10-01T00:00:00+00:00",
            "agreementType": "PurchaseAgreement",
            "acceptor": {"accountId": "444455556666"},
            "proposer": {"accountId": "999988887777"},
            "proposalSummary": {"resources": [{"id": "prod-new1", "type": "SaaSProduct"}], "offerId": "offer-new1"},
            "status": "ACTIVE"
        }]}"#;
        let files = [AwsFile {
            name: "search.json".into(),
            text: text.into(),
        }];
        let command = loaded.book.preview_import(&files).command().unwrap();
        let done = commit(&mut store, &mut loaded.book, command, &Actor::System);
        assert!(done.result.is_ok(), "{done:?}");
        let (_, stored) = open(&backend);
        let seller = AccountId::parse("999988887777").unwrap();
        assert!(stored.book.directory().seller(&seller).is_some());
        assert!(stored
            .book
            .record(&AgreementId::parse("agmt-newseller1").unwrap())
            .is_some_and(|r| r.from_aws.agreement));
    }
}

/// A stored book of more agreements than are read before the first drawing.
fn large_book() -> (MemoryBackend, Book) {
    let backend = MemoryBackend::new();
    let book = demo::scale_book(READ_WHOLE_UP_TO + 200, now(), &mut SequentialIds::default());
    let (_, loaded) = Store::open(backend.clone(), now(), || book.clone());
    (backend, loaded.book)
}

/// Opens with the first `n` agreements read before anything is drawn.
fn open_first_n(backend: &MemoryBackend, n: usize) -> (Store<MemoryBackend>, Loaded) {
    let mut left = n;
    Store::open_first(backend.clone(), now(), seed, move || {
        left = left.saturating_sub(1);
        left > 0
    })
}

#[test]
fn a_large_book_shows_its_first_agreements_in_id_order_then_the_rest_all_at_once() {
    let (backend, whole) = large_book();
    let (mut store, mut loaded) = open_first_n(&backend, 300);
    let first: Vec<_> = whole.records().keys().take(300).cloned().collect();
    assert_eq!(
        loaded.book.records().keys().cloned().collect::<Vec<_>>(),
        first
    );
    let progress = store
        .reading()
        .expect("the rest is still to be read")
        .clone();
    assert_eq!(
        (progress.read, progress.total),
        (300, whole.records().len())
    );
    assert_eq!(progress.shown_through, first[299]);

    let mut steps = 0;
    loop {
        let mut left = 100;
        let (done, notices) = store.read_some(&mut loaded.book, now(), || {
            left -= 1;
            left > 0
        });
        assert!(notices.is_empty());
        steps += 1;
        if done {
            break;
        }
        assert_eq!(
            loaded.book.records().len(),
            300,
            "the rest comes all at once"
        );
    }
    assert_eq!(steps, 9);
    assert!(store.reading().is_none());
    assert_eq!(loaded.book, whole);
    assert_eq!(loaded.book, open(&backend).1.book);
}

#[test]
fn a_book_up_to_the_limit_is_read_whole_whatever_the_opener_allows() {
    let backend = MemoryBackend::new();
    let book = demo::scale_book(READ_WHOLE_UP_TO, now(), &mut SequentialIds::default());
    Store::open(backend.clone(), now(), || book.clone());
    let (store, loaded) = open_first_n(&backend, 1);
    assert!(store.reading().is_none());
    assert_eq!(loaded.book.records().len(), READ_WHOLE_UP_TO);
}

#[test]
fn another_tabs_writes_while_a_large_book_is_read_are_what_the_book_ends_with() {
    let (backend, whole) = large_book();
    let (mut store, mut loaded) = open_first_n(&backend, 300);
    let ids: Vec<AgreementId> = whole.records().keys().cloned().collect();
    let read_some = |store: &mut Store<MemoryBackend>, book: &mut Book, n: usize| {
        let mut left = n;
        store.read_some(book, now(), || {
            left -= 1;
            left > 0
        })
    };
    read_some(&mut store, &mut loaded.book, 400);
    // Another tab removes one agreement already read, and one still to read, and changes
    // one already read.
    let (mut other, mut theirs) = open(&backend);
    let (gone_read, gone_later, changed) = (ids[500].clone(), ids[1_100].clone(), ids[600].clone());
    for gone in [&gone_read, &gone_later] {
        backend.remove(&key::<AgreementRecord>(gone)).unwrap();
    }
    let record = &theirs.book.records()[&changed].record;
    let request_id = record
        .pending_request()
        .expect("a pending request")
        .id
        .clone();
    let seller = Actor::Seller(record.agreement.seller.clone());
    let withdraw = WithdrawCancellation {
        agreement_id: changed.clone(),
        request_id,
        reason: "Sent by mistake".into(),
    };
    let committed = commit(&mut other, &mut theirs.book, withdraw, &seller);
    committed.result.unwrap();
    for id in [&gone_read, &gone_later, &changed] {
        store.catch_up(&mut loaded.book, &key::<AgreementRecord>(id), now());
    }
    while !read_some(&mut store, &mut loaded.book, 1_000).0 {}
    assert!(!loaded.book.records().contains_key(&gone_read));
    assert!(!loaded.book.records().contains_key(&gone_later));
    assert_eq!(
        loaded.book.records()[&changed],
        theirs.book.records()[&changed]
    );
    assert_eq!(loaded.book, open(&backend).1.book);
}
