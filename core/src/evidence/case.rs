//! The evidence pack of one case: what it holds, the file it is saved as, and what the
//! person is told about a file they verify.
//!
//! [`case_entries`] gives what a case's pack holds: a first entry saying what the pack is,
//! then every command and every bus event in time order, then the requests, adjustments and
//! invoices as they stand when the pack is made.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::chain::{pack, verify, EvidenceError};
use crate::adjustment::{BillingAdjustment, Invoice};
use crate::book::{Actor, AgreementRecord, Directory, HistoryEntry};
use crate::cancellation::CancellationRequest;
use crate::events::{BusEvent, Side};
use crate::ids::{AccountId, AgreementId, OfferId, ProductId};

/// What the person is told about a file they asked to verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every line is in place and the chain holds.
    Intact {
        entries: usize,
        /// What the first entry says the pack is, when it is a case's pack.
        about: Option<PackAbout>,
    },
    /// The pack stops being intact at `line`.
    Altered { line: usize, error: EvidenceError },
    /// The file is not one that can be verified at all.
    Unverifiable(EvidenceError),
}

/// The case a pack says it is about, read from its first entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackAbout {
    pub agreement_id: String,
    pub made_at: DateTime<Utc>,
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Verdict::Intact { entries: 1, .. } => write!(f, "Intact: 1 entry, chain verified."),
            Verdict::Intact { entries, .. } => {
                write!(f, "Intact: {entries} entries, chain verified.")
            }
            Verdict::Altered { line, error } => write!(f, "Altered at line {line}: {error}"),
            Verdict::Unverifiable(error) => write!(f, "{error}"),
        }
    }
}

/// Verifies a file a person chose, and says what it is.
pub fn check(text: &str) -> Verdict {
    verdict(text, verify(text))
}

/// What to tell the person about `text`, once its verification gave `outcome`.
pub fn verdict(text: &str, outcome: Result<usize, EvidenceError>) -> Verdict {
    match outcome {
        Ok(entries) => Verdict::Intact {
            entries,
            about: about(text),
        },
        Err(error) => match error.line() {
            Some(line) => Verdict::Altered { line, error },
            None => Verdict::Unverifiable(error),
        },
    }
}

/// The first entry's account of the pack, once the chain is known to hold.
fn about(text: &str) -> Option<PackAbout> {
    #[derive(Deserialize)]
    struct First {
        entry: Value,
    }
    let first: First = serde_json::from_str(text.lines().next()?).ok()?;
    (first.entry.get("kind")? == FIRST_KIND)
        .then(|| serde_json::from_value(first.entry).ok())
        .flatten()
}

/// The `kind` of a case pack's first entry.
const FIRST_KIND: &str = "evidence pack";

/// The file a case's pack is saved as. An agreement ID may hold `/`, which no file name can.
pub fn file_name(agreement: &AgreementId) -> String {
    format!("evidence-{}.jsonl", agreement.as_str().replace('/', "_"))
}

/// An account as the pack names it: its ID, and its name when the directory knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Named<'a> {
    pub account: &'a AccountId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
}

