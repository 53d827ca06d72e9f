//! "Import from AWS": the JSON the AWS CLI prints for `search-agreements`,
//! `describe-agreement`, `list-agreement-invoice-line-items`,
//! `list-agreement-cancellation-requests`, `list-billing-adjustment-requests` and
//! `get-agreement-terms`, in either CLI version, becomes agreements (with their pricing
//! and free trial, from their terms), invoices, requests and adjustments marked "From AWS".
//!
//! Three steps, so that nothing replaces a record before the person has seen what would:
//! each file is recognised by its shape and checked whole against the service model's
//! output shape of its operation (a file that does not fit is refused with the field and
//! the reason, and nothing of it is used); [`Book::preview_import`] then says what the
//! files would add, change and leave out; the preview's [`Command`] applies exactly that
//! through `Book::apply`, whose outcome names every record to write.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use thiserror::Error;

use self::terms::Terms;
use super::model::{self, join, Model, ShapeError, TimeStyle};
use super::{ImportedOperation, Operation};
use crate::adjustment::{AdjustmentReasonCode, AdjustmentStatus, BillingAdjustment, Invoice};
use crate::agreement::{Agreement, AgreementStatus};
use crate::book::{Actor, AgreementRecord, Book, Command, Desk, DomainError, HistoryEntry, Party};
use crate::cancellation::{
    AdditionalDetails, CancellationReasonCode, CancellationRequest, DecidedBy, PricingModel,
    RequestStatus, AUTO_APPROVAL_AFTER,
};
use crate::ids::{
    AccountId, AdjustmentId, AgreementId, ClientToken, IdError, InvoiceId, OfferId, ProductId,
    RequestId,
};
use crate::key::RecordKey;
use crate::money::{Currency, Money, MoneyError};

mod terms;

/// A file the person chose, or text they pasted, as the AWS CLI printed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsFile {
    /// The file's name, or words such as "pasted text", to name it in the preview.
    pub name: String,
    pub text: String,
}

/// Why a file is refused whole.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FileError {
    #[error("It is not JSON ({0}).")]
    NotJson(String),
    #[error(
        "It is not what the AWS CLI prints for search-agreements, describe-agreement, \
         list-agreement-invoice-line-items, list-agreement-cancellation-requests, \
         list-billing-adjustment-requests or get-agreement-terms: {0}."
    )]
    UnknownOperation(String),
    #[error(
        "It holds an agreement's terms, and the output of get-agreement-terms does not say \
         whose: name the file after the agreement (agmt-….json), or import it with that \
         agreement's describe-agreement output and no other agreement."
    )]
    TermsOfWhichAgreement,
    #[error("It does not fit the service model's output of {}: {}", .operation.cli_name(), listed(.problems))]
    DoesNotFit {
        operation: Operation,
        problems: Vec<ShapeError>,
    },
    #[error("It fits the output of {}, but the workbench cannot keep {path}: {reason}", .operation.cli_name())]
    Unusable {
        operation: Operation,
        path: String,
        reason: String,
    },
}

fn listed(problems: &[ShapeError]) -> String {
    match problems {
        [only] => only.to_string(),
        [first, rest @ ..] => format!("{first} (and {} more)", rest.len()),
        [] => String::new(),
    }
}

/// A file that fits: which operation printed it, how it wrote times, and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadFile {
    pub operation: Operation,
    /// `None` when the file holds no time at all (an empty list).
    pub times: Option<TimeStyle>,
    data: Data,
}

impl ReadFile {
    /// How many agreements, invoices, requests and adjustments it holds.
    pub fn counts(&self) -> Counts {
        Counts {
            agreements: self.data.agreements.len(),
            invoices: self.data.invoices.len() + self.data.credit_memos.len(),
            requests: self.data.requests.len(),
            adjustments: self.data.adjustments.len(),
            terms: usize::from(self.data.terms.is_some()),
        }
    }
}

/// How many of each kind of record a file holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub agreements: usize,
    pub invoices: usize,
    pub requests: usize,
    pub adjustments: usize,
    /// An agreement's accepted terms (1), or none.
    pub terms: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Data {
    agreements: Vec<Agreement>,
    invoices: Vec<(AgreementId, Invoice)>,
    credit_memos: Vec<(AgreementId, InvoiceId)>,
    requests: Vec<CancellationRequest>,
    adjustments: Vec<BillingAdjustment>,
    terms: Option<Terms>,
}

/// Reads one file: recognises its operation by its fields, checks it against that
/// operation's output shape, and reads what the workbench keeps of it.
pub fn read_file(text: &str) -> Result<ReadFile, FileError> {
    read_with(&Model::embedded(), text)
}

fn read_with(model: &Model, text: &str) -> Result<ReadFile, FileError> {
    let value: Value = serde_json::from_str(text).map_err(|e| FileError::NotJson(e.to_string()))?;
    let Value::Object(mut object) = value else {
        return Err(FileError::UnknownOperation(
            "it is a single value or a list, where the CLI prints an object".into(),
        ));
    };
    let imported = recognise(model, &object)?;
    let operation = imported.operation();
    // Where the CLI stopped paging (--max-items) it adds `NextToken`, which is not the
    // model's; it says where to go on, not what the file holds.
    if model.paginated(operation) {
        object.remove("NextToken");
    }
    let value = Value::Object(object);
    let problems = model.check(model.output_of(operation), &value, "");
    if !problems.is_empty() {
        return Err(FileError::DoesNotFit {
            operation,
            problems,
        });
    }
    let mut reader = Reader { times: None };
    let top = Node {
        value: &value,
        path: String::new(),
    };
    let data = reader
        .data(imported, &top)
        .map_err(|Unusable { path, reason }| FileError::Unusable {
            operation,
            path,
            reason,
        })?;
    Ok(ReadFile {
        operation,
        times: reader.times,
        data,
    })
}

