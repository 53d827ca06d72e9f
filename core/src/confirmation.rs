//! The seller's side of the confirmation link: the link of a request, and the
//! buyer's decision coming back as a receipt, whether the buyer decided on another device
//! or in a tab of the seller's own browser (whose page hands it over at once).
//!
//! A link that decodes is only self-consistent: anyone can seal a link for any request ID
//! with a secret of their own. What makes a decision genuine here is the secret the seller
//! kept for that request, which the receipt's HMAC is checked against.

use chrono::{DateTime, Duration, Utc};
use thiserror::Error;

use crate::agreement::Agreement;
use crate::book::{
    AcceptCancellation, Actor, ApplyReceipt, Book, Command, Desk, DomainError, RejectCancellation,
};
use crate::cancellation::{
    AdditionalDetails, CancellationRequest, DecidedBy, RequestStatus, AUTO_APPROVAL_AFTER,
};
use crate::ids::{AccountId, AgreementId, RequestId};
use crate::key::RecordKey;
use crate::key::SupportCaseId;
use crate::link::{self, Decision, EncodedLink, LinkError, LinkPayload, ReceiptError, Subject};

/// How far ahead of this workbench's clock a receipt may be dated: the buyer's device keeps
/// its own time, and clocks drift.
pub const CLOCK_SKEW: Duration = Duration::minutes(5);

/// What became of a decision that reached the seller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settled {
    /// It was applied now, at the time the buyer decided.
    Applied {
        agreement_id: AgreementId,
        subject: Subject,
        decision: Decision,
        at: DateTime<Utc>,
    },
    /// The same decision was applied before; nothing changed.
    AlreadyApplied {
        agreement_id: AgreementId,
        subject: Subject,
        decision: Decision,
        at: DateTime<Utc>,
    },
}

