//! The secret of one request, which seals its link and its receipts, and the ways a link
//! fails. It imports nothing else of the crate and sits below the link, at the crate's top,
//! so that the IDs and the request can hold a secret without importing the link that
//! imports them; the link's errors live here because the secret's own checks already speak
//! them. Others name both through [`crate::link`], which seals with them.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::Sha256;
use thiserror::Error;

pub(crate) type HmacSha256 = Hmac<Sha256>;

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

    pub(crate) fn mac(&self, domain: &[u8]) -> HmacSha256 {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> LinkSecret {
        LinkSecret::from_bytes(&[0x5a; 16]).unwrap()
    }

    #[test]
    fn the_secret_never_shows_in_debug_output_and_is_stored_as_its_fragment() {
        assert_eq!(format!("{:?}", secret()), "LinkSecret(16 bytes)");
        let json = serde_json::to_string(&secret()).unwrap();
        assert_eq!(json, format!("\"{}\"", secret().to_fragment()));
        assert_eq!(serde_json::from_str::<LinkSecret>(&json).unwrap(), secret());
        assert!(serde_json::from_str::<LinkSecret>("\"AAAA\"").is_err());
    }
}
