//! One file per route.

pub mod agreement;
pub mod buyer;
pub mod home;
pub mod not_found;
pub mod receipt;
pub mod seller;
