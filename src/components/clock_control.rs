//! The app's clock with the demo's buttons that move it forward: in the header of the
//! seller's pages, and folded away below the buyer's.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::components::clock_face::ClockFace;
use crate::state::use_app;

/// Whether a path is one of the buyer's pages, which speak to the buyer only: no seller
/// navigation, and the demo clock out of the way.
pub fn is_buyers_page(path: &str) -> bool {
    path == "/buyer" || path.starts_with("/buyer/") || path == "/receipt"
}

/// Screens at least this wide (60rem) have room for the clock beside the header's links.
const WIDE_SCREEN_PX: f64 = 960.0;

/// The app's time in the header, real or simulated, with the controls that move the
/// simulated clock forward so a 7-day deadline can be shown in a demo: in a "Demo clock"
/// disclosure, open where the header has room for it and folded on a phone, where its
/// four buttons took the first screen's room from the page's own heading.
#[component]
pub fn ClockControl() -> impl IntoView {
    let app = use_app();
    let wide = web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|width| width.as_f64())
        .is_some_and(|width| width >= WIDE_SCREEN_PX);
    view! {
        <details class="header-clock" open=wide>
            <summary>"Demo clock"</summary>
            <section class="clock" aria-label="Clock">
                <ClockFace clock=app.clock.into() now=app.now.into() set=Callback::new(move |c| app.set_clock(c))/>
            </section>
        </details>
    }
}

/// Below a buyer's page, the same clock in a "Demo clock" disclosure: still there for an
/// offline demo, out of the way of the question the page asks.
#[component]
pub fn BuyersDemoClock() -> impl IntoView {
    let app = use_app();
    let path = use_location().pathname;
    move || {
        is_buyers_page(&path.get()).then(|| {
            view! {
                <footer class="demo-clock">
                    <details>
                        <summary>"Demo clock"</summary>
                        <ClockFace clock=app.clock.into() now=app.now.into() set=Callback::new(move |c| app.set_clock(c))/>
                    </details>
                </footer>
            }
        })
    }
}
