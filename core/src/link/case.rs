//! The link for AWS's question on a support case: a seller asked AWS to cancel a contract,
//! and cancelling a contract needs the buyer's approval too (seed 001). In AWS the question
//! reaches the buyer through AWS; here the simulated AWS's message is a link the seller
//! passes on, sealed like a request's, whose receipt answers the case.
//!
//! Token bytes: [`CASE_LINK_VERSION`], opened_at, whether an effective date follows and the
//! date (as its midnight UTC), then seller name, product name, agreement ID, case ID and
//! buyer account as LEB128 length + UTF-8, then the 32-byte tag.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use super::receipt::Subject;
use super::token::{fit_text, seal, EncodedLink, NAME_MAX};
use super::wire::{exact_id, put_str, put_time, Cut, Reader};
use crate::ids::{AccountId, AgreementId};
use crate::key::SupportCaseId;
use crate::secret::{LinkError, LinkSecret};

/// The first byte of a case's token, where a request's has its version.
pub(super) const CASE_LINK_VERSION: u8 = 2;
// Set apart from a request's link, so that one can never pass for the other.
pub(super) const CASE_LINK_DOMAIN: &[u8] = b"cancellation-workbench case link v1\0";

/// What the buyer sees and answers about a support case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseLinkPayload {
    pub seller_name: String,
    pub product_name: String,
    pub agreement_id: AgreementId,
    pub case_id: SupportCaseId,
    pub buyer_account: AccountId,
    /// The date the seller asked the cancellation to take effect; none for "after the
    /// current billing cycle".
    pub effective: Option<NaiveDate>,
    pub opened_at: DateTime<Utc>,
}

impl CaseLinkPayload {
    /// What the buyer's receipt answers.
    pub fn subject(&self) -> Subject {
        Subject::Case(self.case_id.clone())
    }
}

/// Makes the link for a case's question to its buyer, sealed with the case's secret.
pub fn encode_case(
    payload: &CaseLinkPayload,
    secret: &LinkSecret,
) -> Result<EncodedLink, LinkError> {
    fit_text("The seller name", &payload.seller_name, 1, NAME_MAX)?;
    fit_text("The product name", &payload.product_name, 1, NAME_MAX)?;
    let mut bytes = vec![CASE_LINK_VERSION];
    put_time(&mut bytes, payload.opened_at);
    match payload.effective {
        Some(date) => {
            bytes.push(1);
            put_time(&mut bytes, date.and_time(NaiveTime::MIN).and_utc());
        }
        None => bytes.push(0),
    }
    for text in [
        payload.seller_name.as_str(),
        &payload.product_name,
        payload.agreement_id.as_str(),
        payload.case_id.as_str(),
        payload.buyer_account.as_str(),
    ] {
        put_str(&mut bytes, text);
    }
    Ok(seal(bytes, CASE_LINK_DOMAIN, secret))
}

/// Reads a case's sealed bytes after the version byte.
pub(super) fn read_case(body: &[u8]) -> Result<CaseLinkPayload, Cut> {
    let mut r = Reader(body);
    let opened_at = r.time()?;
    let effective = match r.byte()? {
        0 => None,
        1 => {
            let midnight = r.time()?;
            // One spelling: a date is only ever written as its midnight.
            if midnight.time() != NaiveTime::MIN {
                return Err(Cut("the effective date is not a date"));
            }
            Some(midnight.date_naive())
        }
        _ => return Err(Cut("the effective date is not readable")),
    };
    let seller_name = r.text(1, NAME_MAX, "the seller name is missing or too long")?;
    let product_name = r.text(1, NAME_MAX, "the product name is missing or too long")?;
    let agreement_id = exact_id(
        r.str()?,
        AgreementId::parse,
        "the agreement ID is not valid",
    )?;
    let case_id = match Subject::read(r.str()?) {
        Some(Subject::Case(id)) => id,
        _ => return Err(Cut("the support case ID is not valid")),
    };
    let buyer_account = exact_id(r.str()?, AccountId::parse, "the buyer account is not valid")?;
    r.finish()?;
    Ok(CaseLinkPayload {
        seller_name,
        product_name,
        agreement_id,
        case_id,
        buyer_account,
        effective,
        opened_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::fixtures::{created, secret, single_edits};
    use crate::link::{decode, make_receipt, verify_receipt, Decision, Opened};

    pub(crate) fn case_payload(effective: Option<NaiveDate>) -> CaseLinkPayload {
        CaseLinkPayload {
            seller_name: "Northwind Analytics".into(),
            product_name: "Northwind ETL".into(),
            agreement_id: AgreementId::parse("agmt-fbbeb5917b2a").unwrap(),
            case_id: SupportCaseId::new("case-4071"),
            buyer_account: AccountId::parse("444455556666").unwrap(),
            effective,
            opened_at: created(),
        }
    }

    #[test]
    fn a_case_link_gives_back_what_the_seller_asked_with_or_without_a_date() {
        for effective in [None, NaiveDate::from_ymd_opt(2027, 1, 31)] {
            let payload = case_payload(effective);
            let link = encode_case(&payload, &secret()).unwrap();
            assert_eq!(
                decode(&link.token, &link.fragment),
                Ok(Opened::Case(payload.clone()))
            );
            assert!(link.href().len() < 400, "{}", link.href());
        }
    }

    #[test]
    fn every_single_character_edit_of_a_case_link_is_refused() {
        let link = encode_case(
            &case_payload(NaiveDate::from_ymd_opt(2027, 1, 31)),
            &secret(),
        )
        .unwrap();
        for token in single_edits(&link.token) {
            assert!(decode(&token, &link.fragment).is_err(), "token {token}");
        }
        for fragment in single_edits(&link.fragment) {
            assert!(decode(&link.token, &fragment).is_err(), "secret {fragment}");
        }
    }

    #[test]
    fn the_buyers_answer_to_a_case_link_is_a_receipt_for_the_case() {
        let payload = case_payload(None);
        let code = make_receipt(
            &payload.subject(),
            &Decision::Reject("We still need it until March.".into()),
            created(),
            &secret(),
        )
        .unwrap();
        let receipt = verify_receipt(&code, &secret()).unwrap();
        assert_eq!(receipt.subject, Subject::Case(payload.case_id));
    }
}
