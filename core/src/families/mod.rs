//! The three older billing families that sit beside the AWS Marketplace one, and the legacy
//! support-case route. Each owns its rules; the book holds their records.

pub mod alibaba;
pub mod devpay;
pub mod fps;
pub mod support_case;
