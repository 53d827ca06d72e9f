//! What a genuine link opens: a seller's cancellation request ([`super::token`]) or AWS's
//! question on a support case ([`super::case`]), told apart by the token's first byte and
//! each checked under its own seal before a byte of it is read.

use super::case::{read_case, CaseLinkPayload, CASE_LINK_DOMAIN, CASE_LINK_VERSION};
use super::receipt::Subject;
use super::token::{
    read_payload, unseal, LinkPayload, CONFIRM_PATH, LINK_DOMAIN, LINK_VERSION, SEPARATOR,
};
use super::wire::Cut;
use crate::ids::AgreementId;
use crate::secret::{LinkError, LinkSecret};

/// What a genuine link asks the buyer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// A seller's cancellation request.
    Request(LinkPayload),
    /// AWS's question on a seller's support case: approve the cancellation of a contract.
    Case(CaseLinkPayload),
}

impl Opened {
    /// What the buyer's receipt answers.
    pub fn subject(&self) -> Subject {
        match self {
            Opened::Request(payload) => Subject::Request(payload.request_id.clone()),
            Opened::Case(payload) => payload.subject(),
        }
    }

    pub fn agreement_id(&self) -> &AgreementId {
        match self {
            Opened::Request(payload) => &payload.agreement_id,
            Opened::Case(payload) => &payload.agreement_id,
        }
    }
}

/// Reads an opened confirmation page's address: its path, and its hash as `Location.hash`
/// gives it (empty, or `#` and the fragment). Both forms are read: `/confirm/#<token>.<secret>`,
/// and `/confirm/<token>#<secret>` of the links handed out before. Anything but a genuine
/// link, unchanged, is refused.
pub fn read_address(path: &str, hash: &str) -> Result<(Opened, LinkSecret), LinkError> {
    let rest = path
        .strip_prefix(CONFIRM_PATH)
        .ok_or(LinkError::DamagedToken)?;
    let fragment = hash.strip_prefix('#').unwrap_or(hash);
    let (token, fragment) = match (rest, fragment) {
        (_, "") => return Err(LinkError::MissingFragment),
        ("", both) => both
            .split_once(SEPARATOR)
            .ok_or(LinkError::DamagedFragment)?,
        (token, fragment) => (token, fragment),
    };
    let secret = LinkSecret::from_fragment(fragment)?;
    Ok((decode_sealed(token, &secret)?, secret))
}

/// Reads an opened link; anything but the genuine link, unchanged, is refused.
pub fn decode(token: &str, fragment: &str) -> Result<Opened, LinkError> {
    decode_sealed(token, &LinkSecret::from_fragment(fragment)?)
}

fn decode_sealed(token: &str, secret: &LinkSecret) -> Result<Opened, LinkError> {
    let domain = |kind| match kind {
        LINK_VERSION => Some(LINK_DOMAIN),
        CASE_LINK_VERSION => Some(CASE_LINK_DOMAIN),
        _ => None,
    };
    let (kind, body) = unseal(token, secret, domain)?;
    let opened = if kind == CASE_LINK_VERSION {
        read_case(&body).map(Opened::Case)
    } else {
        read_payload(&body).map(Opened::Request)
    };
    opened.map_err(|Cut(what)| LinkError::Malformed(what))
}
