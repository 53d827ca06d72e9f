//! The Reports page's period and filters, as the address keeps them
//! (`/seller/reports?period=dates&from=2026-01-01&to=2026-03-31&product=prod-x`): read from
//! the address, checked, turned into the core's `Period` and `Scope`, and written back when
//! the person changes one. Plain data, tested natively; `pages::reports` only draws it.

use chrono::{NaiveDate, TimeZone};
use thiserror::Error;
use workbench_core::ids::{AccountId, IdError, OfferId, ProductId};
use workbench_core::report::{Period, PeriodChoice, PeriodError, Scope};

/// The period a report opens on: a quarter's worth, long enough to show a shape.
pub const DEFAULT_PERIOD: &str = "last-90-days";
/// The code of a period given by two dates.
pub const DATES: &str = "dates";

/// The period and the filters, exactly as the address holds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFilters {
    /// A [`PeriodChoice`] code, or [`DATES`].
    pub period: String,
    pub from: String,
    pub to: String,
    pub product: String,
    pub offer: String,
}

impl Default for ReportFilters {
    fn default() -> Self {
        ReportFilters {
            period: DEFAULT_PERIOD.into(),
            from: String::new(),
            to: String::new(),
            product: String::new(),
            offer: String::new(),
        }
    }
}

/// What the person changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    Period(String),
    From(String),
    To(String),
    /// A product; the offer chosen before is of another product, so it goes.
    Product(String),
    Offer(String),
}

