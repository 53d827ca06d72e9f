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
    GetAgreementTerms,
    SendAgreementCancellationRequest,
    CancelAgreementCancellationRequest,
    AcceptAgreementCancellationRequest,
    RejectAgreementCancellationRequest,
    BatchCreateBillingAdjustmentRequest,
    CancelAgreement,
}

coded!(Operation {
    SearchAgreements => "SearchAgreements";
    DescribeAgreement => "DescribeAgreement";
    ListAgreementInvoiceLineItems => "ListAgreementInvoiceLineItems";
    ListAgreementCancellationRequests => "ListAgreementCancellationRequests";
    ListBillingAdjustmentRequests => "ListBillingAdjustmentRequests";
    GetAgreementTerms => "GetAgreementTerms";
    SendAgreementCancellationRequest => "SendAgreementCancellationRequest";
    CancelAgreementCancellationRequest => "CancelAgreementCancellationRequest";
    AcceptAgreementCancellationRequest => "AcceptAgreementCancellationRequest";
    RejectAgreementCancellationRequest => "RejectAgreementCancellationRequest";
    BatchCreateBillingAdjustmentRequest => "BatchCreateBillingAdjustmentRequest";
    CancelAgreement => "CancelAgreement";
});

impl Operation {
    /// The operations whose output the workbench imports, in [`ImportedOperation::ALL`]'s
    /// order: spelled from it, so that the two lists cannot part.
    pub const IMPORTED: [Operation; ImportedOperation::ALL.len()] = {
        let mut all = [Operation::SearchAgreements; ImportedOperation::ALL.len()];
        let mut i = 0;
        while i < all.len() {
            all[i] = ImportedOperation::ALL[i].operation();
            i += 1;
        }
        all
    };

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

/// An operation whose output the workbench imports: what a file can be recognised as, so
/// that reading one matches on these alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ImportedOperation {
    SearchAgreements,
    DescribeAgreement,
    ListAgreementInvoiceLineItems,
    ListAgreementCancellationRequests,
    ListBillingAdjustmentRequests,
    GetAgreementTerms,
}

impl ImportedOperation {
    /// Every one, in the order that settles a tie between them.
    pub const ALL: [ImportedOperation; 6] = [
        ImportedOperation::SearchAgreements,
        ImportedOperation::DescribeAgreement,
        ImportedOperation::ListAgreementInvoiceLineItems,
        ImportedOperation::ListAgreementCancellationRequests,
        ImportedOperation::ListBillingAdjustmentRequests,
        ImportedOperation::GetAgreementTerms,
    ];

    pub const fn operation(self) -> Operation {
        match self {
            ImportedOperation::SearchAgreements => Operation::SearchAgreements,
            ImportedOperation::DescribeAgreement => Operation::DescribeAgreement,
            ImportedOperation::ListAgreementInvoiceLineItems => {
                Operation::ListAgreementInvoiceLineItems
            }
            ImportedOperation::ListAgreementCancellationRequests => {
                Operation::ListAgreementCancellationRequests
            }
            ImportedOperation::ListBillingAdjustmentRequests => {
                Operation::ListBillingAdjustmentRequests
            }
            ImportedOperation::GetAgreementTerms => Operation::GetAgreementTerms,
        }
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
