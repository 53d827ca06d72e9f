//! The buyer's "Unsubscribe" from an Alibaba Cloud order, as plain data: whether the buyer
//! is reviewing it, the data-deletion confirmation, the command they build, the refusal and
//! where it is shown, and the words of the ticket and of what came back. Every rule is the
//! core's; `family_actions` only draws it, so all of it is tested natively.

use workbench_core::book::AlibabaUnsubscribe;
use workbench_core::families::alibaba::{
    AlibabaError, AlibabaOrder, AlibabaRefund, Destination, PaymentMethod, UnsubscribeTicket,
};
use workbench_core::key::AlibabaOrderId;
use workbench_link::words::local_time;

use crate::error::AppError;

/// What the core, tried on a copy of the order, says of unsubscribing it now. Nothing is
/// changed by asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unsubscribing {
    /// It goes ahead as it is.
    Possible,
    /// It goes ahead once the buyer confirms that the instance's data is deleted for good.
    NeedsConfirmation,
    /// It cannot, for the core's reason.
    Refused(AlibabaError),
}

impl Unsubscribing {
    /// The core's answer for `order`, without the confirmation.
    pub fn of(order: &AlibabaOrder) -> Unsubscribing {
        match order.can_unsubscribe(false) {
            Ok(_) => Unsubscribing::Possible,
            Err(AlibabaError::ConfirmDataDeletion) => Unsubscribing::NeedsConfirmation,
            Err(other) => Unsubscribing::Refused(other),
        }
    }
}

/// Where a refusal's message is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnsubscribeField {
    /// Beside the data-deletion checkbox.
    DataDeletion,
    /// Under the order.
    Form,
}

impl UnsubscribeField {
    /// While the core asks for the confirmation, its checkbox is the form's one field and
    /// every refusal shows beside it, where the buyer looks; otherwise under the order.
    pub fn for_refusals(unsubscribing: &Unsubscribing) -> UnsubscribeField {
        match unsubscribing {
            Unsubscribing::NeedsConfirmation => UnsubscribeField::DataDeletion,
            Unsubscribing::Possible | Unsubscribing::Refused(_) => UnsubscribeField::Form,
        }
    }
}

/// One order's "Unsubscribe". The confirmation stays through a refusal and a second look.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnsubscribeForm {
    reviewing: bool,
    /// "I understand that the instance is released and all of its data deleted permanently".
    pub confirmed: bool,
    refusal: Option<AppError>,
}

impl UnsubscribeForm {
    /// Whether the buyer is looking at what comes back before confirming.
    pub fn reviewing(&self) -> bool {
        self.reviewing
    }

    /// "Unsubscribe": shows what comes back, and the confirmation.
    pub fn review(&mut self) {
        self.reviewing = true;
    }

    /// "Keep the order" or "Close": back to the order as it is.
    pub fn keep(&mut self) {
        self.reviewing = false;
    }

    /// "Confirm unsubscribe" for `order`, the checkbox as the data-deletion confirmation;
    /// nothing while the buyer is not reviewing.
    pub fn command(&self, order: AlibabaOrderId) -> Option<AlibabaUnsubscribe> {
        self.reviewing.then_some(AlibabaUnsubscribe {
            order,
            confirm_data_deletion: self.confirmed,
        })
    }

    /// Takes the core's answer. A ticket ends the review and is handed back to be shown;
    /// a refusal stays to be shown.
    pub fn settle(
        &mut self,
        answer: Result<UnsubscribeTicket, AppError>,
    ) -> Option<UnsubscribeTicket> {
        match answer {
            Ok(ticket) => {
                self.reviewing = false;
                self.refusal = None;
                Some(ticket)
            }
            Err(problem) => {
                self.refusal = Some(problem);
                None
            }
        }
    }

    /// The refusal's message, if it is shown at `field` while unsubscribing is as
    /// `unsubscribing` says.
    pub fn error_for(
        &self,
        field: UnsubscribeField,
        unsubscribing: &Unsubscribing,
    ) -> Option<String> {
        self.refusal
            .as_ref()
            .filter(|_| UnsubscribeField::for_refusals(unsubscribing) == field)
            .map(ToString::to_string)
    }
}

/// What the buyer reads once the ticket is submitted: its ID, and that nothing is released
/// or refunded before Alibaba Cloud processes it.
pub fn ticket_words(ticket: &UnsubscribeTicket) -> String {
    format!(
        "Ticket {} submitted. {}",
        ticket.id,
        processing_words(ticket)
    )
}

