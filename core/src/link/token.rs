//! The sealed confirmation link: what the buyer sees and decides on, carried in the token
//! and sealed with the request's secret.
//!
//! Token bytes: version, created_at (zigzag LEB128 seconds, LEB128 nanoseconds), reason
//! code index, then seller name, product name, agreement ID, request ID, buyer account,
//! reason and details as LEB128 length + UTF-8, then the 32-byte tag. Binary fields rather
//! than JSON keep a typical link well under 1,000 characters.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::Mac;
use serde::{Deserialize, Serialize};

use super::wire::{exact_id, put_str, put_time, Cut, Reader, MAX_TEXT_CHARS, TAG_BYTES};
use crate::cancellation::{
    CancellationReasonCode, AUTO_APPROVAL_AFTER, DESCRIPTION_MAX, DETAIL_MAX,
};
use crate::ids::{AccountId, AgreementId, RequestId};
use crate::secret::{LinkError, LinkSecret};

pub(super) const LINK_VERSION: u8 = 1;
// Set apart from the receipt's seal, so that one can never pass for the other.
pub(super) const LINK_DOMAIN: &[u8] = b"cancellation-workbench link v1\0";

/// Longest seller or product name a link carries, in characters.
pub const NAME_MAX: usize = 200;
/// Longest text of additional details for the buyer, in characters: room for all four
/// detail fields of a request.
pub const DETAILS_MAX: usize = 4 * DETAIL_MAX;

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

/// The path of the confirmation page.
pub const CONFIRM_PATH: &str = "/confirm/";
/// Between the token and the secret after `#`: outside base64url's alphabet, so the split is
/// never in doubt, and unreserved in URLs, so nothing along the way percent-encodes it.
pub const SEPARATOR: char = '.';

/// A link's two parts: the sealed token and the secret's fragment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncodedLink {
    pub token: String,
    pub fragment: String,
}

impl EncodedLink {
    /// The path and fragment of the confirmation page, to put after the app's origin:
    /// `/confirm/#<token>.<secret>`, everything after `#`, so that no request for the page,
    /// and no server log, ever holds the token.
    pub fn href(&self) -> String {
        let mut href =
            String::with_capacity(CONFIRM_PATH.len() + self.token.len() + self.fragment.len() + 2);
        href.push_str(CONFIRM_PATH);
        href.push('#');
        href.push_str(&self.token);
        href.push(SEPARATOR);
        href.push_str(&self.fragment);
        href
    }
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
    Ok(seal(bytes, LINK_DOMAIN, secret))
}

/// Ends a link's bytes with their tag under `domain`, and writes the link.
pub(super) fn seal(mut bytes: Vec<u8>, domain: &[u8], secret: &LinkSecret) -> EncodedLink {
    let mut mac = secret.mac(domain);
    mac.update(&bytes);
    bytes.extend_from_slice(&mac.finalize().into_bytes());
    EncodedLink {
        token: URL_SAFE_NO_PAD.encode(&bytes),
        fragment: secret.to_fragment(),
    }
}

/// A token's first byte and the bytes after it, once its tag checks out under the seal
/// `domain` gives that first byte: anything else is refused before a byte is read.
pub(super) fn unseal(
    token: &str,
    secret: &LinkSecret,
    domain: impl Fn(u8) -> Option<&'static [u8]>,
) -> Result<(u8, Vec<u8>), LinkError> {
    if token.len() > MAX_TEXT_CHARS {
        return Err(LinkError::DamagedToken);
    }
    let mut bytes = URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|_| LinkError::DamagedToken)?;
    if bytes.len() < 1 + TAG_BYTES {
        return Err(LinkError::DamagedToken);
    }
    let kind = bytes[0];
    let seal = domain(kind).ok_or(LinkError::UnknownVersion(kind))?;
    let tag = bytes.split_off(bytes.len() - TAG_BYTES);
    let mut mac = secret.mac(seal);
    mac.update(&bytes);
    mac.verify_slice(&tag).map_err(|_| LinkError::Altered)?;
    bytes.remove(0);
    Ok((kind, bytes))
}

