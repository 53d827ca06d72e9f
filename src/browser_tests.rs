//! Tests that need a real browser: they run in headless Chromium through
//! wasm-bindgen-test-runner (`cargo test --target wasm32-unknown-unknown`). They live in the
//! library's own test build, not in tests/: an integration test is built natively as well,
//! and needs a native build of the whole library and its Leptos stack just to be empty.

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh element of the test page to render into; the runner's own output lives in
/// the body and must survive.
fn container() -> web_sys::Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let div = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&div).unwrap();
    div
}

#[wasm_bindgen_test]
fn a_panic_leaves_a_readable_message_with_the_detail_instead_of_a_blank_page() {
    let page = container();
    page.set_text_content(Some("the app as it was"));
    workbench_link::crash::render_crash(&page, "index out of bounds at src/pages/seller.rs:10");
    let heading = page.query_selector("main[role=alert] h1").unwrap().unwrap();
    assert_eq!(heading.text_content().unwrap(), "Something went wrong");
    let text = page.text_content().unwrap();
    assert!(!text.contains("the app as it was"));
    assert!(text.contains("reload the page"));
    assert!(text.contains("index out of bounds at src/pages/seller.rs:10"));
}

mod storage {
    use chrono::{TimeZone, Utc};
    use wasm_bindgen_test::*;
    use workbench_core::book::{
        AcceptCancellation, Actor, Book, RejectCancellation, WithdrawCancellation,
    };
    use workbench_core::demo;
    use workbench_core::ids::SequentialIds;
    use workbench_core::key::RecordKey;

    use crate::storage::{
        key_of, Backend, BackendError, BrowserStorage, Notice, SaveError, Store, PREFIX,
    };

    fn now() -> chrono::DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
    }

    fn seed() -> Book {
        demo::demo_book(now())
    }

    /// Starts each test from an empty localStorage, as a fresh browser would.
    fn clear() {
        let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
        storage.clear().unwrap();
    }

    fn pending_command(book: &Book) -> (AcceptCancellation, Actor, Actor, RecordKey) {
        let record = book
            .records()
            .values()
            .map(|v| &v.record)
            .find(|r| r.pending_request().is_some())
            .unwrap();
        let request = record.pending_request().unwrap();
        (
            AcceptCancellation {
                agreement_id: record.agreement.id.clone(),
                request_id: request.id.clone(),
            },
            Actor::Buyer(record.agreement.buyer.clone()),
            Actor::Seller(record.agreement.seller.clone()),
            RecordKey::Agreement(record.agreement.id.clone()),
        )
    }

    #[wasm_bindgen_test]
    fn a_damaged_entry_in_real_local_storage_is_quarantined_and_the_rest_loads() {
        clear();
        let _ = Store::open(BrowserStorage, now(), seed);
        let keys = BrowserStorage.keys().unwrap();
        let victim = keys
            .iter()
            .find(|k| k.starts_with("cw.agreement."))
            .unwrap()
            .clone();
        BrowserStorage
            .set(&victim, "{\"format\":1,\"version\":3,\"data\":{\"trunc")
            .unwrap();
        let (_, loaded) = Store::open(BrowserStorage, now(), seed);
        assert!(
            matches!(&loaded.notices[..], [Notice::Quarantined { key, moved_to: Some(_), .. }] if *key == victim)
        );
        assert_eq!(loaded.book.records().len(), seed().records().len() - 1);
        assert_eq!(BrowserStorage.get(&victim).unwrap(), None);
        assert!(BrowserStorage
            .keys()
            .unwrap()
            .iter()
            .any(|k| k.starts_with("cw.quarantine.")));
        clear();
    }

    #[wasm_bindgen_test]
    fn a_full_quota_is_reported_as_not_saved_and_nothing_stored_changes() {
        clear();
        let (mut store, mut loaded) = Store::open(BrowserStorage, now(), seed);
        // Fill what is left of the real quota with filler entries.
        let chunk = "x".repeat(512 * 1024);
        let mut n = 0;
        while BrowserStorage.set(&format!("filler.{n}"), &chunk).is_ok() {
            n += 1;
        }
        let mut small = 1024;
        while small > 0 {
            if BrowserStorage
                .set(&format!("filler.small.{small}.{n}"), &"y".repeat(small))
                .is_err()
            {
                small /= 2;
            }
            n += 1;
        }
        let (command, actor, _, record) = pending_command(&loaded.book);
        let AcceptCancellation {
            agreement_id,
            request_id,
        } = command;
        // A long reason that does not compress, so the record surely grows: the packed
        // format can make a changed record no larger than before.
        let reason: String = (0..2000u32)
            .map(|i| char::from(b'a' + (i.wrapping_mul(2_654_435_761) >> 27) as u8 % 26))
            .collect();
        let reject = RejectCancellation {
            agreement_id,
            request_id,
            reason,
        };
        let key = key_of(&record);
        let before = BrowserStorage.get(&key).unwrap();
        let (_, outcome) = loaded
            .book
            .apply(reject, &actor, now(), &mut SequentialIds::starting_at(90))
            .unwrap();
        let result = store.save(&loaded.book, &outcome.changed);
        assert_eq!(result, Err(SaveError::Backend(BackendError::QuotaFull)));
        assert_eq!(BrowserStorage.get(&key).unwrap(), before);
        clear();
    }

    #[wasm_bindgen_test]
    fn two_stores_on_real_local_storage_compare_and_set_instead_of_overwriting() {
        clear();
        let (mut first, mut a) = Store::open(BrowserStorage, now(), seed);
        let (mut second, b) = Store::open(BrowserStorage, now(), seed);
        let (command, buyer, seller, _) = pending_command(&a.book);
        let mut ids = SequentialIds::starting_at(300);
        let (_, outcome) = a
            .book
            .apply(command.clone(), &buyer, now(), &mut ids)
            .unwrap();
        first.save(&a.book, &outcome.changed).unwrap();
        let AcceptCancellation {
            agreement_id,
            request_id,
        } = command;
        let mut stale = b.book.clone();
        let withdraw = WithdrawCancellation {
            agreement_id,
            request_id,
            reason: "The buyer asked to stay".into(),
        };
        let (_, outcome) = stale.apply(withdraw, &seller, now(), &mut ids).unwrap();
        assert!(matches!(
            second.save(&stale, &outcome.changed),
            Err(SaveError::Conflict { .. })
        ));
        assert!(BrowserStorage
            .keys()
            .unwrap()
            .iter()
            .all(|k| !k.starts_with("filler")));
        assert!(BrowserStorage
            .keys()
            .unwrap()
            .iter()
            .any(|k| k.starts_with(PREFIX)));
        clear();
    }
}

