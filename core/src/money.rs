//! Money in integer minor units. Floats never hold an amount: a refund of 0.1 + 0.2 must be
//! exactly 0.30, and the refunded total of an invoice must never creep above its charge.

use std::fmt;
use std::str::FromStr;

use crate::coded::coded;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The currencies the workbench bills in, each with the number of decimals the
/// marketplace accepts for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Currency {
    USD,
    EUR,
    GBP,
    AUD,
    CAD,
    INR,
    CNY,
    JPY,
    KRW,
}

coded!(Currency {
    USD => "USD";
    EUR => "EUR";
    GBP => "GBP";
    AUD => "AUD";
    CAD => "CAD";
    INR => "INR";
    CNY => "CNY";
    JPY => "JPY";
    KRW => "KRW";
});

impl Currency {
    /// Digits after the decimal point in this currency's smallest unit.
    pub fn decimals(self) -> u32 {
        match self {
            Currency::JPY | Currency::KRW => 0,
            _ => 2,
        }
    }

    fn scale(self) -> i64 {
        10_i64.pow(self.decimals())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::from_code(s).ok_or_else(|| MoneyError::UnknownCurrency(s.to_string()))
    }
}

/// Why an amount typed by a person (or read from a file) is not money.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MoneyError {
    #[error("Enter an amount.")]
    Empty,
    #[error("Enter the amount as digits with an optional decimal point, for example 125.50.")]
    NotANumber,
    #[error("The amount must be more than zero.")]
    NotPositive,
    #[error("{currency} allows at most {decimals} digits after the decimal point.")]
    TooManyDecimals { currency: Currency, decimals: u32 },
    #[error("The amount is too large.")]
    TooLarge,
    #[error("{0} is not a currency this workbench supports.")]
    UnknownCurrency(String),
    #[error("The amounts are in different currencies ({0} and {1}).")]
    CurrencyMismatch(Currency, Currency),
}

