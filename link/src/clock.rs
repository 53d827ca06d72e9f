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

/// The browser's real time. `SystemTime::now()` panics on wasm32; chrono's `wasmbind`
/// feature reads JavaScript's clock instead.
pub fn real_now() -> DateTime<Utc> {
    Utc::now()
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
    fn the_clock_never_moves_backwards() {
        let clock = SimulatedClock::real_time().advanced(Duration::days(1));
        assert_eq!(clock.advanced(Duration::hours(-5)), clock);
    }
}
