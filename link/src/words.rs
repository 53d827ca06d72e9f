//! Times and durations in words for the person reading them: in their own locale and time
//! zone, as the browser's `Intl` writes them, with the zone named on every moment. Numbers
//! are written digit by digit and texts joined by pushes: Rust's formatting machinery would
//! cost the buyer's page more download than it writes.

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
            // A plain object takes any property: this cannot fail.
            Reflect::set(&options, &(*name).into(), &(*value).into()).ok();
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
            .unwrap_or_else(|| String::from(date.to_iso_string()))
    })
}

/// A moment for machines (a `<time>`'s `datetime`), in UTC.
#[cfg(target_arch = "wasm32")]
pub fn machine_time(at: DateTime<Utc>) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(
        at.timestamp_millis() as f64
    ));
    String::from(date.to_iso_string())
}

/// A moment for machines (a `<time>`'s `datetime`), in UTC.
#[cfg(not(target_arch = "wasm32"))]
pub fn machine_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
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
    let units = [
        (total / 86_400, "day"),
        (total % 86_400 / 3_600, "hour"),
        (total % 3_600 / 60, "minute"),
        (total % 60, "second"),
    ];
    // The largest unit that is not zero, seconds at least, and the one after it.
    let first = units.iter().position(|(n, _)| *n != 0).unwrap_or(3).min(3);
    let mut words = String::new();
    for (n, unit) in &units[first..(first + 2).min(4)] {
        if !words.is_empty() {
            words.push(' ');
        }
        push_number(&mut words, *n);
        words.push(' ');
        words.push_str(unit);
        if *n != 1 {
            words.push('s');
        }
    }
    words
}

/// Writes `n` in decimal digits at the end of `out`.
pub fn push_number(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    let mut digits = [0u8; 20];
    let mut rest = n.unsigned_abs();
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.extend(digits[at..].iter().map(|&d| char::from(d)));
}

/// `n` in decimal digits.
pub fn number(n: i64) -> String {
    let mut out = String::new();
    push_number(&mut out, n);
    out
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
        assert_eq!(duration_words(Duration::days(7)), "7 days 0 hours");
        assert_eq!(duration_words(Duration::seconds(3_600)), "1 hour 0 minutes");
        assert_eq!(duration_words(Duration::seconds(1)), "1 second");
    }

    #[test]
    fn numbers_are_written_as_rust_writes_them() {
        for n in [0, 7, 10, 604_800, -3_600, i64::MAX, i64::MIN] {
            assert_eq!(number(n), n.to_string());
        }
    }

    #[test]
    fn a_moment_for_machines_is_utc() {
        use chrono::TimeZone;
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap();
        assert_eq!(machine_time(at), "2026-11-23T08:00:00.000Z");
    }
}
