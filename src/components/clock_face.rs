//! The clock as a person sees it in the workbench: the time, real or simulated, and the
//! buttons that move the simulated clock forward so a 7-day deadline can be shown in a
//! demo. Its words are the link crate's, which the buyer's page draws too.

use chrono::{DateTime, Duration, Utc};
use leptos::prelude::*;
use workbench_link::clock::{SimulatedClock, REAL_TIME, STEPS, STEPS_LABEL};
use workbench_link::words::local_time;

/// `set` receives the clock a button asks for; where it is kept is the caller's business.
#[component]
pub fn ClockFace(
    clock: Signal<SimulatedClock>,
    now: Signal<DateTime<Utc>>,
    set: Callback<SimulatedClock>,
) -> impl IntoView {
    let steps = STEPS
        .into_iter()
        .map(|(words, seconds)| {
            let step = move |_| set.run(clock.get_untracked().advanced(Duration::seconds(seconds)));
            view! { <button type="button" on:click=step>{words}</button> }
        })
        .collect_view();
    view! {
        <p class="clock-time" aria-live="off">
            <span class="clock-label">{move || clock.get().label()}</span>
            " "
            <time datetime=move || now.get().to_rfc3339()>{move || local_time(now.get())}</time>
        </p>
        <div class="clock-buttons" role="group" aria-label=STEPS_LABEL>
            {steps}
            <button type="button" disabled=move || clock.get().is_real_time() on:click=move |_| set.run(SimulatedClock::real_time())>
                {REAL_TIME}
            </button>
        </div>
    }
}
