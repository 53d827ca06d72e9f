//! Times and durations in words for the person reading them: in their own locale and time
//! zone, as the browser's `Intl` writes them, with the zone named on every moment.

use chrono::{DateTime, Duration, Utc};

/// How a moment is written.
#[derive(Debug, Clone, Copy)]
enum Shape {
    /// Day, time and zone: "Tue 8 Dec 2026, 14:30 CET" (in en-GB).
    Moment = 0,
    /// The day alone: "8 Dec 2026".
    Day = 1,
}

/// A moment in the viewer's locale and time zone, the zone named.
pub fn local_time(at: DateTime<Utc>) -> String {
    written(at, Shape::Moment)
}

/// A day in the viewer's locale and time zone.
pub fn local_date(at: DateTime<Utc>) -> String {
    written(at, Shape::Day)
}

#[cfg(target_arch = "wasm32")]
fn written(at: DateTime<Utc>, shape: Shape) -> String {
    use js_sys::{Array, Date, Intl::DateTimeFormat, Object, Reflect};
    use wasm_bindgen::JsValue;

    fn formatter(shape: Shape) -> DateTimeFormat {
        let parts: &[(&str, &str)] = match shape {
            Shape::Moment => &[
                ("weekday", "short"),
                ("day", "numeric"),
                ("month", "short"),
                ("year", "numeric"),
                ("hour", "2-digit"),
                ("minute", "2-digit"),
                ("timeZoneName", "short"),
            ],
            Shape::Day => &[("day", "numeric"), ("month", "short"), ("year", "numeric")],
        };
        let options = Object::new();
        for (name, value) in parts {
            Reflect::set(&options, &(*name).into(), &(*value).into())
                .expect("a plain object takes any property");
        }
        // No locale given: the browser's own, as the person set it.
        DateTimeFormat::new(&Array::new(), &options)
    }

    thread_local! {
        // Making a formatter costs far more than using one, and a page of a list writes
        // dozens of dates.
        static FORMATS: [DateTimeFormat; 2] = [formatter(Shape::Moment), formatter(Shape::Day)];
    }
    let date = Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
    FORMATS.with(|formats| {
        formats[shape as usize]
            .format()
            .call1(&JsValue::UNDEFINED, &date)
            .ok()
            .and_then(|text| text.as_string())
            .unwrap_or_else(|| at.to_rfc3339())
    })
}

/// Outside a browser (the native tests) there is no viewer: UTC, named.
#[cfg(not(target_arch = "wasm32"))]
fn written(at: DateTime<Utc>, shape: Shape) -> String {
    match shape {
        Shape::Moment => at.format("%a %-d %b %Y, %H:%M UTC").to_string(),
        Shape::Day => at.format("%-d %b %Y").to_string(),
    }
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
