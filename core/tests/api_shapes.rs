//! The API export checked against the AWS SDK's own service model for the Agreement API
//! (the shapes in `fixtures/agreement-api-shapes.json`, taken from botocore): no field the
//! model lacks, every required field present, every enum, pattern and length respected.

use chrono::{DateTime, Duration, TimeZone, Utc};
use regex::Regex;
use serde_json::Value;
use workbench_core::adjustment::{AdjustmentEntry, AdjustmentReasonCode, Invoice};
use workbench_core::api;
use workbench_core::aws::cli::AgreementAction;
use workbench_core::book::*;
use workbench_core::cancellation::{AdditionalDetails, CancellationReasonCode, PricingModel};
use workbench_core::ids::*;
use workbench_core::money::Currency;

fn model() -> Value {
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/agreement-api-shapes.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    serde_json::from_str::<Value>(&text).unwrap()["shapes"].clone()
}

fn check(shapes: &Value, name: &str, value: &Value, path: &str) -> Vec<String> {
    let shape = &shapes[name];
    let mut problems = Vec::new();
    match shape["type"].as_str().unwrap() {
        "structure" => {
            let Some(object) = value.as_object() else {
                return vec![format!("{path}: not an object")];
            };
            let members = shape["members"].as_object().unwrap();
            for (key, field) in object {
                match members.get(key) {
                    Some(member) => problems.extend(check(
                        shapes,
                        member["shape"].as_str().unwrap(),
                        field,
                        &format!("{path}.{key}"),
                    )),
                    None => problems.push(format!("{path}.{key}: not in the model")),
                }
            }
            for required in shape["required"].as_array().into_iter().flatten() {
                if !object.contains_key(required.as_str().unwrap()) {
                    problems.push(format!("{path}.{required}: required and missing"));
                }
            }
        }
        "list" => {
            for (i, item) in value.as_array().into_iter().flatten().enumerate() {
                problems.extend(check(
                    shapes,
                    shape["member"]["shape"].as_str().unwrap(),
                    item,
                    &format!("{path}[{i}]"),
                ));
            }
        }
        "string" => {
            let Some(text) = value.as_str() else {
                return vec![format!("{path}: not a string")];
            };
            let length = text.chars().count() as u64;
            if shape["min"].as_u64().is_some_and(|min| length < min)
                || shape["max"].as_u64().is_some_and(|max| length > max)
            {
                problems.push(format!(
                    "{path}: length {length} outside the model's limits"
                ));
            }
            if let Some(pattern) = shape["pattern"].as_str() {
                if !Regex::new(&format!("^(?:{pattern})$"))
                    .unwrap()
                    .is_match(text)
                {
                    problems.push(format!("{path}: {text:?} does not match {pattern}"));
                }
            }
            if let Some(values) = shape["enum"].as_array() {
                if !values.iter().any(|v| v == text) {
                    problems.push(format!("{path}: {text:?} is not one of the model's values"));
                }
            }
        }
        "timestamp" => {
            if value
                .as_str()
                .and_then(|t| t.parse::<DateTime<Utc>>().ok())
                .is_none()
            {
                problems.push(format!("{path}: not an ISO-8601 timestamp"));
            }
        }
        "boolean" => {
            if !value.is_boolean() {
                problems.push(format!("{path}: not true or false"));
            }
        }
        other => problems.push(format!("{path}: unexpected shape type {other}")),
    }
    problems
}

fn t(hours: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap() + Duration::hours(hours)
}

