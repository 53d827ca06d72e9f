//! The billing adjustment form without its view: what the seller typed, entry by entry, the
//! step the form is at, and the batch it sends. Every rule is the core's: the form asks the
//! core for a preview of the batch and puts each refusal beside the field it names.

use workbench_core::adjustment::{AdjustmentEntry, AdjustmentReasonCode, EntryField, BATCH_MAX};
use workbench_core::book::{
    AgreementRecord, BatchCreateAdjustments, BatchEntryResult, BatchResult, DomainError,
};
use workbench_core::families::RefundTo;
use workbench_core::ids::{AgreementId, InvoiceId};
use workbench_core::money::Money;
use workbench_core::preview::{self, AdjustmentPreview};

/// What the core makes of the entries as typed: each one's refund or refusal, and the
/// totals the seller types to confirm.
pub type Preview = Result<AdjustmentPreview, DomainError>;

/// One entry as the seller types it. Its client token is drawn when the entry is added and
/// kept until the adjustment exists, so a double click or a retry never refunds twice; being
/// unique, it also names the entry's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedEntry {
    pub token: String,
    pub invoice: String,
    pub amount: String,
    pub reason_code: Option<AdjustmentReasonCode>,
    pub reason: String,
}

impl TypedEntry {
    /// The entry as the book receives it: the currency is always the chosen invoice's.
    pub fn to_entry(&self, record: &AgreementRecord) -> AdjustmentEntry {
        AdjustmentEntry {
            agreement_id: record.agreement.id.to_string(),
            invoice_id: self.invoice.clone(),
            amount: self.amount.clone(),
            currency: record
                .invoice(&self.invoice)
                .map(|i| i.currency.code().to_string())
                .unwrap_or_default(),
            reason_code: self.reason_code,
            description: self.reason.clone(),
            client_token: self.token.clone(),
        }
    }
}

/// The entries as the book receives them, in the order typed.
pub fn batch_of(record: &AgreementRecord, entries: &[TypedEntry]) -> Vec<AdjustmentEntry> {
    entries.iter().map(|e| e.to_entry(record)).collect()
}

/// The core's own check of `entries`, run on a copy of the record: the form refuses exactly
/// what sending would refuse, each entry within what its invoice has left after the earlier
/// ones.
pub fn preview_of(record: &AgreementRecord, entries: &[TypedEntry]) -> Preview {
    preview::adjustments(record, &batch_of(record, entries))
}

/// Where the form stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Stage {
    /// Only the button that opens it.
    #[default]
    Closed,
    Editing,
    Reviewing,
    /// Each entry as it was sent, beside what the book made of it.
    Done(Vec<(TypedEntry, BatchEntryResult)>),
}

/// The field an entry's error is shown beside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryInput {
    Invoice,
    Amount,
    ReasonCode,
    Reason,
    /// Nothing the seller typed: the agreement or the client token.
    Entry,
}

impl EntryInput {
    /// The field the core's [`EntryField`] belongs beside: the currency is the invoice's,
    /// so the amount answers for it.
    pub fn of(field: EntryField) -> EntryInput {
        match field {
            EntryField::Invoice => EntryInput::Invoice,
            EntryField::RefundAmount | EntryField::Currency => EntryInput::Amount,
            EntryField::ReasonCode => EntryInput::ReasonCode,
            EntryField::Reason => EntryInput::Reason,
            EntryField::Agreement | EntryField::ClientToken => EntryInput::Entry,
        }
    }

    /// The element ID of this field of the entry with client token `token`.
    pub fn id(self, token: &str) -> String {
        let name = match self {
            EntryInput::Invoice => "invoice",
            EntryInput::Amount => "amount",
            EntryInput::ReasonCode => "reason-code",
            EntryInput::Reason => "reason",
            EntryInput::Entry => "entry",
        };
        format!("adjust-{token}-{name}")
    }
}

/// The billing adjustment form: a batch of one to five refund entries against an
/// agreement's invoices, a review the seller confirms by typing the total, then the
/// batch's result. Methods that move the form say where the focus goes next, as an element
/// ID.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdjustmentForm {
    agreement: Option<AgreementId>,
    stage: Stage,
    entries: Vec<TypedEntry>,
    /// Errors wait until the seller first asks for the review, then follow what they type.
    errors_shown: bool,
    confirmation: String,
    confirmation_error: Option<String>,
    alert: Option<String>,
}

