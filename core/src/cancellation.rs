//! The cancellation request: the seller (proposer) asks, the buyer (acceptor) approves or
//! rejects within 7 days, the seller may withdraw, and a request still pending 168 hours
//! after it was created is approved by the system at that exact moment.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::coded::coded;
use crate::ids::{AgreementId, ClientToken, RequestId};
use crate::secret::LinkSecret;

/// How long the buyer has to answer before the request approves itself.
pub const AUTO_APPROVAL_AFTER: Duration = Duration::hours(168);
/// Past this age (or on a private offer) AWS may coordinate with both parties.
pub const COORDINATION_AGE: Duration = Duration::hours(48);
/// How long after submission the marketplace's asynchronous checks of a request finish. AWS's
/// published "Validation Failed - Proposer" example fails a request 2 min 38 s after it was
/// sent; the workbench uses the same delay.
pub const VALIDATION_DELAY: Duration = Duration::seconds(158);
/// AWS's own status message for the check that fails: an auto-renewal has already created the
/// agreement that follows this one, and that one has to be cancelled first.
pub const RENEWAL_FIRST: &str = "Agreement has a renewal agreement that must be canceled first";
/// The longest description, rejection reason or withdrawal reason the API accepts.
pub const DESCRIPTION_MAX: usize = 2000;
/// The longest text of each additional detail.
pub const DETAIL_MAX: usize = 2000;

/// Why the seller asks to cancel, with the values of the API. A reason code is required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CancellationReasonCode {
    IncorrectTermsAccepted,
    ReplacingAgreement,
    TestAgreement,
    AlternativeProcurementChannel,
    ProductDiscontinued,
    UnintendedRenewal,
    BuyerDissatisfaction,
    Other,
}

coded!(CancellationReasonCode {
    IncorrectTermsAccepted => "INCORRECT_TERMS_ACCEPTED", "The buyer accepted incorrect terms";
    ReplacingAgreement => "REPLACING_AGREEMENT", "Replacing it with a new agreement";
    TestAgreement => "TEST_AGREEMENT", "It was a test agreement";
    AlternativeProcurementChannel => "ALTERNATIVE_PROCUREMENT_CHANNEL", "Buying through another channel";
    ProductDiscontinued => "PRODUCT_DISCONTINUED", "The product is discontinued";
    UnintendedRenewal => "UNINTENDED_RENEWAL", "It renewed unintentionally";
    BuyerDissatisfaction => "BUYER_DISSATISFACTION", "The buyer is dissatisfied";
    Other => "OTHER", "Another reason";
});

/// Where a cancellation request stands, with the values of the API. Only
/// PENDING_APPROVAL moves on; every other status is final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RequestStatus {
    PendingApproval,
    Approved,
    Rejected,
    /// The seller withdrew it.
    Cancelled,
    ValidationFailed,
}

coded!(RequestStatus {
    PendingApproval => "PENDING_APPROVAL", "Pending approval";
    Approved => "APPROVED", "Approved";
    Rejected => "REJECTED", "Denied";
    Cancelled => "CANCELLED", "Withdrawn";
    ValidationFailed => "VALIDATION_FAILED", "Validation failed";
});

impl RequestStatus {
    /// Whether the buyer can still decide (and the seller withdraw).
    pub fn is_pending(self) -> bool {
        self == Self::PendingApproval
    }
}

/// Context for AWS and for the seller's own records; what is meant for the buyer is shown
/// to them too.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdditionalDetails {
    pub support_case_id: String,
    pub buyer_reference: String,
    pub next_step: String,
    pub coordination_notes: String,
}

impl AdditionalDetails {
    fn validate(&self) -> Result<(), CancellationError> {
        for (field, text) in [
            ("The support case ID", &self.support_case_id),
            ("The buyer's request reference", &self.buyer_reference),
            ("The intended next step", &self.next_step),
            ("The coordination notes", &self.coordination_notes),
        ] {
            if text.chars().count() > DETAIL_MAX {
                return Err(CancellationError::DetailTooLong { field });
            }
        }
        Ok(())
    }

    /// Whether nothing was filled in.
    pub fn is_empty(&self) -> bool {
        [
            &self.support_case_id,
            &self.buyer_reference,
            &self.next_step,
            &self.coordination_notes,
        ]
        .iter()
        .all(|t| t.trim().is_empty())
    }
}

/// Who decided a request's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DecidedBy {
    Buyer,
    Seller,
    /// Auto-approval at the deadline, or a failed validation.
    System,
}

