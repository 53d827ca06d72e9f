//! The bridge to the real AWS Marketplace Agreement API, both ways, without a network: what
//! the AWS CLI printed comes in (`import`: files checked against the service model, then
//! previewed, then applied as one command), and what the workbench does goes out as the
//! exact AWS CLI command that does it in AWS (`cli`), or as the EventBridge rule that
//! delivers a bus's events (`rule`). The service model travels with the app (`model`), with
//! a matcher for its patterns (`pattern`).

use serde::{Deserialize, Serialize};

use crate::coded::coded;

pub mod cli;
pub mod import;
pub mod model;
pub mod pattern;
pub mod rule;

/// The operations of the Agreement API the workbench reads the output of or writes
/// commands for, by their names in the service model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Operation {
    SearchAgreements,
    DescribeAgreement,
    ListAgreementInvoiceLineItems,
    ListAgreementCancellationRequests,
    ListBillingAdjustmentRequests,
    SendAgreementCancellationRequest,
    CancelAgreementCancellationRequest,
    AcceptAgreementCancellationRequest,
    RejectAgreementCancellationRequest,
    BatchCreateBillingAdjustmentRequest,
}

coded!(Operation {
    SearchAgreements => "SearchAgreements";
    DescribeAgreement => "DescribeAgreement";
    ListAgreementInvoiceLineItems => "ListAgreementInvoiceLineItems";
    ListAgreementCancellationRequests => "ListAgreementCancellationRequests";
    ListBillingAdjustmentRequests => "ListBillingAdjustmentRequests";
    SendAgreementCancellationRequest => "SendAgreementCancellationRequest";
    CancelAgreementCancellationRequest => "CancelAgreementCancellationRequest";
    AcceptAgreementCancellationRequest => "AcceptAgreementCancellationRequest";
    RejectAgreementCancellationRequest => "RejectAgreementCancellationRequest";
    BatchCreateBillingAdjustmentRequest => "BatchCreateBillingAdjustmentRequest";
});

impl Operation {
    /// The operations whose output the workbench imports.
    pub const IMPORTED: [Operation; 5] = [
        Operation::SearchAgreements,
        Operation::DescribeAgreement,
        Operation::ListAgreementInvoiceLineItems,
        Operation::ListAgreementCancellationRequests,
        Operation::ListBillingAdjustmentRequests,
    ];

    /// As the AWS CLI names it: `search-agreements`.
    pub fn cli_name(self) -> String {
        let mut name = String::new();
        for c in self.code().chars() {
            if c.is_ascii_uppercase() && !name.is_empty() {
                name.push('-');
            }
            name.push(c.to_ascii_lowercase());
        }
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cli_names_operations_in_kebab_case() {
        assert_eq!(
            Operation::ListAgreementInvoiceLineItems.cli_name(),
            "list-agreement-invoice-line-items"
        );
        assert_eq!(
            Operation::BatchCreateBillingAdjustmentRequest.cli_name(),
            "batch-create-billing-adjustment-request"
        );
    }
}