/// The imported operation whose output has most of the file's fields (and of its first
/// list item's); among equals, one the file fits.
fn recognise(model: &Model, object: &Map<String, Value>) -> Result<ImportedOperation, FileError> {
    let score = |imported: ImportedOperation| -> usize {
        let shape = model.output_of(imported.operation());
        let members = model.members(shape);
        let mut score = 0;
        for (key, value) in object {
            if !members.contains(&key.as_str()) {
                continue;
            }
            score += 1;
            let item = model
                .inner(shape, Some(key))
                .and_then(|list| model.inner(list, None));
            if let (Some(item), Some(Value::Object(first))) = (item, value.get(0)) {
                let fields = model.members(item);
                score += first
                    .keys()
                    .filter(|k| fields.contains(&k.as_str()))
                    .count();
            }
        }
        score
    };
    let scores: Vec<(ImportedOperation, usize)> =
        ImportedOperation::ALL.map(|o| (o, score(o))).into();
    let best = scores.iter().map(|(_, s)| *s).max().unwrap_or(0);
    if best == 0 {
        let keys: Vec<&str> = object.keys().map(String::as_str).collect();
        return Err(FileError::UnknownOperation(if keys.is_empty() {
            "it is an empty object".into()
        } else {
            format!("none of its fields ({}) is one of theirs", keys.join(", "))
        }));
    }
    let tied: Vec<ImportedOperation> = scores
        .into_iter()
        .filter(|(_, s)| *s == best)
        .map(|(o, _)| o)
        .collect();
    let value = Value::Object(object.clone());
    Ok(tied
        .iter()
        .copied()
        .find(|o| {
            model
                .check(model.output_of(o.operation()), &value, "")
                .is_empty()
        })
        .unwrap_or(tied[0]))
}

/// A field the model allows but the workbench cannot keep.
struct Unusable {
    path: String,
    reason: String,
}

/// A value of the file with the path a person would point at.
struct Node<'a> {
    value: &'a Value,
    path: String,
}

impl<'a> Node<'a> {
    fn get(&self, key: &str) -> Option<Node<'a>> {
        self.value
            .get(key)
            .filter(|v| !v.is_null())
            .map(|value| Node {
                value,
                path: join(&self.path, key),
            })
    }

    /// A field the model leaves optional and the workbench needs.
    fn need(&self, key: &str, what: &str) -> Result<Node<'a>, Unusable> {
        self.get(key).ok_or_else(|| Unusable {
            path: join(&self.path, key),
            reason: format!("it is missing, and the workbench needs {what}"),
        })
    }

    fn list(&self, key: &str) -> Vec<Node<'a>> {
        let Some(list) = self.get(key) else {
            return Vec::new();
        };
        let items = list.value.as_array().map(Vec::as_slice).unwrap_or_default();
        items
            .iter()
            .enumerate()
            .map(|(i, value)| Node {
                value,
                path: format!("{}[{i}]", list.path),
            })
            .collect()
    }

    /// The text of a field the model has checked to be text.
    fn text(&self) -> &'a str {
        self.value.as_str().unwrap_or_default()
    }

    fn unusable(&self, reason: impl fmt::Display) -> Unusable {
        Unusable {
            path: self.path.clone(),
            reason: reason.to_string(),
        }
    }

    fn id<T>(&self, parse: fn(&str) -> Result<T, IdError>) -> Result<T, Unusable> {
        parse(self.text()).map_err(|e| self.unusable(e))
    }

    /// An enum value the model has checked to be one of its values.
    fn code<T>(&self, from_code: fn(&str) -> Option<T>) -> Result<T, Unusable> {
        from_code(self.text())
            .ok_or_else(|| self.unusable("the workbench does not know this value"))
    }

    fn currency(&self) -> Result<Currency, Unusable> {
        self.text()
            .parse()
            .map_err(|e: MoneyError| self.unusable(e))
    }
}

/// Reads the records of a checked file, noting how it writes times.
struct Reader {
    times: Option<TimeStyle>,
}

impl Reader {
    /// What the workbench keeps of a checked file, read the way its operation prints it.
    fn data(&mut self, imported: ImportedOperation, top: &Node) -> Result<Data, Unusable> {
        let mut data = Data::default();
        match imported {
            ImportedOperation::SearchAgreements => {
                for node in top.list("agreementViewSummaries") {
                    data.agreements.push(self.agreement(&node)?);
                }
            }
            ImportedOperation::DescribeAgreement => data.agreements.push(self.agreement(top)?),
            ImportedOperation::ListAgreementInvoiceLineItems => {
                for node in top.list("agreementInvoiceLineItemGroupSummaries") {
                    self.invoice(&node, &mut data)?;
                }
            }
            ImportedOperation::ListAgreementCancellationRequests => {
                for node in top.list("items") {
                    data.requests.push(self.request(&node)?);
                }
            }
            ImportedOperation::ListBillingAdjustmentRequests => {
                for node in top.list("items") {
                    data.adjustments.push(self.adjustment(&node)?);
                }
            }
            ImportedOperation::GetAgreementTerms => {
                // Its only times are the validity term's, read to tell the CLI version.
                for term in top.list("acceptedTerms") {
                    let validity = term.get("validityTerm");
                    for key in ["agreementStartDate", "agreementEndDate"] {
                        if let Some(time) = validity.as_ref().and_then(|v| v.get(key)) {
                            self.time(&time);
                        }
                    }
                }
                data.terms = Some(Terms::read(top)?);
            }
        }
        Ok(data)
    }

