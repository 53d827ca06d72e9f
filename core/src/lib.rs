//! The domain core of the cancellation workbench.
//!
//! Every rule of the product spec lives here and nowhere else. The crate never reads the
//! clock and never draws random numbers: `now` and new identifiers are arguments, so
//! every deadline and every event can be tested to the second.

pub mod adjustment;
pub mod api;
pub mod book;
pub mod cancellation;
pub mod case;
pub mod demo;
pub mod events;
pub mod evidence;
pub mod families;
pub mod ids;
pub mod link;
pub mod money;
pub mod preview;