impl AdjustmentForm {
    pub fn stage(&self) -> &Stage {
        &self.stage
    }

    pub fn entries(&self) -> &[TypedEntry] {
        &self.entries
    }

    pub fn entry(&self, token: &str) -> Option<&TypedEntry> {
        self.entries.iter().find(|e| e.token == token)
    }

    /// The entry's number as the seller sees it, "Entry 1" first.
    pub fn number(&self, token: &str) -> usize {
        self.entries
            .iter()
            .position(|e| e.token == token)
            .unwrap_or_default()
            + 1
    }

    /// Whether "Add another invoice" is there: a batch holds at most [`BATCH_MAX`].
    pub fn can_add(&self) -> bool {
        self.entries.len() < BATCH_MAX
    }

    /// Whether "Remove" is there: a batch keeps one entry.
    pub fn can_remove(&self) -> bool {
        self.entries.len() > 1
    }

    pub fn confirmation(&self) -> &str {
        &self.confirmation
    }

    pub fn confirmation_error(&self) -> Option<&str> {
        self.confirmation_error.as_deref()
    }

    /// What the whole form says in its alert.
    pub fn alert(&self) -> Option<&str> {
        self.alert.as_deref()
    }

    /// Starts afresh when the page moves to another agreement, whose invoices are not
    /// these. Says whether it did.
    pub fn follow(&mut self, id: &AgreementId) -> bool {
        if self.agreement.as_ref() == Some(id) {
            return false;
        }
        self.agreement = Some(id.clone());
        self.close();
        true
    }