    fn time(&mut self, node: &Node) -> DateTime<Utc> {
        let (time, style) = model::time(node.value).expect("the model checked every timestamp");
        self.times.get_or_insert(style);
        time
    }

    /// An agreement from a SearchAgreements summary or DescribeAgreement's output, which
    /// spell it alike.
    fn agreement(&mut self, node: &Node) -> Result<Agreement, Unusable> {
        let account = |key: &str, what: &str| {
            node.need(key, what)?
                .need("accountId", what)?
                .id(AccountId::parse)
        };
        let summary = node.need("proposalSummary", "the agreement's offer and product")?;
        let resources = summary.list("resources");
        let product = resources
            .iter()
            .find_map(|r| r.get("id").and_then(|id| ProductId::parse(id.text()).ok()))
            .ok_or_else(|| Unusable {
                path: join(&summary.path, "resources"),
                reason: "none of its resources is a product (prod-…), and the workbench keeps \
                         every agreement with its product"
                    .into(),
            })?;
        Ok(Agreement {
            id: node
                .need("agreementId", "the agreement's ID")?
                .id(AgreementId::parse)?,
            seller: account("proposer", "the seller's (proposer's) account")?,
            buyer: account("acceptor", "the buyer's (acceptor's) account")?,
            product,
            offer: summary
                .need("offerId", "the agreement's offer")?
                .id(OfferId::parse)?,
            status: node
                .need("status", "the agreement's status")?
                .code(AgreementStatus::from_code)?,
            start: self.time(&node.need("startTime", "when the agreement started")?),
            end: node.get("endTime").map(|n| self.time(&n)),
            renewal: None,
            pricing: PricingModel::Unknown,
            free_trial_converted: node
                .get("freeTrialSummary")
                .and_then(|s| s.get("trialEndTime"))
                .map(|n| self.time(&n)),
            cancelled_by_buyer: None,
        })
    }

    /// An invoice from a ListAgreementInvoiceLineItems group: what it charged, and (from
    /// its maximum adjustment) what was already refunded. The API says nothing of payment:
    /// an invoice AWS lists is taken as paid, so a refund against it can complete.
    fn invoice(&mut self, node: &Node, data: &mut Data) -> Result<(), Unusable> {
        let agreement = node
            .need("agreementId", "the invoice's agreement")?
            .id(AgreementId::parse)?;
        let id = node
            .need("invoiceId", "the invoice's ID")?
            .id(InvoiceId::parse)?;
        if node
            .get("invoiceType")
            .is_some_and(|t| t.text() == "CREDIT_MEMO")
        {
            data.credit_memos.push((agreement, id));
            return Ok(());
        }
        let amounts = node.need("pricingCurrencyAmount", "the invoice's amounts")?;
        let currency = amounts
            .need("currencyCode", "the invoice's currency")?
            .currency()?;
        let minor = |key: &str, what: &str| -> Result<i64, Unusable> {
            let field = amounts.need(key, what)?;
            match Money::parse_positive(field.text(), currency) {
                Ok(money) => Ok(money.minor),
                Err(MoneyError::NotPositive) => Ok(0),
                Err(e) => Err(field.unusable(e)),
            }
        };
        let charged = minor("amount", "what the invoice charged")?;
        let left = minor("maxAdjustmentAmount", "what can still be refunded on it")?;
        if left > charged {
            return Err(amounts.unusable(
                "its maximum adjustment is above what it charged, which no invoice can refund",
            ));
        }
        let issued_at = self.time(&node.need("issuedTime", "when the invoice was issued")?);
        data.invoices.push((
            agreement,
            Invoice {
                id,
                currency,
                charged_minor: charged,
                refunded_minor: charged - left,
                issued_at,
                paid: true,
            },
        ));
        Ok(())
    }

    /// A request from a ListAgreementCancellationRequests item. The list gives neither its
    /// description nor its status message, nor the client token it was sent with: it keeps
    /// its AWS ID as its token, which no token the workbench draws can equal.
    fn request(&mut self, node: &Node) -> Result<CancellationRequest, Unusable> {
        let id = node
            .need("agreementCancellationRequestId", "the request's ID")?
            .id(RequestId::parse)?;
        let status = node
            .need("status", "the request's status")?
            .code(RequestStatus::from_code)?;
        let created_at = self.time(&node.need("createdAt", "when the request was sent")?);
        let updated_at = self.time(&node.need("updatedAt", "when the request last changed")?);
        Ok(CancellationRequest {
            agreement_id: node
                .need("agreementId", "the request's agreement")?
                .id(AgreementId::parse)?,
            reason_code: node
                .need("reasonCode", "the request's reason code")?
                .code(CancellationReasonCode::from_code)?,
            description: String::new(),
            details: AdditionalDetails::default(),
            client_token: token_of(id.as_str()),
            status,
            status_message: String::new(),
            decided_by: decided_by(status, created_at, updated_at),
            created_at,
            updated_at,
            link_secret: None,
            id,
        })
    }