/// A seller's book of 60 agreements with a request in every status and adjustments in every
/// status: pending, withdrawn, rejected, approved and failed requests (the fifth kind of
/// agreement has a renewal); completed refunds on paid invoices, failed ones on unpaid
/// invoices, and one still pending.
fn busy_book() -> (Book, AccountId, BatchResult) {
    let seller = AccountId::parse("111122223333").unwrap();
    let buyer = AccountId::parse("444455556666").unwrap();
    let mut book = Book::default();
    for i in 0..60 {
        book.insert(AgreementRecord::new(
            Agreement {
                id: AgreementId::parse(&format!("agmt-{i}")).unwrap(),
                seller: seller.clone(),
                buyer: buyer.clone(),
                product: ProductId::parse("prod-1").unwrap(),
                offer: OfferId::parse("offer-1").unwrap(),
                status: AgreementStatus::Active,
                start: t(-1000),
                end: None,
                renewal: (i % 5 == 4).then(|| AgreementId::parse(&format!("agmt-{i}r")).unwrap()),
                pricing: PricingModel::ALL[i % 3],
                free_trial_converted: None,
                cancelled_by_buyer: None,
            },
            vec![Invoice {
                id: InvoiceId::parse(&format!("inv-{i}")).unwrap(),
                currency: Currency::USD,
                charged_minor: 50_000,
                refunded_minor: 0,
                issued_at: t(-500),
                paid: i % 2 == 0,
            }],
        ));
    }
    let mut ids = SequentialIds::default();
    let s = Actor::Seller(seller.clone());
    let b = Actor::Buyer(buyer.clone());
    let mut last = None;
    for i in 0..60 {
        let agreement_id = AgreementId::parse(&format!("agmt-{i}")).unwrap();
        let send = SendCancellation {
            agreement_id: agreement_id.clone(),
            reason_code: Some(CancellationReasonCode::ALL[i % 8]),
            description: format!("Replacing agreement {i} with a new private offer"),
            details: AdditionalDetails::default(),
            client_token: ClientToken::parse(&format!("form-{i}")).unwrap(),
        };
        let (request_id, _) = book.apply(send, &s, t(0), &mut ids).unwrap();
        match i % 5 {
            1 => {
                let withdraw = WithdrawCancellation {
                    agreement_id: agreement_id.clone(),
                    request_id,
                    reason: "Sent to the wrong buyer".into(),
                };
                book.apply(withdraw, &s, t(1), &mut ids).unwrap();
            }
            2 => {
                let reject = RejectCancellation {
                    agreement_id: agreement_id.clone(),
                    request_id,
                    reason: "We still use it every day".into(),
                };
                book.apply(reject, &b, t(1), &mut ids).unwrap();
            }
            3 => {
                let accept = AcceptCancellation {
                    agreement_id: agreement_id.clone(),
                    request_id,
                };
                book.apply(accept, &b, t(1), &mut ids).unwrap();
            }
            _ => {}
        }
        let batch = BatchCreateAdjustments {
            entries: vec![
                AdjustmentEntry {
                    agreement_id: agreement_id.to_string(),
                    invoice_id: format!("inv-{i}"),
                    amount: "125.50".into(),
                    currency: "USD".into(),
                    reason_code: Some(AdjustmentReasonCode::ALL[i % 7]),
                    description: "Overcharged for January".into(),
                    client_token: format!("ba-form-{i}"),
                },
                AdjustmentEntry {
                    agreement_id: agreement_id.to_string(),
                    invoice_id: "inv-none".into(),
                    amount: "1".into(),
                    currency: "USD".into(),
                    reason_code: Some(AdjustmentReasonCode::Other),
                    description: "x".into(),
                    client_token: format!("ba-bad-{i}"),
                },
            ],
        };
        let (result, _) = book.apply(batch, &s, t(2), &mut ids).unwrap();
        last = Some(result);
    }
    book.advance_to(t(100));
    let one_more = BatchCreateAdjustments {
        entries: vec![AdjustmentEntry {
            agreement_id: "agmt-0".into(),
            invoice_id: "inv-0".into(),
            amount: "10".into(),
            currency: "USD".into(),
            reason_code: Some(AdjustmentReasonCode::Other),
            description: "Goodwill credit agreed on the phone".into(),
            client_token: "ba-late".into(),
        }],
    };
    book.apply(one_more, &s, t(100), &mut ids).unwrap();
    (book, seller, last.unwrap())
}

