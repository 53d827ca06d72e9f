//! Identifiers drawn from the browser's cryptographic random source: the only randomness
//! the app uses, handed to the core wherever it makes something new.

use workbench_core::ids::{uuid_from_bytes, IdSource};
use workbench_core::link::LinkSecret;

#[derive(Debug, Default, Clone, Copy)]
pub struct BrowserIds;

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .and_then(|c| c.get_random_values_with_u8_array(&mut bytes).ok())
        .is_some();
    assert!(filled, "the browser's crypto.getRandomValues is required");
    bytes
}

impl IdSource for BrowserIds {
    fn next_suffix(&mut self) -> String {
        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        random_bytes::<16>()
            .iter()
            .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
            .collect()
    }

    fn next_uuid(&mut self) -> String {
        uuid_from_bytes(&random_bytes::<16>())
    }

    /// 128 bits, as an HMAC-SHA-256 key needs to resist guessing; more would only cost storage,
    /// where each request keeps its own.
    fn link_secret(&mut self) -> LinkSecret {
        LinkSecret::from_bytes(&random_bytes::<16>()).expect("16 bytes is a valid secret")
    }
}