    /// An adjustment from a ListBillingAdjustmentRequests item. The list gives no reason
    /// code or description: it is kept as OTHER, with its AWS ID as its client token.
    fn adjustment(&mut self, node: &Node) -> Result<BillingAdjustment, Unusable> {
        let id = node
            .need("billingAdjustmentRequestId", "the adjustment's ID")?
            .id(AdjustmentId::parse)?;
        let currency = node.need("currencyCode", "its currency")?.currency()?;
        let amount = node.need("adjustmentAmount", "its amount")?;
        Ok(BillingAdjustment {
            agreement_id: node
                .need("agreementId", "its agreement")?
                .id(AgreementId::parse)?,
            invoice_id: node
                .need("originalInvoiceId", "its invoice")?
                .id(InvoiceId::parse)?,
            amount: Money::parse_positive(amount.text(), currency)
                .map_err(|e| amount.unusable(e))?,
            reason_code: AdjustmentReasonCode::Other,
            description: String::new(),
            client_token: token_of(id.as_str()),
            status: node
                .need("status", "its status")?
                .code(AdjustmentStatus::from_code)?,
            status_message: String::new(),
            created_at: self.time(&node.need("createdAt", "when it was made")?),
            updated_at: self.time(&node.need("updatedAt", "when it last changed")?),
            id,
        })
    }
}

/// An AWS ID (`acr-…`, `ba-…`) is letters, digits and '-', at most 64: a client token too.
fn token_of(id: &str) -> ClientToken {
    ClientToken::parse(id).expect("an AWS request or adjustment ID is a valid client token")
}

/// Who settled a request, as far as its times tell: AWS approves a request nobody answered
/// at its deadline exactly, so an approval at that moment was the system's.
fn decided_by(
    status: RequestStatus,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
) -> Option<DecidedBy> {
    match status {
        RequestStatus::PendingApproval => None,
        RequestStatus::Approved if updated_at >= created_at + AUTO_APPROVAL_AFTER => {
            Some(DecidedBy::System)
        }
        RequestStatus::Approved | RequestStatus::Rejected => Some(DecidedBy::Buyer),
        RequestStatus::Cancelled => Some(DecidedBy::Seller),
        RequestStatus::ValidationFailed => Some(DecidedBy::System),
    }
}

/// One thing an import would add, change or leave out.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum ImportItem {
    Agreement(AgreementId),
    /// The agreement's accepted terms: its pricing and free trial.
    Terms(AgreementId),
    Invoice(AgreementId, InvoiceId),
    Request(AgreementId, RequestId),
    Adjustment(AgreementId, AdjustmentId),
}

impl ImportItem {
    /// The agreement it belongs to.
    pub fn agreement(&self) -> &AgreementId {
        match self {
            ImportItem::Agreement(a)
            | ImportItem::Terms(a)
            | ImportItem::Invoice(a, _)
            | ImportItem::Request(a, _)
            | ImportItem::Adjustment(a, _) => a,
        }
    }
}

impl fmt::Display for ImportItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportItem::Agreement(a) => write!(f, "agreement {a}"),
            ImportItem::Terms(a) => write!(f, "the terms of agreement {a}"),
            ImportItem::Invoice(a, i) => write!(f, "invoice {i} of agreement {a}"),
            ImportItem::Request(a, r) => write!(f, "cancellation request {r} of agreement {a}"),
            ImportItem::Adjustment(a, b) => write!(f, "billing adjustment {b} of agreement {a}"),
        }
    }
}

/// One field an import would change, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: &'static str,
    pub from: String,
    pub to: String,
}

/// Something already in the workbench that the import would change, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemChange {
    pub item: ImportItem,
    pub fields: Vec<FieldChange>,
}

/// Why something a file holds would not be imported.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LeftOutReason {
    #[error(
        "its agreement is neither in these files nor in the workbench: import the agreement's \
         search-agreements or describe-agreement output with it"
    )]
    NoAgreement,
    #[error(
        "its invoice {0} is neither in these files nor in the workbench: import \
         list-agreement-invoice-line-items for its agreement with it"
    )]
    NoInvoice(InvoiceId),
    #[error(
        "it is a credit memo, and the workbench keeps only the invoices refunds are made against"
    )]
    CreditMemo,
    #[error("the agreement would then break a rule of the workbench: {0}")]
    BreaksRule(crate::book::BrokenRecordRule),
}

/// Something left out of an import, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    pub item: ImportItem,
    pub reason: LeftOutReason,
}

/// What became of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    pub name: String,
    pub result: Result<ReadFile, FileError>,
}

/// What an import would do, for the person to confirm: nothing has changed yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportPreview {
    pub files: Vec<FileReport>,
    pub added: Vec<ImportItem>,
    pub changed: Vec<ItemChange>,
    /// Already in the workbench exactly as the files have it.
    pub unchanged: Vec<ImportItem>,
    pub left_out: Vec<LeftOut>,
    /// Seller and buyer accounts the workbench does not know yet, which the import adds so
    /// that their agreements are listed under them.
    pub new_sellers: Vec<AccountId>,
    pub new_buyers: Vec<AccountId>,
    import: AwsImport,
}

