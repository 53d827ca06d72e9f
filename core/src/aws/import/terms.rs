//! What `get-agreement-terms` prints: the terms the buyer accepted, of which the workbench
//! keeps how the agreement is priced and how long its free trial ran. The output names no
//! agreement (the agreement is the command's input), so a file is given one by its name
//! (`agmt-….json`), or by being imported with that agreement's description alone.

use chrono::Duration;

use super::{FieldChange, ImportItem, Merge, Node, Unusable};
use crate::book::AgreementRecord;
use crate::cancellation::PricingModel;
use crate::ids::AgreementId;

/// The kinds of pricing term a file (or several pages of one agreement's terms) holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Terms {
    usage: bool,
    upfront: bool,
    /// The free trial's length, in days.
    free_trial_days: Option<i64>,
}

impl Terms {
    /// Reads the accepted terms of a checked file: each is a union of one kind of term.
    pub(super) fn read(top: &Node) -> Result<Terms, Unusable> {
        let mut terms = Terms::default();
        for term in top.list("acceptedTerms") {
            terms.usage |= term.get("usageBasedPricingTerm").is_some();
            terms.upfront |= term.get("fixedUpfrontPricingTerm").is_some()
                || term.get("configurableUpfrontPricingTerm").is_some();
            if let Some(trial) = term.get("freeTrialPricingTerm") {
                let duration = trial.need("duration", "how long the free trial ran")?;
                let days = days_of(duration.text()).ok_or_else(|| {
                    duration.unusable(
                        "the workbench reads a free trial's length in days, as AWS writes it \
                         (P30D)",
                    )
                })?;
                terms.free_trial_days = Some(days);
            }
        }
        Ok(terms)
    }

    /// Both pages' terms, as one agreement's.
    pub(super) fn and(self, other: Terms) -> Terms {
        Terms {
            usage: self.usage || other.usage,
            upfront: self.upfront || other.upfront,
            free_trial_days: self.free_trial_days.or(other.free_trial_days),
        }
    }

    /// An upfront term makes a contract, whatever usage it also prices; usage alone is
    /// pay-as-you-go; anything else (bring your own license, a free trial alone) is not a
    /// pricing the rules know.
    fn pricing(self) -> PricingModel {
        match (self.upfront, self.usage) {
            (true, _) => PricingModel::Contract,
            (false, true) => PricingModel::Usage,
            (false, false) => PricingModel::Unknown,
        }
    }
}

/// `P30D` as 30; a free trial is offered in days.
fn days_of(duration: &str) -> Option<i64> {
    let digits = duration.strip_prefix('P')?.strip_suffix('D')?;
    if digits.is_empty() || digits.len() > 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The agreement a terms file names in its file name (`agmt-1a2b3c-terms.json`), if any.
pub(super) fn agreement_in_name(name: &str) -> Option<AgreementId> {
    name.match_indices("agmt-").find_map(|(at, _)| {
        let id: String = name[at..]
            .chars()
            .enumerate()
            .take_while(|(i, c)| *i < 5 || c.is_ascii_alphanumeric())
            .map(|(_, c)| c)
            .collect();
        (id.len() > "agmt-".len())
            .then(|| AgreementId::parse(&id).ok())
            .flatten()
    })
}

/// Takes the pricing the terms give, and the free trial's conversion (its start plus its
/// length) where the agreement's description did not say when its trial ended.
pub(super) fn merge_terms(
    record: &mut AgreementRecord,
    id: &AgreementId,
    terms: Terms,
    new: bool,
    merge: &mut Merge,
) {
    let agreement = &mut record.agreement;
    let pricing = terms.pricing();
    let converted = agreement.free_trial_converted.or(terms
        .free_trial_days
        .map(|days| agreement.start + Duration::days(days)));
    let mut fields = Vec::new();
    if pricing != agreement.pricing {
        fields.push(FieldChange {
            field: "pricing",
            from: agreement.pricing.label().into(),
            to: pricing.label().into(),
        });
    }
    if converted != agreement.free_trial_converted {
        fields.push(FieldChange {
            field: "free trial converted",
            from: "none".into(),
            to: converted.map_or("none".into(), super::when),
        });
    }
    merge.note(ImportItem::Terms(id.clone()), (!new).then_some(fields));
    agreement.pricing = pricing;
    agreement.free_trial_converted = converted;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_free_trial_is_read_in_days_and_an_agreement_from_a_file_name() {
        assert_eq!(days_of("P30D"), Some(30));
        assert_eq!(days_of("P1M"), None);
        assert_eq!(days_of("PD"), None);
        assert_eq!(days_of("P99999999999999999999D"), None);
        assert_eq!(
            agreement_in_name("terms-agmt-1a2B3c.json").map(|a| a.to_string()),
            Some("agmt-1a2B3c".into())
        );
        assert_eq!(agreement_in_name("terms.json"), None);
        assert_eq!(agreement_in_name("agmt-.json"), None);
    }
}