    /// "Done": the form closes, and what was typed goes.
    pub fn close(&mut self) -> &'static str {
        let agreement = self.agreement.take();
        *self = AdjustmentForm {
            agreement,
            ..AdjustmentForm::default()
        };
        "adjust-open"
    }

    /// "Close the form": it closes, and what was typed stays for the next opening.
    pub fn hide(&mut self) -> &'static str {
        self.stage = Stage::Closed;
        "adjust-open"
    }

    /// "Apply billing adjustment": the form opens with what was typed, or with one new entry
    /// whose client token `token` draws.
    pub fn open(
        &mut self,
        record: &AgreementRecord,
        token: impl FnOnce() -> String,
    ) -> &'static str {
        if self.entries.is_empty() {
            self.add_entry(record, token());
        }
        self.stage = Stage::Editing;
        "adjust-form-heading"
    }

    /// The form open on a buyer's request (`crate::pages::from_buyer`): one entry on the
    /// invoice they asked to refund, with their reason and a client token `token`; the amount
    /// and the reason code are the seller's to decide.
    pub fn prefilled(
        agreement: &AgreementId,
        invoice: &InvoiceId,
        reason: &str,
        token: String,
    ) -> AdjustmentForm {
        AdjustmentForm {
            agreement: Some(agreement.clone()),
            stage: Stage::Editing,
            entries: vec![TypedEntry {
                token,
                invoice: invoice.to_string(),
                amount: String::new(),
                reason_code: None,
                reason: reason.to_string(),
            }],
            ..AdjustmentForm::default()
        }
    }

    /// "Add another invoice": a new entry, with client token `token`, on the first invoice
    /// no other entry names yet. The focus goes to its invoice.
    pub fn add_entry(&mut self, record: &AgreementRecord, token: String) -> String {
        let invoice = record
            .invoices
            .iter()
            .find(|i| self.entries.iter().all(|e| e.invoice != i.id.as_str()))
            .map(|i| i.id.to_string())
            .unwrap_or_default();
        let focus = EntryInput::Invoice.id(&token);
        self.entries.push(TypedEntry {
            token,
            invoice,
            amount: String::new(),
            reason_code: None,
            reason: String::new(),
        });
        focus
    }

    /// "Remove": the entry goes, the others keep what was typed.
    pub fn remove_entry(&mut self, token: &str) -> &'static str {
        self.entries.retain(|e| e.token != token);
        "adjust-add"
    }

    /// What the seller types into one field of the entry with client token `token`.
    pub fn edit(&mut self, token: &str, change: impl FnOnce(&mut TypedEntry)) {
        if let Some(entry) = self.entries.iter_mut().find(|e| e.token == token) {
            change(entry);
        }
    }

    pub fn type_confirmation(&mut self, text: String) {
        self.confirmation = text;
    }

    /// The error shown beside `field` of the entry with client token `token`, once the
    /// seller asked for the review: the core's refusal of that entry, if it names that field.
    pub fn error_beside(
        &self,
        preview: &Preview,
        token: &str,
        field: EntryInput,
    ) -> Option<String> {
        if !self.errors_shown {
            return None;
        }
        let shown = preview
            .as_ref()
            .ok()?
            .entries
            .iter()
            .find(|e| e.client_token == token)?;
        let refused = shown.outcome.as_ref().err()?;
        (EntryInput::of(refused.field) == field).then(|| refused.message.clone())
    }

    /// "Review billing adjustment": the review when the core refuses no entry; otherwise the
    /// errors show, and the focus goes to the first field to correct.
    pub fn review(&mut self, preview: &Preview) -> Option<String> {
        self.errors_shown = true;
        let preview = match preview {
            Ok(preview) => preview,
            Err(e) => {
                self.alert = Some(e.to_string());
                return None;
            }
        };
        let refused = preview
            .entries
            .iter()
            .find_map(|e| e.outcome.as_ref().err().map(|err| (e, err)));
        if let Some((entry, error)) = refused {
            self.alert =
                Some("Some entries need correcting: see the messages beside their fields.".into());
            return Some(EntryInput::of(error.field).id(&entry.client_token));
        }
        self.alert = None;
        self.confirmation = String::new();
        self.confirmation_error = None;
        self.stage = Stage::Reviewing;
        Some("adjust-review-heading".into())
    }

    /// "Edit", from the review.
    pub fn back_to_editing(&mut self) -> &'static str {
        self.stage = Stage::Editing;
        "adjust-form-heading"
    }

    /// What the form sends: the entries as typed, each with its own client token.
    pub fn command(&self, record: &AgreementRecord) -> BatchCreateAdjustments {
        BatchCreateAdjustments {
            entries: batch_of(record, &self.entries),
        }
    }

    /// "Submit billing adjustment": the batch to send once the seller typed the total shown,
    /// since a billing adjustment cannot be undone. Otherwise the form says why, and where
    /// the focus goes, if anywhere.
    pub fn confirm(
        &mut self,
        preview: &Preview,
        record: &AgreementRecord,
    ) -> Result<BatchCreateAdjustments, Option<&'static str>> {
        let preview = match preview {
            Ok(preview) => preview,
            Err(e) => {
                self.alert = Some(e.to_string());
                return Err(None);
            }
        };
        if !preview.confirmed_by(&self.confirmation) {
            self.confirmation_error = Some(if preview.totals.is_empty() {
                "Nothing would be refunded: edit the entries first.".into()
            } else {
                format!("Type the total exactly as shown: {}.", total_words(preview))
            });
            return Err(Some("adjust-confirm"));
        }
        self.confirmation_error = None;
        Ok(self.command(record))
    }

    /// The book answered the batch: each entry sent, beside what became of it.
    pub fn sent(&mut self, result: BatchResult) -> &'static str {
        self.alert = None;
        let sent = self.entries.iter().cloned().zip(result.entries).collect();
        self.stage = Stage::Done(sent);
        "adjust-result-heading"
    }

    /// The batch was refused whole, or not kept: the form stays as it is and says why.
    pub fn refused(&mut self, message: String) {
        self.alert = Some(message);
    }

    /// "Correct the refused entries": back to editing with just those, as they were typed,
    /// with their client tokens; the created ones are not sent twice.
    pub fn correct_refused(&mut self) -> &'static str {
        if let Stage::Done(results) = &self.stage {
            self.entries = refused_entries(results);
        }
        self.confirmation = String::new();
        self.stage = Stage::Editing;
        "adjust-form-heading"
    }
}

/// The entries of a batch's result that were refused.
pub fn refused_entries(results: &[(TypedEntry, BatchEntryResult)]) -> Vec<TypedEntry> {
    results
        .iter()
        .filter(|(_, r)| matches!(r, BatchEntryResult::Failed { .. }))
        .map(|(e, _)| e.clone())
        .collect()
}

