//! Identifiers as the AWS Marketplace Agreement API defines them. Each is a newtype that can
//! only hold a valid value: parsing checks the pattern, and deserialising goes through the
//! same parse, so a damaged stored value is refused rather than trusted.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};
use thiserror::Error;

use crate::secret::LinkSecret;

/// Why a typed identifier was refused, in words for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IdError {
    #[error("Enter {what}.")]
    Empty { what: &'static str },
    #[error("{} can be at most {max} characters long.", capitalized(what))]
    TooLong { what: &'static str, max: usize },
    #[error("{} {rule}.", capitalized(what))]
    Pattern {
        what: &'static str,
        rule: &'static str,
    },
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $what:literal, $max:expr, $rule:literal, $valid:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// What this identifier is, in words ("an agreement ID").
            pub const WHAT: &'static str = $what;

            /// Checks typed or stored text; surrounding spaces are dropped.
            pub fn parse(text: &str) -> Result<Self, IdError> {
                let text = text.trim();
                if text.is_empty() {
                    return Err(IdError::Empty { what: $what });
                }
                if text.chars().count() > $max {
                    return Err(IdError::TooLong { what: $what, max: $max });
                }
                let valid: fn(&str) -> bool = $valid;
                if !valid(text) {
                    return Err(IdError::Pattern { what: $what, rule: $rule });
                }
                Ok($name(text.to_string()))
            }

            /// The identifier as the API spells it.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                // A stored value must already be exact: no trimming on the way in.
                match $name::parse(&text) {
                    Ok(id) if id.0 == text => Ok(id),
                    Ok(_) => Err(serde::de::Error::custom(concat!($what, " has surrounding spaces"))),
                    Err(e) => Err(serde::de::Error::custom(e)),
                }
            }
        }
    };
}

fn alnum(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn prefixed_alnum(s: &str, prefix: &str) -> bool {
    s.strip_prefix(prefix).is_some_and(alnum)
}

id_type!(
    /// An agreement: 1–64 characters of `[A-Za-z0-9_/-]`, e.g. `agmt-1a2b3c`.
    AgreementId, "an agreement ID", 64, "may only use letters, digits, '_', '/' and '-'",
    |s| s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'/' || b == b'-')
);
id_type!(
    /// A cancellation request: `acr-` then letters and digits, at most 64 characters.
    RequestId, "a cancellation request ID", 64, "starts with acr- followed by letters and digits",
    |s| prefixed_alnum(s, "acr-")
);
id_type!(
    /// A billing adjustment: `ba-` then letters and digits, at most 64 characters.
    AdjustmentId, "a billing adjustment ID", 64, "starts with ba- followed by letters and digits",
    |s| prefixed_alnum(s, "ba-")
);
id_type!(
    /// An AWS account: exactly 12 digits.
    AccountId, "an AWS account ID", 12, "is exactly 12 digits",
    |s| s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
);
id_type!(
    /// A product: `prod-` then letters and digits.
    ProductId, "a product ID", 64, "starts with prod- followed by letters and digits",
    |s| prefixed_alnum(s, "prod-")
);
id_type!(
    /// An offer: `offer-` then letters and digits.
    OfferId, "an offer ID", 64, "starts with offer- followed by letters and digits",
    |s| prefixed_alnum(s, "offer-")
);
id_type!(
    /// An invoice, as the billing system numbers them (letters, digits and '-').
    InvoiceId, "an invoice ID", 64, "may only use letters, digits and '-'",
    |s| s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
);
id_type!(
    /// The idempotency token of a request: 1–64 of `[a-zA-Z0-9-]`. The same token sent
    /// again returns the first result instead of acting twice.
    ClientToken, "a client token", 64, "may only use letters, digits and '-'",
    |s| s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
);

/// Where new identifiers come from, so that the core never draws random numbers itself. The
/// browser draws them from its crypto source; tests and the demo data count
/// ([`SequentialIds`]).
pub trait IdSource {
    /// 1 to 60 letters and digits, unique enough to tell requests apart (the part after
    /// `acr-` or `ba-`).
    fn next_suffix(&mut self) -> String;
    /// A UUID-shaped string (8-4-4-4-12 lowercase hex), as event IDs and API request IDs are.
    fn next_uuid(&mut self) -> String;

