//! The buyer's own side of AWS on the demo data: what a buyer may cancel themselves, where
//! each refund goes, and the invoice AWS may already have refunded after a free trial.

use chrono::Duration;
use workbench_core::adjustment::{free_trial_warning, may_be_refunded_by_aws, RefundDestination};
use workbench_core::agreement::NotSelfService;
use workbench_core::book::{AgreementStatus, DomainError};
use workbench_core::cancellation::PricingModel;
use workbench_core::demo::{demo_book, demo_now};

#[test]
fn the_demo_has_a_recent_free_trial_conversion_with_an_invoice_inside_the_window() {
    let now = demo_now();
    let book = demo_book(now);
    let converted: Vec<_> = book
        .records()
        .values()
        .map(|v| &v.record)
        .filter(|r| r.agreement.free_trial_converted.is_some())
        .collect();
    assert_eq!(converted.len(), 1);
    let record = converted[0];
    let at = record.agreement.free_trial_converted.unwrap();
    assert!(at <= now && now.signed_duration_since(at) < Duration::days(7));
    let inside: Vec<_> = record
        .invoices
        .iter()
        .filter(|i| may_be_refunded_by_aws(&record.agreement, i, &record.invoices))
        .collect();
    assert_eq!(inside.len(), 1);
    assert!(free_trial_warning(&record.agreement, inside[0], &record.invoices).is_some());
}

#[test]
fn every_demo_refund_is_listed_to_its_buyer_with_where_the_money_goes() {
    let book = demo_book(demo_now());
    let total: usize = book
        .records()
        .values()
        .map(|v| v.record.adjustments.len())
        .sum();
    assert!(total > 0);
    let mut listed = 0;
    for buyer in &book.directory().buyers {
        let adjustments = book.buyer_adjustments(&buyer.account);
        assert!(adjustments
            .windows(2)
            .all(|w| w[0].created_at >= w[1].created_at));
        for b in &adjustments {
            let record = book.record(&b.agreement).unwrap();
            assert_eq!(record.agreement.buyer, buyer.account);
            let invoice = record.invoice(b.invoice.as_str()).unwrap();
            if invoice.paid {
                assert_eq!(
                    b.destination,
                    RefundDestination::PaymentMethod {
                        invoice: invoice.id.clone()
                    }
                );
                assert!(b.timing.as_deref().unwrap().contains("bank account"));
            }
        }
        listed += adjustments.len();
    }
    assert_eq!(listed, total);
}

#[test]
fn demo_buyers_may_cancel_usage_based_agreements_and_never_private_contracts() {
    let now = demo_now();
    let book = demo_book(now);
    for v in book.records().values() {
        let agreement = &v.record.agreement;
        let answer = book.buyer_may_cancel(&agreement.id, now);
        let private = book.offer_public(agreement) == Some(false);
        match agreement.pricing {
            _ if agreement.status != AgreementStatus::Active => {
                assert!(matches!(
                    answer,
                    Err(DomainError::NotSelfService(NotSelfService::NotActive(_)))
                ))
            }
            PricingModel::Contract if private => assert_eq!(
                answer,
                Err(DomainError::NotSelfService(NotSelfService::PrivateOffer))
            ),
            PricingModel::Usage | PricingModel::SaasSubscription
                if v.record.pending_request().is_none() =>
            {
                assert_eq!(answer, Ok(()))
            }
            _ => {}
        }
    }
}
