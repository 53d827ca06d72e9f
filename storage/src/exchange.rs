//! Everything in one JSON file: the export a person keeps, the import that brings it back
//! (checked whole before anything is replaced), and the archive of closed cases.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;
use workbench_core::book::Book;
use workbench_link::clock::SimulatedClock;

use super::codec::{Checked, FORMAT};

/// Names the app in every file, so that an unrelated JSON file is told apart.
const APP: &str = "cancellation-workbench";

/// Files larger than this are refused before they are read: far above the whole quota.
pub const FILE_MAX_BYTES: usize = 64 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Exported {
    app: String,
    format: u32,
    exported_at: DateTime<Utc>,
    clock: SimulatedClock,
    book: Book,
}

/// A file read and checked, ready to replace what this browser holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub book: Book,
    pub clock: SimulatedClock,
    pub exported_at: DateTime<Utc>,
}

/// Why a file cannot be imported, in words for the person who chose it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ImportError {
    #[error("This file is not readable JSON ({0}). Choose a file the workbench exported.")]
    NotJson(String),
    #[error("This file was not exported by the cancellation workbench.")]
    NotOurs,
    #[error("This file was exported by a newer version of the workbench (format {0}); this version cannot read it.")]
    Newer(u64),
    #[error("This file is in format {0}, which this version of the workbench does not import.")]
    Unsupported(u64),
    #[error("This file's content is not what the workbench exports ({0}).")]
    Shape(String),
    #[error("This file holds fields this version of the workbench does not know.")]
    UnknownFields,
    #[error("This file breaks a rule and was not imported: {0}.")]
    Invariant(String),
    #[error("This file is larger than {} MB, far more than a browser can store.", FILE_MAX_BYTES / (1024 * 1024))]
    TooLarge,
}

/// Everything the book and clock hold, as one file.
pub fn export(book: &Book, clock: &SimulatedClock, now: DateTime<Utc>) -> String {
    serde_json::to_string(&Exported {
        app: APP.into(),
        format: FORMAT,
        exported_at: now,
        clock: *clock,
        book: book.clone(),
    })
    .expect("a book serialises to JSON")
}

/// Reads an exported file, strictly: anything this app would not have written is refused
/// with the reason, and nothing is replaced.
pub fn read(text: &str) -> Result<Imported, ImportError> {
    if text.len() > FILE_MAX_BYTES {
        return Err(ImportError::TooLarge);
    }
    let value: Value =
        serde_json::from_str(text).map_err(|e| ImportError::NotJson(e.to_string()))?;
    if value.get("app").and_then(Value::as_str) != Some(APP) {
        return Err(ImportError::NotOurs);
    }
    let format = value.get("format").and_then(Value::as_u64).unwrap_or(0);
    if format > u64::from(FORMAT) {
        return Err(ImportError::Newer(format));
    }
    if format != u64::from(FORMAT) {
        return Err(ImportError::Unsupported(format));
    }
    let exported: Exported =
        serde_json::from_value(value.clone()).map_err(|e| ImportError::Shape(e.to_string()))?;
    // As in storage: what serde skipped shows when the file is written back and compared.
    let rewritten =
        serde_json::to_value(&exported).map_err(|e| ImportError::Shape(e.to_string()))?;
    if rewritten != value {
        return Err(ImportError::UnknownFields);
    }
    check(&exported.book)?;
    Ok(Imported {
        book: exported.book,
        clock: exported.clock,
        exported_at: exported.exported_at,
    })
}

fn check(book: &Book) -> Result<(), ImportError> {
    let broken = |what: String| ImportError::Invariant(what);
    for (id, v) in book.records() {
        if &v.record.agreement.id != id {
            return Err(broken(format!("agreement {id} is filed under another ID")));
        }
        Checked::check(&v.record).map_err(|e| broken(format!("agreement {id}: {e}")))?;
    }
    for (id, v) in book.fps() {
        Checked::check(&v.record).map_err(|e| broken(format!("FPS subscription {id}: {e}")))?;
    }
    for (id, v) in book.devpay() {
        Checked::check(&v.record).map_err(|e| broken(format!("DevPay subscription {id}: {e}")))?;
    }
    for (id, v) in book.alibaba() {
        Checked::check(&v.record).map_err(|e| broken(format!("Alibaba Cloud order {id}: {e}")))?;
    }
    Ok(())
}

/// What a book holds, in words: for the preview of what an import replaces.
pub fn summary(book: &Book) -> String {
    let requests: usize = book
        .records()
        .values()
        .map(|v| v.record.requests.len())
        .sum();
    let adjustments: usize = book
        .records()
        .values()
        .map(|v| v.record.adjustments.len())
        .sum();
    let families = book.fps().len() + book.devpay().len() + book.alibaba().len();
    format!(
        "{} agreements with {requests} cancellation requests and {adjustments} billing adjustments, {families} subscriptions of the other families and {} support cases",
        book.records().len(),
        book.support_cases().len()
    )
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use workbench_core::demo;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
    }

    #[test]
    fn an_export_imports_back_the_same_book_and_clock() {
        let book = demo::demo_book(now());
        let clock = SimulatedClock::default().advanced(chrono::Duration::days(1));
        let imported = read(&export(&book, &clock, now())).unwrap();
        assert_eq!(imported.book, book);
        assert_eq!(imported.clock, clock);
        assert_eq!(imported.exported_at, now());
        assert!(summary(&book).starts_with(&format!("{} agreements", book.records().len())));
    }

    fn edited(edit: impl FnOnce(&mut Value)) -> String {
        let mut value: Value = serde_json::from_str(&export(
            &demo::demo_book(now()),
            &SimulatedClock::default(),
            now(),
        ))
        .unwrap();
        edit(&mut value);
        value.to_string()
    }

    #[test]
    fn anything_the_app_would_not_have_exported_is_refused_with_the_reason() {
        assert!(matches!(read("{\"app\":"), Err(ImportError::NotJson(_))));
        assert_eq!(read("{\"name\":\"other\"}"), Err(ImportError::NotOurs));
        assert_eq!(
            read(&edited(|v| v["format"] = 9.into())),
            Err(ImportError::Newer(9))
        );
        assert_eq!(
            read(&edited(|v| v["format"] = 1.into())),
            Err(ImportError::Unsupported(1))
        );
        assert!(matches!(
            read(&edited(|v| {
                v["book"].as_object_mut().unwrap().remove("records");
            })),
            Err(ImportError::Shape(_))
        ));
        assert_eq!(
            read(&edited(|v| v["book"]["directory"]["extra"] = true.into())),
            Err(ImportError::UnknownFields)
        );
        let over_refunded = edited(|v| {
            let records = v["book"]["records"].as_object_mut().unwrap();
            let first = records.values_mut().next().unwrap();
            let invoice = &mut first["record"]["invoices"][0];
            invoice["refunded_minor"] = (invoice["charged_minor"].as_i64().unwrap() + 1).into();
        });
        assert!(matches!(
            read(&over_refunded),
            Err(ImportError::Invariant(_))
        ));
        let misfiled = edited(|v| {
            let records = v["book"]["records"].as_object_mut().unwrap();
            let (key, record) = records
                .iter()
                .next()
                .map(|(k, r)| (k.clone(), r.clone()))
                .unwrap();
            records.remove(&key);
            records.insert("agmt-elsewhere".into(), record);
        });
        assert!(matches!(read(&misfiled), Err(ImportError::Invariant(_))));
    }
}
