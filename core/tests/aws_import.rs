//! "Import from AWS" on files built from the service model's output shapes, as both versions
//! of the AWS CLI print them: one of each operation, files that do not fit (a missing
//! required member, a wrong enum value, an unknown operation), and a mix of good and bad
//! files, which imports the good ones whole and nothing of the bad.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use workbench_core::aws::import::{
    read_file, AwsFile, FileError, ImportItem, ImportPreview, ImportReport, LeftOutReason,
};
use workbench_core::aws::model::{Problem, TimeStyle};
use workbench_core::aws::Operation;
use workbench_core::book::{Actor, AgreementStatus, Book, DomainError, WithdrawCancellation};
use workbench_core::cancellation::{PricingModel, RequestStatus};
use workbench_core::ids::{AccountId, AgreementId, RequestId, SequentialIds};
use workbench_core::key::RecordKey;

const SELLER: &str = "111122223333";
const BUYER: &str = "444455556666";

/// How a CLI version prints a time: version 1 as epoch seconds, version 2 as ISO 8601.
#[derive(Clone, Copy)]
enum Cli {
    V1,
    V2,
}

fn at(cli: Cli, iso: &str) -> Value {
    let time: DateTime<Utc> = iso.parse().unwrap();
    match cli {
        Cli::V1 => json!(time.timestamp_millis() as f64 / 1000.0),
        Cli::V2 => json!(time.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string()),
    }
}

fn summary(cli: Cli, id: &str, status: &str) -> Value {
    json!({
        "agreementId": id,
        "acceptanceTime": at(cli, "2025-01-01T00:00:00Z"),
        "startTime": at(cli, "2025-01-01T00:00:00Z"),
        "endTime": at(cli, "2026-01-01T00:00:00Z"),
        "agreementType": "PurchaseAgreement",
        "acceptor": {"accountId": BUYER},
        "proposer": {"accountId": SELLER},
        "proposalSummary": {
            "resources": [{"id": "prod-saas1", "type": "SaaSProduct"}],
            "offerId": "offer-abc123"
        },
        "status": status
    })
}

fn search(cli: Cli) -> Value {
    json!({"agreementViewSummaries": [summary(cli, "agmt-aws1", "ACTIVE")]})
}

fn describe(cli: Cli) -> Value {
    let mut output = summary(cli, "agmt-aws2", "ACTIVE");
    output["estimatedCharges"] = json!({"currencyCode": "USD", "agreementValue": "1200.00"});
    output
}

fn invoices(cli: Cli) -> Value {
    json!({"agreementInvoiceLineItemGroupSummaries": [{
        "agreementId": "agmt-aws1",
        "invoiceId": "2028746221",
        "pricingCurrencyAmount": {
            "amount": "1000.00", "maxAdjustmentAmount": "900.00", "currencyCode": "USD"
        },
        "invoiceBillingPeriod": {"month": 1, "year": 2025},
        "issuedTime": at(cli, "2025-02-01T00:00:00Z"),
        "invoiceType": "INVOICE",
        "invoicingEntity": {"legalName": "Amazon Web Services, Inc."}
    }, {
        "agreementId": "agmt-aws1",
        "invoiceId": "2028746299",
        "pricingCurrencyAmount": {"amount": "100.00", "maxAdjustmentAmount": "0", "currencyCode": "USD"},
        "issuedTime": at(cli, "2025-02-02T00:00:00Z"),
        "invoiceType": "CREDIT_MEMO"
    }]})
}

fn requests(cli: Cli, status: &str) -> Value {
    json!({"items": [{
        "agreementCancellationRequestId": "acr-aws1",
        "agreementId": "agmt-aws1",
        "status": status,
        "reasonCode": "REPLACING_AGREEMENT",
        "agreementType": "PurchaseAgreement",
        "catalog": "AWSMarketplace",
        "createdAt": at(cli, "2025-03-01T10:00:00Z"),
        "updatedAt": at(cli, "2025-03-02T10:00:00Z")
    }]})
}