#[test]
fn exported_requests_and_adjustments_match_the_get_outputs() {
    let shapes = model();
    let (book, seller, _) = busy_book();
    let export = serde_json::to_value(api::export(&book, &seller)).unwrap();
    let requests = export["agreementCancellationRequests"].as_array().unwrap();
    let adjustments = export["billingAdjustmentRequests"].as_array().unwrap();
    assert_eq!((requests.len(), adjustments.len()), (60, 61));
    let statuses = |items: &Vec<Value>| {
        items
            .iter()
            .map(|r| r["status"].as_str().unwrap().to_string())
            .collect::<std::collections::BTreeSet<_>>()
    };
    assert_eq!(
        statuses(requests),
        enum_of(&shapes, "AgreementCancellationRequestStatus")
            .into_iter()
            .collect()
    );
    assert_eq!(
        statuses(adjustments),
        enum_of(&shapes, "BillingAdjustmentStatus")
            .into_iter()
            .collect()
    );
    let mut problems = Vec::new();
    for (i, r) in requests.iter().enumerate() {
        problems.extend(check(
            &shapes,
            "GetAgreementCancellationRequestOutput",
            r,
            &format!("request[{i}]"),
        ));
    }
    for (i, a) in adjustments.iter().enumerate() {
        problems.extend(check(
            &shapes,
            "GetBillingAdjustmentRequestOutput",
            a,
            &format!("adjustment[{i}]"),
        ));
    }
    assert_eq!(problems, Vec::<String>::new());
}

#[test]
fn a_batch_result_matches_the_batch_output() {
    let (_, _, result) = busy_book();
    let output = serde_json::to_value(api::BatchOutput::from(&result)).unwrap();
    assert_eq!(output["items"].as_array().unwrap().len(), 1);
    assert_eq!(output["errors"][0]["code"], "RESOURCE_NOT_FOUND_EXCEPTION");
    assert_eq!(
        check(
            &model(),
            "BatchCreateBillingAdjustmentRequestOutput",
            &output,
            "batch"
        ),
        Vec::<String>::new()
    );
}

#[test]
fn list_pages_match_the_list_outputs_and_hold_at_most_50() {
    let shapes = model();
    let (book, seller, _) = busy_book();
    let first =
        serde_json::to_value(api::list_cancellation_requests(&book, &seller, None)).unwrap();
    assert_eq!(first["items"].as_array().unwrap().len(), 50);
    let token = first["nextToken"].as_str().unwrap().to_string();
    let second = serde_json::to_value(api::list_cancellation_requests(
        &book,
        &seller,
        Some(&token),
    ))
    .unwrap();
    assert_eq!(second["items"].as_array().unwrap().len(), 10);
    assert!(second.get("nextToken").is_none());
    let adjustments =
        serde_json::to_value(api::list_billing_adjustments(&book, &seller, None)).unwrap();
    let mut problems = check(
        &shapes,
        "ListAgreementCancellationRequestsOutput",
        &first,
        "list",
    );
    problems.extend(check(
        &shapes,
        "ListAgreementCancellationRequestsOutput",
        &second,
        "list2",
    ));
    problems.extend(check(
        &shapes,
        "ListBillingAdjustmentRequestsOutput",
        &adjustments,
        "adjustments",
    ));
    assert_eq!(problems, Vec::<String>::new());
}

#[test]
fn the_checker_catches_what_the_model_forbids() {
    let shapes = model();
    let bad = serde_json::json!({
        "agreementCancellationRequestId": "req-1",
        "status": "DONE",
        "statusMessage": "",
        "extra": 1
    });
    let problems = check(
        &shapes,
        "GetAgreementCancellationRequestOutput",
        &bad,
        "bad",
    );
    assert_eq!(problems.len(), 4, "{problems:?}");
}

