//! Demo data: a believable marketplace in all four families, built relative to `now` so that
//! a fresh browser shows requests days from their deadlines; and a scale book of any size
//! with full histories, for capacity and performance measurements.

use chrono::{DateTime, Duration, Months, TimeZone, Utc};

use crate::adjustment::{AdjustmentEntry, AdjustmentReasonCode, Invoice};
use crate::book::*;
use crate::cancellation::{AdditionalDetails, CancellationReasonCode, PricingModel};
use crate::families::alibaba::{
    AlibabaOrder, Billing, InstanceKind, OrderStatus, PaymentMethod, SalesChannel,
};
use crate::families::devpay::{DevPayStatus, DevPaySubscription};
use crate::families::fps::{FpsStatus, FpsSubscription};
use crate::families::support_case::{CaseStatus, RefundForm};
use crate::ids::*;
use crate::money::{Currency, Money};

/// A fixed moment for tests of the demo data.
pub fn demo_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

/// A seller or buyer of the demo marketplace.
struct PartySpec {
    account: &'static str,
    name: &'static str,
}

const SELLERS: [PartySpec; 3] = [
    PartySpec {
        account: "111122223333",
        name: "Northwind Analytics",
    },
    PartySpec {
        account: "222233334444",
        name: "Bluefin Security",
    },
    PartySpec {
        account: "333344445555",
        name: "Cedar Data Tools",
    },
];

const BUYERS: [PartySpec; 9] = [
    PartySpec {
        account: "444455556666",
        name: "Acme Retail",
    },
    PartySpec {
        account: "555566667777",
        name: "Globex Manufacturing",
    },
    PartySpec {
        account: "666677778888",
        name: "Initech Finance",
    },
    PartySpec {
        account: "777788889999",
        name: "Umbrella Health",
    },
    PartySpec {
        account: "888899990000",
        name: "Stark Logistics",
    },
    PartySpec {
        account: "999900001111",
        name: "Wayne Enterprises",
    },
    PartySpec {
        account: "121212121212",
        name: "Soylent Foods",
    },
    PartySpec {
        account: "131313131313",
        name: "Tyrell Systems",
    },
    PartySpec {
        account: "141414141414",
        name: "Cyberdyne Robotics",
    },
];

/// A product of the demo marketplace, sold by `SELLERS[seller]`.
struct ProductSpec {
    id: &'static str,
    name: &'static str,
    seller: usize,
}

const PRODUCTS: [ProductSpec; 6] = [
    ProductSpec {
        id: "prod-nwbicloud",
        name: "Northwind BI Cloud",
        seller: 0,
    },
    ProductSpec {
        id: "prod-nwetl",
        name: "Northwind ETL Pipelines",
        seller: 0,
    },
    ProductSpec {
        id: "prod-bfwaf",
        name: "Bluefin WAF Manager",
        seller: 1,
    },
    ProductSpec {
        id: "prod-bfsiem",
        name: "Bluefin SIEM",
        seller: 1,
    },
    ProductSpec {
        id: "prod-cdbackup",
        name: "Cedar Backup Vault",
        seller: 2,
    },
    ProductSpec {
        id: "prod-cdquery",
        name: "Cedar Query Engine",
        seller: 2,
    },
];

fn account(text: &str) -> AccountId {
    AccountId::parse(text).expect("demo accounts are 12 digits")
}

fn directory() -> Directory {
    let party = |spec: &PartySpec| Party {
        account: account(spec.account),
        name: spec.name.into(),
    };
    let mut offers = Vec::new();
    let products = PRODUCTS
        .iter()
        .map(|&ProductSpec { id, name, seller }| {
            let short = id.trim_start_matches("prod-");
            offers.push(Offer {
                id: OfferId::parse(&format!("offer-{short}pub")).expect("valid"),
                product: ProductId::parse(id).expect("valid"),
                name: format!("{name}: public pricing"),
                private: false,
            });
            offers.push(Offer {
                id: OfferId::parse(&format!("offer-{short}priv")).expect("valid"),
                product: ProductId::parse(id).expect("valid"),
                name: format!("{name}: private offer"),
                private: true,
            });
            Product {
                id: ProductId::parse(id).expect("valid"),
                name: name.into(),
                seller: account(SELLERS[seller].account),
            }
        })
        .collect();
    Directory {
        sellers: SELLERS.iter().map(party).collect(),
        buyers: BUYERS.iter().map(party).collect(),
        products,
        offers,
    }
}

/// A short stable ID body from a seed and a number, so demo IDs look like the real ones.
fn code(seed: u64, n: u64) -> String {
    let mixed = (n ^ seed.rotate_left(32))
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .rotate_left(17)
        ^ 0x5DEE_CE66;
    format!("{:012x}", mixed & 0xFFFF_FFFF_FFFF)
}

/// An agreement of the demo marketplace, `age_days` old at `now`.
struct AgreementSpec {
    product: usize,
    buyer: usize,
    private: bool,
    pricing: PricingModel,
    age_days: i64,
    currency: Currency,
    monthly_minor: i64,
    invoices: usize,
}

fn agreement_record(
    seed: u64,
    n: u64,
    spec: &AgreementSpec,
    now: DateTime<Utc>,
) -> AgreementRecord {
    let ProductSpec {
        id: product_id,
        seller,
        ..
    } = PRODUCTS[spec.product];
    let short = product_id.trim_start_matches("prod-");
    let start = now - Duration::days(spec.age_days);
    let agreement = Agreement {
        id: AgreementId::parse(&format!("agmt-{}", code(seed, n))).expect("valid"),
        seller: account(SELLERS[seller].account),
        buyer: account(BUYERS[spec.buyer].account),
        product: ProductId::parse(product_id).expect("valid"),
        offer: OfferId::parse(&format!(
            "offer-{short}{}",
            if spec.private { "priv" } else { "pub" }
        ))
        .expect("valid"),
        status: AgreementStatus::Active,
        start,
        end: None,
        renewal: None,
        pricing: spec.pricing,
        free_trial_converted: None,
        cancelled_by_buyer: None,
    };
    let invoices = (0..spec.invoices)
        .map(|i| Invoice {
            id: InvoiceId::parse(&format!(
                "{}",
                2_028_746_221 + seed % 1_000_000 * 1_000 + n * 10 + i as u64
            ))
            .expect("digits"),
            currency: spec.currency,
            charged_minor: spec.monthly_minor,
            refunded_minor: 0,
            issued_at: start + Months::new(i as u32),
            paid: true,
        })
        .collect();
    AgreementRecord::new(agreement, invoices)
}

fn send(
    book: &mut Book,
    id: &AgreementId,
    reason: CancellationReasonCode,
    text: &str,
    at: DateTime<Utc>,
    ids: &mut dyn IdSource,
) -> RequestId {
    let seller = book.record(id).expect("inserted").agreement.seller.clone();
    let command = SendCancellation {
        agreement_id: id.clone(),
        reason_code: Some(reason),
        description: text.into(),
        details: AdditionalDetails {
            support_case_id: String::new(),
            buyer_reference: format!(
                "Email from the buyer, {}",
                (at - Duration::days(1)).format("%Y-%m-%d")
            ),
            next_step: "Full exit".into(),
            coordination_notes: String::new(),
        },
        client_token: ClientToken::parse(&format!("demo-{}", ids.next_suffix()))
            .expect("letters and digits"),
    };
    let (request, _) = book
        .apply(command, &Actor::Seller(seller), at, ids)
        .expect("demo request must be accepted");
    request
}

