//! The stored format: every record is kept under its own key in an envelope that names the
//! format version and the record's own version (for compare-and-set between tabs). Decoding
//! is strict: anything this version of the app would not have written itself is refused
//! with a reason, so that the loader can move it aside instead of trusting it.
//!
//! Format 1 held the record as plain JSON, bus events included:
//! `{"format":1,"version":3,"data":{…}}`. Format 2 leaves the events out (the core rebuilds
//! them) and packs the JSON (see `packed`): `{"format":2,"version":3,"packed":"…"}`. Both
//! are read; migrations work on the plain JSON, so packing is only how a format spells it.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;
use workbench_core::book::BrokenRecordRule;
use workbench_core::families::alibaba::BrokenAlibabaRule;
use workbench_core::families::devpay::BrokenDevPayRule;
use workbench_core::families::fps::BrokenFpsRule;

use super::packed::{self, UnpackError};

/// The format this version of the app writes. Raise it with a migration in `MIGRATIONS`.
pub const FORMAT: u32 = 2;

/// Upgrades, in order: `MIGRATIONS[i]` turns a format `i + 1` envelope into format `i + 2`.
/// Format 1 is the first; the list grows with every change of the stored shape.
const MIGRATIONS: &[Migration] = &[events_are_rebuilt];

/// 1 → 2: an agreement record's events are no longer stored but rebuilt from its requests
/// and adjustments. The rebuilt events say the same, under IDs derived from what they
/// report instead of the random ones format 1 kept.
fn events_are_rebuilt(mut envelope: Value) -> Result<Value, MigrationError> {
    if let Some(data) = envelope.get_mut("data").and_then(Value::as_object_mut) {
        if data.contains_key("agreement") {
            data.remove("events")
                .ok_or(MigrationError::AgreementWithoutEvents)?;
        }
    }
    Ok(envelope)
}

/// Turns one format's envelope into the next format's, or says why it cannot.
type Migration = fn(Value) -> Result<Value, MigrationError>;

/// What a stored envelope lacks that its format's migration needs: the rule of that
/// format it breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum MigrationError {
    #[error("an agreement record of format 1 has its events")]
    AgreementWithoutEvents,
}

/// A stored record's rules beyond its shape, such as "refunded never above charged".
pub trait Checked {
    fn check(&self) -> Result<(), BrokenRule>;
}

