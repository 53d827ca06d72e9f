//! The buyer's side of the confirmation link, built as a bundle of its own so that a phone
//! on a slow network gets the page it came for without the seller's console, its storage
//! format, its demo data or a UI framework: the page is drawn with plain DOM calls. The
//! seller's workbench draws the same decision ([`decision`]), clock, link and times with
//! the words and rules kept here, and takes the buyer's decisions back through [`handoff`].

pub mod case;
pub mod clock;
pub mod clock_face;
pub mod crash;
pub mod decision;
pub mod dom;
pub mod handoff;
pub mod page;
pub mod request;
pub mod share;
pub mod timing;
pub mod words;