/// Why the address's period or filters cannot make a report, in words for the person.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FiltersError {
    #[error("Enter the \"{0}\" date as a date, for example 2026-01-31.")]
    NotADate(&'static str),
    #[error(transparent)]
    Period(#[from] PeriodError),
    #[error("The product filter is not a product ID: {0}")]
    Product(IdError),
    #[error("The offer filter is not an offer ID: {0}")]
    Offer(IdError),
}

impl ReportFilters {
    /// Reads them from the address's query, `value` giving the value of a key. An unknown
    /// period is read as the default one.
    pub fn from_query(value: impl Fn(&str) -> Option<String>) -> ReportFilters {
        let text = |key| value(key).unwrap_or_default().trim().to_string();
        let period = value("period")
            .filter(|p| p == DATES || PeriodChoice::USUAL.iter().any(|c| c.code() == p))
            .unwrap_or_else(|| DEFAULT_PERIOD.into());
        ReportFilters {
            period,
            from: text("from"),
            to: text("to"),
            product: text("product"),
            offer: text("offer"),
        }
    }

    /// The query of the address that holds them; the default period, dates that are not
    /// used and empty filters are left out.
    pub fn query(&self) -> Vec<(&'static str, String)> {
        let dates = self.period == DATES;
        [
            (
                "period",
                (self.period != DEFAULT_PERIOD).then(|| self.period.clone()),
            ),
            ("from", dates.then(|| self.from.clone())),
            ("to", dates.then(|| self.to.clone())),
            ("product", Some(self.product.clone())),
            ("offer", Some(self.offer.clone())),
        ]
        .into_iter()
        .filter_map(|(key, value)| value.filter(|v| !v.is_empty()).map(|v| (key, v)))
        .collect()
    }

    /// These filters with one change.
    pub fn changed(&self, edit: Edit) -> ReportFilters {
        let mut next = self.clone();
        match edit {
            Edit::Period(code) => next.period = code,
            Edit::From(date) => next.from = date,
            Edit::To(date) => next.to = date,
            Edit::Product(product) => {
                next.product = product;
                next.offer.clear();
            }
            Edit::Offer(offer) => next.offer = offer,
        }
        next
    }

    /// The period chosen, seen from `today`; two dates not yet both given are, until they
    /// are, the days from the one given (or the start of the month) to today.
    pub fn choice(&self, today: NaiveDate) -> Result<PeriodChoice, FiltersError> {
        if let Some(usual) = PeriodChoice::USUAL
            .into_iter()
            .find(|c| c.code() == self.period)
        {
            return Ok(usual);
        }
        let date = |text: &str, name| match text {
            "" => Ok(None),
            _ => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| FiltersError::NotADate(name)),
        };
        let first = date(&self.from, "From")?;
        let last = date(&self.to, "To")?.unwrap_or(today);
        let first = first.unwrap_or_else(|| PeriodChoice::ThisMonth.days(last).0);
        Ok(PeriodChoice::Between { first, last })
    }

    /// The core's period and scope for `seller`, from `today` in `zone`.
    pub fn resolve<Tz: TimeZone>(
        &self,
        today: NaiveDate,
        zone: &Tz,
        seller: Option<AccountId>,
    ) -> Result<(Period, Scope), FiltersError> {
        let period = Period::chosen(self.choice(today)?, today, zone)?;
        fn id(text: &str) -> Option<&str> {
            (!text.is_empty()).then_some(text)
        }
        let scope = Scope {
            seller,
            product: id(&self.product)
                .map(ProductId::parse)
                .transpose()
                .map_err(FiltersError::Product)?,
            offer: id(&self.offer)
                .map(OfferId::parse)
                .transpose()
                .map_err(FiltersError::Offer)?,
        };
        Ok((period, scope))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn at(query: &str) -> ReportFilters {
        let pairs: Vec<(&str, &str)> = query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .collect();
        ReportFilters::from_query(|key| {
            pairs
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.to_string())
        })
    }

    fn query_text(filters: &ReportFilters) -> String {
        let pairs: Vec<String> = filters
            .query()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        pairs.join("&")
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn an_address_without_a_query_is_the_last_90_days_of_every_product() {
        let filters = at("");
        assert_eq!(filters, ReportFilters::default());
        assert!(filters.query().is_empty());
        let today = day(2026, 11, 23);
        let (period, scope) = filters.resolve(today, &Utc, None).unwrap();
        assert_eq!(
            (period.first_day, period.last_day),
            (day(2026, 8, 26), today)
        );
        assert_eq!(scope, Scope::default());
    }

    #[test]
    fn every_change_goes_back_into_the_address() {
        let filters = at("period=this-year&product=prod-nwetl&offer=offer-nwetlpub");
        assert_eq!(
            query_text(&filters),
            "period=this-year&product=prod-nwetl&offer=offer-nwetlpub"
        );
        let other = filters.changed(Edit::Product("prod-nwbicloud".into()));
        assert_eq!(
            query_text(&other),
            "period=this-year&product=prod-nwbicloud",
            "its offer went"
        );
        let dated = other
            .changed(Edit::Period(DATES.into()))
            .changed(Edit::From("2026-02-01".into()))
            .changed(Edit::To("2026-04-30".into()));
        assert_eq!(
            query_text(&dated),
            "period=dates&from=2026-02-01&to=2026-04-30&product=prod-nwbicloud"
        );
        let usual = dated.changed(Edit::Period("last-month".into()));
        assert_eq!(
            query_text(&usual),
            "period=last-month&product=prod-nwbicloud",
            "dates unused"
        );
    }

    #[test]
    fn two_dates_make_the_period_and_a_missing_one_is_filled_in() {
        let today = day(2026, 11, 23);
        let both = at("period=dates&from=2026-02-01&to=2026-04-30");
        assert_eq!(
            both.choice(today),
            Ok(PeriodChoice::Between {
                first: day(2026, 2, 1),
                last: day(2026, 4, 30)
            })
        );
        let to_only = at("period=dates&to=2026-04-30");
        assert_eq!(
            to_only.choice(today),
            Ok(PeriodChoice::Between {
                first: day(2026, 4, 1),
                last: day(2026, 4, 30)
            })
        );
        let from_only = at("period=dates&from=2026-10-02");
        assert_eq!(
            from_only.choice(today),
            Ok(PeriodChoice::Between {
                first: day(2026, 10, 2),
                last: today
            })
        );
    }

    #[test]
    fn what_cannot_make_a_report_is_said_in_words() {
        let today = day(2026, 11, 23);
        let words = |q: &str| at(q).resolve(today, &Utc, None).unwrap_err().to_string();
        assert_eq!(
            words("period=dates&from=31/01/2026"),
            "Enter the \"From\" date as a date, for example 2026-01-31."
        );
        assert_eq!(
            words("period=dates&from=2026-05-01&to=2026-04-01"),
            "The \"to\" date (2026-04-01) is before the \"from\" date (2026-05-01)."
        );
        assert!(
            words("product=not a product").starts_with("The product filter is not a product ID")
        );
        assert_eq!(
            at("period=forever").period,
            DEFAULT_PERIOD,
            "an unknown period is the default"
        );
    }
}
