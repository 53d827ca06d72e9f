//! The events an EventBridge bus delivers for cancellations and billing adjustments, in the
//! exact envelope and field order AWS delivers them. The buyer's bus receives the
//! "- Acceptor" events; the seller's log holds the "- Proposer" ones, which name the buyer as
//! `acceptorId` where the buyer's name the seller as `proposerId`, plus two only the seller
//! receives: "Agreement Cancellation Request Validation Failed - Proposer" and
//! "Purchase Agreement Billing Adjustment Failed - Proposer".

use std::borrow::{Borrow, Cow};
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use crate::adjustment::BillingAdjustment;
use crate::agreement::Agreement;
use crate::cancellation::CancellationRequest;
use crate::coded::coded;
use sha2::{Digest, Sha256};

use crate::ids::{uuid_from_bytes, AccountId};

/// The `source` of every event here.
pub const SOURCE: &str = "aws.agreement-marketplace";
/// The region every event is delivered in.
pub const REGION: &str = "us-east-1";
/// The `detail.catalog` of every event here.
pub const CATALOG: &str = "AWSMarketplace";

/// Whose bus an event is delivered to. Ordered as a change tells them: the buyer first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Side {
    /// The buyer.
    Acceptor,
    /// The seller.
    Proposer,
}

coded!(Side {
    Acceptor => "Acceptor";
    Proposer => "Proposer";
});

/// What happened, whichever side is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventKind {
    CancellationPendingApproval,
    CancellationApproved,
    CancellationRejected,
    CancellationCancelled,
    CancellationValidationFailed,
    AdjustmentCompleted,
    AdjustmentFailed,
}

coded!(EventKind {
    CancellationPendingApproval => "Agreement Cancellation Request Pending Approval";
    CancellationApproved => "Agreement Cancellation Request Approved";
    CancellationRejected => "Agreement Cancellation Request Rejected";
    CancellationCancelled => "Agreement Cancellation Request Cancelled";
    CancellationValidationFailed => "Agreement Cancellation Request Validation Failed";
    AdjustmentCompleted => "Purchase Agreement Billing Adjustment Completed";
    AdjustmentFailed => "Purchase Agreement Billing Adjustment Failed";
});

impl EventKind {
    /// The sides that receive this kind: failures reach only the seller.
    pub fn sides(self) -> &'static [Side] {
        match self {
            Self::CancellationValidationFailed | Self::AdjustmentFailed => &[Side::Proposer],
            _ => &[Side::Acceptor, Side::Proposer],
        }
    }

    /// The `detail-type` this kind has on `side`'s bus.
    pub fn on(self, side: Side) -> DetailType {
        DetailType { kind: self, side }
    }
}

/// An event's `detail-type`: what happened and whose bus tells it, kept as the two values
/// and written as the bus spells them, "Agreement Cancellation Request Approved - Acceptor".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DetailType {
    pub kind: EventKind,
    pub side: Side,
}

impl fmt::Display for DetailType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} - {}", self.kind.code(), self.side.code())
    }
}

impl Serialize for DetailType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DetailType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.rsplit_once(" - ")
            .and_then(|(kind, side)| {
                Some(DetailType {
                    kind: EventKind::from_code(kind)?,
                    side: Side::from_code(side)?,
                })
            })
            .ok_or_else(|| de::Error::custom(format!("no event has the detail-type {text:?}")))
    }
}

/// Timestamps as the bus writes them: whole seconds, UTC, `Z`.
mod bus_time {
    use chrono::{DateTime, NaiveDateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    const FORMAT: &str = "%Y-%m-%dT%H:%M:%SZ";

    pub fn serialize<S: Serializer>(time: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&time.format(FORMAT))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(d)?;
        NaiveDateTime::parse_from_str(&text, FORMAT)
            .map(|t| t.and_utc())
            .map_err(serde::de::Error::custom)
    }
}

/// One event exactly as a bus delivers it. The values every event spells alike (version,
/// source, region, catalog, the codes) borrow the constant rather than each holding a copy:
/// a sweep makes 20,000 events, and those copies were six of each one's sixteen allocations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusEvent {
    pub version: Cow<'static, str>,
    pub id: String,
    #[serde(rename = "detail-type")]
    pub detail_type: DetailType,
    pub source: Cow<'static, str>,
    pub account: AccountId,
    #[serde(with = "bus_time")]
    pub time: DateTime<Utc>,
    pub region: Cow<'static, str>,
    pub resources: Vec<String>,
    pub detail: Detail,
}