    /// A new cancellation request ID, `acr-…`.
    fn request_id(&mut self) -> RequestId {
        RequestId::parse(&format!("acr-{}", self.next_suffix()))
            .expect("an IdSource suffix is letters and digits")
    }

    /// The secret of a new cancellation request's link: 16 bytes. The browser overrides
    /// this with bytes from its crypto source; the default, a UUID's bytes, serves tests and
    /// demos.
    fn link_secret(&mut self) -> LinkSecret {
        let hex: String = self.next_uuid().chars().filter(|c| *c != '-').collect();
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("a UUID is hex digits"))
            .collect();
        LinkSecret::from_bytes(&bytes).expect("a UUID is 16 bytes")
    }

    /// A new billing adjustment ID, `ba-…`.
    fn adjustment_id(&mut self) -> AdjustmentId {
        AdjustmentId::parse(&format!("ba-{}", self.next_suffix()))
            .expect("an IdSource suffix is letters and digits")
    }

    /// The ID of a new Amazon FPS refund transaction, shaped like the one in FPS's sample
    /// response (`14GKE3B85HCMF1BTSH5C4PD2IHZL95RJ2LM`): 35 upper-case letters and digits.
    /// Spelled from two UUIDs in base 36 (18 digits of the first, 17 of the second), so it
    /// is as unpredictable as the UUIDs the source draws.
    fn refund_transaction_id(&mut self) -> String {
        const DIGITS: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        let mut text = String::with_capacity(35);
        for count in [18, 17] {
            let hex: String = self.next_uuid().chars().filter(|c| *c != '-').collect();
            let mut value = u128::from_str_radix(&hex, 16).expect("a UUID is 32 hex digits");
            for _ in 0..count {
                text.push(char::from(DIGITS[(value % 36) as usize]));
                value /= 36;
            }
        }
        text
    }
}

/// Deterministic identifiers for tests and demos: a counter, spelled as the real ones look
/// (`acr-000000000000002a`, a UUID made of the counter's bytes).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SequentialIds {
    /// The last number handed out; the next identifier uses `next + 1`.
    pub next: u64,
}

impl SequentialIds {
    /// A counter whose first identifier uses `next + 1`.
    pub fn starting_at(next: u64) -> Self {
        SequentialIds { next }
    }

    fn bump(&mut self) -> u64 {
        self.next += 1;
        self.next
    }
}

impl IdSource for SequentialIds {
    fn next_suffix(&mut self) -> String {
        format!("{:016x}", self.bump())
    }

    fn next_uuid(&mut self) -> String {
        uuid_from_bytes(&self.bump().to_be_bytes().repeat(2))
    }
}

