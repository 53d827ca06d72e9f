//! Identifiers drawn from the browser's cryptographic random source: the only randomness
//! the app uses, handed to the core wherever it makes something new.

use workbench_core::ids::{uuid_from_bytes, IdSource};
use workbench_core::link::LinkSecret;

#[derive(Debug, Default, Clone, Copy)]
pub struct BrowserIds;

/// Random bytes drawn ahead: the scale demo makes 60,000 IDs, and asking the browser for
/// each one's 16 bytes took a tenth of its loading.
const POOL_BYTES: usize = 4096;

thread_local! {
    static POOL: std::cell::RefCell<(Vec<u8>, usize)> = const { std::cell::RefCell::new((Vec::new(), 0)) };
}

pub fn random_bytes<const N: usize>() -> [u8; N] {
    POOL.with_borrow_mut(|(pool, used)| {
        if pool.len() < *used + N {
            pool.clear();
            pool.resize(POOL_BYTES.max(N), 0);
            let filled = web_sys::window()
                .and_then(|w| w.crypto().ok())
                .and_then(|c| c.get_random_values_with_u8_array(pool).ok())
                .is_some();
            assert!(filled, "the browser's crypto.getRandomValues is required");
            *used = 0;
        }
        let mut bytes = [0u8; N];
        bytes.copy_from_slice(&pool[*used..*used + N]);
        // Bytes handed out once are never handed out again.
        pool[*used..*used + N].fill(0);
        *used += N;
        bytes
    })
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
