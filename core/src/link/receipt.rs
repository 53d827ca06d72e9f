//! The decision receipt: the buyer's answer, sealed with the secret of the link it was
//! made from, which the seller's app verifies before applying it to what the link asked: a
//! cancellation request, or AWS's question on a support case.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::Mac;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::wire::{exact_id, put_str, put_time, Cut, Reader, MAX_TEXT_CHARS, TAG_BYTES};
use crate::cancellation::DESCRIPTION_MAX;
use crate::ids::RequestId;
use crate::key::SupportCaseId;
use crate::secret::{HmacSha256, LinkSecret};

const RECEIPT_VERSION: u8 = 1;
// Set apart from the link's seal, and a request's from a case's, so that no one of them can
// ever pass for another.
const RECEIPT_DOMAIN: &[u8] = b"cancellation-workbench receipt v1\0";
const CASE_RECEIPT_DOMAIN: &[u8] = b"cancellation-workbench case receipt v1\0";

/// What a link asked the buyer, and so what their receipt answers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Subject {
    /// A seller's cancellation request.
    Request(RequestId),
    /// AWS's request for the buyer's approval on a seller's support case.
    Case(SupportCaseId),
}

impl Subject {
    /// The ID as the receipt writes it in clear.
    pub fn as_str(&self) -> &str {
        match self {
            Subject::Request(id) => id.as_str(),
            Subject::Case(id) => id.as_str(),
        }
    }

    fn domain(&self) -> &'static [u8] {
        match self {
            Subject::Request(_) => RECEIPT_DOMAIN,
            Subject::Case(_) => CASE_RECEIPT_DOMAIN,
        }
    }

    /// Reads an ID exactly as a receipt writes it: a request's (`acr-…`) or a support
    /// case's (`case-` and digits).
    pub(super) fn read(text: &str) -> Option<Subject> {
        if let Ok(id) = exact_id(text, RequestId::parse, "") {
            return Some(Subject::Request(id));
        }
        let digits = text.strip_prefix("case-")?;
        (!digits.is_empty() && digits.len() <= 32 && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| Subject::Case(SupportCaseId::new(text)))
    }
}

/// "request acr-…" or "support case case-…", as a sentence names it.
impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Subject::Request(id) => write!(f, "request {id}"),
            Subject::Case(id) => write!(f, "support case {id}"),
        }
    }
}

/// The buyer's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    Approve,
    /// With the reason the seller will read (1–2000 characters).
    Reject(String),
}

/// A verified decision, ready to be applied to the request it names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub subject: Subject,
    pub decision: Decision,
    pub decided_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReceiptError {
    #[error("The rejection reason is required: say why you reject the cancellation.")]
    ReasonMissing,
    #[error("The rejection reason can be at most {DESCRIPTION_MAX} characters (it has {0}).")]
    ReasonTooLong(usize),
    #[error("This is not a decision receipt: {0}. Paste the whole code the buyer sent.")]
    NotAReceipt(&'static str),
    #[error(
        "This receipt was made by another version of the app (format {0}), or it was altered."
    )]
    UnknownVersion(u8),
    #[error("This receipt was not made from the genuine link of {0}, or it was changed after it was made. Ask the buyer to send it again.")]
    NotGenuine(Subject),
}

/// The receipt code the buyer sends back: `<ID>.<sealed decision>`. The request's or case's
/// ID is in clear so the seller's app can find it (and its secret) before verifying.
pub fn make_receipt(
    subject: &Subject,
    decision: &Decision,
    decided_at: DateTime<Utc>,
    secret: &LinkSecret,
) -> Result<String, ReceiptError> {
    let mut body = vec![RECEIPT_VERSION];
    match decision {
        Decision::Approve => body.push(0),
        Decision::Reject(reason) => {
            check_reason(reason)?;
            body.push(1);
        }
    }
    put_time(&mut body, decided_at);
    if let Decision::Reject(reason) = decision {
        put_str(&mut body, reason);
    }
    let tag = receipt_mac(secret, subject, &body).finalize().into_bytes();
    body.extend_from_slice(&tag);
    // Pushed rather than formatted: the buyer's page makes receipts, and formatting would
    // cost its small bundle more than it writes.
    let mut code = String::from(subject.as_str());
    code.push('.');
    URL_SAFE_NO_PAD.encode_string(&body, &mut code);
    Ok(code)
}