fn processing_words(ticket: &UnsubscribeTicket) -> String {
    format!(
        "Alibaba Cloud processes it by {}: the instance is released and the refund made then, \
         not before.",
        local_time(ticket.due_at())
    )
}

/// Where the order's unsubscription stands, in words: its ticket waiting, or what came back
/// once it was processed; nothing while the buyer has not unsubscribed.
pub fn order_words(order: &AlibabaOrder) -> Option<String> {
    match (&order.refund, &order.ticket) {
        (Some(refund), Some(ticket)) => Some(format!(
            "Alibaba Cloud processed ticket {} on {}. {}",
            ticket.id,
            local_time(refund.at),
            unsubscribed_words(refund)
        )),
        (Some(refund), None) => Some(format!(
            "You unsubscribed on {}. {}",
            local_time(refund.at),
            unsubscribed_words(refund)
        )),
        (None, Some(ticket)) => Some(format!(
            "Ticket {} submitted on {}. {}",
            ticket.id,
            local_time(ticket.submitted_at),
            processing_words(ticket)
        )),
        (None, None) => None,
    }
}

/// What the buyer reads once unsubscribed: the amount, where it goes and the rule that
/// decided it, when it arrives, and whether the instance's data is gone.
pub fn unsubscribed_words(refund: &AlibabaRefund) -> String {
    let to = match refund.route.destination {
        Destination::OriginalMethod(method) => method.label(),
        Destination::AccountBalance => PaymentMethod::AccountBalance.label(),
    };
    let released = if refund.released_instance {
        " The instance was released and its data deleted."
    } else {
        ""
    };
    format!(
        "Unsubscribed. {} goes back to {to}. {} {}{released}",
        refund.amount,
        refund.route.rule,
        refund.route.expected_timing().join(" ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Duration, TimeZone, Utc};
    use workbench_core::book::{Actor, Book};
    use workbench_core::demo::demo_book;
    use workbench_core::families::alibaba::{Billing, InstanceKind, OrderStatus, SalesChannel};
    use workbench_core::ids::{AccountId, SequentialIds};
    use workbench_core::money::{Currency, Money};

    use crate::storage::SaveError;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
    }

    fn order(billing: Billing, kind: InstanceKind) -> AlibabaOrder {
        AlibabaOrder {
            id: "ali-test-00001".into(),
            buyer: AccountId::parse("444455556666").unwrap(),
            product_name: "IoT Platform instance".into(),
            billing,
            kind,
            paid_at: now() - Duration::days(40),
            paid_cash: Money::new(80_000, Currency::CNY),
            paid_vouchers: Money::new(0, Currency::CNY),
            method: PaymentMethod::Alipay,
            channel: SalesChannel::OfficialWebsite,
            invoice_issued: false,
            original_method_refuses: false,
            status: OrderStatus::Active,
            refund: None,
            ticket: None,
        }
    }

    fn reviewing() -> UnsubscribeForm {
        let mut form = UnsubscribeForm::default();
        form.review();
        form
    }

    /// The form's command carried out by the core on the demo book, as the app does it.
    fn sent(
        form: &UnsubscribeForm,
        book: &mut Book,
        order: &str,
        buyer: &str,
    ) -> Result<UnsubscribeTicket, AppError> {
        let command = form.command(order.into()).expect("the buyer is reviewing");
        let buyer = Actor::Buyer(AccountId::parse(buyer).unwrap());
        let (ticket, _) = book.apply(command, &buyer, now(), &mut SequentialIds::default())?;
        Ok(ticket)
    }

    /// The words of `order` once the clock has passed its ticket's processing.
    fn processed(book: &mut Book, order: &str, ticket: &UnsubscribeTicket) -> String {
        book.advance_to(ticket.due_at() + Duration::hours(1));
        order_words(&book.alibaba()[&AlibabaOrderId::from(order)].record).unwrap()
    }

    #[test]
    fn the_core_asks_only_an_enterprise_instance_for_the_confirmation() {
        let standard = order(Billing::Subscription, InstanceKind::Standard);
        let enterprise = order(Billing::Subscription, InstanceKind::Enterprise);
        assert_eq!(Unsubscribing::of(&standard), Unsubscribing::Possible);
        assert_eq!(
            Unsubscribing::of(&enterprise),
            Unsubscribing::NeedsConfirmation
        );
        assert_eq!(
            enterprise.status,
            OrderStatus::Active,
            "asking changes nothing"
        );
    }

    #[test]
    fn a_pay_as_you_go_or_unsubscribed_order_is_refused_with_the_cores_reason() {
        let pay_as_you_go = order(Billing::PayAsYouGo, InstanceKind::Standard);
        assert_eq!(
            Unsubscribing::of(&pay_as_you_go),
            Unsubscribing::Refused(AlibabaError::PayAsYouGo)
        );
        let done = AlibabaOrder {
            status: OrderStatus::Unsubscribed,
            ..order(Billing::Subscription, InstanceKind::Standard)
        };
        assert_eq!(
            Unsubscribing::of(&done),
            Unsubscribing::Refused(AlibabaError::AlreadyUnsubscribed)
        );
    }

    #[test]
    fn the_checkbox_is_sent_as_the_data_deletion_confirmation() {
        let mut form = reviewing();
        let unconfirmed = form.command("ali-202404-00931".into()).unwrap();
        assert_eq!(
            unconfirmed,
            AlibabaUnsubscribe {
                order: "ali-202404-00931".into(),
                confirm_data_deletion: false,
            }
        );
        form.confirmed = true;
        assert!(
            form.command("ali-202404-00931".into())
                .unwrap()
                .confirm_data_deletion
        );
    }

    #[test]
    fn nothing_is_sent_before_reviewing_or_after_keeping_the_order() {
        assert_eq!(
            UnsubscribeForm::default().command("ali-202404-00931".into()),
            None
        );
        let mut form = reviewing();
        form.keep();
        assert_eq!(form.command("ali-202404-00931".into()), None);
    }

    #[test]
    fn an_enterprise_instance_without_the_confirmation_is_refused_beside_the_checkbox() {
        let mut book = demo_book(now());
        let mut form = reviewing();
        let answer = sent(&form, &mut book, "ali-202404-00931", "555566667777");
        assert_eq!(form.settle(answer), None);
        let asked = Unsubscribing::NeedsConfirmation;
        let message = form
            .error_for(UnsubscribeField::DataDeletion, &asked)
            .unwrap();
        assert!(
            message.ends_with("Confirm that you understand this before unsubscribing."),
            "{message}"
        );
        assert_eq!(form.error_for(UnsubscribeField::Form, &asked), None);
        assert!(form.reviewing(), "the buyer stays where the checkbox is");
    }

    #[test]
    fn confirmed_it_is_unsubscribed_to_the_balance_and_the_data_deleted() {
        let mut book = demo_book(now());
        let mut form = reviewing();
        form.confirmed = true;
        let answer = sent(&form, &mut book, "ali-202404-00931", "555566667777");
        let ticket = form.settle(answer).expect("the core opens a ticket");
        assert!(!form.reviewing());
        let submitted = ticket_words(&ticket);
        assert!(
            submitted.starts_with(&format!(
                "Ticket {} submitted. Alibaba Cloud processes it by ",
                ticket.id
            )),
            "{submitted}"
        );
        let waiting =
            order_words(&book.alibaba()[&AlibabaOrderId::from("ali-202404-00931")].record);
        assert!(waiting.is_some_and(|w| w.ends_with("the refund made then, not before.")));
        let words = processed(&mut book, "ali-202404-00931", &ticket);
        assert!(
            words.contains(". Unsubscribed. 12000.00 CNY goes back to the Alibaba Cloud account balance. More than 548 days have passed since payment"),
            "{words}"
        );
        assert!(
            words.ends_with(" The instance was released and its data deleted."),
            "{words}"
        );
    }

    #[test]
    fn online_banking_says_when_the_bank_pays_and_deletes_nothing() {
        let mut book = demo_book(now());
        let form = reviewing();
        let ticket = sent(&form, &mut book, "ali-202608-00256", "444455556666").unwrap();
        let words = processed(&mut book, "ali-202608-00256", &ticket);
        assert!(
            words.starts_with(&format!("Alibaba Cloud processed ticket {} on ", ticket.id)),
            "{words}"
        );
        assert!(
            words.contains(
                "Unsubscribed. 360.00 CNY goes back to the online banking account used to pay. "
            ),
            "{words}"
        );
        assert!(
            words.ends_with("expected within 2-3 business days in all."),
            "{words}"
        );
    }

    #[test]
    fn without_a_confirmation_asked_a_refusal_shows_under_the_order() {
        let mut form = reviewing();
        form.settle(Err(AppError::Save(SaveError::ReadOnly)));
        for unsubscribing in [
            Unsubscribing::Possible,
            Unsubscribing::Refused(AlibabaError::AlreadyUnsubscribed),
        ] {
            assert_eq!(
                form.error_for(UnsubscribeField::Form, &unsubscribing),
                Some(SaveError::ReadOnly.to_string())
            );
            assert_eq!(
                form.error_for(UnsubscribeField::DataDeletion, &unsubscribing),
                None
            );
        }
    }
}