/// Spells 16 bytes (missing ones are zero) as a version-4-shaped UUID: 8-4-4-4-12 lowercase
/// hex with the version and variant bits set.
pub fn uuid_from_bytes(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut b = [0u8; 16];
    for (slot, byte) in b.iter_mut().zip(bytes) {
        *slot = *byte;
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    // Written into an array, then checked once: pushing each char re-encodes it as UTF-8,
    // and pushing each byte checks the capacity, in a call of its own when optimised for
    // size; every event ID passes through here.
    let mut text = [b'-'; 36];
    let mut at = 0;
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            at += 1;
        }
        text[at] = HEX[usize::from(byte >> 4)];
        text[at + 1] = HEX[usize::from(byte & 0x0f)];
        at += 2;
    }
    std::str::from_utf8(&text)
        .expect("hex digits and dashes are ASCII")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn agreement_ids_follow_the_api_pattern() {
        assert!(AgreementId::parse("agmt-abcdexampleid").is_ok());
        assert!(AgreementId::parse("agmt/a_b-c").is_ok());
        assert!(AgreementId::parse(&"a".repeat(64)).is_ok());
        assert!(matches!(
            AgreementId::parse(&"a".repeat(65)),
            Err(IdError::TooLong { .. })
        ));
        assert!(matches!(
            AgreementId::parse("agmt 1"),
            Err(IdError::Pattern { .. })
        ));
        assert!(matches!(
            AgreementId::parse("  "),
            Err(IdError::Empty { .. })
        ));
    }

    #[test]
    fn request_and_adjustment_ids_need_their_prefix_and_a_body() {
        assert!(RequestId::parse("acr-abcdexampleid").is_ok());
        assert!(RequestId::parse("acr-").is_err());
        assert!(RequestId::parse("ba-abc").is_err());
        assert!(RequestId::parse("acr-ab_c").is_err());
        assert!(AdjustmentId::parse("ba-abcdexampleid").is_ok());
        assert!(AdjustmentId::parse("ba-").is_err());
    }

    #[test]
    fn account_ids_are_exactly_twelve_digits() {
        assert!(AccountId::parse("123456789012").is_ok());
        assert!(AccountId::parse("12345678901").is_err());
        assert!(AccountId::parse("12345678901a").is_err());
        assert!(AccountId::parse("1234567890123").is_err());
    }

    #[test]
    fn client_tokens_allow_letters_digits_and_dashes_up_to_64() {
        assert!(ClientToken::parse("form-7f3a-2").is_ok());
        assert!(ClientToken::parse(&"x".repeat(64)).is_ok());
        assert!(ClientToken::parse(&"x".repeat(65)).is_err());
        assert!(ClientToken::parse("a_b").is_err());
    }

    #[test]
    fn a_damaged_stored_id_is_refused_when_read_back() {
        assert!(serde_json::from_str::<AccountId>("\"12345\"").is_err());
        assert!(serde_json::from_str::<AccountId>("\" 123456789012\"").is_err());
        let id: AccountId = serde_json::from_str("\"123456789012\"").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"123456789012\"");
    }

    #[test]
    fn errors_read_as_sentences() {
        assert_eq!(
            AccountId::parse("12").unwrap_err().to_string(),
            "An AWS account ID is exactly 12 digits."
        );
    }

    #[test]
    fn sequential_ids_are_valid_and_distinct() {
        let mut ids = SequentialIds::default();
        let a = ids.request_id();
        let b = ids.request_id();
        assert_ne!(a, b);
        assert!(ids.adjustment_id().as_str().starts_with("ba-"));
        let uuid = ids.next_uuid();
        assert_eq!(uuid.len(), 36);
        assert_eq!(&uuid[14..15], "4");
        assert_ne!(ids.next_uuid(), uuid);
    }

    #[test]
    fn refund_transaction_ids_are_35_upper_case_letters_and_digits_like_fps_sample() {
        let mut ids = SequentialIds::default();
        let (a, b) = (ids.refund_transaction_id(), ids.refund_transaction_id());
        assert_ne!(a, b);
        for id in [a, b] {
            assert_eq!(
                id.len(),
                "14GKE3B85HCMF1BTSH5C4PD2IHZL95RJ2LM".len(),
                "{id}"
            );
            assert!(id
                .bytes()
                .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()));
        }
    }

    #[test]
    fn uuids_are_spelled_8_4_4_4_12_in_lowercase_hex() {
        let uuid = uuid_from_bytes(&[0xAB; 16]);
        assert_eq!(uuid, "abababab-abab-4bab-abab-abababababab");
        let short = uuid_from_bytes(&[1, 2]);
        assert_eq!(short, "01020000-0000-4000-8000-000000000000");
    }

    proptest! {
        #[test]
        fn parsing_any_text_never_panics_and_accepts_only_the_pattern(text in ".{0,80}") {
            if let Ok(id) = RequestId::parse(&text) {
                prop_assert!(id.as_str().starts_with("acr-"));
                prop_assert!(id.as_str().len() <= 64);
            }
            let _ = AgreementId::parse(&text);
            let _ = ClientToken::parse(&text);
        }
    }
}
