//! The agreement itself, as the Agreement API describes it: its parties, product, offer,
//! status and term. It depends on nothing of the book, so the bus events and the rules can
//! speak of an agreement without reaching into the book that keeps it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::cancellation::PricingModel;
use crate::coded::coded;
use crate::ids::{AccountId, AgreementId, OfferId, ProductId};

/// An agreement's status, with the values of the Agreement API's `AgreementStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AgreementStatus {
    Active,
    Archived,
    Cancelled,
    Expired,
    Renewed,
    Replaced,
    RolledBack,
    Superseded,
    Terminated,
}

coded!(AgreementStatus {
    Active => "ACTIVE", "Active";
    Archived => "ARCHIVED", "Archived";
    Cancelled => "CANCELLED", "Cancelled";
    Expired => "EXPIRED", "Expired";
    Renewed => "RENEWED", "Renewed";
    Replaced => "REPLACED", "Replaced";
    RolledBack => "ROLLED_BACK", "Rolled back";
    Superseded => "SUPERSEDED", "Superseded";
    Terminated => "TERMINATED", "Terminated";
});

/// An AWS Marketplace agreement between a seller (proposer) and a buyer (acceptor).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agreement {
    pub id: AgreementId,
    pub seller: AccountId,
    pub buyer: AccountId,
    pub product: ProductId,
    pub offer: OfferId,
    pub status: AgreementStatus,
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
    /// The agreement an auto-renewal created to follow this one. While it exists, a
    /// cancellation request for this one fails validation: the renewal must go first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal: Option<AgreementId>,
    /// Left out when it is a contract, the default: agreements stored before it was
    /// recorded were contracts, and they read back exactly as they were written.
    #[serde(default, skip_serializing_if = "PricingModel::is_contract")]
    pub pricing: PricingModel,
    /// When a free trial on it converted to a paid subscription (or converts, for one
    /// still in its trial); `None` for an agreement that had no free trial, which is what
    /// agreements stored before it was recorded had. AWS may refund, on the seller's
    /// behalf, software charges that accrue within 7 days of the conversion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_trial_converted: Option<DateTime<Utc>>,
    /// When the buyer cancelled it themselves (self-service, AWS's CancelAgreement), so
    /// the seller's list can say who ended it; `None` for every other agreement, as for
    /// all those stored before buyers could.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_by_buyer: Option<DateTime<Utc>>,
}
