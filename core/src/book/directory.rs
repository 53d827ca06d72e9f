//! Who is who in the marketplace: sellers, buyers, their products and offers.

use serde::{Deserialize, Serialize};

use crate::ids::{AccountId, OfferId, ProductId};

/// A seller (proposer) or a buyer (acceptor): an AWS account and its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub account: AccountId,
    pub name: String,
}

/// A product a seller lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub id: ProductId,
    pub name: String,
    pub seller: AccountId,
}

/// An offer of a product: public pricing, or a private offer made to one buyer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    pub id: OfferId,
    pub product: ProductId,
    pub name: String,
    pub private: bool,
}

/// Sellers, buyers, products and offers: small, and rarely changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directory {
    pub sellers: Vec<Party>,
    pub buyers: Vec<Party>,
    pub products: Vec<Product>,
    pub offers: Vec<Offer>,
}

impl Directory {
    /// The seller with this account, if any.
    pub fn seller(&self, account: &AccountId) -> Option<&Party> {
        self.sellers.iter().find(|p| &p.account == account)
    }

    /// The buyer with this account, if any.
    pub fn buyer(&self, account: &AccountId) -> Option<&Party> {
        self.buyers.iter().find(|p| &p.account == account)
    }

    /// The product with this ID, if any.
    pub fn product(&self, id: &ProductId) -> Option<&Product> {
        self.products.iter().find(|p| &p.id == id)
    }

    /// The offer with this ID, if any.
    pub fn offer(&self, id: &OfferId) -> Option<&Offer> {
        self.offers.iter().find(|o| &o.id == id)
    }
}
