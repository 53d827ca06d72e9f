//! The seller's console around each of its sections: who is acting, and the navigation
//! between the sections, each at its own address.

use leptos::prelude::*;
use leptos_router::components::{Outlet, A};
use workbench_core::book::Attention;
use workbench_core::families::support_case::CaseStatus;
use workbench_core::ids::AccountId;

use crate::state::{use_app, AppState};

/// The seller's work queue, computed once for the header, the home page, the navigation
/// and the queue itself, and only while one of them is shown.
#[derive(Clone, Copy)]
pub struct WorkQueue {
    pub items: Memo<Vec<Attention>>,
    /// Whether storage is nearly full, which is the seller's to deal with too.
    pub storage_full: Memo<bool>,
}

impl WorkQueue {
    pub fn new(app: AppState) -> Self {
        let items = Memo::new(move |_| {
            let now = app.now.get_untracked();
            app.seller
                .get()
                .map(|seller| app.book.with(|b| b.attention(&seller, now)))
                .unwrap_or_default()
        });
        let storage_full = Memo::new(move |_| app.usage.get().nearly_full());
        WorkQueue {
            items,
            storage_full,
        }
    }

    /// How many items wait for the seller.
    pub fn count(self) -> usize {
        self.items.with(Vec::len) + usize::from(self.storage_full.get())
    }
}

pub fn use_work_queue() -> WorkQueue {
    expect_context::<WorkQueue>()
}

/// "3 items wait for you", or that nothing does.
pub fn waiting_words(count: usize) -> String {
    match count {
        0 => "Nothing waits for you".into(),
        1 => "1 item waits for you".into(),
        n => format!("{n} items wait for you"),
    }
}

/// Every section of the console: the navigation, who is acting, and the section shown.
#[component]
pub fn SellerConsole() -> impl IntoView {
    view! {
        <ConsoleSections/>
        <ActingSeller/>
        <Outlet/>
    }
}

/// The navigation between the console's sections, with what waits in each.
#[component]
fn ConsoleSections() -> impl IntoView {
    let app = use_app();
    let queue = use_work_queue();
    let cases_waiting = Memo::new(move |_| {
        let seller = app.seller.get();
        app.book.with(|b| {
            b.support_cases
                .values()
                .filter(|v| {
                    Some(&v.record.seller) == seller.as_ref()
                        && v.record.status == CaseStatus::ActionRequired
                })
                .count()
        })
    });
    view! {
        <nav class="sections" aria-label="Console sections">
            <ul>
                <li><A href="/seller" exact=true>"Agreements"</A></li>
                <li><A href="/seller/attention" exact=true>
                    "Needs attention"
                    {move || match queue.count() {
                        0 => None,
                        n => Some(view! { <span class="count">{format!(" · {n}")}</span> }),
                    }}
                </A></li>
                <li><A href="/seller/fps" exact=true>"FPS subscriptions"</A></li>
                <li><A href="/seller/support" exact=true>
                    "Support cases"
                    {move || match cases_waiting.get() {
                        0 => None,
                        n => Some(view! { <span class="count">{format!(" · {n} need{} you", if n == 1 { "s" } else { "" })}</span> }),
                    }}
                </A></li>
                <li><A href="/seller/events" exact=true>"Event log"</A></li>
                <li><A href="/seller/data" exact=true>"Data"</A></li>
            </ul>
        </nav>
    }
}

/// The demo seller whose console this is.
#[component]
pub fn ActingSeller() -> impl IntoView {
    let app = use_app();
    let sellers = move || app.book.with(|b| b.directory.sellers.clone());
    view! {
        <div class="field inline">
            <label for="acting-seller">"Signed in as seller"</label>
            <select
                id="acting-seller"
                on:change=move |ev| app.seller.set(AccountId::parse(&event_target_value(&ev)).ok())
                prop:value=move || app.seller.get().map(|a| a.to_string()).unwrap_or_default()
            >
                {move || {
                    sellers()
                        .into_iter()
                        .map(|p| {
                            let value = p.account.to_string();
                            view! { <option value=value>{format!("{} ({})", p.name, p.account)}</option> }
                        })
                        .collect_view()
                }}
            </select>
        </div>
    }
}
