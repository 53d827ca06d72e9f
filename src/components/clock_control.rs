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

/// The app's time in the header, real or simulated, with the controls that move the
/// simulated clock forward so a 7-day deadline can be shown in a demo.
#[component]
pub fn ClockControl() -> impl IntoView {
    let app = use_app();
    view! {
        <section class="clock" aria-label="Clock">
            <ClockFace clock=app.clock.into() now=app.now.into() set=Callback::new(move |c| app.set_clock(c))/>
        </section>
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
