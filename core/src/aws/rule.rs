//! "Copy EventBridge rule": the rule that delivers, on a real AWS account, the events the
//! workbench's log shows for one bus. Seed 004: "All events are sent to your default
//! EventBridge event bus in the us-east-1 region with the event source
//! aws.agreement-marketplace." An event pattern matches fields of the event (`source`,
//! `detail-type`, `region`, ...) and cannot name a bus: the bus and region belong to the
//! rule itself, so the text given is the `aws events put-rule` command that names them.

use serde::Serialize;

use super::cli::shell_quote;
use crate::events::{DetailType, EventKind, Side, REGION, SOURCE};

/// The bus every event arrives on: the account's default event bus.
pub const EVENT_BUS: &str = "default";

/// Where the events arrive, in the words of seed 004.
pub const DELIVERY: &str = "AWS Marketplace sends these events to your account's default \
EventBridge event bus in the us-east-1 region, with the event source aws.agreement-marketplace. \
The rule below is created on that bus, in that region.";

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
    serde_json::to_string_pretty(&pattern_of(detail_types))
        .expect("a pattern of strings is always JSON")
}

fn pattern_of(detail_types: &[DetailType]) -> EventPattern {
    let mut names: Vec<String> = Vec::new();
    for name in detail_types.iter().map(ToString::to_string) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    EventPattern {
        source: [SOURCE],
        detail_type: names,
    }
}

/// The `aws events put-rule` command that creates, on the default bus in us-east-1, a rule
/// matching every event a bus of `side` receives.
pub fn put_rule(side: Side) -> String {
    let name = match side {
        Side::Acceptor => "aws-marketplace-agreement-events-acceptor",
        Side::Proposer => "aws-marketplace-agreement-events-proposer",
    };
    let pattern = serde_json::to_string(&pattern_of(&detail_types(side)))
        .expect("a pattern of strings is always JSON");
    format!(
        "aws events put-rule --region {REGION} --event-bus-name {EVENT_BUS} --name {name} \
         --event-pattern {}",
        shell_quote(&pattern)
    )
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

    #[test]
    fn the_rule_is_created_on_the_default_bus_in_us_east_1_where_the_events_arrive() {
        for side in [Side::Acceptor, Side::Proposer] {
            let command = put_rule(side);
            let (head, pattern) = command.split_once(" --event-pattern '").unwrap();
            assert!(
                pattern.starts_with(r#"{"source":["aws.agreement-marketplace"],"detail-type":["#)
            );
            assert!(head.starts_with(
                "aws events put-rule --region us-east-1 --event-bus-name default --name "
            ));
            let pattern: serde_json::Value =
                serde_json::from_str(pattern.strip_suffix('\'').unwrap()).unwrap();
            let expected: serde_json::Value =
                serde_json::from_str(&event_pattern(&detail_types(side))).unwrap();
            assert_eq!(pattern, expected);
        }
        assert!(DELIVERY.contains("default EventBridge event bus in the us-east-1 region"));
    }
}
