//! "Request to the seller" without its view: which agreement the buyer asks about, what
//! they typed, the errors beside the fields and the link made. Every check is the core's
//! (`workbench_core::link::buyer_request`).

use chrono::{DateTime, Utc};
use workbench_core::ids::{AccountId, AgreementId, InvoiceId};
use workbench_core::link::buyer_request::{
    check_reason, encode_buyer_request, AskError, BuyerRequest, Wanted,
};
use workbench_core::link::LinkSecret;

/// Where an error of the form is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AskField {
    /// "What to ask": neither box ticked.
    What,
    Invoice,
    Reason,
}

/// What the buyer typed and chose.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Asked {
    pub cancel: bool,
    pub refund: bool,
    /// The invoice picked, as its ID; empty until one is.
    pub invoice: String,
    pub reason: String,
}

/// The buyer's form for one agreement at a time: it opens on "Request to the seller",
/// checks what was typed when the link is asked for, and keeps what was typed through its
/// errors. A change after the link was made takes the link away, so that the link shown is
/// always what the form says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AskForm {
    /// Whose form this is, open or closed.
    agreement: Option<AgreementId>,
    open: bool,
    asked: Asked,
    /// Errors wait until the buyer first asks for the link, then follow what they type.
    checked: bool,
    errors: Vec<(AskField, String)>,
    link: Option<String>,
}