impl ImportPreview {
    /// The command that applies what the preview shows, if it would change anything.
    pub fn command(&self) -> Option<ImportFromAws> {
        (!self.import.records.is_empty()).then(|| ImportFromAws {
            import: self.import.clone(),
        })
    }
}

/// What a confirmed import writes: each record as the preview built it, with the version it
/// was built from, and the parties to add.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwsImport {
    records: Vec<Planned>,
    parties: Vec<(Role, Party)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Planned {
    /// The version the preview saw; `None` for a new agreement.
    version: Option<u64>,
    record: AgreementRecord,
    /// What the record's history says was imported.
    summary: String,
}

/// Which list of the directory an imported party joins (`Side` is a bus's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Role {
    Seller,
    Buyer,
}

/// What an applied import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Agreements added or changed.
    pub agreements: usize,
    /// Whether sellers or buyers were added to the directory, which storage keeps apart
    /// from the records.
    pub directory_changed: bool,
}

/// What the files hold for one agreement.
#[derive(Default)]
struct Incoming {
    agreement: Option<Agreement>,
    terms: Option<Terms>,
    invoices: BTreeMap<InvoiceId, Invoice>,
    requests: BTreeMap<RequestId, CancellationRequest>,
    adjustments: BTreeMap<AdjustmentId, BillingAdjustment>,
}

impl Book {
    /// Reads the files and says what importing them would add, change and leave out;
    /// nothing changes until the preview's command is applied.
    pub fn preview_import(&self, files: &[AwsFile]) -> ImportPreview {
        let model = Model::embedded();
        let mut preview = ImportPreview {
            files: Vec::new(),
            added: Vec::new(),
            changed: Vec::new(),
            unchanged: Vec::new(),
            left_out: Vec::new(),
            new_sellers: Vec::new(),
            new_buyers: Vec::new(),
            import: AwsImport {
                records: Vec::new(),
                parties: Vec::new(),
            },
        };
        let mut incoming: BTreeMap<AgreementId, Incoming> = BTreeMap::new();
        for file in files {
            let result = read_with(&model, &file.text);
            if let Ok(read) = &result {
                let data = read.data.clone();
                for a in data.agreements {
                    let key = a.id.clone();
                    incoming.entry(key).or_default().agreement = Some(a);
                }
                for (a, invoice) in data.invoices {
                    let entry = incoming.entry(a).or_default();
                    entry.invoices.insert(invoice.id.clone(), invoice);
                }
                for r in data.requests {
                    let entry = incoming.entry(r.agreement_id.clone()).or_default();
                    entry.requests.insert(r.id.clone(), r);
                }
                for b in data.adjustments {
                    let entry = incoming.entry(b.agreement_id.clone()).or_default();
                    entry.adjustments.insert(b.id.clone(), b);
                }
                preview
                    .left_out
                    .extend(data.credit_memos.into_iter().map(|(a, i)| LeftOut {
                        item: ImportItem::Invoice(a, i),
                        reason: LeftOutReason::CreditMemo,
                    }));
            }
            preview.files.push(FileReport {
                name: file.name.clone(),
                result,
            });
        }
        self.place_terms(&mut preview, &mut incoming);
        for (id, incoming) in incoming {
            self.plan(id, incoming, &mut preview);
        }
        preview
    }

    /// Gives each terms file its agreement: the one its name gives, or else the only
    /// agreement the other files hold. A file with neither is refused whole.
    fn place_terms(
        &self,
        preview: &mut ImportPreview,
        incoming: &mut BTreeMap<AgreementId, Incoming>,
    ) {
        let described: Vec<AgreementId> = incoming
            .iter()
            .filter(|(_, i)| i.agreement.is_some())
            .map(|(id, _)| id.clone())
            .collect();
        for report in &mut preview.files {
            let Ok(ReadFile {
                data: Data {
                    terms: Some(terms), ..
                },
                ..
            }) = &report.result
            else {
                continue;
            };
            let terms = *terms;
            let id = match (terms::agreement_in_name(&report.name), described.as_slice()) {
                (Some(id), _) => id,
                (None, [only]) => only.clone(),
                (None, _) => {
                    report.result = Err(FileError::TermsOfWhichAgreement);
                    continue;
                }
            };
            let entry = incoming.entry(id).or_default();
            entry.terms = Some(entry.terms.map_or(terms, |t| t.and(terms)));
        }
    }

