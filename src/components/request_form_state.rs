//! The seller's two forms on a cancellation request, without their views: "Request
//! cancellation" ([`CancellationForm`]) and "Withdraw request" ([`WithdrawalForm`]). Each holds
//! what was typed, the step it is at and the command it sends; the core checks what was typed
//! and names the field at fault.

use workbench_core::book::{DomainError, SendCancellation, WithdrawCancellation};
use workbench_core::cancellation::{
    check_request, vague_reason_warning, AdditionalDetails, CancellationError,
    CancellationReasonCode,
};
use workbench_core::confirmation::{
    carried, details_for_buyer, Carried, DETAILS_BYTES_IN_LINK, REASON_BYTES_IN_LINK,
};
use workbench_core::ids::{AgreementId, ClientToken, RequestId};

use crate::error::AppError;

/// Where a refusal of the cancellation form is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestField {
    ReasonCode,
    Reason,
    /// Any of the additional details.
    Details,
    /// The form as a whole: its alert.
    Form,
}

impl RequestField {
    /// The field the core's refusal names.
    pub fn of(error: &CancellationError) -> RequestField {
        match error {
            CancellationError::MissingReasonCode => RequestField::ReasonCode,
            CancellationError::Required { .. } | CancellationError::TooLong { .. } => {
                RequestField::Reason
            }
            CancellationError::DetailTooLong { .. } => RequestField::Details,
            CancellationError::Conflict(_) => RequestField::Form,
        }
    }

    /// The field a refused command belongs beside: a refusal of what was typed names its
    /// field; anything else (the agreement changed, storage refused) is the whole form's.
    pub fn of_refusal(problem: &AppError) -> RequestField {
        match problem {
            AppError::Domain(DomainError::Cancellation(e)) => RequestField::of(e),
            _ => RequestField::Form,
        }
    }
}

/// A text the seller types into the cancellation form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextField {
    Reason,
    SupportCase,
    BuyerReference,
    NextStep,
    /// "Additional details": the coordination notes.
    Details,
}

/// "Request cancellation": a reason code, a specific reason and additional details, checked
/// by the core, reviewed, then sent as one [`SendCancellation`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CancellationForm {
    open: bool,
    reviewing: bool,
    reason_code: Option<CancellationReasonCode>,
    reason: String,
    support_case: String,
    buyer_reference: String,
    next_step: String,
    details: String,
    /// One token per form: a double click, a retry or a second tab sends the same request.
    token: String,
    error: Option<(RequestField, String)>,
    /// The request this form sent, for the confirmation that follows it.
    submitted: Option<RequestId>,
}

impl CancellationForm {
    pub fn is_open(&self) -> bool {
        self.open
    }

    pub fn is_reviewing(&self) -> bool {
        self.reviewing
    }

    pub fn submitted(&self) -> Option<&RequestId> {
        self.submitted.as_ref()
    }

    pub fn reason_code(&self) -> Option<CancellationReasonCode> {
        self.reason_code
    }

    pub fn choose_reason_code(&mut self, code: Option<CancellationReasonCode>) {
        self.reason_code = code;
    }

    pub fn text(&self, field: TextField) -> &str {
        match field {
            TextField::Reason => &self.reason,
            TextField::SupportCase => &self.support_case,
            TextField::BuyerReference => &self.buyer_reference,
            TextField::NextStep => &self.next_step,
            TextField::Details => &self.details,
        }
    }

    pub fn type_text(&mut self, field: TextField, text: String) {
        *match field {
            TextField::Reason => &mut self.reason,
            TextField::SupportCase => &mut self.support_case,
            TextField::BuyerReference => &mut self.buyer_reference,
            TextField::NextStep => &mut self.next_step,
            TextField::Details => &mut self.details,
        } = text;
    }

    /// "Request cancellation": the form opens with what was typed, and its client token,
    /// drawn by `token` the first time.
    pub fn open(&mut self, token: impl FnOnce() -> String) {
        if self.token.is_empty() {
            self.token = token();
        }
        self.submitted = None;
        self.open = true;
    }