fn refund(
    book: &mut Book,
    id: &AgreementId,
    invoice: usize,
    amount: &str,
    at: DateTime<Utc>,
    ids: &mut dyn IdSource,
) {
    let why = (
        AdjustmentReasonCode::IncorrectMetering,
        "Usage was double-counted during the October migration",
    );
    refund_because(book, id, (invoice, amount), why, at, ids);
}

/// A refund of `amount` on the agreement's invoice at that place, for this reason.
fn refund_because(
    book: &mut Book,
    id: &AgreementId,
    (invoice, amount): (usize, &str),
    (reason_code, description): (AdjustmentReasonCode, &str),
    at: DateTime<Utc>,
    ids: &mut dyn IdSource,
) {
    let record = book.record(id).expect("inserted");
    let seller = record.agreement.seller.clone();
    let invoice = &record.invoices[invoice];
    let entry = AdjustmentEntry {
        agreement_id: id.to_string(),
        invoice_id: invoice.id.to_string(),
        amount: amount.into(),
        currency: invoice.currency.code().into(),
        reason_code: Some(reason_code),
        description: description.into(),
        client_token: format!("demo-{}", ids.next_suffix()),
    };
    book.apply(
        BatchCreateAdjustments {
            entries: vec![entry],
        },
        &Actor::Seller(seller),
        at,
        ids,
    )
    .expect("demo refund must be accepted");
}

/// Answered as the agreement's buyer, as only the buyer may.
fn approve(
    book: &mut Book,
    id: &AgreementId,
    request: RequestId,
    at: DateTime<Utc>,
    ids: &mut dyn IdSource,
) {
    let buyer = book.record(id).expect("inserted").agreement.buyer.clone();
    let command = AcceptCancellation {
        agreement_id: id.clone(),
        request_id: request,
    };
    book.apply(command, &Actor::Buyer(buyer), at, ids)
        .expect("demo approval");
}

/// Answered as the agreement's buyer, as only the buyer may.
fn reject(
    book: &mut Book,
    id: &AgreementId,
    request: RequestId,
    reason: &str,
    at: DateTime<Utc>,
    ids: &mut dyn IdSource,
) {
    let buyer = book.record(id).expect("inserted").agreement.buyer.clone();
    let command = RejectCancellation {
        agreement_id: id.clone(),
        request_id: request,
        reason: reason.into(),
    };
    book.apply(command, &Actor::Buyer(buyer), at, ids)
        .expect("demo rejection");
}

/// Taken back as the agreement's seller, as only the seller may.
fn withdraw(
    book: &mut Book,
    id: &AgreementId,
    request: RequestId,
    reason: &str,
    at: DateTime<Utc>,
    ids: &mut dyn IdSource,
) {
    let seller = book.record(id).expect("inserted").agreement.seller.clone();
    let command = WithdrawCancellation {
        agreement_id: id.clone(),
        request_id: request,
        reason: reason.into(),
    };
    book.apply(command, &Actor::Seller(seller), at, ids)
        .expect("demo withdrawal");
}

/// The demo marketplace as a fresh browser shows it at `now`.
pub fn demo_book(now: DateTime<Utc>) -> Book {
    demo_book_from_seed(0, now)
}

/// Gives every request of `book` a new link secret from `ids`. The demo data is the same in
/// every browser, but a link's secret must be known only to the browser that shares it: a
/// buyer's browser seeded with the same demo must not hold the seller's secrets.
pub fn draw_secrets(book: &mut Book, ids: &mut dyn IdSource) {
    let agreements: Vec<AgreementId> = book.records.keys().cloned().collect();
    for id in agreements {
        edit(book, &id, |record| {
            for request in &mut record.requests {
                request.link_secret = Some(ids.link_secret());
            }
        });
    }
}

/// Changes a record of a book being made, keeping its version: nothing stored it yet, and
/// a demo drawn again must read back as the same book.
fn edit(book: &mut Book, id: &AgreementId, change: impl FnOnce(&mut AgreementRecord)) {
    let mut versioned = book.records[id].clone();
    change(&mut versioned.record);
    book.replace(versioned);
}

/// The demo marketplace at `now`, its identifiers drawn from `seed`: the same seed and
/// moment always give the same book. Its agreements were made days before `now`, so that
/// deadlines are live: one request is hours from automatic approval.
pub fn demo_book_from_seed(seed: u64, now: DateTime<Utc>) -> Book {
    let mut book = Book {
        directory: directory(),
        ..Book::default()
    };
    let agreements = insert_agreements(&mut book, seed, now);
    add_renewal_and_unpaid_invoices(&mut book, &agreements, now);
    let mut ids = SequentialIds::starting_at(1_000 + seed.wrapping_mul(1_000_000));
    // Histories, oldest first, so that `apply` runs time forward as it would have happened.
    add_answered_requests(&mut book, &agreements, now, &mut ids);
    add_unanswered_requests_and_refunds(&mut book, &agreements, now, &mut ids);
    add_free_trial_agreement(&mut book, seed, now);
    book.advance_to(now);
    add_families(&mut book, now, &mut ids);
    add_a_year_of_history(&mut book, seed, now, &mut ids);
    book
}

/// The agreements of the demo; the seed draws the IDs of agreements 1 to 15 in this order.
const AGREEMENTS: [AgreementSpec; 15] = [
    AgreementSpec {
        product: 0,
        buyer: 0,
        private: true,
        pricing: PricingModel::Contract,
        age_days: 200,
        currency: Currency::USD,
        monthly_minor: 120_000,
        invoices: 3,
    },
    AgreementSpec {
        product: 0,
        buyer: 1,
        private: false,
        pricing: PricingModel::Contract,
        age_days: 40,
        currency: Currency::USD,
        monthly_minor: 49_900,
        invoices: 2,
    },
    AgreementSpec {
        product: 1,
        buyer: 0,
        private: false,
        pricing: PricingModel::Contract,
        age_days: 1,
        currency: Currency::USD,
        monthly_minor: 25_000,
        invoices: 1,
    },
    AgreementSpec {
        product: 1,
        buyer: 2,
        private: true,
        pricing: PricingModel::Contract,
        age_days: 380,
        currency: Currency::EUR,
        monthly_minor: 310_000,
        invoices: 3,
    },
    AgreementSpec {
        product: 2,
        buyer: 3,
        private: false,
        pricing: PricingModel::Usage,
        age_days: 90,
        currency: Currency::USD,
        monthly_minor: 75_000,
        invoices: 3,
    },
    AgreementSpec {
        product: 2,
        buyer: 0,
        private: true,
        pricing: PricingModel::Contract,
        age_days: 30,
        currency: Currency::USD,
        monthly_minor: 990_000,
        invoices: 1,
    },
    AgreementSpec {
        product: 3,
        buyer: 4,
        private: false,
        pricing: PricingModel::Contract,
        age_days: 120,
        currency: Currency::JPY,
        monthly_minor: 880_000,
        invoices: 2,
    },
    AgreementSpec {
        product: 3,
        buyer: 1,
        private: true,
        pricing: PricingModel::Contract,
        age_days: 15,
        currency: Currency::USD,
        monthly_minor: 150_000,
        invoices: 1,
    },
    AgreementSpec {
        product: 4,
        buyer: 2,
        private: false,
        pricing: PricingModel::Contract,
        age_days: 60,
        currency: Currency::GBP,
        monthly_minor: 42_000,
        invoices: 2,
    },
    AgreementSpec {
        product: 4,
        buyer: 3,
        private: false,
        pricing: PricingModel::Contract,
        age_days: 400,
        currency: Currency::USD,
        monthly_minor: 18_000,
        invoices: 3,
    },
    AgreementSpec {
        product: 5,
        buyer: 4,
        private: true,
        pricing: PricingModel::SaasSubscription,
        age_days: 75,
        currency: Currency::USD,
        monthly_minor: 260_000,
        invoices: 2,
    },
    AgreementSpec {
        product: 5,
        buyer: 0,
        private: false,
        pricing: PricingModel::Usage,
        age_days: 10,
        currency: Currency::USD,
        monthly_minor: 9_900,
        invoices: 1,
    },
    AgreementSpec {
        product: 0,
        buyer: 2,
        private: false,
        pricing: PricingModel::Contract,
        age_days: 25,
        currency: Currency::USD,
        monthly_minor: 49_900,
        invoices: 1,
    },
    AgreementSpec {
        product: 2,
        buyer: 1,
        private: false,
        pricing: PricingModel::Contract,
        age_days: 50,
        currency: Currency::EUR,
        monthly_minor: 65_000,
        invoices: 2,
    },
    // The renewal that auto-renewal created for agreement 12; it starts when 12 ends,
    // and its first month is invoiced in advance, not yet paid.
    AgreementSpec {
        product: 0,
        buyer: 2,
        private: false,
        pricing: PricingModel::Contract,
        age_days: -5,
        currency: Currency::USD,
        monthly_minor: 49_900,
        invoices: 1,
    },
];