/// Checks a receipt against the secret of the request or case it names. Strict: the shell
/// trims what a person pasted before calling.
pub fn verify_receipt(code: &str, secret: &LinkSecret) -> Result<Receipt, ReceiptError> {
    let (subject, sealed) = split_receipt(code)?;
    let bytes = URL_SAFE_NO_PAD
        .decode(sealed)
        .map_err(|_| ReceiptError::NotAReceipt("it is cut short or holds stray characters"))?;
    if bytes.len() < 1 + TAG_BYTES {
        return Err(ReceiptError::NotAReceipt("it is cut short"));
    }
    if bytes[0] != RECEIPT_VERSION {
        return Err(ReceiptError::UnknownVersion(bytes[0]));
    }
    let (body, tag) = bytes.split_at(bytes.len() - TAG_BYTES);
    receipt_mac(secret, &subject, body)
        .verify_slice(tag)
        .map_err(|_| ReceiptError::NotGenuine(subject.clone()))?;
    let unreadable = |Cut(what)| ReceiptError::NotAReceipt(what);
    let mut r = Reader(&body[1..]);
    let kind = r.byte().map_err(unreadable)?;
    let decided_at = r.time().map_err(unreadable)?;
    let decision = match kind {
        0 => Decision::Approve,
        1 => Decision::Reject(
            r.text(
                1,
                DESCRIPTION_MAX,
                "its rejection reason is missing or too long",
            )
            .map_err(unreadable)?,
        ),
        _ => return Err(ReceiptError::NotAReceipt("it holds an unknown decision")),
    };
    r.finish().map_err(unreadable)?;
    Ok(Receipt {
        subject,
        decision,
        decided_at,
    })
}

/// The request or case a receipt names, read without verifying it: the seller needs it to
/// find the secret that verifies the receipt. Trust nothing else about the receipt until then.
pub fn receipt_subject(code: &str) -> Result<Subject, ReceiptError> {
    split_receipt(code).map(|(subject, _)| subject)
}

fn split_receipt(code: &str) -> Result<(Subject, &str), ReceiptError> {
    if code.len() > MAX_TEXT_CHARS {
        return Err(ReceiptError::NotAReceipt("it is far too long"));
    }
    let (id, sealed) = code.split_once('.').ok_or(ReceiptError::NotAReceipt(
        "it has no '.' after the request or case ID",
    ))?;
    let subject = Subject::read(id).ok_or(ReceiptError::NotAReceipt(
        "it does not start with a request or support case ID",
    ))?;
    Ok((subject, sealed))
}

fn receipt_mac(secret: &LinkSecret, subject: &Subject, body: &[u8]) -> HmacSha256 {
    let mut mac = secret.mac(subject.domain());
    let mut id = Vec::new();
    put_str(&mut id, subject.as_str());
    mac.update(&id);
    mac.update(body);
    mac
}

