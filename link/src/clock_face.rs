//! The clock as a person sees it, in the workbench's header and on the buyer's page: the
//! time, real or simulated, and the buttons that move the simulated clock forward so a
//! 7-day deadline can be shown in a demo.

use chrono::{DateTime, Duration, Utc};
use leptos::prelude::*;

use crate::clock::SimulatedClock;
use crate::words::local_time;

/// `set` receives the clock a button asks for; where it is kept is the caller's business.
#[component]
pub fn ClockFace(
    clock: Signal<SimulatedClock>,
    now: Signal<DateTime<Utc>>,
    set: Callback<SimulatedClock>,
) -> impl IntoView {
    let simulated = move || !clock.get().is_real_time();
    let step = move |by: Duration| move |_| set.run(clock.get_untracked().advanced(by));
    view! {
        <p class="clock-time" aria-live="off">
            <span class="clock-label">{move || if simulated() { "Simulated time" } else { "Real time" }}</span>
            " "
            <time datetime=move || now.get().to_rfc3339()>{move || local_time(now.get())}</time>
        </p>
        <div class="clock-buttons" role="group" aria-label="Move the simulated clock">
            <button type="button" on:click=step(Duration::hours(1))>"+1 hour"</button>
            <button type="button" on:click=step(Duration::days(1))>"+1 day"</button>
            <button type="button" on:click=step(Duration::days(7))>"+7 days"</button>
            <button type="button" disabled=move || !simulated() on:click=move |_| set.run(SimulatedClock::real_time())>
                "Real time"
            </button>
        </div>
    }
}