    /// The form open on a buyer's request (`crate::pages::from_buyer`): their reason typed
    /// in, the reason code left for the seller to choose, then the seller's own review.
    pub fn prefilled(reason: &str, token: String) -> CancellationForm {
        CancellationForm {
            open: true,
            reason: reason.to_string(),
            token,
            ..CancellationForm::default()
        }
    }

    /// "Close the form": what was typed stays for the next opening.
    pub fn close(&mut self) {
        self.open = false;
    }

    /// "Edit", from the review.
    pub fn back_to_editing(&mut self) {
        self.reviewing = false;
    }

    pub fn additional(&self) -> AdditionalDetails {
        AdditionalDetails {
            support_case_id: self.support_case.clone(),
            buyer_reference: self.buyer_reference.clone(),
            next_step: self.next_step.clone(),
            coordination_notes: self.details.clone(),
        }
    }

    /// The refusal shown beside `field`, if it is that field's.
    pub fn error_beside(&self, field: RequestField) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    /// The core's warning about a reason that says nothing specific, once one is typed.
    pub fn reason_warning(&self) -> Option<&'static str> {
        (!self.reason.trim().is_empty())
            .then(|| vague_reason_warning(&self.reason))
            .flatten()
    }

    /// "Review request": the review when the core accepts what was typed, otherwise its
    /// refusal beside the field it names. Says whether the review opened.
    pub fn review(&mut self) -> bool {
        match check_request(self.reason_code, &self.reason, self.additional()) {
            Ok(_) => {
                self.error = None;
                self.reviewing = true;
            }
            Err(e) => self.error = Some((RequestField::of(&e), e.to_string())),
        }
        self.reviewing
    }

    /// What "Submit cancellation request" sends for agreement `agreement_id`: nothing before
    /// the review.
    pub fn command(&self, agreement_id: &AgreementId) -> Option<SendCancellation> {
        self.reviewing.then_some(())?;
        let client_token = ClientToken::parse(&self.token).ok()?;
        Some(SendCancellation {
            agreement_id: agreement_id.clone(),
            reason_code: self.reason_code,
            description: self.reason.clone(),
            details: self.additional(),
            client_token,
        })
    }

    /// The book made request `id`: the form closes, the next one gets a new client token,
    /// and the focus goes to the confirmation.
    pub fn sent(&mut self, id: RequestId) -> &'static str {
        self.submitted = Some(id);
        self.token = String::new();
        self.open = false;
        self.reviewing = false;
        self.error = None;
        "request-outcome"
    }

    /// The book refused it: back to the form, with the reason beside its field.
    pub fn refused(&mut self, problem: &AppError) {
        self.reviewing = false;
        self.error = Some((RequestField::of_refusal(problem), problem.to_string()));
    }

    /// Said before sending: a text too long for the confirmation link reaches the buyer cut,
    /// with a note that the seller has the rest.
    pub fn link_note(&self) -> Option<String> {
        let reason = carried(&self.reason, REASON_BYTES_IN_LINK);
        let details = carried(
            &details_for_buyer(&self.additional()),
            DETAILS_BYTES_IN_LINK,
        );
        let cut = |what: &str, c: &Carried| {
            (!c.is_whole()).then(|| {
                format!(
                    "the first {} of the {} characters of {what}",
                    c.shown, c.total
                )
            })
        };
        let parts: Vec<String> = [
            cut("the reason", &reason),
            cut("the details for the buyer", &details),
        ]
        .into_iter()
        .flatten()
        .collect();
        (!parts.is_empty()).then(|| {
            format!(
                "Too long for the confirmation link: a link must fit in a chat message and a QR code, so the buyer's page shows {}, and says that you have the whole text.",
                parts.join(" and ")
            )
        })
    }
}

/// "Withdraw request": the seller takes a pending request back, with a reason the core
/// checks when it receives the [`WithdrawCancellation`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WithdrawalForm {
    open: bool,
    reason: String,
    error: Option<String>,
}