/// Inserts [`AGREEMENTS`] and returns their IDs, in that order.
fn insert_agreements(book: &mut Book, seed: u64, now: DateTime<Utc>) -> Vec<AgreementId> {
    AGREEMENTS
        .iter()
        .enumerate()
        .map(|(n, spec)| {
            let record = agreement_record(seed, n as u64 + 1, spec, now);
            let id = record.agreement.id.clone();
            book.insert(record);
            id
        })
        .collect()
}

/// So that the demo shows a renewal about to start and invoices not yet paid: the
/// agreement at 12 ends in five days and renews into the one at 14, whose first month is
/// invoiced in advance.
fn add_renewal_and_unpaid_invoices(book: &mut Book, a: &[AgreementId], now: DateTime<Utc>) {
    edit(book, &a[12], |record| {
        record.agreement.end = Some(now + Duration::days(5));
        record.agreement.renewal = Some(a[14].clone());
    });
    edit(book, &a[13], |record| record.invoices[1].paid = false);
    edit(book, &a[14], |record| {
        record.invoices[0].issued_at = now;
        record.invoices[0].paid = false;
    });
}

/// A usage-based agreement whose 30-day free trial converted to paid 3 days before `now`,
/// with the invoice of its first paid days: AWS may have refunded those charges on the
/// seller's behalf, which the adjustment form warns of.
fn add_free_trial_agreement(book: &mut Book, seed: u64, now: DateTime<Utc>) {
    let spec = AgreementSpec {
        product: 2,
        buyer: 2,
        private: false,
        pricing: PricingModel::Usage,
        age_days: 33,
        currency: Currency::USD,
        monthly_minor: 8_400,
        invoices: 1,
    };
    let mut record = agreement_record(seed, AGREEMENTS.len() as u64 + 1, &spec, now);
    record.agreement.free_trial_converted = Some(now - Duration::days(3));
    record.invoices[0].issued_at = now - Duration::days(1);
    book.insert(record);
}

/// Requests answered more than a week before `now`: approved by the buyer, rejected by the
/// buyer (and a refund given instead), withdrawn by the seller.
fn add_answered_requests(
    book: &mut Book,
    a: &[AgreementId],
    now: DateTime<Utc>,
    ids: &mut dyn IdSource,
) {
    let approved = send(
        book,
        &a[3],
        CancellationReasonCode::ReplacingAgreement,
        "Replacing with the new private offer offer-nwetlpriv at the renewed rate",
        now - Duration::days(20),
        ids,
    );
    approve(book, &a[3], approved, now - Duration::days(19), ids);
    let rejected = send(
        book,
        &a[4],
        CancellationReasonCode::BuyerDissatisfaction,
        "Buyer reported repeated false positives in the WAF rules",
        now - Duration::days(12),
        ids,
    );
    reject(
        book,
        &a[4],
        rejected,
        "We fixed the rules with your support team and want to keep the product",
        now - Duration::days(11),
        ids,
    );
    refund(book, &a[4], 2, "250.00", now - Duration::days(11), ids);
    let withdrawn = send(
        book,
        &a[8],
        CancellationReasonCode::TestAgreement,
        "Agreement created by our QA team to test provisioning",
        now - Duration::days(9),
        ids,
    );
    withdraw(
        book,
        &a[8],
        withdrawn,
        "Sent to the wrong agreement: the test agreement is another one",
        now - Duration::days(9) + Duration::hours(2),
        ids,
    );
}

/// Requests of the last eight days nobody answered, left to the 7-day clock (one is hours
/// from it at `now`), and the refunds made meanwhile.
fn add_unanswered_requests_and_refunds(
    book: &mut Book,
    a: &[AgreementId],
    now: DateTime<Utc>,
    ids: &mut dyn IdSource,
) {
    send(
        book,
        &a[9],
        CancellationReasonCode::UnintendedRenewal,
        "Auto-renewal ran although the buyer had asked us in writing not to renew",
        now - Duration::days(8),
        ids,
    );
    send(
        book,
        &a[0],
        CancellationReasonCode::IncorrectTermsAccepted,
        "The buyer accepted the 12-month term instead of the agreed 6-month term",
        now - Duration::days(6) - Duration::hours(20),
        ids,
    );
    refund(book, &a[13], 1, "650.00", now - Duration::days(4), ids);
    send(
        book,
        &a[6],
        CancellationReasonCode::AlternativeProcurementChannel,
        "Buyer moves this purchase to their reseller's channel from next month",
        now - Duration::days(3),
        ids,
    );
    send(
        book,
        &a[12],
        CancellationReasonCode::AlternativeProcurementChannel,
        "Buyer consolidates its BI tools under one enterprise contract from next month",
        now - Duration::days(3) + Duration::hours(2),
        ids,
    );
    refund(book, &a[1], 0, "120.00", now - Duration::days(2), ids);
}

/// How a request of the past year ended.
#[derive(Clone, Copy)]
enum Ending {
    ApprovedByBuyer,
    /// Nobody answered: the 7 days ran out.
    AutoApproved,
    /// The buyer said no; weeks later they asked again and approved.
    RejectedThenApproved,
    /// The seller took it back; the agreement runs on.
    Withdrawn,
}

const PAST_ENDINGS: [Ending; 8] = [
    Ending::ApprovedByBuyer,
    Ending::AutoApproved,
    Ending::ApprovedByBuyer,
    Ending::RejectedThenApproved,
    Ending::AutoApproved,
    Ending::ApprovedByBuyer,
    Ending::Withdrawn,
    Ending::ApprovedByBuyer,
];

