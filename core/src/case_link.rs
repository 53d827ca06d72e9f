//! The seller's side of a support case's link: AWS's question to the buyer of a contract
//! the seller asked to cancel, and the buyer's receipt coming back. It works as a request's
//! link does (`confirmation.rs`), with the case's own secret, kept since the case was opened
//! when it asked a cancellation.

use crate::book::{Book, Desk, DomainError};
use crate::confirmation::{verified, ConfirmationError, Settled};
use crate::families::support_case::{BuyerAnswer, NotAwaitingBuyer, SupportCase};
use crate::key::{RecordKey, SupportCaseId};
use crate::link::{self, CaseLinkPayload, Decision, EncodedLink, Subject};

impl Book {
    fn case(&self, id: &SupportCaseId) -> Result<&SupportCase, ConfirmationError> {
        self.support_cases
            .get(id)
            .map(|v| &v.record)
            .ok_or_else(|| ConfirmationError::UnknownCase(id.clone()))
    }

    /// The link that puts AWS's question to the buyer, while AWS waits for their approval.
    pub fn case_link(&self, id: &SupportCaseId) -> Result<EncodedLink, ConfirmationError> {
        let case = self.case(id)?;
        let agreement_id = case
            .awaiting_buyer
            .as_ref()
            .ok_or_else(|| DomainError::CaseAnswer(NotAwaitingBuyer(id.clone())))?;
        let secret = case
            .buyer_link_secret
            .as_ref()
            .ok_or_else(|| ConfirmationError::CaseHasNoLink(id.clone()))?;
        let agreement = &self
            .record(agreement_id)
            .ok_or_else(|| DomainError::AgreementNotFound(agreement_id.clone()))?
            .agreement;
        let (seller_name, product_name) = self.names_in_link(agreement);
        let payload = CaseLinkPayload {
            seller_name,
            product_name,
            agreement_id: agreement.id.clone(),
            case_id: id.clone(),
            buyer_account: agreement.buyer.clone(),
            effective: case.cancel_effective,
            opened_at: case.opened_at,
        };
        Ok(link::encode_case(&payload, secret)?)
    }

    /// Records the buyer's answer a genuine receipt carries, as AWS would hear it now; or
    /// says why the case no longer takes it. Again, the same answer changes nothing.
    pub(crate) fn apply_case_receipt(
        &mut self,
        code: &str,
        id: SupportCaseId,
        desk: &mut Desk<'_>,
    ) -> Result<Settled, ConfirmationError> {
        let case = self.case(&id)?;
        let secret = case
            .buyer_link_secret
            .as_ref()
            .ok_or_else(|| ConfirmationError::CaseHasNoLink(id.clone()))?;
        let receipt = verified(code, secret, desk.now)?;
        let (approved, reason) = match &receipt.decision {
            Decision::Approve => (true, None),
            Decision::Reject(reason) => (false, Some(reason.clone())),
        };
        let subject = Subject::Case(id.clone());
        let Some(agreement_id) = case.awaiting_buyer.clone() else {
            return self.case_settled_before(case, receipt.decision, subject);
        };
        let versioned = self
            .support_cases
            .get_mut(&id)
            .ok_or_else(|| ConfirmationError::UnknownCase(id.clone()))?;
        versioned
            .change(|c| c.answer_as_buyer(approved, reason, desk.now))
            .map_err(DomainError::from)?;
        desk.changed.insert(RecordKey::SupportCase(id));
        Ok(Settled::Applied {
            agreement_id,
            subject,
            decision: receipt.decision,
            at: desk.now,
        })
    }

    /// A receipt for a case AWS no longer waits on: the same answer given before changes
    /// nothing; any other is a conflict.
    fn case_settled_before(
        &self,
        case: &SupportCase,
        decision: Decision,
        subject: Subject,
    ) -> Result<Settled, ConfirmationError> {
        let same = case
            .buyer_answer
            .as_ref()
            .filter(|answer| same_answer(answer, &decision));
        let agreement = case.agreement_in(&self.records).ok();
        match (same, agreement) {
            (Some(answer), Some(record)) => Ok(Settled::AlreadyApplied {
                agreement_id: record.agreement.id.clone(),
                subject,
                decision,
                at: answer.at,
            }),
            (_, _) => Err(ConfirmationError::Conflict(match &case.buyer_answer {
                Some(answer) => format!(
                    "the buyer's answer on support case {} was already recorded on {}: {}.",
                    case.id,
                    answer.at.format("%Y-%m-%d %H:%M UTC"),
                    if answer.approved {
                        "approved"
                    } else {
                        "rejected"
                    }
                ),
                None => format!(
                    "AWS is not waiting for the buyer's approval on support case {} ({}).",
                    case.id,
                    case.status.label().to_lowercase()
                ),
            })),
        }
    }
}