impl WithdrawalForm {
    pub fn is_open(&self) -> bool {
        self.open
    }

    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    pub fn reason(&self) -> &str {
        &self.reason
    }

    pub fn type_reason(&mut self, text: String) {
        self.reason = text;
    }

    /// "Withdraw request".
    pub fn open(&mut self) {
        self.open = true;
    }

    /// "Keep the request": what was typed stays.
    pub fn keep(&mut self) {
        self.open = false;
    }

    /// What "Confirm withdrawal" sends.
    pub fn command(
        &self,
        agreement_id: &AgreementId,
        request_id: &RequestId,
    ) -> WithdrawCancellation {
        WithdrawCancellation {
            agreement_id: agreement_id.clone(),
            request_id: request_id.clone(),
            reason: self.reason.clone(),
        }
    }

    /// The request is withdrawn: the form empties and closes, and the focus goes to the case.
    pub fn withdrawn(&mut self) -> &'static str {
        *self = WithdrawalForm::default();
        "case-heading"
    }

    /// The book refused it: the form stays, and says why.
    pub fn refused(&mut self, problem: &AppError) {
        self.error = Some(problem.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use workbench_core::book::{Actor, AgreementRecord, Book};
    use workbench_core::cancellation::{RequestStatus, DETAIL_MAX};
    use workbench_core::demo::{demo_book, demo_now};
    use workbench_core::ids::{AccountId, SequentialIds};

    /// Northwind's active agreement with Globex in the demo, which has no request yet.
    fn globex() -> (Book, AgreementRecord) {
        let book = demo_book(demo_now());
        let northwind = AccountId::parse("111122223333").unwrap();
        let globex = AccountId::parse("555566667777").unwrap();
        let record = book
            .records()
            .values()
            .map(|v| &v.record)
            .filter(|r| r.agreement.seller == northwind)
            .find(|r| r.agreement.buyer == globex)
            .unwrap()
            .clone();
        assert!(record.pending_request().is_none());
        (book, record)
    }

    fn apply<C: workbench_core::book::Command>(
        book: &mut Book,
        record: &AgreementRecord,
        command: C,
    ) -> Result<C::Reply, AppError>
    where
        AppError: From<C::Error>,
    {
        let seller = Actor::Seller(record.agreement.seller.clone());
        let mut ids = SequentialIds::starting_at(9_000);
        Ok(book.apply(command, &seller, demo_now(), &mut ids)?.0)
    }

    /// The form opened with token "form-1" and filled in as a seller would.
    fn filled() -> CancellationForm {
        let mut form = CancellationForm::default();
        form.open(|| "form-1".into());
        form.choose_reason_code(Some(CancellationReasonCode::TestAgreement));
        form.type_text(
            TextField::Reason,
            "Created by our QA team to test provisioning".into(),
        );
        form.type_text(TextField::SupportCase, "12345".into());
        form.type_text(TextField::BuyerReference, "Email of 3 March".into());
        form.type_text(TextField::NextStep, "Full exit".into());
        form.type_text(TextField::Details, "Agreed with the buyer on a call".into());
        form
    }

    #[test]
    fn the_client_token_is_drawn_once_and_kept_until_a_request_is_made() {
        let mut form = filled();
        form.close();
        assert!(!form.is_open());
        form.open(|| unreachable!("the form keeps its token"));
        assert!(form.is_open());
        assert_eq!(
            form.text(TextField::Reason),
            "Created by our QA team to test provisioning"
        );
        assert!(form.review());
        let (_, record) = globex();
        let command = form.command(&record.agreement.id).unwrap();
        assert_eq!(command.client_token.as_str(), "form-1");
    }

    #[test]
    fn a_buyers_request_opens_the_form_with_its_reason_for_the_seller_to_review() {
        let (_, record) = globex();
        let mut form =
            CancellationForm::prefilled("Moving to the Enterprise offer", "form-7".into());
        assert!(form.is_open() && !form.is_reviewing());
        assert_eq!(
            form.text(TextField::Reason),
            "Moving to the Enterprise offer"
        );
        assert_eq!(form.reason_code(), None);
        assert_eq!(form.command(&record.agreement.id), None);
        assert!(!form.review(), "the reason code is the seller's to choose");
        assert!(form.error_beside(RequestField::ReasonCode).is_some());
        form.choose_reason_code(Some(CancellationReasonCode::ReplacingAgreement));
        assert!(form.review());
        let command = form.command(&record.agreement.id).unwrap();
        assert_eq!(command.client_token.as_str(), "form-7");
        assert_eq!(command.description, "Moving to the Enterprise offer");
    }

    #[test]
    fn nothing_is_sent_before_the_review() {
        let mut form = filled();
        let (_, record) = globex();
        assert_eq!(form.command(&record.agreement.id), None);
        assert!(form.review());
        form.back_to_editing();
        assert_eq!(form.command(&record.agreement.id), None);
    }

    #[test]
    fn the_request_sent_is_what_was_typed_and_the_core_makes_it() {
        let (mut book, record) = globex();
        let mut form = filled();
        assert!(form.review());
        let command = form.command(&record.agreement.id).unwrap();
        assert_eq!(command.agreement_id, record.agreement.id);
        assert_eq!(
            command.reason_code,
            Some(CancellationReasonCode::TestAgreement)
        );
        assert_eq!(
            command.description,
            "Created by our QA team to test provisioning"
        );
        assert_eq!(
            command.details,
            AdditionalDetails {
                support_case_id: "12345".into(),
                buyer_reference: "Email of 3 March".into(),
                next_step: "Full exit".into(),
                coordination_notes: "Agreed with the buyer on a call".into(),
            }
        );
        let id = apply(&mut book, &record, command).unwrap();
        assert_eq!(form.sent(id.clone()), "request-outcome");
        assert_eq!(form.submitted(), Some(&id));
        assert!(!form.is_open() && !form.is_reviewing());
        let request = book
            .record(&record.agreement.id)
            .unwrap()
            .pending_request()
            .unwrap();
        assert_eq!(
            (request.id.clone(), request.status),
            (id, RequestStatus::PendingApproval)
        );

        // The next form draws a new token, and the confirmation of the last one goes.
        form.open(|| "form-2".into());
        assert_eq!(form.submitted(), None);
        form.review();
        let again = form.command(&record.agreement.id).unwrap();
        assert_eq!(again.client_token.as_str(), "form-2");
    }

    #[test]
    fn a_missing_reason_code_is_named_beside_its_field_and_what_was_typed_stays() {
        let mut form = filled();
        form.choose_reason_code(None);
        assert!(!form.review());
        assert!(!form.is_reviewing());
        assert_eq!(
            form.error_beside(RequestField::ReasonCode),
            Some("Choose a reason code.")
        );
        for field in [
            RequestField::Reason,
            RequestField::Details,
            RequestField::Form,
        ] {
            assert_eq!(form.error_beside(field), None, "{field:?}");
        }
        assert_eq!(
            form.text(TextField::Reason),
            "Created by our QA team to test provisioning"
        );
    }

    #[test]
    fn a_blank_or_too_long_reason_is_named_beside_the_reason() {
        let mut form = filled();
        form.type_text(TextField::Reason, "   ".into());
        assert!(!form.review());
        assert_eq!(
            form.error_beside(RequestField::Reason),
            Some("A reason is required.")
        );
        form.type_text(TextField::Reason, "x".repeat(2001));
        assert!(!form.review());
        assert_eq!(
            form.error_beside(RequestField::Reason),
            Some("A reason can be at most 2000 characters (it has 2001).")
        );
        form.type_text(
            TextField::Reason,
            "Buyer migrating to the new private offer".into(),
        );
        assert!(form.review());
        assert_eq!(
            form.error_beside(RequestField::Reason),
            None,
            "the error goes"
        );
    }

    #[test]
    fn a_detail_too_long_is_named_beside_the_details() {
        let mut form = filled();
        form.type_text(TextField::NextStep, "x".repeat(DETAIL_MAX + 1));
        assert!(!form.review());
        assert_eq!(
            form.error_beside(RequestField::Details),
            Some("The intended next step can be at most 2000 characters.")
        );
    }

    #[test]
    fn a_vague_reason_is_warned_about_and_still_sent() {
        let mut form = filled();
        form.type_text(TextField::Reason, String::new());
        assert_eq!(
            form.reason_warning(),
            None,
            "nothing typed, nothing to warn about"
        );
        form.type_text(TextField::Reason, "no longer needed".into());
        assert!(form.reason_warning().is_some());
        assert!(form.review());
        form.type_text(
            TextField::Reason,
            "Buyer migrating to the new private offer offer-abc".into(),
        );
        assert_eq!(form.reason_warning(), None);
    }

    #[test]
    fn a_refusal_by_the_book_reopens_the_form_beside_its_field() {
        let (mut book, record) = globex();
        let mut first = filled();
        first.review();
        apply(
            &mut book,
            &record,
            first.command(&record.agreement.id).unwrap(),
        )
        .unwrap();

        let mut second = filled();
        second.token = "form-2".into();
        second.review();
        let problem = apply(
            &mut book,
            &record,
            second.command(&record.agreement.id).unwrap(),
        )
        .unwrap_err();
        second.refused(&problem);
        assert!(!second.is_reviewing());
        let said = second.error_beside(RequestField::Form).unwrap();
        assert!(
            said.ends_with("is already waiting for the buyer; withdraw it before sending another."),
            "{said}"
        );

        let typed = AppError::Domain(DomainError::Cancellation(
            CancellationError::MissingReasonCode,
        ));
        assert_eq!(RequestField::of_refusal(&typed), RequestField::ReasonCode);
    }

    #[test]
    fn a_text_too_long_for_the_link_is_said_before_sending() {
        let mut form = filled();
        assert_eq!(form.link_note(), None);
        form.type_text(TextField::Reason, "a".repeat(2000));
        let note = form.link_note().unwrap();
        assert!(note.starts_with("Too long for the confirmation link: a link must fit in a chat message and a QR code, so the buyer's page shows the first "), "{note}");
        assert!(
            note.contains(" of the 2000 characters of the reason, and says"),
            "{note}"
        );
        form.type_text(TextField::NextStep, "b".repeat(600));
        let note = form.link_note().unwrap();
        assert!(
            note.contains("characters of the reason and the first "),
            "{note}"
        );
        assert!(
            note.contains("characters of the details for the buyer"),
            "{note}"
        );
    }

    #[test]
    fn withdrawing_sends_the_reason_typed_and_a_refusal_keeps_it() {
        let (mut book, record) = globex();
        let mut request = filled();
        request.review();
        let request_id = apply(
            &mut book,
            &record,
            request.command(&record.agreement.id).unwrap(),
        )
        .unwrap();

        let mut form = WithdrawalForm::default();
        form.open();
        let problem = apply(
            &mut book,
            &record,
            form.command(&record.agreement.id, &request_id),
        )
        .unwrap_err();
        form.refused(&problem);
        assert_eq!(form.error(), Some("A reason for withdrawing is required."));
        assert!(form.is_open());

        form.type_reason("The buyer decided to stay on the current terms".into());
        let command = form.command(&record.agreement.id, &request_id);
        assert_eq!(
            command,
            WithdrawCancellation {
                agreement_id: record.agreement.id.clone(),
                request_id: request_id.clone(),
                reason: "The buyer decided to stay on the current terms".into(),
            }
        );
        apply(&mut book, &record, command).unwrap();
        assert_eq!(form.withdrawn(), "case-heading");
        assert_eq!(form, WithdrawalForm::default(), "emptied and closed");
    }

    #[test]
    fn keeping_the_request_keeps_what_was_typed() {
        let mut form = WithdrawalForm::default();
        form.open();
        form.type_reason("Sent to the wrong agreement".into());
        form.keep();
        assert!(!form.is_open());
        form.open();
        assert_eq!(form.reason(), "Sent to the wrong agreement");
    }
}