/// Why the past year's requests were sent, with the refund that went with some: buyers'
/// dissatisfaction leads, as it does in sellers' own reports, then unintended renewals.
const PAST_REASONS: [(CancellationReasonCode, &str, Option<AdjustmentReasonCode>); 12] = [
    (
        CancellationReasonCode::BuyerDissatisfaction,
        "Buyer reports the nightly sync misses records and wants to leave",
        Some(AdjustmentReasonCode::BuyerDissatisfaction),
    ),
    (
        CancellationReasonCode::UnintendedRenewal,
        "Auto-renewal ran although the buyer had asked us not to renew",
        Some(AdjustmentReasonCode::UnintendedRenewal),
    ),
    (
        CancellationReasonCode::BuyerDissatisfaction,
        "Buyer found the dashboards too slow for their month-end close",
        Some(AdjustmentReasonCode::BuyerDissatisfaction),
    ),
    (
        CancellationReasonCode::AlternativeProcurementChannel,
        "Buyer moves this purchase to their reseller's channel",
        None,
    ),
    (
        CancellationReasonCode::BuyerDissatisfaction,
        "Buyer says the alerts are too noisy to act on",
        None,
    ),
    (
        CancellationReasonCode::ReplacingAgreement,
        "Replacing with a private offer at the negotiated rate",
        None,
    ),
    (
        CancellationReasonCode::UnintendedRenewal,
        "The renewal reminder went to a mailbox nobody reads",
        Some(AdjustmentReasonCode::UnintendedRenewal),
    ),
    (
        CancellationReasonCode::IncorrectTermsAccepted,
        "The buyer accepted the 36-month term instead of the 12-month term",
        Some(AdjustmentReasonCode::IncorrectTermsAccepted),
    ),
    (
        CancellationReasonCode::BuyerDissatisfaction,
        "Buyer's team could not connect it to their identity provider",
        Some(AdjustmentReasonCode::BuyerDissatisfaction),
    ),
    (
        CancellationReasonCode::TestAgreement,
        "Agreement created by the buyer's QA team to test the listing",
        Some(AdjustmentReasonCode::TestEnvironmentCharges),
    ),
    (
        CancellationReasonCode::ProductDiscontinued,
        "This edition is retired; the buyer moves to its successor",
        None,
    ),
    (
        CancellationReasonCode::AlternativeProcurementChannel,
        "Buyer consolidates its tools under one enterprise contract",
        None,
    ),
];

/// Hours buyers took to answer, from within the hour to five days.
const ANSWER_HOURS: [i64; 10] = [1, 3, 5, 9, 14, 22, 30, 47, 70, 118];

/// How many agreements of each seller ended or were asked to end in the past year.
const PAST_PER_SELLER: usize = 12;

/// A year of closed cases, so that the Reports page has something to tell: 36 agreements
/// of the three sellers with the demo's last four buyers, each asked to cancel once (or
/// twice) on a day spread over the last year, for a spread of reasons, with a spread of
/// answers and answer times, and refunds for some. Each is built in a book of its own, as
/// time ran for it, and all of them are settled at `now`, so none waits for the seller.
fn add_a_year_of_history(book: &mut Book, seed: u64, now: DateTime<Utc>, ids: &mut dyn IdSource) {
    for k in 0..PAST_PER_SELLER * SELLERS.len() {
        let record = past_record(seed, k, now, ids);
        let id = record.record.agreement.id.clone();
        book.records.insert(id, record);
    }
}

/// The `k`th agreement of the past year, its history played out up to `now`.
fn past_record(
    seed: u64,
    k: usize,
    now: DateTime<Utc>,
    ids: &mut dyn IdSource,
) -> Versioned<AgreementRecord> {
    let seller = k % SELLERS.len();
    let asked_days_ago = 12 + (k as i64 * 97) % 340;
    let months = 2 + (k % 5);
    let spec = AgreementSpec {
        product: 2 * seller + (k / 3) % 2,
        buyer: 5 + k % 4,
        private: k % 4 == 1,
        pricing: PricingModel::Contract,
        age_days: asked_days_ago + 31 * months as i64 - 10,
        currency: if k % 5 == 4 {
            Currency::EUR
        } else {
            Currency::USD
        },
        monthly_minor: 20_000 + (k as i64 % 7) * 15_000,
        invoices: months,
    };
    let mut single = Book::default();
    let record = agreement_record(seed, 1_000 + k as u64, &spec, now);
    let id = record.agreement.id.clone();
    single.insert(record);
    let (reason, text, refund_reason) =
        PAST_REASONS[(k / SELLERS.len() + seller) % PAST_REASONS.len()];
    let asked = now - Duration::days(asked_days_ago) + Duration::hours((k % 9) as i64);
    let answered = asked + Duration::hours(ANSWER_HOURS[(k * 3) % ANSWER_HOURS.len()]);
    let request = send(&mut single, &id, reason, text, asked, ids);
    let ending = PAST_ENDINGS[(k * 5) % PAST_ENDINGS.len()];
    let settled = match ending {
        Ending::ApprovedByBuyer => {
            approve(&mut single, &id, request, answered, ids);
            answered
        }
        Ending::AutoApproved => {
            let after = asked + Duration::days(8);
            single.advance_to(after);
            after
        }
        Ending::Withdrawn => {
            let why = "Resolved with the buyer's team";
            withdraw(&mut single, &id, request, why, answered, ids);
            answered
        }
        Ending::RejectedThenApproved => {
            let no = "We want to keep it until the end of the quarter";
            reject(&mut single, &id, request, no, answered, ids);
            answered
        }
    };
    if let Some(why) = refund_reason {
        let invoice = months - 1;
        let amount = format!("{}.00", spec.monthly_minor / 100 / (1 + (k as i64 % 3)));
        let text = "Refund of the last month, agreed with the buyer";
        refund_because(
            &mut single,
            &id,
            (invoice, &amount),
            (why, text),
            settled,
            ids,
        );
    }
    if let Ending::RejectedThenApproved = ending {
        let again = settled + Duration::days(9);
        let second = send(&mut single, &id, reason, text, again, ids);
        approve(&mut single, &id, second, again + Duration::hours(4), ids);
    }
    single.advance_to(now);
    single.records.remove(&id).expect("built above")
}

/// An FPS subscription of the demo, last paid for 12 days before `now`.
struct FpsSpec {
    id: &'static str,
    seller: usize,
    buyer: usize,
    product_name: &'static str,
    last_payment_minor: i64,
    status: FpsStatus,
}

/// A DevPay subscription of the demo, its first month begun `days_ago` days before `now`.
struct DevPaySpec {
    id: &'static str,
    seller: usize,
    buyer: usize,
    product_name: &'static str,
    monthly_minor: i64,
    one_time_minor: i64,
    usage_per_hour_minor: i64,
    days_ago: i64,
    /// Days before `now` when AWS ended the access of a customer who did not pay.
    unpaid_days_ago: Option<i64>,
}

/// What sets an Alibaba Cloud order of the demo apart; the rest is as most orders are.
struct OrderSpec {
    id: &'static str,
    buyer: usize,
    product_name: &'static str,
    paid_at: DateTime<Utc>,
    paid_cash_minor: i64,
    method: PaymentMethod,
}