/// Why a link or receipt could not settle a request. Nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConfirmationError {
    #[error("There is no cancellation request {0} in this browser's workbench. Open the receipt in the browser where the seller sent the request.")]
    UnknownRequest(RequestId),
    #[error("{0}")]
    Receipt(#[from] ReceiptError),
    #[error("{0}")]
    Link(#[from] LinkError),
    #[error("Request {0} was sent before this workbench sealed its links, so it has no link and takes no receipt. Withdraw it and send it again to share a link.")]
    NoLink(RequestId),
    #[error("There is no support case {0} in this browser's workbench. Open the receipt in the browser where the seller opened the case.")]
    UnknownCase(SupportCaseId),
    #[error("Support case {0} has no link for the buyer: it asks no cancellation, or it was opened before cases had links. The buyer answers it in the Buyer view.")]
    CaseHasNoLink(SupportCaseId),
    #[error("Nothing changed: {0}")]
    Conflict(String),
    #[error("This receipt is dated {decided_at}, later than this workbench's clock ({now}). If the clock was moved, set it back to real time and apply the receipt again.", decided_at = utc(*.decided_at), now = utc(*.now))]
    FromTheFuture {
        decided_at: DateTime<Utc>,
        now: DateTime<Utc>,
    },
    #[error("{0}")]
    Domain(#[from] DomainError),
}

fn utc(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// How much of the seller's reason a confirmation link carries, in UTF-8 bytes, and of the
/// details for the buyer. With both texts at their longest (a 2,000-character reason, three
/// 2,000-character details) the link stays under 2,000 characters, as a chat message and a
/// QR code need.
pub const REASON_BYTES_IN_LINK: usize = 600;
pub const DETAILS_BYTES_IN_LINK: usize = 400;

/// A seller's text as a link carries it: whole when it fits, else its first characters and
/// a note, sealed with the rest of the link, that says the seller has the whole text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Carried {
    pub text: String,
    /// Characters of the seller's text that the link shows.
    pub shown: usize,
    pub total: usize,
}

impl Carried {
    pub fn is_whole(&self) -> bool {
        self.shown == self.total
    }
}

/// `text` cut to at most `bytes` UTF-8 bytes, note included, at a character boundary.
pub fn carried(text: &str, bytes: usize) -> Carried {
    let total = text.chars().count();
    if text.len() <= bytes {
        return Carried {
            text: text.to_string(),
            shown: total,
            total,
        };
    }
    let note = |shown: usize| {
        format!(" [… the first {shown} of {total} characters: the seller has the whole text]")
    };
    // The note's length depends on the count it names; the longest count gives the room.
    let room = bytes.saturating_sub(note(total).len());
    let end = text
        .char_indices()
        .map(|(at, c)| at + c.len_utf8())
        .take_while(|end| *end <= room)
        .last()
        .unwrap_or(0);
    let shown = text[..end].chars().count();
    Carried {
        text: format!("{}{}", &text[..end], note(shown)),
        shown,
        total,
    }
}

/// What the buyer reads among the seller's additional details: coordination notes are for
/// AWS and the seller, not for the buyer.
pub fn details_for_buyer(d: &AdditionalDetails) -> String {
    [
        ("Support case", &d.support_case_id),
        ("Your reference", &d.buyer_reference),
        ("Next step", &d.next_step),
    ]
    .iter()
    .filter(|(_, text)| !text.trim().is_empty())
    .map(|(label, text)| format!("{label}: {}", text.trim()))
    .collect::<Vec<_>>()
    .join("\n")
}

impl Book {
    fn find_request(
        &self,
        request_id: &RequestId,
    ) -> Result<(AgreementId, &CancellationRequest), ConfirmationError> {
        self.request_by_id(request_id)
            .map(|(record, request)| (record.agreement.id.clone(), request))
            .ok_or_else(|| ConfirmationError::UnknownRequest(request_id.clone()))
    }

    /// The link the seller shares for one of its requests: what the buyer needs to see and
    /// decide, sealed with the request's secret.
    pub fn confirmation_link(
        &self,
        agreement_id: &AgreementId,
        request_id: &RequestId,
    ) -> Result<EncodedLink, ConfirmationError> {
        let record = self
            .record(agreement_id)
            .ok_or_else(|| DomainError::AgreementNotFound(agreement_id.clone()))?;
        let request = record
            .request(request_id)
            .ok_or_else(|| DomainError::RequestNotFound(request_id.clone()))?;
        let agreement = &record.agreement;
        let (seller_name, product_name) = self.names_in_link(agreement);
        let payload = LinkPayload {
            seller_name,
            product_name,
            agreement_id: agreement.id.clone(),
            request_id: request.id.clone(),
            buyer_account: agreement.buyer.clone(),
            reason_code: request.reason_code,
            reason: carried(&request.description, REASON_BYTES_IN_LINK).text,
            details_for_buyer: carried(&details_for_buyer(&request.details), DETAILS_BYTES_IN_LINK)
                .text,
            created_at: request.created_at,
        };
        let secret = request
            .link_secret
            .as_ref()
            .ok_or_else(|| ConfirmationError::NoLink(request.id.clone()))?;
        Ok(link::encode(&payload, secret)?)
    }

    /// The seller's and the product's names a link shows the buyer: the directory's, or
    /// the IDs where it has none (an agreement imported from AWS).
    pub(crate) fn names_in_link(&self, agreement: &Agreement) -> (String, String) {
        let seller = self
            .directory
            .seller(&agreement.seller)
            .map_or_else(|| agreement.seller.to_string(), |p| p.name.clone());
        let product = self
            .directory
            .product(&agreement.product)
            .map_or_else(|| agreement.product.to_string(), |p| p.name.clone());
        (seller, product)
    }

    /// Whether a receipt was sealed with the secret this book kept for the request or case
    /// it names: only then is it this browser's to apply. The buyer's page hands every
    /// receipt to the workbench of its browser, and one made from another browser's link is
    /// that browser's business, not a forgery to report.
    pub fn holds_receipt(&self, code: &str) -> bool {
        let kept = match link::receipt_subject(code.trim()) {
            Ok(Subject::Request(id)) => self
                .find_request(&id)
                .ok()
                .and_then(|(_, request)| request.link_secret.as_ref()),
            Ok(Subject::Case(id)) => self
                .support_cases
                .get(&id)
                .and_then(|c| c.record.buyer_link_secret.as_ref()),
            Err(_) => None,
        };
        kept.is_some_and(|kept| link::verify_receipt(code.trim(), kept).is_ok())
    }
}

impl Command for ApplyReceipt {
    type Reply = Settled;
    type Error = ConfirmationError;

    fn record(&self, book: &Book) -> Option<RecordKey> {
        match link::receipt_subject(self.code.trim()).ok()? {
            Subject::Request(request) => {
                let (agreement, _) = book.find_request(&request).ok()?;
                Some(RecordKey::Agreement(agreement))
            }
            Subject::Case(case) => Some(RecordKey::SupportCase(case)),
        }
    }

    /// Applies the decision at the time the buyer decided, or explains why the request no
    /// longer takes it. [`Book::apply`] has let time run up to now first: a deadline that
    /// passed before now settled the request on its own.
    fn carry_out(self, book: &mut Book, desk: &mut Desk<'_>) -> Result<Settled, ConfirmationError> {
        let code = self.code.trim();
        let request_id = match link::receipt_subject(code)? {
            Subject::Request(id) => id,
            Subject::Case(case) => return book.apply_case_receipt(code, case, desk),
        };
        let (agreement_id, request) = book.find_request(&request_id)?;
        let secret = request
            .link_secret
            .as_ref()
            .ok_or_else(|| ConfirmationError::NoLink(request_id.clone()))?;
        let receipt = verified(code, secret, desk.now)?;
        let at = receipt.decided_at.min(desk.now).max(request.created_at);
        let decision = receipt.decision;
        if !request.status.is_pending() {
            if same_decision(request, &decision) {
                return Ok(Settled::AlreadyApplied {
                    agreement_id,
                    subject: Subject::Request(request_id),
                    decision,
                    at: request.updated_at,
                });
            }
            return Err(ConfirmationError::Conflict(why_settled(request, &decision)));
        }
        let buyer = Actor::Buyer(request_buyer(book, &agreement_id)?);
        let mut at_the_decision = Desk {
            actor: &buyer,
            now: at,
            ids: &mut *desk.ids,
            changed: std::mem::take(&mut desk.changed),
            events: std::mem::take(&mut desk.events),
        };
        let (agreement, request) = (agreement_id.clone(), request_id.clone());
        let applied = match &decision {
            Decision::Approve => AcceptCancellation {
                agreement_id: agreement,
                request_id: request,
            }
            .carry_out(book, &mut at_the_decision),
            Decision::Reject(reason) => RejectCancellation {
                agreement_id: agreement,
                request_id: request,
                reason: reason.clone(),
            }
            .carry_out(book, &mut at_the_decision),
        };
        desk.changed = at_the_decision.changed;
        desk.events = at_the_decision.events;
        applied?;
        Ok(Settled::Applied {
            agreement_id,
            subject: Subject::Request(request_id),
            decision,
            at,
        })
    }
}

/// A receipt checked against the secret kept for what it answers, and dated no later than
/// this workbench's clock allows.
pub(crate) fn verified(
    code: &str,
    secret: &link::LinkSecret,
    now: DateTime<Utc>,
) -> Result<link::Receipt, ConfirmationError> {
    let receipt = link::verify_receipt(code, secret)?;
    if receipt.decided_at > now + CLOCK_SKEW {
        return Err(ConfirmationError::FromTheFuture {
            decided_at: receipt.decided_at,
            now,
        });
    }
    Ok(receipt)
}

fn request_buyer(book: &Book, agreement_id: &AgreementId) -> Result<AccountId, DomainError> {
    book.record(agreement_id)
        .map(|r| r.agreement.buyer.clone())
        .ok_or_else(|| DomainError::AgreementNotFound(agreement_id.clone()))
}

fn same_decision(request: &CancellationRequest, decision: &Decision) -> bool {
    request.decided_by == Some(DecidedBy::Buyer)
        && match decision {
            Decision::Approve => request.status == RequestStatus::Approved,
            Decision::Reject(reason) => {
                request.status == RequestStatus::Rejected && &request.status_message == reason
            }
        }
}

fn why_settled(request: &CancellationRequest, decision: &Decision) -> String {
    let wanted = match decision {
        Decision::Approve => "approve",
        Decision::Reject(_) => "reject",
    };
    let id = &request.id;
    let when = utc(request.updated_at);
    match (request.status, request.decided_by) {
        (RequestStatus::Cancelled, _) => format!(
            "the seller withdrew request {id} on {when}, before the buyer's decision to {wanted} reached it."
        ),
        (RequestStatus::Approved, Some(DecidedBy::System)) => format!(
            "request {id} was approved automatically on {when}, when its {} days ran out, before the buyer's decision to {wanted} reached it.",
            AUTO_APPROVAL_AFTER.num_days()
        ),
        (RequestStatus::ValidationFailed, _) => format!(
            "request {id} failed validation on {when}, so there is nothing left to {wanted}."
        ),
        (status, _) => format!(
            "the buyer's decision on request {id} was already recorded on {when} as {}; this one says {wanted}.",
            status.label().to_lowercase()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::tests::agreement;
    use crate::book::{AgreementRecord, Outcome, SendCancellation, WithdrawCancellation};
    use crate::cancellation::{AdditionalDetails, CancellationReasonCode};
    use crate::ids::{ClientToken, SequentialIds};
    use crate::link::LinkSecret;
    use chrono::TimeZone;

    fn t(hours: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap() + Duration::hours(hours)
    }

    /// A book with one agreement and a request sent at `t(0)`.
    fn sent() -> (Book, AgreementId, RequestId, SequentialIds) {
        let mut book = Book::default();
        let agreement = agreement();
        let (id, seller) = (agreement.id.clone(), agreement.seller.clone());
        book.insert(AgreementRecord::new(agreement, Vec::new()));
        let mut ids = SequentialIds::default();
        let command = SendCancellation {
            agreement_id: id.clone(),
            reason_code: Some(CancellationReasonCode::ReplacingAgreement),
            description: "Replacing it with the new private offer".into(),
            details: AdditionalDetails {
                support_case_id: "12345".into(),
                buyer_reference: String::new(),
                next_step: "A new offer".into(),
                coordination_notes: "Only for AWS".into(),
            },
            client_token: ClientToken::parse("form-1").unwrap(),
        };
        let (request, _) = book
            .apply(command, &Actor::Seller(seller), t(0), &mut ids)
            .unwrap();
        (book, id, request, ids)
    }

    /// Applies a receipt as the shell does, whoever pastes it: the receipt says who decided.
    fn apply_receipt(
        book: &mut Book,
        code: &str,
        now: DateTime<Utc>,
        ids: &mut SequentialIds,
    ) -> Result<(Settled, Outcome), ConfirmationError> {
        let receipt = ApplyReceipt { code: code.into() };
        book.apply(receipt, &Actor::System, now, ids)
    }

    fn secret(book: &Book, id: &AgreementId, request: &RequestId) -> LinkSecret {
        book.record(id)
            .unwrap()
            .request(request)
            .unwrap()
            .link_secret
            .clone()
            .unwrap()
    }

    #[test]
    fn a_text_that_fits_travels_whole_and_a_longer_one_is_cut_at_a_character_with_a_note() {
        let whole = carried("Replacing it with the new private offer", 600);
        assert!(whole.is_whole());
        assert_eq!(whole.text, "Replacing it with the new private offer");
        for text in ["x".repeat(2000), "é".repeat(2000), "🙂".repeat(2000)] {
            let cut = carried(&text, REASON_BYTES_IN_LINK);
            assert!(cut.text.len() <= REASON_BYTES_IN_LINK, "{}", cut.text.len());
            assert!(!cut.is_whole() && cut.shown > 0 && cut.total == 2000);
            let first: String = text.chars().take(cut.shown).collect();
            assert!(cut.text.starts_with(&first));
            assert!(cut.text.ends_with(&format!(
                "[… the first {} of 2000 characters: the seller has the whole text]",
                cut.shown
            )));
        }
    }

    #[test]
    fn a_link_with_every_text_at_its_longest_stays_under_2000_characters() {
        let mut book = Book::default();
        let agreement = agreement();
        let (id, seller) = (agreement.id.clone(), agreement.seller.clone());
        book.insert(AgreementRecord::new(agreement, Vec::new()));
        let longest = |c: char| c.to_string().repeat(crate::cancellation::DETAIL_MAX);
        let command = SendCancellation {
            agreement_id: id.clone(),
            reason_code: Some(CancellationReasonCode::BuyerDissatisfaction),
            description: "é".repeat(crate::cancellation::DESCRIPTION_MAX),
            details: AdditionalDetails {
                support_case_id: longest('1'),
                buyer_reference: longest('ü'),
                next_step: longest('🙂'),
                coordination_notes: longest('n'),
            },
            client_token: ClientToken::parse("form-longest").unwrap(),
        };
        let mut ids = SequentialIds::default();
        let (request, _) = book
            .apply(command, &Actor::Seller(seller), t(0), &mut ids)
            .unwrap();
        let link = book.confirmation_link(&id, &request).unwrap();
        let whole = format!("https://cancellation-workbench.example.com{}", link.href());
        assert!(
            whole.chars().count() < 2000,
            "{} characters",
            whole.chars().count()
        );
        let link::Opened::Request(payload) = link::decode(&link.token, &link.fragment).unwrap()
        else {
            panic!("a request\'s link opens a request")
        };
        assert!(payload.reason.starts_with("ééé"));
        assert!(payload
            .reason
            .contains("of 2000 characters: the seller has the whole text"));
        assert!(payload.details_for_buyer.starts_with("Support case: 111"));
        assert!(payload
            .details_for_buyer
            .contains("characters: the seller has the whole text"));
    }

    #[test]
    fn the_link_carries_the_request_and_only_the_details_meant_for_the_buyer() {
        let (book, id, request, _) = sent();
        let link = book.confirmation_link(&id, &request).unwrap();
        let link::Opened::Request(payload) = link::decode(&link.token, &link.fragment).unwrap()
        else {
            panic!("a request\'s link opens a request")
        };
        assert_eq!(payload.request_id, request);
        assert_eq!(payload.agreement_id, id);
        assert_eq!(payload.reason, "Replacing it with the new private offer");
        assert_eq!(
            payload.details_for_buyer,
            "Support case: 12345\nNext step: A new offer"
        );
        assert_eq!(payload.created_at, t(0));
        assert_eq!(link.fragment, secret(&book, &id, &request).to_fragment());
    }

    #[test]
    fn a_receipt_is_this_books_only_when_sealed_with_the_secret_it_kept() {
        let (book, id, request, _) = sent();
        let kept = secret(&book, &id, &request);
        let genuine = link::make_receipt(
            &Subject::Request(request.clone()),
            &Decision::Approve,
            t(1),
            &kept,
        )
        .unwrap();
        assert!(book.holds_receipt(&genuine));
        assert!(book.holds_receipt(&format!(" {genuine}\n")));
        let another_browsers = LinkSecret::from_bytes(&[9; 16]).unwrap();
        let foreign = link::make_receipt(
            &Subject::Request(request.clone()),
            &Decision::Approve,
            t(1),
            &another_browsers,
        );
        assert!(!book.holds_receipt(&foreign.unwrap()));
        let unknown = RequestId::parse("acr-elsewhere").unwrap();
        let elsewhere = link::make_receipt(
            &Subject::Request(unknown.clone()),
            &Decision::Approve,
            t(1),
            &kept,
        )
        .unwrap();
        assert!(!book.holds_receipt(&elsewhere));
        assert!(!book.holds_receipt("not a receipt"));
    }

    #[test]
    fn a_receipt_applies_once_at_the_buyers_time_and_a_second_time_changes_nothing() {
        let (mut book, id, request, mut ids) = sent();
        let secret = secret(&book, &id, &request);
        let code = link::make_receipt(
            &Subject::Request(request.clone()),
            &Decision::Reject("We still use it".into()),
            t(2),
            &secret,
        )
        .unwrap();
        let (settled, outcome) =
            apply_receipt(&mut book, &format!("  {code}\n"), t(5), &mut ids).unwrap();
        assert!(matches!(settled, Settled::Applied { at, .. } if at == t(2)));
        assert!(
            outcome.bus_events(&book).iter().all(|e| e.time == t(2)),
            "the buyer's time"
        );
        let r = book.record(&id).unwrap().request(&request).unwrap().clone();
        assert_eq!(
            (r.status, r.status_message.as_str()),
            (RequestStatus::Rejected, "We still use it")
        );
        let after_first = book.clone();
        let (again, outcome) = apply_receipt(&mut book, &code, t(6), &mut ids).unwrap();
        assert!(matches!(again, Settled::AlreadyApplied { .. }));
        assert!(outcome.changed.is_empty() && outcome.events.is_empty());
        assert_eq!(book, after_first);
        let approve = link::make_receipt(
            &Subject::Request(request.clone()),
            &Decision::Approve,
            t(3),
            &secret,
        )
        .unwrap();
        let conflict = apply_receipt(&mut book, &approve, t(6), &mut ids).unwrap_err();
        assert!(
            conflict.to_string().contains("already recorded"),
            "{conflict}"
        );
        assert_eq!(book, after_first);
    }

    #[test]
    fn a_receipt_not_made_from_the_genuine_link_is_refused() {
        let (mut book, id, request, mut ids) = sent();
        let other = LinkSecret::from_bytes(&[1; 16]).unwrap();
        let forged = link::make_receipt(
            &Subject::Request(request.clone()),
            &Decision::Approve,
            t(1),
            &other,
        )
        .unwrap();
        let before = book.clone();
        assert!(matches!(
            apply_receipt(&mut book, &forged, t(2), &mut ids),
            Err(ConfirmationError::Receipt(ReceiptError::NotGenuine(_)))
        ));
        let genuine = link::make_receipt(
            &Subject::Request(request.clone()),
            &Decision::Approve,
            t(1),
            &secret(&book, &id, &request),
        )
        .unwrap();
        let mut edited: Vec<char> = genuine.chars().collect();
        let last = edited.len() - 1;
        edited[last] = if edited[last] == 'A' { 'B' } else { 'A' };
        let edited: String = edited.into_iter().collect();
        assert!(apply_receipt(&mut book, &edited, t(2), &mut ids).is_err());
        let unknown = genuine.replacen(request.as_str(), "acr-nosuchrequest", 1);
        assert!(matches!(
            apply_receipt(&mut book, &unknown, t(2), &mut ids),
            Err(ConfirmationError::UnknownRequest(_))
        ));
        assert_eq!(book, before);
    }

    #[test]
    fn a_receipt_after_a_withdrawal_or_the_deadline_is_a_conflict_that_changes_nothing() {
        let (mut book, id, request, mut ids) = sent();
        let secret = secret(&book, &id, &request);
        let approve = link::make_receipt(
            &Subject::Request(request.clone()),
            &Decision::Approve,
            t(2),
            &secret,
        )
        .unwrap();
        let mut withdrawn = book.clone();
        let seller = Actor::Seller(book.record(&id).unwrap().agreement.seller.clone());
        withdrawn
            .apply(
                WithdrawCancellation {
                    agreement_id: id.clone(),
                    request_id: request.clone(),
                    reason: "Sent to the wrong buyer".into(),
                },
                &seller,
                t(1),
                &mut ids,
            )
            .unwrap();
        let before = withdrawn.clone();
        let error = apply_receipt(&mut withdrawn, &approve, t(3), &mut ids).unwrap_err();
        assert!(error.to_string().contains("withdrew"), "{error}");
        assert_eq!(withdrawn, before);

        let before = book.clone();
        let late = apply_receipt(&mut book, &approve, t(200), &mut ids).unwrap_err();
        assert!(
            late.to_string().contains("approved automatically"),
            "{late}"
        );
        // A refused command leaves even the catching up with time to the shell's next
        // `advance_to`, which approves the request at its deadline.
        assert_eq!(book, before);
        book.advance_to(t(200));
        let r = book.record(&id).unwrap().request(&request).unwrap();
        assert_eq!(
            (r.status, r.decided_by),
            (RequestStatus::Approved, Some(DecidedBy::System))
        );
    }

    #[test]
    fn a_receipt_dated_well_after_the_clock_is_refused() {
        let (mut book, id, request, mut ids) = sent();
        let secret = secret(&book, &id, &request);
        let code = link::make_receipt(
            &Subject::Request(request.clone()),
            &Decision::Approve,
            t(10),
            &secret,
        )
        .unwrap();
        assert!(matches!(
            apply_receipt(&mut book, &code, t(9), &mut ids),
            Err(ConfirmationError::FromTheFuture { .. })
        ));
        let skewed = link::make_receipt(
            &Subject::Request(request.clone()),
            &Decision::Approve,
            t(9) + Duration::minutes(2),
            &secret,
        )
        .unwrap();
        let (settled, _) = apply_receipt(&mut book, &skewed, t(9), &mut ids).unwrap();
        assert!(matches!(settled, Settled::Applied { at, .. } if at == t(9)));
    }
}
