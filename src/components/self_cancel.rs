//! The buyer's own cancellation (self-service; AWS's CancelAgreement, by the acceptor):
//! offered on the agreements the core's rule allows, with what it means, and on every
//! other agreement why the seller must start one instead.

use leptos::prelude::*;
use workbench_core::book::{Actor, CancelAgreementAsBuyer};
use workbench_core::ids::{AccountId, AgreementId};

use crate::components::aws_cli::AwsCliCommand;
use crate::error::AppError;
use crate::focus::focus_when_drawn;
use crate::state::use_app;

/// What cancelling yourself means, said before and after.
const ENDS_NOT_REFUNDS: &str = "Cancelling ends the agreement now, and it refunds nothing: \
     for a refund, ask the seller, who makes a billing adjustment.";

/// What the last try came to, in words for the buyer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Said {
    Done(String),
    Refused(String),
}

/// Which agreement the buyer is about to cancel themselves, and how the last try went.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SelfCancel {
    asking: Option<AgreementId>,
    said: Option<Said>,
}

impl SelfCancel {
    /// "Cancel subscription" pressed: ask before doing it.
    pub fn ask(&mut self, agreement: AgreementId) {
        self.asking = Some(agreement);
        self.said = None;
    }

    pub fn go_back(&mut self) {
        self.asking = None;
    }

    pub fn asking(&self) -> Option<&AgreementId> {
        self.asking.as_ref()
    }

    /// The command the confirmation sends, for the agreement asked about.
    pub fn command(&self) -> Option<CancelAgreementAsBuyer> {
        self.asking
            .clone()
            .map(|agreement_id| CancelAgreementAsBuyer {
                agreement_id,
                reason: None,
            })
    }

    /// What became of it: done, the question closes; refused, it stays open with why.
    pub fn settle(&mut self, outcome: Result<(), AppError>) {
        let Some(id) = self.asking.take() else {
            return;
        };
        self.said = Some(match outcome {
            Ok(()) => Said::Done(format!(
                "You cancelled agreement {id}. Nothing was refunded: ask the seller if you want \
                 a refund."
            )),
            Err(problem) => {
                self.asking = Some(id);
                Said::Refused(problem.to_string())
            }
        });
    }

    pub fn said(&self) -> Option<&Said> {
        self.said.as_ref()
    }
}

/// The cell of one agreement in the buyer's table: "Cancel subscription" where the buyer
/// may, else why not.
#[component]
pub fn SelfCancelCell(agreement: AgreementId, state: RwSignal<SelfCancel>) -> impl IntoView {
    let app = use_app();
    let id = StoredValue::new(agreement);
    let allowed = move || {
        app.book
            .with(|b| id.with_value(|id| b.buyer_may_cancel(id, app.now.get())))
    };
    move || match allowed() {
        Ok(()) => view! {
            <button type="button" class="secondary" aria-describedby="self-cancel-means"
                on:click=move |_| {
                    state.update(|s| s.ask(id.get_value()));
                    focus_when_drawn("self-cancel-heading");
                }>"Cancel subscription"</button>
        }
        .into_any(),
        Err(why) => view! { <span class="hint">{why.to_string()}</span> }.into_any(),
    }
}

/// The question before the buyer cancels, and what came of it.
#[component]
pub fn SelfCancelPanel(account: AccountId, state: RwSignal<SelfCancel>) -> impl IntoView {
    let app = use_app();
    let buyer = StoredValue::new(Actor::Buyer(account));
    let confirm = move |_| {
        let Some(command) = state.with_untracked(SelfCancel::command) else {
            return;
        };
        let outcome = buyer
            .with_value(|buyer| app.act(command, buyer))
            .map(|_| ());
        state.update(|s| s.settle(outcome));
        focus_when_drawn("self-cancel-said");
    };
    let cli = Signal::derive(move || state.with(|s| s.command().map(Into::into)));
    view! {
        <p class="hint" id="self-cancel-means">{ENDS_NOT_REFUNDS}</p>
        {move || state.with(|s| s.asking().cloned()).map(|id| view! {
            <div class="panel" role="alertdialog" aria-labelledby="self-cancel-heading" aria-describedby="self-cancel-question">
                <h3 id="self-cancel-heading" tabindex="-1">{format!("Cancel agreement {id} yourself?")}</h3>
                <p id="self-cancel-question">{ENDS_NOT_REFUNDS}</p>
                <div class="buttons">
                    <button type="button" on:click=confirm>"Yes, cancel the subscription"</button>
                    <button type="button" class="secondary" on:click=move |_| state.update(SelfCancel::go_back)>"Go back"</button>
                </div>
                <AwsCliCommand id="self-cancel-cli" command=cli/>
            </div>
        })}
        <p id="self-cancel-said" tabindex="-1" role="status" class="next-step"
            class:field-error=move || state.with(|s| matches!(s.said(), Some(Said::Refused(_))))
            hidden=move || state.with(|s| s.said().is_none())>
            {move || state.with(|s| s.said().map(|r| match r { Said::Done(words) | Said::Refused(words) => words.clone() }))}
        </p>
    }
}

#[cfg(test)]
mod tests {
    use workbench_core::book::DomainError;

    use super::*;

    fn agreement() -> AgreementId {
        AgreementId::parse("agmt-1").unwrap()
    }

    #[test]
    fn the_question_builds_the_command_and_closes_once_done() {
        let mut state = SelfCancel::default();
        assert_eq!(state.command(), None);
        state.ask(agreement());
        assert_eq!(
            state.command(),
            Some(CancelAgreementAsBuyer {
                agreement_id: agreement(),
                reason: None
            })
        );
        state.settle(Ok(()));
        assert_eq!(state.asking(), None);
        assert!(
            matches!(state.said(), Some(Said::Done(words)) if words.contains("Nothing was refunded"))
        );
    }

    #[test]
    fn a_refusal_keeps_the_question_open_with_why() {
        let mut state = SelfCancel::default();
        state.ask(agreement());
        let refused = AppError::Domain(DomainError::AgreementNotFound(agreement()));
        state.settle(Err(refused.clone()));
        assert_eq!(state.asking(), Some(&agreement()));
        assert_eq!(state.said(), Some(&Said::Refused(refused.to_string())));
        state.go_back();
        assert_eq!(state.command(), None);
    }
}
