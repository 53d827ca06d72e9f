//! A buyer's request to the seller: cancel an agreement, refund one of its invoices, or both,
//! with a reason. The buyer makes the link on their own device and sends it; opened in the
//! seller's workbench it fills in the seller's forms for review, and only the seller's own
//! submit acts. The link is sealed like the confirmation link (HMAC-SHA-256 under a fresh
//! random secret, all of it after `#`), so a damaged or edited link is refused, never
//! filled in. The seal proves the link arrived as it was made, not who made it: whoever
//! knows an agreement's ID can make one, which is why it only fills in forms the seller
//! reviews.
//!
//! Token bytes: [`BUYER_REQUEST_VERSION`], made_at, what is wanted (0 cancel, 1 refund, 2
//! both), then agreement ID, buyer account and, for a refund, invoice ID, then the reason, as
//! LEB128 length + UTF-8, then the 32-byte tag.

use chrono::{DateTime, Utc};
use thiserror::Error;

use super::token::{seal, unseal, SEPARATOR};
use super::wire::{exact_id, put_str, put_time, Cut, Reader};
use crate::adjustment;
use crate::agreement::AgreementStatus;
use crate::book::AgreementRecord;
use crate::cancellation;
use crate::ids::{AccountId, AgreementId, InvoiceId};
use crate::secret::{LinkError, LinkSecret};

/// The first byte of a buyer's request, where a request's link has 1 and a case's 2.
const BUYER_REQUEST_VERSION: u8 = 3;
// Set apart from the other links' and the receipts' seals, so that none can pass for another.
const BUYER_REQUEST_DOMAIN: &[u8] = b"cancellation-workbench buyer request v1\0";

/// Where the link opens: a page of the seller's workbench (the loader gives every path but
/// `/confirm/` the workbench's bundle).
pub const FROM_BUYER_PATH: &str = "/seller/from-buyer";

/// Longest reason a buyer's request carries, in characters. Both of the seller's forms
/// accept it (a cancellation's reason takes 2,000, an adjustment's 500), and with every
/// other field at its longest and every character 4 bytes of UTF-8 the link stays near
/// 1,800 characters, so it fits in a chat message with any origin before it. A limit the
/// buyer sees while typing, rather than a cut the seller finds later: the reason goes into
/// the seller's form as it was written.
pub const REASON_MAX: usize = 280;

const _: () = assert!(REASON_MAX <= cancellation::DESCRIPTION_MAX);
const _: () = assert!(REASON_MAX <= adjustment::DESCRIPTION_MAX);

/// What the buyer asks the seller to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wanted {
    Cancel,
    Refund(InvoiceId),
    CancelAndRefund(InvoiceId),
}

impl Wanted {
    /// What the buyer chose: to cancel, and the invoice to refund, if any.
    pub fn of(cancel: bool, refund: Option<InvoiceId>) -> Result<Wanted, AskError> {
        match (cancel, refund) {
            (true, None) => Ok(Wanted::Cancel),
            (false, Some(invoice)) => Ok(Wanted::Refund(invoice)),
            (true, Some(invoice)) => Ok(Wanted::CancelAndRefund(invoice)),
            (false, None) => Err(AskError::NothingAsked),
        }
    }

    pub fn cancel(&self) -> bool {
        matches!(self, Wanted::Cancel | Wanted::CancelAndRefund(_))
    }

    /// The invoice to refund, if a refund is asked.
    pub fn invoice(&self) -> Option<&InvoiceId> {
        match self {
            Wanted::Cancel => None,
            Wanted::Refund(invoice) | Wanted::CancelAndRefund(invoice) => Some(invoice),
        }
    }

    /// What is asked, in the seller's words.
    pub fn words(&self) -> &'static str {
        match self {
            Wanted::Cancel => "to cancel the agreement",
            Wanted::Refund(_) => "a refund of an invoice",
            Wanted::CancelAndRefund(_) => "to cancel the agreement and refund an invoice",
        }
    }

    fn byte(&self) -> u8 {
        match self {
            Wanted::Cancel => 0,
            Wanted::Refund(_) => 1,
            Wanted::CancelAndRefund(_) => 2,
        }
    }
}

/// What a buyer asks their seller, as the link carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuyerRequest {
    pub agreement_id: AgreementId,
    pub buyer_account: AccountId,
    pub wanted: Wanted,
    pub reason: String,
    pub made_at: DateTime<Utc>,
}

