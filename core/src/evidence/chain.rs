//! A hash chain of JSON lines: any entries written one a line, each line carrying the
//! SHA-256 of the line before it, and the check that finds the first line not as written.
//! It knows lines, counts and hashes, and nothing of what the entries say.
//!
//! Each line is `{"line":N,"of":TOTAL,"prev":"<hash of line N-1>","hash":"<hash of this
//! line>","entry":<the entry as compact JSON>}`, in exactly that form. A line's `hash` is
//! the SHA-256 of its number, the total, `prev` and the entry's text as written; the first
//! line's `prev` is [`GENESIS`]. Verification hashes the entry's text as it stands in the
//! file rather than the entry read and written again: JSON numbers do not always survive
//! that trip digit for digit, and an edit to spacing inside an entry must show too.
//!
//! What verification catches, and where it points:
//! - an edited character anywhere in a line: that line (its text is no longer in the
//!   written form, or no longer matches its own hash);
//! - a line replaced by one whose own hash was recomputed: the next line, whose `prev`
//!   no longer matches;
//! - lines removed, repeated or swapped: the first line out of place (its number is not
//!   its position);
//! - a file cut short: the end, since every line says how many there should be.
//!
//! A file in which no line even resembles an evidence line is not called altered: it is
//! some other file, and the person is told so.

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

/// The `prev` of the first line: 64 zeros, the hash of nothing before it.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The most an evidence pack may weigh, in bytes. The largest case the browser's storage
/// can hold (about 5 million characters in all) packs well within it; a bigger file is
/// refused before it is read or hashed, so choosing a wrong file cannot stall the page.
pub const MAX_PACK_BYTES: usize = 16 * 1024 * 1024;

/// The envelope of a line; its entry is taken from the text itself.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    line: usize,
    of: usize,
    prev: String,
    hash: String,
    #[serde(rename = "entry")]
    _entry: IgnoredAny,
}

/// One line as read back: its envelope and the entry's exact text.
struct Line<'a> {
    line: usize,
    of: usize,
    prev: String,
    hash: String,
    entry: &'a str,
}

/// Why a pack cannot be made, or is not intact. Lines are numbered from 1, as a text editor
/// shows them.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EvidenceError {
    #[error("There is nothing to put in an evidence pack: the case has no history.")]
    NothingToPack,
    #[error("Entry {entry} of the case cannot be written as JSON ({reason}).")]
    Unwritable { entry: usize, reason: String },
    #[error("The case's history takes {}, more than the {} an evidence pack may hold.", megabytes(*.bytes as u64), megabytes(MAX_PACK_BYTES as u64))]
    CaseTooLarge { bytes: usize },
    #[error("The file is empty: it holds no evidence lines.")]
    Empty,
    #[error("The file is {}, more than the {} an evidence pack may hold: it was not read. Choose a file saved by \"Download evidence pack\".", megabytes(*.bytes), megabytes(MAX_PACK_BYTES as u64))]
    TooLarge { bytes: u64 },
    #[error("This file is not an evidence pack: none of its lines is an evidence line. Choose a file saved by \"Download evidence pack\".")]
    NotAPack,
    #[error("Line {line} was altered: it is not an evidence line as the pack wrote it.")]
    NotAnEvidenceLine { line: usize },
    #[error("Line {line} was altered: its content no longer matches its hash.")]
    Altered { line: usize },
    #[error("Line {line} is out of place: it says it is line {says}. Lines were removed, repeated or reordered.")]
    OutOfPlace { line: usize, says: usize },
    #[error("{}", chain_broken(*.line))]
    ChainBroken { line: usize },
    #[error("Line {line} says the pack holds {says} entries, but line 1 says {expected}.")]
    CountChanged {
        line: usize,
        says: usize,
        expected: usize,
    },
    #[error("The pack was cut short after line {lines}: it should hold {expected} entries.")]
    Truncated { lines: usize, expected: usize },
    #[error("Line {line} was added: the pack holds only {expected} entries.")]
    Added { line: usize, expected: usize },
}

fn chain_broken(line: usize) -> String {
    match line {
        1 => "Line 1 does not start the chain: it was replaced.".to_string(),
        _ => format!(
            "Line {line} does not follow line {}: line {} was replaced or line {line} was altered.",
            line - 1,
            line - 1
        ),
    }
}