/// One entry of a case's pack. Each says what it is in `kind`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind")]
pub enum Entry<'a> {
    /// What the pack is, which case, and when it was made; always the first entry.
    #[serde(rename = "evidence pack", rename_all = "camelCase")]
    Pack {
        about: &'static str,
        agreement_id: &'a AgreementId,
        seller: Named<'a>,
        buyer: Named<'a>,
        product_id: &'a ProductId,
        offer_id: &'a OfferId,
        agreement_status: &'static str,
        made_at: DateTime<Utc>,
        commands: usize,
        bus_events: usize,
    },
    /// Something a person or the marketplace did: who, when, what, and why.
    #[serde(rename = "command")]
    Command {
        at: DateTime<Utc>,
        who: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<&'a str>,
        action: &'a str,
        reason: &'a str,
    },
    /// An event as the bus of `bus` delivered it, field for field.
    #[serde(rename = "bus event")]
    Event {
        bus: String,
        delivered: Box<BusEvent>,
    },
    /// A cancellation request as it stands when the pack is made, without its link secret:
    /// a pack is evidence to show others, and the secret would let its reader forge receipts.
    #[serde(rename = "cancellation request")]
    Request { request: CancellationRequest },
    /// A billing adjustment as it stands when the pack is made.
    #[serde(rename = "billing adjustment")]
    Adjustment { adjustment: &'a BillingAdjustment },
    /// An invoice, with what it charged and what was refunded, when the pack is made.
    #[serde(rename = "invoice")]
    Invoice { invoice: &'a Invoice },
}

const ABOUT: &str = "The evidence pack of one case: every command (who, when, what and why) and \
every event the buyer's and the seller's buses received, in time order, then the cancellation \
requests, billing adjustments and invoices as they stood at madeAt. Each line carries the \
SHA-256 of the line before it, so that a later edit shows.";

/// Everything a case's pack holds, made at `now`.
pub fn case_entries<'a>(
    record: &'a AgreementRecord,
    directory: &'a Directory,
    now: DateTime<Utc>,
) -> Vec<Entry<'a>> {
    let agreement = &record.agreement;
    let seller_name = |a: &AccountId| directory.seller(a).map(|p| p.name.as_str());
    let buyer_name = |a: &AccountId| directory.buyer(a).map(|p| p.name.as_str());
    let mut entries = vec![Entry::Pack {
        about: ABOUT,
        agreement_id: &agreement.id,
        seller: Named {
            account: &agreement.seller,
            name: seller_name(&agreement.seller),
        },
        buyer: Named {
            account: &agreement.buyer,
            name: buyer_name(&agreement.buyer),
        },
        product_id: &agreement.product,
        offer_id: &agreement.offer,
        agreement_status: agreement.status.code(),
        made_at: now,
        commands: record.history.len(),
        bus_events: record.event_count(),
    }];
    let command = |h: &'a HistoryEntry| Entry::Command {
        at: h.at,
        who: h.actor.describe(),
        name: match &h.actor {
            Actor::Seller(a) => seller_name(a),
            Actor::Buyer(a) => buyer_name(a),
            Actor::System => None,
        },
        action: &h.action,
        reason: &h.reason,
    };
    let event = |e: BusEvent| Entry::Event {
        bus: match e.side() {
            Side::Acceptor => format!("buyer {}", e.account),
            Side::Proposer => format!("seller {}", e.account),
        },
        delivered: Box::new(e),
    };
    // A command comes before the events it caused, which bear the same second: bus times
    // are whole seconds, command times need not be.
    let mut history = record.history.iter().peekable();
    let mut events = record.events().peekable();
    entries.extend(std::iter::from_fn(|| {
        match (history.peek(), events.peek()) {
            (Some(h), Some(e)) if e.time.timestamp() < h.at.timestamp() => events.next().map(event),
            (Some(_), _) => history.next().map(command),
            (None, _) => events.next().map(event),
        }
    }));
    entries.extend(record.requests.iter().map(|request| Entry::Request {
        request: CancellationRequest {
            link_secret: None,
            ..request.clone()
        },
    }));
    entries.extend(
        record
            .adjustments
            .iter()
            .map(|adjustment| Entry::Adjustment { adjustment }),
    );
    entries.extend(
        record
            .invoices
            .iter()
            .map(|invoice| Entry::Invoice { invoice }),
    );
    entries
}

