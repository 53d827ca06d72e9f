//! The period a report covers: days of the viewer's calendar, turned into UTC instants with
//! the zone the caller passes in (the core has no clock and no zone of its own), and cut into
//! the calendar months of that zone, so that "this month" ends at the viewer's midnight and
//! not at UTC's.

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, TimeZone, Utc};
use thiserror::Error;

/// The longest period a report covers: ten years keeps its months a list a page can draw.
pub const LONGEST: Duration = Duration::days(3_660);

/// How a person picks a period: one of the usual ones, or two dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodChoice {
    ThisMonth,
    LastMonth,
    Last90Days,
    ThisYear,
    /// From `first` to `last`, both days included.
    Between {
        first: NaiveDate,
        last: NaiveDate,
    },
}

impl PeriodChoice {
    /// The usual choices, in the order a person reads them.
    pub const USUAL: [PeriodChoice; 4] = [
        PeriodChoice::ThisMonth,
        PeriodChoice::LastMonth,
        PeriodChoice::Last90Days,
        PeriodChoice::ThisYear,
    ];

    /// As the address spells it; two dates are "dates", with the dates beside it.
    pub fn code(self) -> &'static str {
        match self {
            PeriodChoice::ThisMonth => "this-month",
            PeriodChoice::LastMonth => "last-month",
            PeriodChoice::Last90Days => "last-90-days",
            PeriodChoice::ThisYear => "this-year",
            PeriodChoice::Between { .. } => "dates",
        }
    }

    /// In words, for people.
    pub fn label(self) -> &'static str {
        match self {
            PeriodChoice::ThisMonth => "This month",
            PeriodChoice::LastMonth => "Last month",
            PeriodChoice::Last90Days => "Last 90 days",
            PeriodChoice::ThisYear => "This year",
            PeriodChoice::Between { .. } => "From and to dates",
        }
    }

    /// The first and last day it covers, seen from `today` in the viewer's calendar.
    pub fn days(self, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        let month_start = today.with_day(1).unwrap_or(today);
        match self {
            PeriodChoice::ThisMonth => (month_start, today),
            PeriodChoice::LastMonth => {
                let first = month_start
                    .checked_sub_months(Months::new(1))
                    .unwrap_or(month_start);
                (first, month_start.pred_opt().unwrap_or(month_start))
            }
            PeriodChoice::Last90Days => (today - Duration::days(89), today),
            PeriodChoice::ThisYear => (today.with_ordinal(1).unwrap_or(today), today),
            PeriodChoice::Between { first, last } => (first, last),
        }
    }
}

/// Why a period cannot be reported on.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PeriodError {
    #[error("The \"to\" date ({last}) is before the \"from\" date ({first}).")]
    LastBeforeFirst { first: NaiveDate, last: NaiveDate },
    #[error("A report covers at most ten years; choose a shorter period.")]
    TooLong,
    #[error("{0} has no midnight in this time zone that a report can start from.")]
    NoMidnight(NaiveDate),
}

/// One calendar month of a period, cut to the period: from its first instant to the first
/// instant after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month {
    pub year: i32,
    pub month: u32,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Month {
    /// "2026-03", as a table and the CSV name it.
    pub fn name(&self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }
}

/// The days a report covers, as instants: `from` included, `to` excluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub months: Vec<Month>,
}

/// The instant `day` begins in `zone`: its midnight, or where a change of clocks skips
/// midnight, the first hour that exists.
fn day_start<Tz: TimeZone>(day: NaiveDate, zone: &Tz) -> Result<DateTime<Utc>, PeriodError> {
    let midnight = day
        .and_hms_opt(0, 0, 0)
        .ok_or(PeriodError::NoMidnight(day))?;
    (0..3)
        .find_map(|hour| {
            zone.from_local_datetime(&(midnight + Duration::hours(hour)))
                .earliest()
        })
        .map(|at| at.with_timezone(&Utc))
        .ok_or(PeriodError::NoMidnight(day))
}

