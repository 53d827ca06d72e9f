//! What the link's tests share: a typical request, its genuine link and receipt, and every
//! text one character away from a genuine one.

use std::sync::OnceLock;

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::{encode, make_receipt, Decision, EncodedLink, LinkPayload, LinkSecret, Subject};
use crate::cancellation::CancellationReasonCode;
use crate::ids::{AccountId, AgreementId, RequestId};

pub(super) const BASE64URL: &str =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/// Characters an edit may bring in: every base64url one, and some a link never has.
pub(super) fn edit_alphabet() -> Vec<char> {
    BASE64URL.chars().chain("=.+/ %é#".chars()).collect()
}

pub(super) fn secret() -> LinkSecret {
    LinkSecret::from_bytes(&[
        0x3c, 0x91, 0x0e, 0x5a, 0xd7, 0x42, 0x8b, 0x16, 0xf0, 0x6d, 0x29, 0xc4, 0x77, 0x1f, 0xa8,
        0x53,
    ])
    .unwrap()
}

pub(super) fn created() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 14, 32, 7).unwrap() + Duration::milliseconds(481)
}

/// A typical request: real-looking IDs, a 200-character reason, a few details.
pub(super) fn payload() -> LinkPayload {
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

pub(super) fn genuine() -> &'static EncodedLink {
    static LINK: OnceLock<EncodedLink> = OnceLock::new();
    LINK.get_or_init(|| encode(&payload(), &secret()).unwrap())
}

pub(super) fn rejection() -> Decision {
    Decision::Reject("We still use it for the EU team; please keep it until March.".into())
}

pub(super) fn genuine_receipt() -> &'static String {
    static CODE: OnceLock<String> = OnceLock::new();
    CODE.get_or_init(|| {
        make_receipt(
            &Subject::Request(payload().request_id),
            &rejection(),
            created(),
            &secret(),
        )
        .unwrap()
    })
}

/// Every text one character away from `text`: each character changed to each other
/// one of `alphabet`, each removed, and each of `alphabet` inserted at every position.
pub(super) fn single_edits(text: &str) -> Vec<String> {
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

/// One character added, removed or changed somewhere, for each edit.
pub(super) fn apply(text: &str, edits: &[(usize, u8, char)]) -> String {
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