/// Why the buyer's form cannot make a link yet, said beside the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AskError {
    #[error(
        "Choose what to ask the seller: to cancel this agreement, to refund an invoice, or both."
    )]
    NothingAsked,
    #[error("Choose the invoice to refund.")]
    NoInvoice,
    #[error("Enter a reason: the seller reads it before deciding.")]
    NoReason,
    #[error(
        "A reason can be at most 280 characters, so that the link fits in a message (it has {0})."
    )]
    ReasonTooLong(usize),
}

/// The core's check of a reason the buyer typed.
pub fn check_reason(reason: &str) -> Result<(), AskError> {
    let count = reason.chars().count();
    if reason.trim().is_empty() {
        Err(AskError::NoReason)
    } else if count > REASON_MAX {
        Err(AskError::ReasonTooLong(count))
    } else {
        Ok(())
    }
}

/// A buyer's request link: its sealed token and its secret's fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuyerRequestLink {
    pub token: String,
    pub fragment: String,
}

impl BuyerRequestLink {
    /// The path and fragment to put after the app's origin:
    /// `/seller/from-buyer#<token>.<secret>`.
    pub fn href(&self) -> String {
        let mut href = String::with_capacity(
            FROM_BUYER_PATH.len() + self.token.len() + self.fragment.len() + 2,
        );
        href.push_str(FROM_BUYER_PATH);
        href.push('#');
        href.push_str(&self.token);
        href.push(SEPARATOR);
        href.push_str(&self.fragment);
        href
    }
}

/// Makes the link for `request`, sealed with `secret` (fresh for each link).
pub fn encode_buyer_request(
    request: &BuyerRequest,
    secret: &LinkSecret,
) -> Result<BuyerRequestLink, LinkError> {
    check_reason(&request.reason).map_err(|e| LinkError::Unfit {
        field: "The reason",
        problem: e.to_string(),
    })?;
    let mut bytes = vec![BUYER_REQUEST_VERSION];
    put_time(&mut bytes, request.made_at);
    bytes.push(request.wanted.byte());
    put_str(&mut bytes, request.agreement_id.as_str());
    put_str(&mut bytes, request.buyer_account.as_str());
    if let Some(invoice) = request.wanted.invoice() {
        put_str(&mut bytes, invoice.as_str());
    }
    put_str(&mut bytes, &request.reason);
    let link = seal(bytes, BUYER_REQUEST_DOMAIN, secret);
    Ok(BuyerRequestLink {
        token: link.token,
        fragment: link.fragment,
    })
}

/// Reads an opened link's hash (`#<token>.<secret>`, as `Location.hash` gives it; the `#`
/// may be left off). Anything but a genuine link, unchanged, is refused.
pub fn open_buyer_request(hash: &str) -> Result<BuyerRequest, LinkError> {
    let both = hash.strip_prefix('#').unwrap_or(hash);
    if both.is_empty() {
        return Err(LinkError::MissingFragment);
    }
    let (token, fragment) = both
        .split_once(SEPARATOR)
        .ok_or(LinkError::DamagedFragment)?;
    decode_buyer_request(token, fragment)
}

/// Reads a token and its secret's fragment.
pub fn decode_buyer_request(token: &str, fragment: &str) -> Result<BuyerRequest, LinkError> {
    let secret = LinkSecret::from_fragment(fragment)?;
    let domain = |kind| (kind == BUYER_REQUEST_VERSION).then_some(BUYER_REQUEST_DOMAIN);
    let (_, body) = unseal(token, &secret, domain)?;
    read(&body).map_err(|Cut(what)| LinkError::Malformed(what))
}

fn read(body: &[u8]) -> Result<BuyerRequest, Cut> {
    let mut r = Reader(body);
    let made_at = r.time()?;
    let wanted = r.byte()?;
    let agreement_id = exact_id(
        r.str()?,
        AgreementId::parse,
        "the agreement ID is not valid",
    )?;
    let buyer_account = exact_id(r.str()?, AccountId::parse, "the buyer account is not valid")?;
    let mut invoice = || exact_id(r.str()?, InvoiceId::parse, "the invoice ID is not valid");
    let wanted = match wanted {
        0 => Wanted::Cancel,
        1 => Wanted::Refund(invoice()?),
        2 => Wanted::CancelAndRefund(invoice()?),
        _ => return Err(Cut("it asks for something unknown")),
    };
    let reason = r.text(1, REASON_MAX, "the reason is missing or too long")?;
    r.finish()?;
    Ok(BuyerRequest {
        agreement_id,
        buyer_account,
        wanted,
        reason,
        made_at,
    })
}