/// The totals per currency, as the seller types them: "100.00 USD + 90.00 EUR".
pub fn total_words(preview: &AdjustmentPreview) -> String {
    preview
        .totals
        .iter()
        .map(Money::to_string)
        .collect::<Vec<_>>()
        .join(" + ")
}

/// The hint under "Type the total to confirm".
pub fn confirmation_hint(preview: &Preview) -> String {
    match preview {
        Ok(p) if !p.totals.is_empty() => format!(
            "Type {} to confirm that this is what the buyer gets back.",
            total_words(p)
        ),
        _ => "Nothing would be refunded: edit the entries.".to_string(),
    }
}

/// One entry as the review lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewLine {
    pub invoice: String,
    /// What it refunds, or what was typed if the core would now refuse it.
    pub amount: String,
    pub reason_code: Option<&'static str>,
    pub reason: String,
    /// Why the core would now refuse it: another tab may have refunded the invoice meanwhile.
    pub refusal: Option<String>,
}

/// What will be refunded, entry by entry, and the total: "nothing" when nothing would be.
pub fn review_lines(
    record: &AgreementRecord,
    entries: &[TypedEntry],
    preview: &AdjustmentPreview,
) -> (Vec<ReviewLine>, String) {
    let lines = entries
        .iter()
        .zip(&preview.entries)
        .map(|(entry, shown)| {
            let (amount, refusal) = match &shown.outcome {
                Ok(line) if line.to == RefundTo::NotRefunded => (line.what.clone(), None),
                Ok(line) => (line.amount.to_string(), None),
                Err(error) => {
                    let currency = record.invoice(&entry.invoice).map(|i| i.currency.code());
                    (
                        format!("{} {}", entry.amount.trim(), currency.unwrap_or_default()),
                        Some(format!("This entry would now be refused ({}): {} Edit it, or submit anyway: the other entries are created without it.", error.code.code(), error.message)),
                    )
                }
            };
            ReviewLine {
                invoice: entry.invoice.clone(),
                amount,
                reason_code: entry.reason_code.map(|c| c.label()),
                reason: entry.reason.clone(),
                refusal,
            }
        })
        .collect();
    let total = if preview.totals.is_empty() {
        "nothing".to_string()
    } else {
        total_words(preview)
    };
    (lines, total)
}

/// One entry of the batch's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResultLine {
    /// `what` is "Entry N (invoice …)"; the adjustment as the record now holds it.
    Created {
        what: String,
        amount: String,
        id: String,
        status: &'static str,
    },
    /// With the API's error code and the reason.
    Refused {
        what: String,
        code: &'static str,
        message: String,
    },
}

