//! Amazon FPS keeps a CallerReference for seven days as the caller's, not a
//! subscription's: through the book, the same reference on another subscription of the same
//! seller is a replay that returns the first result and changes nothing.

use chrono::{DateTime, Duration, Utc};
use workbench_core::book::{Actor, Book, DomainError, FpsCancelAndRefund};
use workbench_core::demo::{demo_book, demo_now};
use workbench_core::families::fps::{FpsCall, FpsResult, CALLER_REFERENCE_KEPT};
use workbench_core::ids::{AccountId, SequentialIds};
use workbench_core::key::FpsSubscriptionId;

fn refund(amount: &str, reference: &str) -> FpsCall {
    FpsCall {
        refund: Some(amount.into()),
        caller_reference: reference.into(),
        ..FpsCall::default()
    }
}

/// CancelSubscriptionAndRefund on `id`, called by `seller`.
fn call(
    book: &mut Book,
    id: &FpsSubscriptionId,
    seller: &AccountId,
    fps: FpsCall,
    now: DateTime<Utc>,
    ids: &mut SequentialIds,
) -> Result<FpsResult, DomainError> {
    let command = FpsCancelAndRefund {
        subscription: id.clone(),
        call: fps,
    };
    let (result, _) = book.apply(command, &Actor::Seller(seller.clone()), now, ids)?;
    Ok(result)
}

/// Two subscriptions of one seller, and that seller.
fn two_of_one_seller(book: &Book) -> (FpsSubscriptionId, FpsSubscriptionId, AccountId) {
    let first = book.fps().values().next().unwrap().record.clone();
    let second = book
        .fps()
        .values()
        .find(|v| v.record.seller == first.seller && v.record.id != first.id)
        .expect("the demo has two FPS subscriptions of one seller");
    (first.id, second.record.id.clone(), first.seller)
}

#[test]
fn the_same_reference_on_another_subscription_of_the_seller_within_seven_days_is_a_replay() {
    let now = demo_now();
    let mut book = demo_book(now);
    let mut ids = SequentialIds::starting_at(50_000);
    let (a, b, seller) = two_of_one_seller(&book);
    let first = call(
        &mut book,
        &a,
        &seller,
        refund("5.00", "CallerReference07"),
        now,
        &mut ids,
    )
    .unwrap();
    assert!(!first.replayed);
    let before = book.clone();
    let later = now + CALLER_REFERENCE_KEPT - Duration::seconds(1);
    let again = call(
        &mut book,
        &b,
        &seller,
        refund("9.00", "CallerReference07"),
        later,
        &mut ids,
    )
    .unwrap();
    assert!(again.replayed);
    assert_eq!(again.first_call_on.as_ref(), Some(&a));
    assert_eq!(again.refund_transaction_id, first.refund_transaction_id);
    assert_eq!(again.refunded, first.refunded);
    assert_eq!(
        book.fps(),
        before.fps(),
        "a replay changes nothing, not even a version"
    );

    let after_seven_days = now + CALLER_REFERENCE_KEPT;
    let fresh = call(
        &mut book,
        &b,
        &seller,
        refund("9.00", "CallerReference07"),
        after_seven_days,
        &mut ids,
    )
    .unwrap();
    assert!(!fresh.replayed);
    assert_ne!(fresh.refund_transaction_id, first.refund_transaction_id);
    assert_eq!(book.fps()[&b].record.refunded_from_last_minor, 900);
}

#[test]
fn another_sellers_reference_is_not_this_sellers() {
    let now = demo_now();
    let mut book = demo_book(now);
    let mut ids = SequentialIds::starting_at(60_000);
    let (a, _, seller) = two_of_one_seller(&book);
    call(
        &mut book,
        &a,
        &seller,
        refund("1.00", "shared-ref"),
        now,
        &mut ids,
    )
    .unwrap();
    let other = book
        .fps()
        .values()
        .find(|v| v.record.seller != seller && v.record.refundable().minor > 0)
        .map(|v| (v.record.id.clone(), v.record.seller.clone()))
        .unwrap();
    let result = call(
        &mut book,
        &other.0,
        &other.1,
        refund("1.00", "shared-ref"),
        now,
        &mut ids,
    )
    .unwrap();
    assert!(!result.replayed);
    assert!(result.refunded.is_some());
    assert!(matches!(
        call(
            &mut book,
            &other.0,
            &seller,
            refund("1.00", "x"),
            now,
            &mut ids
        ),
        Err(DomainError::NotTheSeller)
    ));
}

#[test]
fn through_the_book_cancelling_again_with_the_same_reference_is_invalid_subscription_state() {
    let now = demo_now();
    let mut book = demo_book(now);
    let mut ids = SequentialIds::starting_at(70_000);
    let (a, _, seller) = two_of_one_seller(&book);
    let cancel_only = FpsCall {
        caller_reference: "cancel-ref".into(),
        ..FpsCall::default()
    };
    let first = call(&mut book, &a, &seller, cancel_only.clone(), now, &mut ids).unwrap();
    assert!(first.cancelled_now);
    let before = book.clone();
    let again = call(&mut book, &a, &seller, cancel_only, now, &mut ids);
    assert!(
        matches!(
            again,
            Err(DomainError::Fps(
                workbench_core::families::fps::FpsError::InvalidSubscriptionState { .. }
            ))
        ),
        "{again:?}"
    );
    assert_eq!(book, before);
}
