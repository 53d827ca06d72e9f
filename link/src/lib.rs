//! The buyer's side of the confirmation link, built as a bundle of its own so that a phone
//! on a slow network gets the page it came for without the seller's console, its storage
//! format or its demo data. The seller's app uses the same pieces (the decision, a link to
//! send, times in words) and takes the buyer's decisions back through [`handoff`].

pub mod clock;
pub mod clock_face;
pub mod crash;
pub mod decision;
pub mod handoff;
pub mod page;
pub mod share;
pub mod timing;
pub mod words;