fn adjustments(cli: Cli) -> Value {
    json!({"items": [{
        "billingAdjustmentRequestId": "ba-aws1",
        "originalInvoiceId": "2028746221",
        "adjustmentAmount": "100.00",
        "currencyCode": "USD",
        "status": "COMPLETED",
        "agreementId": "agmt-aws1",
        "createdAt": at(cli, "2025-03-03T10:00:00Z"),
        "updatedAt": at(cli, "2025-03-03T10:01:00Z"),
        "agreementType": "PurchaseAgreement",
        "catalog": "AWSMarketplace"
    }]})
}

/// What `get-agreement-terms` prints for a usage-based agreement with a 30-day free trial;
/// `upfront` adds a fixed upfront price, which makes it a contract.
fn terms(cli: Cli, upfront: bool) -> Value {
    let mut accepted = vec![
        json!({"validityTerm": {
            "type": "ValidityTerm", "agreementDuration": "P365D",
            "agreementStartDate": at(cli, "2025-01-01T00:00:00Z"),
            "agreementEndDate": at(cli, "2026-01-01T00:00:00Z")
        }}),
        json!({"usageBasedPricingTerm": {
            "type": "UsageBasedPricingTerm", "id": "term-usage1", "currencyCode": "USD",
            "rateCards": []
        }}),
        json!({"freeTrialPricingTerm": {
            "type": "FreeTrialPricingTerm", "id": "term-trial1", "duration": "P30D"
        }}),
    ];
    if upfront {
        accepted.push(json!({"fixedUpfrontPricingTerm": {
            "type": "FixedUpfrontPricingTerm", "id": "term-upfront1", "currencyCode": "USD",
            "duration": "P12M", "price": "1200.00"
        }}));
    }
    json!({"acceptedTerms": accepted})
}

fn file(name: &str, value: &Value) -> AwsFile {
    AwsFile {
        name: name.into(),
        text: serde_json::to_string_pretty(value).unwrap(),
    }
}

fn all_five(cli: Cli) -> Vec<AwsFile> {
    vec![
        file("search.json", &search(cli)),
        file("describe.json", &describe(cli)),
        file("invoices.json", &invoices(cli)),
        file("requests.json", &requests(cli, "PENDING_APPROVAL")),
        file("adjustments.json", &adjustments(cli)),
    ]
}

fn now() -> DateTime<Utc> {
    "2025-03-04T00:00:00Z".parse().unwrap()
}

fn apply(
    book: &mut Book,
    preview: &ImportPreview,
) -> Result<(ImportReport, Vec<RecordKey>), DomainError> {
    let command = preview.command().expect("the preview changes something");
    let seller = Actor::Seller(AccountId::parse(SELLER).unwrap());
    book.apply(command, &seller, now(), &mut SequentialIds::default())
        .map(|(reply, outcome)| (reply, outcome.changed.into_iter().collect()))
}

/// A changed field as the preview words it: name, from, to.
type FieldWords<'a> = (&'a str, String, String);

/// Previews and confirms at once.
fn import(book: &mut Book, files: &[AwsFile]) {
    let preview = book.preview_import(files);
    apply(book, &preview).unwrap();
}

fn agreement(id: &str) -> AgreementId {
    AgreementId::parse(id).unwrap()
}

/// Every field name of the files above is a member of its shape in the model: they are
/// built from the output shapes, not from what the reader happens to accept.
#[test]
fn the_test_files_use_only_the_models_members() {
    let model: Value =
        serde_json::from_str(include_str!("fixtures/agreement-api-shapes.json")).unwrap();
    fn walk(model: &Value, shape: &str, value: &Value) {
        let shape_def = &model["shapes"][shape];
        match shape_def["type"].as_str().unwrap() {
            "structure" => {
                for (key, field) in value.as_object().unwrap() {
                    let member = &shape_def["members"][key]["shape"];
                    assert!(member.is_string(), "{shape}.{key} is not in the model");
                    walk(model, member.as_str().unwrap(), field);
                }
            }
            "list" => {
                for item in value.as_array().unwrap() {
                    walk(model, shape_def["member"]["shape"].as_str().unwrap(), item);
                }
            }
            _ => {}
        }
    }
    for (operation, value) in [
        ("SearchAgreements", search(Cli::V2)),
        ("DescribeAgreement", describe(Cli::V2)),
        ("ListAgreementInvoiceLineItems", invoices(Cli::V2)),
        (
            "ListAgreementCancellationRequests",
            requests(Cli::V2, "APPROVED"),
        ),
        ("ListBillingAdjustmentRequests", adjustments(Cli::V2)),
        ("GetAgreementTerms", terms(Cli::V2, true)),
    ] {
        let output = model["operations"][operation]["output"].as_str().unwrap();
        walk(&model, output, &value);
    }
}