/// Bytes in MB to a tenth, rounded half up. In whole numbers: formatting one float brings
/// Rust's float printing into the console's bundle for these two messages alone
/// (docs/performance.md).
fn megabytes(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    let tenths = bytes.saturating_mul(10).saturating_add(MB / 2) / MB;
    format!("{}.{} MB", tenths / 10, tenths % 10)
}

impl EvidenceError {
    /// The line at which the pack stops being intact.
    pub fn line(&self) -> Option<usize> {
        match *self {
            EvidenceError::NothingToPack
            | EvidenceError::Unwritable { .. }
            | EvidenceError::CaseTooLarge { .. }
            | EvidenceError::Empty
            | EvidenceError::TooLarge { .. }
            | EvidenceError::NotAPack => None,
            EvidenceError::NotAnEvidenceLine { line }
            | EvidenceError::Altered { line }
            | EvidenceError::OutOfPlace { line, .. }
            | EvidenceError::ChainBroken { line }
            | EvidenceError::CountChanged { line, .. }
            | EvidenceError::Added { line, .. } => Some(line),
            EvidenceError::Truncated { lines, .. } => Some(lines + 1),
        }
    }
}

/// Writes `entries` as a hash-chained pack, one line each, every line ending in `\n`.
/// Entries are written as their own `Serialize` spells them, field order included, so
/// that an event can stand in the pack exactly as its bus delivered it.
pub fn pack<T: Serialize>(entries: &[T]) -> Result<String, EvidenceError> {
    if entries.is_empty() {
        return Err(EvidenceError::NothingToPack);
    }
    let of = entries.len();
    let mut prev = GENESIS.to_string();
    let mut text = String::new();
    for (index, entry) in entries.iter().enumerate() {
        let line = index + 1;
        let entry = serde_json::to_string(entry).map_err(|e| EvidenceError::Unwritable {
            entry: line,
            reason: e.to_string(),
        })?;
        let hash = line_hash(line, of, &prev, &entry);
        text.push_str(&envelope_start(line, of, &prev, &hash));
        text.push_str(&entry);
        text.push_str("}\n");
        prev = hash;
    }
    if text.len() > MAX_PACK_BYTES {
        return Err(EvidenceError::CaseTooLarge { bytes: text.len() });
    }
    Ok(text)
}

/// Checks a pack and gives the number of entries it holds, or the first line that is not
/// intact. The final newline may be present or not.
pub fn verify(text: &str) -> Result<usize, EvidenceError> {
    let mut verification = Verification::new(text)?;
    loop {
        if let Some(outcome) = verification.step(usize::MAX) {
            return outcome;
        }
    }
}

/// A verification that can pause between lines, so that a shell checking a large pack can
/// give the page back between steps instead of holding it for the whole file.
pub struct Verification<'a> {
    body: &'a str,
    /// What is left to check; `None` once every line was read or one was found altered.
    rest: Option<&'a str>,
    checked: usize,
    prev: String,
    expected: Option<usize>,
    failed: Option<EvidenceError>,
}

impl<'a> Verification<'a> {
    /// Refuses at once a text too large to be a pack, or one with no lines at all.
    pub fn new(text: &'a str) -> Result<Self, EvidenceError> {
        if text.len() > MAX_PACK_BYTES {
            return Err(EvidenceError::TooLarge {
                bytes: text.len() as u64,
            });
        }
        let body = text.strip_suffix('\n').unwrap_or(text);
        if body.is_empty() {
            return Err(EvidenceError::Empty);
        }
        Ok(Verification {
            body,
            rest: Some(body),
            checked: 0,
            prev: GENESIS.to_string(),
            expected: None,
            failed: None,
        })
    }

