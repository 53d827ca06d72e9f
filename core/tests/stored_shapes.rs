//! Records stored before a field existed still load, with the field's default, and read
//! back exactly as they were written: the storage loader refuses anything that would not.

use serde_json::Value;
use workbench_core::book::Agreement;
use workbench_core::cancellation::PricingModel;

/// The agreement of a record the app stored before agreements had a pricing model.
fn stored_agreement() -> Value {
    let envelope: Value =
        serde_json::from_str(include_str!("../../tests/fixtures/format-1-agreement.json")).unwrap();
    envelope["data"]["agreement"].clone()
}

#[test]
fn an_agreement_stored_without_its_pricing_model_is_a_contract_and_reads_back_unchanged() {
    let stored = stored_agreement();
    let agreement: Agreement = serde_json::from_value(stored.clone()).unwrap();
    assert_eq!(agreement.pricing, PricingModel::Contract);
    assert_eq!(serde_json::to_value(&agreement).unwrap(), stored);
}

#[test]
fn usage_saas_and_unknown_pricing_keep_their_pricing_model() {
    for pricing in [
        PricingModel::Usage,
        PricingModel::SaasSubscription,
        PricingModel::Unknown,
    ] {
        let mut stored = stored_agreement();
        stored["pricing"] = serde_json::to_value(pricing).unwrap();
        let agreement: Agreement = serde_json::from_value(stored.clone()).unwrap();
        assert_eq!(agreement.pricing, pricing);
        assert_eq!(serde_json::to_value(&agreement).unwrap(), stored);
    }
}

#[test]
fn an_agreement_stored_before_free_trials_and_buyer_cancellation_had_neither() {
    let agreement: Agreement = serde_json::from_value(stored_agreement()).unwrap();
    assert_eq!(agreement.free_trial_converted, None);
    assert_eq!(agreement.cancelled_by_buyer, None);
}

#[test]
fn a_free_trials_conversion_and_a_buyers_cancellation_are_kept_when_they_hold() {
    let mut stored = stored_agreement();
    stored["free_trial_converted"] = "2025-10-01T00:00:00Z".into();
    stored["cancelled_by_buyer"] = "2025-10-03T12:00:00Z".into();
    let agreement: Agreement = serde_json::from_value(stored.clone()).unwrap();
    assert!(agreement.free_trial_converted.is_some());
    assert!(agreement.cancelled_by_buyer.is_some());
    assert_eq!(serde_json::to_value(&agreement).unwrap(), stored);
}
