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
fn usage_and_saas_agreements_keep_their_pricing_model() {
    for pricing in [PricingModel::Usage, PricingModel::SaasSubscription] {
        let mut stored = stored_agreement();
        stored["pricing"] = serde_json::to_value(pricing).unwrap();
        let agreement: Agreement = serde_json::from_value(stored.clone()).unwrap();
        assert_eq!(agreement.pricing, pricing);
        assert_eq!(serde_json::to_value(&agreement).unwrap(), stored);
    }
}
