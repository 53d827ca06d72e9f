//! The agreement itself, as the Agreement API describes it: its parties, product, offer,
//! status and term. It depends on nothing of the book, so the bus events and the rules can
//! speak of an agreement without reaching into the book that keeps it.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

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

/// How long after its start a buyer may cancel a public-offer contract themselves.
pub const SELF_SERVICE_CONTRACT_WINDOW: Duration = Duration::hours(48);

/// Why a buyer cannot cancel an agreement themselves, in words for the buyer. The seller's
/// side of the agreement is then the only way: a cancellation request the buyer answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum NotSelfService {
    #[error("This agreement is {}, so there is nothing to cancel.", .0.label().to_lowercase())]
    NotActive(AgreementStatus),
    #[error(
        "Its pricing is not known: import its terms from AWS (get-agreement-terms) to see \
         whether you can cancel it yourself. Until then, the seller must start a cancellation."
    )]
    PricingUnknown,
    #[error("It is a contract on a private offer: the seller must start a cancellation.")]
    PrivateOffer,
    #[error(
        "It is a contract, and whether its offer is public is not known: the seller must \
         start a cancellation."
    )]
    OfferUnknown,
    #[error(
        "It is a contract past its first {} hours: the seller must start a cancellation.",
        SELF_SERVICE_CONTRACT_WINDOW.num_hours()
    )]
    PastWindow,
}

impl Agreement {
    /// Its status in words, saying who ended it when the buyer cancelled it themselves.
    pub fn status_label(&self) -> &'static str {
        match (self.status, self.cancelled_by_buyer) {
            (AgreementStatus::Cancelled, Some(_)) => "Cancelled by the buyer",
            (status, _) => status.label(),
        }
    }

    /// Whether its buyer may cancel it themselves (AWS's CancelAgreement, by the acceptor):
    /// an active agreement with usage-based pricing (pay-as-you-go, SaaS metering
    /// included), or a public-offer contract within [`SELF_SERVICE_CONTRACT_WINDOW`] of its
    /// start. `offer_public` is `None` where the workbench does not know the offer.
    pub fn self_service(
        &self,
        offer_public: Option<bool>,
        now: DateTime<Utc>,
    ) -> Result<(), NotSelfService> {
        if self.status != AgreementStatus::Active {
            return Err(NotSelfService::NotActive(self.status));
        }
        match self.pricing {
            PricingModel::Usage | PricingModel::SaasSubscription => Ok(()),
            PricingModel::Unknown => Err(NotSelfService::PricingUnknown),
            PricingModel::Contract => match offer_public {
                None => Err(NotSelfService::OfferUnknown),
                Some(false) => Err(NotSelfService::PrivateOffer),
                Some(true) if now - self.start > SELF_SERVICE_CONTRACT_WINDOW => {
                    Err(NotSelfService::PastWindow)
                }
                Some(true) => Ok(()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use proptest::prelude::*;

    use super::*;

    fn at(hours: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, 1, 9, 0, 0).unwrap() + Duration::hours(hours)
    }

    fn agreement(pricing: PricingModel, status: AgreementStatus) -> Agreement {
        Agreement {
            id: AgreementId::parse("agmt-1").unwrap(),
            seller: AccountId::parse("111122223333").unwrap(),
            buyer: AccountId::parse("444455556666").unwrap(),
            product: ProductId::parse("prod-1").unwrap(),
            offer: OfferId::parse("offer-1").unwrap(),
            status,
            start: at(0),
            end: None,
            renewal: None,
            pricing,
            free_trial_converted: None,
            cancelled_by_buyer: None,
        }
    }

    #[test]
    fn a_public_contract_is_the_buyers_to_cancel_for_its_first_48_hours_only() {
        let contract = agreement(PricingModel::Contract, AgreementStatus::Active);
        assert_eq!(contract.self_service(Some(true), at(48)), Ok(()));
        let late = contract.self_service(Some(true), at(48) + Duration::seconds(1));
        assert_eq!(late, Err(NotSelfService::PastWindow));
        assert_eq!(
            late.unwrap_err().to_string(),
            "It is a contract past its first 48 hours: the seller must start a cancellation."
        );
        assert_eq!(
            contract.self_service(Some(false), at(1)),
            Err(NotSelfService::PrivateOffer)
        );
        assert_eq!(
            contract.self_service(None, at(1)),
            Err(NotSelfService::OfferUnknown)
        );
    }

    #[test]
    fn unknown_pricing_asks_for_the_terms_rather_than_guessing() {
        let unknown = agreement(PricingModel::Unknown, AgreementStatus::Active);
        let refusal = unknown.self_service(Some(true), at(1)).unwrap_err();
        assert_eq!(refusal, NotSelfService::PricingUnknown);
        assert!(refusal.to_string().contains("import its terms from AWS"));
    }

    fn any_status() -> impl Strategy<Value = AgreementStatus> {
        proptest::sample::select(AgreementStatus::ALL.to_vec())
    }

    fn any_pricing() -> impl Strategy<Value = PricingModel> {
        proptest::sample::select(vec![
            PricingModel::Contract,
            PricingModel::Usage,
            PricingModel::SaasSubscription,
            PricingModel::Unknown,
        ])
    }

    proptest! {
        #[test]
        fn the_buyer_may_cancel_exactly_usage_based_or_young_public_contracts_while_active(
            pricing in any_pricing(),
            status in any_status(),
            public in proptest::option::of(any::<bool>()),
            hours in -100i64..10_000,
        ) {
            let allowed = agreement(pricing, status).self_service(public, at(hours)).is_ok();
            let expected = status == AgreementStatus::Active
                && (pricing.is_usage_based()
                    || (pricing == PricingModel::Contract && public == Some(true) && hours <= 48));
            prop_assert_eq!(allowed, expected);
        }
    }
}