/// An amount of one currency, counted in its minor unit (cents for USD, yen for JPY).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Self {
        Money { minor, currency }
    }

    pub fn zero(currency: Currency) -> Self {
        Money { minor: 0, currency }
    }

    /// Reads a positive amount as the Agreement API writes it (`[0-9]*(\.[0-9]{0,8})?`),
    /// refusing more decimals than the currency has rather than rounding them away.
    pub fn parse_positive(text: &str, currency: Currency) -> Result<Money, MoneyError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(MoneyError::Empty);
        }
        let (whole, fraction) = match text.split_once('.') {
            Some((w, f)) => (w, f),
            None => (text, ""),
        };
        let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if !digits_only(whole)
            || !digits_only(fraction)
            || (whole.is_empty() && fraction.is_empty())
        {
            return Err(MoneyError::NotANumber);
        }
        if fraction.len() > 8 {
            return Err(MoneyError::NotANumber);
        }
        let significant = fraction.trim_end_matches('0');
        let decimals = currency.decimals();
        if significant.len() > decimals as usize {
            return Err(MoneyError::TooManyDecimals { currency, decimals });
        }
        let whole_value: i64 = if whole.is_empty() {
            0
        } else {
            whole.trim_start_matches('0').parse::<i64>().or_else(|_| {
                if whole.bytes().all(|b| b == b'0') {
                    Ok(0)
                } else {
                    Err(MoneyError::TooLarge)
                }
            })?
        };
        let mut fraction_value: i64 = 0;
        for i in 0..decimals as usize {
            let digit = significant
                .as_bytes()
                .get(i)
                .map_or(0, |b| i64::from(b - b'0'));
            fraction_value = fraction_value * 10 + digit;
        }
        let minor = whole_value
            .checked_mul(currency.scale())
            .and_then(|m| m.checked_add(fraction_value))
            .ok_or(MoneyError::TooLarge)?;
        if minor <= 0 {
            return Err(MoneyError::NotPositive);
        }
        Ok(Money { minor, currency })
    }

    /// The amount as a decimal string with exactly the currency's decimals, e.g. "1000.00"
    /// or "-1000.00"; the form the Agreement API and its events use.
    pub fn decimal_string(&self) -> String {
        let scale = self.currency.scale();
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        let decimals = self.currency.decimals() as usize;
        if decimals == 0 {
            format!("{sign}{abs}")
        } else {
            let scale = scale as u64;
            format!(
                "{sign}{}.{:0width$}",
                abs / scale,
                abs % scale,
                width = decimals
            )
        }
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        self.minor
            .checked_add(other.minor)
            .map(|minor| Money { minor, ..self })
            .ok_or(MoneyError::TooLarge)
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        self.minor
            .checked_sub(other.minor)
            .map(|minor| Money { minor, ..self })
            .ok_or(MoneyError::TooLarge)
    }

    pub fn negated(self) -> Money {
        Money {
            minor: -self.minor,
            ..self
        }
    }

    fn same_currency(&self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch(self.currency, other.currency))
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.decimal_string(), self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_whole_and_fractional_amounts_into_minor_units() {
        assert_eq!(
            Money::parse_positive("1000", Currency::USD).unwrap().minor,
            100_000
        );
        assert_eq!(
            Money::parse_positive("12.5", Currency::USD).unwrap().minor,
            1250
        );
        assert_eq!(
            Money::parse_positive(".05", Currency::USD).unwrap().minor,
            5
        );
        assert_eq!(
            Money::parse_positive("300", Currency::JPY).unwrap().minor,
            300
        );
    }

    #[test]
    fn trailing_zeros_beyond_the_currency_decimals_are_accepted() {
        assert_eq!(
            Money::parse_positive("1.50000000", Currency::USD)
                .unwrap()
                .minor,
            150
        );
        assert_eq!(
            Money::parse_positive("300.00", Currency::JPY)
                .unwrap()
                .minor,
            300
        );
    }

    #[test]
    fn more_decimals_than_the_currency_has_is_refused_not_rounded() {
        assert_eq!(
            Money::parse_positive("1.005", Currency::USD),
            Err(MoneyError::TooManyDecimals {
                currency: Currency::USD,
                decimals: 2
            })
        );
        assert!(matches!(
            Money::parse_positive("1.5", Currency::JPY),
            Err(MoneyError::TooManyDecimals { .. })
        ));
    }

    #[test]
    fn zero_negative_and_garbage_are_refused() {
        assert_eq!(
            Money::parse_positive("0.00", Currency::USD),
            Err(MoneyError::NotPositive)
        );
        assert_eq!(
            Money::parse_positive("-5", Currency::USD),
            Err(MoneyError::NotANumber)
        );
        assert_eq!(
            Money::parse_positive("1e3", Currency::USD),
            Err(MoneyError::NotANumber)
        );
        assert_eq!(
            Money::parse_positive("", Currency::USD),
            Err(MoneyError::Empty)
        );
        assert_eq!(
            Money::parse_positive(".", Currency::USD),
            Err(MoneyError::NotANumber)
        );
        assert_eq!(
            Money::parse_positive("99999999999999999999", Currency::USD),
            Err(MoneyError::TooLarge)
        );
    }

    #[test]
    fn formats_with_the_currency_decimals_and_sign() {
        assert_eq!(
            Money::new(100_000, Currency::USD).decimal_string(),
            "1000.00"
        );
        assert_eq!(
            Money::new(-100_000, Currency::USD).decimal_string(),
            "-1000.00"
        );
        assert_eq!(Money::new(5, Currency::EUR).decimal_string(), "0.05");
        assert_eq!(Money::new(-300, Currency::JPY).decimal_string(), "-300");
    }

    #[test]
    fn arithmetic_across_currencies_is_refused() {
        let usd = Money::new(1, Currency::USD);
        let eur = Money::new(1, Currency::EUR);
        assert_eq!(
            usd.checked_add(eur),
            Err(MoneyError::CurrencyMismatch(Currency::USD, Currency::EUR))
        );
    }

    proptest! {
        #[test]
        fn formatting_then_parsing_gives_back_the_same_amount(
            minor in 1i64..1_000_000_000_000,
            currency in proptest::sample::select(Currency::ALL.to_vec()),
        ) {
            let money = Money::new(minor, currency);
            prop_assert_eq!(Money::parse_positive(&money.decimal_string(), currency), Ok(money));
        }

        #[test]
        fn parsing_never_panics(text in ".{0,40}") {
            let _ = Money::parse_positive(&text, Currency::USD);
        }
    }
}