fn add_families(book: &mut Book, now: DateTime<Utc>, ids: &mut SequentialIds) {
    add_fps_subscriptions(book, now);
    add_devpay_subscriptions(book, now);
    // One order for each of the seed's rules, so that a person can meet every one of them.
    let orders = alibaba_orders_by_payment(now)
        .into_iter()
        .chain(alibaba_orders_by_other_rules(now));
    for record in orders {
        book.alibaba
            .insert(record.id.clone(), Versioned { version: 1, record });
    }
    open_support_case(book, now, ids);
}

const FPS: [FpsSpec; 5] = [
    FpsSpec {
        id: "17d62772-c53e-4bdb-9667-65d7b7841cfc",
        seller: 0,
        buyer: 0,
        product_name: "Northwind Reports (FPS)",
        last_payment_minor: 2_000,
        status: FpsStatus::Active,
    },
    // A second subscription of the same seller: a caller reference used on one is a
    // replay on the other too.
    FpsSpec {
        id: "5b2e8f41-9c3d-4a7e-b6f0-2d8c1e9a7b53",
        seller: 0,
        buyer: 2,
        product_name: "Northwind Alerts (FPS)",
        last_payment_minor: 1_000,
        status: FpsStatus::Active,
    },
    FpsSpec {
        id: "8a1f0c55-2b7e-4c1d-9f3a-6e2d8b7c4a10",
        seller: 1,
        buyer: 3,
        product_name: "Bluefin Scanner (FPS)",
        last_payment_minor: 12_500,
        status: FpsStatus::Active,
    },
    FpsSpec {
        id: "c3e9d2a1-7f4b-4e8c-a1d5-9b0e6f3c2d87",
        seller: 2,
        buyer: 1,
        product_name: "Cedar Archive (FPS)",
        last_payment_minor: 5_000,
        status: FpsStatus::Cancelled,
    },
    // Completed: cancelling it is InvalidSubscriptionState, refunding part of its last
    // payment still runs, and a refund in another currency is refused with its reason.
    FpsSpec {
        id: "e4b7a9c2-3d1f-4f6e-8a2b-7c5d9e0f1a36",
        seller: 0,
        buyer: 4,
        product_name: "Northwind Digest (FPS)",
        last_payment_minor: 1_500,
        status: FpsStatus::Completed,
    },
];

fn add_fps_subscriptions(book: &mut Book, now: DateTime<Utc>) {
    for spec in FPS {
        book.fps.insert(
            spec.id.into(),
            Versioned {
                version: 1,
                record: FpsSubscription {
                    id: spec.id.into(),
                    seller: account(SELLERS[spec.seller].account),
                    buyer: account(BUYERS[spec.buyer].account),
                    product_name: spec.product_name.into(),
                    last_payment: Money::new(spec.last_payment_minor, Currency::USD),
                    last_payment_at: now - Duration::days(12),
                    refunded_from_last_minor: 0,
                    status: spec.status,
                    cancel_reason: String::new(),
                    calls: Vec::new(),
                },
            },
        );
    }
}

const DEVPAY: [DevPaySpec; 3] = [
    DevPaySpec {
        id: "devpay-nwdesktop",
        seller: 0,
        buyer: 0,
        product_name: "Northwind Desktop (DevPay)",
        monthly_minor: 3_000,
        one_time_minor: 5_000,
        usage_per_hour_minor: 12,
        days_ago: 9,
        unpaid_days_ago: None,
    },
    DevPaySpec {
        id: "devpay-cdsync",
        seller: 2,
        buyer: 4,
        product_name: "Cedar Sync (DevPay)",
        monthly_minor: 1_500,
        one_time_minor: 0,
        usage_per_hour_minor: 4,
        days_ago: 9,
        unpaid_days_ago: None,
    },
    // A customer who did not pay the bill of their second month: AWS cancelled their
    // access, and their data is unavailable.
    DevPaySpec {
        id: "devpay-nwvault",
        seller: 0,
        buyer: 3,
        product_name: "Northwind Vault (DevPay)",
        monthly_minor: 2_000,
        one_time_minor: 2_500,
        usage_per_hour_minor: 6,
        days_ago: 50,
        unpaid_days_ago: Some(4),
    },
];

fn add_devpay_subscriptions(book: &mut Book, now: DateTime<Utc>) {
    for spec in DEVPAY {
        let mut record = DevPaySubscription {
            id: spec.id.into(),
            seller: account(SELLERS[spec.seller].account),
            buyer: account(BUYERS[spec.buyer].account),
            product_name: spec.product_name.into(),
            monthly_charge: Money::new(spec.monthly_minor, Currency::USD),
            one_time_charge: Money::new(spec.one_time_minor, Currency::USD),
            usage_per_hour: Money::new(spec.usage_per_hour_minor, Currency::USD),
            period_start: now - Duration::days(spec.days_ago),
            status: DevPayStatus::Active,
            cancellation: None,
        };
        // The core ends the access, as for any record. A fresh record is active, so this is
        // never refused; the demo's tests check that the access did end.
        if let Some(days) = spec.unpaid_days_ago {
            let _ = record.end_access_for_unpaid_bill(now - Duration::days(days));
        }
        book.devpay
            .insert(spec.id.into(), Versioned { version: 1, record });
    }
}

/// An order as most are: a subscription of a standard instance, bought on the official
/// website and paid in cash, with no invoice issued.
fn usual_order(spec: OrderSpec) -> AlibabaOrder {
    AlibabaOrder {
        id: spec.id.into(),
        buyer: account(BUYERS[spec.buyer].account),
        product_name: spec.product_name.into(),
        billing: Billing::Subscription,
        kind: InstanceKind::Standard,
        paid_at: spec.paid_at,
        paid_cash: Money::new(spec.paid_cash_minor, Currency::CNY),
        paid_vouchers: Money::new(0, Currency::CNY),
        method: spec.method,
        channel: SalesChannel::OfficialWebsite,
        invoice_issued: false,
        original_method_refuses: false,
        status: OrderStatus::Active,
        refund: None,
        ticket: None,
    }
}

/// Orders whose refund is routed by when, and how, they were paid.
fn alibaba_orders_by_payment(now: DateTime<Utc>) -> [AlibabaOrder; 4] {
    let days_ago = |days| now - Duration::days(days);
    let before_cutoff = Utc.with_ymd_and_hms(2019, 3, 20, 2, 0, 0).unwrap();
    [
        // Paid after 29 March 2019 by Alipay, well inside the 548 days: back to Alipay, but
        // never the part paid with vouchers.
        AlibabaOrder {
            paid_vouchers: Money::new(20_000, Currency::CNY),
            ..usual_order(OrderSpec {
                id: "ali-202611-00017",
                buyer: 0,
                product_name: "IoT Platform standard instance",
                paid_at: days_ago(40),
                paid_cash_minor: 80_000,
                method: PaymentMethod::Alipay,
            })
        },
        // Online banking inside the 548 days: back to the bank, within 2-3 business days.
        usual_order(OrderSpec {
            id: "ali-202608-00256",
            buyer: 0,
            product_name: "DataV dashboard subscription",
            paid_at: days_ago(100),
            paid_cash_minor: 36_000,
            method: PaymentMethod::OnlineBanking,
        }),
        // An enterprise instance paid more than 548 days ago: to the balance, and its data
        // is deleted for good.
        AlibabaOrder {
            kind: InstanceKind::Enterprise,
            ..usual_order(OrderSpec {
                id: "ali-202404-00931",
                buyer: 1,
                product_name: "IoT Platform enterprise instance",
                paid_at: days_ago(600),
                paid_cash_minor: 1_200_000,
                method: PaymentMethod::OnlineBanking,
            })
        },
        // Paid before 29 March 2019: to the balance whatever else holds.
        usual_order(OrderSpec {
            id: "ali-201903-00007",
            buyer: 1,
            product_name: "ApsaraDB RDS long-term subscription",
            paid_at: before_cutoff,
            paid_cash_minor: 540_000,
            method: PaymentMethod::Alipay,
        }),
    ]
}

