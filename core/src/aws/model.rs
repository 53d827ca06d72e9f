//! The AWS SDK's service model of the Agreement API, embedded: the browser checks a file
//! offline, so the shapes travel with the app. It is the same file the tests check the
//! export against (`core/tests/fixtures/agreement-api-shapes.json`, taken from botocore),
//! read once per use, and a small checker of JSON values against its shapes: types,
//! required members, enums, lengths, ranges and patterns.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;
use thiserror::Error;

use super::pattern::Pattern;
use super::Operation;

const MODEL: &str = include_str!("../../tests/fixtures/agreement-api-shapes.json");

/// The part of the service model the workbench embeds.
#[derive(Debug)]
pub struct Model {
    shapes: BTreeMap<String, Shape>,
    operations: BTreeMap<String, OperationShapes>,
}

/// An operation's input and output shapes, and whether the CLI pages through it.
#[derive(Debug, Deserialize)]
struct OperationShapes {
    input: String,
    output: String,
    #[serde(default)]
    paginated: bool,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum Shape {
    Structure {
        members: BTreeMap<String, Member>,
        #[serde(default)]
        required: Vec<String>,
        /// A union (the accepted terms: each is one kind of term) holds exactly one member.
        #[serde(default)]
        union: bool,
    },
    List {
        member: Member,
        min: Option<usize>,
        max: Option<usize>,
    },
    String {
        min: Option<usize>,
        max: Option<usize>,
        #[serde(default, deserialize_with = "pattern")]
        pattern: Option<Pattern>,
        #[serde(rename = "enum")]
        values: Option<Vec<String>>,
    },
    Integer {
        min: Option<i64>,
        max: Option<i64>,
    },
    Timestamp,
    Boolean,
}

#[derive(Debug, Deserialize)]
struct Member {
    shape: String,
}

fn pattern<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Pattern>, D::Error> {
    let text = String::deserialize(d)?;
    Pattern::parse(&text)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

/// Where a value breaks the model: the path of the field, and why.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{path}: {problem}")]
pub struct ShapeError {
    /// As a person would point at it: `agreementViewSummaries[2].status`.
    pub path: String,
    pub problem: Problem,
}

/// What is wrong with one field.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Problem {
    #[error("is {found}, where the model has {expected}")]
    WrongType {
        expected: &'static str,
        found: &'static str,
    },
    #[error("is required and missing")]
    Missing,
    #[error("holds {count} of its fields, where the model has exactly one (it is a union)")]
    NotOneOfUnion { count: usize },
    #[error("is not a field of {shape} in the service model")]
    Unknown { shape: String },
    #[error("{value:?} is not one of {}", .allowed.join(", "))]
    NotOneOf { value: String, allowed: Vec<String> },
    #[error("has {length} characters; the model allows {}", range(*.min, *.max))]
    Length {
        length: usize,
        min: Option<usize>,
        max: Option<usize>,
    },
    #[error("holds {length} items; the model allows {}", range(*.min, *.max))]
    Items {
        length: usize,
        min: Option<usize>,
        max: Option<usize>,
    },
    #[error("{value:?} does not match the model's pattern {pattern}")]
    Pattern { value: String, pattern: String },
    #[error("is {value}; the model allows {}", range(*.min, *.max))]
    OutOfRange {
        value: String,
        min: Option<i64>,
        max: Option<i64>,
    },
    #[error("{value} is not a time: the AWS CLI writes epoch seconds (version 1) or ISO 8601 text (version 2)")]
    NotATime { value: String },
}

fn range<T: std::fmt::Display>(min: Option<T>, max: Option<T>) -> String {
    match (min, max) {
        (Some(min), Some(max)) => format!("{min} to {max}"),
        (Some(min), None) => format!("at least {min}"),
        (None, Some(max)) => format!("at most {max}"),
        (None, None) => "any".into(),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// How a file spelled its times: the AWS CLI's version 1 writes epoch seconds, version 2
/// ISO 8601 text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeStyle {
    EpochSeconds,
    Iso8601,
}

/// Reads a time as either version of the AWS CLI prints it, to the millisecond (AWS keeps
/// no finer, and an epoch float carries rounding noise below it, which would otherwise
/// make the same moment differ between a version 1 and a version 2 file).
pub fn time(value: &Value) -> Option<(DateTime<Utc>, TimeStyle)> {
    let (millis, style) = match value {
        Value::Number(n) => {
            let millis = match n.as_i64() {
                Some(seconds) => seconds.checked_mul(1000)?,
                None => {
                    let millis = (n.as_f64()? * 1000.0).round();
                    // Within chrono's range, so the cast cannot saturate into a wrong time.
                    (millis.abs() < 8.0e15).then_some(millis as i64)?
                }
            };
            (millis, TimeStyle::EpochSeconds)
        }
        Value::String(text) => (
            DateTime::parse_from_rfc3339(text).ok()?.timestamp_millis(),
            TimeStyle::Iso8601,
        ),
        _ => return None,
    };
    Some((DateTime::from_timestamp_millis(millis)?, style))
}

impl Model {
    /// The embedded model. Its shapes and patterns are checked by the tests, so reading it
    /// cannot fail in the app.
    pub fn embedded() -> Model {
        #[derive(Deserialize)]
        struct File {
            operations: BTreeMap<String, OperationShapes>,
            shapes: BTreeMap<String, Shape>,
        }
        let file: File = serde_json::from_str(MODEL)
            .expect("the embedded service model is read by the tests, patterns included");
        Model {
            shapes: file.shapes,
            operations: file.operations,
        }
    }

    fn operation(&self, operation: Operation) -> &OperationShapes {
        &self.operations[operation.code()]
    }

    /// The name of the operation's input shape.
    pub fn input_of(&self, operation: Operation) -> &str {
        &self.operation(operation).input
    }

    /// The name of the operation's output shape.
    pub fn output_of(&self, operation: Operation) -> &str {
        &self.operation(operation).output
    }

    /// Whether the CLI pages through the operation, adding `NextToken` to its output when
    /// it stops before the last page.
    pub fn paginated(&self, operation: Operation) -> bool {
        self.operation(operation).paginated
    }

    /// The member names of a structure shape.
    pub fn members(&self, shape: &str) -> Vec<&str> {
        match &self.shapes[shape] {
            Shape::Structure { members, .. } => members.keys().map(String::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// The shape of a structure's member, or of a list's items (`member` `None`).
    pub fn inner(&self, shape: &str, member: Option<&str>) -> Option<&str> {
        match (&self.shapes[shape], member) {
            (Shape::Structure { members, .. }, Some(name)) => {
                members.get(name).map(|m| m.shape.as_str())
            }
            (Shape::List { member, .. }, None) => Some(&member.shape),
            _ => None,
        }
    }

    /// Every way `value` breaks `shape`, each with the path of its field under `path`.
    pub fn check(&self, shape: &str, value: &Value, path: &str) -> Vec<ShapeError> {
        let mut problems = Vec::new();
        self.check_into(shape, value, path, &mut problems);
        problems
    }

    fn check_into(&self, name: &str, value: &Value, path: &str, out: &mut Vec<ShapeError>) {
        let mut problem = |problem: Problem| {
            out.push(ShapeError {
                path: path.to_string(),
                problem,
            })
        };
        let wrong = |expected| Problem::WrongType {
            expected,
            found: kind(value),
        };
        match &self.shapes[name] {
            Shape::Structure {
                members,
                required,
                union,
            } => {
                let Some(object) = value.as_object() else {
                    return problem(wrong("an object"));
                };
                if *union && object.len() != 1 {
                    problem(Problem::NotOneOfUnion {
                        count: object.len(),
                    });
                }
                for (key, field) in object {
                    let at = join(path, key);
                    match members.get(key) {
                        Some(member) => self.check_into(&member.shape, field, &at, out),
                        None => out.push(ShapeError {
                            path: at,
                            problem: Problem::Unknown {
                                shape: name.to_string(),
                            },
                        }),
                    }
                }
                for key in required.iter().filter(|key| !object.contains_key(*key)) {
                    out.push(ShapeError {
                        path: join(path, key),
                        problem: Problem::Missing,
                    });
                }
            }
            Shape::List { member, min, max } => {
                let Some(items) = value.as_array() else {
                    return problem(wrong("a list"));
                };
                if min.is_some_and(|min| items.len() < min) || max.is_some_and(|m| items.len() > m)
                {
                    problem(Problem::Items {
                        length: items.len(),
                        min: *min,
                        max: *max,
                    });
                }
                for (i, item) in items.iter().enumerate() {
                    self.check_into(&member.shape, item, &format!("{path}[{i}]"), out);
                }
            }
            Shape::String {
                min,
                max,
                pattern,
                values,
            } => {
                let Some(text) = value.as_str() else {
                    return problem(wrong("text"));
                };
                if let Some(allowed) = values {
                    if !allowed.iter().any(|v| v == text) {
                        return problem(Problem::NotOneOf {
                            value: text.to_string(),
                            allowed: allowed.clone(),
                        });
                    }
                }
                let length = text.chars().count();
                if min.is_some_and(|min| length < min) || max.is_some_and(|max| length > max) {
                    return problem(Problem::Length {
                        length,
                        min: *min,
                        max: *max,
                    });
                }
                if let Some(pattern) = pattern.as_ref().filter(|p| !p.matches(text)) {
                    problem(Problem::Pattern {
                        value: text.to_string(),
                        pattern: pattern.to_string(),
                    });
                }
            }
            Shape::Integer { min, max } => {
                let Some(number) = value.as_i64() else {
                    return problem(wrong("a whole number"));
                };
                if min.is_some_and(|min| number < min) || max.is_some_and(|max| number > max) {
                    problem(Problem::OutOfRange {
                        value: number.to_string(),
                        min: *min,
                        max: *max,
                    });
                }
            }
            Shape::Boolean => {
                if !value.is_boolean() {
                    problem(wrong("true or false"));
                }
            }
            Shape::Timestamp => {
                if time(value).is_none() {
                    problem(Problem::NotATime {
                        value: value.to_string(),
                    });
                }
            }
        }
    }
}

/// `parent.key`, or just `key` at the top of a file.
pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_embedded_model_reads_and_names_every_operation_the_workbench_uses() {
        let model = Model::embedded();
        for operation in Operation::ALL {
            assert!(model.shapes.contains_key(model.input_of(operation)));
            assert!(model.shapes.contains_key(model.output_of(operation)));
        }
        assert!(model.paginated(Operation::SearchAgreements));
        assert!(!model.paginated(Operation::DescribeAgreement));
    }

    #[test]
    fn a_wrong_enum_value_names_the_field_and_the_values_allowed() {
        let model = Model::embedded();
        let file = json!({"agreementViewSummaries": [{}, {}, {"status": "Cancelled"}]});
        let problems = model.check("SearchAgreementsOutput", &file, "");
        assert_eq!(
            problems[0].to_string(),
            "agreementViewSummaries[2].status: \"Cancelled\" is not one of ACTIVE, ARCHIVED, \
             CANCELLED, EXPIRED, RENEWED, REPLACED, ROLLED_BACK, SUPERSEDED, TERMINATED"
        );
    }

    #[test]
    fn missing_unknown_mistyped_and_out_of_range_fields_are_each_named() {
        let model = Model::embedded();
        let file = json!({
            "items": [{"billingAdjustmentRequestId": "ba-1", "extra": 1, "createdAt": true}]
        });
        let problems: Vec<String> = model
            .check("ListBillingAdjustmentRequestsOutput", &file, "")
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(
            problems.contains(
                &"items[0].extra: is not a field of BillingAdjustmentSummary in the service model"
                    .into()
            ),
            "{problems:?}"
        );
        assert!(problems.contains(&"items[0].currencyCode: is required and missing".into()));
        assert!(problems
            .iter()
            .any(|p| p.starts_with("items[0].createdAt: true is not a time")));
        let period = json!({"month": 13, "year": 2030});
        assert_eq!(
            model.check("InvoiceBillingPeriod", &period, "p")[0].to_string(),
            "p.month: is 13; the model allows 1 to 12"
        );
    }

    #[test]
    fn times_are_read_as_both_cli_versions_print_them_to_the_millisecond() {
        let iso = time(&json!("2025-01-01T13:12:22.123000+00:00")).unwrap();
        let epoch = time(&json!(1735737142.123)).unwrap();
        assert_eq!(iso.0, epoch.0);
        assert_eq!(
            (iso.1, epoch.1),
            (TimeStyle::Iso8601, TimeStyle::EpochSeconds)
        );
        assert_eq!(
            time(&json!(1735737142)).unwrap().0,
            time(&json!("2025-01-01T14:12:22+01:00")).unwrap().0
        );
        assert!(time(&json!("yesterday")).is_none());
        assert!(time(&json!(1e300)).is_none());
    }
}