/// What the seller reads when a link cannot be opened: nothing from it was filled in.
pub fn refusal_words(error: &LinkError) -> &'static str {
    match error {
        LinkError::MissingFragment => "This link is incomplete: the part after # is missing. Nothing from it was filled in; ask the buyer to send the whole link again.",
        _ => "This link is damaged or altered: it is not exactly what the buyer made. Nothing from it was filled in; ask the buyer to copy the link and send it again.",
    }
}

/// Why a genuine link does not fit this workbench's book.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NotForThisBook {
    #[error("This workbench holds no agreement {0}. If it is in your AWS account, import it from AWS, then open the link again.")]
    NotHeld(AgreementId),
    #[error("Agreement {agreement} belongs to buyer {holder}, but the link was made for buyer {asked}. Nothing from it was filled in.")]
    OtherBuyer {
        agreement: AgreementId,
        holder: AccountId,
        asked: AccountId,
    },
    #[error("Agreement {agreement} has no invoice {invoice}. Nothing from the link was filled in; ask the buyer which invoice they mean.")]
    NoSuchInvoice {
        agreement: AgreementId,
        invoice: InvoiceId,
    },
}

impl BuyerRequest {
    /// The agreement the request is about, as the book holds it (`record`: the book's
    /// record of that ID, if any), when it is the buyer's and holds the invoice named.
    pub fn held_in<'r>(
        &self,
        record: Option<&'r AgreementRecord>,
    ) -> Result<&'r AgreementRecord, NotForThisBook> {
        let record = record
            .filter(|r| r.agreement.id == self.agreement_id)
            .ok_or_else(|| NotForThisBook::NotHeld(self.agreement_id.clone()))?;
        if record.agreement.buyer != self.buyer_account {
            return Err(NotForThisBook::OtherBuyer {
                agreement: self.agreement_id.clone(),
                holder: record.agreement.buyer.clone(),
                asked: self.buyer_account.clone(),
            });
        }
        match self.wanted.invoice() {
            Some(invoice) if record.invoice(invoice.as_str()).is_none() => {
                Err(NotForThisBook::NoSuchInvoice {
                    agreement: self.agreement_id.clone(),
                    invoice: invoice.clone(),
                })
            }
            _ => Ok(record),
        }
    }

    /// Why the seller cannot send the cancellation asked for now, if it is asked.
    pub fn cancel_blocked(&self, record: &AgreementRecord) -> Option<&'static str> {
        if !self.wanted.cancel() {
            None
        } else if record.pending_request().is_some() {
            Some("A cancellation request for this agreement already waits for the buyer's answer.")
        } else if record.agreement.status != AgreementStatus::Active {
            Some("The agreement is no longer active, so there is nothing to cancel.")
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use proptest::prelude::*;

    use super::super::wire::TAG_BYTES;
    use super::*;
    use crate::demo::{demo_book, demo_now};
    use crate::link::fixtures::{apply, created, edit_alphabet, secret, single_edits};
    use crate::link::{decode, encode_case, CaseLinkPayload};

    fn request(wanted: Wanted) -> BuyerRequest {
        BuyerRequest {
            agreement_id: AgreementId::parse("agmt-5ptg8j3vq2x7m1k9d4r6w0yzb").unwrap(),
            buyer_account: AccountId::parse("444455556666").unwrap(),
            wanted,
            reason: "We moved the team to the Enterprise offer on 2 November; the March \
                     invoice charged seats nobody used."
                .into(),
            made_at: created(),
        }
    }

    fn invoice() -> InvoiceId {
        InvoiceId::parse("inv-2026-03-0042").unwrap()
    }

    fn every_wanted() -> [Wanted; 3] {
        [
            Wanted::Cancel,
            Wanted::Refund(invoice()),
            Wanted::CancelAndRefund(invoice()),
        ]
    }

    #[test]
    fn a_genuine_link_gives_back_what_the_buyer_asked_for_each_kind_of_request() {
        for wanted in every_wanted() {
            let asked = request(wanted);
            let link = encode_buyer_request(&asked, &secret()).unwrap();
            assert_eq!(
                decode_buyer_request(&link.token, &link.fragment),
                Ok(asked.clone())
            );
            let href = link.href();
            let hash = &href[FROM_BUYER_PATH.len()..];
            assert!(href.starts_with("/seller/from-buyer#"));
            assert_eq!(open_buyer_request(hash), Ok(asked.clone()));
            assert_eq!(open_buyer_request(&hash[1..]), Ok(asked));
        }
    }

    #[test]
    fn the_longest_request_stays_well_under_2000_characters() {
        let id = "a".repeat(64);
        let longest = BuyerRequest {
            agreement_id: AgreementId::parse(&id).unwrap(),
            wanted: Wanted::CancelAndRefund(InvoiceId::parse(&id).unwrap()),
            reason: "🙂".repeat(REASON_MAX),
            made_at: DateTime::<Utc>::MAX_UTC,
            ..request(Wanted::Cancel)
        };
        let secret = LinkSecret::from_bytes(&[7; 16]).unwrap();
        let href = encode_buyer_request(&longest, &secret).unwrap().href();
        assert!(href.len() <= 1_800, "{}", href.len());
    }

    #[test]
    fn the_form_checks_name_what_is_missing_or_too_long() {
        assert_eq!(Wanted::of(false, None), Err(AskError::NothingAsked));
        assert_eq!(Wanted::of(true, None), Ok(Wanted::Cancel));
        assert_eq!(
            Wanted::of(false, Some(invoice())),
            Ok(Wanted::Refund(invoice()))
        );
        assert_eq!(check_reason("  \n"), Err(AskError::NoReason));
        assert_eq!(check_reason(&"é".repeat(REASON_MAX)), Ok(()));
        let long = "x".repeat(REASON_MAX + 1);
        assert_eq!(check_reason(&long), Err(AskError::ReasonTooLong(281)));
        let unfit = encode_buyer_request(
            &BuyerRequest {
                reason: long,
                ..request(Wanted::Cancel)
            },
            &secret(),
        );
        assert!(matches!(unfit, Err(LinkError::Unfit { .. })));
    }

    #[test]
    fn every_single_character_edit_is_refused() {
        let link =
            encode_buyer_request(&request(Wanted::CancelAndRefund(invoice())), &secret()).unwrap();
        for token in single_edits(&link.token) {
            assert!(
                decode_buyer_request(&token, &link.fragment).is_err(),
                "token {token}"
            );
        }
        for fragment in single_edits(&link.fragment) {
            assert!(
                decode_buyer_request(&link.token, &fragment).is_err(),
                "secret {fragment}"
            );
        }
    }

    #[test]
    fn no_other_link_passes_for_a_buyers_request_nor_it_for_them() {
        let ours_request = || request(Wanted::Cancel);
        let ours = encode_buyer_request(&ours_request(), &secret()).unwrap();
        assert!(decode(&ours.token, &ours.fragment).is_err());
        let seller = crate::link::fixtures::genuine();
        assert_eq!(
            decode_buyer_request(&seller.token, &seller.fragment),
            Err(LinkError::UnknownVersion(1))
        );
        let case = CaseLinkPayload {
            seller_name: "Northwind Analytics".into(),
            product_name: "Northwind ETL".into(),
            agreement_id: ours_request().agreement_id,
            case_id: crate::key::SupportCaseId::new("case-4071"),
            buyer_account: ours_request().buyer_account,
            effective: None,
            opened_at: created(),
        };
        let case = encode_case(&case, &secret()).unwrap();
        assert_eq!(
            decode_buyer_request(&case.token, &case.fragment),
            Err(LinkError::UnknownVersion(2))
        );
        // The same bytes, first byte and all, sealed under a request's domain.
        let mut bytes = URL_SAFE_NO_PAD.decode(&ours.token).unwrap();
        bytes.truncate(bytes.len() - TAG_BYTES);
        let forged = seal(bytes, b"cancellation-workbench link v1\0", &secret());
        assert_eq!(
            decode_buyer_request(&forged.token, &forged.fragment),
            Err(LinkError::Altered)
        );
    }

    #[test]
    fn a_damaged_link_is_explained_for_the_seller() {
        assert!(refusal_words(&LinkError::Altered).starts_with("This link is damaged or altered"));
        assert!(refusal_words(&open_buyer_request("#").unwrap_err()).contains("incomplete"));
        assert_eq!(open_buyer_request("#abc"), Err(LinkError::DamagedFragment));
    }

    #[test]
    fn the_book_must_hold_the_agreement_for_its_buyer_with_the_invoice_named() {
        let book = demo_book(demo_now());
        let record = book
            .records()
            .values()
            .map(|v| &v.record)
            .find(|r| !r.invoices.is_empty())
            .unwrap();
        let held = BuyerRequest {
            agreement_id: record.agreement.id.clone(),
            buyer_account: record.agreement.buyer.clone(),
            ..request(Wanted::Refund(record.invoices[0].id.clone()))
        };
        let id = &held.agreement_id;
        assert_eq!(held.held_in(book.record(id)), Ok(record));
        let unknown = request(Wanted::Cancel);
        assert_eq!(
            unknown.held_in(book.record(&unknown.agreement_id)),
            Err(NotForThisBook::NotHeld(unknown.agreement_id.clone()))
        );
        let other_buyer = BuyerRequest {
            buyer_account: AccountId::parse("999999999999").unwrap(),
            ..held.clone()
        };
        assert!(matches!(
            other_buyer.held_in(book.record(id)),
            Err(NotForThisBook::OtherBuyer { .. })
        ));
        let other_invoice = BuyerRequest {
            wanted: Wanted::CancelAndRefund(InvoiceId::parse("inv-none").unwrap()),
            ..held.clone()
        };
        assert!(matches!(
            other_invoice.held_in(book.record(id)),
            Err(NotForThisBook::NoSuchInvoice { .. })
        ));
    }

    #[test]
    fn a_cancellation_the_seller_cannot_send_now_says_why() {
        let book = demo_book(demo_now());
        let records: Vec<_> = book.records().values().map(|v| &v.record).collect();
        let waiting = records
            .iter()
            .find(|r| r.pending_request().is_some())
            .unwrap();
        let ended = records
            .iter()
            .find(|r| r.agreement.status != AgreementStatus::Active)
            .unwrap();
        let free = records
            .iter()
            .find(|r| {
                r.agreement.status == AgreementStatus::Active && r.pending_request().is_none()
            })
            .unwrap();
        let cancel = request(Wanted::Cancel);
        assert!(cancel
            .cancel_blocked(waiting)
            .unwrap()
            .contains("already waits"));
        assert!(cancel
            .cancel_blocked(ended)
            .unwrap()
            .contains("no longer active"));
        assert_eq!(cancel.cancel_blocked(free), None);
        assert_eq!(
            request(Wanted::Refund(invoice())).cancel_blocked(ended),
            None
        );
    }

    proptest! {
        #[test]
        fn any_request_comes_back_whole_and_any_edit_of_its_link_is_refused(
            cancel in any::<bool>(),
            invoice in proptest::option::of("[a-zA-Z0-9-]{1,64}"),
            reason in "\\PC{0,279}[a-z]",
            seconds in -8_000_000_000i64..8_000_000_000,
            key in proptest::collection::vec(any::<u8>(), 16..=64),
            at in any::<usize>(),
            kind in 0u8..3,
            c in proptest::sample::select(edit_alphabet()),
        ) {
            let invoice = invoice.map(|i| InvoiceId::parse(&i).unwrap());
            let wanted = Wanted::of(cancel, invoice).unwrap_or(Wanted::Cancel);
            let asked = BuyerRequest {
                wanted,
                reason,
                made_at: DateTime::from_timestamp(seconds, 0).unwrap(),
                ..request(Wanted::Cancel)
            };
            let secret = LinkSecret::from_bytes(&key).unwrap();
            let href = encode_buyer_request(&asked, &secret).unwrap().href();
            let hash = &href[FROM_BUYER_PATH.len()..];
            prop_assert_eq!(open_buyer_request(hash), Ok(asked));
            // Edits after the `#`, which only opens the fragment.
            let changed = format!("#{}", apply(&hash[1..], &[(at, kind, c)]));
            prop_assert_eq!(open_buyer_request(&changed).is_ok(), changed == hash, "{}", changed);
        }
    }
}
