//! The decision receipt: the buyer's answer, sealed with the secret of the link it was
//! made from, which the seller's app verifies before applying it to the request.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::Mac;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::wire::{exact_id, put_str, put_time, Cut, Reader, MAX_TEXT_CHARS, TAG_BYTES};
use crate::cancellation::DESCRIPTION_MAX;
use crate::ids::RequestId;
use crate::secret::{HmacSha256, LinkSecret};

const RECEIPT_VERSION: u8 = 1;
// Set apart from the link's seal, so that one can never pass for the other.
const RECEIPT_DOMAIN: &[u8] = b"cancellation-workbench receipt v1\0";

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
    pub request_id: RequestId,
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
    #[error("This receipt was not made from the genuine link of request {0}, or it was changed after it was made. Ask the buyer to send it again.")]
    NotGenuine(RequestId),
}

/// The receipt code the buyer sends back: `<request ID>.<sealed decision>`. The request ID
/// is in clear so the seller's app can find the request (and its secret) before verifying.
pub fn make_receipt(
    request_id: &RequestId,
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
    let tag = receipt_mac(secret, request_id, &body)
        .finalize()
        .into_bytes();
    body.extend_from_slice(&tag);
    // Pushed rather than formatted: the buyer's page makes receipts, and formatting would
    // cost its small bundle more than it writes.
    let mut code = String::from(request_id.as_str());
    code.push('.');
    URL_SAFE_NO_PAD.encode_string(&body, &mut code);
    Ok(code)
}

/// Checks a receipt against the secret of the request it names. Strict: the shell trims
/// what a person pasted before calling.
pub fn verify_receipt(code: &str, secret: &LinkSecret) -> Result<Receipt, ReceiptError> {
    let (request_id, sealed) = split_receipt(code)?;
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
    receipt_mac(secret, &request_id, body)
        .verify_slice(tag)
        .map_err(|_| ReceiptError::NotGenuine(request_id.clone()))?;
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
        request_id,
        decision,
        decided_at,
    })
}

/// The request a receipt names, read without verifying it: the seller needs it to find the
/// secret that verifies the receipt. Trust nothing else about the receipt until then.
pub fn receipt_request_id(code: &str) -> Result<RequestId, ReceiptError> {
    split_receipt(code).map(|(id, _)| id)
}

fn split_receipt(code: &str) -> Result<(RequestId, &str), ReceiptError> {
    if code.len() > MAX_TEXT_CHARS {
        return Err(ReceiptError::NotAReceipt("it is far too long"));
    }
    let (id, sealed) = code.split_once('.').ok_or(ReceiptError::NotAReceipt(
        "it has no '.' after the request ID",
    ))?;
    let request_id = exact_id(id, RequestId::parse, "it does not start with a request ID")
        .map_err(|Cut(what)| ReceiptError::NotAReceipt(what))?;
    Ok((request_id, sealed))
}

fn receipt_mac(secret: &LinkSecret, request_id: &RequestId, body: &[u8]) -> HmacSha256 {
    let mut mac = secret.mac(RECEIPT_DOMAIN);
    let mut id = Vec::new();
    put_str(&mut id, request_id.as_str());
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
        let id = payload().request_id;
        let at = created() + Duration::nanoseconds(123_456_789);
        for decision in [Decision::Approve, rejection()] {
            let code = make_receipt(&id, &decision, at, &secret()).unwrap();
            assert!(code.starts_with("acr-6zq3m8k2x7v1p9d4t5w0rb3n."));
            assert_eq!(
                verify_receipt(&code, &secret()),
                Ok(Receipt {
                    request_id: id.clone(),
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
        let forged =
            make_receipt(&payload().request_id, &Decision::Approve, created(), &other).unwrap();
        let error = verify_receipt(&forged, &secret()).unwrap_err();
        assert_eq!(error, ReceiptError::NotGenuine(payload().request_id));
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
            &payload().request_id,
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
    fn the_request_id_is_read_without_verifying_and_garbage_is_not_a_receipt() {
        assert_eq!(
            receipt_request_id(genuine_receipt()),
            Ok(payload().request_id)
        );
        for garbage in ["", "hello", "acr-.abc", ".AAAA", " acr-1.AAAA", "acr-1"] {
            assert!(matches!(
                receipt_request_id(garbage),
                Err(ReceiptError::NotAReceipt(_))
            ));
        }
    }

    #[test]
    fn a_rejection_needs_a_reason_of_at_most_2000_characters() {
        let id = payload().request_id;
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