/// The rule a stored record breaks, in the words of its kind's own check.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BrokenRule {
    #[error(transparent)]
    Agreement(#[from] BrokenRecordRule),
    #[error(transparent)]
    Fps(#[from] BrokenFpsRule),
    #[error(transparent)]
    DevPay(#[from] BrokenDevPayRule),
    #[error(transparent)]
    Alibaba(#[from] BrokenAlibabaRule),
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope<T> {
    format: u32,
    version: u64,
    data: T,
}

/// How format 2 and later spell an envelope: the data's JSON, packed.
#[derive(Serialize)]
struct Packed<'a> {
    format: u32,
    version: u64,
    packed: &'a str,
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
    Invariant(BrokenRule),
    #[error("its content breaks a rule: it is stored under {key_id} but holds {held}")]
    Misfiled { key_id: String, held: String },
    #[error("its packed content is damaged: {0}")]
    Packed(#[from] UnpackError),
    #[error("upgrading it from format {from} failed: {why}")]
    Migration { from: u32, why: MigrationError },
}

/// The record and its version, as decoded from stored text.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded<T> {
    pub version: u64,
    pub data: T,
}

pub fn encode<T: Serialize>(version: u64, data: &T) -> String {
    let json = serde_json::to_string(data)
        .expect("records serialise to JSON: no maps with non-string keys, no failing Serialize");
    serde_json::to_string(&Packed {
        format: FORMAT,
        version,
        packed: &packed::pack(&json),
    })
    .expect("an envelope of numbers and a string serialises")
}

/// The plain envelope of a packed one: `{format, version, data}`, data unpacked.
fn unpacked(value: Value) -> Result<Value, DecodeError> {
    let Value::Object(mut fields) = value else {
        return Err(DecodeError::Shape("it is not an object".into()));
    };
    let text = fields
        .remove("packed")
        .ok_or_else(|| DecodeError::Shape("it has no packed data".into()))?;
    let text = text
        .as_str()
        .ok_or_else(|| DecodeError::Shape("its packed data is not text".into()))?;
    if fields.keys().any(|k| k != "format" && k != "version") {
        return Err(DecodeError::UnknownFields);
    }
    let json = packed::unpack(text)?;
    let data: Value =
        serde_json::from_str(&json).map_err(|e| DecodeError::NotJson(e.to_string()))?;
    fields.insert("data".into(), data);
    Ok(Value::Object(fields))
}

/// The record of a text in the current format whose data is exactly what `encode` writes
/// for the record it holds; `None` for anything else, which `decode` then reads
/// `through_values`, to accept it or say why not. Both ways accept such a text and read
/// the same record from it, but the long way also copies the tree of values, writes the
/// record back into another and compares the two, where this compares the record written
/// back as text with the text: at 10,000 agreements, half of what opening the workbench
/// cost.
pub(super) fn as_this_version_writes<T: Serialize + DeserializeOwned + Checked>(
    text: &str,
) -> Option<Decoded<T>> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Outer<'a> {
        format: u32,
        version: u64,
        #[serde(borrow)]
        packed: std::borrow::Cow<'a, str>,
    }
    let outer: Outer = serde_json::from_str(text).ok()?;
    if outer.format != FORMAT {
        return None;
    }
    let json = packed::unpack(&outer.packed).ok()?;
    // Through a JSON value, as the long way reads: reading text straight into each kind of
    // record would put every record's reading in the bundle a second time.
    let value: Value = serde_json::from_str(&json).ok()?;
    let data: T = serde_json::from_value(value).ok()?;
    if serde_json::to_string(&data).ok()? != json || data.check().is_err() {
        return None;
    }
    Some(Decoded {
        version: outer.version,
        data,
    })
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

/// A stored text with its data changed by `edit` and packed again, as damage from outside
/// the app would leave it: for tests of what the loader does with it.
#[cfg(test)]
pub fn edit_data(text: &str, edit: impl FnOnce(&mut Value)) -> String {
    let mut plain = unpacked(serde_json::from_str(text).unwrap()).unwrap();
    edit(&mut plain["data"]);
    let packed = packed::pack(&plain["data"].to_string());
    plain.as_object_mut().unwrap().remove("data");
    plain["packed"] = Value::from(packed);
    plain.to_string()
}

pub fn decode<T: Serialize + DeserializeOwned + Checked>(
    text: &str,
) -> Result<Decoded<T>, DecodeError> {
    match as_this_version_writes::<T>(text) {
        Some(decoded) => Ok(decoded),
        None => through_values(text),
    }
}

/// Every text's reading: through JSON values, which migrations edit and which the record,
/// written back, must equal.
pub(super) fn through_values<T: Serialize + DeserializeOwned + Checked>(
    text: &str,
) -> Result<Decoded<T>, DecodeError> {
    let mut value: Value =
        serde_json::from_str(text).map_err(|e| DecodeError::NotJson(e.to_string()))?;
    let format = claimed_format(&value)?;
    if format > FORMAT {
        return Err(DecodeError::NewerFormat(format));
    }
    if format >= 2 {
        value = unpacked(value)?;
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
    use workbench_core::adjustment::BrokenInvoiceRule;
    use workbench_core::ids::InvoiceId;

    use super::*;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Invoice {
        charged: i64,
        refunded: i64,
    }

    /// The rule a test invoice breaks, as an agreement's invoice would.
    fn more_refunded_than_charged() -> BrokenRule {
        let id = InvoiceId::parse("inv-1").unwrap();
        BrokenRecordRule::from(BrokenInvoiceRule::RefundedAboveCharge(id)).into()
    }

    impl Checked for Invoice {
        fn check(&self) -> Result<(), BrokenRule> {
            if self.refunded > self.charged {
                Err(more_refunded_than_charged())
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
    fn a_record_written_otherwise_to_the_same_effect_is_read_the_long_way_alike() {
        let reordered = serde_json::to_string(&Packed {
            format: FORMAT,
            version: 3,
            packed: &packed::pack(r#"{"refunded":40, "charged":100}"#),
        })
        .unwrap();
        assert_eq!(as_this_version_writes::<Invoice>(&reordered), None);
        assert_eq!(decode::<Invoice>(&reordered), decode::<Invoice>(&good()));
        let broken = encode(
            3,
            &Invoice {
                charged: 10,
                refunded: 40,
            },
        );
        assert_eq!(as_this_version_writes::<Invoice>(&broken), None);
        assert!(matches!(
            decode::<Invoice>(&broken),
            Err(DecodeError::Invariant(_))
        ));
    }

    #[test]
    fn truncated_and_non_json_text_is_refused() {
        let text = good();
        let cut: String = text.chars().take(text.chars().count() - 3).collect();
        assert!(matches!(
            decode::<Invoice>(&cut),
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
        let text = r#"{"format":3,"version":1,"data":{"charged":1,"refunded":0}}"#;
        assert_eq!(decode::<Invoice>(text), Err(DecodeError::NewerFormat(3)));
        assert_eq!(format_of(text), Ok(3));
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
            Err(DecodeError::Invariant(more_refunded_than_charged()))
        );
    }

    #[test]
    fn a_broken_rule_reads_in_the_words_of_its_records_own_check() {
        assert_eq!(
            DecodeError::Invariant(more_refunded_than_charged()).to_string(),
            "its content breaks a rule: invoice inv-1 refunded more than it charged"
        );
        let fps = BrokenFpsRule::RefundedAboveLastPayment("fps-1".into());
        assert_eq!(
            DecodeError::Invariant(fps.into()).to_string(),
            "its content breaks a rule: FPS subscription fps-1 refunded more than its last payment"
        );
        let misfiled = DecodeError::Misfiled {
            key_id: "agmt-1".into(),
            held: "agmt-2".into(),
        };
        assert_eq!(
            misfiled.to_string(),
            "its content breaks a rule: it is stored under agmt-1 but holds agmt-2"
        );
    }

    #[test]
    fn the_current_format_is_packed_and_says_its_format_and_version_in_clear() {
        let text = good();
        assert!(
            text.starts_with(r#"{"format":2,"version":3,"packed":""#),
            "{text}"
        );
        assert!(!text.contains("charged"));
    }

    #[test]
    fn a_packed_envelope_with_more_fields_or_damaged_packing_is_refused() {
        let text = good().replacen(r#""version":3,"#, r#""version":3,"extra":1,"#, 1);
        assert_eq!(decode::<Invoice>(&text), Err(DecodeError::UnknownFields));
        let text = r#"{"format":2,"version":3,"packed":"abc"}"#;
        assert!(matches!(
            decode::<Invoice>(text),
            Err(DecodeError::Packed(_))
        ));
        let text = r#"{"format":2,"version":3}"#;
        assert!(matches!(
            decode::<Invoice>(text),
            Err(DecodeError::Shape(_))
        ));
    }

    /// Written by the app when format 1 was current: the demo's agreement with the most
    /// history, bus events included.
    const FORMAT_1_AGREEMENT: &str = include_str!("../../tests/fixtures/format-1-agreement.json");

    #[test]
    fn a_format_1_agreement_reads_through_every_migration_with_the_same_facts() {
        use workbench_core::book::AgreementRecord;
        let decoded: Decoded<AgreementRecord> = decode(FORMAT_1_AGREEMENT).unwrap();
        assert_eq!(decoded.version, 5);
        let old: Value = serde_json::from_str(FORMAT_1_AGREEMENT).unwrap();
        let old_events = old["data"]["events"].as_array().unwrap();
        let record = &decoded.data;
        assert_eq!(record.event_count(), old_events.len());
        for (rebuilt, old) in record.events().zip(old_events) {
            let mut rebuilt = serde_json::to_value(rebuilt).unwrap();
            let mut old = old.clone();
            for event in [&mut rebuilt, &mut old] {
                event["id"] = Value::Null;
                event["detail"]["requestId"] = Value::Null;
            }
            assert_eq!(rebuilt, old, "the same event, under a derived ID");
        }
        let mut without_events = old["data"].clone();
        without_events.as_object_mut().unwrap().remove("events");
        assert_eq!(serde_json::to_value(record).unwrap(), without_events);
        let again: Decoded<AgreementRecord> = decode(&encode(5, record)).unwrap();
        assert_eq!(&again.data, record);
    }

    #[test]
    fn a_format_1_agreement_without_its_events_is_refused() {
        let mut old: Value = serde_json::from_str(FORMAT_1_AGREEMENT).unwrap();
        old["data"].as_object_mut().unwrap().remove("events");
        let result = decode::<workbench_core::book::AgreementRecord>(&old.to_string());
        assert_eq!(
            result,
            Err(DecodeError::Migration {
                from: 1,
                why: MigrationError::AgreementWithoutEvents
            })
        );
        assert_eq!(
            result.unwrap_err().to_string(),
            "upgrading it from format 1 failed: an agreement record of format 1 has its events"
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
