use chrono::Duration;
use leptos::prelude::*;

use crate::state::use_app;
use workbench_link::clock::SimulatedClock;
use workbench_link::words::local_time;

/// The app's time in the header, real or simulated, with the controls that move the
/// simulated clock forward so a 7-day deadline can be shown in a demo.
#[component]
pub fn ClockControl() -> impl IntoView {
    let app = use_app();
    let simulated = move || !app.clock.get().is_real_time();
    let step = move |by: Duration| move |_| app.advance_clock(by);
    view! {
        <section class="clock" aria-label="Clock">
            <p class="clock-time" aria-live="off">
                <span class="clock-label">{move || if simulated() { "Simulated time" } else { "Real time" }}</span>
                " "
                <time datetime=move || app.now.get().to_rfc3339()>{move || local_time(app.now.get())}</time>
            </p>
            <div class="clock-buttons" role="group" aria-label="Move the simulated clock">
                <button type="button" on:click=step(Duration::hours(1))>"+1 hour"</button>
                <button type="button" on:click=step(Duration::days(1))>"+1 day"</button>
                <button type="button" on:click=step(Duration::days(7))>"+7 days"</button>
                <button
                    type="button"
                    disabled=move || !simulated()
                    on:click=move |_| app.set_clock(SimulatedClock::real_time())
                >
                    "Real time"
                </button>
            </div>
        </section>
    }
}