pub(super) fn read_payload(body: &[u8]) -> Result<LinkPayload, Cut> {
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

pub(super) fn fit_text(
    field: &'static str,
    text: &str,
    min: usize,
    max: usize,
) -> Result<(), LinkError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::fixtures::{genuine, payload, secret, single_edits, BASE64URL};
    use crate::link::opened::{decode, read_address, Opened};
    use chrono::{Duration, TimeZone};
    use proptest::prelude::*;

    #[test]
    fn a_genuine_link_gives_back_exactly_what_the_seller_sent() {
        let link = genuine();
        assert_eq!(
            decode(&link.token, &link.fragment),
            Ok(Opened::Request(payload()))
        );
        assert_eq!(
            link.href(),
            format!("/confirm/#{}.{}", link.token, link.fragment)
        );
    }

    #[test]
    fn an_address_of_either_form_opens_the_link_with_its_secret() {
        let link = genuine();
        let opened = Ok((Opened::Request(payload()), secret()));
        let (path, hash) = link
            .href()
            .split_once('#')
            .map(|(p, h)| (p.to_string(), h.to_string()))
            .unwrap();
        assert_eq!(path, CONFIRM_PATH);
        assert_eq!(read_address(&path, &format!("#{hash}")), opened);
        let old_path = format!("/confirm/{}", link.token);
        assert_eq!(
            read_address(&old_path, &format!("#{}", link.fragment)),
            opened
        );
    }

    #[test]
    fn an_address_missing_a_part_says_which() {
        let link = genuine();
        let old_path = format!("/confirm/{}", link.token);
        assert_eq!(read_address(&old_path, ""), Err(LinkError::MissingFragment));
        assert_eq!(
            read_address(CONFIRM_PATH, "#"),
            Err(LinkError::MissingFragment)
        );
        assert_eq!(
            read_address(CONFIRM_PATH, &format!("#{}", link.token)),
            Err(LinkError::DamagedFragment)
        );
        let hash = format!("#{}.{}", link.token, link.fragment);
        assert_eq!(
            read_address("/receipt", &hash),
            Err(LinkError::DamagedToken)
        );
        // One `#` is the hash's own; a second one is an edit.
        assert!(read_address(CONFIRM_PATH, &format!("#{hash}")).is_err());
        assert!(read_address(&old_path, &format!("##{}", link.fragment)).is_err());
    }

    #[test]
    fn the_auto_approval_deadline_is_derived_168_hours_after_creation() {
        assert_eq!(
            payload().auto_approval_at(),
            Utc.with_ymd_and_hms(2026, 11, 27, 14, 32, 7).unwrap() + Duration::milliseconds(481)
        );
    }

    #[test]
    fn the_secret_travels_only_in_the_fragment() {
        let link = genuine();
        assert_eq!(LinkSecret::from_fragment(&link.fragment), Ok(secret()));
        assert!(!link.token.contains(&link.fragment));
        let token_bytes = URL_SAFE_NO_PAD.decode(&link.token).unwrap();
        assert!(!token_bytes.windows(16).any(|w| w == secret().as_bytes()));
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
        bytes[0] = 3;
        assert_eq!(
            decode(&URL_SAFE_NO_PAD.encode(&bytes), &genuine().fragment),
            Err(LinkError::UnknownVersion(3))
        );
        // A request's bytes relabelled as a case's fail the case's seal.
        bytes[0] = 2;
        assert_eq!(
            decode(&URL_SAFE_NO_PAD.encode(&bytes), &genuine().fragment),
            Err(LinkError::Altered)
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
        assert_eq!(decode(&link.token, &link.fragment), Ok(Opened::Request(p)));
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
        assert_eq!(decode(&link.token, &link.fragment), Ok(Opened::Request(p)));
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
            prop_assert_eq!(decode(&link.token, &link.fragment), Ok(Opened::Request(p)));
        }
    }
}