    /// Checks lines until about `budget` bytes were read (at least one line), and gives the
    /// outcome once the whole pack is checked or a line is found altered; `None` while lines
    /// remain. Asked again after its outcome, it gives the same outcome.
    pub fn step(&mut self, budget: usize) -> Option<Result<usize, EvidenceError>> {
        let mut read = 0;
        loop {
            let Some(rest) = self.rest else {
                return Some(self.outcome());
            };
            let (raw, next) = match rest.split_once('\n') {
                Some((raw, next)) => (raw, Some(next)),
                None => (rest, None),
            };
            self.rest = next;
            if let Err(error) = self.check_line(raw) {
                self.rest = None;
                self.failed = Some(error);
            }
            read += raw.len() + 1;
            if read >= budget && self.rest.is_some() {
                return None;
            }
        }
    }

    fn check_line(&mut self, raw: &str) -> Result<(), EvidenceError> {
        let number = self.checked + 1;
        let Some(line) = read_line(raw) else {
            if number == 1 && !self.body.split('\n').any(resembles_an_evidence_line) {
                return Err(EvidenceError::NotAPack);
            }
            return Err(EvidenceError::NotAnEvidenceLine { line: number });
        };
        if line.hash != line_hash(line.line, line.of, &line.prev, line.entry) {
            return Err(EvidenceError::Altered { line: number });
        }
        let of = *self.expected.get_or_insert(line.of);
        if number > of {
            return Err(EvidenceError::Added {
                line: number,
                expected: of,
            });
        }
        if line.line != number {
            return Err(EvidenceError::OutOfPlace {
                line: number,
                says: line.line,
            });
        }
        if line.of != of {
            return Err(EvidenceError::CountChanged {
                line: number,
                says: line.of,
                expected: of,
            });
        }
        if line.prev != self.prev {
            return Err(EvidenceError::ChainBroken { line: number });
        }
        self.prev = line.hash;
        self.checked = number;
        Ok(())
    }

    fn outcome(&self) -> Result<usize, EvidenceError> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        match self.expected {
            Some(expected) if self.checked < expected => Err(EvidenceError::Truncated {
                lines: self.checked,
                expected,
            }),
            _ => Ok(self.checked),
        }
    }
}

/// Whether a line still bears a mark of the envelope. One edited character can efface only
/// one of the three, so an altered pack always keeps some, and is reported as altered
/// rather than as some other file.
fn resembles_an_evidence_line(raw: &str) -> bool {
    raw.starts_with(r#"{"line":"#) || raw.contains(r#""prev":""#) || raw.contains(r#""hash":""#)
}

/// A line counts only in the exact form `pack` writes: a parse that forgave spacing or key
/// order would let those edits pass unseen.
fn read_line(raw: &str) -> Option<Line<'_>> {
    let envelope: Envelope = serde_json::from_str(raw).ok()?;
    let start = envelope_start(envelope.line, envelope.of, &envelope.prev, &envelope.hash);
    let entry = raw.strip_prefix(start.as_str())?.strip_suffix('}')?;
    Some(Line {
        line: envelope.line,
        of: envelope.of,
        prev: envelope.prev,
        hash: envelope.hash,
        entry,
    })
}