#[test]
fn each_operations_output_is_recognised_by_its_shape_in_both_cli_versions() {
    for (cli, style) in [
        (Cli::V1, TimeStyle::EpochSeconds),
        (Cli::V2, TimeStyle::Iso8601),
    ] {
        let mut files = all_five(cli);
        files.push(file("terms.json", &terms(cli, false)));
        let read: Vec<_> = files.iter().map(|f| read_file(&f.text).unwrap()).collect();
        let operations: Vec<Operation> = read.iter().map(|r| r.operation).collect();
        assert_eq!(operations, Operation::IMPORTED);
        assert!(read.iter().all(|r| r.times == Some(style)));
        let counts: Vec<_> = read
            .iter()
            .map(|r| {
                let c = r.counts();
                (c.agreements, c.invoices, c.requests, c.adjustments, c.terms)
            })
            .collect();
        assert_eq!(
            counts,
            [
                (1, 0, 0, 0, 0),
                (1, 0, 0, 0, 0),
                (0, 2, 0, 0, 0),
                (0, 0, 1, 0, 0),
                (0, 0, 0, 1, 0),
                (0, 0, 0, 0, 1)
            ]
        );
    }
}

#[test]
fn importing_one_of_each_adds_records_marked_from_aws_under_their_seller() {
    let mut book = Book::default();
    let before = book.clone();
    let preview = book.preview_import(&all_five(Cli::V2));
    assert!(preview.files.iter().all(|f| f.result.is_ok()));
    assert_eq!(book, before, "a preview changes nothing");
    let a1 = agreement("agmt-aws1");
    assert_eq!(
        preview.added,
        [
            ImportItem::Agreement(a1.clone()),
            ImportItem::Invoice(a1.clone(), "2028746221".parse_id()),
            ImportItem::Request(a1.clone(), RequestId::parse("acr-aws1").unwrap()),
            ImportItem::Adjustment(a1.clone(), "ba-aws1".parse_adjustment()),
            ImportItem::Agreement(agreement("agmt-aws2")),
        ]
    );
    assert!(preview.changed.is_empty());
    assert_eq!(preview.left_out.len(), 1);
    assert_eq!(preview.left_out[0].reason, LeftOutReason::CreditMemo);
    assert_eq!(preview.new_sellers, [AccountId::parse(SELLER).unwrap()]);
    assert_eq!(preview.new_buyers, [AccountId::parse(BUYER).unwrap()]);

    let (imported, changed) = apply(&mut book, &preview).unwrap();
    assert_eq!(
        changed,
        [
            RecordKey::Agreement(a1.clone()),
            RecordKey::Agreement(agreement("agmt-aws2")),
            // The new seller and buyer: storage writes the directory too.
            RecordKey::Directory,
        ]
    );
    assert_eq!((imported.agreements, imported.directory_changed), (2, true));
    let seller = AccountId::parse(SELLER).unwrap();
    assert_eq!(book.records().of_seller(&seller).len(), 2);
    assert_eq!(
        book.directory().seller(&seller).unwrap().name,
        "AWS account 111122223333"
    );

    let record = book.record(&a1).unwrap();
    assert!(record.from_aws.agreement);
    let request = &record.requests[0];
    assert!(record.from_aws.request(&request.id));
    assert_eq!(
        request.id.as_str(),
        "acr-aws1",
        "the request keeps the ID AWS gave it"
    );
    assert_eq!(request.status, RequestStatus::PendingApproval);
    assert_eq!(record.invoices[0].charged_minor, 100_000);
    assert_eq!(record.invoices[0].refunded_minor, 10_000);
    assert!(record.from_aws.adjustment(&record.adjustments[0].id));
    assert_eq!(
        record.history.last().unwrap().action.as_ref(),
        "Imported from AWS"
    );
    assert_eq!(
        record.history.last().unwrap().reason.as_ref(),
        "Added the agreement, 1 invoice, 1 cancellation request, 1 billing adjustment."
    );
    assert!(
        record.event_count() > 0,
        "the imported request's events are in the log"
    );

    // The stored record keeps its origin, and reads back as it was.
    let stored = serde_json::to_string(record).unwrap();
    assert!(stored.contains("\"from_aws\""));
    let back: workbench_core::book::AgreementRecord = serde_json::from_str(&stored).unwrap();
    assert_eq!(&back, record);

    // The same files again change nothing.
    let again = book.preview_import(&all_five(Cli::V1));
    assert!(again.command().is_none(), "{:?}", again.changed);
    assert_eq!(again.unchanged.len(), 5);
}