/// An event's `detail`: about a cancellation request or a billing adjustment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Detail {
    Cancellation(CancellationDetail),
    Adjustment(AdjustmentDetail),
}

/// The `detail` of a cancellation request event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancellationDetail {
    pub request_id: String,
    pub catalog: Cow<'static, str>,
    pub agreement: AgreementRef,
    pub agreement_cancellation_request: RequestRef,
}

/// The agreement as an event names it: the buyer is told the seller's account, the seller
/// the buyer's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AgreementRef {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub proposer_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub acceptor_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub product_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub offer_id: Option<String>,
}

/// The request as a cancellation event reports it: the seller's description in
/// `reasonMessage`, the rejection or withdrawal reason in `statusMessage`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequestRef {
    pub id: String,
    pub reason_code: Cow<'static, str>,
    pub reason_message: String,
    pub status_code: Cow<'static, str>,
    pub status_message: String,
    #[serde(with = "bus_time")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "bus_time")]
    pub updated_at: DateTime<Utc>,
}

/// The `detail` of a billing adjustment event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AdjustmentDetail {
    pub request_id: String,
    pub catalog: Cow<'static, str>,
    pub agreement: AgreementRef,
    pub billing_adjustment_request: AdjustmentRef,
    pub invoice: InvoiceRef,
}

/// The adjustment as its event reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AdjustmentRef {
    pub id: String,
    /// Negative: money going back to the buyer.
    pub adjustment_amount: String,
    pub currency_code: Cow<'static, str>,
    pub adjustment_reason_code: Cow<'static, str>,
}

/// The invoice a billing adjustment refunds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InvoiceRef {
    pub original_invoice_id: String,
}

impl BusEvent {
    /// Whose bus it was delivered to.
    pub fn side(&self) -> Side {
        self.detail_type.side
    }

    /// The agreement it is about.
    pub fn agreement_id(&self) -> &str {
        match &self.detail {
            Detail::Cancellation(d) => &d.agreement.id,
            Detail::Adjustment(d) => &d.agreement.id,
        }
    }

    /// The event as one line of JSON, exactly as a bus delivers it.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("events always serialise")
    }

    /// `subject`: the ID of the request or adjustment the event reports.
    fn envelope(
        kind: EventKind,
        side: Side,
        account: &AccountId,
        time: DateTime<Utc>,
        subject: &str,
        detail: Detail,
    ) -> BusEvent {
        BusEvent {
            version: Cow::Borrowed("0"),
            id: derived_uuid(&["event", subject, kind.code(), side.code()]),
            detail_type: kind.on(side),
            source: Cow::Borrowed(SOURCE),
            account: account.clone(),
            time,
            region: Cow::Borrowed(REGION),
            resources: Vec::new(),
            detail,
        }
    }
}

/// A UUID that only this event can have. An event is a function of the request or
/// adjustment it reports, and each reports at most one event of a kind per side, so its IDs
/// can be derived from that instead of drawn at random: the record then need not store or
/// keep its events (it builds one when it is read), which is most of what a record would
/// otherwise weigh.
fn derived_uuid(parts: &[&str]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part.as_bytes());
    }
    uuid_from_bytes(&hash.finalize()[..16])
}

/// The `detail.requestId`: the ID of the one API call behind an event, the same on both
/// sides' buses.
fn call_id(subject: &str, kind: EventKind) -> String {
    derived_uuid(&["call", subject, kind.code()])
}

fn account_for(agreement: &Agreement, side: Side) -> &AccountId {
    match side {
        Side::Acceptor => &agreement.buyer,
        Side::Proposer => &agreement.seller,
    }
}

