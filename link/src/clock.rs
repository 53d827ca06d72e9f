//! The app's time: the real clock, or a simulated one that the demo moves forward so that
//! a 7-day auto-approval can be shown in a minute. Only this module reads the real clock;
//! everything else is handed `now`.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How far the simulated clock runs ahead of the real one. Zero means real time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimulatedClock {
    pub offset_seconds: i64,
}

impl SimulatedClock {
    pub fn now(&self, real: DateTime<Utc>) -> DateTime<Utc> {
        real + Duration::seconds(self.offset_seconds)
    }

    pub fn is_real_time(&self) -> bool {
        self.offset_seconds == 0
    }

    /// Moves the simulated time forward; it never runs backwards, because deadlines that
    /// already passed (and the events they caused) cannot be undone.
    pub fn advanced(self, by: Duration) -> SimulatedClock {
        SimulatedClock {
            offset_seconds: self.offset_seconds.saturating_add(by.num_seconds().max(0)),
        }
    }

    pub fn real_time() -> SimulatedClock {
        SimulatedClock::default()
    }
}

/// The buttons that move the simulated clock, and how far each moves it, in seconds.
pub const STEPS: [(&str, i64); 3] = [
    ("+1 hour", 3_600),
    ("+1 day", 86_400),
    ("+7 days", 7 * 86_400),
];
/// The button that goes back to the real clock, and what the clock says then.
pub const REAL_TIME: &str = "Real time";
/// What the clock says while it is simulated.
pub const SIMULATED_TIME: &str = "Simulated time";
/// The accessible name of the group of buttons.
pub const STEPS_LABEL: &str = "Move the simulated clock";

impl SimulatedClock {
    /// What the clock face says it shows.
    pub fn label(&self) -> &'static str {
        if self.is_real_time() {
            REAL_TIME
        } else {
            SIMULATED_TIME
        }
    }
}

/// The browser's real time: JavaScript's clock, since `SystemTime::now()` panics on wasm32.
#[cfg(target_arch = "wasm32")]
pub fn real_now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

/// Outside a browser (the native tests), the system's clock.
#[cfg(not(target_arch = "wasm32"))]
pub fn real_now() -> DateTime<Utc> {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    DateTime::from_timestamp(
        i64::try_from(since_epoch.as_secs()).unwrap_or(i64::MAX),
        since_epoch.subsec_nanos(),
    )
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap()
    }

    #[test]
    fn real_time_is_the_real_clock() {
        assert_eq!(SimulatedClock::real_time().now(t0()), t0());
        assert!(SimulatedClock::real_time().is_real_time());
    }

    #[test]
    fn moving_forward_adds_up() {
        let clock = SimulatedClock::real_time()
            .advanced(Duration::hours(1))
            .advanced(Duration::days(7));
        assert_eq!(clock.now(t0()), t0() + Duration::hours(169));
        assert!(!clock.is_real_time());
    }

    #[test]
    fn the_clock_says_which_time_it_shows() {
        assert_eq!(SimulatedClock::real_time().label(), "Real time");
        let moved = SimulatedClock::real_time().advanced(Duration::seconds(STEPS[0].1));
        assert_eq!(moved.label(), "Simulated time");
        assert_eq!(moved.now(t0()), t0() + Duration::hours(1));
    }

    #[test]
    fn the_real_clock_is_read() {
        assert!(real_now() > t0() - Duration::days(365 * 10));
    }

    #[test]
    fn the_clock_never_moves_backwards() {
        let clock = SimulatedClock::real_time().advanced(Duration::days(1));
        assert_eq!(clock.advanced(Duration::hours(-5)), clock);
    }
}
