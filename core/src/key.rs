//! The keys of the records a book holds: one typed ID for each kind of record, and
//! `RecordKey`, which names a record of any kind, so that a change says exactly which
//! records storage must write and a caller never passes a bare string with a kind beside it.

use std::borrow::Borrow;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ids::AgreementId;

macro_rules! record_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(id: impl Into<String>) -> Self {
                $name(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                $name(id.to_string())
            }
        }

        /// Lets a map keyed by this ID be read with the text of a storage key.
        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
    };
}

record_id!(
    /// An Amazon FPS subscription, as the workbench named it when it made the record.
    FpsSubscriptionId
);
record_id!(
    /// A DevPay subscription.
    DevPaySubscriptionId
);
record_id!(
    /// An Alibaba Cloud order.
    AlibabaOrderId
);
record_id!(
    /// A support case opened through the "Request refund" form (`case-` and digits).
    SupportCaseId
);

/// Any record the book holds, by its kind and its ID.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RecordKey {
    Agreement(AgreementId),
    Fps(FpsSubscriptionId),
    DevPay(DevPaySubscriptionId),
    Alibaba(AlibabaOrderId),
    SupportCase(SupportCaseId),
    /// The sellers, buyers, products and offers: reference data, kept under one key.
    Directory,
}

/// The record in words, as a person reads it in a notice: "agreement agmt-…".
impl fmt::Display for RecordKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordKey::Agreement(id) => write!(f, "agreement {id}"),
            RecordKey::Fps(id) => write!(f, "Amazon FPS subscription {id}"),
            RecordKey::DevPay(id) => write!(f, "DevPay subscription {id}"),
            RecordKey::Alibaba(id) => write!(f, "Alibaba Cloud order {id}"),
            RecordKey::SupportCase(id) => write!(f, "support case {id}"),
            RecordKey::Directory => f.write_str("the list of sellers, buyers and products"),
        }
    }
}

impl RecordKey {
    /// The agreement this key names, if it names one.
    pub fn agreement(&self) -> Option<&AgreementId> {
        match self {
            RecordKey::Agreement(id) => Some(id),
            _ => None,
        }
    }
}