#[test]
fn a_later_import_previews_what_it_would_change_and_applies_only_when_confirmed() {
    let mut book = Book::default();
    import(&mut book, &all_five(Cli::V2));
    let a1 = agreement("agmt-aws1");
    let cancelled = json!({"agreementViewSummaries": [summary(Cli::V1, "agmt-aws1", "CANCELLED")]});
    let files = [
        file("search-later.json", &cancelled),
        file("requests-later.json", &requests(Cli::V1, "APPROVED")),
    ];
    let preview = book.preview_import(&files);
    assert!(preview.added.is_empty());
    let changes: Vec<(String, Vec<FieldWords>)> = preview
        .changed
        .iter()
        .map(|c| {
            (
                c.item.to_string(),
                c.fields
                    .iter()
                    .map(|f| (f.field, f.from.clone(), f.to.clone()))
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            (
                "agreement agmt-aws1".to_string(),
                vec![("status", "Active".to_string(), "Cancelled".to_string())]
            ),
            (
                "cancellation request acr-aws1 of agreement agmt-aws1".to_string(),
                vec![(
                    "status",
                    "Pending approval".to_string(),
                    "Approved".to_string()
                )]
            ),
        ]
    );
    assert_eq!(
        book.record(&a1).unwrap().agreement.status,
        AgreementStatus::Active,
        "nothing replaced before the person confirms"
    );
    apply(&mut book, &preview).unwrap();
    let record = book.record(&a1).unwrap();
    assert_eq!(record.agreement.status, AgreementStatus::Cancelled);
    assert_eq!(record.requests[0].status, RequestStatus::Approved);
}

#[test]
fn a_preview_overtaken_by_another_change_applies_nothing() {
    let mut book = Book::default();
    import(&mut book, &all_five(Cli::V2));
    let cancelled = json!({"agreementViewSummaries": [summary(Cli::V2, "agmt-aws1", "CANCELLED")]});
    let stale = book.preview_import(&[
        file("later.json", &cancelled),
        file("requests.json", &requests(Cli::V2, "APPROVED")),
    ]);
    let withdraw = WithdrawCancellation {
        agreement_id: agreement("agmt-aws1"),
        request_id: RequestId::parse("acr-aws1").unwrap(),
        reason: "Sent to the wrong buyer".into(),
    };
    let seller = Actor::Seller(AccountId::parse(SELLER).unwrap());
    book.apply(withdraw, &seller, now(), &mut SequentialIds::default())
        .unwrap();
    let before = book.clone();
    assert_eq!(
        apply(&mut book, &stale),
        Err(DomainError::ImportOutdated(agreement("agmt-aws1")))
    );
    assert_eq!(book, before);
}

#[test]
fn a_missing_required_member_refuses_the_file_with_its_field() {
    let mut bad = adjustments(Cli::V2);
    bad["items"][0]
        .as_object_mut()
        .unwrap()
        .remove("currencyCode");
    match read_file(&bad.to_string()) {
        Err(FileError::DoesNotFit {
            operation,
            problems,
        }) => {
            assert_eq!(operation, Operation::ListBillingAdjustmentRequests);
            assert_eq!(problems[0].path, "items[0].currencyCode");
            assert_eq!(problems[0].problem, Problem::Missing);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_wrong_enum_value_refuses_the_file_and_says_what_the_model_allows() {
    let bad = json!({"agreementViewSummaries": [
        summary(Cli::V2, "agmt-1", "ACTIVE"),
        summary(Cli::V2, "agmt-2", "ACTIVE"),
        summary(Cli::V2, "agmt-3", "Cancelled"),
    ]});
    let error = read_file(&bad.to_string()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "It does not fit the service model's output of search-agreements: \
         agreementViewSummaries[2].status: \"Cancelled\" is not one of ACTIVE, ARCHIVED, \
         CANCELLED, EXPIRED, RENEWED, REPLACED, ROLLED_BACK, SUPERSEDED, TERMINATED"
    );
}

#[test]
fn the_output_of_another_operation_is_not_guessed_at() {
    let other = json!({"Reservations": [{"Instances": []}]});
    let error = read_file(&other.to_string()).unwrap_err();
    assert!(matches!(error, FileError::UnknownOperation(_)));
    assert!(
        error
            .to_string()
            .contains("none of its fields (Reservations)"),
        "{error}"
    );
}

#[test]
fn a_file_that_fits_but_holds_what_the_workbench_cannot_keep_is_refused_whole() {
    let mut odd = search(Cli::V2);
    odd["agreementViewSummaries"][0]["proposalSummary"]["offerId"] = json!("my-offer");
    let error = read_file(&odd.to_string()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "It fits the output of search-agreements, but the workbench cannot keep \
         agreementViewSummaries[0].proposalSummary.offerId: An offer ID starts with offer- \
         followed by letters and digits."
    );
}

#[test]
fn a_mix_of_files_imports_the_good_ones_whole_and_nothing_of_the_bad() {
    let mut wrong = requests(Cli::V1, "APPROVED");
    wrong["items"][0]["reasonCode"] = json!("CHANGED_MY_MIND");
    let files = [
        file("search.json", &search(Cli::V1)),
        file("requests.json", &wrong),
        file("ec2.json", &json!({"Reservations": []})),
        AwsFile {
            name: "pasted text".into(),
            text: "aws: error: argument --agreement-id is required".into(),
        },
        file("invoices.json", &invoices(Cli::V2)),
    ];
    let book = Book::default();
    let preview = book.preview_import(&files);
    let accepted: Vec<&str> = preview
        .files
        .iter()
        .filter(|f| f.result.is_ok())
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(accepted, ["search.json", "invoices.json"]);
    assert!(matches!(
        &preview.files[1].result,
        Err(FileError::DoesNotFit { problems, .. }) if problems[0].path == "items[0].reasonCode"
    ));
    assert!(matches!(
        preview.files[2].result,
        Err(FileError::UnknownOperation(_))
    ));
    assert!(matches!(
        preview.files[3].result,
        Err(FileError::NotJson(_))
    ));
    let a1 = agreement("agmt-aws1");
    assert_eq!(
        preview.added,
        [
            ImportItem::Agreement(a1.clone()),
            ImportItem::Invoice(a1, "2028746221".parse_id()),
        ]
    );
}

#[test]
fn requests_and_refunds_of_agreements_the_workbench_does_not_know_are_left_out_with_why() {
    let book = Book::default();
    let preview = book.preview_import(&[
        file("requests.json", &requests(Cli::V2, "PENDING_APPROVAL")),
        file(
            "search.json",
            &json!({"agreementViewSummaries": [summary(Cli::V2, "agmt-other", "ACTIVE")]}),
        ),
    ]);
    assert_eq!(preview.left_out.len(), 1);
    assert_eq!(preview.left_out[0].reason, LeftOutReason::NoAgreement);
    let preview = book.preview_import(&[
        file("search.json", &search(Cli::V2)),
        file("adjustments.json", &adjustments(Cli::V2)),
    ]);
    assert_eq!(
        preview.left_out[0].reason,
        LeftOutReason::NoInvoice("2028746221".parse_id())
    );
    assert!(preview.left_out[0]
        .reason
        .to_string()
        .contains("import list-agreement-invoice-line-items"));
}

#[test]
fn an_import_that_would_break_a_rule_leaves_that_agreement_out() {
    let mut book = Book::default();
    import(&mut book, &all_five(Cli::V2));
    // A second pending request on one agreement is something no agreement can have.
    let mut second = requests(Cli::V2, "PENDING_APPROVAL");
    second["items"][0]["agreementCancellationRequestId"] = json!("acr-aws2");
    let preview = book.preview_import(&[file("second.json", &second)]);
    assert!(preview.command().is_none());
    assert!(matches!(
        &preview.left_out[0].reason,
        LeftOutReason::BreaksRule(rule) if rule.to_string().contains("more than one pending")
    ));
}

trait ParseIds {
    fn parse_id(&self) -> workbench_core::ids::InvoiceId;
    fn parse_adjustment(&self) -> workbench_core::ids::AdjustmentId;
}

impl ParseIds for str {
    fn parse_id(&self) -> workbench_core::ids::InvoiceId {
        workbench_core::ids::InvoiceId::parse(self).unwrap()
    }
    fn parse_adjustment(&self) -> workbench_core::ids::AdjustmentId {
        workbench_core::ids::AdjustmentId::parse(self).unwrap()
    }
}

#[test]
fn an_agreement_imported_without_its_terms_says_its_pricing_is_not_known() {
    let mut book = Book::default();
    import(&mut book, &[file("describe.json", &describe(Cli::V2))]);
    let record = book.record(&agreement("agmt-aws2")).unwrap();
    assert_eq!(record.agreement.pricing, PricingModel::Unknown);
    assert_eq!(record.agreement.free_trial_converted, None);
}

#[test]
fn terms_imported_with_their_agreement_give_its_pricing_and_free_trial_in_both_cli_versions() {
    for cli in [Cli::V1, Cli::V2] {
        let mut book = Book::default();
        import(
            &mut book,
            &[
                file("describe.json", &describe(cli)),
                file("terms.json", &terms(cli, false)),
            ],
        );
        let a = &book.record(&agreement("agmt-aws2")).unwrap().agreement;
        assert_eq!(a.pricing, PricingModel::Usage);
        let converted: DateTime<Utc> = "2025-01-31T00:00:00Z".parse().unwrap();
        assert_eq!(a.free_trial_converted, Some(converted));
    }
}

#[test]
fn terms_named_after_a_known_agreement_change_its_pricing_in_the_preview() {
    let mut book = Book::default();
    import(&mut book, &[file("describe.json", &describe(Cli::V2))]);
    let preview = book.preview_import(&[file("agmt-aws2-terms.json", &terms(Cli::V1, true))]);
    assert_eq!(preview.changed.len(), 1);
    assert_eq!(
        preview.changed[0].item,
        ImportItem::Terms(agreement("agmt-aws2"))
    );
    let pricing = &preview.changed[0].fields[0];
    assert_eq!(
        (pricing.field, pricing.from.as_str(), pricing.to.as_str()),
        ("pricing", PricingModel::Unknown.label(), "Contract")
    );
    apply(&mut book, &preview).unwrap();
    let a = &book.record(&agreement("agmt-aws2")).unwrap().agreement;
    assert_eq!(a.pricing, PricingModel::Contract);
}

#[test]
fn terms_that_name_no_agreement_are_refused_whole_and_say_how_to_name_one() {
    let book = Book::default();
    let preview = book.preview_import(&[file("terms.json", &terms(Cli::V2, false))]);
    assert_eq!(
        preview.files[0].result,
        Err(FileError::TermsOfWhichAgreement)
    );
    assert!(preview.command().is_none());
    let unknown = book.preview_import(&[file("agmt-elsewhere.json", &terms(Cli::V2, false))]);
    assert_eq!(
        unknown.left_out[0].item,
        ImportItem::Terms(agreement("agmt-elsewhere"))
    );
    assert_eq!(unknown.left_out[0].reason, LeftOutReason::NoAgreement);
}

#[test]
fn a_described_free_trials_end_is_its_conversion() {
    let mut output = describe(Cli::V1);
    output["freeTrialSummary"] = json!({"trialEndTime": at(Cli::V1, "2025-02-15T00:00:00Z")});
    let mut book = Book::default();
    import(&mut book, &[file("describe.json", &output)]);
    let a = &book.record(&agreement("agmt-aws2")).unwrap().agreement;
    assert_eq!(
        a.free_trial_converted,
        Some("2025-02-15T00:00:00Z".parse().unwrap())
    );
}

/// Fuzzing the import: it reads files a person chooses, and the release build aborts on a
/// panic. 100,000 mutations of every operation's output in both CLI versions, a few
/// mutations each (values of other types, members missing and added, truncated and edited
/// text, deep nesting, huge numbers, long strings), in four quarters of 25,000 that run
/// side by side, read 500 files to a preview; none may
/// panic, each file is refused whole with its field and reason or read whole, and what the
/// preview would import keeps every rule of the book. Deterministic (a fixed xorshift
/// seed), so a failure names the case that reproduces it.
mod fuzz {
    use super::*;

    /// Each quarter's; 100,000 in all.
    const CASES: usize = 25_000;
    const PER_PREVIEW: usize = 500;

    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    fn seeds() -> Vec<Value> {
        let mut seeds = Vec::new();
        for cli in [Cli::V1, Cli::V2] {
            seeds.extend([
                search(cli),
                describe(cli),
                invoices(cli),
                requests(cli, "APPROVED"),
                requests(cli, "PENDING_APPROVAL"),
                adjustments(cli),
                terms(cli, false),
                terms(cli, true),
            ]);
        }
        seeds
    }

    /// A value of any type, some of them extreme.
    fn odd_value(rng: &mut Rng) -> Value {
        match rng.below(12) {
            0 => Value::Null,
            1 => json!(rng.below(2) == 0),
            2 => json!(1e308),
            3 => json!(-1.5e300),
            4 => json!(u64::MAX),
            5 => json!(i64::MIN),
            // Past every length the model allows (4,096 at most).
            6 => json!("x".repeat(5_000)),
            7 => json!("日本語\u{0}\u{202e}".repeat(1 + rng.below(1_200))),
            8 => json!([]),
            9 => json!({}),
            10 => json!(["ACTIVE", 1, null]),
            _ => json!("2025-13-45T99:99:99Z"),
        }
    }

    /// The paths of every node, as keys and indexes from the top.
    fn paths(value: &Value, at: Vec<Value>, out: &mut Vec<Vec<Value>>) {
        out.push(at.clone());
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    let mut next = at.clone();
                    next.push(json!(k));
                    paths(v, next, out);
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    let mut next = at.clone();
                    next.push(json!(i));
                    paths(v, next, out);
                }
            }
            _ => {}
        }
    }

    fn node<'a>(value: &'a mut Value, path: &[Value]) -> &'a mut Value {
        path.iter().fold(value, |v, step| match step {
            Value::String(k) => &mut v[k.as_str()],
            _ => &mut v[step.as_u64().unwrap() as usize],
        })
    }

    fn mutate(value: &mut Value, rng: &mut Rng) {
        let mut all = Vec::new();
        paths(value, Vec::new(), &mut all);
        let path = all[rng.below(all.len())].clone();
        let target = node(value, &path);
        match rng.below(6) {
            0 | 1 => *target = odd_value(rng),
            2 => {
                if let Value::Object(map) = target {
                    let keys: Vec<String> = map.keys().cloned().collect();
                    if !keys.is_empty() {
                        map.remove(&keys[rng.below(keys.len())]);
                    }
                }
            }
            3 => {
                let names = [
                    "agreementId",
                    "status",
                    "items",
                    "acceptedTerms",
                    "extra",
                    "NextToken",
                ];
                if let Value::Object(map) = target {
                    map.insert(names[rng.below(names.len())].into(), odd_value(rng));
                }
            }
            4 => {
                for _ in 0..(1 + rng.below(200)) {
                    *target = json!([target.take()]);
                }
            }
            _ => {
                if let Value::Array(items) = target {
                    if let Some(first) = items.first().cloned() {
                        items.extend(std::iter::repeat_n(first, rng.below(60)));
                    }
                }
            }
        }
    }

    /// Text-level damage: cut short, or one character replaced.
    fn damage(text: &mut String, rng: &mut Rng) {
        let cut = text
            .char_indices()
            .map(|(i, _)| i)
            .nth(rng.below(text.chars().count()))
            .unwrap_or(0);
        if rng.below(2) == 0 {
            text.truncate(cut);
        } else {
            let replacement = ['"', '{', ']', ',', '0', 'é', '\\'][rng.below(7)];
            text.replace_range(
                cut..cut + text[cut..].chars().next().map_or(0, char::len_utf8),
                &replacement.to_string(),
            );
        }
    }

    fn case(seeds: &[Value], rng: &mut Rng) -> AwsFile {
        let mut value = seeds[rng.below(seeds.len())].clone();
        for _ in 0..(1 + rng.below(3)) {
            mutate(&mut value, rng);
        }
        let mut text = serde_json::to_string(&value).unwrap();
        if rng.below(5) == 0 {
            damage(&mut text, rng);
        }
        // Half of them named after an agreement, so terms files are placed.
        let name = if rng.below(2) == 0 {
            "agmt-aws2.json"
        } else {
            "f.json"
        };
        AwsFile {
            name: name.into(),
            text,
        }
    }

    fn check_refusal(error: &FileError) {
        match error {
            FileError::DoesNotFit { problems, .. } => {
                assert!(!problems.is_empty());
                assert!(problems.iter().all(|p| !p.to_string().is_empty()));
            }
            FileError::Unusable { path, reason, .. } => {
                assert!(!path.is_empty() && !reason.is_empty(), "{error}")
            }
            _ => assert!(!error.to_string().is_empty()),
        }
    }

    // Four quarters, which the test harness runs side by side.
    #[test]
    fn mutated_cli_outputs_first_quarter() {
        run(0x9E37_79B9_7F4A_7C15);
    }

    #[test]
    fn mutated_cli_outputs_second_quarter() {
        run(0x2545_F491_4F6C_DD1D);
    }

    #[test]
    fn mutated_cli_outputs_third_quarter() {
        run(0x5851_F42D_4C95_7F2D);
    }

    #[test]
    fn mutated_cli_outputs_fourth_quarter() {
        run(0x1405_7B7E_F767_814F);
    }

    fn run(seed: u64) {
        let seeds = seeds();
        let mut rng = Rng(seed);
        let mut base = Book::default();
        import(&mut base, &[file("describe.json", &describe(Cli::V2))]);
        let (mut read, mut refused) = (0, 0);
        for chunk in 0..CASES / PER_PREVIEW {
            let files: Vec<AwsFile> = (0..PER_PREVIEW).map(|_| case(&seeds, &mut rng)).collect();
            let preview = std::panic::catch_unwind(|| base.preview_import(&files));
            let Ok(preview) = preview else {
                for (i, f) in files.iter().enumerate() {
                    if std::panic::catch_unwind(|| read_file(&f.text)).is_err() {
                        let shown: String = f.text.chars().take(2_000).collect();
                        panic!("case {} of chunk {chunk} panics: {shown}", i);
                    }
                }
                panic!("chunk {chunk} panics in the preview, though no file alone does");
            };
            for report in &preview.files {
                match &report.result {
                    Ok(_) => read += 1,
                    Err(error) => {
                        check_refusal(error);
                        refused += 1;
                    }
                }
            }
            if let Some(command) = preview.command() {
                let mut book = base.clone();
                let seller = Actor::Seller(AccountId::parse(SELLER).unwrap());
                if book
                    .apply(command, &seller, now(), &mut SequentialIds::default())
                    .is_ok()
                {
                    for v in book.records().values() {
                        assert_eq!(v.record.check(), Ok(()), "chunk {chunk}");
                    }
                }
            }
        }
        assert_eq!(read + refused, CASES);
        assert!(
            read > CASES / 20 && refused > CASES / 2,
            "{read} read, {refused} refused"
        );
    }
}