fn enum_of(shapes: &Value, name: &str) -> Vec<String> {
    shapes[name]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

fn max_of(shapes: &Value, name: &str) -> usize {
    shapes[name]["max"].as_u64().unwrap() as usize
}

#[test]
fn every_enum_the_workbench_uses_has_exactly_the_models_values() {
    use workbench_core::adjustment::{AdjustmentStatus, BatchErrorCode};
    use workbench_core::cancellation::RequestStatus;
    let shapes = model();
    let codes = |all: Vec<&str>| all.into_iter().map(String::from).collect::<Vec<_>>();
    assert_eq!(
        codes(CancellationReasonCode::ALL.map(|c| c.code()).to_vec()),
        enum_of(&shapes, "AgreementCancellationRequestReasonCode")
    );
    assert_eq!(
        codes(AdjustmentReasonCode::ALL.map(|c| c.code()).to_vec()),
        enum_of(&shapes, "BillingAdjustmentReasonCode")
    );
    let statuses = [
        RequestStatus::PendingApproval,
        RequestStatus::Approved,
        RequestStatus::Rejected,
        RequestStatus::Cancelled,
        RequestStatus::ValidationFailed,
    ];
    assert_eq!(
        codes(statuses.map(|s| s.code()).to_vec()),
        enum_of(&shapes, "AgreementCancellationRequestStatus")
    );
    let statuses = [
        AdjustmentStatus::Pending,
        AdjustmentStatus::ValidationFailed,
        AdjustmentStatus::Completed,
    ];
    assert_eq!(
        codes(statuses.map(|s| s.code()).to_vec()),
        enum_of(&shapes, "BillingAdjustmentStatus")
    );
    assert_eq!(
        codes(AgreementStatus::ALL.map(|s| s.code()).to_vec()),
        enum_of(&shapes, "AgreementStatus")
    );
    let errors = [
        BatchErrorCode::ConflictException,
        BatchErrorCode::ValidationException,
        BatchErrorCode::ResourceNotFoundException,
        BatchErrorCode::InternalFailure,
    ]
    .map(|c| c.code().to_string());
    assert_eq!(
        errors.to_vec(),
        enum_of(&shapes, "BillingAdjustmentErrorCode")
    );
}

#[test]
fn the_workbench_limits_are_the_models() {
    use workbench_core::{adjustment, cancellation};
    let shapes = model();
    assert_eq!(
        cancellation::DESCRIPTION_MAX,
        max_of(&shapes, "AgreementCancellationRequestDescription")
    );
    assert_eq!(
        cancellation::DESCRIPTION_MAX,
        max_of(&shapes, "AgreementCancellationRequestRejectionReason")
    );
    assert_eq!(
        cancellation::DESCRIPTION_MAX,
        max_of(&shapes, "AgreementCancellationRequestCancellationReason")
    );
    assert_eq!(
        adjustment::DESCRIPTION_MAX,
        max_of(&shapes, "BillingAdjustmentDescription")
    );
    assert_eq!(PAGE_MAX, max_of(&shapes, "MaxResults"));
    // What the commands ask for is what the operations require.
    let required = |name: &str| {
        shapes[name]["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        required("RejectAgreementCancellationRequestInput"),
        [
            "agreementId",
            "agreementCancellationRequestId",
            "rejectionReason"
        ]
    );
    assert_eq!(
        required("CancelAgreementCancellationRequestInput"),
        [
            "agreementId",
            "agreementCancellationRequestId",
            "cancellationReason"
        ]
    );
}

/// The model's own rule for an identifier: its pattern over the whole text, and its lengths.
fn model_accepts(shapes: &Value, name: &str, text: &str) -> bool {
    let shape = &shapes[name];
    let length = text.chars().count() as u64;
    let pattern = Regex::new(&format!("^(?:{})$", shape["pattern"].as_str().unwrap())).unwrap();
    shape["min"].as_u64().is_none_or(|min| length >= min)
        && shape["max"].as_u64().is_none_or(|max| length <= max)
        && pattern.is_match(text)
}

proptest::proptest! {
    #[test]
    fn identifiers_accept_exactly_what_the_model_accepts(
        prefix in proptest::sample::select(vec!["", "acr-", "ba-", "agmt-", "a"]),
        body in "[a-zA-Z0-9_/.-]{0,70}",
    ) {
        let shapes = model();
        let text = format!("{prefix}{body}");
        proptest::prop_assert_eq!(
            RequestId::parse(&text).is_ok(),
            model_accepts(&shapes, "AgreementCancellationRequestId", &text)
        );
        proptest::prop_assert_eq!(
            AdjustmentId::parse(&text).is_ok(),
            model_accepts(&shapes, "BillingAdjustmentRequestId", &text)
        );
        proptest::prop_assert_eq!(
            AgreementId::parse(&text).is_ok(),
            model_accepts(&shapes, "AgreementId", &text)
        );
        proptest::prop_assert_eq!(
            ClientToken::parse(&text).is_ok(),
            model_accepts(&shapes, "ClientToken", &text)
        );
    }
}

/// The fixture's operations map: an operation's input shape.
fn input_of(operation: &str) -> String {
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/agreement-api-shapes.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let file: Value = serde_json::from_str(&text).unwrap();
    file["operations"][operation]["input"]
        .as_str()
        .unwrap()
        .to_string()
}

/// What a POSIX shell passes to `aws` as the `--cli-input-json` argument of a command line:
/// a real `sh` parses the line, with `aws` a function that prints its fourth argument.
fn shell_argument(line: &str) -> String {
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("aws() {{ printf '%s' \"$4\"; }}\n{line}"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{line}");
    String::from_utf8(output.stdout).unwrap()
}

/// A book holding one agreement imported from AWS with a pending request AWS made, and one
/// made in the workbench with a request the workbench made.
fn book_with_an_aws_request() -> (Book, AgreementId, RequestId, RequestId) {
    use workbench_core::aws::import::AwsFile;
    let summary = |id: &str| {
        serde_json::json!({
            "agreementId": id,
            "startTime": "2026-01-01T00:00:00+00:00",
            "acceptor": {"accountId": "444455556666"},
            "proposer": {"accountId": "111122223333"},
            "proposalSummary": {"resources": [{"id": "prod-1", "type": "SaaSProduct"}], "offerId": "offer-1"},
            "status": "ACTIVE"
        })
    };
    let files = [
        serde_json::json!({"agreementViewSummaries": [summary("agmt-aws"), summary("agmt-local")]}),
        serde_json::json!({"agreementInvoiceLineItemGroupSummaries": [{
            "agreementId": "agmt-aws", "invoiceId": "2028746221", "issuedTime": 1767225600,
            "pricingCurrencyAmount": {"amount": "500.00", "maxAdjustmentAmount": "500.00", "currencyCode": "USD"}
        }]}),
        serde_json::json!({"items": [{
            "agreementCancellationRequestId": "acr-fromaws", "agreementId": "agmt-aws",
            "status": "PENDING_APPROVAL", "reasonCode": "TEST_AGREEMENT",
            "createdAt": 1772355600, "updatedAt": 1772355600
        }]}),
    ]
    .map(|v| AwsFile {
        name: "f.json".into(),
        text: v.to_string(),
    });
    let mut book = Book::default();
    let seller = Actor::Seller(AccountId::parse("111122223333").unwrap());
    let mut ids = SequentialIds::default();
    let command = book.preview_import(&files).command().unwrap();
    book.apply(command, &seller, t(0), &mut ids).unwrap();
    let local = AgreementId::parse("agmt-local").unwrap();
    let send = SendCancellation {
        agreement_id: local.clone(),
        reason_code: Some(CancellationReasonCode::TestAgreement),
        description: "Made by our QA team".into(),
        details: AdditionalDetails::default(),
        client_token: ClientToken::parse("form-1").unwrap(),
    };
    let (made_here, _) = book.apply(send, &seller, t(1), &mut ids).unwrap();
    (
        book,
        AgreementId::parse("agmt-aws").unwrap(),
        RequestId::parse("acr-fromaws").unwrap(),
        made_here,
    )
}

/// Every command the workbench would send for an AWS agreement, each with `reason` as its
/// free text.
fn every_action(
    agreement: &AgreementId,
    request: &RequestId,
    reason: &str,
) -> Vec<AgreementAction> {
    vec![
        AgreementAction::Send(SendCancellation {
            agreement_id: agreement.clone(),
            reason_code: Some(CancellationReasonCode::ReplacingAgreement),
            description: reason.into(),
            details: AdditionalDetails::default(),
            client_token: ClientToken::parse("form-7f3a").unwrap(),
        }),
        AgreementAction::Withdraw(WithdrawCancellation {
            agreement_id: agreement.clone(),
            request_id: request.clone(),
            reason: reason.into(),
        }),
        AgreementAction::Accept(AcceptCancellation {
            agreement_id: agreement.clone(),
            request_id: request.clone(),
        }),
        AgreementAction::Reject(RejectCancellation {
            agreement_id: agreement.clone(),
            request_id: request.clone(),
            reason: reason.into(),
        }),
        AgreementAction::Refund(BatchCreateAdjustments {
            entries: vec![
                AdjustmentEntry {
                    agreement_id: agreement.to_string(),
                    invoice_id: "2028746221".into(),
                    amount: "125.50".into(),
                    currency: "USD".into(),
                    reason_code: Some(AdjustmentReasonCode::IncorrectMetering),
                    description: reason.chars().take(500).collect(),
                    client_token: "ba-form-1".into(),
                },
                AdjustmentEntry {
                    agreement_id: agreement.to_string(),
                    invoice_id: "2028746221".into(),
                    amount: "3".into(),
                    currency: "USD".into(),
                    reason_code: Some(AdjustmentReasonCode::Other),
                    description: "Goodwill".into(),
                    client_token: "ba-form-2".into(),
                },
            ],
        }),
        AgreementAction::BuyerCancel(CancelAgreementAsBuyer {
            agreement_id: agreement.clone(),
            reason: Some(reason.into()),
        }),
    ]
}

/// The command's JSON, as the shell hands it to the CLI, parses, validates against the
/// operation's input shape, and carries the workbench's own values and client tokens.
fn check_command(book: &Book, action: &AgreementAction) -> Result<(), String> {
    let cli = workbench_core::aws::cli::command_for(book, action).map_err(|e| e.to_string())?;
    let line = cli.line();
    let prefix = format!(
        "aws marketplace-agreement {} --cli-input-json '",
        cli.operation.cli_name()
    );
    assert!(line.starts_with(&prefix), "{line}");
    let argument = shell_argument(&line);
    assert_eq!(argument, cli.input_json);
    let input: Value = serde_json::from_str(&argument).unwrap();
    let problems = check(&model(), &input_of(cli.operation.code()), &input, "input");
    assert_eq!(problems, Vec::<String>::new(), "{line}");
    match action {
        AgreementAction::Send(SendCancellation {
            description,
            client_token,
            ..
        }) => {
            assert_eq!(input["description"], description.as_str());
            assert_eq!(input["clientToken"], client_token.as_str());
        }
        AgreementAction::Withdraw(WithdrawCancellation { reason, .. }) => {
            assert_eq!(input["cancellationReason"], reason.as_str())
        }
        AgreementAction::Reject(RejectCancellation { reason, .. }) => {
            assert_eq!(input["rejectionReason"], reason.as_str())
        }
        AgreementAction::Refund(BatchCreateAdjustments { entries }) => {
            let tokens: Vec<&str> = input["billingAdjustmentRequestEntries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["clientToken"].as_str().unwrap())
                .collect();
            let expected: Vec<&str> = entries.iter().map(|e| e.client_token.as_str()).collect();
            assert_eq!(tokens, expected);
        }
        AgreementAction::BuyerCancel(CancelAgreementAsBuyer { agreement_id, .. }) => {
            assert_eq!(
                input,
                serde_json::json!({"agreementId": agreement_id.as_str()})
            )
        }
        AgreementAction::Accept(_) => {}
    }
    Ok(())
}

#[test]
fn every_cli_command_fits_its_input_shape_whatever_the_reason_text() {
    let (book, agreement, request, _) = book_with_an_aws_request();
    for reason in [
        "Replacing with private offer offer-123",
        "It's the buyer's \"test\" account; don't bill them",
        "Line one\nLine two\r\n\ttabbed 'quoted' \\ back\\slash $(rm -rf /) `x` $HOME",
        "买方要求取消：测试协议，请勿计费。",
        "'",
        "''''",
        &"é".repeat(2000),
    ] {
        for command in every_action(&agreement, &request, reason) {
            check_command(&book, &command).unwrap();
        }
    }
}

#[test]
fn withdraw_accept_and_reject_are_offered_only_for_requests_aws_made() {
    let (book, _, _, made_here) = book_with_an_aws_request();
    let local = AgreementId::parse("agmt-local").unwrap();
    let actions = every_action(&local, &made_here, "Sent to the wrong buyer");
    let errors: Vec<String> = actions
        .iter()
        .filter_map(|c| check_command(&book, c).err())
        .collect();
    assert_eq!(
        errors.len(),
        3,
        "send, the batch and the buyer's cancellation are offered: {errors:?}"
    );
    assert_eq!(
        errors[0],
        format!(
            "Cancellation request {made_here} was made in the workbench, not in AWS, so AWS \
             knows no request by that ID: only a request imported from AWS can be withdrawn \
             with the AWS CLI."
        )
    );
}

#[test]
fn what_the_workbench_would_refuse_has_no_command() {
    let (book, agreement, request, _) = book_with_an_aws_request();
    let empty = every_action(&agreement, &request, "   ");
    let errors: Vec<String> = empty
        .iter()
        .filter_map(|c| check_command(&book, c).err())
        .collect();
    assert_eq!(
        errors,
        [
            "A reason is required.",
            "A reason for withdrawing is required.",
            "A rejection reason is required.",
            "Entry 1: A reason is required."
        ]
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    #[test]
    fn any_reason_round_trips_through_the_shell_and_fits_the_model(
        reason in "(\\PC|['\"\\\\\n\r\t$`]|[一-龥]){1,300}",
    ) {
        let (book, agreement, request, _) = book_with_an_aws_request();
        for command in every_action(&agreement, &request, &reason) {
            match check_command(&book, &command) {
                Ok(()) => {}
                Err(refused) => proptest::prop_assert!(
                    reason.trim().is_empty(),
                    "{refused} for {reason:?}"
                ),
            }
        }
    }

    #[test]
    fn the_cores_pattern_matcher_agrees_with_regex_on_every_pattern_of_the_model(
        text in "[a-zA-Z0-9 ._/+=:,-]{0,12}|(acr|ba|agmt|prod|offer)-[a-zA-Z0-9_]{0,6}|[0-9]{0,4}(\\.[0-9]{0,10})?|\\PC{0,8}",
    ) {
        use workbench_core::aws::pattern::Pattern;
        let shapes = model();
        for shape in shapes.as_object().unwrap().values() {
            let Some(pattern) = shape["pattern"].as_str() else { continue };
            let regex = Regex::new(&format!("^(?:{pattern})$")).unwrap();
            proptest::prop_assert_eq!(
                Pattern::parse(pattern).unwrap().matches(&text),
                regex.is_match(&text),
                "{} on {:?}", pattern, text
            );
        }
    }
}

#[test]
fn a_buyers_own_cancellation_of_an_imported_agreement_is_cancel_agreement() {
    let (book, agreement, _, _) = book_with_an_aws_request();
    let action = AgreementAction::BuyerCancel(CancelAgreementAsBuyer {
        agreement_id: agreement,
        reason: None,
    });
    let cli = workbench_core::aws::cli::command_for(&book, &action).unwrap();
    assert_eq!(
        cli.line(),
        r#"aws marketplace-agreement cancel-agreement --cli-input-json '{"agreementId":"agmt-aws"}'"#
    );
    check_command(&book, &action).unwrap();
    let unknown = AgreementAction::BuyerCancel(CancelAgreementAsBuyer {
        agreement_id: AgreementId::parse("agmt-madehere").unwrap(),
        reason: None,
    });
    assert_eq!(
        check_command(&book, &unknown).unwrap_err(),
        "Agreement agmt-madehere was made in the workbench, not in AWS, so AWS knows no \
         agreement by that ID: only an agreement imported from AWS can be cancelled with the \
         AWS CLI."
    );
}
