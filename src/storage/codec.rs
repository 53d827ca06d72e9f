//! The stored format: every record is kept under its own key in an envelope that names the
//! format version and the record's own version (for compare-and-set between tabs). Decoding
//! is strict: anything this version of the app would not have written itself is refused
//! with a reason, so that the loader can move it aside instead of trusting it.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;

/// The format this version of the app writes. Raise it with a migration in `MIGRATIONS`.
pub const FORMAT: u32 = 1;

/// Upgrades, in order: `MIGRATIONS[i]` turns a format `i + 1` envelope into format `i + 2`.
/// Format 1 is the first; the list grows with every change of the stored shape.
const MIGRATIONS: &[Migration] = &[];

/// Turns one format's envelope into the next format's, or says why it cannot.
type Migration = fn(Value) -> Result<Value, String>;

/// A stored record's rules beyond its shape, such as "refunded never above charged".
pub trait Checked {
    fn check(&self) -> Result<(), String>;
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope<T> {
    format: u32,
    version: u64,
    data: T,
}

/// Why a stored text could not be used, in words for the person who sees the notice.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    #[error("it is not readable JSON ({0})")]
    NotJson(String),
    #[error("it does not say which format it is in")]
    MissingFormat,
    #[error("it says it is in format {0}, which no version of the workbench wrote")]
    UnknownFormat(u64),
    #[error("it was written by a newer version of the workbench (format {0})")]
    NewerFormat(u32),
    #[error("its content is not what the workbench stores ({0})")]
    Shape(String),
    #[error("it holds fields this version of the workbench does not know")]
    UnknownFields,
    #[error("its content breaks a rule: {0}")]
    Invariant(String),
    #[error("upgrading it from format {from} failed: {why}")]
    Migration { from: u32, why: String },
}

/// The record and its version, as decoded from stored text.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded<T> {
    pub version: u64,
    pub data: T,
}

pub fn encode<T: Serialize>(version: u64, data: &T) -> String {
    serde_json::to_string(&Envelope {
        format: FORMAT,
        version,
        data,
    })
    .expect("records serialise to JSON: no maps with non-string keys, no failing Serialize")
}

/// The format a stored text claims, read without trusting the rest of it.
pub fn format_of(text: &str) -> Result<u32, DecodeError> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| DecodeError::NotJson(e.to_string()))?;
    claimed_format(&value)
}

fn claimed_format(value: &Value) -> Result<u32, DecodeError> {
    let format = value
        .get("format")
        .ok_or(DecodeError::MissingFormat)?
        .as_u64()
        .ok_or(DecodeError::MissingFormat)?;
    match u32::try_from(format) {
        Ok(0) | Err(_) => Err(DecodeError::UnknownFormat(format)),
        Ok(f) => Ok(f),
    }
}

pub fn decode<T: Serialize + DeserializeOwned + Checked>(
    text: &str,
) -> Result<Decoded<T>, DecodeError> {
    let mut value: Value =
        serde_json::from_str(text).map_err(|e| DecodeError::NotJson(e.to_string()))?;
    let format = claimed_format(&value)?;
    if format > FORMAT {
        return Err(DecodeError::NewerFormat(format));
    }
    for (from, migrate) in (format..FORMAT).zip(&MIGRATIONS[(format - 1) as usize..]) {
        value = migrate(value).map_err(|why| DecodeError::Migration { from, why })?;
        value["format"] = Value::from(from + 1);
    }
    let envelope: Envelope<T> =
        serde_json::from_value(value.clone()).map_err(|e| DecodeError::Shape(e.to_string()))?;
    // Serde skips fields it does not know; writing the record back and comparing catches
    // them, and any other content this app would not have written itself.
    let rewritten =
        serde_json::to_value(&envelope).map_err(|e| DecodeError::Shape(e.to_string()))?;
    if rewritten != value {
        return Err(DecodeError::UnknownFields);
    }
    envelope.data.check().map_err(DecodeError::Invariant)?;
    Ok(Decoded {
        version: envelope.version,
        data: envelope.data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Invoice {
        charged: i64,
        refunded: i64,
    }

    impl Checked for Invoice {
        fn check(&self) -> Result<(), String> {
            if self.refunded > self.charged {
                Err("more was refunded than charged".into())
            } else {
                Ok(())
            }
        }
    }

    fn good() -> String {
        encode(
            3,
            &Invoice {
                charged: 100,
                refunded: 40,
            },
        )
    }

    #[test]
    fn a_record_reads_back_as_written_with_its_version() {
        let decoded: Decoded<Invoice> = decode(&good()).unwrap();
        assert_eq!(decoded.version, 3);
        assert_eq!(
            decoded.data,
            Invoice {
                charged: 100,
                refunded: 40
            }
        );
    }

    #[test]
    fn truncated_and_non_json_text_is_refused() {
        let text = good();
        assert!(matches!(
            decode::<Invoice>(&text[..text.len() - 3]),
            Err(DecodeError::NotJson(_))
        ));
        assert!(matches!(
            decode::<Invoice>("hello"),
            Err(DecodeError::NotJson(_))
        ));
    }

    #[test]
    fn a_missing_or_impossible_format_is_refused() {
        let no_format = r#"{"version":1,"data":{"charged":1,"refunded":0}}"#;
        assert_eq!(
            decode::<Invoice>(no_format),
            Err(DecodeError::MissingFormat)
        );
        let zero = r#"{"format":0,"version":1,"data":{"charged":1,"refunded":0}}"#;
        assert_eq!(decode::<Invoice>(zero), Err(DecodeError::UnknownFormat(0)));
        let text = r#"{"format":"one","version":1,"data":{"charged":1,"refunded":0}}"#;
        assert_eq!(decode::<Invoice>(text), Err(DecodeError::MissingFormat));
    }

    #[test]
    fn a_newer_format_is_recognised_as_such() {
        let text = r#"{"format":2,"version":1,"data":{"charged":1,"refunded":0}}"#;
        assert_eq!(decode::<Invoice>(text), Err(DecodeError::NewerFormat(2)));
        assert_eq!(format_of(text), Ok(2));
    }

    #[test]
    fn unknown_fields_inside_or_around_the_record_are_refused() {
        let inner = r#"{"format":1,"version":1,"data":{"charged":1,"refunded":0,"bonus":5}}"#;
        assert_eq!(decode::<Invoice>(inner), Err(DecodeError::UnknownFields));
        let outer = r#"{"format":1,"version":1,"extra":true,"data":{"charged":1,"refunded":0}}"#;
        assert!(matches!(
            decode::<Invoice>(outer),
            Err(DecodeError::Shape(_))
        ));
    }

    #[test]
    fn a_missing_required_key_is_refused() {
        let text = r#"{"format":1,"version":1,"data":{"charged":1}}"#;
        assert!(matches!(
            decode::<Invoice>(text),
            Err(DecodeError::Shape(_))
        ));
    }

    #[test]
    fn a_record_that_breaks_its_rules_is_refused() {
        let text = encode(
            1,
            &Invoice {
                charged: 10,
                refunded: 11,
            },
        );
        assert_eq!(
            decode::<Invoice>(&text),
            Err(DecodeError::Invariant(
                "more was refunded than charged".into()
            ))
        );
    }

    #[test]
    fn every_format_from_the_first_reaches_the_current_one() {
        assert_eq!(MIGRATIONS.len() as u32, FORMAT - 1);
        let first = r#"{"format":1,"version":7,"data":{"charged":100,"refunded":40}}"#;
        let decoded: Decoded<Invoice> = decode(first).unwrap();
        assert_eq!(decoded.version, 7);
    }
}