mod confirm_page {
    use chrono::{TimeZone, Utc};
    use wasm_bindgen_test::*;
    use workbench_core::cancellation::CancellationReasonCode;
    use workbench_core::ids::{AccountId, AgreementId, RequestId};
    use workbench_core::link::{self, LinkPayload, LinkSecret};

    use super::container;

    fn genuine_link() -> link::EncodedLink {
        let payload = LinkPayload {
            seller_name: "Northwind Analytics".into(),
            product_name: "Northwind BI Cloud".into(),
            agreement_id: AgreementId::parse("agmt-linktest1").unwrap(),
            request_id: RequestId::parse("acr-linktest1").unwrap(),
            buyer_account: AccountId::parse("444455556666").unwrap(),
            reason_code: CancellationReasonCode::ReplacingAgreement,
            reason: "Replacing with the private offer offer-new at the renewed rate".into(),
            details_for_buyer: "Full exit at the end of the month".into(),
            created_at: Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap(),
        };
        let secret = LinkSecret::from_bytes(&[42; 16]).unwrap();
        link::encode(&payload, &secret).unwrap()
    }

    fn genuine_href() -> String {
        genuine_link().href()
    }

    /// Polls `probe` until it gives a value: the page draws after the current task, and how
    /// long after depends on the machine, so a fixed pause either wastes time or reads too early.
    async fn wait_for<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
        const DEADLINE_MS: f64 = 5_000.0;
        let started = js_sys::Date::now();
        loop {
            if let Some(found) = probe() {
                return found;
            }
            assert!(
                js_sys::Date::now() - started < DEADLINE_MS,
                "waited {DEADLINE_MS} ms for {what}"
            );
            let promise = js_sys::Promise::new(&mut |resolve, _| {
                web_sys::window()
                    .unwrap()
                    .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 10)
                    .unwrap();
            });
            wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
        }
    }

    /// Opens `href` in the buyer's page, mounted into a fresh element (the bundle's entry
    /// mounts it into the body), and returns its first heading.
    async fn heading_at(href: &str) -> String {
        let window = web_sys::window().unwrap();
        let history = window.history().unwrap();
        let back = window.location().href().unwrap();
        history
            .push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(href))
            .unwrap();
        let host = container();
        workbench_link::page::mount(&host);
        // The host is fresh, so any heading in it is this address's page.
        let heading = wait_for(&format!("a heading on the page of {href}"), || {
            host.query_selector("h1")
                .unwrap()
                .and_then(|h| h.text_content())
        })
        .await;
        history
            .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&back))
            .unwrap();
        heading
    }

    #[wasm_bindgen_test]
    async fn a_genuine_link_shows_what_the_seller_asked() {
        assert_eq!(
            heading_at(&genuine_href()).await,
            "Northwind Analytics asks to cancel Northwind BI Cloud"
        );
    }

    #[wasm_bindgen_test]
    async fn a_link_handed_out_before_with_its_token_in_the_path_still_opens() {
        let link = genuine_link();
        let old_form = format!("/confirm/{}#{}", link.token, link.fragment);
        assert_eq!(
            heading_at(&old_form).await,
            "Northwind Analytics asks to cancel Northwind BI Cloud"
        );
    }

    #[wasm_bindgen_test]
    async fn a_link_with_one_character_changed_shows_the_damaged_link_page() {
        let href = genuine_href();
        let at = href.len() - 3;
        let mut edited = href.clone().into_bytes();
        edited[at] = if edited[at] == b'A' { b'B' } else { b'A' };
        let edited = String::from_utf8(edited).unwrap();
        assert_eq!(heading_at(&edited).await, "This link is damaged or altered");
    }
}

#[wasm_bindgen_test]
fn random_bytes_drawn_ahead_are_each_handed_out_once() {
    use std::collections::BTreeSet;
    // More than one pool's worth, so a refill happens in the middle.
    let drawn: Vec<[u8; 16]> = (0..600)
        .map(|_| crate::browser_ids::random_bytes::<16>())
        .collect();
    let distinct: BTreeSet<_> = drawn.iter().collect();
    assert_eq!(distinct.len(), drawn.len());
    assert!(drawn.iter().all(|bytes| bytes.iter().any(|b| *b != 0)));
}