    /// Merges what the files hold for one agreement into its record, or leaves it out.
    fn plan(&self, id: AgreementId, incoming: Incoming, preview: &mut ImportPreview) {
        let existing = self.records.get(&id);
        let mut record = match (existing, &incoming.agreement) {
            (Some(v), _) => v.record.clone(),
            (None, Some(agreement)) => AgreementRecord::new(agreement.clone(), Vec::new()),
            (None, None) => {
                preview
                    .left_out
                    .extend(incoming.items(&id).map(|item| LeftOut {
                        item,
                        reason: LeftOutReason::NoAgreement,
                    }));
                return;
            }
        };
        let mut merge = Merge::default();
        if let Some(agreement) = incoming.agreement {
            let new = existing.is_none();
            merge_agreement(&mut record, &id, agreement, new, &mut merge);
        }
        if let Some(terms) = incoming.terms {
            terms::merge_terms(&mut record, &id, terms, existing.is_none(), &mut merge);
        }
        for (invoice_id, invoice) in incoming.invoices {
            merge_invoice(&mut record, &id, invoice_id, invoice, &mut merge);
        }
        for (request_id, request) in incoming.requests {
            merge_request(&mut record, &id, request_id, request, &mut merge);
        }
        for (adjustment_id, adjustment) in incoming.adjustments {
            if let Err(left_out) =
                merge_adjustment(&mut record, &id, adjustment_id, adjustment, &mut merge)
            {
                preview.left_out.push(left_out);
            }
        }
        record.requests.sort_by_key(|r| r.created_at);
        record.adjustments.sort_by_key(|b| b.created_at);
        if let Err(rule) = record.check() {
            preview.left_out.push(LeftOut {
                item: ImportItem::Agreement(id),
                reason: LeftOutReason::BreaksRule(rule),
            });
            return;
        }
        preview.unchanged.append(&mut merge.unchanged);
        if merge.added.is_empty() && merge.changed.is_empty() {
            return;
        }
        record.rederive_events();
        self.plan_parties(&record.agreement, preview);
        let summary = merge.summary();
        preview.added.extend(merge.added);
        preview.changed.extend(merge.changed);
        preview.import.records.push(Planned {
            version: existing.map(|v| v.version),
            record,
            summary,
        });
    }

    /// Adds the agreement's seller and buyer to the import where the directory does not
    /// know them yet, once each, so that the agreement is listed under them.
    fn plan_parties(&self, agreement: &Agreement, preview: &mut ImportPreview) {
        for (side, account) in [
            (Role::Seller, &agreement.seller),
            (Role::Buyer, &agreement.buyer),
        ] {
            let known = match side {
                Role::Seller => self.directory.seller(account).is_some(),
                Role::Buyer => self.directory.buyer(account).is_some(),
            };
            let planned = preview
                .import
                .parties
                .iter()
                .any(|(s, p)| *s == side && &p.account == account);
            if !known && !planned {
                match side {
                    Role::Seller => preview.new_sellers.push(account.clone()),
                    Role::Buyer => preview.new_buyers.push(account.clone()),
                }
                let name = format!("AWS account {account}");
                let party = Party {
                    account: account.clone(),
                    name,
                };
                preview.import.parties.push((side, party));
            }
        }
    }
}

/// Takes the agreement as AWS has it, but for what AWS does not say: its renewal, and its
/// pricing model and free trial where the files do not give them, stay as the workbench
/// knew them, as does whether the buyer cancelled it themselves.
fn merge_agreement(
    record: &mut AgreementRecord,
    id: &AgreementId,
    agreement: Agreement,
    new: bool,
    merge: &mut Merge,
) {
    let fields = if new {
        None
    } else {
        let mut fields = agreement_changes(&record.agreement, &agreement);
        origin_change(record.from_aws.agreement, &mut fields);
        Some(fields)
    };
    merge.note(ImportItem::Agreement(id.clone()), fields);
    record.agreement = Agreement {
        renewal: record.agreement.renewal.clone(),
        pricing: match agreement.pricing {
            PricingModel::Unknown => record.agreement.pricing,
            known => known,
        },
        free_trial_converted: agreement
            .free_trial_converted
            .or(record.agreement.free_trial_converted),
        cancelled_by_buyer: record.agreement.cancelled_by_buyer,
        ..agreement
    };
    record.from_aws.agreement = true;
}

/// Takes the invoice as AWS lists it; whether it is paid stays as the workbench knew it.
fn merge_invoice(
    record: &mut AgreementRecord,
    id: &AgreementId,
    invoice_id: InvoiceId,
    mut invoice: Invoice,
    merge: &mut Merge,
) {
    let item = ImportItem::Invoice(id.clone(), invoice_id.clone());
    let position = record.invoices.iter().position(|i| i.id == invoice_id);
    let fields = position.map(|at| {
        let before = &record.invoices[at];
        invoice.paid = before.paid;
        let mut fields = invoice_changes(before, &invoice);
        origin_change(record.from_aws.invoice(&invoice_id), &mut fields);
        fields
    });
    merge.note(item, fields);
    put(&mut record.invoices, position, invoice);
    record.from_aws.invoices.insert(invoice_id);
}

fn merge_request(
    record: &mut AgreementRecord,
    id: &AgreementId,
    request_id: RequestId,
    mut request: CancellationRequest,
    merge: &mut Merge,
) {
    let item = ImportItem::Request(id.clone(), request_id.clone());
    let position = record.requests.iter().position(|r| r.id == request_id);
    let fields = position.map(|at| {
        let before = &record.requests[at];
        // What the list does not give stays as the workbench knew it.
        request.description.clone_from(&before.description);
        request.details = before.details.clone();
        request.client_token = before.client_token.clone();
        request.link_secret = before.link_secret.clone();
        if request.status == before.status {
            request.status_message.clone_from(&before.status_message);
            request.decided_by = before.decided_by;
        }
        let mut fields = request_changes(before, &request);
        origin_change(record.from_aws.request(&request_id), &mut fields);
        fields
    });
    merge.note(item, fields);
    put(&mut record.requests, position, request);
    record.from_aws.requests.insert(request_id);
}

