//! One file per route, or per group of small routes.

pub mod agreement;
pub mod agreement_filters;
pub mod attention;
pub mod buyer;
pub mod console;
pub mod from_buyer;
pub mod home;
pub mod not_found;
pub mod receipt;
pub mod report_charts;
pub mod report_filters;
pub mod reports;
pub mod sections;
pub mod seller;