/// The event one change of a cancellation request gives on `side`'s bus, stamped with the
/// request's `updated_at`. One side at a time: events are built when read, and what is read
/// (a page of one bus's log) rarely holds both sides of a change.
pub fn cancellation_event(
    kind: EventKind,
    side: Side,
    agreement: &Agreement,
    request: &CancellationRequest,
) -> BusEvent {
    let (proposer_id, acceptor_id) = match side {
        Side::Acceptor => (Some(agreement.seller.as_str().to_owned()), None),
        Side::Proposer => (None, Some(agreement.buyer.as_str().to_owned())),
    };
    let detail = Detail::Cancellation(CancellationDetail {
        request_id: call_id(request.id.as_str(), kind),
        catalog: Cow::Borrowed(CATALOG),
        agreement: AgreementRef {
            id: agreement.id.as_str().to_owned(),
            proposer_id,
            acceptor_id,
            product_id: Some(agreement.product.as_str().to_owned()),
            offer_id: Some(agreement.offer.as_str().to_owned()),
        },
        agreement_cancellation_request: RequestRef {
            id: request.id.as_str().to_owned(),
            reason_code: Cow::Borrowed(request.reason_code.code()),
            reason_message: request.description.clone(),
            status_code: Cow::Borrowed(request.status.code()),
            status_message: request.status_message.clone(),
            created_at: request.created_at,
            updated_at: request.updated_at,
        },
    });
    let account = account_for(agreement, side);
    let subject = request.id.as_str();
    BusEvent::envelope(kind, side, account, request.updated_at, subject, detail)
}

/// The event a processed billing adjustment gives on `side`'s bus, stamped with its
/// `updated_at`.
pub fn adjustment_event(
    kind: EventKind,
    side: Side,
    agreement: &Agreement,
    adjustment: &BillingAdjustment,
) -> BusEvent {
    let detail = Detail::Adjustment(AdjustmentDetail {
        request_id: call_id(adjustment.id.as_str(), kind),
        catalog: Cow::Borrowed(CATALOG),
        agreement: AgreementRef {
            id: agreement.id.as_str().to_owned(),
            proposer_id: None,
            acceptor_id: None,
            product_id: None,
            offer_id: None,
        },
        billing_adjustment_request: AdjustmentRef {
            id: adjustment.id.as_str().to_owned(),
            adjustment_amount: adjustment.amount.negated().decimal_string(),
            currency_code: Cow::Borrowed(adjustment.amount.currency.code()),
            adjustment_reason_code: Cow::Borrowed(adjustment.reason_code.code()),
        },
        invoice: InvoiceRef {
            original_invoice_id: adjustment.invoice_id.as_str().to_owned(),
        },
    });
    let account = account_for(agreement, side);
    let subject = adjustment.id.as_str();
    BusEvent::envelope(kind, side, account, adjustment.updated_at, subject, detail)
}