/// Orders whose refund a rule other than the payment's date and method decides.
fn alibaba_orders_by_other_rules(now: DateTime<Utc>) -> [AlibabaOrder; 5] {
    let days_ago = |days| now - Duration::days(days);
    [
        // Alipay refuses the refund (the account was closed): to the balance.
        AlibabaOrder {
            original_method_refuses: true,
            ..usual_order(OrderSpec {
                id: "ali-202610-00150",
                buyer: 2,
                product_name: "OSS storage package",
                paid_at: days_ago(30),
                paid_cash_minor: 12_000,
                method: PaymentMethod::Alipay,
            })
        },
        // The old public instance, the only pay-as-you-go one: not refundable.
        AlibabaOrder {
            billing: Billing::PayAsYouGo,
            kind: InstanceKind::Public,
            ..usual_order(OrderSpec {
                id: "ali-202609-00412",
                buyer: 3,
                product_name: "IoT Platform public instance (old)",
                paid_at: days_ago(70),
                paid_cash_minor: 3_000,
                method: PaymentMethod::AccountBalance,
            })
        },
        // The new public instance, beside it: free of charge, so nothing to refund.
        AlibabaOrder {
            billing: Billing::Free,
            kind: InstanceKind::Public,
            ..usual_order(OrderSpec {
                id: "ali-202610-00415",
                buyer: 3,
                product_name: "IoT Platform public instance (new)",
                paid_at: days_ago(45),
                paid_cash_minor: 0,
                method: PaymentMethod::AccountBalance,
            })
        },
        // Bought on the official website with an invoice issued: to the balance.
        AlibabaOrder {
            paid_vouchers: Money::new(30_000, Currency::CNY),
            invoice_issued: true,
            ..usual_order(OrderSpec {
                id: "ali-202610-00088",
                buyer: 4,
                product_name: "ECS subscription",
                paid_at: days_ago(20),
                paid_cash_minor: 150_000,
                method: PaymentMethod::Alipay,
            })
        },
        // Bought on the cloud marketplace with an invoice issued: the invoice rule does not
        // apply, so back to Alipay.
        AlibabaOrder {
            channel: SalesChannel::CloudMarketplace,
            invoice_issued: true,
            ..usual_order(OrderSpec {
                id: "ali-202611-00093",
                buyer: 4,
                product_name: "Hardened CentOS image (Cloud Marketplace)",
                paid_at: days_ago(15),
                paid_cash_minor: 9_900,
                method: PaymentMethod::Alipay,
            })
        },
    ]
}

/// The form of the demo's support case: about Globex's Northwind BI Cloud agreement, and
/// its latest invoice.
fn refund_form(book: &Book, now: DateTime<Utc>) -> RefundForm {
    let invoice = book
        .records
        .values()
        .map(|v| &v.record)
        .find(|r| {
            r.agreement.buyer.as_str() == BUYERS[1].account
                && r.agreement.offer.as_str() == "offer-nwbicloudpub"
        })
        .and_then(|r| r.invoices.last())
        .map_or_else(String::new, |i| i.id.to_string());
    RefundForm {
        subscriber_account: BUYERS[1].account.into(),
        product_id: "prod-nwbicloud".into(),
        offer_id: "offer-nwbicloudpub".into(),
        billing_period: (now - Months::new(1)).format("%Y-%m").to_string(),
        invoice_id: invoice,
        refund_amount: "499.00".into(),
        currency: "USD".into(),
        also_cancel: true,
        effective_date: (now + Duration::days(7)).format("%Y-%m-%d").to_string(),
        comments: "The buyer moved to the annual plan.".into(),
    }
}

/// A support case the seller opened, which AWS has answered with a question, so that its
/// next step is the seller's.
fn open_support_case(book: &mut Book, now: DateTime<Utc>, ids: &mut SequentialIds) {
    let form = refund_form(book, now);
    let seller = account(SELLERS[0].account);
    let (case, _) = book
        .apply(
            OpenSupportCase { form },
            &Actor::Seller(seller),
            now - Duration::days(5),
            ids,
        )
        .expect("the demo's refund form is valid");
    if let Some(v) = book.support_cases.get_mut(&case) {
        v.record.update_by_aws(CaseStatus::ActionRequired, "Please confirm the invoice to refund and whether the cancellation should wait for the end of the billing cycle.", now - Duration::days(4));
    }
}

/// The scale book's buyers: the first five, a fifth of its agreements each.
const SCALE_BUYERS: usize = 5;

/// `n` AWS Marketplace agreements, each with a full history: a request sent and rejected (or
/// withdrawn), another sent and withdrawn, a completed refund, and a third request still
/// pending, a day from its automatic approval at `now` ([`scale_history`]). Each record is
/// built on its own so that the cost grows with `n`, not `n²`. Its request and adjustment IDs and client tokens come from
/// `ids`: the browser's random ones make records as large as real ones are.
pub fn scale_book(n: usize, now: DateTime<Utc>, ids: &mut dyn IdSource) -> Book {
    let mut book = Book {
        directory: directory(),
        ..Book::default()
    };
    for i in 0..n {
        let spec = AgreementSpec {
            product: i % PRODUCTS.len(),
            buyer: i % SCALE_BUYERS,
            private: i % 3 == 0,
            pricing: PricingModel::Contract,
            age_days: 30 + (i % 300) as i64,
            currency: Currency::USD,
            monthly_minor: 10_000 + (i as i64 % 50) * 1_000,
            invoices: 2,
        };
        let mut single = Book::default();
        let record = agreement_record(0, 100 + i as u64, &spec, now);
        let id = record.agreement.id.clone();
        single.insert(record);
        scale_history(&mut single, &id, i, spec.age_days, now, ids);
        single.advance_to(now);
        let versioned = single.records.remove(&id).expect("built above");
        book.records.insert(id, versioned);
    }
    book
}

