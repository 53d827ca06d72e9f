//! The events the core produces, for the inputs of AWS's published examples, serialise to
//! exactly those examples (seed 004), field order included.

use std::collections::VecDeque;

use chrono::{DateTime, Utc};
use workbench_core::adjustment::{AdjustmentReasonCode, AdjustmentStatus, BillingAdjustment};
use workbench_core::book::{Agreement, AgreementStatus};
use workbench_core::cancellation::{
    AdditionalDetails, CancellationReasonCode, CancellationRequest, DecidedBy, RequestStatus,
};
use workbench_core::events::{adjustment_events, cancellation_events, EventKind, Side};
use workbench_core::ids::*;
use workbench_core::money::{Currency, Money};

/// Hands out the example's IDs in the order the core asks for them, for each event of
/// each side: the detail's API request ID first, then the event's own ID.
struct ExampleIds(VecDeque<&'static str>);

impl ExampleIds {
    fn new() -> Self {
        ExampleIds(VecDeque::from([
            "3d4c9f9b-b809-4f5e-9fac-a9ae98b05cbb",
            "01234567-0123-0123-0123-0123456789ab",
        ]))
    }
}

impl IdSource for ExampleIds {
    fn next_suffix(&mut self) -> String {
        unreachable!("the examples name every ID")
    }
    fn next_uuid(&mut self) -> String {
        let id = self.0.pop_front().expect("never empty");
        self.0.push_back(id);
        id.to_string()
    }
}

fn time(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn agreement() -> Agreement {
    Agreement {
        id: AgreementId::parse("agmt-abcdexampleid").unwrap(),
        seller: AccountId::parse("123456789012").unwrap(),
        buyer: AccountId::parse("123456789012").unwrap(),
        product: ProductId::parse("prod-exampleid").unwrap(),
        offer: OfferId::parse("offer-exampleid").unwrap(),
        status: AgreementStatus::Active,
        start: time("2024-06-01T00:00:00Z"),
        end: None,
    }
}

fn request(
    description: &str,
    status: RequestStatus,
    message: &str,
    updated: &str,
) -> CancellationRequest {
    CancellationRequest {
        id: RequestId::parse("acr-abcdexampleid").unwrap(),
        agreement_id: agreement().id,
        reason_code: CancellationReasonCode::IncorrectTermsAccepted,
        description: description.into(),
        details: AdditionalDetails::default(),
        client_token: ClientToken::parse("example").unwrap(),
        status,
        status_message: message.into(),
        decided_by: Some(DecidedBy::Buyer),
        created_at: time("2025-01-01T13:12:22Z"),
        updated_at: time(updated),
    }
}

/// The example's text without the whitespace between tokens: the form serde writes.
fn compact(text: &str) -> String {
    let mut out = String::new();
    let mut in_string = false;
    let mut escaped = false;
    for c in text.trim().chars() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

fn assert_golden(file: &str, produced: String) {
    let golden = std::fs::read_to_string(format!(
        "{}/tests/golden/{file}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    assert_eq!(produced, compact(&golden), "{file}");
}

fn acceptor_event(kind: EventKind, request: &CancellationRequest) -> String {
    let events = cancellation_events(kind, &agreement(), request, &mut ExampleIds::new());
    events
        .into_iter()
        .find(|e| e.side() == Side::Acceptor)
        .unwrap()
        .to_json()
}

#[test]
fn pending_approval_matches_the_example() {
    let request = request(
        "",
        RequestStatus::PendingApproval,
        "",
        "2025-01-01T13:12:22Z",
    );
    assert_golden(
        "cancellation-pending-approval-acceptor.json",
        acceptor_event(EventKind::CancellationPendingApproval, &request),
    );
}

#[test]
fn approved_matches_the_example() {
    let request = request(
        "The terms accepted in agreement had wrong rate",
        RequestStatus::Approved,
        "",
        "2025-01-01T13:16:07Z",
    );
    assert_golden(
        "cancellation-approved-acceptor.json",
        acceptor_event(EventKind::CancellationApproved, &request),
    );
}

#[test]
fn rejected_carries_the_buyers_reason_in_the_status_message_as_the_example() {
    let request = request(
        "",
        RequestStatus::Rejected,
        "We still need this product",
        "2025-01-02T10:30:00Z",
    );
    assert_golden(
        "cancellation-rejected-acceptor.json",
        acceptor_event(EventKind::CancellationRejected, &request),
    );
}

#[test]
fn withdrawn_matches_the_cancelled_example() {
    let request = request(
        "",
        RequestStatus::Cancelled,
        "Seller withdrew the request",
        "2025-01-02T08:00:00Z",
    );
    assert_golden(
        "cancellation-cancelled-acceptor.json",
        acceptor_event(EventKind::CancellationCancelled, &request),
    );
}

#[test]
fn a_completed_billing_adjustment_matches_the_example_with_a_negative_amount() {
    let adjustment = BillingAdjustment {
        id: AdjustmentId::parse("ba-abcdexampleid").unwrap(),
        agreement_id: agreement().id,
        invoice_id: InvoiceId::parse("2028746221").unwrap(),
        amount: Money::new(100_000, Currency::USD),
        reason_code: AdjustmentReasonCode::IncorrectTermsAccepted,
        description: "Wrong rate on the accepted terms".into(),
        client_token: ClientToken::parse("example").unwrap(),
        status: AdjustmentStatus::Completed,
        status_message: String::new(),
        created_at: time("2025-01-01T13:59:00Z"),
        updated_at: time("2025-01-01T14:00:00Z"),
    };
    let events = adjustment_events(
        EventKind::AdjustmentCompleted,
        &agreement(),
        &adjustment,
        &mut ExampleIds::new(),
    );
    let acceptor = events
        .into_iter()
        .find(|e| e.side() == Side::Acceptor)
        .unwrap();
    assert_golden(
        "billing-adjustment-completed-acceptor.json",
        acceptor.to_json(),
    );
}

#[test]
fn golden_files_parse_back_into_the_same_events() {
    for file in std::fs::read_dir(format!("{}/tests/golden", env!("CARGO_MANIFEST_DIR"))).unwrap() {
        let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
        let event: workbench_core::events::BusEvent = serde_json::from_str(&text).unwrap();
        assert_eq!(event.to_json(), compact(&text));
    }
}
