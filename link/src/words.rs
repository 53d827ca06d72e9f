//! Times and durations in words for the person reading them, in their own time zone.

use chrono::{DateTime, Duration, Local, Utc};

/// A moment in the viewer's own time zone.
pub fn local_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&Local)
        .format("%a %-d %b %Y, %H:%M")
        .to_string()
}

/// A day in the viewer's own time zone.
pub fn local_date(at: DateTime<Utc>) -> String {
    at.with_timezone(&Local).format("%-d %b %Y").to_string()
}

/// "2 days 4 hours", "3 hours 12 minutes", "45 seconds": the largest two units.
pub fn duration_words(d: Duration) -> String {
    let total = d.num_seconds().max(0);
    let (days, hours, minutes, seconds) = (
        total / 86_400,
        total % 86_400 / 3_600,
        total % 3_600 / 60,
        total % 60,
    );
    let unit = |n: i64, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (days, hours, minutes) {
        (0, 0, 0) => unit(seconds, "second"),
        (0, 0, m) => format!("{} {}", unit(m, "minute"), unit(seconds, "second")),
        (0, h, m) => format!("{} {}", unit(h, "hour"), unit(m, "minute")),
        (d, h, _) => format!("{} {}", unit(d, "day"), unit(h, "hour")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_the_two_largest_units() {
        assert_eq!(duration_words(Duration::seconds(45)), "45 seconds");
        assert_eq!(duration_words(Duration::seconds(61)), "1 minute 1 second");
        assert_eq!(duration_words(Duration::minutes(192)), "3 hours 12 minutes");
        assert_eq!(duration_words(Duration::hours(52)), "2 days 4 hours");
        assert_eq!(duration_words(Duration::seconds(-5)), "0 seconds");
    }
}