/// Takes the adjustment as AWS lists it, unless the record lacks its invoice: a refund
/// the workbench keeps is always against an invoice it holds.
fn merge_adjustment(
    record: &mut AgreementRecord,
    id: &AgreementId,
    adjustment_id: AdjustmentId,
    mut adjustment: BillingAdjustment,
    merge: &mut Merge,
) -> Result<(), LeftOut> {
    let item = ImportItem::Adjustment(id.clone(), adjustment_id.clone());
    if record.invoice(adjustment.invoice_id.as_str()).is_none() {
        return Err(LeftOut {
            item,
            reason: LeftOutReason::NoInvoice(adjustment.invoice_id),
        });
    }
    let position = record
        .adjustments
        .iter()
        .position(|b| b.id == adjustment_id);
    let fields = position.map(|at| {
        let before = &record.adjustments[at];
        // What the list does not give stays as the workbench knew it.
        adjustment.reason_code = before.reason_code;
        adjustment.description.clone_from(&before.description);
        adjustment.client_token = before.client_token.clone();
        if adjustment.status == before.status {
            adjustment.status_message.clone_from(&before.status_message);
        }
        let mut fields = adjustment_changes(before, &adjustment);
        origin_change(record.from_aws.adjustment(&adjustment_id), &mut fields);
        fields
    });
    merge.note(item, fields);
    put(&mut record.adjustments, position, adjustment);
    record.from_aws.adjustments.insert(adjustment_id);
    Ok(())
}

/// Replaces the item at `position`, or adds it where there is none.
fn put<T>(list: &mut Vec<T>, position: Option<usize>, item: T) {
    match position {
        Some(at) => list[at] = item,
        None => list.push(item),
    }
}

/// What the AWS CLI printed, as the person confirmed it from
/// [`Book::preview_import`](crate::book::Book::preview_import). It lives here, beside what it
/// carries, rather than with the book's other commands: aws stands above the book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportFromAws {
    pub import: AwsImport,
}

impl Command for ImportFromAws {
    type Reply = ImportReport;
    type Error = DomainError;

    fn record(&self, _: &Book) -> Option<RecordKey> {
        None
    }

    /// Writes a confirmed import, unless a record it would replace changed since the
    /// preview (another tab, or time passing): then nothing changes and the person looks at
    /// a fresh preview.
    fn carry_out(self, book: &mut Book, desk: &mut Desk<'_>) -> Result<ImportReport, DomainError> {
        let import = self.import;
        for planned in &import.records {
            let id = &planned.record.agreement.id;
            if book.version(id) != planned.version {
                return Err(DomainError::ImportOutdated(id.clone()));
            }
        }
        let mut agreements = 0;
        for Planned {
            mut record,
            summary,
            ..
        } in import.records
        {
            record.history.push(HistoryEntry {
                at: desk.now,
                actor: Actor::System,
                action: "Imported from AWS".into(),
                reason: summary.into(),
            });
            desk.changed
                .insert(RecordKey::Agreement(record.agreement.id.clone()));
            agreements += 1;
            book.insert(record);
        }
        let mut directory_changed = false;
        for (side, party) in import.parties {
            let list = match side {
                Role::Seller => &mut book.directory.sellers,
                Role::Buyer => &mut book.directory.buyers,
            };
            if !list.iter().any(|p| p.account == party.account) {
                list.push(party);
                directory_changed = true;
            }
        }
        if directory_changed {
            desk.changed.insert(RecordKey::Directory);
        }
        Ok(ImportReport {
            agreements,
            directory_changed,
        })
    }
}

impl Incoming {
    fn items<'a>(&'a self, id: &'a AgreementId) -> impl Iterator<Item = ImportItem> + 'a {
        let agreement = self
            .agreement
            .as_ref()
            .map(|_| ImportItem::Agreement(id.clone()));
        let terms = self.terms.map(|_| ImportItem::Terms(id.clone()));
        agreement
            .into_iter()
            .chain(terms)
            .chain(
                self.invoices
                    .keys()
                    .map(|i| ImportItem::Invoice(id.clone(), i.clone())),
            )
            .chain(
                self.requests
                    .keys()
                    .map(|r| ImportItem::Request(id.clone(), r.clone())),
            )
            .chain(
                self.adjustments
                    .keys()
                    .map(|b| ImportItem::Adjustment(id.clone(), b.clone())),
            )
    }
}

/// What an agreement's import adds, changes and leaves as it was.
#[derive(Default)]
struct Merge {
    added: Vec<ImportItem>,
    changed: Vec<ItemChange>,
    unchanged: Vec<ImportItem>,
}

impl Merge {
    /// `None`: new; otherwise the fields that differ from what the workbench holds.
    fn note(&mut self, item: ImportItem, fields: Option<Vec<FieldChange>>) {
        match fields {
            None => self.added.push(item),
            Some(fields) if fields.is_empty() => self.unchanged.push(item),
            Some(fields) => self.changed.push(ItemChange { item, fields }),
        }
    }