impl AskForm {
    /// "Request to the seller" on agreement `agreement`, whose first invoice is picked in
    /// advance. Another agreement's form starts afresh. Gives the ID the focus goes to.
    pub fn open(
        &mut self,
        agreement: AgreementId,
        first_invoice: Option<&InvoiceId>,
    ) -> &'static str {
        if self.agreement.as_ref() != Some(&agreement) {
            *self = AskForm {
                agreement: Some(agreement),
                ..AskForm::default()
            };
            self.asked.invoice = first_invoice.map(ToString::to_string).unwrap_or_default();
        }
        self.open = true;
        "ask-heading"
    }

    /// "Close": what was typed stays for the next opening of the same agreement.
    pub fn close(&mut self) {
        self.open = false;
    }

    /// The agreement the form is open for.
    pub fn asking(&self) -> Option<&AgreementId> {
        self.agreement.as_ref().filter(|_| self.open)
    }

    pub fn asked(&self) -> &Asked {
        &self.asked
    }

    /// What the buyer types or ticks.
    pub fn edit(&mut self, change: impl FnOnce(&mut Asked)) {
        change(&mut self.asked);
        self.link = None;
        if self.checked {
            self.errors = self.check().err().unwrap_or_default();
        }
    }

    pub fn error_beside(&self, field: AskField) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    /// The link made, as a path and fragment to put after the app's origin.
    pub fn link(&self) -> Option<&str> {
        self.link.as_deref()
    }

    /// "Make the link": the request of buyer `buyer` at `now`, sealed with a fresh
    /// `secret`, or the errors beside their fields. Gives the ID the focus goes to.
    pub fn make(
        &mut self,
        buyer: &AccountId,
        now: DateTime<Utc>,
        secret: &LinkSecret,
    ) -> &'static str {
        self.checked = true;
        let Some(agreement_id) = self.asking().cloned() else {
            return "ask-heading";
        };
        let wanted = match self.check() {
            Ok(wanted) => wanted,
            Err(errors) => {
                let focus = match errors.first().map(|(f, _)| *f) {
                    Some(AskField::Invoice) => "ask-invoice",
                    Some(AskField::Reason) => "ask-reason",
                    _ => "ask-cancel",
                };
                self.errors = errors;
                return focus;
            }
        };
        let request = BuyerRequest {
            agreement_id,
            buyer_account: buyer.clone(),
            wanted,
            reason: self.asked.reason.clone(),
            made_at: now,
        };
        match encode_buyer_request(&request, secret) {
            Ok(link) => {
                self.errors.clear();
                self.link = Some(link.href());
                "ask-link"
            }
            // Only the reason can be unfit, and its own check said so already.
            Err(problem) => {
                self.errors = vec![(AskField::Reason, problem.to_string())];
                "ask-reason"
            }
        }
    }

    /// The core's checks of every field: what is asked, or each refusal beside its field.
    fn check(&self) -> Result<Wanted, Vec<(AskField, String)>> {
        let mut errors = Vec::new();
        let invoice = match (self.asked.refund, InvoiceId::parse(&self.asked.invoice)) {
            (true, Ok(invoice)) => Some(invoice),
            (true, Err(_)) => {
                errors.push((AskField::Invoice, AskError::NoInvoice.to_string()));
                None
            }
            (false, _) => None,
        };
        let wanted = Wanted::of(self.asked.cancel, invoice);
        if let Err(e) = &wanted {
            if !self.asked.refund {
                errors.push((AskField::What, e.to_string()));
            }
        }
        if let Err(e) = check_reason(&self.asked.reason) {
            errors.push((AskField::Reason, e.to_string()));
        }
        match wanted {
            Ok(wanted) if errors.is_empty() => Ok(wanted),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use workbench_core::link::buyer_request::open_buyer_request;

    fn agreement() -> AgreementId {
        AgreementId::parse("agmt-1").unwrap()
    }

    fn invoice() -> InvoiceId {
        InvoiceId::parse("inv-1").unwrap()
    }

    fn buyer() -> AccountId {
        AccountId::parse("444455556666").unwrap()
    }

    fn secret() -> LinkSecret {
        LinkSecret::from_bytes(&[9; 16]).unwrap()
    }

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000, 0).unwrap()
    }

    #[test]
    fn a_complete_form_makes_a_link_that_opens_to_what_was_asked() {
        let mut form = AskForm::default();
        assert_eq!(form.open(agreement(), Some(&invoice())), "ask-heading");
        form.edit(|a| {
            a.cancel = true;
            a.refund = true;
            a.reason = "Nobody used it since March.".into();
        });
        assert_eq!(form.make(&buyer(), now(), &secret()), "ask-link");
        let href = form.link().unwrap();
        let hash = href.split_once('#').unwrap().1;
        let opened = open_buyer_request(hash).unwrap();
        assert_eq!(opened.wanted, Wanted::CancelAndRefund(invoice()));
        assert_eq!(opened.agreement_id, agreement());
        assert_eq!(opened.buyer_account, buyer());
        assert_eq!(opened.made_at, now());
    }

    #[test]
    fn every_bad_field_says_so_beside_it_and_what_was_typed_stays() {
        let mut form = AskForm::default();
        form.open(agreement(), None);
        assert_eq!(form.make(&buyer(), now(), &secret()), "ask-cancel");
        assert!(form
            .error_beside(AskField::What)
            .unwrap()
            .starts_with("Choose what to ask"));
        assert!(form
            .error_beside(AskField::Reason)
            .unwrap()
            .starts_with("Enter a reason"));
        assert_eq!(form.link(), None);
        form.edit(|a| {
            a.refund = true;
            a.reason = "x".repeat(300);
        });
        assert_eq!(form.error_beside(AskField::What), None);
        assert_eq!(
            form.error_beside(AskField::Invoice),
            Some("Choose the invoice to refund.")
        );
        assert!(form
            .error_beside(AskField::Reason)
            .unwrap()
            .contains("(it has 300)"));
        assert_eq!(form.make(&buyer(), now(), &secret()), "ask-invoice");
        assert_eq!(form.asked().reason.len(), 300);
        form.edit(|a| {
            a.invoice = invoice().to_string();
            a.reason.truncate(280);
        });
        assert_eq!(form.error_beside(AskField::Reason), None);
        assert_eq!(form.make(&buyer(), now(), &secret()), "ask-link");
    }

    #[test]
    fn errors_wait_for_the_first_try_and_a_change_takes_the_link_away() {
        let mut form = AskForm::default();
        form.open(agreement(), Some(&invoice()));
        form.edit(|a| a.reason = " ".into());
        assert_eq!(form.error_beside(AskField::Reason), None);
        form.edit(|a| {
            a.cancel = true;
            a.reason = "Moving to another product.".into();
        });
        form.make(&buyer(), now(), &secret());
        assert!(form.link().is_some());
        form.edit(|a| a.cancel = false);
        assert_eq!(form.link(), None);
        assert!(form.error_beside(AskField::What).is_some());
    }

    #[test]
    fn closing_keeps_what_was_typed_for_the_same_agreement_only() {
        let mut form = AskForm::default();
        form.open(agreement(), Some(&invoice()));
        assert_eq!(form.asked().invoice, "inv-1");
        form.edit(|a| a.reason = "Kept".into());
        form.close();
        assert_eq!(form.asking(), None);
        form.open(agreement(), None);
        assert_eq!(form.asked().reason, "Kept");
        form.open(AgreementId::parse("agmt-2").unwrap(), None);
        assert_eq!(form.asked(), &Asked::default());
    }
}