fn same_answer(answer: &BuyerAnswer, decision: &Decision) -> bool {
    match decision {
        Decision::Approve => answer.approved,
        Decision::Reject(reason) => !answer.approved && answer.reason.as_ref() == Some(reason),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Duration, Utc};

    use super::*;
    use crate::book::{Actor, ApplyReceipt, ReplyToSupportCase};
    use crate::demo::{demo_book_from_seed, demo_now};
    use crate::families::support_case::{billing_cycle_end, CaseStatus};
    use crate::ids::SequentialIds;
    use crate::link::{make_receipt, read_address, LinkSecret, Opened, ReceiptError};

    /// The demo's case once AWS has asked the buyer to approve the contract's cancellation.
    fn awaiting_buyer() -> (Book, SupportCaseId, DateTime<Utc>) {
        let mut book = demo_book_from_seed(7, demo_now());
        let case = book.support_cases.values().next().unwrap().record.clone();
        let reply = ReplyToSupportCase {
            case: case.id.clone(),
            text: "Yes: that invoice, cancel now.".into(),
        };
        let seller = Actor::Seller(case.seller.clone());
        let mut ids = SequentialIds::default();
        book.apply(reply, &seller, demo_now(), &mut ids).unwrap();
        let cycle_end = billing_cycle_end(case.opened_at);
        book.advance_to(cycle_end);
        assert!(book.support_cases[&case.id].record.awaiting_buyer.is_some());
        (book, case.id, cycle_end)
    }

    /// What the buyer's page does with the link: open it, and seal their answer.
    fn answer_on_another_device(
        link: &EncodedLink,
        decision: Decision,
        at: DateTime<Utc>,
    ) -> String {
        let (path, hash) = link
            .href()
            .split_once('#')
            .map(|(p, h)| (p.to_string(), format!("#{h}")))
            .unwrap();
        let (opened, secret) = read_address(&path, &hash).unwrap();
        let Opened::Case(payload) = &opened else {
            panic!("a case's link opens the case: {opened:?}")
        };
        assert!(payload.case_id.as_str().starts_with("case-"));
        make_receipt(&opened.subject(), &decision, at, &secret).unwrap()
    }

    fn apply(
        book: &mut Book,
        code: &str,
        now: DateTime<Utc>,
    ) -> Result<Settled, ConfirmationError> {
        let seller = Actor::Seller(
            book.support_cases
                .values()
                .next()
                .unwrap()
                .record
                .seller
                .clone(),
        );
        let receipt = ApplyReceipt { code: code.into() };
        book.apply(receipt, &seller, now, &mut SequentialIds::default())
            .map(|(settled, _)| settled)
    }

    #[test]
    fn the_buyer_approves_by_receipt_and_the_case_cancels_a_day_later() {
        let (mut book, id, now) = awaiting_buyer();
        let link = book.case_link(&id).unwrap();
        let code = answer_on_another_device(&link, Decision::Approve, now);
        assert!(book.holds_receipt(&code));
        let asked = book.support_cases[&id].record.cancel_effective;
        assert!(asked.is_some());
        assert!(matches!(
            crate::link::decode(&link.token, &link.fragment),
            Ok(Opened::Case(payload)) if payload.effective == asked && payload.case_id == id
        ));
        let settled = apply(&mut book, &code, now).unwrap();
        assert!(
            matches!(settled, Settled::Applied { subject: Subject::Case(ref c), .. } if *c == id)
        );
        assert_eq!(book.support_cases[&id].record.status, CaseStatus::Pending);
        assert!(matches!(
            apply(&mut book, &code, now),
            Ok(Settled::AlreadyApplied { .. })
        ));
        book.advance_to(now + Duration::days(1));
        let case = &book.support_cases[&id].record;
        assert_eq!(case.status, CaseStatus::Completed);
        assert!(case.outcome.as_ref().is_some_and(|o| o.cancelled));
        assert!(matches!(
            book.case_link(&id),
            Err(ConfirmationError::Domain(DomainError::CaseAnswer(_)))
        ));
    }

    #[test]
    fn a_rejection_by_receipt_keeps_the_agreement_and_says_the_buyers_reason() {
        let (mut book, id, now) = awaiting_buyer();
        let link = book.case_link(&id).unwrap();
        let reason = "We run month-end reports on it until March.";
        let code = answer_on_another_device(&link, Decision::Reject(reason.into()), now);
        apply(&mut book, &code, now).unwrap();
        book.advance_to(now + Duration::days(1));
        let case = &book.support_cases[&id].record;
        assert_eq!(case.status, CaseStatus::Completed);
        assert!(case.outcome.as_ref().is_some_and(|o| !o.cancelled));
        let said = &case.replies.last().unwrap().text;
        assert!(said.contains(reason), "{said}");
        let approve = answer_on_another_device(&link, Decision::Approve, now);
        assert!(matches!(
            apply(&mut book, &approve, now + Duration::days(1)),
            Err(ConfirmationError::Conflict(why)) if why.contains("already recorded") && why.contains("rejected")
        ));
    }

    #[test]
    fn a_receipt_sealed_with_another_secret_or_for_another_case_changes_nothing() {
        let (mut book, id, now) = awaiting_buyer();
        let other = LinkSecret::from_bytes(&[7; 16]).unwrap();
        let forged =
            make_receipt(&Subject::Case(id.clone()), &Decision::Approve, now, &other).unwrap();
        assert!(!book.holds_receipt(&forged));
        assert!(matches!(
            apply(&mut book, &forged, now),
            Err(ConfirmationError::Receipt(ReceiptError::NotGenuine(_)))
        ));
        let elsewhere = make_receipt(
            &Subject::Case(SupportCaseId::new("case-1")),
            &Decision::Approve,
            now,
            &other,
        )
        .unwrap();
        assert!(matches!(
            apply(&mut book, &elsewhere, now),
            Err(ConfirmationError::UnknownCase(_))
        ));
        assert!(book.support_cases[&id].record.awaiting_buyer.is_some());
    }
}