fn check_reason(reason: &str) -> Result<(), ReceiptError> {
    let count = reason.chars().count();
    if reason.trim().is_empty() {
        Err(ReceiptError::ReasonMissing)
    } else if count > DESCRIPTION_MAX {
        Err(ReceiptError::ReasonTooLong(count))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::fixtures::{
        created, genuine_receipt, payload, rejection, secret, single_edits,
    };
    use chrono::Duration;

    #[test]
    fn receipts_carry_the_decision_reason_and_time_to_the_nanosecond() {
        let id = Subject::Request(payload().request_id);
        let at = created() + Duration::nanoseconds(123_456_789);
        for decision in [Decision::Approve, rejection()] {
            let code = make_receipt(&id, &decision, at, &secret()).unwrap();
            assert!(code.starts_with("acr-6zq3m8k2x7v1p9d4t5w0rb3n."));
            assert_eq!(
                verify_receipt(&code, &secret()),
                Ok(Receipt {
                    subject: id.clone(),
                    decision,
                    decided_at: at,
                })
            );
        }
        let approve = make_receipt(&id, &Decision::Approve, at, &secret()).unwrap();
        println!("approval receipt: {} characters", approve.len());
        assert!(approve.len() < 100);
    }

    #[test]
    fn a_receipt_made_with_another_secret_is_refused() {
        let other = LinkSecret::from_bytes(&[9; 32]).unwrap();
        let forged = make_receipt(
            &Subject::Request(payload().request_id),
            &Decision::Approve,
            created(),
            &other,
        )
        .unwrap();
        let error = verify_receipt(&forged, &secret()).unwrap_err();
        assert_eq!(
            error,
            ReceiptError::NotGenuine(Subject::Request(payload().request_id))
        );
        assert!(error.to_string().contains("not made from the genuine link"));
    }

    #[test]
    fn a_receipt_moved_to_another_request_is_refused() {
        let code = genuine_receipt();
        let moved = code.replacen("acr-6zq3", "acr-6zq4", 1);
        assert!(matches!(
            verify_receipt(&moved, &secret()),
            Err(ReceiptError::NotGenuine(_))
        ));
    }

    #[test]
    fn every_single_character_edit_of_a_genuine_receipt_is_refused() {
        let approve = make_receipt(
            &Subject::Request(payload().request_id),
            &Decision::Approve,
            created(),
            &secret(),
        )
        .unwrap();
        for code in [genuine_receipt().clone(), approve] {
            assert!(verify_receipt(&code, &secret()).is_ok());
            for edited in single_edits(&code) {
                assert!(
                    verify_receipt(&edited, &secret()).is_err(),
                    "receipt edit {edited}"
                );
            }
        }
    }

    #[test]
    fn the_subject_is_read_without_verifying_and_garbage_is_not_a_receipt() {
        assert_eq!(
            receipt_subject(genuine_receipt()),
            Ok(Subject::Request(payload().request_id))
        );
        for garbage in [
            "",
            "hello",
            "acr-.abc",
            ".AAAA",
            " acr-1.AAAA",
            "acr-1",
            "case-.AAAA",
            "case-12a.AAAA",
            "case-1",
        ] {
            assert!(matches!(
                receipt_subject(garbage),
                Err(ReceiptError::NotAReceipt(_))
            ));
        }
    }

    #[test]
    fn a_case_receipt_names_its_case_and_never_passes_for_a_request() {
        let case = Subject::Case(SupportCaseId::new("case-4071"));
        let code = make_receipt(&case, &Decision::Approve, created(), &secret()).unwrap();
        assert!(code.starts_with("case-4071."));
        assert_eq!(receipt_subject(&code), Ok(case.clone()));
        assert_eq!(
            verify_receipt(&code, &secret()).map(|r| r.subject),
            Ok(case.clone())
        );
        // The same sealed decision under a request's ID fails: the two are sealed apart.
        let (_, sealed) = code.split_once('.').unwrap();
        let as_request = format!("{}.{sealed}", payload().request_id);
        assert!(matches!(
            verify_receipt(&as_request, &secret()),
            Err(ReceiptError::NotGenuine(Subject::Request(_)))
        ));
        for edited in single_edits(&code) {
            assert!(verify_receipt(&edited, &secret()).is_err(), "{edited}");
        }
        assert!(ReceiptError::NotGenuine(case)
            .to_string()
            .contains("genuine link of support case case-4071,"));
    }

    #[test]
    fn a_rejection_needs_a_reason_of_at_most_2000_characters() {
        let id = Subject::Request(payload().request_id);
        let reject = |reason: &str| {
            make_receipt(&id, &Decision::Reject(reason.into()), created(), &secret())
        };
        assert_eq!(reject(" \n"), Err(ReceiptError::ReasonMissing));
        assert_eq!(
            reject(&"é".repeat(2001)),
            Err(ReceiptError::ReasonTooLong(2001))
        );
        assert!(reject(&"é".repeat(2000)).is_ok());
    }
}