impl Period {
    /// From the start of `first_day` to the end of `last_day` in `zone`.
    pub fn new<Tz: TimeZone>(
        first_day: NaiveDate,
        last_day: NaiveDate,
        zone: &Tz,
    ) -> Result<Period, PeriodError> {
        if last_day < first_day {
            return Err(PeriodError::LastBeforeFirst {
                first: first_day,
                last: last_day,
            });
        }
        if last_day - first_day > LONGEST {
            return Err(PeriodError::TooLong);
        }
        let after = last_day.succ_opt().ok_or(PeriodError::TooLong)?;
        let mut months = Vec::new();
        let mut start = first_day;
        while start < after {
            let next_month = start
                .with_day(1)
                .and_then(|d| d.checked_add_months(Months::new(1)))
                .ok_or(PeriodError::TooLong)?;
            let end = next_month.min(after);
            months.push(Month {
                year: start.year(),
                month: start.month(),
                from: day_start(start, zone)?,
                to: day_start(end, zone)?,
            });
            start = end;
        }
        Ok(Period {
            first_day,
            last_day,
            from: day_start(first_day, zone)?,
            to: day_start(after, zone)?,
            months,
        })
    }

    /// The period a choice names, seen from `today` in `zone`.
    pub fn chosen<Tz: TimeZone>(
        choice: PeriodChoice,
        today: NaiveDate,
        zone: &Tz,
    ) -> Result<Period, PeriodError> {
        let (first, last) = choice.days(today);
        Period::new(first, last, zone)
    }

    /// Whether `at` falls in the period.
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.from <= at && at < self.to
    }

    /// The place in [`Period::months`] of the month `at` falls in, if it falls in the period.
    pub fn month_of(&self, at: DateTime<Utc>) -> Option<usize> {
        if !self.contains(at) {
            return None;
        }
        Some(self.months.partition_point(|m| m.to <= at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_usual_choices_cover_the_days_a_person_means() {
        let today = day(2026, 3, 15);
        assert_eq!(
            PeriodChoice::ThisMonth.days(today),
            (day(2026, 3, 1), today)
        );
        assert_eq!(
            PeriodChoice::LastMonth.days(today),
            (day(2026, 2, 1), day(2026, 2, 28))
        );
        assert_eq!(
            PeriodChoice::Last90Days.days(today),
            (day(2025, 12, 16), today)
        );
        assert_eq!(PeriodChoice::ThisYear.days(today), (day(2026, 1, 1), today));
        assert_eq!(
            PeriodChoice::LastMonth.days(day(2026, 1, 5)),
            (day(2025, 12, 1), day(2025, 12, 31))
        );
    }

    #[test]
    fn a_period_starts_and_ends_at_the_viewers_midnight_and_is_cut_into_their_months() {
        let tokyo = FixedOffset::east_opt(9 * 3_600).unwrap();
        let period = Period::new(day(2026, 1, 20), day(2026, 3, 2), &tokyo).unwrap();
        assert_eq!(
            period.from,
            Utc.with_ymd_and_hms(2026, 1, 19, 15, 0, 0).unwrap()
        );
        assert_eq!(
            period.to,
            Utc.with_ymd_and_hms(2026, 3, 2, 15, 0, 0).unwrap()
        );
        let names: Vec<String> = period.months.iter().map(Month::name).collect();
        assert_eq!(names, ["2026-01", "2026-02", "2026-03"]);
        assert_eq!(period.months[0].from, period.from);
        assert_eq!(period.months[2].to, period.to);
        assert!(period.months.windows(2).all(|w| w[0].to == w[1].from));
        let late_january_in_tokyo = Utc.with_ymd_and_hms(2026, 1, 31, 14, 59, 59).unwrap();
        assert_eq!(period.month_of(late_january_in_tokyo), Some(0));
        assert_eq!(
            period.month_of(late_january_in_tokyo + Duration::seconds(1)),
            Some(1)
        );
        assert_eq!(period.month_of(period.to), None);
        assert_eq!(period.month_of(period.from - Duration::seconds(1)), None);
    }

    #[test]
    fn a_period_backwards_or_past_ten_years_is_refused_in_words() {
        let refused = Period::new(day(2026, 3, 2), day(2026, 3, 1), &Utc).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "The \"to\" date (2026-03-01) is before the \"from\" date (2026-03-02)."
        );
        assert_eq!(
            Period::new(day(2010, 1, 1), day(2026, 1, 1), &Utc),
            Err(PeriodError::TooLong)
        );
        assert_eq!(
            Period::new(day(2026, 1, 1), day(2026, 1, 1), &Utc)
                .unwrap()
                .months
                .len(),
            1
        );
    }
}