/// A seller's request to cancel an agreement. `status_message` carries the buyer's
/// rejection reason, the seller's withdrawal reason or why validation failed, as the
/// events do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancellationRequest {
    pub id: RequestId,
    pub agreement_id: AgreementId,
    pub reason_code: CancellationReasonCode,
    pub description: String,
    pub details: AdditionalDetails,
    pub client_token: ClientToken,
    pub status: RequestStatus,
    pub status_message: String,
    pub decided_by: Option<DecidedBy>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Seals the confirmation link and verifies the buyer's receipts; only the seller keeps
    /// it, and the buyer gets it in the link's fragment. Requests stored before links were
    /// sealed (format 1) have none, and no link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_secret: Option<LinkSecret>,
}

/// Why a cancellation command was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CancellationError {
    #[error("Choose a reason code.")]
    MissingReasonCode,
    #[error("{field} is required.")]
    Required { field: &'static str },
    #[error("{field} can be at most {max} characters (it has {actual}).")]
    TooLong {
        field: &'static str,
        max: usize,
        actual: usize,
    },
    #[error("{field} can be at most 2000 characters.")]
    DetailTooLong { field: &'static str },
    #[error("{0}")]
    Conflict(Conflict),
}

/// A transition asked of a request that is no longer pending (the API's ConflictException):
/// nothing changes, and the message says what happened instead and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub status: RequestStatus,
    pub decided_by: Option<DecidedBy>,
    /// When the request left PENDING_APPROVAL.
    pub at: DateTime<Utc>,
    /// "approved", "rejected" or "withdrawn".
    pub attempted: &'static str,
}

impl std::error::Error for Conflict {}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let when = self.at.format("%Y-%m-%d %H:%M UTC");
        let settled = match (self.status, self.decided_by) {
            (RequestStatus::Approved, Some(DecidedBy::System)) => format!(
                "This request was already approved automatically when its {} days ran out \
                 ({when})",
                AUTO_APPROVAL_AFTER.num_days()
            ),
            (RequestStatus::Approved, _) => {
                format!("This request was already approved by the buyer ({when})")
            }
            (RequestStatus::Rejected, _) => {
                format!("This request was already denied by the buyer ({when})")
            }
            (RequestStatus::Cancelled, _) => {
                format!("This request was already withdrawn by the seller ({when})")
            }
            (RequestStatus::ValidationFailed, _) => {
                format!("This request already failed validation ({when})")
            }
            (RequestStatus::PendingApproval, _) => {
                format!("This request is still pending approval ({when})")
            }
        };
        write!(f, "{settled}, so it can no longer be {}.", self.attempted)
    }
}

/// Checks a free-text reason: required, at most `max` characters, kept as typed.
pub fn checked_text(
    field: &'static str,
    text: &str,
    max: usize,
) -> Result<String, CancellationError> {
    if text.trim().is_empty() {
        return Err(CancellationError::Required { field });
    }
    let actual = text.chars().count();
    if actual > max {
        return Err(CancellationError::TooLong { field, max, actual });
    }
    Ok(text.to_string())
}

/// Reasons that say nothing specific; the warning asks for more "so the cancellation can be
/// traced later".
const VAGUE: &[&str] = &[
    "cancellation requested",
    "cancel requested",
    "no longer needed",
    "not needed",
    "cancel",
    "cancellation",
    "customer request",
    "buyer request",
    "requested by customer",
    "requested by buyer",
    "n/a",
    "na",
    "none",
    "other",
    "misc",
];

/// A warning (never a refusal) when the reason says nothing specific, e.g. "no longer needed".
pub fn vague_reason_warning(reason: &str) -> Option<&'static str> {
    let normalised: String = reason
        .trim()
        .trim_end_matches(['.', '!'])
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let vague = normalised.is_empty()
        || VAGUE.contains(&normalised.as_str())
        || normalised.split(' ').count() < 3;
    vague.then_some(
        "This reason is vague. Say what happened and what comes next, for example \
         \"Buyer migrating to the new private offer offer-123\", so the cancellation can be \
         traced later.",
    )
}

/// How an agreement is priced. The coordination note speaks to contract-based subscriptions
/// only.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PricingModel {
    /// A contract: an upfront commitment for a term. Agreements stored before the pricing
    /// model was recorded were all contracts, invoiced by the month.
    #[default]
    Contract,
    /// Usage-based: pay-as-you-go for what is used, billed after the fact.
    Usage,
    /// A SaaS subscription: pay-as-you-go for a SaaS product's metered use.
    SaasSubscription,
    /// Not known: an agreement imported from AWS without its terms (`get-agreement-terms`).
    /// The rules that depend on pricing take the cautious reading rather than guess.
    Unknown,
}

