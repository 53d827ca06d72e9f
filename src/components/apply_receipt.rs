//! "Apply receipt": a buyer's decision made on another device, pasted or handed over through
//! this browser's storage, applied as one command.

use leptos::prelude::*;
use workbench_core::confirmation::Settled;
use workbench_core::link::{Decision, Subject};
use workbench_link::handoff;
use workbench_link::words::local_time;

use crate::error::AppError;
use crate::focus::focus_when_drawn;
use crate::notice::ShownNotice;
use crate::state::{use_app, AppState};

/// What was pasted and what came of it, kept by the page: applying a receipt changes the
/// agreement, which redraws the parts of the page that show it.
#[derive(Clone, Copy)]
pub struct PastedReceipt {
    code: RwSignal<String>,
    outcome: RwSignal<Option<ReceiptOutcome>>,
}

/// What came of the last receipt applied here.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ReceiptOutcome {
    Applied(Settled),
    NothingPasted,
    Refused(AppError),
}

impl ReceiptOutcome {
    /// The words beside the field, for an outcome that asks the person to look again.
    fn problem(&self) -> Option<String> {
        match self {
            ReceiptOutcome::Applied(_) => None,
            ReceiptOutcome::NothingPasted => Some(
                "Paste the receipt the buyer sent: a link or a code that starts with acr-.".into(),
            ),
            ReceiptOutcome::Refused(error) => Some(error.to_string()),
        }
    }
}

impl PastedReceipt {
    pub fn new() -> Self {
        PastedReceipt {
            code: RwSignal::new(String::new()),
            outcome: RwSignal::new(None),
        }
    }
}

impl Default for PastedReceipt {
    fn default() -> Self {
        Self::new()
    }
}

/// Where the seller pastes the receipt a buyer sent from another device.
#[component]
pub fn PasteReceipt(draft: PastedReceipt) -> impl IntoView {
    let app = use_app();
    let PastedReceipt { code, outcome } = draft;
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = code.get_untracked();
        let result = if typed.trim().is_empty() {
            ReceiptOutcome::NothingPasted
        } else {
            match app.apply_receipt(receipt_code(&typed)) {
                Ok(settled) => ReceiptOutcome::Applied(settled),
                Err(error) => ReceiptOutcome::Refused(error),
            }
        };
        let applied = matches!(result, ReceiptOutcome::Applied(_));
        outcome.set(Some(result));
        focus_when_drawn(if applied {
            "receipt-applied"
        } else {
            "receipt-code"
        });
    };
    let error = move || outcome.with(|o| o.as_ref().and_then(ReceiptOutcome::problem));
    view! {
        <form class="panel receipt" novalidate on:submit=apply>
            <div class="field">
                <label for="receipt-code">"Decision receipt"</label>
                <textarea id="receipt-code" rows="2"
                    aria-invalid=move || error().is_some().to_string()
                    aria-describedby="receipt-hint receipt-error"
                    prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev))></textarea>
                <span class="hint" id="receipt-hint">"The buyer's decision from another device: paste the link or the code they sent."</span>
                <span class="field-error" id="receipt-error">{error}</span>
            </div>
            <button type="submit">"Apply receipt"</button>
            <p role="status" id="receipt-applied" tabindex="-1">{move || outcome.with(|o| match o {
                Some(ReceiptOutcome::Applied(settled)) => Some(settled_words(settled)),
                _ => None,
            })}</p>
        </form>
    }
}

/// The code inside whatever was pasted: the receipt link carries it after `#`.
pub fn receipt_code(pasted: &str) -> &str {
    let pasted = pasted.trim();
    pasted.rsplit_once('#').map_or(pasted, |(_, code)| code)
}

/// What a settled decision means, in words for the seller.
pub fn settled_words(settled: &Settled) -> String {
    match settled {
        Settled::Applied {
            subject,
            decision,
            at,
            ..
        } => format!(
            "Receipt applied. On {}, the buyer {} ({subject}).",
            local_time(*at),
            decided(subject, decision)
        ),
        Settled::AlreadyApplied { subject, at, .. } => format!(
            "This receipt was already applied on {} ({subject}); nothing changed.",
            local_time(*at)
        ),
    }
}

/// What the buyer's decision did: at once for a request; for a support case, AWS acts on
/// it when it reads the case again.
fn decided(subject: &Subject, decision: &Decision) -> String {
    match (subject, decision) {
        (Subject::Request(_), Decision::Approve) => {
            "approved the cancellation: the agreement is cancelled".to_string()
        }
        (Subject::Case(_), Decision::Approve) => {
            "approved the cancellation: AWS reads the case again a day later".to_string()
        }
        (_, Decision::Reject(reason)) => {
            format!("rejected the cancellation: \u{201c}{reason}\u{201d}")
        }
    }
}

/// Takes the decisions that the buyer's page of this browser handed over: now, and each
/// time one arrives while the workbench is open. A receipt sealed with a secret this
/// workbench kept is applied exactly as if pasted, the seller is told in a notice, and the
/// page learns what became of its request; a receipt made from another browser's link is
/// that browser's, and is left alone.
#[component]
pub fn HandedReceipts() -> impl IntoView {
    let app = use_app();
    take_handed_receipts(app);
    let handle = window_event_listener(leptos::ev::storage, move |event: web_sys::StorageEvent| {
        if event.key().as_deref() == Some(handoff::INBOX_KEY) && event.new_value().is_some() {
            take_handed_receipts(app);
        }
    });
    on_cleanup(move || handle.remove());
}

fn take_handed_receipts(app: AppState) {
    let applied = app.apply_handed_receipts(|result, status| match (result, status) {
        (Ok(_), Some((status, at))) if !status.is_pending() => format!(
            "This request is {} since {}: there is nothing left to decide.",
            status.label().to_lowercase(),
            local_time(at)
        ),
        (Ok(_), _) => "Your decision was applied.".to_string(),
        (Err(problem), _) => problem.to_string(),
    });
    for result in applied {
        app.notices.notify(match result {
            Ok(settled) => ShownNotice::Done(settled_words(&settled)),
            Err(problem) => ShownNotice::NotSaved(problem),
        });
    }
}

#[cfg(test)]
mod tests {
    use workbench_core::book::DomainError;
    use workbench_core::ids::AgreementId;

    use super::*;

    #[test]
    fn only_a_receipt_not_applied_puts_words_beside_the_field() {
        assert!(ReceiptOutcome::NothingPasted
            .problem()
            .is_some_and(|words| words.starts_with("Paste the receipt the buyer sent")));
        let missing = AgreementId::parse("agmt-1").unwrap();
        let refused = AppError::Domain(DomainError::AgreementNotFound(missing));
        assert_eq!(
            ReceiptOutcome::Refused(refused.clone()).problem(),
            Some(refused.to_string())
        );
    }
}
