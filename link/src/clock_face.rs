//! The demo clock below the buyer's page: the time, real or simulated, and the buttons that
//! move the simulated clock forward so a 7-day deadline can be shown passing. The words are
//! the clock's ([`crate::clock`]), which the workbench's header draws too.

use chrono::{DateTime, Utc};
use web_sys::Element;

use crate::clock::{SimulatedClock, REAL_TIME, STEPS, STEPS_LABEL};
use crate::dom::{button, el, set_text};
use crate::words::{local_time, machine_time};

/// What a clock button asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// Forward by so many seconds.
    Forward(i64),
    RealTime,
}

/// The clock face as drawn, to keep up to date.
pub struct ClockFace {
    label: Element,
    time: Element,
    real_time: Element,
}

impl ClockFace {
    /// Draws the "Demo clock" disclosure; `buttons` receives each button and what it asks.
    pub fn draw(buttons: &mut Vec<(Element, Move)>) -> (Element, ClockFace) {
        let label = el("span").class("clock-label").done();
        let time = el("time").done();
        let group = el("div")
            .class("clock-buttons")
            .attr("role", "group")
            .attr("aria-label", STEPS_LABEL);
        let mut group = group;
        for (words, seconds) in STEPS {
            let step = button(words, "").done();
            group = group.child(&step);
            buttons.push((step, Move::Forward(seconds)));
        }
        let real_time = button(REAL_TIME, "").done();
        buttons.push((real_time.clone(), Move::RealTime));
        let details = el("details")
            .class("demo-clock")
            .child(el("summary").text("Demo clock"))
            .child(
                el("p")
                    .class("clock-time")
                    .attr("aria-live", "off")
                    .child(&label)
                    .text(" ")
                    .child(&time),
            )
            .child(group.child(&real_time))
            .done();
        (
            details,
            ClockFace {
                label,
                time,
                real_time,
            },
        )
    }

    pub fn show(&self, clock: SimulatedClock, now: DateTime<Utc>) {
        set_text(&self.label, clock.label());
        self.time.set_attribute("datetime", &machine_time(now)).ok();
        set_text(&self.time, &local_time(now));
        self.real_time
            .toggle_attribute_with_force("disabled", clock.is_real_time())
            .ok();
    }
}
