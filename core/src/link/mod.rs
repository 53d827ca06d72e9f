//! The confirmation link and the decision receipt: how a request reaches its buyer, and how
//! the buyer's answer comes back to the seller.
//!
//! The link is `/confirm/#<token>.<secret>`: all of it after `#`, and browsers never send a
//! fragment to a server, so no request for the page and no log along the way ever holds
//! either part. The token carries everything the buyer needs to see and decide; the secret
//! is the request's own. Links handed out before carried the token in the path
//! (`/confirm/<token>#<secret>`); [`read_address`] reads both forms, so they keep working.
//! The token ends in an HMAC-SHA-256 of its content keyed by that secret, so a link damaged
//! or edited anywhere — token, secret or what lies between — fails the check. Whoever holds the whole link holds the secret and
//! may decide: that is what the link is for. The receipt is what the secret really guards:
//! the seller kept the secret, so a receipt whose HMAC verifies was made by someone holding
//! the genuine link, for exactly that request, decision, reason and time.
//!
//! Both use unpadded base64url decoded strictly (no `=`, no stray trailing bits), so each
//! text decodes to exactly one byte string or to nothing: every edit of the text is an edit
//! of the authenticated bytes. A version byte comes first so that a later format can be
//! told apart instead of being misread.
//!
//! [`LinkSecret`] is the request's secret (kept below the link, in `crate::secret`, so that
//! the IDs and the request can hold one), [`token`] the sealed link and [`receipt`] the
//! sealed answer; both are written in one byte format, in which every value has one spelling.

pub mod buyer_request;
pub mod case;
#[cfg(test)]
mod fixtures;
pub mod opened;
pub mod receipt;
pub mod token;
mod wire;

pub use crate::secret::{LinkError, LinkSecret};
pub use case::{encode_case, CaseLinkPayload};
pub use opened::{decode, read_address, Opened};
pub use receipt::{
    make_receipt, receipt_subject, verify_receipt, Decision, Receipt, ReceiptError, Subject,
};
pub use token::{encode, EncodedLink, LinkPayload, CONFIRM_PATH, DETAILS_MAX, NAME_MAX};
pub use wire::MAX_TEXT_CHARS;

#[cfg(test)]
mod tests {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use proptest::prelude::*;

    use super::fixtures::{self, apply, edit_alphabet, genuine, genuine_receipt, secret};
    use super::token::LINK_VERSION;
    use super::*;

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

    /// An address as a browser splits it: the path, and the hash with its `#`.
    fn opened(href: &str) -> Result<(Opened, LinkSecret), LinkError> {
        let (path, hash) = href
            .split_once('#')
            .map_or((href, ""), |(p, _)| (p, &href[p.len()..]));
        read_address(path, hash)
    }

    proptest! {
        #[test]
        fn both_forms_of_any_link_open_alike_and_any_edit_of_either_is_refused(
            seller in "[a-zA-Z ]{0,20}[a-z]",
            reason in "\\PC{0,80}[a-z]",
            seconds in 0i64..4_000_000_000,
            key in proptest::collection::vec(any::<u8>(), 16..=64),
            edits in proptest::collection::vec((any::<usize>(), 0u8..3, proptest::sample::select(edit_alphabet())), 1..4),
            old_form in any::<bool>(),
        ) {
            let payload = LinkPayload {
                seller_name: seller,
                reason,
                created_at: chrono::DateTime::from_timestamp(seconds, 0).unwrap(),
                ..fixtures::payload()
            };
            let secret = LinkSecret::from_bytes(&key).unwrap();
            let link = encode(&payload, &secret).unwrap();
            let new_href = link.href();
            let old_href = format!("/confirm/{}#{}", link.token, link.fragment);
            let both = Ok((Opened::Request(payload), secret));
            prop_assert_eq!(&opened(&new_href), &both);
            prop_assert_eq!(&opened(&old_href), &both);
            let original = if old_form { &old_href } else { &new_href };
            // Edits after the path's "/confirm/", which only picks the page.
            let (page, rest) = original.split_at(CONFIRM_PATH.len());
            let edited = format!("{page}{}", apply(rest, &edits));
            let genuine = edited == new_href || edited == old_href;
            prop_assert_eq!(opened(&edited).is_ok(), genuine, "{}", edited);
        }
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
                    let _ = receipt_subject(&a);
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
                    let _ = receipt_subject(&edited);
                }
            }
        }
    }
}