impl PricingModel {
    /// Every model the workbench can know an agreement by ([`PricingModel::Unknown`] is
    /// the absence of one).
    pub const ALL: [PricingModel; 3] = [
        PricingModel::Contract,
        PricingModel::Usage,
        PricingModel::SaasSubscription,
    ];

    /// The pricing model in words, as the agreement page shows it.
    pub fn label(self) -> &'static str {
        match self {
            PricingModel::Contract => "Contract",
            PricingModel::Usage => "Usage (pay-as-you-go)",
            PricingModel::SaasSubscription => "SaaS subscription",
            PricingModel::Unknown => "Not known (import its terms from AWS)",
        }
    }

    /// Pay-as-you-go: usage-based pricing, SaaS metering included.
    pub fn is_usage_based(self) -> bool {
        matches!(self, PricingModel::Usage | PricingModel::SaasSubscription)
    }

    /// Whether this is the default, which is left out of a stored agreement so that the
    /// ones stored before the field existed read back exactly as they were written.
    pub fn is_contract(&self) -> bool {
        *self == PricingModel::Contract
    }
}

/// What to tell the seller about AWS coordinating with both parties before the
/// cancellation is final: for a contract, that "its cancellation may need coordination
/// between the buyer, you and AWS", naming a private offer or an age past
/// [`COORDINATION_AGE`] when either holds. Usage-based and SaaS subscriptions get no note;
/// an agreement whose pricing is not known gets it as a possibility.
pub fn coordination_note(
    pricing: PricingModel,
    private_offer: bool,
    agreement_start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<String> {
    if pricing.is_usage_based() {
        return None;
    }
    if pricing == PricingModel::Unknown {
        return Some(
            "This agreement's pricing is not known (import its terms from AWS). If it is a \
             contract, its cancellation may need coordination between the buyer, you and AWS."
                .into(),
        );
    }
    let which = if private_offer {
        "This is a contract-based subscription on a private offer".to_string()
    } else if now - agreement_start > COORDINATION_AGE {
        format!(
            "This contract-based subscription is past its first {} hours",
            COORDINATION_AGE.num_hours()
        )
    } else {
        "This is a contract-based subscription".to_string()
    };
    Some(format!(
        "{which}: its cancellation may need coordination between the buyer, you and AWS, and \
         AWS may contact both of you before it is final."
    ))
}

/// What the seller typed, checked; a request is only created from this.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedRequest {
    pub reason_code: CancellationReasonCode,
    pub description: String,
    pub details: AdditionalDetails,
}

/// Checks what the seller typed: a reason code, a reason of 1 to 2000 characters, and
/// additional details of at most 2000 characters each.
pub fn check_request(
    reason_code: Option<CancellationReasonCode>,
    description: &str,
    details: AdditionalDetails,
) -> Result<CheckedRequest, CancellationError> {
    let reason_code = reason_code.ok_or(CancellationError::MissingReasonCode)?;
    let description = checked_text("A reason", description, DESCRIPTION_MAX)?;
    details.validate()?;
    Ok(CheckedRequest {
        reason_code,
        description,
        details,
    })
}

impl CancellationRequest {
    /// When the request approves itself: exactly 168 hours after it was created.
    pub fn deadline(&self) -> DateTime<Utc> {
        self.created_at + AUTO_APPROVAL_AFTER
    }

    /// Time left before auto-approval, while pending.
    #[cfg(test)]
    pub(crate) fn time_left(&self, now: DateTime<Utc>) -> Option<Duration> {
        (self.status.is_pending() && now < self.deadline()).then(|| self.deadline() - now)
    }

    fn pending_or_conflict(&self, attempted: &'static str) -> Result<(), Conflict> {
        if self.status.is_pending() {
            Ok(())
        } else {
            Err(Conflict {
                status: self.status,
                decided_by: self.decided_by,
                at: self.updated_at,
                attempted,
            })
        }
    }

    fn settle(&mut self, status: RequestStatus, message: String, by: DecidedBy, at: DateTime<Utc>) {
        self.status = status;
        self.status_message = message;
        self.decided_by = Some(by);
        self.updated_at = at;
    }

    /// The buyer approves; a conflict unless pending.
    pub fn accept(&mut self, at: DateTime<Utc>) -> Result<(), CancellationError> {
        self.pending_or_conflict("approved")
            .map_err(CancellationError::Conflict)?;
        self.settle(RequestStatus::Approved, String::new(), DecidedBy::Buyer, at);
        Ok(())
    }

