//! "Copy AWS CLI command": the exact AWS CLI command that does in AWS what the person is
//! about to do in the workbench, shown before they confirm, so it can be run instead.

use leptos::prelude::*;
use workbench_core::aws::cli::{command_for, AgreementAction, NoCliCommand};

use crate::components::copy_text::CopyText;
use crate::state::use_app;

/// The AWS CLI command of `command` as the workbench would send it, or why there is none.
/// Where the workbench itself would refuse the action, the form already says why, and
/// nothing is shown here.
#[component]
pub fn AwsCliCommand(
    #[prop(into)] id: String,
    #[prop(into)] command: Signal<Option<AgreementAction>>,
) -> impl IntoView {
    let app = use_app();
    let line = Memo::new(move |_| {
        command.with(|c| {
            c.as_ref()
                .map(|c| app.book.with(|b| command_for(b, c).map(|cli| cli.line())))
        })
    });
    let id = StoredValue::new(id);
    move || {
        match line.get()? {
        Ok(text) => Some(
            view! {
                <div class="aws-cli">
                    <p class="hint">"To do the same in AWS itself, run this where the AWS CLI has your account's credentials. Where the operation takes a client token it carries the workbench's own, so running it twice is safe."</p>
                    <CopyText id=id.get_value() label="AWS CLI command" button="Copy AWS CLI command" what="command" text=text/>
                </div>
            }
            .into_any(),
        ),
        Err(NoCliCommand::Refused(_)) => None,
        Err(why) => Some(
            view! { <p class="hint aws-cli">{format!("No AWS CLI command: {why}")}</p> }
                .into_any(),
        ),
    }
    }
}
