//! The clock in the workbench's header, with the demo's buttons that move it forward.

use leptos::prelude::*;
use workbench_link::clock_face::ClockFace;

use crate::state::use_app;

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