fn envelope_start(line: usize, of: usize, prev: &str, hash: &str) -> String {
    format!(r#"{{"line":{line},"of":{of},"prev":"{prev}","hash":"{hash}","entry":"#)
}

fn line_hash(line: usize, of: usize, prev: &str, entry: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(format!("{line}\n{of}\n{prev}\n{entry}").as_bytes());
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{json, Value};

    #[test]
    fn sizes_are_written_in_megabytes_to_a_tenth() {
        assert_eq!(megabytes(MAX_PACK_BYTES as u64), "16.0 MB");
        assert_eq!(megabytes(40 * 1024 * 1024), "40.0 MB");
        assert_eq!(megabytes(0), "0.0 MB");
        // 1.04 and 1.06 MB; 0.25 MB exactly, a half-tenth, rounds up.
        assert_eq!(megabytes(1_090_520), "1.0 MB");
        assert_eq!(megabytes(1_111_490), "1.1 MB");
        assert_eq!(megabytes(262_144), "0.3 MB");
        assert!(megabytes(u64::MAX).ends_with(" MB"));
    }

    fn entries() -> Vec<Value> {
        vec![
            json!({"at": "2026-11-20T14:32:07Z", "who": "seller 111122223333", "did": "Request cancellation", "reason": "Buyer migrating to a different product offer."}),
            json!({"version": "0", "detail-type": "Agreement Cancellation Request Pending Approval - Acceptor", "detail": {"requestId": "acr-6zq3"}}),
            json!({"at": "2026-11-21T09:00:00Z", "who": "buyer 444455556666", "did": "Reject", "reason": "Still in use <script>alert(1)</script> — café"}),
            json!(["numbers", 1, -2.5, 1e300, null, true]),
        ]
    }

    pub(crate) fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    pub(crate) fn join(lines: &[String]) -> String {
        lines.iter().map(|l| format!("{l}\n")).collect()
    }

    #[test]
    fn an_intact_pack_verifies_and_counts_its_entries() {
        let text = pack(&entries()).unwrap();
        assert_eq!(verify(&text), Ok(4));
        assert_eq!(verify(text.trim_end()), Ok(4));
        assert_eq!(text.lines().count(), 4);
    }

    #[test]
    fn each_line_carries_the_hash_of_the_one_before_starting_from_genesis() {
        let text = pack(&entries()).unwrap();
        let parsed: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(parsed[0]["prev"], GENESIS);
        for pair in parsed.windows(2) {
            assert_eq!(pair[1]["prev"], pair[0]["hash"]);
        }
        assert_eq!(parsed[2]["entry"], entries()[2]);
        assert!(text.starts_with(r#"{"line":1,"of":4,"prev":"0000"#));
    }

    #[test]
    fn an_edited_entry_is_reported_at_its_line() {
        let text = pack(&entries()).unwrap().replace("Reject", "Approve");
        let error = verify(&text).unwrap_err();
        assert_eq!(error, EvidenceError::Altered { line: 3 });
        assert_eq!(
            error.to_string(),
            "Line 3 was altered: its content no longer matches its hash."
        );
    }

    #[test]
    fn a_reformatted_line_is_reported_even_when_its_meaning_is_the_same() {
        let mut l = lines(&pack(&entries()).unwrap());
        l[1] = l[1].replacen("\"line\":2", "\"line\": 2", 1);
        assert_eq!(
            verify(&join(&l)),
            Err(EvidenceError::NotAnEvidenceLine { line: 2 })
        );
    }

    #[test]
    fn a_line_replaced_with_a_rehashed_one_breaks_the_chain_at_the_next_line() {
        let genuine = lines(&pack(&entries()).unwrap());
        let mut forged_entries = entries();
        forged_entries[1] = json!({"forged": true});
        let forged = lines(&pack(&forged_entries).unwrap());
        let mut l = genuine.clone();
        l[1] = forged[1].clone();
        let error = verify(&join(&l)).unwrap_err();
        assert_eq!(error, EvidenceError::ChainBroken { line: 3 });
        assert!(error.to_string().contains("line 2 was replaced"));
    }

    #[test]
    fn removed_repeated_or_swapped_lines_are_out_of_place() {
        let genuine = lines(&pack(&entries()).unwrap());
        let mut removed = genuine.clone();
        removed.remove(1);
        assert_eq!(
            verify(&join(&removed)),
            Err(EvidenceError::OutOfPlace { line: 2, says: 3 })
        );
        let mut repeated = genuine.clone();
        repeated.insert(1, genuine[0].clone());
        assert_eq!(
            verify(&join(&repeated)),
            Err(EvidenceError::OutOfPlace { line: 2, says: 1 })
        );
        let mut swapped = genuine.clone();
        swapped.swap(2, 3);
        assert_eq!(
            verify(&join(&swapped)),
            Err(EvidenceError::OutOfPlace { line: 3, says: 4 })
        );
    }

    #[test]
    fn a_pack_cut_short_or_extended_is_reported() {
        let genuine = lines(&pack(&entries()).unwrap());
        let error = verify(&join(&genuine[..3])).unwrap_err();
        assert_eq!(
            error,
            EvidenceError::Truncated {
                lines: 3,
                expected: 4
            }
        );
        assert_eq!(error.line(), Some(4));
        let mut longer = genuine.clone();
        longer.push(genuine[3].clone());
        assert_eq!(
            verify(&join(&longer)),
            Err(EvidenceError::Added {
                line: 5,
                expected: 4
            })
        );
    }

    #[test]
    fn an_empty_history_cannot_be_packed_and_an_empty_file_does_not_verify() {
        assert_eq!(pack::<Value>(&[]), Err(EvidenceError::NothingToPack));
        assert_eq!(verify(""), Err(EvidenceError::Empty));
        assert_eq!(verify("\n"), Err(EvidenceError::Empty));
        assert_eq!(verify("not json\n"), Err(EvidenceError::NotAPack));
        assert_eq!(
            verify("{\"line\":1,not json\n"),
            Err(EvidenceError::NotAnEvidenceLine { line: 1 })
        );
    }

    #[test]
    fn a_first_line_rehashed_onto_another_chain_does_not_start_the_chain() {
        let mut l = lines(&pack(&entries()).unwrap());
        let prev = "1".repeat(64);
        let entry = entries()[0].to_string();
        let hash = line_hash(1, 4, &prev, &entry);
        l[0] = format!("{}{entry}}}", envelope_start(1, 4, &prev, &hash));
        let error = verify(&join(&l)).unwrap_err();
        assert_eq!(error, EvidenceError::ChainBroken { line: 1 });
        assert_eq!(
            error.to_string(),
            "Line 1 does not start the chain: it was replaced."
        );
    }

    #[test]
    fn numbers_json_does_not_read_back_digit_for_digit_still_verify() {
        // serde_json (without float_roundtrip) reads this back one bit off; the entry's
        // text, not its re-read value, is what is hashed and compared.
        let text = pack(&[json!([-230939318.00049222])]).unwrap();
        assert_eq!(verify(&text), Ok(1));
    }

    #[test]
    fn windows_line_endings_count_as_an_edit() {
        let text = pack(&entries()).unwrap().replace('\n', "\r\n");
        assert_eq!(
            verify(&text),
            Err(EvidenceError::NotAnEvidenceLine { line: 1 })
        );
    }

    #[test]
    fn a_case_too_large_to_verify_is_not_packed() {
        let huge = json!("x".repeat(MAX_PACK_BYTES));
        assert!(matches!(
            pack(&[huge]),
            Err(EvidenceError::CaseTooLarge { .. })
        ));
    }

    #[test]
    fn an_entry_json_cannot_spell_is_refused_with_its_number() {
        let entries = [
            std::collections::BTreeMap::new(),
            std::collections::BTreeMap::from([((1, 2), "a map keyed by pairs")]),
        ];
        assert!(matches!(
            pack(&entries),
            Err(EvidenceError::Unwritable { entry: 2, .. })
        ));
    }

    #[test]
    fn a_step_reads_about_its_budget_of_bytes() {
        let text = pack(&vec![json!("x".repeat(100)); 50]).unwrap();
        let line = text.lines().next().unwrap().len() + 1;
        let mut verification = Verification::new(&text).unwrap();
        let mut steps = 0;
        while verification.step(line * 10).is_none() {
            steps += 1;
        }
        assert_eq!(steps, 4, "five steps of ten lines");
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            (-1e9f64..1e9).prop_map(Value::from),
            "\\PC{0,12}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                proptest::collection::btree_map("[a-z]{1,6}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_history_packs_and_verifies(entries in proptest::collection::vec(json_value(), 1..8)) {
            let text = pack(&entries).unwrap();
            prop_assert_eq!(verify(&text), Ok(entries.len()));
        }

        #[test]
        fn any_single_edit_is_reported_at_the_edited_line(
            entries in proptest::collection::vec(json_value(), 1..8),
            which in any::<prop::sample::Index>(),
            at in any::<prop::sample::Index>(),
            kind in 0u8..3,
            c in any::<char>(),
        ) {
            let mut l = lines(&pack(&entries).unwrap());
            let target = which.index(l.len());
            let mut chars: Vec<char> = l[target].chars().collect();
            let i = at.index(chars.len());
            match kind {
                0 => chars.insert(i, c),
                1 => {
                    chars.remove(i);
                }
                _ => {
                    prop_assume!(chars[i] != c);
                    chars[i] = c;
                }
            }
            l[target] = chars.into_iter().collect();
            let error = verify(&join(&l)).unwrap_err();
            prop_assert_eq!(error.line(), Some(target + 1), "{}", error);
        }
    }
}