    /// "added the agreement and 2 invoices; updated 1 cancellation request".
    fn summary(&self) -> String {
        let words = |items: &mut dyn Iterator<Item = &ImportItem>| {
            let mut counts = [0usize; 5];
            for item in items {
                counts[match item {
                    ImportItem::Agreement(_) => 0,
                    ImportItem::Terms(_) => 1,
                    ImportItem::Invoice(..) => 2,
                    ImportItem::Request(..) => 3,
                    ImportItem::Adjustment(..) => 4,
                }] += 1;
            }
            let names = [
                ("the agreement", "the agreement"),
                ("its terms", "its terms"),
                ("1 invoice", "invoices"),
                ("1 cancellation request", "cancellation requests"),
                ("1 billing adjustment", "billing adjustments"),
            ];
            counts
                .iter()
                .zip(names)
                .filter(|(n, _)| **n > 0)
                .map(|(n, (one, many))| match n {
                    1 => one.to_string(),
                    _ if one == many => one.to_string(),
                    n => format!("{n} {many}"),
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let added = words(&mut self.added.iter());
        let changed = words(&mut self.changed.iter().map(|c| &c.item));
        match (added.is_empty(), changed.is_empty()) {
            (false, false) => format!("Added {added}; updated {changed}."),
            (false, true) => format!("Added {added}."),
            _ => format!("Updated {changed}."),
        }
    }
}

fn when(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

fn field(
    fields: &mut Vec<FieldChange>,
    name: &'static str,
    from: impl ToString,
    to: impl ToString,
) {
    let (from, to) = (from.to_string(), to.to_string());
    if from != to {
        fields.push(FieldChange {
            field: name,
            from,
            to,
        });
    }
}

fn origin_change(from_aws: bool, fields: &mut Vec<FieldChange>) {
    field(
        fields,
        "origin",
        if from_aws {
            "From AWS"
        } else {
            "Made in the workbench"
        },
        "From AWS",
    );
}

fn agreement_changes(before: &Agreement, after: &Agreement) -> Vec<FieldChange> {
    let mut f = Vec::new();
    let end = |a: &Agreement| a.end.map_or("none".to_string(), when);
    field(
        &mut f,
        "status",
        before.status.label(),
        after.status.label(),
    );
    field(&mut f, "seller", &before.seller, &after.seller);
    field(&mut f, "buyer", &before.buyer, &after.buyer);
    field(&mut f, "product", &before.product, &after.product);
    field(&mut f, "offer", &before.offer, &after.offer);
    field(&mut f, "start", when(before.start), when(after.start));
    field(&mut f, "end", end(before), end(after));
    f
}

fn invoice_changes(before: &Invoice, after: &Invoice) -> Vec<FieldChange> {
    let mut f = Vec::new();
    field(&mut f, "charged", before.charged(), after.charged());
    field(&mut f, "refunded", before.refunded(), after.refunded());
    field(
        &mut f,
        "issued",
        when(before.issued_at),
        when(after.issued_at),
    );
    f
}

fn request_changes(before: &CancellationRequest, after: &CancellationRequest) -> Vec<FieldChange> {
    let mut f = Vec::new();
    field(
        &mut f,
        "status",
        before.status.label(),
        after.status.label(),
    );
    field(
        &mut f,
        "reason code",
        before.reason_code.code(),
        after.reason_code.code(),
    );
    field(
        &mut f,
        "sent",
        when(before.created_at),
        when(after.created_at),
    );
    field(
        &mut f,
        "last changed",
        when(before.updated_at),
        when(after.updated_at),
    );
    f
}

fn adjustment_changes(before: &BillingAdjustment, after: &BillingAdjustment) -> Vec<FieldChange> {
    let mut f = Vec::new();
    field(
        &mut f,
        "status",
        before.status.label(),
        after.status.label(),
    );
    field(&mut f, "amount", before.amount, after.amount);
    field(&mut f, "invoice", &before.invoice_id, &after.invoice_id);
    field(
        &mut f,
        "made",
        when(before.created_at),
        when(after.created_at),
    );
    field(
        &mut f,
        "last changed",
        when(before.updated_at),
        when(after.updated_at),
    );
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn approvals_at_the_deadline_were_the_systems_and_earlier_ones_the_buyers() {
        let at = "2025-01-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let approved = RequestStatus::Approved;
        assert_eq!(
            decided_by(approved, at, at + AUTO_APPROVAL_AFTER),
            Some(DecidedBy::System)
        );
        assert_eq!(
            decided_by(approved, at, at + chrono::Duration::hours(3)),
            Some(DecidedBy::Buyer)
        );
        assert_eq!(decided_by(RequestStatus::PendingApproval, at, at), None);
    }

    #[test]
    fn a_truncated_page_keeps_the_clis_next_token_out_of_the_check() {
        let file = json!({"items": [], "NextToken": "eyJuZXh0VG9rZW4iOiBudWxsfQ=="});
        let read = read_file(&file.to_string()).unwrap();
        assert_eq!(read.counts(), Counts::default());
        assert_eq!(read.times, None);
    }

    #[test]
    fn text_that_is_not_an_object_is_no_operations_output() {
        assert!(matches!(
            read_file("[1, 2]"),
            Err(FileError::UnknownOperation(_))
        ));
        assert!(matches!(read_file("{"), Err(FileError::NotJson(_))));
        assert!(matches!(
            read_file("{}"),
            Err(FileError::UnknownOperation(_))
        ));
    }
}