/// The history of scale agreement `i`, `age_days` old: its first request sent on a day of
/// its life, for one of the reasons, rejected by the buyer (or, one in four, withdrawn) after
/// one of the answer times, a refund for one of the refund reasons; a second request a week
/// before `now`, withdrawn; a third still pending. Every agreement keeps one pending
/// request, three requests and one refund, so the book weighs what it always weighed; the
/// texts of a kind are of one length for the same reason.
fn scale_history(
    single: &mut Book,
    id: &AgreementId,
    i: usize,
    age_days: i64,
    now: DateTime<Utc>,
    ids: &mut dyn IdSource,
) {
    let (reason, text, _) = PAST_REASONS[i % PAST_REASONS.len()];
    let asked = now - Duration::days(14 + (i as i64 * 7_919) % (age_days - 14));
    let answered = asked + Duration::hours(ANSWER_HOURS[(i / 3) % ANSWER_HOURS.len()]);
    let first = send(single, id, reason, text, asked, ids);
    if i % 4 == 3 {
        let why = "The buyer's team resolved it with our support";
        withdraw(single, id, first, why, answered, ids);
    } else {
        let no = "We still use it every day and want to keep it";
        reject(single, id, first, no, answered, ids);
    }
    let refund_reason = AdjustmentReasonCode::ALL[i % AdjustmentReasonCode::ALL.len()];
    let amount = format!("{}.00", 5 + i % 41);
    let why = (
        refund_reason,
        "Usage was double-counted during the October migration",
    );
    refund_because(single, id, (0, &amount), why, answered, ids);
    let second = send(
        single,
        id,
        CancellationReasonCode::ReplacingAgreement,
        "Replacing with the renewed private offer at the new rate",
        now - Duration::days(7) - Duration::hours((i % 12) as i64),
        ids,
    );
    withdraw(
        single,
        id,
        second,
        "The renewal was postponed by the buyer",
        now - Duration::days(6) - Duration::hours(2),
        ids,
    );
    send(
        single,
        id,
        CancellationReasonCode::ProductDiscontinued,
        "The product is retired at the end of the quarter; the buyer moves to its successor",
        now - Duration::days(6),
        ids,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cancellation::{CancellationRequest, RequestStatus};

    #[test]
    fn the_demo_support_case_completes_once_the_seller_and_then_the_buyer_answer() {
        use crate::book::AnswerSupportCase;
        use crate::families::support_case::{billing_cycle_end, CaseStatus};
        for seed in [0, 7, 123_456_789] {
            let mut book = demo_book_from_seed(seed, demo_now());
            let (id, seller) = book
                .support_cases
                .values()
                .map(|v| (v.record.id.clone(), v.record.seller.clone()))
                .next()
                .unwrap();
            let reply = ReplyToSupportCase {
                case: id.clone(),
                text: "Yes: that invoice, cancel now.".into(),
            };
            book.apply(
                reply,
                &Actor::Seller(seller),
                demo_now(),
                &mut SequentialIds::default(),
            )
            .unwrap();
            let cycle_end = billing_cycle_end(book.support_cases[&id].record.opened_at);
            assert_eq!(book.support_cases[&id].record.due_at(), Some(cycle_end));
            book.advance_to(cycle_end);
            let case = &book.support_cases[&id].record;
            assert!(
                case.awaiting_buyer.is_some(),
                "a contract: {:?}",
                case.replies.last()
            );
            let answer = AnswerSupportCase {
                case: id.clone(),
                approve: true,
            };
            let buyer = Actor::Buyer(case.subscriber.clone());
            book.apply(answer, &buyer, cycle_end, &mut SequentialIds::default())
                .unwrap();
            book.advance_to(cycle_end + Duration::days(1));
            let case = &book.support_cases[&id].record;
            assert_eq!(
                case.status,
                CaseStatus::Completed,
                "{:?}",
                case.replies.last()
            );
            assert!(case
                .outcome
                .as_ref()
                .is_some_and(|o| o.cancelled && o.refund.is_some()));
        }
    }

    #[test]
    fn the_demo_book_is_valid_and_has_every_kind_of_case() {
        let book = demo_book(demo_now());
        assert!(book.records.values().all(|v| v.record.check().is_ok()));
        let statuses: std::collections::BTreeSet<_> = book
            .records
            .values()
            .flat_map(|v| v.record.requests.iter().map(|r| r.status.code()))
            .collect();
        for status in [
            RequestStatus::PendingApproval,
            RequestStatus::Approved,
            RequestStatus::Rejected,
            RequestStatus::Cancelled,
            RequestStatus::ValidationFailed,
        ] {
            assert!(statuses.contains(status.code()), "{status:?}");
        }
        let adjustments: std::collections::BTreeSet<_> = book
            .records
            .values()
            .flat_map(|v| v.record.adjustments.iter().map(|a| a.status.code()))
            .collect();
        assert_eq!(adjustments, ["COMPLETED", "VALIDATION_FAILED"].into());
        let records = || book.records.values().map(|v| &v.record);
        let offers: std::collections::BTreeSet<_> = records()
            .map(|r| book.directory.offer(&r.agreement.offer).unwrap().private)
            .collect();
        assert_eq!(offers.len(), 2, "public and private offers");
        let currencies: std::collections::BTreeSet<_> = records()
            .flat_map(|r| r.invoices.iter().map(|i| i.currency))
            .collect();
        assert!(currencies.contains(&Currency::USD) && currencies.contains(&Currency::EUR));
        assert!(records().all(|r| !r.invoices.is_empty()));
        let now = demo_now();
        assert!(records().any(|r| now - r.agreement.start < Duration::hours(48)));
        assert!(records().any(|r| now - r.agreement.start > Duration::hours(48)));
        assert!(
            !book.fps.is_empty()
                && !book.devpay.is_empty()
                && !book.alibaba.is_empty()
                && !book.support_cases.is_empty()
        );
    }

    #[test]
    fn the_demo_has_every_pricing_model_and_two_fps_subscriptions_of_one_seller() {
        let book = demo_book(demo_now());
        let models: std::collections::BTreeSet<_> = book
            .records
            .values()
            .map(|v| format!("{:?}", v.record.agreement.pricing))
            .collect();
        assert_eq!(models.len(), PricingModel::ALL.len(), "{models:?}");
        let seller = account(SELLERS[0].account);
        let of_seller = book.fps.values().filter(|v| v.record.seller == seller);
        assert!(of_seller.count() >= 2);
    }

    #[test]
    fn the_demo_has_a_completed_fps_subscription_that_refuses_a_refund_in_another_currency() {
        use crate::families::fps::{FpsCall, RefundFailure};
        let now = demo_now();
        let book = demo_book(now);
        let mut completed = book
            .fps
            .values()
            .map(|v| v.record.clone())
            .find(|s| s.status == FpsStatus::Completed && s.seller == account(SELLERS[0].account))
            .expect("a completed subscription the first seller can try");
        let euros = FpsCall {
            refund: Some("1.00".into()),
            currency: "EUR".into(),
            caller_reference: "try-eur".into(),
            ..FpsCall::default()
        };
        let result = completed
            .cancel_and_refund(&euros, now, &mut SequentialIds::default())
            .unwrap();
        assert!(!result.cancelled_now);
        assert!(matches!(
            result.refund_failure,
            Some(RefundFailure::WrongCurrency { .. })
        ));
    }

    #[test]
    fn the_demo_has_a_devpay_customer_whose_unpaid_bill_ended_their_access() {
        let now = demo_now();
        for book in [demo_book(now), demo_book(now + Duration::days(400))] {
            let seller = account(SELLERS[0].account);
            let unpaid = book
                .devpay
                .values()
                .map(|v| &v.record)
                .find(|s| s.status == DevPayStatus::Unpaid && s.seller == seller)
                .expect("the first seller sees a customer who did not pay");
            assert!(unpaid.check().is_ok());
            assert_eq!(unpaid.cancellation.as_ref().unwrap().refund.minor, 0);
        }
    }

    #[test]
    fn the_demo_lets_a_person_meet_every_alibaba_cloud_rule() {
        use crate::families::alibaba::*;
        use chrono::NaiveDate;
        for now in [demo_now(), demo_now() + Duration::days(3_000)] {
            let book = demo_book(now);
            let orders: Vec<&AlibabaOrder> = book.alibaba.values().map(|v| &v.record).collect();
            let routes: Vec<Route> = orders.iter().map(|o| o.route(now)).collect();
            let rules: Vec<&str> = routes.iter().map(|r| r.rule.as_str()).collect();
            for rule in [
                RULE_INVOICE_ISSUED.to_string(),
                RULE_PAID_ON_OR_BEFORE_CUTOFF.to_string(),
                RULE_ORIGINAL_METHOD_FAILED.to_string(),
                rule_past_window(),
                rule_original_method(),
            ] {
                assert!(rules.contains(&rule.as_str()), "{rule}");
            }
            let cutoff = NaiveDate::from_ymd_opt(2019, 3, 29).unwrap();
            assert!(orders.iter().any(|o| alibaba_date(o.paid_at) < cutoff));
            assert!(orders.iter().any(|o| alibaba_date(o.paid_at) > cutoff));
            assert!(routes
                .iter()
                .any(|r| r.expected_timing() == vec![BANK_TIMING]));
            assert!(orders.iter().any(|o| o.kind == InstanceKind::Enterprise));
            let public: Vec<_> = orders
                .iter()
                .filter(|o| o.kind == InstanceKind::Public)
                .collect();
            let refusals: Vec<_> = public
                .iter()
                .map(|o| (o.product_name.as_str(), o.can_unsubscribe(true)))
                .collect();
            assert_eq!(
                refusals,
                [
                    (
                        "IoT Platform public instance (old)",
                        Err(AlibabaError::PayAsYouGo)
                    ),
                    (
                        "IoT Platform public instance (new)",
                        Err(AlibabaError::Free)
                    ),
                ]
            );
            let marketplace_invoiced = orders
                .iter()
                .zip(&routes)
                .find(|(o, _)| o.channel == SalesChannel::CloudMarketplace && o.invoice_issued)
                .expect("a cloud-marketplace order with an invoice issued");
            assert!(matches!(
                marketplace_invoiced.1.destination,
                Destination::OriginalMethod(_)
            ));
        }
    }

    #[test]
    fn the_demo_is_the_same_every_time_for_the_same_seed_and_moment() {
        assert_eq!(demo_book(demo_now()), demo_book(demo_now()));
        assert_eq!(
            demo_book_from_seed(7, demo_now()),
            demo_book_from_seed(7, demo_now())
        );
    }

    #[test]
    fn another_seed_tells_the_same_story_under_other_identifiers() {
        let story = |book: &Book| {
            let mut statuses: Vec<_> = book
                .records
                .values()
                .map(|v| {
                    let r = &v.record;
                    (
                        r.agreement.status,
                        r.requests.iter().map(|q| q.status).collect::<Vec<_>>(),
                    )
                })
                .map(|(a, q)| format!("{a:?} {q:?}"))
                .collect();
            statuses.sort();
            statuses
        };
        let (a, b) = (
            demo_book_from_seed(1, demo_now()),
            demo_book_from_seed(2, demo_now()),
        );
        assert_eq!(story(&a), story(&b));
        assert!(a.records.keys().all(|id| !b.records.contains_key(id)));
        assert!(b.records.values().all(|v| v.record.check().is_ok()));
    }

    #[test]
    fn a_pending_demo_request_is_close_to_its_deadline() {
        let now = demo_now();
        let book = demo_book(now);
        let soonest = book
            .records
            .values()
            .filter_map(|v| v.record.pending_request())
            .filter_map(|r| r.time_left(now))
            .min()
            .unwrap();
        assert!(soonest <= Duration::hours(4));
    }

    #[test]
    fn drawn_secrets_replace_every_request_secret_and_nothing_else() {
        let book = demo_book(demo_now());
        let mut drawn = book.clone();
        draw_secrets(&mut drawn, &mut SequentialIds::starting_at(u64::MAX / 2));
        let pairs = book.records.values().zip(drawn.records.values());
        let mut requests = 0;
        for (before, after) in pairs {
            assert_eq!(before.version, after.version);
            for (b, a) in before.record.requests.iter().zip(&after.record.requests) {
                assert_ne!(b.link_secret, a.link_secret);
                assert!(a.link_secret.is_some());
                assert_eq!(
                    CancellationRequest {
                        link_secret: None,
                        ..b.clone()
                    },
                    CancellationRequest {
                        link_secret: None,
                        ..a.clone()
                    }
                );
                requests += 1;
            }
        }
        assert!(requests > 3);
    }

    #[test]
    fn a_year_of_the_demo_reports_every_outcome_a_leading_reason_and_refunds() {
        use crate::report::{Period, PeriodChoice, Report, RequestOutcome, Scope};
        let now = demo_now();
        let book = demo_book(now);
        let year = Period::new(
            now.date_naive() - Duration::days(365),
            now.date_naive(),
            &Utc,
        )
        .unwrap();
        for seller in &SELLERS {
            let scope = Scope {
                seller: Some(account(seller.account)),
                ..Scope::default()
            };
            let report = Report::of(&book, year.clone(), scope);
            let outcomes = report.requests.outcomes;
            for outcome in [
                RequestOutcome::ApprovedByBuyer,
                RequestOutcome::AutoApproved,
                RequestOutcome::Rejected,
                RequestOutcome::Withdrawn,
            ] {
                assert!(outcomes.get(outcome) > 0, "{} {outcome:?}", seller.name);
            }
            let reasons = report
                .requests
                .by_reason
                .iter()
                .filter(|(_, o)| o.sent() > 0);
            assert!(reasons.count() >= 5, "{}", seller.name);
            assert!(report.requests.answers.median < report.requests.answers.p90);
            assert!(report.refunds.completed.count >= 4, "{}", seller.name);
            let busy_months = report.months.iter().filter(|m| m.requests.sent() > 0);
            assert!(busy_months.count() >= 6, "{}", seller.name);
        }
        let scale = scale_book(300, now, &mut SequentialIds::default());
        let this_year = Period::chosen(PeriodChoice::ThisYear, now.date_naive(), &Utc).unwrap();
        let report = Report::of(&scale, this_year, Scope::default());
        let reasons = report
            .requests
            .by_reason
            .iter()
            .filter(|(_, o)| o.sent() > 0);
        assert_eq!(reasons.count(), 7, "every reason but OTHER");
        assert!(report.requests.outcomes.get(RequestOutcome::Rejected) > 0);
        assert!(report.refunds.by_reason.iter().all(|(_, t)| t.count > 0));
        assert!(report.requests.answers.median < report.requests.answers.p90);
    }

    #[test]
    fn the_scale_book_gives_every_agreement_a_full_valid_history() {
        let book = scale_book(200, demo_now(), &mut SequentialIds::default());
        assert_eq!(book.records.len(), 200);
        for v in book.records.values() {
            assert!(v.record.check().is_ok());
            assert_eq!(v.record.requests.len(), 3);
            assert_eq!(
                v.record.pending_request().map(|r| r.deadline()),
                Some(demo_now() + Duration::days(1))
            );
            assert!((500..=4_500).contains(&v.record.invoices[0].refunded_minor));
            assert_eq!(v.record.event_count(), 12);
        }
    }
}
