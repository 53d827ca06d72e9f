//! The buyer's decision on a cancellation request: approve, or reject with a reason. Its
//! state, its rules and its words live here, in plain Rust; the buyer's page (web-sys) and
//! the workbench's buyer view (Leptos) only draw a [`DecisionForm`], so the two cannot say
//! or do different things.

use workbench_core::ids::AgreementId;
use workbench_core::link::Decision;

/// The first choice.
pub const APPROVE: &str = "Approve";
pub const REJECT: &str = "Reject";
/// Approving asks again, after saying plainly what it does ([`approve_question`]).
pub const CONFIRM_APPROVAL: &str = "Yes, approve and cancel the agreement";
pub const GO_BACK: &str = "Go back";
/// The id of the question, which names the panel that asks it.
pub const QUESTION_ID: &str = "approve-question";
pub const REASON_LABEL: &str = "Rejection reason";
pub const REASON_HINT: &str = "The seller will read this.";
pub const SEND_REJECTION: &str = "Send rejection";

/// What the form shows: the two answers, or the panel of one of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Mode {
    #[default]
    Choosing,
    Approving,
    Rejecting,
}

/// The buyer's answer to one pending request, as it is being given: "Approve" (after
/// saying plainly that the agreement will be cancelled) or "Reject" with a reason the
/// seller will read. Where the answer goes is the caller's business; what went wrong there
/// is shown beside the form, and the reason typed stays whatever happens.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecisionForm {
    mode: Mode,
    reason: String,
    error: Option<String>,
}

impl DecisionForm {
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The rejection reason typed so far.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// What went wrong with the last answer sent, in words for the buyer.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// "Approve", "Reject" or "Go back" (to [`Mode::Choosing`]); the reason typed stays.
    pub fn show(&mut self, mode: Mode) {
        self.mode = mode;
    }

    pub fn type_reason(&mut self, text: String) {
        self.reason = text;
    }

    /// The answer the panel shown sends: nothing while the buyer is still choosing.
    pub fn decision(&self) -> Option<Decision> {
        match self.mode {
            Mode::Choosing => None,
            Mode::Approving => Some(Decision::Approve),
            Mode::Rejecting => Some(Decision::Reject(self.reason.clone())),
        }
    }

    /// What became of the answer sent: an error is shown until the next answer.
    pub fn settle<E: std::fmt::Display>(&mut self, outcome: Result<(), E>) {
        self.error = outcome.err().map(|problem| problem.to_string());
    }
}

/// What the approval panel asks.
pub fn approve_question(agreement: &AgreementId) -> String {
    [
        "Approving cancels agreement ",
        agreement.as_str(),
        " for good. Refunds, if any, come separately from the seller.",
    ]
    .concat()
}

/// The id of the reason's field: one per request, since the buyer view lists several.
pub fn reason_field_id(agreement: &AgreementId) -> String {
    ["rejection-", agreement.as_str()].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(decision: &Decision) -> Result<(), &'static str> {
        match decision {
            Decision::Reject(reason) if reason.trim().is_empty() => {
                Err("A rejection reason is required.")
            }
            _ => Ok(()),
        }
    }

    #[test]
    fn nothing_is_sent_while_choosing() {
        let form = DecisionForm::default();
        assert_eq!(form.mode(), Mode::Choosing);
        assert_eq!(form.decision(), None);
    }

    #[test]
    fn approving_asks_again_and_going_back_sends_nothing() {
        let mut form = DecisionForm::default();
        form.show(Mode::Approving);
        assert_eq!(form.decision(), Some(Decision::Approve));
        form.show(Mode::Choosing);
        assert_eq!(form.decision(), None);
    }

    #[test]
    fn a_refused_rejection_keeps_the_reason_typed_and_says_why() {
        let mut form = DecisionForm::default();
        form.show(Mode::Rejecting);
        form.type_reason("   ".into());
        let answer = form.decision().unwrap();
        form.settle(refused(&answer));
        assert_eq!(form.error(), Some("A rejection reason is required."));
        assert_eq!(form.reason(), "   ");
        assert_eq!(form.mode(), Mode::Rejecting);
        form.type_reason("We still use it".into());
        form.show(Mode::Choosing);
        form.show(Mode::Rejecting);
        assert_eq!(form.reason(), "We still use it");
        let answer = form.decision().unwrap();
        assert_eq!(answer, Decision::Reject("We still use it".into()));
        form.settle(refused(&answer));
        assert_eq!(form.error(), None);
        assert_eq!(form.reason(), "We still use it");
    }

    #[test]
    fn the_words_name_the_agreement() {
        let agreement = AgreementId::parse("agmt-123").unwrap();
        assert_eq!(
            approve_question(&agreement),
            "Approving cancels agreement agmt-123 for good. Refunds, if any, come separately \
             from the seller."
        );
        assert_eq!(reason_field_id(&agreement), "rejection-agmt-123");
    }
}
