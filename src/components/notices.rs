//! The notices at the top of every page, each with its dismiss button.

use leptos::prelude::*;

use crate::notice::ShownNotice;
use crate::state::use_app;
use crate::storage::Notice;

/// What happened to the stored data, at the top of every page: entries moved aside, a newer
/// format, storage refused, a change not saved. Each can be dismissed; moved-aside text can
/// be downloaded.
#[component]
pub fn StorageNotices() -> impl IntoView {
    let app = use_app();
    view! {
        <div class="notices" role="status" aria-live="polite">
            <For each=move || app.notices.shown() key=|shown| shown.id let:shown>
                <div class="notice">
                    <p>{notice_text(&shown.notice)}</p>
                    {download_link(&shown.notice)}
                    {matches!(shown.notice, ShownNotice::NearlyFull(_)).then(|| view! {
                        <button type="button" on:click=move |_| app.archive_from_notice(shown.id)>"Archive closed cases"</button>
                    })}
                    <button type="button" on:click=move |_| app.notices.dismiss(shown.id)>"Dismiss"</button>
                </div>
            </For>
        </div>
    }
}

fn notice_text(notice: &ShownNotice) -> String {
    match notice {
        ShownNotice::Stored(n) => n.message(),
        ShownNotice::NotSaved(error) => error.to_string(),
        ShownNotice::Done(message) => message.clone(),
        ShownNotice::NearlyFull(usage) => format!(
            "This browser's storage is {} % full ({} of {} characters). Archive the closed cases to make room: they are downloaded as one file, then removed from this browser.",
            usage.percent(),
            usage.used,
            usage.quota
        ),
    }
}

fn download_link(notice: &ShownNotice) -> Option<impl IntoView> {
    let ShownNotice::Stored(Notice::Quarantined { key, text, .. }) = notice else {
        return None;
    };
    let href = format!(
        "data:text/plain;charset=utf-8,{}",
        String::from(js_sys::encode_uri_component(text))
    );
    let file = format!(
        "{}.txt",
        key.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_")
    );
    Some(view! { <a href=href download=file>"Download the quarantined text"</a> })
}
