//! "Copy EventBridge rule": the event pattern of a rule that delivers, on a real AWS
//! account, the events the workbench's log shows for one bus: source
//! `aws.agreement-marketplace` and those detail-types.

use serde::Serialize;

use crate::events::{DetailType, EventKind, Side, SOURCE};

#[derive(Serialize)]
struct EventPattern {
    source: [&'static str; 1],
    #[serde(rename = "detail-type")]
    detail_type: Vec<String>,
}

/// Every detail-type a bus of this side receives: the buyer's (Acceptor) or the
/// seller's (Proposer), which alone hears of failures.
pub fn detail_types(side: Side) -> Vec<DetailType> {
    EventKind::ALL
        .into_iter()
        .filter(|kind| kind.sides().contains(&side))
        .map(|kind| kind.on(side))
        .collect()
}

/// The event pattern, as the EventBridge console and `aws events put-rule --event-pattern`
/// take it, matching exactly these detail-types (each once, in the order given).
pub fn event_pattern(detail_types: &[DetailType]) -> String {
    let mut names: Vec<String> = Vec::new();
    for name in detail_types.iter().map(ToString::to_string) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let pattern = EventPattern {
        source: [SOURCE],
        detail_type: names,
    };
    serde_json::to_string_pretty(&pattern).expect("a pattern of strings is always JSON")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_buyers_rule_matches_its_five_events_from_the_marketplace() {
        let pattern: serde_json::Value =
            serde_json::from_str(&event_pattern(&detail_types(Side::Acceptor))).unwrap();
        assert_eq!(
            pattern,
            serde_json::json!({
                "source": ["aws.agreement-marketplace"],
                "detail-type": [
                    "Agreement Cancellation Request Pending Approval - Acceptor",
                    "Agreement Cancellation Request Approved - Acceptor",
                    "Agreement Cancellation Request Rejected - Acceptor",
                    "Agreement Cancellation Request Cancelled - Acceptor",
                    "Purchase Agreement Billing Adjustment Completed - Acceptor"
                ]
            })
        );
    }

    #[test]
    fn the_sellers_rule_also_hears_of_failures_and_names_each_type_once() {
        let types = detail_types(Side::Proposer);
        assert_eq!(types.len(), 7);
        let twice: Vec<DetailType> = types.iter().chain(&types).copied().collect();
        let text = event_pattern(&twice);
        assert!(text.starts_with("{\n  \"source\": [\n    \"aws.agreement-marketplace\""));
        assert!(text.contains("\"Purchase Agreement Billing Adjustment Failed - Proposer\""));
        assert_eq!(text.matches(" - Proposer\"").count(), 7);
    }
}