    /// The buyer rejects with a reason (1 to 2000 characters) the seller sees; a conflict
    /// unless pending.
    pub fn reject(&mut self, reason: &str, at: DateTime<Utc>) -> Result<(), CancellationError> {
        self.pending_or_conflict("rejected")
            .map_err(CancellationError::Conflict)?;
        let reason = checked_text("A rejection reason", reason, DESCRIPTION_MAX)?;
        self.settle(RequestStatus::Rejected, reason, DecidedBy::Buyer, at);
        Ok(())
    }

    /// The seller withdraws with a reason (1 to 2000 characters); a conflict unless pending.
    pub fn withdraw(&mut self, reason: &str, at: DateTime<Utc>) -> Result<(), CancellationError> {
        self.pending_or_conflict("withdrawn")
            .map_err(CancellationError::Conflict)?;
        let reason = checked_text("A reason for withdrawing", reason, DESCRIPTION_MAX)?;
        self.settle(RequestStatus::Cancelled, reason, DecidedBy::Seller, at);
        Ok(())
    }

    /// Approves a still-pending request at its deadline, if `now` has reached it. Returns
    /// whether it did.
    pub fn auto_approve_by(&mut self, now: DateTime<Utc>) -> bool {
        if self.status.is_pending() && now >= self.deadline() {
            let at = self.deadline();
            self.settle(
                RequestStatus::Approved,
                String::new(),
                DecidedBy::System,
                at,
            );
            true
        } else {
            false
        }
    }

    /// When the marketplace's checks of this request finish.
    pub fn validation_due(&self) -> DateTime<Utc> {
        self.created_at + VALIDATION_DELAY
    }

    /// Fails a still-pending request whose agreement has a renewal agreement, once its
    /// validation is due by `now`, stamped with the moment the checks finished. Returns
    /// whether it did.
    pub fn fail_validation_by(&mut self, now: DateTime<Utc>, has_renewal: bool) -> bool {
        if has_renewal && self.status.is_pending() && now >= self.validation_due() {
            let at = self.validation_due();
            self.settle(
                RequestStatus::ValidationFailed,
                RENEWAL_FIRST.to_string(),
                DecidedBy::System,
                at,
            );
            true
        } else {
            false
        }
    }