/// Events as JSON lines, one event per line, exactly as a bus delivers them.
pub fn to_json_lines<E: Borrow<BusEvent>>(events: impl IntoIterator<Item = E>) -> String {
    events
        .into_iter()
        .map(|e| e.borrow().to_json() + "\n")
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cancellation::{AdditionalDetails, CancellationReasonCode, RequestStatus};
    use crate::ids::{AgreementId, ClientToken, RequestId};
    use chrono::TimeZone;

    #[test]
    fn every_detail_type_reads_back_as_the_kind_and_side_it_was_written_from() {
        for kind in EventKind::ALL {
            for &side in kind.sides() {
                let json = serde_json::to_string(&kind.on(side)).unwrap();
                assert!(json.ends_with(&format!(" - {}\"", side.code())), "{json}");
                assert_eq!(
                    serde_json::from_str::<DetailType>(&json).unwrap(),
                    kind.on(side)
                );
            }
        }
        let unknown = serde_json::from_str::<DetailType>("\"Agreement Renewed - Acceptor\"");
        assert!(unknown
            .unwrap_err()
            .to_string()
            .contains("no event has the detail-type"));
    }

    #[test]
    fn failures_reach_only_the_seller() {
        assert_eq!(EventKind::AdjustmentFailed.sides(), &[Side::Proposer]);
        assert_eq!(
            EventKind::CancellationValidationFailed
                .on(Side::Proposer)
                .to_string(),
            "Agreement Cancellation Request Validation Failed - Proposer"
        );
        assert_eq!(EventKind::CancellationApproved.sides().len(), 2);
    }

    #[test]
    fn the_seller_side_names_the_buyer_and_goes_to_the_sellers_account() {
        let agreement = crate::book::tests::agreement();
        let at = Utc.with_ymd_and_hms(2025, 1, 1, 13, 12, 22).unwrap();
        let request = CancellationRequest {
            id: RequestId::parse("acr-1").unwrap(),
            agreement_id: AgreementId::parse("agmt-1").unwrap(),
            reason_code: CancellationReasonCode::Other,
            description: "d".into(),
            details: AdditionalDetails::default(),
            client_token: ClientToken::parse("t").unwrap(),
            status: RequestStatus::PendingApproval,
            status_message: String::new(),
            decided_by: None,
            created_at: at,
            updated_at: at,
            link_secret: None,
        };
        let proposer = &cancellation_event(
            EventKind::CancellationPendingApproval,
            Side::Proposer,
            &agreement,
            &request,
        );
        assert_eq!(proposer.account, agreement.seller);
        let Detail::Cancellation(detail) = &proposer.detail else {
            panic!()
        };
        assert_eq!(
            detail.agreement.acceptor_id.as_deref(),
            Some(agreement.buyer.as_str())
        );
        assert_eq!(detail.agreement.proposer_id, None);
        let json = proposer.to_json();
        let back: BusEvent = serde_json::from_str(&json).unwrap();
        assert_eq!(&back, proposer);
    }

    #[test]
    fn every_event_has_its_own_id_and_both_sides_share_the_call_behind_them() {
        let agreement = crate::book::tests::agreement();
        let at = Utc.with_ymd_and_hms(2025, 1, 1, 13, 12, 22).unwrap();
        let request = |id: &str| CancellationRequest {
            id: RequestId::parse(id).unwrap(),
            agreement_id: agreement.id.clone(),
            reason_code: CancellationReasonCode::Other,
            description: "d".into(),
            details: AdditionalDetails::default(),
            client_token: ClientToken::parse("t").unwrap(),
            status: RequestStatus::PendingApproval,
            status_message: String::new(),
            decided_by: None,
            created_at: at,
            updated_at: at,
            link_secret: None,
        };
        let mut ids = std::collections::BTreeSet::new();
        let mut calls = std::collections::BTreeSet::new();
        for id in ["acr-1", "acr-2"] {
            for kind in [
                EventKind::CancellationPendingApproval,
                EventKind::CancellationApproved,
            ] {
                let events = |side| cancellation_event(kind, side, &agreement, &request(id));
                let events = [events(Side::Acceptor), events(Side::Proposer)];
                let again = cancellation_event(kind, Side::Proposer, &agreement, &request(id));
                assert_eq!(events[1], again, "the same facts give the same event");
                for event in &events {
                    assert!(ids.insert(event.id.clone()), "{} repeated", event.id);
                    let Detail::Cancellation(detail) = &event.detail else {
                        panic!()
                    };
                    calls.insert(detail.request_id.clone());
                }
            }
        }
        assert_eq!((ids.len(), calls.len()), (8, 4));
    }

    #[test]
    fn an_event_keeps_the_ids_it_always_had() {
        // Exports and the buyer's and seller's own systems know events by these IDs: derived
        // any other way, the same event would arrive twice under two names.
        let agreement = crate::book::tests::agreement();
        let at = Utc.with_ymd_and_hms(2025, 1, 1, 13, 12, 22).unwrap();
        let request = CancellationRequest {
            id: RequestId::parse("acr-1").unwrap(),
            agreement_id: agreement.id.clone(),
            reason_code: CancellationReasonCode::Other,
            description: "d".into(),
            details: AdditionalDetails::default(),
            client_token: ClientToken::parse("t").unwrap(),
            status: RequestStatus::Approved,
            status_message: String::new(),
            decided_by: None,
            created_at: at,
            updated_at: at,
            link_secret: None,
        };
        let ids = |side| {
            let event =
                cancellation_event(EventKind::CancellationApproved, side, &agreement, &request);
            let Detail::Cancellation(detail) = event.detail else {
                panic!()
            };
            (event.id, detail.request_id)
        };
        let call = "518aa716-8fc2-4d5f-9a14-21a978fdbcac";
        assert_eq!(
            ids(Side::Acceptor),
            ("5a9759c9-326b-492a-b281-8600fb33f508".into(), call.into())
        );
        assert_eq!(
            ids(Side::Proposer),
            ("460a9e8f-c892-4af2-81f1-becf77f1982c".into(), call.into())
        );
    }
}