/// A case's evidence pack, made at `now`.
pub fn case_pack(
    record: &AgreementRecord,
    directory: &Directory,
    now: DateTime<Utc>,
) -> Result<String, EvidenceError> {
    pack(&case_entries(record, directory, now))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo;
    use crate::events::to_json_lines;
    use crate::evidence::chain::tests::{join, lines};
    use crate::evidence::chain::{Verification, MAX_PACK_BYTES};
    use serde_json::json;

    /// Every demo record with a history, and a scale record with a full one, as storage
    /// gives them back: made at a moment with milliseconds, which bus times drop.
    fn cases() -> Vec<(AgreementRecord, Directory)> {
        let now = demo::demo_now() + chrono::Duration::milliseconds(98);
        let demo = demo::demo_book(now);
        let scale = demo::scale_book(2, now, &mut crate::ids::SequentialIds::default());
        let mut cases = Vec::new();
        for book in [demo, scale] {
            for v in book.records.values() {
                if !v.record.history.is_empty() {
                    let stored = serde_json::to_string(&v.record).unwrap();
                    let record = serde_json::from_str(&stored).unwrap();
                    cases.push((record, book.directory.clone()));
                }
            }
        }
        cases
    }

    fn parsed_entries(text: &str) -> Vec<Value> {
        text.lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap()["entry"].take())
            .collect()
    }

    #[test]
    fn a_demo_case_packs_into_an_intact_pack_of_all_it_holds() {
        let cases = cases();
        assert!(cases.len() >= 3, "the demo has cases with a history");
        for (record, directory) in &cases {
            let text = case_pack(record, directory, demo::demo_now()).unwrap();
            let expected = 1
                + record.history.len()
                + record.event_count()
                + record.requests.len()
                + record.adjustments.len()
                + record.invoices.len();
            assert_eq!(verify(&text), Ok(expected), "{}", record.agreement.id);
        }
    }

    #[test]
    fn the_first_entry_says_which_case_and_when_the_pack_was_made() {
        let (record, directory) = &cases()[0];
        let now = demo::demo_now();
        let text = case_pack(record, directory, now).unwrap();
        let first = &parsed_entries(&text)[0];
        assert_eq!(first["kind"], "evidence pack");
        assert_eq!(first["agreementId"], record.agreement.id.as_str());
        assert_eq!(first["buyer"]["account"], record.agreement.buyer.as_str());
        let buyer = directory.buyer(&record.agreement.buyer).unwrap();
        assert_eq!(first["buyer"]["name"], buyer.name.as_str());
        assert_eq!(first["seller"]["account"], record.agreement.seller.as_str());
        assert_eq!(first["commands"], record.history.len());
        assert_eq!(first["busEvents"], record.event_count());
        let verdict = check(&text);
        assert_eq!(
            verdict,
            Verdict::Intact {
                entries: text.lines().count(),
                about: Some(PackAbout {
                    agreement_id: record.agreement.id.to_string(),
                    made_at: now,
                }),
            }
        );
        assert_eq!(
            verdict.to_string(),
            format!("Intact: {} entries, chain verified.", text.lines().count())
        );
    }

    #[test]
    fn every_command_stands_in_the_pack_with_who_when_what_and_why() {
        for (record, directory) in cases() {
            let text = case_pack(&record, &directory, demo::demo_now()).unwrap();
            let commands: Vec<Value> = parsed_entries(&text)
                .into_iter()
                .filter(|e| e["kind"] == "command")
                .collect();
            assert_eq!(commands.len(), record.history.len());
            for (entry, h) in commands.iter().zip(&record.history) {
                assert_eq!(entry["who"], h.actor.describe());
                assert_eq!(
                    serde_json::from_value::<DateTime<Utc>>(entry["at"].clone()).unwrap(),
                    h.at
                );
                assert_eq!(entry["action"], &*h.action);
                assert_eq!(entry["reason"], &*h.reason);
                if let Actor::Buyer(a) = &h.actor {
                    assert_eq!(entry["name"], directory.buyer(a).unwrap().name.as_str());
                }
            }
        }
    }

    #[test]
    fn every_event_of_both_sides_stands_in_the_pack_exactly_as_delivered() {
        let mut buses = std::collections::HashSet::new();
        for (record, directory) in cases() {
            let text = case_pack(&record, &directory, demo::demo_now()).unwrap();
            let events: Vec<&str> = text
                .lines()
                .filter(|l| l.contains(r#""entry":{"kind":"bus event""#))
                .collect();
            assert_eq!(events.len(), record.event_count());
            for (line, event) in events.iter().zip(record.events()) {
                let (bus, side) = match event.side() {
                    Side::Acceptor => ("buyer", record.agreement.buyer.as_str()),
                    Side::Proposer => ("seller", record.agreement.seller.as_str()),
                };
                let delivered = format!(
                    r#""bus":"{bus} {side}","delivered":{}}}}}"#,
                    event.to_json()
                );
                assert!(line.ends_with(&delivered), "{line}");
                buses.insert(bus);
            }
        }
        assert_eq!(buses.len(), 2, "the buyer's bus and the seller's");
    }

    #[test]
    fn commands_and_events_run_in_time_order_each_command_before_its_events() {
        for (record, directory) in cases() {
            let text = case_pack(&record, &directory, demo::demo_now()).unwrap();
            let timeline: Vec<(String, DateTime<Utc>)> = parsed_entries(&text)
                .into_iter()
                .filter_map(|e| match e["kind"].as_str()? {
                    "command" => Some((
                        "command".into(),
                        serde_json::from_value(e["at"].clone()).ok()?,
                    )),
                    "bus event" => {
                        let event: BusEvent =
                            serde_json::from_value(e["delivered"].clone()).ok()?;
                        Some(("bus event".into(), event.time))
                    }
                    _ => None,
                })
                .collect();
            assert_eq!(timeline.len(), record.history.len() + record.event_count());
            for pair in timeline.windows(2) {
                // Bus times are whole seconds; a command's time may not be.
                assert!(pair[0].1.timestamp() <= pair[1].1.timestamp(), "{pair:?}");
            }
            for (i, (kind, at)) in timeline.iter().enumerate() {
                if kind == "bus event" {
                    assert!(
                        timeline[..i]
                            .iter()
                            .any(|(k, t)| k == "command" && t.timestamp() == at.timestamp()),
                        "an event follows the command that caused it, in {}",
                        record.agreement.id
                    );
                }
            }
        }
    }

    #[test]
    fn the_requests_adjustments_and_invoices_follow_as_they_stand() {
        for (record, directory) in cases() {
            let text = case_pack(&record, &directory, demo::demo_now()).unwrap();
            let entries = parsed_entries(&text);
            let of_kind = |kind: &str| -> Vec<Value> {
                entries
                    .iter()
                    .filter(|e| e["kind"] == kind)
                    .cloned()
                    .collect()
            };
            let requests = of_kind("cancellation request");
            assert_eq!(requests.len(), record.requests.len());
            for (entry, request) in requests.iter().zip(&record.requests) {
                assert!(entry["request"].get("link_secret").is_none(), "no secret");
                let read: CancellationRequest =
                    serde_json::from_value(entry["request"].clone()).unwrap();
                let without_secret = CancellationRequest {
                    link_secret: None,
                    ..request.clone()
                };
                assert_eq!(read, without_secret);
            }
            let adjustments = of_kind("billing adjustment");
            assert_eq!(adjustments.len(), record.adjustments.len());
            for (entry, adjustment) in adjustments.iter().zip(&record.adjustments) {
                let read: BillingAdjustment =
                    serde_json::from_value(entry["adjustment"].clone()).unwrap();
                assert_eq!(&read, adjustment);
            }
            assert_eq!(of_kind("invoice").len(), record.invoices.len());
            assert_eq!(
                entries.last().unwrap()["kind"],
                if record.invoices.is_empty() {
                    "billing adjustment"
                } else {
                    "invoice"
                }
            );
        }
    }

    #[test]
    fn an_edit_of_any_line_of_a_case_pack_is_reported_at_that_line() {
        let (record, directory) = cases().pop().unwrap();
        let genuine = lines(&case_pack(&record, &directory, demo::demo_now()).unwrap());
        assert!(genuine.len() > 10);
        for target in 0..genuine.len() {
            let mut l = genuine.clone();
            // A digit of the entry's text, the kind of edit that changes an amount or a date.
            let at = l[target].rfind(|c: char| c.is_ascii_digit()).unwrap();
            let digit = l[target].as_bytes()[at];
            let other = if digit == b'9' { "8" } else { "9" };
            l[target].replace_range(at..=at, other);
            let verdict = check(&join(&l));
            assert_eq!(
                verdict,
                Verdict::Altered {
                    line: target + 1,
                    error: EvidenceError::Altered { line: target + 1 }
                }
            );
            assert_eq!(
                verdict.to_string(),
                format!(
                    "Altered at line {0}: Line {0} was altered: its content no longer matches its hash.",
                    target + 1
                )
            );
        }
    }

    #[test]
    fn a_file_that_is_not_a_pack_is_named_as_such_not_as_altered() {
        let (record, _) = cases().pop().unwrap();
        for text in [
            "hello\nworld\n".to_string(),
            "Agreement ID,Buyer\nagmt-1,444455556666\n".to_string(),
            to_json_lines(record.events()),
            "\u{feff}\u{0}\u{1}binary".to_string(),
        ] {
            let verdict = check(&text);
            assert_eq!(verdict, Verdict::Unverifiable(EvidenceError::NotAPack));
            assert!(verdict
                .to_string()
                .starts_with("This file is not an evidence pack"));
        }
    }

    #[test]
    fn a_file_larger_than_any_pack_is_refused_unread() {
        let text = "x".repeat(MAX_PACK_BYTES + 1);
        let verdict = check(&text);
        assert_eq!(
            verdict,
            Verdict::Unverifiable(EvidenceError::TooLarge {
                bytes: MAX_PACK_BYTES as u64 + 1
            })
        );
        assert!(verdict
            .to_string()
            .starts_with("The file is 16.0 MB, more than the 16.0 MB"));
    }

    #[test]
    fn a_pack_that_is_not_a_cases_pack_verifies_without_saying_what_it_is_about() {
        let text = pack(&[json!({"kind": "evidence pack"}), json!(1)]).unwrap();
        assert_eq!(
            check(&text),
            Verdict::Intact {
                entries: 2,
                about: None
            }
        );
        let one = pack(&[json!(1)]).unwrap();
        assert_eq!(check(&one).to_string(), "Intact: 1 entry, chain verified.");
    }

    #[test]
    fn a_file_name_never_holds_a_slash() {
        let id = AgreementId::parse("agmt/a_b-c").unwrap();
        assert_eq!(file_name(&id), "evidence-agmt_a_b-c.jsonl");
    }

    /// Runs a verification a line at a time, as the browser does with a large file.
    fn stepwise(text: &str) -> (Result<usize, EvidenceError>, usize) {
        let mut verification = match Verification::new(text) {
            Ok(v) => v,
            Err(error) => return (Err(error), 0),
        };
        let mut pauses = 0;
        loop {
            match verification.step(1) {
                Some(outcome) => {
                    assert_eq!(verification.step(1), Some(outcome.clone()), "asked again");
                    return (outcome, pauses);
                }
                None => pauses += 1,
            }
        }
    }

    #[test]
    fn a_verification_in_steps_pauses_between_lines_and_ends_as_a_whole_one_does() {
        let (record, directory) = cases().pop().unwrap();
        let genuine = case_pack(&record, &directory, demo::demo_now()).unwrap();
        let count = genuine.lines().count();
        assert_eq!(stepwise(&genuine), (Ok(count), count - 1));
        let mut l = lines(&genuine);
        l[count - 2] = l[count - 2].replacen("\"kind\"", "\"kinds\"", 1);
        assert_eq!(
            stepwise(&join(&l)),
            (Err(EvidenceError::Altered { line: count - 1 }), count - 2)
        );
        assert_eq!(
            stepwise(&join(&l[..3])).0,
            Err(EvidenceError::Truncated {
                lines: 3,
                expected: count
            })
        );
        assert_eq!(stepwise("hello\nworld").0, Err(EvidenceError::NotAPack));
        assert_eq!(stepwise("\n").0, Err(EvidenceError::Empty));
    }
}