    /// Whether the buyer let the 7 days run out.
    pub fn approved_automatically(&self) -> bool {
        self.status == RequestStatus::Approved && self.decided_by == Some(DecidedBy::System)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 1, 1, 13, 12, 22).unwrap() + Duration::hours(h)
    }

    fn pending() -> CancellationRequest {
        CancellationRequest {
            id: RequestId::parse("acr-1").unwrap(),
            agreement_id: AgreementId::parse("agmt-1").unwrap(),
            reason_code: CancellationReasonCode::TestAgreement,
            description: "Created by our QA team to test provisioning".into(),
            details: AdditionalDetails::default(),
            client_token: ClientToken::parse("tok-1").unwrap(),
            status: RequestStatus::PendingApproval,
            status_message: String::new(),
            decided_by: None,
            created_at: t(0),
            updated_at: t(0),
            link_secret: None,
        }
    }

    #[test]
    fn the_deadline_is_exactly_168_hours_after_creation() {
        assert_eq!(pending().deadline(), t(168));
        assert_eq!(pending().time_left(t(167)), Some(Duration::hours(1)));
        assert_eq!(pending().time_left(t(168)), None);
    }

    #[test]
    fn auto_approval_is_stamped_with_the_deadline_not_the_moment_noticed() {
        let mut request = pending();
        assert!(!request.auto_approve_by(t(168) - Duration::seconds(1)));
        assert!(request.status.is_pending());
        assert!(request.auto_approve_by(t(500)));
        assert_eq!(request.status, RequestStatus::Approved);
        assert_eq!(request.updated_at, t(168));
        assert!(request.approved_automatically());
    }

    #[test]
    fn approving_a_withdrawn_request_is_a_conflict_and_changes_nothing() {
        let mut request = pending();
        request
            .withdraw("Buyer asked us to keep it after all", t(2))
            .unwrap();
        let before = request.clone();
        let error = request.accept(t(3)).unwrap_err();
        assert!(matches!(
            error,
            CancellationError::Conflict(Conflict {
                status: RequestStatus::Cancelled,
                ..
            })
        ));
        assert_eq!(
            error.to_string(),
            "This request was already withdrawn by the seller (2025-01-01 15:12 UTC), so it can no longer be approved."
        );
        assert_eq!(request, before);
    }

    #[test]
    fn every_transition_out_of_a_settled_request_is_refused() {
        for settle in [
            |r: &mut CancellationRequest| r.accept(t(1)).unwrap(),
            |r: &mut CancellationRequest| r.reject("We still need this product", t(1)).unwrap(),
            |r: &mut CancellationRequest| r.withdraw("Sent by mistake", t(1)).unwrap(),
            |r: &mut CancellationRequest| assert!(r.auto_approve_by(t(200))),
        ] {
            let mut request = pending();
            settle(&mut request);
            let before = request.clone();
            assert!(request.accept(t(300)).is_err());
            assert!(request.reject("no", t(300)).is_err());
            assert!(request.withdraw("no", t(300)).is_err());
            assert!(!request.auto_approve_by(t(900)));
            assert_eq!(request, before);
        }
    }

    #[test]
    fn rejecting_needs_a_reason_the_seller_will_see() {
        let mut request = pending();
        assert_eq!(
            request.reject("   ", t(1)),
            Err(CancellationError::Required {
                field: "A rejection reason"
            })
        );
        assert!(request.status.is_pending());
        request.reject("We still need this product", t(1)).unwrap();
        assert_eq!(request.status_message, "We still need this product");
        assert_eq!(request.status.label(), "Denied");
    }

    #[test]
    fn reasons_longer_than_2000_characters_are_refused_and_2000_is_fine() {
        assert!(checked_text("A reason", &"x".repeat(2000), 2000).is_ok());
        assert_eq!(
            checked_text("A reason", &"x".repeat(2001), 2000),
            Err(CancellationError::TooLong {
                field: "A reason",
                max: 2000,
                actual: 2001
            })
        );
    }

    #[test]
    fn a_request_needs_a_reason_code_and_a_reason() {
        assert_eq!(
            check_request(
                None,
                "Buyer migrating to offer-2",
                AdditionalDetails::default()
            ),
            Err(CancellationError::MissingReasonCode)
        );
        assert_eq!(
            check_request(
                Some(CancellationReasonCode::Other),
                "",
                AdditionalDetails::default()
            ),
            Err(CancellationError::Required { field: "A reason" })
        );
        let details = AdditionalDetails {
            next_step: "x".repeat(2001),
            ..Default::default()
        };
        assert!(matches!(
            check_request(
                Some(CancellationReasonCode::Other),
                "Specific reason here",
                details
            ),
            Err(CancellationError::DetailTooLong { .. })
        ));
    }

    #[test]
    fn vague_reasons_are_warned_about_and_specific_ones_are_not() {
        for vague in [
            "cancellation requested",
            "No longer needed.",
            "cancel",
            "  n/a ",
        ] {
            assert!(vague_reason_warning(vague).is_some(), "{vague}");
        }
        for specific in [
            "Buyer migrating to a different product offer.",
            "Replacing with a new private offer (offer ID: offer-9)",
            "Mutual agreement to terminate contract early.",
        ] {
            assert!(vague_reason_warning(specific).is_none(), "{specific}");
        }
    }

    #[test]
    fn coordination_is_noted_for_contracts_only_and_stressed_for_private_or_older_ones() {
        let contract = PricingModel::Contract;
        let private = coordination_note(contract, true, t(0), t(1)).unwrap();
        assert!(private.starts_with("This is a contract-based subscription on a private offer"));
        assert!(private.contains("AWS may contact both of you"));
        let young = coordination_note(contract, false, t(0), t(48)).unwrap();
        assert!(young.starts_with("This is a contract-based subscription:"));
        let older = coordination_note(contract, false, t(0), t(48) + Duration::seconds(1));
        assert!(older
            .unwrap()
            .starts_with("This contract-based subscription is past its first 48 hours"));
        for pricing in [PricingModel::Usage, PricingModel::SaasSubscription] {
            assert_eq!(coordination_note(pricing, true, t(0), t(1000)), None);
            assert_eq!(coordination_note(pricing, false, t(0), t(1)), None);
        }
        let unknown = coordination_note(PricingModel::Unknown, false, t(0), t(1)).unwrap();
        assert!(unknown.contains("pricing is not known (import its terms from AWS). If it is a"));
    }

    #[test]
    fn reason_codes_round_trip_through_their_api_spelling() {
        for code in CancellationReasonCode::ALL {
            assert_eq!(CancellationReasonCode::from_code(code.code()), Some(code));
            assert_eq!(
                serde_json::to_string(&code).unwrap(),
                format!("\"{}\"", code.code())
            );
        }
        assert_eq!(RequestStatus::Cancelled.label(), "Withdrawn");
    }
}
