//! The way through a long list a page at a time: the earlier page, where the person is, and
//! the later page.

use leptos::prelude::*;

/// `shown` is the page on screen and the number of pages, as the core's `Page` says them
/// (a page asked for past the end shows the last one); the buttons move `page` from there.
/// `position` says where the person is in other words than "Page 2 of 9", and is announced.
#[component]
pub fn Pager(
    label: &'static str,
    page: RwSignal<usize>,
    #[prop(into)] shown: Signal<(usize, usize)>,
    #[prop(default = "Previous page")] earlier: &'static str,
    #[prop(default = "Next page")] later: &'static str,
    #[prop(optional, into)] position: Option<Signal<String>>,
) -> impl IntoView {
    let position = move || match position {
        Some(words) => words.get(),
        None => {
            let (at, pages) = shown.get();
            format!("Page {} of {pages}", at + 1)
        }
    };
    view! {
        <nav class="pager" aria-label=label>
            <button type="button" disabled=move || shown.get().0 == 0
                on:click=move |_| page.set(shown.get_untracked().0.saturating_sub(1))>
                {earlier}
            </button>
            <span aria-live="polite">{position}</span>
            <button type="button" disabled=move || { let (at, pages) = shown.get(); at + 1 >= pages }
                on:click=move |_| page.set(shown.get_untracked().0 + 1)>
                {later}
            </button>
        </nav>
    }
}
