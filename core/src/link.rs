//! The confirmation link and the decision receipt (spec §3, issue 7).
//!
//! The link is `/confirm/<token>#<fragment>`. The token carries everything the buyer needs
//! to see and decide; the fragment carries the request's secret, and browsers never send a
//! fragment to a server, so no log along the way ever holds it. The token ends in an
//! HMAC-SHA-256 of its content keyed by that secret, so a link damaged or edited anywhere —
//! token or fragment — fails the check. Whoever holds the whole link holds the secret and
//! may decide: that is what the link is for. The receipt is what the secret really guards:
//! the seller kept the secret, so a receipt whose HMAC verifies was made by someone holding
//! the genuine link, for exactly that request, decision, reason and time.
//!
//! Both use unpadded base64url decoded strictly (no `=`, no stray trailing bits), so each
//! text decodes to exactly one byte string or to nothing: every edit of the text is an edit
//! of the authenticated bytes. A version byte comes first so that a later format can be
//! told apart instead of being misread.
//!
//! Token bytes: version, created_at (zigzag LEB128 seconds, LEB128 nanoseconds), reason
//! code index, then seller name, product name, agreement ID, request ID, buyer account,
//! reason and details as LEB128 length + UTF-8, then the 32-byte tag. Binary fields rather
//! than JSON keep a typical link well under 1,000 characters.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::Sha256;
use thiserror::Error;

use crate::cancellation::{CancellationReasonCode, AUTO_APPROVAL_AFTER, DESCRIPTION_MAX};
use crate::ids::{AccountId, AgreementId, RequestId};

type HmacSha256 = Hmac<Sha256>;

const LINK_VERSION: u8 = 1;
const RECEIPT_VERSION: u8 = 1;
const TAG_BYTES: usize = 32;
// Set the link's seal and the receipt's seal apart, so one can never pass for the other.
const LINK_DOMAIN: &[u8] = b"cancellation-workbench link v1\0";
const RECEIPT_DOMAIN: &[u8] = b"cancellation-workbench receipt v1\0";

/// Longest seller or product name a link carries, in characters.
pub const NAME_MAX: usize = 200;
/// Longest text of additional details for the buyer, in characters: room for all four
/// detail fields of a request.
pub const DETAILS_MAX: usize = 4 * crate::cancellation::DETAIL_MAX;
/// Longest token or receipt accepted, in characters, checked before anything is decoded.
/// A genuine one stays below it: about 56,000 with every field at its longest and full of
/// 4-byte characters.
pub const MAX_TEXT_CHARS: usize = 65_536;

/// The random secret of one request: 16 to 64 bytes, drawn by the shell from the browser's
/// crypto source, kept by the seller, and sent to the buyer only in the link's fragment.
#[derive(Clone, PartialEq, Eq)]
pub struct LinkSecret(Vec<u8>);

impl LinkSecret {
    pub const MIN_BYTES: usize = 16;
    pub const MAX_BYTES: usize = 64;

    pub fn from_bytes(bytes: &[u8]) -> Result<LinkSecret, LinkError> {
        if !(Self::MIN_BYTES..=Self::MAX_BYTES).contains(&bytes.len()) {
            return Err(LinkError::SecretLength(bytes.len()));
        }
        Ok(LinkSecret(bytes.to_vec()))
    }

    /// The secret's bytes, for a constant-time comparison.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The secret as it travels after `#`.
    pub fn to_fragment(&self) -> String {
        URL_SAFE_NO_PAD.encode(&self.0)
    }

    pub fn from_fragment(fragment: &str) -> Result<LinkSecret, LinkError> {
        if fragment.is_empty() {
            return Err(LinkError::MissingFragment);
        }
        if fragment.len() > Self::MAX_BYTES * 2 {
            return Err(LinkError::DamagedFragment);
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(fragment)
            .map_err(|_| LinkError::DamagedFragment)?;
        LinkSecret::from_bytes(&bytes).map_err(|_| LinkError::DamagedFragment)
    }

    fn mac(&self, domain: &[u8]) -> HmacSha256 {
        let mut mac =
            HmacSha256::new_from_slice(&self.0).expect("HMAC-SHA-256 takes a key of any length");
        mac.update(domain);
        // HMAC pads a short key with zero bytes, so a secret and the same secret followed by
        // zeros would seal alike; sealing its length too makes a fragment with an added
        // zero byte (an 'A' appended, say) fail like any other edit.
        mac.update(&[self.0.len() as u8]);
        mac
    }
}

/// Never shows the secret, so that it cannot leak into a log or a panic message.
impl fmt::Debug for LinkSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LinkSecret({} bytes)", self.0.len())
    }
}