/// The batch's result: a summary such as "1 of 2 entries created, 1 refused.", and every
/// entry created, with its adjustment ID and where it stands, or refused.
pub fn result_lines(
    record: &AgreementRecord,
    results: &[(TypedEntry, BatchEntryResult)],
) -> (String, Vec<ResultLine>) {
    let refused = refused_entries(results).len();
    let summary = format!(
        "{} of {} {} created{}.",
        results.len() - refused,
        results.len(),
        if results.len() == 1 {
            "entry"
        } else {
            "entries"
        },
        if refused == 0 {
            String::new()
        } else {
            format!(", {refused} refused")
        }
    );
    let lines = results
        .iter()
        .enumerate()
        .map(|(n, (entry, result))| {
            let what = format!("Entry {} (invoice {})", n + 1, entry.invoice);
            match result {
                BatchEntryResult::Created { id, .. } => {
                    let (amount, status) = record
                        .adjustments
                        .iter()
                        .find(|a| &a.id == id)
                        .map(|a| (a.amount.to_string(), a.status.label()))
                        .unwrap_or_default();
                    ResultLine::Created {
                        what,
                        amount,
                        id: id.to_string(),
                        status,
                    }
                }
                BatchEntryResult::Failed { error, .. } => ResultLine::Refused {
                    what,
                    code: error.code.code(),
                    message: error.message.clone(),
                },
            }
        })
        .collect();
    (summary, lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use workbench_core::adjustment::BatchErrorCode;
    use workbench_core::book::{Actor, Book};
    use workbench_core::demo::{demo_book, demo_now};
    use workbench_core::ids::{AccountId, SequentialIds};

    /// Northwind's agreement with Globex in the demo: two paid invoices of 499.00 USD, the
    /// first already refunded 120.00, so 379.00 and 499.00 are still refundable.
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
        assert_eq!(record.invoices.len(), 2);
        (book, record)
    }

    fn token(n: u32) -> String {
        format!("0000000{n}-0000-4000-8000-000000000000")
    }

    /// The form opened on `record` with one entry, typed in full.
    fn typed(record: &AgreementRecord, amount: &str) -> AdjustmentForm {
        let mut form = AdjustmentForm::default();
        form.follow(&record.agreement.id);
        form.open(record, || token(1));
        form.edit(&token(1), |e| {
            e.amount = amount.into();
            e.reason_code = Some(AdjustmentReasonCode::IncorrectMetering);
            e.reason = "Usage was double-counted on 3 March".into();
        });
        form
    }

    fn invoice(record: &AgreementRecord, n: usize) -> String {
        record.invoices[n].id.to_string()
    }

    fn send(
        book: &mut Book,
        record: &AgreementRecord,
        command: BatchCreateAdjustments,
    ) -> BatchResult {
        let seller = Actor::Seller(record.agreement.seller.clone());
        let mut ids = SequentialIds::starting_at(9_000);
        book.apply(command, &seller, demo_now(), &mut ids)
            .unwrap()
            .0
    }

    #[test]
    fn opening_the_form_starts_one_entry_on_the_first_invoice() {
        let (_, record) = globex();
        let mut form = AdjustmentForm::default();
        assert_eq!(form.open(&record, || token(1)), "adjust-form-heading");
        assert_eq!(form.stage(), &Stage::Editing);
        assert_eq!(form.entries().len(), 1);
        assert_eq!(form.entries()[0].token, token(1));
        assert_eq!(form.entries()[0].invoice, invoice(&record, 0));
    }

    #[test]
    fn a_buyers_request_opens_one_entry_on_its_invoice_and_leaves_the_amount_to_the_seller() {
        let (_, record) = globex();
        let asked = record.invoices[1].id.clone();
        let mut form =
            AdjustmentForm::prefilled(&record.agreement.id, &asked, "Seats nobody used", token(1));
        assert_eq!(form.stage(), &Stage::Editing);
        assert!(
            !form.follow(&record.agreement.id),
            "made for this agreement"
        );
        let entry = form.entry(&token(1)).unwrap();
        assert_eq!(entry.invoice, asked.as_str());
        assert_eq!((entry.amount.as_str(), entry.reason_code), ("", None));
        assert_eq!(entry.reason, "Seats nobody used");
        let preview = preview_of(&record, form.entries());
        let code = EntryInput::ReasonCode.id(&token(1));
        assert_eq!(form.review(&preview), Some(code));
        form.edit(&token(1), |e| {
            e.reason_code = Some(AdjustmentReasonCode::Other)
        });
        let preview = preview_of(&record, form.entries());
        let amount = EntryInput::Amount.id(&token(1));
        assert_eq!(form.review(&preview), Some(amount));
        form.edit(&token(1), |e| e.amount = "100.00".into());
        let preview = preview_of(&record, form.entries());
        assert_eq!(form.review(&preview), Some("adjust-review-heading".into()));
    }

    #[test]
    fn another_entry_takes_the_next_invoice_no_entry_names_and_takes_the_focus() {
        let (_, record) = globex();
        let mut form = typed(&record, "100.00");
        let focus = form.add_entry(&record, token(2));
        assert_eq!(focus, format!("adjust-{}-invoice", token(2)));
        assert_eq!(form.entry(&token(2)).unwrap().invoice, invoice(&record, 1));
        // Every invoice is named: the next entry leaves the invoice to choose.
        form.add_entry(&record, token(3));
        assert_eq!(form.entry(&token(3)).unwrap().invoice, "");
        assert_eq!(form.number(&token(3)), 3);
    }

    #[test]
    fn closing_the_form_keeps_what_was_typed_and_done_empties_it() {
        let (_, record) = globex();
        let mut form = typed(&record, "100.00");
        assert_eq!(form.hide(), "adjust-open");
        assert_eq!(form.stage(), &Stage::Closed);
        form.open(&record, || unreachable!("the typed entry keeps its token"));
        assert_eq!(form.entry(&token(1)).unwrap().amount, "100.00");
        assert_eq!(form.close(), "adjust-open");
        assert!(form.entries().is_empty());
        assert!(
            !form.follow(&record.agreement.id),
            "still the same agreement"
        );
    }

    #[test]
    fn another_agreement_starts_the_form_afresh() {
        let (book, record) = globex();
        let mut form = typed(&record, "100.00");
        assert!(!form.follow(&record.agreement.id));
        assert_eq!(form.entries().len(), 1);
        let other = book.record(&other_agreement(&book, &record)).unwrap();
        assert!(form.follow(&other.agreement.id));
        assert_eq!(form, {
            let mut fresh = AdjustmentForm::default();
            fresh.follow(&other.agreement.id);
            fresh
        });
    }

    fn other_agreement(book: &Book, record: &AgreementRecord) -> AgreementId {
        let seller = &record.agreement.seller;
        book.records()
            .values()
            .filter(|v| v.record.agreement.seller == *seller)
            .map(|v| v.record.agreement.id.clone())
            .find(|id| *id != record.agreement.id)
            .unwrap()
    }

    #[test]
    fn a_batch_holds_one_to_five_entries() {
        let (_, record) = globex();
        let mut form = typed(&record, "1.00");
        assert!(form.can_add());
        assert!(!form.can_remove(), "a batch keeps one entry");
        for n in 2..=BATCH_MAX as u32 {
            form.add_entry(&record, token(n));
        }
        assert!(!form.can_add());
        assert!(form.can_remove());
        form.edit(&token(2), |e| e.amount = "12.00".into());
        assert_eq!(form.remove_entry(&token(3)), "adjust-add");
        assert_eq!(form.entries().len(), 4);
        assert_eq!(form.entry(&token(2)).unwrap().amount, "12.00");
        assert_eq!(form.number(&token(4)), 3);
    }

    #[test]
    fn the_batch_is_the_entries_as_typed_in_their_invoices_currency_with_their_tokens() {
        let (_, record) = globex();
        let mut form = typed(&record, "100.00");
        form.add_entry(&record, token(2));
        form.edit(&token(2), |e| e.invoice = String::new());
        let command = form.command(&record);
        assert_eq!(command.entries.len(), 2);
        let first = &command.entries[0];
        assert_eq!(first.agreement_id, record.agreement.id.to_string());
        assert_eq!(first.invoice_id, invoice(&record, 0));
        assert_eq!(first.amount, "100.00");
        assert_eq!(first.currency, "USD");
        assert_eq!(
            first.reason_code,
            Some(AdjustmentReasonCode::IncorrectMetering)
        );
        assert_eq!(first.description, "Usage was double-counted on 3 March");
        assert_eq!(first.client_token, token(1));
        assert_eq!(command.entries[1].currency, "", "no invoice, no currency");
        assert_eq!(command.entries[1].client_token, token(2));
    }

    #[test]
    fn errors_wait_for_the_review_then_sit_beside_the_field_the_core_names() {
        let (_, record) = globex();
        let mut form = AdjustmentForm::default();
        form.open(&record, || token(1));
        let preview = preview_of(&record, form.entries());
        let beside = |form: &AdjustmentForm, field| form.error_beside(&preview, &token(1), field);
        assert_eq!(
            beside(&form, EntryInput::ReasonCode),
            None,
            "nothing before the review"
        );

        let focus = form.review(&preview);
        assert_eq!(focus, Some(format!("adjust-{}-reason-code", token(1))));
        assert_eq!(form.stage(), &Stage::Editing);
        assert_eq!(
            form.alert(),
            Some("Some entries need correcting: see the messages beside their fields.")
        );
        assert_eq!(
            beside(&form, EntryInput::ReasonCode).as_deref(),
            Some("Choose a reason code.")
        );
        for field in [
            EntryInput::Invoice,
            EntryInput::Amount,
            EntryInput::Reason,
            EntryInput::Entry,
        ] {
            assert_eq!(beside(&form, field), None, "{field:?}");
        }
    }

    #[test]
    fn an_amount_past_what_the_earlier_entries_leave_is_refused_beside_the_amount() {
        let (_, record) = globex();
        let mut form = typed(&record, "100.00");
        form.add_entry(&record, token(2));
        form.edit(&token(2), |e| {
            e.invoice = invoice(&record, 0);
            e.amount = "450.00".into();
            e.reason_code = Some(AdjustmentReasonCode::TestEnvironmentCharges);
            e.reason = "Test environment billed as production".into();
        });
        let preview = preview_of(&record, form.entries());
        assert_eq!(
            form.review(&preview),
            Some(format!("adjust-{}-amount", token(2)))
        );
        let expected = format!(
            "At most 279.00 USD can still be refunded on invoice {}.",
            invoice(&record, 0)
        );
        assert_eq!(
            form.error_beside(&preview, &token(2), EntryInput::Amount),
            Some(expected)
        );
        assert_eq!(
            form.error_beside(&preview, &token(1), EntryInput::Amount),
            None
        );
        assert_eq!(
            form.entry(&token(2)).unwrap().amount,
            "450.00",
            "what was typed stays"
        );
    }

    #[test]
    fn each_field_of_the_core_has_its_place_on_the_form() {
        assert_eq!(EntryInput::of(EntryField::Invoice), EntryInput::Invoice);
        assert_eq!(EntryInput::of(EntryField::RefundAmount), EntryInput::Amount);
        assert_eq!(EntryInput::of(EntryField::Currency), EntryInput::Amount);
        assert_eq!(
            EntryInput::of(EntryField::ReasonCode),
            EntryInput::ReasonCode
        );
        assert_eq!(EntryInput::of(EntryField::Reason), EntryInput::Reason);
        assert_eq!(EntryInput::of(EntryField::Agreement), EntryInput::Entry);
        assert_eq!(EntryInput::of(EntryField::ClientToken), EntryInput::Entry);
        assert_eq!(EntryInput::Entry.id("t"), "adjust-t-entry");
    }

    #[test]
    fn an_accepted_batch_opens_the_review_with_an_empty_confirmation() {
        let (_, record) = globex();
        let mut form = typed(&record, "105");
        form.type_confirmation("left over".into());
        let preview = preview_of(&record, form.entries());
        assert_eq!(
            form.review(&preview).as_deref(),
            Some("adjust-review-heading")
        );
        assert_eq!(form.stage(), &Stage::Reviewing);
        assert_eq!((form.confirmation(), form.alert()), ("", None));
        assert_eq!(
            confirmation_hint(&preview),
            "Type 105.00 USD to confirm that this is what the buyer gets back."
        );
        assert_eq!(form.back_to_editing(), "adjust-form-heading");
        assert_eq!(form.stage(), &Stage::Editing);
    }

    #[test]
    fn the_batch_is_sent_only_once_the_total_is_typed_as_shown() {
        let (_, record) = globex();
        let mut form = typed(&record, "105");
        let preview = preview_of(&record, form.entries());
        form.review(&preview);
        for wrong in ["", "100.00 USD", "105.01"] {
            form.type_confirmation(wrong.into());
            assert_eq!(form.confirm(&preview, &record), Err(Some("adjust-confirm")));
            assert_eq!(
                form.confirmation_error(),
                Some("Type the total exactly as shown: 105.00 USD.")
            );
            assert_eq!(form.confirmation(), wrong, "what was typed stays");
        }
        form.type_confirmation("105.00 USD".into());
        assert_eq!(form.confirm(&preview, &record), Ok(form.command(&record)));
        assert_eq!(form.confirmation_error(), None);
    }

    #[test]
    fn a_batch_that_refunds_nothing_cannot_be_confirmed() {
        let (mut book, record) = globex();
        let form = typed(&record, "10.00");
        send(&mut book, &record, form.command(&record));
        // The same client token again: the core answers the first adjustment.
        let after = book.record(&record.agreement.id).unwrap().clone();
        let mut form = typed(&after, "10.00");
        let preview = preview_of(&after, form.entries());
        form.review(&preview);
        assert_eq!(
            confirmation_hint(&preview),
            "Nothing would be refunded: edit the entries."
        );
        assert_eq!(form.confirm(&preview, &after), Err(Some("adjust-confirm")));
        assert_eq!(
            form.confirmation_error(),
            Some("Nothing would be refunded: edit the entries first.")
        );
    }

    #[test]
    fn the_review_says_which_entry_another_tab_made_too_large() {
        let (mut book, record) = globex();
        let mut form = typed(&record, "100.00");
        form.add_entry(&record, token(2));
        form.edit(&token(2), |e| {
            e.amount = "499.00".into();
            e.reason_code = Some(AdjustmentReasonCode::IncorrectMetering);
            e.reason = "Support credit".into();
        });
        let mut other = AdjustmentForm::default();
        other.open(&record, || token(7));
        other.edit(&token(7), |e| {
            e.invoice = invoice(&record, 1);
            e.amount = "10.00".into();
            e.reason_code = Some(AdjustmentReasonCode::Other);
            e.reason = "Support credit agreed on a call".into();
        });
        send(&mut book, &record, other.command(&record));
        let after = book.record(&record.agreement.id).unwrap();

        let preview = preview_of(after, form.entries()).unwrap();
        let (lines, total) = review_lines(after, form.entries(), &preview);
        assert_eq!(total, "100.00 USD");
        assert_eq!(lines[0].amount, "100.00 USD");
        assert_eq!(lines[0].reason_code, Some("Usage was metered incorrectly"));
        assert_eq!(lines[0].refusal, None);
        assert_eq!(lines[1].invoice, invoice(&record, 1));
        assert_eq!(
            lines[1].amount, "499.00 USD",
            "what was typed, in the invoice's currency"
        );
        let refusal = lines[1].refusal.as_deref().unwrap();
        assert!(
            refusal.starts_with(
                "This entry would now be refused (VALIDATION_EXCEPTION): At most 489.00 USD"
            ),
            "{refusal}"
        );
    }

    #[test]
    fn the_result_lists_each_entry_and_only_the_refused_come_back_to_correct() {
        let (mut book, record) = globex();
        let mut form = typed(&record, "100.00");
        form.add_entry(&record, token(2));
        form.edit(&token(2), |e| e.amount = "600.00".into());
        let result = send(&mut book, &record, form.command(&record));
        assert_eq!(form.sent(result), "adjust-result-heading");
        let Stage::Done(results) = form.stage().clone() else {
            panic!("the result shows: {:?}", form.stage());
        };
        let after = book.record(&record.agreement.id).unwrap();
        let (summary, lines) = result_lines(after, &results);
        assert_eq!(summary, "1 of 2 entries created, 1 refused.");
        let ResultLine::Created {
            what,
            amount,
            id,
            status,
        } = &lines[0]
        else {
            panic!("{:?}", lines[0]);
        };
        assert_eq!(what, &format!("Entry 1 (invoice {})", invoice(&record, 0)));
        assert_eq!((amount.as_str(), *status), ("100.00 USD", "Pending"));
        assert!(id.starts_with("ba-"), "{id}");
        let ResultLine::Refused { code, .. } = &lines[1] else {
            panic!("{:?}", lines[1]);
        };
        assert_eq!(*code, BatchErrorCode::ValidationException.code());

        form.type_confirmation("700.00 USD".into());
        assert_eq!(form.correct_refused(), "adjust-form-heading");
        assert_eq!(form.stage(), &Stage::Editing);
        assert_eq!(form.entries().len(), 1);
        assert_eq!(form.entries()[0].token, token(2), "the same client token");
        assert_eq!(form.confirmation(), "");
    }

    #[test]
    fn one_entry_created_is_said_in_the_singular() {
        let (mut book, record) = globex();
        let mut form = typed(&record, "42.50");
        let result = send(&mut book, &record, form.command(&record));
        form.sent(result);
        let Stage::Done(results) = form.stage() else {
            panic!("{:?}", form.stage());
        };
        let after = book.record(&record.agreement.id).unwrap();
        assert_eq!(result_lines(after, results).0, "1 of 1 entry created.");
    }

    #[test]
    fn a_batch_refused_whole_is_said_in_the_alert_and_moves_nothing() {
        let (_, record) = globex();
        let mut form = typed(&record, "10.00");
        let refused: Preview = Err(DomainError::BatchSize(6));
        assert_eq!(form.review(&refused), None);
        assert_eq!(form.stage(), &Stage::Editing);
        assert_eq!(
            form.alert(),
            Some("A batch holds 1 to 5 entries (this one has 6).")
        );
        assert_eq!(form.confirm(&refused, &record), Err(None));
        form.refused("This change was not saved.".into());
        assert_eq!(form.alert(), Some("This change was not saved."));
        assert_eq!(form.entries().len(), 1, "what was typed stays");
    }
}