/// Stored by the seller as its fragment text.
impl Serialize for LinkSecret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_fragment())
    }
}

impl<'de> Deserialize<'de> for LinkSecret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        LinkSecret::from_fragment(&text).map_err(serde::de::Error::custom)
    }
}

/// What the buyer sees and decides on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkPayload {
    pub seller_name: String,
    pub product_name: String,
    pub agreement_id: AgreementId,
    pub request_id: RequestId,
    pub buyer_account: AccountId,
    pub reason_code: CancellationReasonCode,
    pub reason: String,
    /// The additional details the seller means the buyer to read (may be empty).
    pub details_for_buyer: String,
    pub created_at: DateTime<Utc>,
}

impl LinkPayload {
    /// When the request approves itself: derived, never carried, so no edit can move it.
    pub fn auto_approval_at(&self) -> DateTime<Utc> {
        self.created_at + AUTO_APPROVAL_AFTER
    }
}

/// A link's two parts: the token goes in the path, the fragment after `#`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncodedLink {
    pub token: String,
    pub fragment: String,
}

impl EncodedLink {
    /// The path and fragment of the confirmation page, to put after the app's origin.
    pub fn href(&self) -> String {
        format!("/confirm/{}#{}", self.token, self.fragment)
    }
}

/// Why a link cannot be made, or why an opened link cannot be trusted. Every decoding error
/// means the same to the buyer: the link is damaged or altered, and no decision is possible.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LinkError {
    #[error("A link secret must be 16–64 random bytes (this one has {0}).")]
    SecretLength(usize),
    #[error("{field} {problem} to go into a link.")]
    Unfit {
        field: &'static str,
        problem: String,
    },
    #[error("This link is incomplete: the part after # is missing. Open the whole link exactly as the seller sent it.")]
    MissingFragment,
    #[error("This link is damaged or altered: the part after # is not what the seller sent.")]
    DamagedFragment,
    #[error("This link is damaged or altered: it is cut short or holds characters a genuine link never has.")]
    DamagedToken,
    #[error("This link was made by another version of the app (format {0}), or it was altered.")]
    UnknownVersion(u8),
    #[error("This link is damaged or altered: its content does not match its seal. Ask the seller to send it again.")]
    Altered,
    #[error("This link is damaged or altered: {0}.")]
    Malformed(&'static str),
}

/// Makes the link for `payload`, sealed with `secret`.
pub fn encode(payload: &LinkPayload, secret: &LinkSecret) -> Result<EncodedLink, LinkError> {
    fit_text("The seller name", &payload.seller_name, 1, NAME_MAX)?;
    fit_text("The product name", &payload.product_name, 1, NAME_MAX)?;
    fit_text("The reason", &payload.reason, 1, DESCRIPTION_MAX)?;
    fit_text(
        "The details for the buyer",
        &payload.details_for_buyer,
        0,
        DETAILS_MAX,
    )?;
    let mut bytes = vec![LINK_VERSION];
    put_time(&mut bytes, payload.created_at);
    bytes.push(reason_index(payload.reason_code));
    for text in [
        payload.seller_name.as_str(),
        &payload.product_name,
        payload.agreement_id.as_str(),
        payload.request_id.as_str(),
        payload.buyer_account.as_str(),
        &payload.reason,
        &payload.details_for_buyer,
    ] {
        put_str(&mut bytes, text);
    }
    let mut mac = secret.mac(LINK_DOMAIN);
    mac.update(&bytes);
    bytes.extend_from_slice(&mac.finalize().into_bytes());
    Ok(EncodedLink {
        token: URL_SAFE_NO_PAD.encode(&bytes),
        fragment: secret.to_fragment(),
    })
}

/// Reads an opened link; anything but the genuine link, unchanged, is refused.
pub fn decode(token: &str, fragment: &str) -> Result<LinkPayload, LinkError> {
    let secret = LinkSecret::from_fragment(fragment)?;
    if token.len() > MAX_TEXT_CHARS {
        return Err(LinkError::DamagedToken);
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|_| LinkError::DamagedToken)?;
    if bytes.len() < 1 + TAG_BYTES {
        return Err(LinkError::DamagedToken);
    }
    if bytes[0] != LINK_VERSION {
        return Err(LinkError::UnknownVersion(bytes[0]));
    }
    let (body, tag) = bytes.split_at(bytes.len() - TAG_BYTES);
    let mut mac = secret.mac(LINK_DOMAIN);
    mac.update(body);
    mac.verify_slice(tag).map_err(|_| LinkError::Altered)?;
    read_payload(&body[1..]).map_err(|Cut(what)| LinkError::Malformed(what))
}

fn read_payload(body: &[u8]) -> Result<LinkPayload, Cut> {
    let mut r = Reader(body);
    let created_at = r.time()?;
    let reason_code = *CancellationReasonCode::ALL
        .get(usize::from(r.byte()?))
        .ok_or(Cut("it names an unknown reason code"))?;
    let seller_name = r.text(1, NAME_MAX, "the seller name is missing or too long")?;
    let product_name = r.text(1, NAME_MAX, "the product name is missing or too long")?;
    let agreement_id = exact_id(
        r.str()?,
        AgreementId::parse,
        "the agreement ID is not valid",
    )?;
    let request_id = exact_id(r.str()?, RequestId::parse, "the request ID is not valid")?;
    let buyer_account = exact_id(r.str()?, AccountId::parse, "the buyer account is not valid")?;
    let reason = r.text(1, DESCRIPTION_MAX, "the reason is missing or too long")?;
    let details_for_buyer = r.text(0, DETAILS_MAX, "the details are too long")?;
    r.finish()?;
    Ok(LinkPayload {
        seller_name,
        product_name,
        agreement_id,
        request_id,
        buyer_account,
        reason_code,
        reason,
        details_for_buyer,
        created_at,
    })
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
    Ok(format!("{request_id}.{}", URL_SAFE_NO_PAD.encode(&body)))
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

fn fit_text(field: &'static str, text: &str, min: usize, max: usize) -> Result<(), LinkError> {
    let count = text.chars().count();
    let problem = if min > 0 && text.trim().is_empty() {
        "is required".to_string()
    } else if count > max {
        format!("can be at most {max} characters (it has {count})")
    } else {
        return Ok(());
    };
    Err(LinkError::Unfit { field, problem })
}

fn reason_index(code: CancellationReasonCode) -> u8 {
    CancellationReasonCode::ALL
        .iter()
        .position(|c| *c == code)
        .and_then(|i| u8::try_from(i).ok())
        .expect("every reason code is in ALL, which has fewer than 256")
}

/// An ID must come back exactly as written: a parse that trims would let spaces slip in.
fn exact_id<T: fmt::Display, E>(
    text: &str,
    parse: fn(&str) -> Result<T, E>,
    problem: &'static str,
) -> Result<T, Cut> {
    match parse(text) {
        Ok(id) if id.to_string() == text => Ok(id),
        _ => Err(Cut(problem)),
    }
}

fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn put_str(out: &mut Vec<u8>, text: &str) {
    put_varint(out, text.len() as u64);
    out.extend_from_slice(text.as_bytes());
}

fn put_time(out: &mut Vec<u8>, at: DateTime<Utc>) {
    let seconds = at.timestamp();
    put_varint(out, ((seconds << 1) ^ (seconds >> 63)) as u64);
    put_varint(out, u64::from(at.timestamp_subsec_nanos()));
}

/// Why authenticated bytes still do not make sense (only a holder of the secret can get
/// that far with bytes the app did not write).
struct Cut(&'static str);

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, Cut> {
        let (&first, rest) = self.0.split_first().ok_or(Cut("it is cut short"))?;
        self.0 = rest;
        Ok(first)
    }

    /// LEB128, refusing overlong forms so each value has one spelling.
    fn varint(&mut self) -> Result<u64, Cut> {
        let mut value: u64 = 0;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            let bits = u64::from(byte & 0x7f);
            if shift == 63 && bits > 1 {
                return Err(Cut("a number is too large"));
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                if byte == 0 && shift > 0 {
                    return Err(Cut("a number is not written the short way"));
                }
                return Ok(value);
            }
        }
        Err(Cut("a number is too large"))
    }

    fn time(&mut self) -> Result<DateTime<Utc>, Cut> {
        let zigzag = self.varint()?;
        let seconds = ((zigzag >> 1) as i64) ^ -((zigzag & 1) as i64);
        let nanos = u32::try_from(self.varint()?).map_err(|_| Cut("a time is not valid"))?;
        DateTime::from_timestamp(seconds, nanos).ok_or(Cut("a time is not valid"))
    }

    fn str(&mut self) -> Result<&str, Cut> {
        let len = usize::try_from(self.varint()?).map_err(|_| Cut("it is cut short"))?;
        if len > self.0.len() {
            return Err(Cut("it is cut short"));
        }
        let (text, rest) = self.0.split_at(len);
        self.0 = rest;
        std::str::from_utf8(text).map_err(|_| Cut("a text is not valid UTF-8"))
    }

    fn text(&mut self, min: usize, max: usize, problem: &'static str) -> Result<String, Cut> {
        let text = self.str()?;
        let count = text.chars().count();
        if count < min || count > max || (min > 0 && text.trim().is_empty()) {
            return Err(Cut(problem));
        }
        Ok(text.to_string())
    }

    fn finish(&self) -> Result<(), Cut> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Cut("it carries bytes after its last field"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};
    use proptest::prelude::*;
    use std::sync::OnceLock;

    const BASE64URL: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    /// Characters an edit may bring in: every base64url one, and some a link never has.
    fn edit_alphabet() -> Vec<char> {
        BASE64URL.chars().chain("=.+/ %é#".chars()).collect()
    }

    fn secret() -> LinkSecret {
        LinkSecret::from_bytes(&[
            0x3c, 0x91, 0x0e, 0x5a, 0xd7, 0x42, 0x8b, 0x16, 0xf0, 0x6d, 0x29, 0xc4, 0x77, 0x1f,
            0xa8, 0x53,
        ])
        .unwrap()
    }

    fn created() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, 14, 32, 7).unwrap() + Duration::milliseconds(481)
    }

    /// A typical request: real-looking IDs, a 200-character reason, a few details.
    fn payload() -> LinkPayload {
        let reason = "Buyer migrating to a different product offer: the team moved its \
            dashboards to the new Enterprise private offer signed on 2 November, so this \
            public subscription is no longer used by anyone there now.";
        assert_eq!(reason.chars().count(), 200);
        LinkPayload {
            seller_name: "Northwind Analytics".into(),
            product_name: "Northwind BI Cloud (Enterprise)".into(),
            agreement_id: AgreementId::parse("agmt-5ptg8j3vq2x7m1k9d4r6w0yzb").unwrap(),
            request_id: RequestId::parse("acr-6zq3m8k2x7v1p9d4t5w0rb3n").unwrap(),
            buyer_account: AccountId::parse("444455556666").unwrap(),
            reason_code: CancellationReasonCode::ReplacingAgreement,
            reason: reason.into(),
            details_for_buyer: "Buyer's request: email from Dana Lee on 12 November \
                (ticket FIN-2291). Next step: replacing with a new private offer \
                (offer-7hxk2p9qv4m3)."
                .into(),
            created_at: created(),
        }
    }

    fn genuine() -> &'static EncodedLink {
        static LINK: OnceLock<EncodedLink> = OnceLock::new();
        LINK.get_or_init(|| encode(&payload(), &secret()).unwrap())
    }

    fn rejection() -> Decision {
        Decision::Reject("We still use it for the EU team; please keep it until March.".into())
    }

    fn genuine_receipt() -> &'static String {
        static CODE: OnceLock<String> = OnceLock::new();
        CODE.get_or_init(|| {
            make_receipt(&payload().request_id, &rejection(), created(), &secret()).unwrap()
        })
    }

    /// Every text one character away from `text`: each character changed to each other
    /// one of `alphabet`, each removed, and each of `alphabet` inserted at every position.
    fn single_edits(text: &str) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        let alphabet = edit_alphabet();
        let mut edits = Vec::new();
        for i in 0..=chars.len() {
            for &c in &alphabet {
                let mut inserted = chars.clone();
                inserted.insert(i, c);
                edits.push(inserted.into_iter().collect());
                if i < chars.len() && chars[i] != c {
                    let mut changed = chars.clone();
                    changed[i] = c;
                    edits.push(changed.into_iter().collect());
                }
            }
            if i < chars.len() {
                let mut removed = chars.clone();
                removed.remove(i);
                edits.push(removed.into_iter().collect());
            }
        }
        edits
    }

    #[test]
    fn a_genuine_link_gives_back_exactly_what_the_seller_sent() {
        let link = genuine();
        assert_eq!(decode(&link.token, &link.fragment), Ok(payload()));
        assert_eq!(
            link.href(),
            format!("/confirm/{}#{}", link.token, link.fragment)
        );
    }

    #[test]
    fn the_auto_approval_deadline_is_derived_168_hours_after_creation() {
        let decoded = decode(&genuine().token, &genuine().fragment).unwrap();
        assert_eq!(
            decoded.auto_approval_at(),
            Utc.with_ymd_and_hms(2026, 11, 27, 14, 32, 7).unwrap() + Duration::milliseconds(481)
        );
    }

    #[test]
    fn the_secret_travels_only_in_the_fragment() {
        let link = genuine();
        assert_eq!(LinkSecret::from_fragment(&link.fragment), Ok(secret()));
        assert!(!link.token.contains(&link.fragment));
        let token_bytes = URL_SAFE_NO_PAD.decode(&link.token).unwrap();
        assert!(!token_bytes.windows(16).any(|w| w == secret().0.as_slice()));
    }

    #[test]
    fn a_typical_link_stays_under_1000_characters() {
        let link = genuine();
        let length = link.token.len() + 1 + link.fragment.len();
        println!(
            "typical link: token {} + '#' + fragment {} = {length} characters",
            link.token.len(),
            link.fragment.len()
        );
        assert!(length < 1000, "{length} characters");
    }

    #[test]
    fn every_single_character_edit_of_a_genuine_link_is_refused() {
        let link = genuine();
        let mut tried = 0;
        for token in single_edits(&link.token) {
            assert!(
                decode(&token, &link.fragment).is_err(),
                "token edit {token}"
            );
            tried += 1;
        }
        for fragment in single_edits(&link.fragment) {
            assert!(
                decode(&link.token, &fragment).is_err(),
                "fragment edit {fragment}"
            );
            tried += 1;
        }
        println!("single-character edits of a link refused: {tried}");
    }

    #[test]
    fn another_requests_secret_does_not_open_the_link() {
        let other = LinkSecret::from_bytes(&[7; 16]).unwrap();
        assert_eq!(
            decode(&genuine().token, &other.to_fragment()),
            Err(LinkError::Altered)
        );
    }

    #[test]
    fn base64_with_stray_trailing_bits_or_padding_is_refused_before_any_check() {
        let fragment = &genuine().fragment;
        // 16 bytes are 22 characters whose last one carries 4 unused bits, which must be 0.
        let last = fragment.chars().last().unwrap();
        let position = BASE64URL.find(last).unwrap();
        let sibling = BASE64URL.chars().nth(position ^ 1).unwrap();
        let stray = format!("{}{sibling}", &fragment[..fragment.len() - 1]);
        assert_eq!(
            decode(&genuine().token, &stray),
            Err(LinkError::DamagedFragment)
        );
        assert_eq!(
            decode(&genuine().token, &format!("{fragment}==")),
            Err(LinkError::DamagedFragment)
        );
    }

    #[test]
    fn a_link_without_its_fragment_says_it_is_incomplete() {
        let error = decode(&genuine().token, "").unwrap_err();
        assert_eq!(error, LinkError::MissingFragment);
        assert!(error.to_string().contains("part after # is missing"));
    }

    #[test]
    fn a_link_of_another_format_version_is_refused() {
        let mut bytes = URL_SAFE_NO_PAD.decode(&genuine().token).unwrap();
        bytes[0] = 2;
        assert_eq!(
            decode(&URL_SAFE_NO_PAD.encode(&bytes), &genuine().fragment),
            Err(LinkError::UnknownVersion(2))
        );
    }

    /// Seals any bytes as a version-1 link, as only a holder of the secret could.
    fn sealed(body: &[u8]) -> String {
        let mut bytes = vec![LINK_VERSION];
        bytes.extend_from_slice(body);
        let mut mac = secret().mac(LINK_DOMAIN);
        mac.update(&bytes);
        bytes.extend_from_slice(&mac.finalize().into_bytes());
        URL_SAFE_NO_PAD.encode(&bytes)
    }

    #[test]
    fn sealed_nonsense_is_refused_as_malformed_without_panicking() {
        let fragment = secret().to_fragment();
        let genuine_body = {
            let bytes = URL_SAFE_NO_PAD.decode(&genuine().token).unwrap();
            bytes[1..bytes.len() - TAG_BYTES].to_vec()
        };
        let mut trailing = genuine_body.clone();
        trailing.push(0);
        let mut overlong_time = vec![0x80, 0x00];
        overlong_time.extend_from_slice(&genuine_body[1..]);
        for body in [
            Vec::new(),
            vec![0xff; 12],
            genuine_body[..genuine_body.len() - 1].to_vec(),
            trailing,
            overlong_time,
        ] {
            assert!(matches!(
                decode(&sealed(&body), &fragment),
                Err(LinkError::Malformed(_))
            ));
        }
    }

    #[test]
    fn a_payload_unfit_for_a_link_is_refused_when_encoding() {
        let mut p = payload();
        p.reason = "  ".into();
        assert_eq!(
            encode(&p, &secret()).unwrap_err().to_string(),
            "The reason is required to go into a link."
        );
        p.reason = "x".repeat(DESCRIPTION_MAX + 1);
        assert!(encode(&p, &secret())
            .unwrap_err()
            .to_string()
            .contains("at most 2000 characters (it has 2001)"));
        p.reason = "x".repeat(DESCRIPTION_MAX);
        p.details_for_buyer = String::new();
        let link = encode(&p, &secret()).unwrap();
        assert_eq!(decode(&link.token, &link.fragment), Ok(p));
        assert_eq!(
            LinkSecret::from_bytes(&[1; 15]),
            Err(LinkError::SecretLength(15))
        );
    }

    #[test]
    fn the_largest_fit_payload_still_fits_under_the_decoding_limit() {
        let wide = '\u{1F600}';
        let p = LinkPayload {
            seller_name: wide.to_string().repeat(NAME_MAX),
            product_name: wide.to_string().repeat(NAME_MAX),
            agreement_id: AgreementId::parse(&"a".repeat(64)).unwrap(),
            request_id: RequestId::parse(&format!("acr-{}", "b".repeat(60))).unwrap(),
            reason: wide.to_string().repeat(DESCRIPTION_MAX),
            details_for_buyer: wide.to_string().repeat(DETAILS_MAX),
            created_at: DateTime::<Utc>::MAX_UTC,
            ..payload()
        };
        let link = encode(&p, &secret()).unwrap();
        assert!(link.token.len() < MAX_TEXT_CHARS, "{}", link.token.len());
        assert_eq!(decode(&link.token, &link.fragment), Ok(p));
    }

    #[test]
    fn the_secret_never_shows_in_debug_output_and_is_stored_as_its_fragment() {
        assert_eq!(format!("{:?}", secret()), "LinkSecret(16 bytes)");
        let json = serde_json::to_string(&secret()).unwrap();
        assert_eq!(json, format!("\"{}\"", secret().to_fragment()));
        assert_eq!(serde_json::from_str::<LinkSecret>(&json).unwrap(), secret());
        assert!(serde_json::from_str::<LinkSecret>("\"AAAA\"").is_err());
    }

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

    /// One character added, removed or changed somewhere.
    fn apply(text: &str, edits: &[(usize, u8, char)]) -> String {
        let mut chars: Vec<char> = text.chars().collect();
        for &(at, kind, c) in edits {
            let i = at % (chars.len() + 1);
            match kind {
                0 => chars.insert(i, c),
                1 if i < chars.len() => {
                    chars.remove(i);
                }
                _ if i < chars.len() => chars[i] = c,
                _ => chars.push(c),
            }
        }
        chars.into_iter().collect()
    }

    #[derive(Debug, Clone)]
    enum Fuzz {
        /// Texts expanded from a seed: proptest's own string strategies cost up to a
        /// millisecond per value in a debug build, too slow for 100,000 cases.
        Random {
            seed: u64,
            flavour: u8,
        },
        Link(Vec<(usize, u8, char)>),
        Receipt(Vec<(usize, u8, char)>),
    }

    /// xorshift64*: enough to spread a seed over a few hundred characters.
    fn next(state: &mut u64) -> u64 {
        *state ^= *state >> 12;
        *state ^= *state << 25;
        *state ^= *state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Two texts: any characters, base64url-looking ones, or a sealed-looking token that
    /// passes the base64 and version checks and reaches the seal.
    fn random_texts(seed: u64, flavour: u8) -> (String, String) {
        let mut state = seed | 1;
        let alphabet = edit_alphabet();
        let text = |len: usize, state: &mut u64| -> String {
            (0..len)
                .map(|_| match flavour {
                    0 => char::from_u32((next(state) % 0x11_0000) as u32).unwrap_or('\u{fffd}'),
                    _ => alphabet[(next(state) % 64) as usize],
                })
                .collect()
        };
        let a_len = (next(&mut state) % 900) as usize;
        let b_len = (next(&mut state) % 40) as usize;
        let mut a = text(a_len, &mut state);
        let b = text(b_len, &mut state);
        if flavour == 2 {
            let mut bytes = vec![LINK_VERSION];
            bytes.extend((0..a_len).map(|_| next(&mut state) as u8));
            a = URL_SAFE_NO_PAD.encode(bytes);
            return (a, secret().to_fragment());
        }
        (a, b)
    }

    fn fuzz() -> impl Strategy<Value = Fuzz> {
        let edit = (any::<usize>(), 0u8..3, any::<char>());
        let base64_edit = (
            any::<usize>(),
            0u8..3,
            proptest::sample::select(edit_alphabet()),
        );
        prop_oneof![
            (any::<u64>(), 0u8..3).prop_map(|(seed, flavour)| Fuzz::Random { seed, flavour }),
            proptest::collection::vec(edit.clone(), 1..5).prop_map(Fuzz::Link),
            proptest::collection::vec(base64_edit.clone(), 1..3).prop_map(Fuzz::Link),
            proptest::collection::vec(edit, 1..5).prop_map(Fuzz::Receipt),
            proptest::collection::vec(base64_edit, 1..3).prop_map(Fuzz::Receipt),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100_000))]

        #[test]
        fn random_and_mutated_links_and_receipts_never_panic_and_only_genuine_ones_pass(
            input in fuzz()
        ) {
            match input {
                Fuzz::Random { seed, flavour } => {
                    let (a, b) = random_texts(seed, flavour);
                    prop_assert!(decode(&a, &b).is_err());
                    prop_assert!(verify_receipt(&a, &secret()).is_err());
                    let _ = receipt_request_id(&a);
                    let _ = LinkSecret::from_fragment(&b);
                }
                Fuzz::Link(edits) => {
                    let original = format!("{}#{}", genuine().token, genuine().fragment);
                    let edited = apply(&original, &edits);
                    let (token, fragment) = edited.split_once('#').unwrap_or((&edited, ""));
                    let result = decode(token, fragment);
                    prop_assert_eq!(result.is_ok(), edited == original);
                }
                Fuzz::Receipt(edits) => {
                    let edited = apply(genuine_receipt(), &edits);
                    let result = verify_receipt(&edited, &secret());
                    prop_assert_eq!(result.is_ok(), &edited == genuine_receipt());
                    let _ = receipt_request_id(&edited);
                }
            }
        }
    }

    proptest! {
        #[test]
        fn any_fit_payload_round_trips(
            seller in "\\PC{1,60}",
            reason in "\\PC{1,300}",
            details in "\\PC{0,300}",
            seconds in -62_000_000_000i64..250_000_000_000,
            nanos in 0u32..1_000_000_000,
            code in proptest::sample::select(CancellationReasonCode::ALL.to_vec()),
            key in proptest::collection::vec(any::<u8>(), 16..=64),
        ) {
            prop_assume!(!seller.trim().is_empty() && !reason.trim().is_empty());
            let p = LinkPayload {
                seller_name: seller,
                reason,
                details_for_buyer: details,
                reason_code: code,
                created_at: DateTime::from_timestamp(seconds, nanos).unwrap(),
                ..payload()
            };
            let secret = LinkSecret::from_bytes(&key).unwrap();
            let link = encode(&p, &secret).unwrap();
            prop_assert_eq!(decode(&link.token, &link.fragment), Ok(p));
        }
    }
}
